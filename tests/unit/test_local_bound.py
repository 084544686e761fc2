"""lp_checks.local_bound: the classical minimum of eq. (2) by exhaustive enumeration."""

from itertools import product

import pytest

from certify.errors import CertifyError
from lp_checks.local_bound import (
    affine_minimisers,
    classical_minimum,
    enumerate_strategies,
    mermin_classical_minimum,
    mermin_closed_form,
    strategy_losses,
    walsh_spectrum,
)
from lp_checks.mermin import five_party_game, mermin_game, three_party_ghz_game


def test_five_party_local_minimum_is_six_with_512_minimisers():
    minimum, minimisers, histogram = enumerate_strategies(five_party_game())
    assert minimum == 6 and isinstance(minimum, int)
    assert histogram == {6: 512, 10: 512} and sum(histogram.values()) == 4**5
    assert len(minimisers) == 512 == len(set(minimisers))
    assert all(strategy_losses(five_party_game(), s) == 6 for s in minimisers)
    # "everyone outputs 0" loses the four inputs of X1 ... and wins X0: 10; a1 = x1 flips the parity where x1 = 1.
    assert strategy_losses(five_party_game(), ((0, 0),) * 5) == 10
    assert ((0, 1), (0, 0), (0, 0), (0, 0), (0, 0)) in minimisers


def test_minimisers_are_exactly_the_strategies_with_a_minimising_affine_parity():
    game = five_party_game()
    _, minimisers, _ = enumerate_strategies(game)
    affine = set(affine_minimisers(game))
    assert len(affine) == 32
    # parity = c xor d.x with c = xor_i a_i(0), d_i = a_i(0) xor a_i(1); each (c, d) has 2^(n-1) = 16 strategies.
    as_affine = {(sum(f[0] for f in s) % 2, tuple(f[0] ^ f[1] for f in s)) for s in minimisers}
    assert as_affine == affine


def test_three_party_ghz_local_minimum_is_one():
    minimum, minimisers, histogram = enumerate_strategies(three_party_ghz_game())
    assert minimum == 1 and histogram == {1: 32, 3: 32} and len(minimisers) == 32
    assert classical_minimum(three_party_ghz_game()) == 1


@pytest.mark.parametrize("n", range(2, 7))
def test_walsh_route_agrees_with_enumeration(n):
    assert classical_minimum(mermin_game(n)) == enumerate_strategies(mermin_game(n))[0]


def test_walsh_spectrum_matches_its_definition():
    game = five_party_game()
    spectrum = walsh_spectrum(game)
    for index, d in enumerate(product((0, 1), repeat=5)):
        assert spectrum[index] == sum((-1) ** (r + sum(di * xi for di, xi in zip(d, x))) for x, r in game)


def test_classical_value_for_n_parties_matches_the_mermin_bound():
    values = {n: mermin_classical_minimum(n) for n in range(2, 13)}
    assert values == {n: mermin_closed_form(n) for n in range(2, 13)}
    assert [values[n] for n in range(2, 9)] == [0, 1, 2, 6, 12, 28, 56]


def test_bad_game_is_a_one_line_error():
    with pytest.raises(CertifyError, match="game: expected at least one input"):
        classical_minimum([])
    with pytest.raises(CertifyError, match="game: expected"):
        classical_minimum([((0, 1), 0), ((0, 2), 1)])
