"""Fig. 3 of Pironio et al. 2010 from the certified level-2 tangents (spec P8)."""

from pathlib import Path

import pytest

from certify.papers.pironio2010.fig3 import certified_f, thresholds

PROOFS = Path(__file__).resolve().parents[2] / "proofs"


@pytest.fixture(scope="module")
def marks():
    return thresholds(certified_f("2", PROOFS))


def test_uniform_inputs_become_positive_near_2500(marks):
    assert 2400 < marks["uniform"] < 2600


def test_no_signalling_becomes_positive_near_3400(marks):
    assert 3300 < marks["no-signalling"] < 3500


def test_net_entropy_with_biased_inputs_becomes_positive_near_3e7(marks):
    assert 2.5e7 < marks["net"] < 3.5e7


def test_certified_f_is_below_the_paper_values():
    f = certified_f("2", PROOFS)
    assert 0.2473 - 1e-3 < f(2.414) <= 0.24728 + 1e-4  # level 2 is at least as tight as 1+AB
    assert f(1.9) == 0.0


def test_eat_curve_crosses_the_chain_near_8e5():
    """Fig. 3's EAT curve (kernel verdicts on "eat.bits" with the committed lines) is 0 at Table 1's
    n = 3016 and overtakes the uniform-inputs chain between 7.5e5 and 8.5e5 rounds (float model with
    the analytic tangent: 8.0e5; the committed lines: S0 = 2.22, 2.35, 2.36, 2.4)."""
    from certify.papers.pironio2010.fig3 import eat_bits, eat_crossover, eat_lines
    lines = eat_lines(PROOFS)
    assert eat_bits(3016, lines) == 0
    crossover = eat_crossover(lines, certified_f("2", PROOFS))
    assert 7.5e5 < crossover < 8.5e5
