"""Gallego et al. 2013 (Nat. Commun. 4, 2654): G1, G3 and G5 of the spec, recomputed.

Paper numbers compared: the classical minimum 6 of eq. (2) over |X| = 16 inputs; maximal violation 0
by the five-qubit GHZ state measured in X or Y; eq. (13) tends to 1/2 with the paper's choice of N_b.
alpha = 9/10, beta = 2 are illustrative inputs (the paper's are in its Supplementary Note 2).
"""

from fractions import Fraction

import mpmath
import sympy

from certify import amplification as amp
from lp_checks.ghz import game_value
from lp_checks.local_bound import enumerate_strategies
from lp_checks.mermin import five_party_game, mermin_game, three_party_ghz_game

EPS, ALPHA, BETA, TAU = amp.ILLUSTRATIVE["eps"], amp.ILLUSTRATIVE["alpha"], amp.ILLUSTRATIVE["beta"], \
    amp.ILLUSTRATIVE["tau"]


def test_g1_five_party_local_minimum_is_6():
    minimum, minimisers, histogram = enumerate_strategies(five_party_game())
    assert len(five_party_game()) == 16
    assert minimum == 6 and len(minimisers) == 512 and sum(histogram.values()) == 1024


def test_g3_ghz_reaches_0_under_the_project_convention_and_not_as_printed():
    assert game_value(five_party_game(), "project") == 0
    assert game_value(five_party_game(), "printed") == 8
    assert game_value(mermin_game(3), "project") == 0 and game_value(mermin_game(3), "printed") == 2
    assert game_value(three_party_ghz_game(), "project") == 0  # the LP game: XXX, XYY, YXY, YYX
    assert game_value(three_party_ghz_game(), "printed") == 2


def test_g5_sympy_identity_and_limit():
    proof = amp.symbolic_proof()
    assert proof["ranges"] and proof["log2(1-eps) < 0"] and proof["identity"]
    assert proof["ln(1/alpha) > 0 and ln K > 0"] and proof["exponential form"]
    assert proof["limit"] == sympy.Rational(1, 2)


def test_g5_illustrative_plan_for_tau_1e_3():
    plan = amp.plan(EPS, ALPHA, BETA, TAU)
    assert (plan.n_d, plan.nb_log2) == (91, 13671)
    # independent exact checks: N_d = 91 is the first with 9 N alpha^(2N) < 4 tau^2 ...
    assert all(9 * n * ALPHA ** (2 * n) >= 4 * TAU**2 for n in range(1, 91)) and 9 * 91 * ALPHA**182 < 4 * TAU**2
    # ... and 2^13671 is the first power of two meeting the target, in rationals
    assert amp.exact_meets_target(EPS, ALPHA, BETA, 91, 13671, TAU)
    assert not amp.exact_meets_target(EPS, ALPHA, BETA, 91, 13670, TAU)
    assert mpmath.nstr(plan.bound, 20) == "0.50099957648944264526"
    assert amp.scientific(plan.log10_n) == "6.56498e+4117" and len(str(plan.n_min)) == 4118


def test_g5_paper_choice_approaches_one_half():
    values = [amp.paper_choice(EPS, ALPHA, BETA, n_d)[1] for n_d in (10, 100, 1000, 10000)]
    assert all(b > a for a, b in zip(values[1:], values))  # decreasing past the peak (N* ~ 4.7)
    assert values[-1] - Fraction(1, 2) < mpmath.mpf(10) ** -450


def test_g5_log_n_grows_like_log_one_over_eps_over_eps():
    plan = amp.plan(Fraction(1, 1000), ALPHA, BETA, TAU)
    with mpmath.workdps(30):
        eps = mpmath.mpf(1) / 1000
        leading = mpmath.log10(2) * plan.n_d * (5 * mpmath.log(1 / eps) + mpmath.log(64)) / eps
        assert abs(plan.log10_n / leading - 1) < mpmath.mpf("0.005")
