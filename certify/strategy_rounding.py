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


def to_evidence(s: Strategy, goals, guess: bool, sense: str, reoptimise_state: bool, q=DENOMINATOR) -> dict:
    components, weights = [], _weights(s.weights, q)
    for c, (dims, proj, psi) in enumerate(zip(s.dims, s.proj, s.psi)):
        exact = [[round_measurement(meas, d, q) for meas in party] for party, d in zip(proj, dims)]
        if reoptimise_state:
            floats = [[[np.array(p, dtype=float) for p in meas] for meas in party] for party in exact]
            e = goals[c] if guess else goals[0]
            w, v = np.linalg.eigh((1 if sense == "max" else -1) * bell_operator(e, floats, dims))
            psi = v[:, -1]
        state = [round(float(t) * q) for t in np.asarray(psi) / np.max(np.abs(psi))]
        components.append({"weight": format_rational(weights[c]), "dims": list(dims),
                           "projectors": [[[_text(p) for p in meas] for meas in party] for party in exact],
                           "state": [str(t) for t in state]})
    return {"components": components}


def _text(matrix):
    return [[format_rational(x) for x in row] for row in matrix]


def _weights(floats, q):
    out = [Fraction(max(0, round(float(w) * q)), q) for w in floats[:-1]]
    if sum(out) > 1:
        out = [w / sum(out) for w in out]
    return out + [1 - sum(out)]
