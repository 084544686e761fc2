"""Hostile-referee attacks on the kernel's numerics (helper "attacker").

Laws:
- `test_enclosures_contain_the_mpmath_value`: sqrt, ln, log2 and exp enclosures contain the value
  computed by mpmath at 20,000 bits, on adversarial inputs (near powers of two, near 1, tiny, huge).
- `test_exact_psd_agrees_with_principal_minors_on_both_backends`: rank-deficient, zero-row and
  one-entry-perturbed matrices (perturbations down to 10^-30) decided like the minors criterion.
"""

from fractions import Fraction
from itertools import combinations

import mpmath
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st

from certify.kernel.intervals import exp_interval, exp_upper, ln_interval, log2_interval, sqrt_interval
from certify.kernel.psd import integer_psd, scaled


def is_psd(matrix, backend="int", where="matrix"):
    """The kernel's PSD decision as the NPA check runs it: work bounds (`scaled`), then elimination."""
    return integer_psd(scaled(matrix, where), backend)


def mp(x):
    return mpmath.mpf(x.numerator) / x.denominator


near_two_powers = st.builds(lambda e, k, s: Fraction(2) ** e + s * Fraction(1, 10**k),
                            st.integers(-200, 200), st.integers(20, 60), st.sampled_from([-1, 0, 1]))
generic = st.builds(Fraction, st.integers(1, 10**80), st.integers(1, 10**80))
positive = st.one_of(near_two_powers, generic).filter(lambda x: x > 0)


@settings(max_examples=60, deadline=None)
@given(positive)
@example(Fraction(1) + Fraction(1, 10**300))
@example(Fraction(2**4000 - 1, 2**4000))
@example(Fraction(1, 10**4000))
@example(Fraction(1, 121))  # an exact square: 1/11 is not exactly an mpf, so sqrt is compared exactly
def test_enclosures_contain_the_mpmath_value(x):
    lo, hi = sqrt_interval(x)
    assert 0 <= lo <= hi and lo * lo <= x <= hi * hi, "sqrt_interval"  # exact: no rounding of either side
    with mpmath.workprec(20000):
        v = mp(x)
        for f, g in ((ln_interval, mpmath.log), (log2_interval, lambda t: mpmath.log(t, 2))):
            lo, hi = f(x)
            assert mp(lo) <= g(v) <= mp(hi), f.__name__


@settings(max_examples=60, deadline=None)
@given(st.builds(Fraction, st.integers(-11356 * 1000, 64 * 1000), st.integers(1000, 2000)))
@example(Fraction(-11356))
@example(Fraction(64))
@example(Fraction(-1, 10**40))
def test_exp_enclosure_contains_the_mpmath_value(x):
    with mpmath.workprec(20000):
        lo, hi = exp_interval(x)
        assert mp(lo) <= mpmath.exp(mp(x)) <= mp(hi)
        assert mpmath.exp(mp(x)) <= mp(exp_upper(x))


def minors_psd(m):
    s = sympy.Matrix(m)
    return all(s.extract(list(i), list(i)).det() >= 0 for r in range(1, len(m) + 1) for i in combinations(range(len(m)), r))


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.lists(st.integers(-2, 2), min_size=n, max_size=n), min_size=0, max_size=n),
    st.integers(0, n - 1), st.integers(0, n - 1),
    st.sampled_from([Fraction(0), Fraction(1, 10**30), Fraction(-1, 10**30), Fraction(-1, 3), Fraction(1)]),
    st.booleans())))
def test_exact_psd_agrees_with_principal_minors_on_both_backends(case):
    n, factors, i, j, delta, zero_row = case
    m = [[Fraction(sum(f[r] * f[c] for f in factors)) for c in range(n)] for r in range(n)]  # Gram: PSD
    m[i][j] += delta
    if i != j:
        m[j][i] += delta
    if zero_row:
        for k in range(n):
            m[i][k] = m[k][i] = Fraction(0)
    want = minors_psd(m)
    assert is_psd([r[:] for r in m], "int") == want
    assert is_psd([r[:] for r in m], "flint") == want
