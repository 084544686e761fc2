"""lp_checks.ghz: the GHZ realisation in exact arithmetic, and the convention that makes it work (spec G3)."""

from fractions import Fraction
from itertools import product

import pytest
import sympy

from certify.errors import CertifyError
from lp_checks.ghz import (
    behaviour,
    eigenvector,
    five_party_quantum_point,
    game_value,
    ghz_state,
    pauli,
    probability,
    projector,
    quantum_point,
    three_party_quantum_point,
)
from lp_checks.mermin import complement_inputs, expression_value, five_party_game, mermin_game, three_party_ghz_game


@pytest.mark.parametrize("observable", ["X", "Y"])
def test_projectors_are_the_spectral_projectors(observable):
    p0, p1 = projector(observable, 0), projector(observable, 1)
    assert p0 + p1 == sympy.eye(2)
    assert sympy.simplify(p0 * p0 - p0) == sympy.zeros(2) and sympy.simplify(p0 * p1) == sympy.zeros(2)
    assert sympy.simplify(p0 - p1 - pauli(observable)) == sympy.zeros(2)
    for a in (0, 1):
        v = eigenvector(observable, a)
        assert sympy.simplify(pauli(observable) * v - (-1) ** a * v) == sympy.zeros(2, 1)


def test_ghz_state_is_normalised():
    for phase in ("1", "i"):
        state = ghz_state(5, phase)
        assert sympy.simplify((state.H * state)[0, 0]) == 1


def test_five_party_game_is_won_under_the_project_convention_and_lost_as_printed():
    assert game_value(five_party_game(), "project") == 0
    assert game_value(five_party_game(), "phase-i") == 0  # the other fix of spec G3
    assert game_value(five_party_game(), "printed") == 8  # every parity is a coin: worse than the local 6


def test_printed_assignment_gives_uniform_parities_on_the_five_party_inputs():
    table = behaviour(5, [x for x, _ in five_party_game()], "printed")
    for x, _ in five_party_game():
        even = sum(table[(a, x)] for a in product((0, 1), repeat=5) if sum(a) % 2 == 0)
        assert even == sympy.Rational(1, 2)


def test_three_party_facts_are_pinned():
    assert game_value(mermin_game(3), "project") == 0
    assert game_value(mermin_game(3), "printed") == 2
    assert three_party_ghz_game() == mermin_game(3)  # one convention for 3 and 5 parties
    textbook = complement_inputs(three_party_ghz_game())  # {000, 011, 101, 110}
    assert [x for x, _ in textbook] == [(0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0)]
    assert game_value(textbook, "printed") == 0 and game_value(textbook, "project") == 2
    assert game_value(three_party_ghz_game(), "project", complement=True) == 2


def test_behaviour_matches_the_dense_trace_formula():
    """<psi| (x)_i Pi_{a_i|x_i} |psi> with explicit Kronecker products, for all 3-party entries."""
    state = ghz_state(3)
    table = behaviour(3, None, "project")
    for x in product((0, 1), repeat=3):
        for a in product((0, 1), repeat=3):
            dense = sympy.Matrix([[1]])
            for b, o in zip(x, a):
                dense = sympy.kronecker_product(dense, projector("Y" if b == 0 else "X", o))
            assert sympy.simplify((state.H * dense * state)[0, 0] - table[(a, x)]) == 0


def test_five_party_quantum_point_is_a_normalised_no_signalling_maximal_violator():
    point = five_party_quantum_point()
    assert len(point) == 32 * 32 and all(isinstance(v, Fraction) and v >= 0 for v in point.values())
    assert set(point.values()) == {Fraction(0), Fraction(1, 32), Fraction(1, 16)}
    for x in product((0, 1), repeat=5):
        assert sum(point[(a, x)] for a in product((0, 1), repeat=5)) == 1
    assert expression_value(five_party_game(), point) == 0
    # each party's marginal is 1/2 whatever the others' inputs (no-signalling, and unbiased outputs)
    for x in product((0, 1), repeat=5):
        for i in range(5):
            assert sum(point[(a, x)] for a in product((0, 1), repeat=5) if a[i] == 0) == Fraction(1, 2)


def test_three_party_quantum_point_wins_the_lp_game():
    point = three_party_quantum_point()
    assert expression_value(three_party_ghz_game(), point) == 0
    # keys (a, x): XXX at x = 111 gives even parity, XYY at x = 100 odd parity
    assert point[((0, 0, 0), (1, 1, 1))] == Fraction(1, 4) and point[((0, 0, 0), (1, 0, 0))] == 0


def test_a_losing_convention_is_refused_as_a_quantum_point():
    with pytest.raises(CertifyError, match="loses the game"):
        quantum_point(five_party_game(), "printed")


def test_bad_arguments_are_one_line_errors():
    with pytest.raises(CertifyError, match="convention"):
        behaviour(3, None, "swapped")
    with pytest.raises(CertifyError, match="observable"):
        eigenvector("Z", 0)
    with pytest.raises(CertifyError, match="n: expected"):
        ghz_state(0)
    assert probability(ghz_state(1), ["X"], [0]) == 1 and probability(ghz_state(1), ["Y"], [0]) == sympy.Rational(1, 2)
