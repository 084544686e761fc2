"""Law: the statistics of a random rational quantum strategy, mixed with a little white noise, get a two-sided
certified interval whose strategy end is EXACT.

A random rational qubit strategy (rank-one projectors v v^T / v^T v from integer vectors, an integer state) has
an exact behaviour Q (the kernel's own evaluation); P = 9/10 Q + 1/10 U (U uniform) lies inside the quantum set.
Posed as observed statistics with a Bell objective E, the optimum is E(P) itself, so:
  - the lower end (an exact mixture of rounded strategies and deterministic ones, re-checked by the kernel,
    certify/strategy_rounding.exact_mixture) equals E(P) exactly, and
  - the upper end (the NPA dual at level 1+AB) is within 1e-6 above it.
"""

from fractions import Fraction
from itertools import product

import numpy as np
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import certify
from certify.kernel.defs.scenario import Scenario
from certify.kernel.format import format_rational
from certify.kernel.strategy import _behaviour
from certify.problem import solve

SC = Scenario((2, 2), (2, 2))
small = st.integers(-5, 5)
vector = st.tuples(small, small).filter(any)


def _projector(v):
    norm = v[0] * v[0] + v[1] * v[1]
    return [[format_rational(Fraction(v[j] * v[k], norm)) for k in range(2)] for j in range(2)]


def _measurement(v):
    p = _projector(v)
    rest = [[format_rational(Fraction(int(j == k)) - Fraction(p[j][k])) for k in range(2)] for j in range(2)]
    return [p, rest]


@settings(max_examples=4, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])  # no shrinking:
# each example solves an SDP and searches strategies (a failing case printed as generated)
@given(st.lists(vector, min_size=4, max_size=4), st.tuples(small, small, small, small).filter(any),
       st.lists(st.integers(-2, 2), min_size=4, max_size=4))
def test_statistics_of_a_random_strategy_get_an_exact_witness(vectors, state, coefficients):
    comp = {"weight": "1", "dims": [2, 2], "state": [str(t) for t in state],
            "projectors": [[_measurement(vectors[0]), _measurement(vectors[1])],
                           [_measurement(vectors[2]), _measurement(vectors[3])]]}
    keys = {((a, b), (x, y)) for a, b, x, y in product(range(2), repeat=4)}
    q = _behaviour(comp, SC, keys, [10**9], "law")
    table = np.empty((2, 2, 2, 2), dtype=object)
    for a, b, x, y in product(range(2), repeat=4):
        table[a, b, x, y] = Fraction(9, 10) * q[((a, b), (x, y))] + Fraction(1, 40)
    scenario = certify.Scenario([2, 2], [2, 2])
    corr = [[0, 0, 0], [0, coefficients[0], coefficients[1]], [0, coefficients[2], coefficients[3]]]
    expr = certify.BellExpression.correlators(scenario, corr)
    value = expr.constant + sum((c * table[o + i] for o, i, c in expr.terms), Fraction(0))
    r = solve(certify.Problem(scenario, expr, "quantum", statistics=table, level="1+AB"), two_sided=True)
    assert r.lower == value, r.reason
    assert r.low.kind == "quantum.strategy" and r.high.kind == "npa.max"
    assert value <= r.upper and float(r.upper - value) < 1e-6
