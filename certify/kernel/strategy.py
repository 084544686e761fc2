"""Claim kind "quantum.strategy": max >= value (min <= value) over the quantum set, attained by an
explicit finite-dimensional strategy that is checked exactly.

Trusted. Problem: an npa.max problem without "level" (scenario, objective {"bell"} or {"guess"},
sense, constraint, constraints, statistics; parsed by npa.max's own code), read over the quantum
set: p(a|x) = tr(rho P^1_{a_1|x_1} (x) ... (x) P^n_{a_n|x_n}). Evidence: {"components": [{"weight",
"dims": [d_i], "projectors": [party][input][outcome] = d_i x d_i rows, "state": [psi] or
"density": rows}]}. Real matrices only: a real strategy is a quantum strategy, so this limits what
can be proved, never soundness (the optima of CHSH, tilted CHSH, Mermin and chained Bell are real).
Lemma. A symmetric P with P P = P is PSD (eigenvalues 0 and 1); with sum_a P_{a|x} = I each
input is a measurement. psi != 0 gives the state psi psi^T / psi^T psi, so p(a|x) = psi^T B psi /
psi^T psi with B the Kronecker product, which the kernel forms itself (one factor per party); a
symmetric PSD (exact LDL^T) rho of trace 1 is a state. Weights w_c >= 0 summing to 1 mix components:
P = sum_c w_c p^c is quantum (c is shared randomness: a block-diagonal strategy). For a guess objective
each component names a guess e_c (its index in npa.max's order of guesses): the adversary holds c and
guesses e_c, scoring sum_c w_c p^c(a_S = e_c | x_S). If every constraint holds exactly on P, the value f is attained in
the feasible set: max >= f (min <= f). The quantum set lies in every NPA level, so f is also below
each npa.max bound of the same problem. Work: dimensions, bits and the number of integer products
are bounded before any product is formed.
"""

from fractions import Fraction
from math import lcm, prod

from certify.errors import CertifyError
from certify.kernel.defs.scenario import parse_scenario
from certify.kernel.format import Proven, Reject, brief, expect, field, only, parse_int, parse_rational
from certify.kernel.npa import _objective, _pinned, _relation  # the same problem definition as npa.max
from certify.kernel.psd import integer_psd, scaled

MAX_DIM = 64  # prod_i d_i of a component (the examples need <= 8)
MAX_COMPONENTS = 256  # as npa.max's guesses
MAX_BITS = 512  # scaled integer entries (examples: <= 80)
MAX_PRODUCTS = 5 * 10**5  # integer products of one check (six qubit parties, 500-bit entries: 0.75 s)


def check(problem: dict, relation: str, value: Fraction, evidence: dict, where: str) -> Proven:
    at, ev = f"{where}.claim.problem", f"{where}.evidence"
    only(expect(problem, dict, at), {"scenario", "objective", "sense", "constraint", "constraints", "statistics"}, at)
    sc = parse_scenario(field(problem, "scenario", dict, at), f"{at}.scenario")
    sense, guess = problem.get("sense", "max"), "guess" in field(problem, "objective", dict, at)
    if sense not in ("max", "min") or (sense == "min" and guess):
        raise CertifyError(f'{at}.sense: expected "max" (or "min" with a Bell objective), got {str(sense)[:20]!r}')
    goals = _objective(problem["objective"], sc, f"{at}.objective")
    rules = []  # (expression, value, relation): each must hold on the mixture P = sum_c w_c p^c
    if problem.get("constraint") is not None:
        rules.append((*_pinned(problem["constraint"], "at", sc, f"{at}.constraint")[::2], ">="))
    for k, item in enumerate(field(problem, "statistics", list, at) if "statistics" in problem else []):
        rules.append((*_pinned(item, "value", sc, f"{at}.statistics[{k}]")[::2], "=="))
    for k, item in enumerate(field(problem, "constraints", list, at) if "constraints" in problem else []):
        spot = f"{at}.constraints[{k}]"
        rules.append((*_pinned({k: v for k, v in item.items() if k != "relation"}, "value", sc, spot)[::2],
                      _relation(item, spot)))
    comps = field(only(expect(evidence, dict, ev), {"components"}, ev), "components", list, ev)
    if not 1 <= len(comps) <= MAX_COMPONENTS:
        raise CertifyError(f"{ev}.components: expected 1 to {MAX_COMPONENTS} components, got {len(comps)}")
    keys = {(o, i) for e in goals + [r[0] for r in rules] for o, i, _ in e.terms}
    total, weights, budget = Fraction(0), [], [MAX_PRODUCTS]
    sums = [Fraction(0)] * len(rules)
    for c, comp in enumerate(comps):
        spot = f"{ev}.components[{c}]"
        only(expect(comp, dict, spot), {"weight", "dims", "projectors", "state", "density", "guess"}, spot)
        if guess != ("guess" in comp):
            raise CertifyError(f'{spot}: a "guess" (the index of the adversary\'s guess) iff the objective is a guess')
        e = goals[parse_int(comp["guess"], f"{spot}.guess", 0, len(goals) - 1) if guess else 0]
        weights.append(parse_rational(field(comp, "weight", str, spot), f"{spot}.weight"))
        p = _behaviour(comp, sc, keys, budget, spot)
        total += weights[-1] * _value(e, p)
        sums = [t + weights[-1] * _value(r[0], p) for t, r in zip(sums, rules)]
    if any(w < 0 for w in weights) or sum(weights) != 1:
        raise Reject(f"{ev}.components: weights must be >= 0 and sum to 1, got sum {brief(sum(weights))}")
    for k, (got, (_, v, r)) in enumerate(zip(sums, rules)):
        if not {"<=": got <= v, ">=": got >= v, "==": got == v}[r]:
            raise Reject(f"{at}: constraint {k} fails on the strategy: {brief(got)} {r} {brief(v)} is false")
    return Proven(low=total) if sense == "max" else Proven(high=total)


def _value(e, p) -> Fraction:
    return e.constant + sum((t * p[(o, i)] for o, i, t in e.terms), Fraction(0))


def _behaviour(comp, sc, keys, budget, where):
    """{(outputs, inputs): p} of one component, after the exact checks of its projectors and state."""
    dims = [parse_int(d, f"{where}.dims[{i}]", 1, MAX_DIM) for i, d in enumerate(field(comp, "dims", list, where))]
    if len(dims) != sc.parties or prod(dims) > MAX_DIM or ("state" in comp) == ("density" in comp):
        raise CertifyError(f'{where}: expected {sc.parties} dims of product <= {MAX_DIM} and one of "state", "density"')
    n = prod(dims)
    budget[0] -= sum(m * o * d**3 for m, o, d in zip(sc.inputs, sc.outputs, dims)) + len(keys) * n * (
        sum(dims) + 1) * (n if "density" in comp else 1)
    if budget[0] < 0:
        raise CertifyError(f"{where}: more than {MAX_PRODUCTS} integer products to check (work bound)")
    proj = field(comp, "projectors", list, where)
    if len(proj) != sc.parties or any(len(expect(p, list, f"{where}.projectors[{i}]")) != sc.inputs[i]
                                      for i, p in enumerate(proj)):
        raise CertifyError(f"{where}.projectors: expected {list(sc.inputs)} inputs per party")
    ops = [[[None] * o for _ in range(m)] for m, o in zip(sc.inputs, sc.outputs)]  # (scale s, s P as integers)
    for i, x in ((i, x) for i in range(sc.parties) for x in range(sc.inputs[i])):
        spot, d = f"{where}.projectors[{i}][{x}]", dims[i]
        if len(expect(proj[i][x], list, spot)) != sc.outputs[i]:
            raise CertifyError(f"{spot}: expected {sc.outputs[i]} projectors, got {len(proj[i][x])}")
        total = [[Fraction(0)] * d for _ in range(d)]
        for a, raw in enumerate(proj[i][x]):
            s, p = ops[i][x][a] = _integer(_matrix(raw, d, d, f"{spot}[{a}]"), f"{spot}[{a}]")
            # (s P)(s P) = s (s P)  iff  P P = P
            if any(p[j][k] != p[k][j] or sum(p[j][t] * p[t][k] for t in range(d)) != s * p[j][k]
                   for j in range(d) for k in range(d)):
                raise Reject(f"{spot}[{a}]: not a projector (P = P^T and P P = P fail)")
            total = [[u + Fraction(v, s) for u, v in zip(r, q)] for r, q in zip(total, p)]
        if total != [[int(j == k) for k in range(d)] for j in range(d)]:
            raise Reject(f"{spot}: the projectors do not sum to the identity")
    if "state" in comp:
        psi = _integer(_matrix([comp["state"]], 1, n, f"{where}.state"), f"{where}.state")[1][0]
        rows, norm = None, sum(v * v for v in psi)
        if norm == 0:
            raise Reject(f"{where}.state: the zero vector is not a state")
    else:
        rho = _matrix(comp["density"], n, n, f"{where}.density")
        norm, rows = _integer(rho, f"{where}.density")  # tr(rho) = 1: tr(s rho) = s
        if sum(rho[j][j] for j in range(n)) != 1 or any(rho[j][k] != rho[k][j] for j in range(n) for k in range(n)) \
                or not integer_psd(scaled(rho, f"{where}.density")):  # scaled: the LDL^T work bound first
            raise Reject(f"{where}.density: not a state (symmetric, PSD by exact LDL^T, trace 1)")
    strides, out = [prod(dims[i + 1:]) for i in range(sc.parties)], {}
    for outs, ins in keys:
        factors = [(ops[i][ins[i]][a], dims[i], strides[i]) for i, a in enumerate(outs) if a is not None]
        if rows is None:
            num = sum(u * v for u, v in zip(psi, _apply(psi, factors)))
        else:  # tr(R M) = sum_j (M R e_j)_j, R symmetric
            num = sum(_apply(rows[j], factors)[j] for j in range(n))
        out[(outs, ins)] = Fraction(num, norm * prod(s for (s, _), _, _ in factors))
    return out


def _apply(vec, factors):
    """(M_1 (x) ... (x) M_n) vec, one tensor factor at a time (M_i = I for a party outside the term):
    digit j = t // stride % d of index t is the factor's, and (M v)[t] = sum_k M[j][k] v[t + (k - j) stride]."""
    for (_, m), d, st in factors:
        vec = [sum(m[t // st % d][k] * vec[t + (k - t // st % d) * st] for k in range(d)) for t in range(len(vec))]
    return vec


def _matrix(raw, rows, cols, where):
    if len(expect(raw, list, where)) != rows or any(len(expect(r, list, f"{where}[{j}]")) != cols
                                                    for j, r in enumerate(raw)):
        raise CertifyError(f"{where}: expected a {rows} x {cols} matrix of rationals" if rows > 1 else
                           f"{where}: expected {cols} rationals")
    return [[parse_rational(v, f"{where}[{j}][{k}]") for k, v in enumerate(r)] for j, r in enumerate(raw)]


def _integer(matrix, where):
    """(s, s * matrix as integers), s the common denominator; refused beyond MAX_BITS (work bound)."""
    s = 1
    for v in (v for r in matrix for v in r):
        s = lcm(s, v.denominator)
        if s.bit_length() > MAX_BITS:
            raise CertifyError(f"{where}: common denominator exceeds {MAX_BITS} bits (work bound)")
    out = [[v.numerator * (s // v.denominator) for v in r] for r in matrix]
    if max(abs(v).bit_length() for r in out for v in r) > MAX_BITS:
        raise CertifyError(f"{where}: scaled entries exceed {MAX_BITS} bits (work bound)")
    return s, out
