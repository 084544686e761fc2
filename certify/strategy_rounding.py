"""Float strategies -> exact quantum.strategy evidence (rational projectors and states).

Untrusted producer. Each input's projectors are rounded outcome by outcome: the float projector's
eigenvectors (eigenvalue > 1/2) are rounded to rational vectors and made orthogonal to every
vector kept so far by Gram-Schmidt in Fractions (orthogonal, not normalised), so that
P_a = sum_v v v^T / (v^T v) is exactly symmetric and idempotent; the last outcome gets I - sum of
the others, which is then an exact projector too (the vectors are mutually orthogonal). The state
is the top eigenvector of the rounded strategy's Bell operator (one component, no constraints:
a second-order error at the optimum) or the float state, rounded to integers (the kernel
normalises: value = psi^T B psi / psi^T psi). Weights are rounded with the last one fixing the sum.
"""

import math
from fractions import Fraction

import numpy as np

from certify.errors import CertifyError
from certify.kernel.format import format_rational
from certify.solve.seesaw import Strategy, bell_operator

DENOMINATOR = 10**8


def _rational_vector(v, q=DENOMINATOR):
    v = np.asarray(v, dtype=float)
    v = v / np.max(np.abs(v))
    return [Fraction(round(float(t) * q), q) for t in v]


def _dot(u, v):
    return sum((a * b for a, b in zip(u, v)), Fraction(0))


def round_measurement(meas, d, q=DENOMINATOR):
    """Exact projectors (lists of Fraction rows) for one input, summing to I."""
    kept, out = [], []
    for p in meas[:-1]:
        w, vecs = np.linalg.eigh(np.asarray(p, dtype=float))
        mine = []
        for j in np.nonzero(w > 0.5)[0]:
            v = _rational_vector(vecs[:, j], q)
            for u in kept:
                c = _dot(u, v) / _dot(u, u)
                v = [a - c * b for a, b in zip(v, u)]
            if any(v):
                kept.append(v)
                mine.append(v)
        out.append([[sum((v[j] * v[k] / _dot(v, v) for v in mine), Fraction(0)) for k in range(d)]
                    for j in range(d)])
    rest = [[Fraction(int(j == k)) - sum((p[j][k] for p in out), Fraction(0)) for k in range(d)] for j in range(d)]
    return out + [rest]


def to_evidence(s: Strategy, guess: bool, q=DENOMINATOR) -> dict:
    """Exact evidence of a float strategy; weights rounded (`exact_weights` makes a constraint exact)."""
    components, weights = [], _weights(s.weights, q)
    for c, (dims, proj, psi) in enumerate(zip(s.dims, s.proj, s.psi)):
        exact = [[round_measurement(meas, d, q) for meas in party] for party, d in zip(proj, dims)]
        target = None if s.targets is None else s.targets[c]
        if target is not None:  # the best state for the rounded measurements
            floats = [[[np.array(p, dtype=float) for p in meas] for meas in party] for party in exact]
            psi = np.linalg.eigh(bell_operator(target, floats, dims))[1][:, -1]
        state = [round(float(t) * q) for t in np.asarray(psi) / np.max(np.abs(psi))]
        component = {"weight": format_rational(weights[c]), "dims": list(dims),
                     "projectors": [[[_text(p) for p in meas] for meas in party] for party in exact],
                     "state": [str(t) for t in state]}
        if guess:
            component["guess"] = int(s.guesses[c])
        components.append(component)
    return {"components": components}


def exact_weights(evidence, scenario, goals, rule, sense: str) -> dict:
    """Two components and one inequality "e r v": weights (t, 1 - t) with t the least multiple of 10^-15
    at or above the exact crossing (the constraint then holds exactly; a component alone when it
    satisfies the constraint by itself). Component values are the kernel's own exact evaluation."""
    from certify.kernel.strategy import _behaviour

    def _value(e, p):  # the expression on a behaviour, as the kernel sums it
        return e.constant + sum((t * p[(o, i)] for o, i, t in e.terms), Fraction(0))

    comps = evidence["components"]
    if rule is None or len(comps) != 2:
        return evidence
    e, relation, v = rule
    s = 1 if relation == ">=" else -1
    keys = {(o, i) for x in goals + [e] for o, i, _ in x.terms}
    points = []
    for comp in comps:
        p = _behaviour(comp, scenario, keys, [10**9], "producer")
        points.append(((1 if sense == "max" else -1) * _value(goals[comp.get("guess", 0)], p), s * _value(e, p)))
    (_, ci), (_, cj) = points
    target = s * v
    alone = [k for k, (f, c) in enumerate(points) if c >= target]
    if alone:
        k = max(alone, key=lambda k: points[k][0])
        return {"components": [dict(comps[k], weight="1")]}
    if not ci > target > cj and not cj > target > ci:
        return evidence
    i, j = (0, 1) if ci > target else (1, 0)
    ci, cj = points[i][1], points[j][1]
    t = min(Fraction(1), Fraction(math.ceil((target - cj) / (ci - cj) * 10**15), 10**15))
    out = [dict(comps[i], weight=format_rational(t)), dict(comps[j], weight=format_rational(1 - t))]
    return {"components": out}


def _text(matrix):
    return [[format_rational(x) for x in row] for row in matrix]


def _weights(floats, q):
    out = [Fraction(max(0, round(float(w) * q)), q) for w in floats[:-1]]
    if sum(out) > 1:
        out = [w / sum(out) for w in out]
    return out + [1 - sum(out)]


# ------------------------------------------------------------------------------------------------ exact mixtures
# Equality constraints and observed statistics (docs/problem-format.md, "Lower witnesses under constraints").
# A rounded strategy never meets "e == v" exactly, but a MIXTURE can: the kernel's quantum.strategy evidence
# is a list of weighted components (shared randomness), and the constraints are checked on the mixture. Given
# a pool of exact components (rounded quantum ones and the deterministic local strategies, dimension 1), the
# weights solve a small LP: max sum_c w_c f_c s.t. sum_c w_c = 1, w >= 0, sum_c w_c e_k(c) r_k v_k, where f_c
# and e_k(c) are the kernel's own exact values of each component. HiGHS finds a vertex; its support and active
# rows are then solved again in Fractions (Gaussian elimination), so the equalities hold exactly and the
# inequalities with DELTA to spare. Why the target is inside the pool's hull: the quantum point is searched at
# the SHIFTED target v' = v + eps (v - u), u the uniform behaviour's values (the barycentre of the
# deterministic strategies, interior to the local polytope), so v = (v' + eps u) / (1 + eps) lies between the
# quantum point and the local polytope, with room eps * (distance of u to the local boundary) for rounding.

DELTA = Fraction(1, 10**12)  # an inequality's slack in the exact weights (the float LP keeps 10x more)
MAX_DETERMINISTIC = 4096  # deterministic strategies added to the pool (CHSH 16, I3322 64, five-party binary 1024)


def expression_value(e, p) -> Fraction:
    """An expression on a behaviour {(outputs, inputs): p}, summed as the kernel sums it."""
    return e.constant + sum((t * p[(o, i)] for o, i, t in e.terms), Fraction(0))


def deterministic_components(scenario, guess: bool, limit: int = MAX_DETERMINISTIC) -> list:
    """Every deterministic local strategy as a dimension-1 component (projectors [[1]] on its output, [[0]]
    elsewhere; state [1]); [] above `limit`. A guess index is chosen later (`exact_mixture`)."""
    from itertools import product

    per_party = [list(product(range(d), repeat=m)) for m, d in zip(scenario.inputs, scenario.outputs)]
    if math.prod(len(x) for x in per_party) > limit:
        return []
    return [deterministic_component(choice, scenario, guess) for choice in product(*per_party)]


def deterministic_component(choice, scenario, guess: bool) -> dict:
    """The deterministic strategy choice[i][x] (party i's output at input x) as a dimension-1 component."""
    projectors = [[[[["1"]] if a == choice[i][x] else [["0"]] for a in range(d)] for x in range(m)]
                  for i, (m, d) in enumerate(zip(scenario.inputs, scenario.outputs))]
    comp = {"weight": "0", "dims": [1] * scenario.parties, "projectors": projectors, "state": ["1"]}
    return dict(comp, guess=0) if guess else comp


def exact_mixture(pool, scenario, goals, rules, sense: str, guess: bool):
    """(evidence, value) of the best exact mixture of `pool` under `rules` [(expression, relation, value)],
    or None (no vertex found, or its exact solution has a negative weight). Module notes above."""
    sign = 1 if sense == "max" else -1
    comps, f, rows = _values(pool, scenario, goals, rules, sense, guess)
    if not comps:
        return None
    if not rules:  # the best single component (no LP)
        best = max(range(len(comps)), key=f.__getitem__)
        return {"components": [dict(comps[best], weight="1")]}, sign * f[best]
    found, ub = _float_lp(f, rows, rules)
    if found.status != 0:
        return None
    support = [c for c in range(len(comps)) if found.x[c] > 1e-13]
    active = [k for j, k in enumerate(ub) if found.ineqlin.residual[j] < 1e-9] if ub else []
    system = [([Fraction(1)] * len(support), Fraction(1))]
    system += [([rows[c][k] for c in support], rules[k][2]) for k, r in enumerate(rules) if r[1] == "=="]
    system += [([rows[c][k] for c in support], rules[k][2] + (DELTA if rules[k][1] == ">=" else -DELTA))
               for k in active]
    weights = _solve_exact(system, [float(found.x[c]) for c in support])
    if weights is None or any(w < 0 for w in weights):
        return None
    mixture = [dict(comps[c], weight=format_rational(w)) for c, w in zip(support, weights) if w]
    for k, (_, relation, v) in enumerate(rules):
        got = sum((w * rows[c][k] for c, w in zip(support, weights)), Fraction(0))
        if not {"<=": got <= v, ">=": got >= v, "==": got == v}[relation]:
            return None
    return {"components": mixture}, sign * sum((w * f[c] for c, w in zip(support, weights)), Fraction(0))


def prices(pool, scenario, goals, rules, sense: str, guess: bool):
    """Column generation's pricing data from the float LP of `exact_mixture`: (multipliers t_k per rule, t_0)
    such that a component c improves the LP iff sign f_g(c) + sum_k t_k e_k(c) + t_0 > 0 for its guess g (its
    reduced cost, from HiGHS's duals); None if the LP is infeasible (then `separation` gives a direction)."""
    comps, f, rows = _values(pool, scenario, goals, rules, sense, guess)
    if not comps or not rules:
        return None
    found, ub = _float_lp(f, rows, rules)
    if found.status != 0:
        return None
    eq = [k for k, r in enumerate(rules) if r[1] == "=="]
    y = list(found.eqlin.marginals)  # d(min -f.w)/d(b_eq): row 0 the normalisation, then the equalities
    t = [0.0] * len(rules)
    for j, k in enumerate(eq):
        t[k] = float(y[1 + j])
    for j, k in enumerate(ub):  # A_ub rows are -e (">=") or e ("<="); their marginals are <= 0
        t[k] = float(found.ineqlin.marginals[j]) * (-1.0 if rules[k][1] == ">=" else 1.0)
    return t, float(y[0])


def _values(pool, scenario, goals, rules, sense, guess):
    """(components with their best guess, sign * objective value, [rule values]) of the pool, exact (the kernel's
    own evaluation of each component; one beyond a kernel bound is left out)."""
    from certify.kernel.strategy import _behaviour

    sign = 1 if sense == "max" else -1
    keys = {(o, i) for x in list(goals) + [r[0] for r in rules] for o, i, _ in x.terms}
    comps, f, rows = [], [], []
    for comp in pool:
        try:
            p = _behaviour(comp, scenario, keys, [10**9], "producer")
        except CertifyError:
            continue
        values = [sign * expression_value(g, p) for g in goals]
        best = max(range(len(values)), key=values.__getitem__)
        comps.append(dict(comp, guess=best) if guess else comp)
        f.append(values[best])
        rows.append([expression_value(e, p) for e, _, _ in rules])
    return comps, f, rows


def _float_lp(f, rows, rules):
    """HiGHS on max sum w f s.t. sum w = 1, w >= 0, the rules (inequalities with 10 DELTA to spare);
    (result, indices of the inequality rules)."""
    from scipy.optimize import linprog  # lazy: only constrained problems need it (`certify solve` start-up)

    n = len(f)
    a_eq = [[1.0] * n] + [[float(rows[c][k]) for c in range(n)] for k, r in enumerate(rules) if r[1] == "=="]
    b_eq = [1.0] + [float(r[2]) for r in rules if r[1] == "=="]
    ub = [k for k, r in enumerate(rules) if r[1] != "=="]
    slack = 10 * float(DELTA)
    a_ub = [[(-1.0 if rules[k][1] == ">=" else 1.0) * float(rows[c][k]) for c in range(n)] for k in ub]
    b_ub = [(-1.0 if rules[k][1] == ">=" else 1.0) * float(rules[k][2]) - slack for k in ub]
    found = linprog([-float(x) for x in f], A_ub=a_ub or None, b_ub=b_ub or None, A_eq=a_eq, b_eq=b_eq,
                    bounds=[(0, None)] * n, method="highs", options={"primal_feasibility_tolerance": 1e-10})
    return found, ub


def _solve_exact(system, guess):
    """A solution of the rows [(coefficients, rhs)] in Fractions: Gauss-Jordan; a free column keeps its float
    value (read exactly to 10^-15). None if the rows are inconsistent."""
    rows = [list(c) + [b] for c, b in system]
    n, pivots, r = len(guess), [], 0
    for col in range(n):
        pick = next((k for k in range(r, len(rows)) if rows[k][col] != 0), None)
        if pick is None:
            continue
        rows[r], rows[pick] = rows[pick], rows[r]
        lead = rows[r][col]
        rows[r] = [x / lead for x in rows[r]]
        for k in range(len(rows)):
            if k != r and rows[k][col] != 0:
                factor = rows[k][col]
                rows[k] = [x - factor * y for x, y in zip(rows[k], rows[r])]
        pivots.append(col)
        r += 1
    if any(row[-1] != 0 for row in rows[r:]):
        return None
    out = [Fraction(round(g * 10**15), 10**15) for g in guess]
    for k, col in reversed(list(enumerate(pivots))):
        out[col] = rows[k][-1] - sum((rows[k][j] * out[j] for j in range(n) if j not in pivots), Fraction(0))
    return out


def separation(pool, scenario, rules):
    """Column generation's pricing step: a direction g on the equality rows with g . v > max over the pool of
    g . e(c) (the target v lies outside the pool's hull; |g_k| <= 1), as floats per rule (0 off the equality
    rows), or None when no direction separates by more than 1e-9. The see-saw's best response to
    sum_k g_k e_k is then the column that can enter (if the target is quantum, it reaches g . v)."""
    from scipy.optimize import linprog  # lazy, as in exact_mixture

    from certify.kernel.strategy import _behaviour

    eq = [k for k, r in enumerate(rules) if r[1] == "=="]
    keys = {(o, i) for e, _, _ in rules for o, i, _ in e.terms}
    cols = []
    for comp in pool:
        try:
            p = _behaviour(comp, scenario, keys, [10**9], "producer")
        except CertifyError:
            continue
        cols.append([float(expression_value(rules[k][0], p)) for k in eq])
    if not eq or not cols:
        return None
    m = len(eq)
    found = linprog([-float(rules[k][2]) for k in eq] + [1.0], A_ub=[col + [-1.0] for col in cols],
                    b_ub=[0.0] * len(cols), bounds=[(-1, 1)] * m + [(None, None)], method="highs")
    if found.status != 0 or -found.fun <= 1e-9:
        return None
    out = [0.0] * len(rules)
    for j, k in enumerate(eq):
        out[k] = float(found.x[j])
    return out
