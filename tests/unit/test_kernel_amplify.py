"""Claim kind "amplify.bound" (certify.kernel.amplify): eq. (13) of Gallego et al. 2013.

References are mpmath at 80 digits, evaluated here directly from the formula (not through
certify.amplification). alpha and beta are inputs, chosen for the tests.
"""

import copy
import time
from fractions import Fraction

import mpmath
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from certify import amplification as amp
from certify.errors import CertifyError
from certify.kernel import check_certificate, problem_sha256
from certify.kernel.format import format_rational

EPS, ALPHA, BETA, TAU = Fraction(1, 10), Fraction(9, 10), Fraction(2), Fraction(1, 1000)


def exact_excess(eps, alpha, beta, n_d, k):
    """eq. (13) - 1/2 at 80 digits: (3 sqrt(N_d)/2) [alpha^N_d + 2 (1-eps)^k (32 beta eps^-5)^N_d]."""
    with mpmath.workdps(80):
        f = lambda q: mpmath.mpf(q.numerator) / q.denominator  # noqa: E731
        log_k = mpmath.log(32 * f(beta)) - 5 * mpmath.log(f(eps))
        term2 = 2 * mpmath.exp(k * mpmath.log1p(-f(eps)) + n_d * log_k)  # log(1 - eps) loses eps's digits
        return 3 * mpmath.sqrt(n_d) / 2 * (mpmath.exp(n_d * mpmath.log(f(alpha))) + term2)


def claim(eps, alpha, beta, n_d, k, value):
    cert = amp.certificate(eps, alpha, beta, n_d, k, TAU)
    cert["claim"]["value"] = format_rational(value)
    return cert


def _mp(q):
    with mpmath.workdps(80):
        return mpmath.mpf(q.numerator) / q.denominator


def test_the_illustrative_plan_is_verified_and_tight():
    (path, cert), = amp.amplification_certificates()
    assert path == "amplification/illustrative-tau-1e-3.json"
    assert cert["claim"]["problem"] == {"eps": "1/10", "alpha": "9/10", "beta": "2", "n_d": 91, "n_b_log2": "13671"}
    verdict = check_certificate(cert, "c")
    assert verdict.ok and verdict.claimed == Fraction(1, 2) + TAU and verdict.value == verdict.high
    exact = exact_excess(EPS, ALPHA, BETA, 91, 13671)
    with mpmath.workdps(80):
        assert exact <= _mp(verdict.high - Fraction(1, 2)) <= exact * (1 + mpmath.mpf(10) ** -40)
        assert mpmath.nstr(exact, 15) == "0.000999576489442645"


def test_one_ulp_below_the_proven_bound_is_rejected():
    high = check_certificate(claim(EPS, ALPHA, BETA, 91, 13671, Fraction(1)), "c").high
    assert check_certificate(claim(EPS, ALPHA, BETA, 91, 13671, high), "c").ok
    ulp = Fraction(1, high.denominator)  # the smallest step of tau on high's own grid
    verdict = check_certificate(claim(EPS, ALPHA, BETA, 91, 13671, high - ulp), "c")
    assert verdict.status == "false" and "not <=" in verdict.reason


def test_nb_one_power_too_small_misses_the_target():
    verdict = check_certificate(claim(EPS, ALPHA, BETA, 91, 13670, Fraction(1, 2) + TAU), "c")
    assert verdict.status == "false"
    with mpmath.workdps(80):
        assert exact_excess(EPS, ALPHA, BETA, 91, 13670) > _mp(TAU)  # and it is indeed above


@settings(max_examples=60, deadline=None)
@given(eps=st.fractions(Fraction(1, 1000), Fraction(1, 2), max_denominator=1000),
       alpha=st.fractions(Fraction(1, 100), Fraction(99, 100), max_denominator=1000),
       beta=st.fractions(Fraction(101, 100), 100, max_denominator=1000),
       n_d=st.integers(1, 2000), k=st.integers(0, 10**7), below=st.booleans())
def test_a_tau_below_the_exact_value_is_always_rejected(eps, alpha, beta, n_d, k, below):
    exact = exact_excess(eps, alpha, beta, n_d, k)
    assume(mpmath.mpf(10) ** -3900 < exact < 10**20)
    with mpmath.workdps(80):
        near = exact * (1 + (-1 if below else 1) * mpmath.mpf(10) ** -30)
        man, exp = near.man_exp
    tau = Fraction(int(man)) * Fraction(2) ** int(exp)
    verdict = check_certificate(claim(eps, alpha, beta, n_d, k, Fraction(1, 2) + tau), "c")
    assert verdict.ok is not below  # sound below the exact value, complete 1e-30 above it


def test_huge_nb_is_never_expanded():
    # N_b = 2^(10^12): (1-eps)^k ~ 10^(-4.6e10) is bounded through EXP_FLOOR, never built
    start = time.process_time()
    verdict = check_certificate(claim(EPS, ALPHA, BETA, 91, 10**12, Fraction(1, 2) + TAU), "c")
    assert verdict.ok and time.process_time() - start < 1
    with mpmath.workdps(80):  # only the alpha term is left
        alpha_term = 3 * mpmath.sqrt(91) / 2 * mpmath.mpf("0.9") ** 91
        assert alpha_term <= _mp(verdict.high - Fraction(1, 2)) <= alpha_term * (1 + mpmath.mpf(10) ** -40)
    tiny = claim(EPS, ALPHA, BETA, 10**6, 10**12, Fraction(1, 2) + Fraction(1, 10**3999))  # both terms beyond the floor
    verdict = check_certificate(tiny, "c")
    assert verdict.ok and verdict.high - Fraction(1, 2) < Fraction(1, 10**4000)
    assert time.process_time() - start < 2


def test_a_tiny_eps_with_a_huge_exponent_checks():
    # eps = 1e-60: the plan's N_b = 2^m has m ~ 6e64, more digits than a JSON integer holds, and
    # the bound is 6.2e-66 below 1/2 + tau (one step of m changes it by a factor ~(1 - 1e-60))
    eps, m = Fraction(1, 10**60), 63253257858088867647867388425632231011843424375854635257547057991
    assert check_certificate(claim(eps, ALPHA, BETA, 91, m - 10**48, Fraction(1, 2) + TAU), "c").status == "false"
    verdict = check_certificate(claim(eps, ALPHA, BETA, 91, m, Fraction(1, 2) + TAU), "c")
    exact = exact_excess(eps, ALPHA, BETA, 91, m)
    with mpmath.workdps(80):
        assert verdict.ok and exact <= _mp(verdict.high - Fraction(1, 2)) <= exact * (1 + mpmath.mpf(10) ** -70)
        assert _mp(TAU) - exact < mpmath.mpf(10) ** -65


def test_a_bound_with_an_unbounded_nb_term_is_rejected_not_computed():
    start = time.process_time()
    verdict = check_certificate(claim(EPS, ALPHA, BETA, 10**9, 0, Fraction(10**6)), "c")
    assert verdict.status == "false" and "not proven below 64" in verdict.reason
    assert time.process_time() - start < 1


@pytest.mark.parametrize("edit, message", [
    (lambda p: p.update(eps="3/5"), r"claim\.problem\.eps: expected 0 < eps <= 1/2"),
    (lambda p: p.update(alpha="1"), r"claim\.problem: expected 0 < alpha < 1 < beta"),
    (lambda p: p.update(beta="1"), r"claim\.problem: expected 0 < alpha < 1 < beta"),
    (lambda p: p.update(n_d=0), r"claim\.problem\.n_d: expected an integer in \[1, "),
    (lambda p: p.update(n_b_log2="-1"), r"claim\.problem\.n_b_log2: expected an integer string"),
    (lambda p: p.update(n_b_log2="1/2"), r"claim\.problem\.n_b_log2: expected an integer string"),
    (lambda p: p.update(n_b_log2="1" + "0" * 101), r"claim\.problem\.n_b_log2: expected an integer string"),
    (lambda p: p.update(n_b_log2=13671), r"claim\.problem\.n_b_log2: expected a string"),
    (lambda p: p.update(n_d="91"), r"claim\.problem\.n_d: expected int"),
    (lambda p: p.update(tau="1/1000"), r"claim\.problem: unknown field 'tau'"),
    (lambda p: p.pop("n_d"), r"claim\.problem: missing field 'n_d'"),
    (lambda p: p.update(eps="0.1"), r"claim\.problem\.eps: expected rational"),
])
def test_malformed_problems_are_one_line_errors(edit, message):
    cert = amp.certificate(EPS, ALPHA, BETA, 91, 13671, TAU)
    edit(cert["claim"]["problem"])
    cert["problem_sha256"] = problem_sha256(cert["claim"]["problem"])
    with pytest.raises(CertifyError, match=message):
        check_certificate(cert, "c")


def test_evidence_must_be_empty_and_the_problem_hash_must_match():
    cert = amp.certificate(EPS, ALPHA, BETA, 91, 13671, TAU)
    bad = copy.deepcopy(cert)
    bad["evidence"] = {"bound": "1/2"}
    with pytest.raises(CertifyError, match=r"c\.evidence: unknown field 'bound'"):
        check_certificate(bad, "c")
    cert["claim"]["problem"]["n_b_log2"] = "13672"  # a larger N_b would make the claim easier
    assert check_certificate(cert, "c").reason.startswith("problem_sha256")


@pytest.mark.parametrize("relation", [">=", "=="])
def test_only_an_upper_bound_is_proven(relation):
    cert = amp.certificate(EPS, ALPHA, BETA, 91, 13671, TAU)
    cert["claim"]["relation"] = relation
    verdict = check_certificate(cert, "c")
    assert verdict.status == "false" and "cannot prove" in verdict.reason


@pytest.mark.parametrize("params", [
    (Fraction(1, 2), Fraction(9, 10), Fraction(2), 10**9, 10**100),
    (Fraction(1, 10**3000), Fraction(1, 10**3000), Fraction(10**3000), 10**9, 10**100),
    (Fraction(1, 3), 1 - Fraction(1, 10**3999), 1 + Fraction(1, 10**3999), 10**9, 10**100),
])
def test_the_largest_inputs_check_within_two_seconds(params):
    start = time.process_time()
    verdict = check_certificate(claim(*params, Fraction(1)), "c")
    assert verdict.status in ("verified", "false") and time.process_time() - start < 2
