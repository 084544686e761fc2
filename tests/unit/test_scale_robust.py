"""Objectives and constraints far from O(1) are solved normalised (`certify.npa.normalised`) and certified for
the ORIGINAL definition: CHSH x 10^20 (Clarabel reported it dual infeasible unscaled, no certificate), CHSH x
10^-12 (unscaled: a bound 47 x the optimum met the absolute target 1e-6), and P(00|00) subject to 10^15 CHSH
>= 10^15 5/2 (unscaled: no certificate). Each within a relative slack of 1e-6 on both paths, its written
certificate verified by the unchanged kernel; O(1) problems keep the factor 1 (their certificates do not change).
"""

import math
from fractions import Fraction

import pytest

from certify.kernel import check_certificate
from certify.kernel.defs.scenario import Scenario, chsh, make_expression
from certify.npa import (
    SCALE_BAND,
    bell_objective,
    chsh_guess_problem,
    chsh_max_problem,
    normalised,
    problem,
    row_factor,
)
from certify.papers.produce import npa_certificate
from certify.symmetry import certify_npa

CHSH = Scenario((2, 2), (2, 2))
TSIRELSON = 2 * math.sqrt(2)


def chsh_times(scale):
    expr = chsh()
    return make_expression(CHSH, [(o, i, c * scale) for o, i, c in expr.terms], expr.constant * scale)


def chsh_max(scale):
    return problem(CHSH, "2", bell_objective(chsh_times(Fraction(scale))))


def p00_given(scale):
    """max P(00|00) subject to scale x CHSH >= scale x 5/2 (the same feasible set for every scale)."""
    p00 = make_expression(CHSH, [([0, 0], [0, 0], 1)])
    return problem(CHSH, "2", bell_objective(p00), chsh_times(Fraction(scale)), Fraction(5, 2) * scale)


def kernel_value(definition, result):
    """The bound the kernel proves from the certificate `npa_certificate` writes (it must verify)."""
    certificate = npa_certificate("test/scaled", "scaled", definition, result)
    verdict = check_certificate(certificate, "scaled")
    assert verdict.status == "verified", verdict.reason
    claimed = Fraction(certificate["claim"]["value"])  # the stated value: the bound rounded up, never loosely
    grid = abs(result.bound) / 10**8 if abs(result.bound) < Fraction(1, 1000) else Fraction(1, 10**12)
    assert result.bound <= claimed <= result.bound + grid
    return verdict.value


# the default pipeline, and the full path (`certify.npa.certify_problem`, as --no-symmetry runs it)
PATHS = {"symmetric": lambda d: certify_npa(d), "full": lambda d: certify_npa(d, symmetry=False)}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("scale", [Fraction(10**20), Fraction(1, 10**12)], ids=["1e20", "1e-12"])
def test_scaled_chsh_is_certified_within_a_relative_slack(path, scale):
    definition = chsh_max(scale)
    found = PATHS[path](definition)
    assert found.path == path and found.result is not None
    result, optimum = found.result, TSIRELSON * float(scale)
    # the kernel's bound on the written certificate: the exact one, above 2 sqrt 2 x scale by < 1e-6 relative
    value = kernel_value(definition, result)
    assert value == result.bound
    assert 0 <= float(value) / optimum - 1 <= 1e-6
    assert abs(result.slack) / optimum <= 1e-6
    assert abs(result.primal / optimum - 1) <= 1e-6  # the float optimum mapped back to the original units
    # the objective was solved normalised: F a power of two within a factor 2 of CHSH's largest |coefficient|
    coefficient = max(abs(v) for block in normalised(definition).npa.blocks for v in block.values())
    assert result.scale != 1 and Fraction(1, 2) < coefficient / Fraction(result.scale) < 2
    assert math.log2(result.scale).is_integer()


@pytest.mark.parametrize("path", PATHS)
def test_a_scaled_constraint_is_certified_at_the_unscaled_optimum(path):
    reference = certify_npa(p00_given(1), symmetry=path == "symmetric").result
    definition = p00_given(10**15)
    found = PATHS[path](definition)
    assert found.path == path and found.result is not None
    value = kernel_value(definition, found.result)
    # the objective is O(1), so its factor stays 1 and the target 1e-6 absolute; the constraint row (4e15)
    # was divided by a power of two, its multiplier lambda scaled back: lambda x 10^15 ~ the unscaled lambda
    assert found.result.scale == 1.0 and normalised(definition).scaling.constraint != 1
    assert 0 <= found.result.slack <= 1e-6
    assert abs(float(value) - reference.primal) <= 1e-6 and abs(found.result.primal - reference.primal) <= 1e-6
    assert float(found.result.lam) * 10**15 == pytest.approx(float(reference.lam), rel=1e-3)


@pytest.mark.parametrize("definition", [chsh_max_problem("2"), chsh_guess_problem("2", Fraction(5, 2)),
                                        p00_given(1), chsh_max(SCALE_BAND // 4), chsh_max(Fraction(1, SCALE_BAND))],
                         ids=["chsh", "guess-given-chsh", "p00-given-chsh", "chsh-x256", "chsh-/1024"])
def test_problems_within_the_band_keep_the_factor_one(definition):
    """Factor 1 (and so the same float problem, evidence and certificate as before) while every row's largest
    |coefficient| lies in [1 / SCALE_BAND, SCALE_BAND] (CHSH's is 4 in the Collins-Gisin form)."""
    normal = normalised(definition)
    assert normal.scaling.unit and normal.scaled is normal.npa


def test_row_factor_is_a_power_of_two_within_a_factor_two_of_the_largest_coefficient():
    assert row_factor([Fraction(3), Fraction(-1)]) == 1
    assert row_factor([Fraction(0)]) == 1 and row_factor([]) == 1
    assert row_factor([SCALE_BAND]) == 1 and row_factor([Fraction(1, SCALE_BAND)]) == 1
    assert row_factor([Fraction(-4 * 10**20), Fraction(1)]) == 2**68  # 4e20 = 1.36 x 2^68 (bit lengths 69 - 1)
    assert row_factor([Fraction(4, 10**12)]) == Fraction(1, 2**37)  # 4e-12 = 0.55 x 2^-37 (bit lengths 3 - 40)
    assert row_factor([Fraction(SCALE_BAND + 1)]) == SCALE_BAND  # just outside the band: normalised to 1.001
