"""Rational enclosures: containment against mpmath at 60 digits, exact cases, widths, bad domains."""

import subprocess
import sys
from fractions import Fraction

import mpmath
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from certify.bits_models import log2_interval
from certify.kernel.intervals import down, exp_interval, ln_interval, sqrt_interval, up

mpmath.mp.dps = 60


def _mp(x: Fraction):
    return mpmath.mpf(x.numerator) / x.denominator


def _contains(pair, value, max_rel_width=Fraction(1, 2**100)):
    lo, hi = pair
    assert isinstance(lo, Fraction) and isinstance(hi, Fraction)
    assert _mp(lo) <= value <= _mp(hi)
    scale = max(abs(lo), abs(hi), Fraction(1, 10**30))
    assert hi - lo <= max_rel_width * scale


positive = st.fractions(min_value=Fraction(1, 10**12), max_value=10**12, max_denominator=10**15)


@pytest.mark.parametrize("x", [Fraction(2), Fraction(8), Fraction(1, 100), Fraction(3016), Fraction(7, 3),
                               Fraction(10**40 + 1, 3), Fraction(1, 10**30)])
def test_fixed_values_match_mpmath(x):
    _contains(sqrt_interval(x), mpmath.sqrt(_mp(x)))
    _contains(ln_interval(x), mpmath.log(_mp(x)))
    _contains(log2_interval(x), mpmath.log(_mp(x), 2))


@pytest.mark.parametrize("x", [Fraction(1, 3), Fraction(-7), Fraction(-35861, 5000), Fraction(50),
                               Fraction(-200), Fraction(1, 10**20), Fraction(-1, 10**20)])
def test_exp_matches_mpmath(x):
    _contains(exp_interval(x), mpmath.exp(_mp(x)))


def test_exact_cases_are_points():
    assert sqrt_interval(Fraction(9, 4)) == (Fraction(3, 2), Fraction(3, 2))
    assert sqrt_interval(Fraction(0)) == (0, 0)
    assert ln_interval(Fraction(1)) == (0, 0)
    assert log2_interval(Fraction(1, 1024)) == (-10, -10)
    assert exp_interval(Fraction(0)) == (1, 1)


def test_sqrt_endpoints_are_proven_by_squaring():
    lo, hi = sqrt_interval(Fraction(8))
    assert lo * lo <= 8 <= hi * hi
    assert hi - lo <= Fraction(1, 2**150)


def test_paper_constants():
    """2 sqrt 2 = 2.8284271247461900976033774484193... and ln 100 = 4.6051701859880913680359829093687284...
    (tables) enter eps of eq. (3)."""
    lo, hi = sqrt_interval(Fraction(8))
    assert lo < Fraction(2828427124746190097603377448420, 10**30) and hi > Fraction(2828427124746190097603377448419, 10**30)
    lo, hi = ln_interval(Fraction(100))
    assert lo < Fraction(4605170185988091368035982909368729, 10**33)
    assert hi > Fraction(4605170185988091368035982909368728, 10**33)


@pytest.mark.parametrize("fn", [sqrt_interval])
def test_sqrt_rejects_negative(fn):
    with pytest.raises(ValueError):
        fn(Fraction(-1))


@pytest.mark.parametrize("fn", [ln_interval, log2_interval])
@pytest.mark.parametrize("x", [Fraction(0), Fraction(-3, 2)])
def test_log_rejects_non_positive(fn, x):
    with pytest.raises(ValueError):
        fn(x)


@given(positive)
@example(Fraction(1, 2))
@example(Fraction(2))
@example(Fraction(10**12 - 1, 10**12))
def test_sqrt_contains(x):
    _contains(sqrt_interval(x), mpmath.sqrt(_mp(x)))


@given(positive)
@example(Fraction(1))
@example(Fraction(141421356, 10**8))
@example(Fraction(70710678, 10**8))
def test_ln_and_log2_contain(x):
    _contains(ln_interval(x), mpmath.log(_mp(x)))
    _contains(log2_interval(x), mpmath.log(_mp(x), 2))


@given(st.fractions(min_value=-300, max_value=300, max_denominator=10**9))
@example(Fraction(1, 2))
@example(Fraction(-1, 2))
def test_exp_contains(x):
    _contains(exp_interval(x), mpmath.exp(_mp(x)))


@given(st.fractions(min_value=-10**9, max_value=10**9, max_denominator=10**30), st.integers(8, 200))
def test_directed_rounding(v, prec):
    assert down(v, prec) <= v <= up(v, prec)
    assert up(v, prec) - down(v, prec) <= abs(v) / 2 ** (prec - 2)


def test_kernel_module_imports_no_numerics():
    code = ("import sys, certify.kernel.intervals, certify.kernel.bits; "
            "bad = sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'scipy', 'cvxpy', 'sympy', 'mpmath'}); "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
