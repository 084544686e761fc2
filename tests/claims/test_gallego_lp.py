"""Gallego et al. 2013 and Pironio et al. curve c, recomputed from scratch by LP.

The default run certifies a representative slice (every input x0 once, every
triple once, both values); the full 320 + 280 sweep is marked slow. The
committed certificates are checked in test_proofs.py.
"""

from fractions import Fraction
from itertools import combinations

import pytest

from certify.kernel import check_certificate
from certify.papers.gallego2013.lemma import certify_ghz3, lemma_claim, lemma_claims
from certify.papers.pironio2010.curve_c import chsh_ns_claim
from certify.papers.produce import lp_certificate as certify_lp_claim
from lp_checks.claims import balanced_functions
from lp_checks.mermin import five_party_game, three_party_ghz_game

FIVE_PARTY_INPUTS = [x for x, _ in sorted(five_party_game())]
TRIPLES = list(combinations(range(5), 3))


def _certified_lemma_value(x0, triple, v):
    cert, value = certify_lp_claim(*lemma_claim(x0, triple, v)[:3])
    verdict = check_certificate(cert, "lemma")
    assert verdict.ok and verdict.relation == "=="
    return verdict.value


def test_the_game_has_sixteen_inputs():
    assert len(FIVE_PARTY_INPUTS) == 16 and len(lemma_claims()) == 320


@pytest.mark.parametrize("k", range(16))
def test_majority_is_at_most_three_quarters_predictable(k):
    x0, triple, v = FIVE_PARTY_INPUTS[k], TRIPLES[k % 10], k % 2
    assert _certified_lemma_value(x0, triple, v) == Fraction(3, 4)


@pytest.mark.slow
@pytest.mark.parametrize("x0", FIVE_PARTY_INPUTS)
def test_lemma_for_every_triple_and_value(x0):
    assert {_certified_lemma_value(x0, t, v) for t in TRIPLES for v in (0, 1)} == {Fraction(3, 4)}


def test_seventy_balanced_functions():
    tables = balanced_functions()
    assert len(tables) == len(set(tables)) == 70 and all(t.count("1") == 4 for t in tables)


def _ghz3_values(tables):
    chosen = {}
    for table in tables:
        for x0, _ in sorted(three_party_ghz_game()):
            cert, _, v = certify_ghz3(table, x0)
            verdict = check_certificate(cert, "ghz3")
            assert verdict.ok and verdict.value == 1
            chosen[(table, x0)] = v
    return chosen


def test_every_balanced_function_can_be_made_deterministic_sample():
    _ghz3_values(balanced_functions()[::7])


@pytest.mark.slow
def test_every_balanced_function_can_be_made_deterministic():
    chosen = _ghz3_values(balanced_functions())
    assert len(chosen) == 280
    # With v fixed to 0 only 53 of the 70 functions work, at each input (spec G4).
    for x0, _ in three_party_ghz_game():
        assert sum(v == 0 for (t, x), v in chosen.items() if x == x0) == 53


@pytest.mark.parametrize("ab,xy", [((0, 0), (0, 0)), ((1, 0), (1, 1)), ((0, 1), (0, 1))])
def test_curve_c_tangent_is_three_halves(ab, xy):
    cert, value = certify_lp_claim(*chsh_ns_claim(ab, xy)[:3])
    assert value == Fraction(3, 2) and check_certificate(cert, "c").ok
