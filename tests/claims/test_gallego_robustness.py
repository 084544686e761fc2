"""Robustness of Gallego et al.'s Lemma (issue 5, item 4), recomputed by LP and checked exactly.

P(maj(a1,a2,a3) = 0 | x0) <= 3/4 + c B(P) over all five-party no-signalling boxes,
B the Mermin expression; the smallest c is 5/16 (the value the issue expects).
"""

from fractions import Fraction

import pytest

from certify.certificate import make_certificate
from certify.kernel import check_certificate, problem_sha256
from lp_checks.robustness import (THREE_QUARTERS, certify_smallest_c, coefficients, game_inputs,
                                  robustness_claim, smallest_c_float)


@pytest.fixture(scope="module")
def x10000():
    return certify_smallest_c((1, 0, 0, 0, 0))


def _verified_values(result):
    values = []
    for cert, name in result.certificates:
        verdict = check_certificate(cert, name)
        assert verdict.ok and verdict.relation == "==", verdict.reason
        values.append(verdict.value)
    return values


def test_smallest_c_is_five_sixteenths(x10000):
    assert x10000.c == Fraction(5, 16)
    assert abs(smallest_c_float((1, 0, 0, 0, 0)) - 5 / 16) < 1e-9


def test_three_collinear_values_of_the_convex_value_function(x10000):
    # f(5/16) = 3/4, f(1/4) = 7/9, f(3/16) = 29/36: slope -4/9, so f(c) > 3/4 for all c < 5/16.
    assert (x10000.delta, x10000.beta) == (Fraction(1, 16), Fraction(4, 9))
    assert _verified_values(x10000) == [THREE_QUARTERS, Fraction(7, 9), Fraction(29, 36)]


def test_a_box_beats_three_quarters_just_below_c_star(x10000):
    # The c - delta certificate's box (B = 4/9) gives 3/4 + 4/9 * 10^-9 at c = 5/16 - 10^-9.
    box = x10000.certificates[1][0]["evidence"]["primal"]
    c = Fraction(5, 16) - Fraction(1, 10**9)
    claim_id, statement, problem, _ = robustness_claim((1, 0, 0, 0, 0), c, "c-1e-9", x10000.c)
    value = THREE_QUARTERS + Fraction(4, 9) / 10**9
    cert = make_certificate(claim_id, "lp.ns", statement, problem, ">=", value, {"primal": box})
    verdict = check_certificate(cert, "witness")
    assert verdict.ok and verdict.value == value > THREE_QUARTERS


def test_the_dual_at_c_star_does_not_prove_a_smaller_c(x10000):
    cert = x10000.certificates[0][0]
    claim_id, statement, problem, _ = robustness_claim((1, 0, 0, 0, 0), Fraction(5, 16) - Fraction(1, 10**9),
                                                       "c", x10000.c)
    tampered = {**cert, "claim": {**cert["claim"], "problem": problem, "relation": "<="},
                "evidence": {"dual": cert["evidence"]["dual"]}}
    tampered["problem_sha256"] = problem_sha256(problem)
    assert not check_certificate(tampered, "tampered").ok


def test_objective_counts_majority_and_lost_rounds():
    terms = coefficients((1, 0, 0, 0, 0), Fraction(5, 16))
    # 16 inputs x 16 losing outputs at -5/16; at x0 the 16 majority-0 outputs get +1 on top.
    assert sum(1 for v in terms.values() if v == Fraction(-5, 16)) == 16 * 16 - 8
    assert sum(1 for v in terms.values() if v == Fraction(11, 16)) == 8
    assert sum(1 for v in terms.values() if v == 1) == 8


@pytest.mark.slow
@pytest.mark.parametrize("x0", game_inputs())
def test_smallest_c_at_every_input(x0):
    result = certify_smallest_c(x0)
    assert result.c == Fraction(5, 16)
    assert _verified_values(result) == [THREE_QUARTERS, Fraction(7, 9), Fraction(29, 36)]
