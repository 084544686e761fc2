"""Claim kind "quantum.strategy": max >= value (min <= value) over the quantum set, attained by an
explicit finite-dimensional real strategy, checked exactly.

Trusted. Problem: an npa.max problem without "level" (`npa.parse_setting`). Evidence {"components":
[{"weight", "dims", "projectors": [party][input][outcome], "state", "guess" (guess objectives)}]}.
Lemma: symmetric P with P P = P are PSD, so those summing to I over an input's outcomes form a
measurement; psi != 0 gives p(a|x) = psi^T (P^1_{a_1|x_1} (x) ... (x) P^n_{a_n|x_n}) psi / psi^T psi;
weights w_c >= 0 summing to 1 mix components (Eve holds c, guesses e_c). If every constraint holds
exactly on the mixture, its value is attained on the quantum set: max >= f (min <= f). Real
strategies are quantum (realness limits completeness, not soundness). In full: appendix H of
docs/referee-guide.md.
"""

from fractions import Fraction  # noqa: I001 -- the kernel wraps long imports (ruff would put one name a line)
from math import prod

from certify.errors import CertifyError
from certify.kernel.format import (Proven, Reject, brief, denominator, expect, field, holds, only, parse_int,
                                   parse_rational, rational, sized)
from certify.kernel.npa import parse_setting  # the same problem definition as npa.max

MAX_DIM = 64  # prod_i d_i of a component (the examples need <= 8)
MAX_BITS = 512  # scaled integer entries (examples: <= 80)
MAX_RULES = 1000  # statistics, constraints (a full 5-party binary behaviour has 242)
MAX_WEIGHT_BITS = 1 << 15  # common denominator of the weights (exact mixtures: ~3,200; 200 of 4000 digits: 23 s)
MAX_SUM_BITS = 1 << 18  # denominators of the mixture's running sums (committed: see test_attack_session20)
MAX_SUM_WORK = 3 * 10**11  # (rules + 1) x sum bits x term bits, charged before the mixture's sums (see there)
MAX_PRODUCTS = 5 * 10**5  # integer products of one check (six qubit parties, 500-bit entries: 0.75 s)
FIELDS = {"scenario", "objective", "sense", "constraint", "constraints", "statistics"}


def check(problem: dict, relation: str, value: Fraction, evidence: dict, where: str) -> Proven:
    at, ev = f"{where}.claim.problem", f"{where}.evidence"
    sc, sign, goals, *groups = parse_setting(problem, at, FIELDS, MAX_RULES)
    guess, rules = "guess" in problem["objective"], [rule for group in groups for rule in group]
    comps = field(only(evidence, {"components"}, ev), "components", list, ev)  # (none: sum 0)
    keys = {(o, i) for e in goals + [r[0] for r in rules] for o, i, _ in e.terms}
    evals = sum(len(e.terms) + 1 for e in [max(goals, key=lambda g: len(g.terms))] + [r[0] for r in rules])
    weights = [rational(comp, "weight", f"{ev}.components[{c}]") for c, comp in enumerate(comps)]
    denominator(weights, f"{ev}.components", MAX_WEIGHT_BITS)  # before the sums (work bound)
    total, budget, sums, spent = Fraction(0), [MAX_PRODUCTS], [Fraction(0)] * len(rules), 0
    value_of = lambda e, p: e.constant + sum((t * p[(o, i)] for o, i, t in e.terms), Fraction(0))  # noqa: E731
    bits = lambda xs: max(x.denominator.bit_length() for x in xs)  # noqa: E731
    for c, comp in enumerate(comps):
        spot = f"{ev}.components[{c}]"
        only(comp, {"weight", "dims", "projectors", "state", "guess"}, spot)
        if guess != ("guess" in comp):
            raise CertifyError(f'{spot}: a "guess" (the index of the adversary\'s guess) iff the objective is a guess')
        e = goals[parse_int(comp["guess"], f"{spot}.guess", 0, len(goals) - 1) if guess else 0]
        budget[0] -= 4 * evals  # the exact sums below (a Fraction sum: ~4 integer products); checked in _behaviour
        p = _behaviour(comp, sc, keys, budget, spot)
        goal, new = weights[c] * value_of(e, p), [weights[c] * value_of(r[0], p) for r in rules]
        size, step = bits([total, *sums]), bits([goal, *new])  # each addition: a gcd, ~3.5e-12 s x size x step (red
        spent += (len(rules) + 1) * size * step  # team 22: 30 components x 1000 rules of 4000 bits: 26 s; now 1.1 s)
        if size + step > MAX_SUM_BITS or spent > MAX_SUM_WORK:  # before the sums (size + step bounds theirs)
            raise CertifyError(f"{ev}.components: the mixture's exact sums exceed {MAX_SUM_BITS}-bit denominators or "
                               f"{MAX_SUM_WORK} bit products (work bound)")
        total, sums = total + goal, [t + v for t, v in zip(sums, new)]
    if any(w < 0 for w in weights) or sum(weights) != 1:
        raise Reject(f"{ev}.components: weights must be >= 0 and sum to 1, got sum {brief(sum(weights))}")
    for k, (got, (_, r, v)) in enumerate(zip(sums, rules)):
        if not holds(got, r, v):
            raise Reject(f"{at}: constraint {k} fails on the strategy: {brief(got)} {r} {brief(v)} is false")
    return Proven(low=total) if sign == 1 else Proven(high=total)


def _behaviour(comp, sc, keys, budget, where):
    """{(outputs, inputs): p} of one component, after the exact checks of its projectors and state."""
    dims = [parse_int(d, f"{where}.dims[{i}]", 1, MAX_DIM) for i, d in enumerate(field(comp, "dims", list, where))]
    if len(dims) != sc.parties or prod(dims) > MAX_DIM:
        raise CertifyError(f"{where}.dims: expected {sc.parties} dimensions of product <= {MAX_DIM}")
    n, proj = prod(dims), field(comp, "projectors", list, where)
    budget[0] -= sum(m * o * d**3 for m, o, d in zip(sc.inputs, sc.outputs, dims)) + len(keys) * n * (sum(dims) + 1)
    if budget[0] < 0:
        raise CertifyError(f"{where}: more than {MAX_PRODUCTS} integer products to check (work bound)")
    if len(proj) != sc.parties or any(len(expect(p, list, f"{where}.projectors[{i}]")) != sc.inputs[i]
                                      for i, p in enumerate(proj)):
        raise CertifyError(f"{where}.projectors: expected {list(sc.inputs)} inputs per party")
    ops = [[[] for _ in range(m)] for m in sc.inputs]  # ops[i][x][a] = (s, s P as integers)
    for i, x in ((i, x) for i in range(sc.parties) for x in range(sc.inputs[i])):
        spot, d = f"{where}.projectors[{i}][{x}]", dims[i]
        total = [[Fraction(0)] * d for _ in range(d)]
        for a, raw in enumerate(sized(proj[i][x], sc.outputs[i], spot, "projectors")):
            s, p = _integer(raw, d, d, f"{spot}[{a}]")
            ops[i][x].append((s, p))  # symmetric, and (s P)(s P) = s (s P) iff P P = P
            if any(p[j][k] != p[k][j] or sum(p[j][t] * p[t][k] for t in range(d)) != s * p[j][k]
                   for j in range(d) for k in range(d)):
                raise Reject(f"{spot}[{a}]: not a projector (P = P^T and P P = P fail)")
            total = [[u + Fraction(v, s) for u, v in zip(r, q)] for r, q in zip(total, p)]
        if total != [[int(j == k) for k in range(d)] for j in range(d)]:
            raise Reject(f"{spot}: the projectors do not sum to the identity")
    psi = _integer([field(comp, "state", list, where)], 1, n, f"{where}.state")[1][0]
    if not any(psi):
        raise Reject(f"{where}.state: the zero vector is not a state")
    strides, out = [prod(dims[i + 1:]) for i in range(sc.parties)], {}
    for outs, ins in keys:
        vec, scale = psi, sum(v * v for v in psi)
        for i, a in ((i, a) for i, a in enumerate(outs) if a is not None):  # one tensor factor at a time:
            (s, m), d, st = ops[i][ins[i]][a], dims[i], strides[i]  # digit j = t // st % d of index t is party i's
            vec, scale = [sum(m[t // st % d][k] * vec[t + (k - t // st % d) * st] for k in range(d))
                          for t in range(n)], scale * s
        out[(outs, ins)] = Fraction(sum(u * v for u, v in zip(psi, vec)), scale)
    return out


def _integer(raw, rows, cols, where):
    """(s, s * matrix as integers) of a rows x cols matrix of rationals, s the common denominator; refused
    beyond MAX_BITS before any product (work bound)."""
    if len(expect(raw, list, where)) != rows or any(len(expect(r, list, where)) != cols for r in raw):
        raise CertifyError(f"{where}: expected {rows} x {cols} rationals")
    matrix = [[parse_rational(v, f"{where}[{j}][{k}]") for k, v in enumerate(r)] for j, r in enumerate(raw)]
    s = denominator((v for r in matrix for v in r), where, MAX_BITS)
    out = [[v.numerator * (s // v.denominator) for v in r] for r in matrix]
    if max(abs(v).bit_length() for r in out for v in r) > MAX_BITS:
        raise CertifyError(f"{where}: scaled entries exceed {MAX_BITS} bits (work bound)")
    return s, out
