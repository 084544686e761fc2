"""Published Bell values recomputed through certify.solve (issue 12), and the laws between the sets."""

from fractions import Fraction
from math import cos, pi, sqrt

from hypothesis import given, settings
from hypothesis import strategies as st

import certify
from certify.expressions import expression_to_json
from certify.kernel.defs.scenario import Scenario, chsh, make_expression
from certify.problem import Problem

SC2 = {"inputs": [2, 2], "outputs": [2, 2]}
SC3 = {"inputs": [3, 3], "outputs": [2, 2]}


def _i3322():
    """I3322 in Collins-Gisin form (Collins and Gisin, J. Phys. A 37, 1775 (2004)): local bound 0."""
    t = lambda c, o, i: {"coef": c, "outputs": o, "inputs": i}
    terms = [t("-1", [0, None], [0, None]), t("-2", [None, 0], [None, 0]), t("-1", [None, 0], [None, 1])]
    signs = {(0, 0): 1, (0, 1): 1, (0, 2): 1, (1, 0): 1, (1, 1): 1, (1, 2): -1, (2, 0): 1, (2, 1): -1}
    return {"terms": terms + [t(str(c), [0, 0], [x, y]) for (x, y), c in signs.items()]}


def test_chsh_local_quantum_ns():
    e = {"bell": expression_to_json(chsh())}
    assert certify.solve(Problem(SC2, e, "local")).value == 2
    assert certify.solve(Problem(SC2, e, "no-signalling")).value == 4
    q = certify.solve(Problem(SC2, e, "quantum", level="1+AB"))
    assert q.relation == "<=" and 0 <= float(q.value) - 2 * sqrt(2) < 1e-6


def test_i3322_local_ns_and_npa_level_2():
    e = {"bell": _i3322()}
    assert certify.solve(Problem(SC3, e, "local")).value == 0
    assert certify.solve(Problem(SC3, e, "no-signalling")).value == 1
    q = certify.solve(Problem(SC3, e, "quantum", level="2"))
    # Pal and Vertesi, PRA 82, 022116 (2010): sup over quantum 0.2508753845; NPA level 2 gives 0.25094
    assert 0.2508753845 <= float(q.value) < 0.2508753845 + 1e-4
    assert abs(float(q.value) - 0.250940) < 2e-6


def test_chained_bell_three_inputs_minimum():
    # Braunstein-Caves chained inequality, N = 3: local -4, quantum -2N cos(pi/2N) = -3 sqrt 3, NS -6
    cor = []
    for k in range(3):
        cor += [{"coef": "1", "inputs": [k, k]}, {"coef": "1" if k < 2 else "-1", "inputs": [(k + 1) % 3, k]}]
    e = {"bell": {"correlators": cor}}
    assert certify.solve(Problem(SC3, e, "local", "min")).value == -4
    assert certify.solve(Problem(SC3, e, "no-signalling", "min")).value == -6
    q = certify.solve(Problem(SC3, e, "quantum", "min", level="1+AB"))
    assert q.relation == ">=" and 0 <= -6 * cos(pi / 6) - float(q.value) < 1e-5


coefficient = st.integers(-3, 3)


@settings(max_examples=8, deadline=None)
@given(st.lists(coefficient, min_size=8, max_size=8), st.lists(coefficient, min_size=4, max_size=4))
def test_local_below_quantum_below_no_signalling_and_negation(full, marginal):
    """Law: local max <= NPA bound (>= quantum) and local max <= NS max; NPA at level 1+AB <= NS + 1e-6;
    min of e = -(max of -e) in each set."""
    sc = Scenario((2, 2), (2, 2))
    terms = [((a, 0), (x, y), c) for (a, x, y), c in zip([(a, x, y) for a in range(2) for x in range(2)
                                                           for y in range(2)], full)]
    terms += [((0, None), (x, None), c) for x, c in zip(range(2), marginal[:2])]
    terms += [((None, 0), (None, y), c) for y, c in zip(range(2), marginal[2:])]
    expr = make_expression(sc, terms)
    neg = make_expression(sc, [(o, i, -c) for o, i, c in expr.terms])
    e, n = {"bell": expression_to_json(expr)}, {"bell": expression_to_json(neg)}
    local = certify.solve(Problem(SC2, e, "local")).value
    ns = certify.solve(Problem(SC2, e, "no-signalling")).value
    q = certify.solve(Problem(SC2, e, "quantum", level="1+AB")).value
    assert local <= ns and local <= q + Fraction(1, 10**9) and float(q) <= float(ns) + 1e-6
    for st_ in ("local", "no-signalling"):
        assert certify.solve(Problem(SC2, n, st_, "min")).value == -certify.solve(Problem(SC2, e, st_)).value
    qmin = certify.solve(Problem(SC2, n, "quantum", "min", level="1+AB")).value
    assert abs(float(qmin) + float(q)) < 1e-6
