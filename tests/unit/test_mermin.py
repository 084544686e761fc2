"""lp_checks.mermin: the games of Gallego et al. 2013 as (input, required parity) data."""

from itertools import product

import pytest

from certify.errors import CertifyError
from lp_checks.mermin import (
    complement_inputs,
    expression_value,
    five_party_game,
    game_expression,
    mermin_expression,
    mermin_game,
    three_party_ghz_game,
)


def test_five_party_game_is_eqs_4_and_5():
    game = dict(five_party_game())
    assert len(game) == 16
    assert {x for x, r in game.items() if r == 0} == {x for x in product((0, 1), repeat=5) if sum(x) in (1, 5)}
    assert {x for x, r in game.items() if r == 1} == {x for x in product((0, 1), repeat=5) if sum(x) == 3}
    assert game[(1, 0, 0, 0, 0)] == 0 and game[(1, 1, 1, 0, 0)] == 1 and game[(1, 1, 1, 1, 1)] == 0


def test_mermin_game_five_is_the_paper_game():
    assert mermin_game(5) == sorted(five_party_game())


def test_mermin_game_has_half_the_inputs_and_the_zero_count_rule():
    for n in range(2, 9):
        game = mermin_game(n)
        assert len(game) == 2 ** (n - 1)
        assert all((n - sum(x)) % 2 == 0 and r == ((n - sum(x)) // 2) % 2 for x, r in game)


def test_three_party_ghz_game_is_mermin_three_in_the_project_convention():
    assert dict(three_party_ghz_game()) == {(1, 1, 1): 0, (1, 0, 0): 1, (0, 1, 0): 1, (0, 0, 1): 1}
    assert three_party_ghz_game() == mermin_game(3)
    # the textbook spelling (X on input 0) is the input complement
    assert dict(complement_inputs(mermin_game(3))) == {(0, 0, 0): 0, (0, 1, 1): 1, (1, 0, 1): 1, (1, 1, 0): 1}


def test_expression_coefficients_are_eq_3():
    expression = mermin_expression(5)
    assert len(expression) == 16 * 32 and sum(expression.values()) == 16 * 16
    # x in X0: I = parity(a); x in X1: I = parity(a) xor 1.
    assert expression[((0, 0, 0, 0, 0), (1, 0, 0, 0, 0))] == 0
    assert expression[((1, 0, 0, 0, 0), (1, 0, 0, 0, 0))] == 1
    assert expression[((0, 0, 0, 0, 0), (1, 1, 1, 0, 0))] == 1
    assert expression[((1, 1, 0, 0, 0), (0, 1, 1, 1, 0))] == 1
    assert expression[((1, 0, 0, 0, 0), (0, 1, 1, 1, 0))] == 0


def test_expression_value_counts_lost_rounds():
    game = three_party_ghz_game()
    always_zero = {(a, x): int(a == (0, 0, 0)) for (a, x) in game_expression(game)}
    assert expression_value(game, always_zero) == 3


@pytest.mark.parametrize("n", [1, 0, -3, 2.0, True, "5"])
def test_bad_party_count_is_a_one_line_error(n):
    with pytest.raises(CertifyError, match=r"^n: expected an integer >= 2"):
        mermin_game(n)
