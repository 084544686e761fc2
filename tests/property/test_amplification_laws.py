"""Laws of eq. (13) (Gallego et al. 2013) and of the plan that `certify amplify` chooses."""

from fractions import Fraction

import mpmath
from hypothesis import example, given, settings
from hypothesis import strategies as st

from certify import amplification as amp

# Rational parameters in their ranges, with small denominators so exact checks stay cheap.
eps_st = st.fractions(min_value=Fraction(1, 20), max_value=Fraction(1, 2), max_denominator=40)
alpha_st = st.fractions(min_value=Fraction(1, 10), max_value=Fraction(19, 20), max_denominator=40).filter(
    lambda a: 0 < a < 1)
beta_st = st.fractions(min_value=Fraction(11, 10), max_value=Fraction(10), max_denominator=20).filter(lambda b: b > 1)
tau_st = st.sampled_from([Fraction(1, 10), Fraction(1, 100), Fraction(1, 1000), Fraction(1, 10**4)])


def _peak(alpha) -> int:
    """ceil(1/(2 ln(1/alpha))): past it sqrt(N) alpha^N decreases (and sqrt(N) K^-N, K >= 1024, already does)."""
    with mpmath.workdps(30):
        return int(mpmath.ceil(1 / (2 * mpmath.log(1 / mpmath.mpf(alpha.numerator) * alpha.denominator))))


@settings(max_examples=40, deadline=None)
@given(eps_st, alpha_st, beta_st, st.integers(0, 60))
@example(Fraction(1, 10), Fraction(9, 10), Fraction(2), 0)
def test_bound_with_the_papers_nb_decreases_in_nd_beyond_its_peak(eps, alpha, beta, offset):
    n_d = max(1, _peak(alpha)) + offset
    # compared as bound - 1/2 (computed without cancellation): 1/2 + 1e-60 and 1/2 + 1e-61 agree to 50 digits
    here = amp.excess(eps, alpha, beta, n_d, amp.paper_choice(eps, alpha, beta, n_d)[0])
    next_one = amp.excess(eps, alpha, beta, n_d + 1, amp.paper_choice(eps, alpha, beta, n_d + 1)[0])
    assert next_one < here


def _visible(eps, beta, n_d, m) -> bool:
    """The N_b term 2 (1-eps)^m (32 beta eps^-5)^N_d is above 1e-40, so 50 digits resolve changes in it."""
    with mpmath.workdps(30):
        e, b = mpmath.mpf(eps.numerator) / eps.denominator, mpmath.mpf(beta.numerator) / beta.denominator
        return mpmath.log10(2) + m * mpmath.log10(1 - e) + n_d * mpmath.log10(32 * b / e**5) > -40


def _increasing(low, high, strict) -> bool:
    return low < high if strict else low <= high


@settings(max_examples=40, deadline=None)
@given(eps_st, alpha_st, beta_st, beta_st, st.integers(1, 200), st.integers(0, 5000))
@example(Fraction(1, 10), Fraction(9, 10), Fraction(2), Fraction(3), 91, 13671)
def test_bound_increases_with_beta(eps, alpha, beta1, beta2, n_d, m):
    low, high = sorted((beta1, beta2))
    strict = low != high and _visible(eps, low, n_d, m)
    assert _increasing(amp.bound(eps, alpha, low, n_d, m), amp.bound(eps, alpha, high, n_d, m), strict)


@settings(max_examples=40, deadline=None)
@given(eps_st, eps_st, alpha_st, beta_st, st.integers(1, 100), st.integers(0, 5000))
def test_bound_decreases_with_eps_and_with_nb(eps1, eps2, alpha, beta, n_d, m):
    low, high = sorted((eps1, eps2))
    strict = _visible(high, beta, n_d, m)
    assert _increasing(amp.bound(high, alpha, beta, n_d, m), amp.bound(low, alpha, beta, n_d, m), strict and low != high)
    assert _increasing(amp.bound(low, alpha, beta, n_d, m + 1), amp.bound(low, alpha, beta, n_d, m), strict)


@settings(max_examples=25, deadline=None)
@given(eps_st.filter(lambda e: e >= Fraction(1, 5)), alpha_st.filter(lambda a: a <= Fraction(9, 10)), beta_st, tau_st)
@example(Fraction(1, 10), Fraction(9, 10), Fraction(2), Fraction(1, 1000))
def test_chosen_nb_is_the_smallest_power_of_two_meeting_the_target(eps, alpha, beta, tau):
    plan = amp.plan(eps, alpha, beta, tau)
    # exact rational check, independent of mpmath
    assert amp.exact_meets_target(eps, alpha, beta, plan.n_d, plan.nb_log2, tau)
    if plan.nb_log2 > 0:
        assert not amp.exact_meets_target(eps, alpha, beta, plan.n_d, plan.nb_log2 - 1, tau)
    assert plan.n_min > 3 * plan.n_d * plan.n_b and plan.n_min - 1 == 3 * plan.n_d * plan.n_b


@settings(max_examples=40, deadline=None)
@given(alpha_st, tau_st)
def test_chosen_nd_is_the_smallest_that_any_nb_can_serve(alpha, tau):
    n_d = amp.smallest_nd(alpha, tau)

    # (3 sqrt(N)/2) alpha^N < tau  iff  9 N alpha^(2N) < 4 tau^2, exactly
    def alpha_term_below(n):
        return 9 * n * alpha ** (2 * n) < 4 * tau * tau

    assert alpha_term_below(n_d)
    assert not any(alpha_term_below(n) for n in range(1, n_d))


@settings(max_examples=15, deadline=None)
@given(eps_st, alpha_st, beta_st, tau_st)
def test_cheapest_plan_is_no_larger_than_the_smallest_nd_plan(eps, alpha, beta, tau):
    first = amp.plan(eps, alpha, beta, tau)
    best = amp.cheapest_plan(eps, alpha, beta, tau)
    assert best.n_d >= first.n_d and best.log10_n <= first.log10_n
    for n_d in range(first.n_d, first.n_d + 5):  # no near neighbour beats it
        assert amp.plan(eps, alpha, beta, tau, n_d).log10_n >= best.log10_n
