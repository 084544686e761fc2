"""Claim kind "bits.bell": certified min-entropy from the counts of ANY Bell test.

Trusted. Problem {"scenario", "expression" E (randomness grows with E), "p_x", "counts" {"x|a": N}, "parties" S,
"delta", "azuma"}; evidence {"tangents" (npa.max, one per x_S of the support), "line" {"nu", "lambda"}, optional
"max"/"min" (npa.max bounds of E), "strategy" (quantum.strategy: E >= T attained)}. The chain (Pironio et al.
2010 eq. (3) for any expression; in full: appendix E of docs/referee-guide.md):
 1. I(a, x) = c0 + sum_t coef_t [a_St = a_t][x_St = x_t] / p_St(x_t) has mean E(P) on no-signalling boxes: round
    i's conditional mean mu_i lies in [L, U] (p-means of min_a I, max_a I, tightened by verified min/max of E).
 2. Azuma-Hoeffding on D_i = I_i - mu_i ("range": Hoeffding's lemma on [lo - mu_i, hi - mu_i]; "bounded":
    |D_i| <= max(hi - L, U - lo)): w.p. >= 1 - delta, Ibar = mean mu_i >= I_low = I_hat - eps_hi.
 3. A line nu - lam I, lam >= 0, above every tangent at L and U is above them on [L, U]: P(r|s) <= prod (nu -
    lam mu_i) <= (nu - lam Ibar)^n (AM-GM) <= (nu - lam R)^n, R = min(I_low, T), T <= q_max an explicit
    strategy's value (else L): never read above the quantum maximum, where a valid line is unconstrained.
 4. "H_min >= k" iff g^n 2^k <= 1, g = nu - lam R (`intervals.largest_k`).
"""

from fractions import Fraction
from itertools import product
from math import prod

from certify.errors import CertifyError
from certify.kernel.defs.scenario import parse_digits, parse_expression, parse_scenario, to_words
from certify.kernel.format import Proven, Reject, brief, denominator, expect, field, only, parse_int, parse_rational
from certify.kernel.intervals import largest_k, ln_interval, sqrt_interval, up
from certify.kernel.npa import verify_tangent
from certify.kernel.strategy import check as strategy

MAX_WORK = 10**6  # (inputs in the support) x (output tuples) x (terms + 1), checked before enumerating; committed
# at most 1056 (proofs/bell/mermin3.json); 10^7 with 2^-k coefficients took 14 s (red team session 22)


def _fits(slots, values):  # a term's slots (None: party not in the term) agree with a full tuple
    return all(v is None or v == w for v, w in zip(slots, values))


def read(problem: dict, where: str):
    """(scenario, E, p {x: p}, counts {(x, a): N}, parties S, delta, azuma), validated."""
    only(problem, {"scenario", "expression", "p_x", "counts", "parties", "delta", "azuma"}, where)
    sc = parse_scenario(field(problem, "scenario", dict, where), f"{where}.scenario")
    if max(sc.inputs + sc.outputs) > 10:
        raise CertifyError(f"{where}.scenario: at most 10 inputs and outputs per party (digit strings)")
    expr = parse_expression(field(problem, "expression", dict, where), sc, f"{where}.expression")
    p = {parse_digits(x, sc.inputs, f"{where}.p_x"): parse_rational(v, f"{where}.p_x.{x}")
         for x, v in field(problem, "p_x", dict, where).items()}
    denominator(p.values(), f"{where}.p_x")  # work bound before the sum (distinct huge denominators)
    if min(p.values(), default=0) <= 0 or sum(p.values()) != 1:
        raise CertifyError(f"{where}.p_x: expected positive probabilities summing to 1")
    counts = {}
    for key, value in field(problem, "counts", dict, where).items():
        x, _, a = key.partition("|")
        pair = (parse_digits(x, sc.inputs, f"{where}.counts"), parse_digits(a, sc.outputs, f"{where}.counts"))
        if pair[0] not in p:
            raise CertifyError(f"{where}.counts.{key}: inputs {x} have P(x) = 0 in p_x")
        counts[pair] = parse_int(value, f"{where}.counts.{key}", 0, 10**12)
    parties = [parse_int(s, f"{where}.parties", 0, sc.parties - 1) for s in field(problem, "parties", list, where)]
    if not parties or parties != sorted(set(parties)) or not sum(counts.values()):
        raise CertifyError(f"{where}: expected distinct increasing parties and at least one counted round")
    delta = parse_rational(field(problem, "delta", str, where), f"{where}.delta")
    if not 0 < delta < 1:
        raise CertifyError(f"{where}.delta: expected a rational in (0, 1), got {brief(delta)}")
    if field(problem, "azuma", str, where) not in ("range", "bounded"):
        raise CertifyError(f'{where}.azuma: expected "range" or "bounded"')
    return sc, expr, p, counts, parties, delta, problem["azuma"]


def scaled_table(sc, expr, p, where):
    """({x: [D I(a, x) for a in product(outputs)]}, D, {a: index}), x in the support of p (step 1), in integers: a
    term fills only the tuples it matches (a Fraction sum and two `_fits` per (x, a, term) took 14 s at 10^7)."""
    if len(p) * prod(sc.outputs) * (len(expr.terms) + 1) > MAX_WORK:  # before any tuple is built
        raise CertifyError(f"{where}: estimator table larger than {MAX_WORK} (work bound)")
    index, weighted = {a: j for j, a in enumerate(product(*map(range, sc.outputs)))}, []
    for k, (o, i, coef) in enumerate(expr.terms):
        marginal = sum(q for x, q in p.items() if _fits(i, x))
        if not marginal:
            raise CertifyError(f"{where}.expression.terms[{k}]: its inputs are never chosen (P = 0): not estimable")
        weighted.append((o, i, coef / marginal))
    scale = denominator([c for *_, c in weighted] + [expr.constant], f"{where}.expression (estimator)")
    table = {x: [int(expr.constant * scale)] * len(index) for x in p}
    for o, i, c in weighted:
        add, free = int(c * scale), [range(d) if s is None else (s,) for s, d in zip(o, sc.outputs)]
        for row in (table[x] for x in p if _fits(i, x)):
            for a in product(*free):  # only the output tuples the term matches
                row[index[a]] += add
    return table, scale, index


def _npa(cert, sc, expr, keys, where, verify=verify_tangent, spent=None):
    """(problem, verify(problem, evidence)) of a certificate (npa.max; quantum.strategy) whose problem has exactly
    `keys`, the claim's scenario and, as objective or constraint, the claim's expression (equal as polynomials)."""
    problem = field(only(cert, {"problem", "evidence"}, where), "problem", dict, where)
    raw = expect(problem.get("constraint" if "constraint" in keys else "objective"), dict, where).get(
        "expression" if "constraint" in keys else "bell")
    if set(problem) != keys or problem.get("sense", "min") != "min" or parse_scenario(
            problem["scenario"], where) != sc or to_words(parse_expression(expect(raw, dict, where), sc, where),
                                                            sc) != to_words(expr, sc):
        raise Reject(f"{where}.problem: not exactly {sorted(keys)} with the claim's scenario and expression")
    evidence = field(cert, "evidence", dict, where)
    return problem, (verify(problem, evidence, where) if spent is None else verify(problem, evidence, where, spent))


def check(problem: dict, relation: str, value: Fraction, evidence: dict, where: str) -> Proven:
    at, ev = f"{where}.claim.problem", f"{where}.evidence"
    sc, expr, p, counts, parties, delta, azuma = read(problem, at)
    if value.denominator != 1 or value < 0:
        raise CertifyError(f"{where}.claim.value: a number of bits is a non-negative integer, got {value}")
    if not only(evidence, {"tangents", "line", "max", "min", "strategy"}, ev) and value == 0:
        return Proven(low=Fraction(0))  # H_min >= 0 always (a guess is <= 1): no tangent needed
    (table, scale, index), n = scaled_table(sc, expr, p, at), sum(counts.values())
    spent = [0]  # one PSD work budget for all of the file's NPA duals (tangents are as many as inputs)
    i_hat = Fraction(sum(N * table[x][index[a]] for (x, a), N in counts.items()), n * scale)
    lo, hi = (Fraction(f(map(f, table.values())), scale) for f in (min, max))
    low, top = (sum(p[x] * f(row) for x, row in table.items()) / scale for f in (min, max))
    keys = {"scenario", "level", "objective"}
    if "max" in evidence:
        top = min(top, _npa(evidence["max"], sc, expr, keys, f"{ev}.max", spent=spent)[1][0])
    if "min" in evidence:
        low = max(low, -_npa(evidence["min"], sc, expr, keys | {"sense"}, f"{ev}.min", spent=spent)[1][0])
    clamp = max(low, _npa(evidence["strategy"], sc, expr, {"scenario", "objective"}, f"{ev}.strategy", lambda q, e, w:
                          strategy(q, ">=", Fraction(0), e, w).low)[1]) if "strategy" in evidence else low
    ln_hi = ln_interval(1 / delta)[1]
    eps = up((hi - lo) * sqrt_interval(ln_hi / (2 * n))[1] if azuma == "range" else
             max(hi - low, top - lo) * sqrt_interval(2 * ln_hi / n)[1])
    line = only(field(evidence, "line", dict, ev), {"nu", "lambda"}, f"{ev}.line")
    nu, lam = (parse_rational(field(line, k, str, f"{ev}.line"), f"{ev}.line.{k}") for k in ("nu", "lambda"))
    if lam < 0 or low > top:
        raise Reject(f"{ev}: lambda = {brief(lam)} < 0 (the bound would grow with E) or an empty proven range")
    needed, seen, tangents = {tuple(x[s] for s in parties) for x in p}, set(), field(evidence, "tangents", list, ev)
    if len(tangents) != len(needed):  # checked before any is verified (work bound); each is a distinct input below
        raise CertifyError(f"{ev}.tangents: expected one per input x_S of parties {parties} in p_x: {len(needed)}")
    for k, t in enumerate(tangents):
        keys = {"scenario", "level", "objective", "constraint"}
        tp, (nu_x, lam_x) = _npa(t, sc, expr, keys, f"{ev}.tangents[{k}]", spent=spent)
        xs = tuple(tp["objective"].get("guess", {}).get("inputs", ()))
        if tp["objective"] != {"guess": {"parties": parties, "inputs": list(xs)}} or xs not in needed - seen:
            raise Reject(f"{ev}.tangents[{k}]: not the guess of parties {parties} at a new input of the support")
        seen.add(xs)
        if any(nu - lam * end < nu_x - lam_x * end for end in (low, top)):
            raise Reject(f"{ev}.line: below tangent {k} at an end of the proven range [{brief(low)}, {brief(top)}]")
    g = nu - lam * min(i_hat - eps, clamp)  # the clamp: a read point R <= T <= the quantum maximum
    if g <= 0:
        raise Reject(f"{ev}.line: nu - lambda R = {brief(g)} <= 0, not a bound on a probability")
    return Proven(low=Fraction(0 if g >= 1 else largest_k(g, n)))
