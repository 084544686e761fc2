"""Claim kind "bits.bell": certified min-entropy from the counts of ANY Bell test.

Trusted. Problem {"scenario", "expression": E (oriented: randomness grows with E), "p_x": {"x": "p/q"}
(the protocol's input distribution, x a digit string, party A first; unlisted inputs have p = 0),
"counts": {"x|a": N}, "parties": S (whose outputs are the randomness), "delta", "azuma": "range" |
"bounded"}. Evidence {"tangents": [one npa.max {"problem", "evidence"} per x_S of the support],
"line": {"nu", "lambda"}, "max"/"min" (optional npa.max bounds on E)}. The chain (Pironio et al.
2010, eq. (3) and SI A, for any expression; in full: appendix E of docs/referee-guide.md):
 1. Estimator I(a, x) = c0 + sum_t coef_t [a_St = a_t][x_St = x_t] / p_St(x_t), p_St the marginal of p.
    For a no-signalling box P, sum_x p(x) sum_a P(a|x) I(a, x) = E(P) (P(a_S|x_S, x_rest) is the marginal),
    so round i's conditional mean mu_i is E of its quantum behaviour; mu_i lies in [L, U]: L = sum_x p(x)
    min_a I(a, x), U = sum_x p(x) max_a I(a, x), tightened by the verified NPA bounds of min E and max E.
 2. Azuma-Hoeffding for D_i = I_i - mu_i (a martingale difference: mu_i is fixed by the past):
    "range":   D_i lies in [lo - mu_i, hi - mu_i], length hi - lo (lo, hi: min, max of I over a and
               x with p(x) > 0); Hoeffding's lemma applied conditionally (Hoeffding 1963, Lemma 1 and
               eq. (4.16); Azuma 1967) gives P(sum D_i >= n eps) <= exp(-2 n eps^2 / (hi - lo)^2),
               eps = (hi - lo) sqrt(ln(1/delta) / (2 n));
    "bounded": |D_i| <= c = max(hi - L, U - lo), P(sum D_i >= n eps) <= exp(-n eps^2 / (2 c^2)),
               eps = c sqrt(2 ln(1/delta) / n): Pironio's eq. (3) (CHSH: c = 1/q + 2 sqrt 2).
    A rational eps_hi >= eps; w.p. >= 1 - delta, Ibar = mean mu_i >= I_low = I_hat - eps_hi.
 3. Each tangent: G_x(I) <= nu_x - lam_x I (`kernel.npa`; G_x the guess of a_S at x_S given E >= I, any
    level: a relaxation only raises G). The line nu - lam I, lam >= 0, is >= every tangent at L and at U,
    hence on [L, U] (affine), which holds every mu_i: P(r|s) <= prod_i G_{x_i}(mu_i) <= prod_i (nu - lam
    mu_i) <= (nu - lam Ibar)^n (AM-GM, each factor >= G >= 0) <= (nu - lam R)^n, R = min(I_low, U) <= Ibar
    on the event, lam >= 0. The clamp R <= U never reads the line above a proven bound of the quantum max.
 4. "H_min >= k" iff g^n 2^k <= 1, g = nu - lam R (`bits.largest_k`).
"""

import re
from fractions import Fraction
from itertools import product

from certify.errors import CertifyError
from certify.kernel.bits import check_delta, largest_k
from certify.kernel.defs.scenario import parse_expression, parse_scenario, to_words
from certify.kernel.format import Proven, Reject, brief, expect, field, only, parse_int, parse_rational
from certify.kernel.intervals import ln_interval, sqrt_interval, up
from certify.kernel.npa import verify_tangent

MAX_WORK = 10**7  # (inputs in the support) x (output tuples) x (terms + 1), checked before enumerating


def _digits(text, sizes, where):
    if not isinstance(text, str) or not re.fullmatch(f"[0-9]{{{len(sizes)}}}", text) or any(
            int(c) >= s for c, s in zip(text, sizes)):
        raise CertifyError(f"{where}: expected {len(sizes)} digits within {list(sizes)}, got {str(text)[:20]!r}")
    return tuple(int(c) for c in text)


def read(problem: dict, where: str):
    """(scenario, E, p {x: p}, counts {(x, a): N}, parties S, delta, azuma), validated."""
    only(problem, {"scenario", "expression", "p_x", "counts", "parties", "delta", "azuma"}, where)
    sc = parse_scenario(field(problem, "scenario", dict, where), f"{where}.scenario")
    if any(v > 10 for v in sc.inputs + sc.outputs):
        raise CertifyError(f"{where}.scenario: at most 10 inputs and outputs per party (digit strings)")
    expr = parse_expression(field(problem, "expression", dict, where), sc, f"{where}.expression")
    p = {_digits(x, sc.inputs, f"{where}.p_x.{x}"): parse_rational(v, f"{where}.p_x.{x}")
         for x, v in field(problem, "p_x", dict, where).items()}
    if any(v <= 0 for v in p.values()) or sum(p.values()) != 1:
        raise CertifyError(f"{where}.p_x: expected positive probabilities summing to 1")
    counts = {}
    for key, value in field(problem, "counts", dict, where).items():
        x, _, a = key.partition("|")
        spot = f"{where}.counts.{key[:40]}"
        pair = (_digits(x, sc.inputs, spot), _digits(a, sc.outputs, spot))
        if pair[0] not in p:
            raise CertifyError(f"{spot}: inputs {x} have P(x) = 0 in p_x")
        counts[pair] = parse_int(value, spot, 0, 10**12)
    parties = [parse_int(s, f"{where}.parties[{k}]", 0, sc.parties - 1)
               for k, s in enumerate(field(problem, "parties", list, where))]
    if not parties or parties != sorted(set(parties)) or not sum(counts.values()):
        raise CertifyError(f"{where}: expected distinct increasing parties and at least one counted round")
    delta = check_delta(parse_rational(field(problem, "delta", str, where), f"{where}.delta"))
    if field(problem, "azuma", str, where) not in ("range", "bounded"):
        raise CertifyError(f'{where}.azuma: expected "range" or "bounded"')
    return sc, expr, p, counts, parties, delta, problem["azuma"]


def estimator(sc, expr, p, where):
    """{x: [I(a, x) for a in product(outputs)]} for x in the support of p (step 1)."""
    outs = list(product(*map(range, sc.outputs)))
    if len(p) * len(outs) * (len(expr.terms) + 1) > MAX_WORK:
        raise CertifyError(f"{where}: estimator table larger than {MAX_WORK} (work bound)")
    weighted = []
    for k, (o, i, coef) in enumerate(expr.terms):
        marginal = sum(q for x, q in p.items() if all(v is None or v == w for v, w in zip(i, x)))
        if not marginal:
            raise CertifyError(f"{where}.expression.terms[{k}]: its inputs are never chosen (P = 0): not estimable")
        weighted.append((o, i, coef / marginal))
    table = {}
    for x in p:
        live = [(o, c) for o, i, c in weighted if all(v is None or v == w for v, w in zip(i, x))]
        table[x] = [expr.constant + sum(c for o, c in live if all(v is None or v == b for v, b in zip(o, a)))
                    for a in outs]
    return table, {a: j for j, a in enumerate(outs)}


def _bound(cert, sc, expr, sense, where):
    """A verified npa.max bound of E (sense "max": max E <= b; "min": min E >= b), E the claim's."""
    only(expect(cert, dict, where), {"problem", "evidence"}, where)
    problem = field(cert, "problem", dict, where)
    want = {"scenario", "level", "objective"} | ({"sense"} if sense == "min" else set())
    if set(problem) != want or problem.get("sense", "min") != "min" or set(expect(
            problem["objective"], dict, f"{where}.problem.objective")) != {"bell"}:
        raise Reject(f"{where}.problem: expected exactly {sorted(want)} with a Bell objective, no constraint")
    _same(problem, problem["objective"]["bell"], sc, expr, f"{where}.problem")
    nu, _ = verify_tangent(problem, field(cert, "evidence", dict, where), where)
    return nu if sense == "max" else -nu


def _same(problem, raw, sc, expr, where):
    if parse_scenario(problem["scenario"], f"{where}.scenario") != sc or to_words(
            parse_expression(expect(raw, dict, where), sc, where), sc) != to_words(expr, sc):
        raise Reject(f"{where}: not the claim's scenario and expression")


def check(problem: dict, relation: str, value: Fraction, evidence: dict, where: str) -> Proven:
    at = f"{where}.claim.problem"
    sc, expr, p, counts, parties, delta, azuma = read(problem, at)
    if value.denominator != 1 or value < 0:
        raise CertifyError(f"{where}.claim.value: a number of bits is a non-negative integer, got {value}")
    only(expect(evidence, dict, f"{where}.evidence"), {"tangents", "line", "max", "min"}, f"{where}.evidence")
    if not evidence and value == 0:
        return Proven(low=Fraction(0))  # H_min >= 0 always (a guess is <= 1): no tangent needed
    table, index = estimator(sc, expr, p, at)
    n = sum(counts.values())
    i_hat = sum(N * table[x][index[a]] for (x, a), N in counts.items()) / n
    lo, hi = min(min(row) for row in table.values()), max(max(row) for row in table.values())
    low, top = (sum(p[x] * f(row) for x, row in table.items()) for f in (min, max))
    if "max" in evidence:
        top = min(top, _bound(evidence["max"], sc, expr, "max", f"{where}.evidence.max"))
    if "min" in evidence:
        low = max(low, _bound(evidence["min"], sc, expr, "min", f"{where}.evidence.min"))
    if low > top:
        raise Reject(f"{where}.evidence: the proven range [{brief(low)}, {brief(top)}] of E is empty")
    ln_hi = ln_interval(1 / delta)[1]
    if azuma == "range":
        eps = up((hi - lo) * sqrt_interval(ln_hi / (2 * n))[1])
    else:
        eps = up(max(hi - low, top - lo) * sqrt_interval(2 * ln_hi / n)[1])
    read_at = min(i_hat - eps, top)
    line = field(evidence, "line", dict, f"{where}.evidence")
    only(line, {"nu", "lambda"}, f"{where}.evidence.line")
    nu, lam = (parse_rational(field(line, k, str, f"{where}.evidence.line"), f"{where}.evidence.line.{k}")
               for k in ("nu", "lambda"))
    if lam < 0:
        raise Reject(f"{where}.evidence.line: lambda = {brief(lam)} is negative, the bound would grow with E")
    needed, seen = {tuple(x[s] for s in parties) for x in p}, set()
    for k, t in enumerate(field(evidence, "tangents", list, f"{where}.evidence")):
        spot = f"{where}.evidence.tangents[{k}]"
        tp = field(only(expect(t, dict, spot), {"problem", "evidence"}, spot), "problem", dict, spot)
        if set(tp) != {"scenario", "level", "objective", "constraint"}:
            raise Reject(f"{spot}.problem: expected exactly scenario, level, objective, constraint")
        guess = expect(tp["objective"], dict, f"{spot}.problem.objective").get("guess")
        xs = tuple(guess["inputs"]) if isinstance(guess, dict) and isinstance(guess.get("inputs"), list) else None
        if guess != {"parties": parties, "inputs": list(xs or ())} or xs not in needed - seen:
            raise Reject(f"{spot}.problem.objective: not the guess of parties {parties} at a new input of the support")
        seen.add(xs)
        constraint = expect(tp["constraint"], dict, f"{spot}.problem.constraint")
        _same(tp, constraint.get("expression"), sc, expr, f"{spot}.problem.constraint.expression")
        nu_x, lam_x = verify_tangent(tp, field(t, "evidence", dict, spot), spot)
        for end in (low, top):
            if nu - lam * end < nu_x - lam_x * end:
                raise Reject(f"{where}.evidence.line: below tangent {k} at E = {brief(end)} (must dominate on "
                             f"[{brief(low)}, {brief(top)}])")
    if seen != needed:
        raise Reject(f"{where}.evidence.tangents: no tangent at inputs {sorted(needed - seen)[0]} of parties {parties}")
    g = nu - lam * read_at
    if g <= 0:
        raise Reject(f"{where}.evidence.line: nu - lambda R = {brief(g)} <= 0 at R = {brief(read_at)}, not a bound "
                     "on a probability")
    return Proven(low=Fraction(0 if g >= 1 else largest_k(g, n)))
