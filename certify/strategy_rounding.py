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
