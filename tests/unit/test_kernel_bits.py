"""The bits chain of certify.kernel.bits: exact I_hat, eps_hi, the integer check, rejections."""

import math
from fractions import Fraction

import mpmath
import pytest

from certify import bits_models as bm
from certify.errors import CertifyError
from certify.finite_stats import curve_b_tangent_at
from certify.kernel import bits as kb
from certify.kernel import intervals as ki
from certify.kernel.format import Reject
from certify.kernel.intervals import largest_k

TABLE1 = {(0, 0): (293, 94, 70, 295), (0, 1): (298, 70, 74, 309), (1, 0): (283, 69, 64, 291), (1, 1): (68, 340, 309, 89)}
UNIFORM = {pair: Fraction(1, 4) for pair in kb.PAIRS}
DELTA = Fraction(1, 100)



@pytest.fixture(autouse=True)
def _restore_mpmath_precision():
    """Tests here raise mpmath's global precision; restore it so other modules see the default."""
    saved = mpmath.mp.dps
    yield
    mpmath.mp.dps = saved

def table1():
    return {(x, y, a, b): TABLE1[x, y][2 * a + b] for x, y, a, b in kb.KEYS}


def test_i_hat_is_exact():
    assert kb.chsh_estimate(table1(), UNIFORM) == Fraction(70, 29)


def test_i_hat_with_biased_inputs_weights_each_pair():
    p = {(0, 0): Fraction(1, 2), (0, 1): Fraction(1, 6), (1, 0): Fraction(1, 6), (1, 1): Fraction(1, 6)}
    c = table1()
    expect = (Fraction(424) / p[0, 0] + Fraction(463) / p[0, 1] + Fraction(441) / p[1, 0] + Fraction(492) / p[1, 1]) / 3016
    assert kb.chsh_estimate(c, p) == expect


def test_epsilon_upper_encloses_eq3():
    mpmath.mp.dps = 50
    true = (4 + 2 * mpmath.sqrt(2)) * mpmath.sqrt(2 * mpmath.log(100) / 3016)
    hi = bm.epsilon_upper(3016, Fraction(1, 4), DELTA, "quantum")
    assert mpmath.mpf(hi.numerator) / hi.denominator >= true
    assert hi - Fraction(str(mpmath.nstr(true, 45))) < Fraction(1, 10**40)
    assert round(float(hi), 5) == 0.37735


@pytest.mark.parametrize("model,i_max", [("no-signalling", 4), ("local", 2)])
def test_epsilon_upper_other_models(model, i_max):
    hi = bm.epsilon_upper(3016, Fraction(1, 4), DELTA, model)
    mpmath.mp.dps = 50
    true = (4 + i_max) * mpmath.sqrt(2 * mpmath.log(100) / 3016)
    assert 0 <= mpmath.mpf(hi.numerator) / hi.denominator - true < 1e-40


def test_no_signalling_tangent_certifies_39_bits_under_quantum_eps():
    r = bm.check_bits(table1(), DELTA, UNIFORM, Fraction(3, 2), Fraction(1, 4), "quantum")
    assert r.bits == 39
    assert r.i_hat == Fraction(70, 29) and round(float(r.i_low), 5) == 2.03644
    float_bits = -3016 * math.log2(1.5 - float(r.i_low) / 4)
    assert 39 <= float_bits < 40


def test_largest_k_is_maximal():
    r = bm.check_bits(table1(), DELTA, UNIFORM, Fraction(3, 2), Fraction(1, 4))
    g = r.g_hi
    assert g**3016 * 2**r.bits <= 1 < g**3016 * 2 ** (r.bits + 1)


def test_no_signalling_model_certifies_zero_bits_below_two():
    r = bm.check_bits(table1(), DELTA, UNIFORM, Fraction(3, 2), Fraction(1, 4), "no-signalling")
    assert r.bits == 0 and r.i_low < 2 and "0 bits" in r.reason


def test_curve_b_tangent_certifies_40_bits():
    nu, lam = curve_b_tangent_at(2.03644)
    r = bm.check_bits(table1(), DELTA, UNIFORM, nu, lam)
    assert r.bits == 40  # spec P6: curve b alone gives only 40.6 (40.57 at I_low = 2.03644)


def test_negative_lambda_is_rejected():
    with pytest.raises(Reject, match="negative"):
        kb.check_bits(table1(), DELTA, UNIFORM, Fraction(3, 2), Fraction(-1, 4))


def test_tangent_not_positive_is_rejected():
    with pytest.raises(Reject, match="<= 0"):
        kb.check_bits(table1(), DELTA, UNIFORM, Fraction(1, 2), Fraction(1, 4))


def test_tangent_at_or_above_one_gives_zero_bits():
    r = bm.check_bits(table1(), DELTA, UNIFORM, Fraction(2), Fraction(0))
    assert r.bits == 0


def test_larger_delta_never_gives_fewer_bits():
    low = bm.check_bits(table1(), Fraction(1, 10**6), UNIFORM, Fraction(3, 2), Fraction(1, 4)).bits
    high = bm.check_bits(table1(), Fraction(1, 10), UNIFORM, Fraction(3, 2), Fraction(1, 4)).bits
    assert low < 39 < high


def _exact_largest_k(g: Fraction, n: int) -> int:
    """The model: the largest k with g^n 2^k <= 1 on integers (p^n 2^k <= q^n)."""
    p, q = (g**n).numerator, (g**n).denominator
    k = max(q.bit_length() - p.bit_length(), 0)
    while k > 0 and p << k > q:
        k -= 1
    while p << (k + 1) <= q:
        k += 1
    return k


@pytest.mark.parametrize("g,n", [(Fraction(99, 100), 5000), (Fraction(2**64 - 1, 2**64), 70000),
                                 (Fraction(7, 11), 3), (Fraction(1, 2), 3016), (Fraction(1, 4), 7),
                                 (Fraction(3, 4), 1), (Fraction(2**256 - 1, 2**256), 10**4)])
def test_interval_log_k_agrees_with_the_exact_integer_check(g, n):
    assert largest_k(g, n) == _exact_largest_k(g, n)


def test_large_n_uses_interval_logs_and_stays_fast():
    big = {k: v * 10**5 for k, v in table1().items()}
    r = bm.check_bits(big, DELTA, UNIFORM, Fraction(3, 2), Fraction(1, 4))
    assert abs(r.bits - (-301600000 * math.log2(1.5 - float(r.i_low) / 4))) < 1


def test_p_value_bound():
    bound = kb.p_value_upper(table1(), UNIFORM)
    mpmath.mp.dps = 50
    true = mpmath.exp(-3016 * (mpmath.mpf(70) / 29 - 2) ** 2 / 72)
    assert mpmath.mpf(bound.numerator) / bound.denominator >= true
    assert float(f"{float(bound):.3g}") == 7.67e-4
    assert Fraction(767, 10**6) < bound <= Fraction(77, 100000)  # proves the paper's 0.00077, not 0.000767


def test_p_value_is_one_without_violation():
    c = table1()
    c[1, 1, 0, 1], c[1, 1, 0, 0] = 0, 408  # the 11 row now agrees: I_hat < 2
    assert kb.chsh_estimate(c, UNIFORM) < 2
    assert kb.p_value_upper(c, UNIFORM) == 1


@pytest.mark.parametrize("mutate,match", [
    (lambda c: c.__setitem__((0, 1, 1, 0), -1), r"counts\[x=0,y=1,a=1,b=0\]: expected a non-negative integer"),
    (lambda c: c.__setitem__((0, 1, 1, 0), 2.5), r"counts\[x=0,y=1,a=1,b=0\]"),
    (lambda c: c.__setitem__((0, 1, 1, 0), True), r"counts\[x=0,y=1,a=1,b=0\]"),
    (lambda c: c.pop((1, 0, 0, 1)), r"counts\[x=1,y=0,a=0,b=1\]: missing"),
    (lambda c: [c.__setitem__((1, 1, a, b), 0) for a in (0, 1) for b in (0, 1)], r"counts\[x=1,y=1\]: input pair has no trials"),
    (lambda c: c.__setitem__((2, 0, 0, 0), 1), "unknown key"),
])
def test_bad_counts_name_the_field(mutate, match):
    c = table1()
    mutate(c)
    with pytest.raises(CertifyError, match=match):
        kb.check_bits(c, DELTA, UNIFORM, Fraction(3, 2), Fraction(1, 4))


@pytest.mark.parametrize("delta", [Fraction(0), Fraction(1), Fraction(-1, 2), Fraction(3, 2), 0.01])
def test_delta_outside_unit_interval(delta):
    with pytest.raises(CertifyError, match="delta"):
        kb.check_bits(table1(), delta, UNIFORM, Fraction(3, 2), Fraction(1, 4))


def test_input_distribution_must_sum_to_one_and_match_q():
    bad = dict(UNIFORM, **{})
    bad[0, 0] = Fraction(1, 3)
    with pytest.raises(CertifyError, match="p_xy: probabilities sum to 13/12"):
        kb.check_bits(table1(), DELTA, bad, Fraction(3, 2), Fraction(1, 4))
    with pytest.raises(CertifyError, match=r"q: 1/5 disagrees with min P\(xy\) = 1/4"):
        bm.check_bits(table1(), DELTA, UNIFORM, Fraction(3, 2), Fraction(1, 4), q=Fraction(1, 5))
    zero = {(0, 0): Fraction(1), (0, 1): Fraction(0), (1, 0): Fraction(0), (1, 1): Fraction(0)}
    with pytest.raises(CertifyError, match=r"p_xy\[01\]"):
        kb.chsh_estimate(table1(), zero)


def test_unknown_model():
    with pytest.raises(CertifyError, match="model"):
        bm.epsilon_upper(3016, Fraction(1, 4), DELTA, "classical")


@pytest.mark.parametrize("model", bm.MODELS)
def test_bits_models_mirrors_the_kernels_clamp(model):
    # PR-box counts (CHSH = 4): I_hat - eps is above the quantum and local I_max, so the kernel
    # reads the line at its clamp, the LOWER enclosure of 2 sqrt 2 or exactly 2; below 4 (NS) not
    pr = {(x, y, a, b): (500 if (a ^ b) == x * y else 0) for x, y, a, b in kb.KEYS}
    nu, lam = (Fraction(3, 2), Fraction(1, 4)) if model != "local" else (Fraction(2), Fraction(0))
    r = bm.check_bits(pr, DELTA, UNIFORM, nu, lam, model)
    clamp = {"quantum": kb.sqrt_interval(Fraction(8))[0], "no-signalling": 4, "local": 2}[model]
    assert bm.i_max_lower(model) == clamp and r.i_low == min(r.i_hat - r.eps_hi, clamp)
    assert (r.i_low == clamp) is (model != "no-signalling")
    assert r.bits == kb.check_bits(pr, DELTA, UNIFORM, nu, lam, bm.exact_i_max(model))
    assert r.g_hi == kb.up(nu - lam * r.i_low, 256) and bm.i_max_lower(model) <= bm.i_max_upper(model)


def test_an_undecided_log_interval_falls_back_to_at_most_one_below(monkeypatch):
    # if even the 1024-bit enclosure straddles an integer, floor(n L_lo) is returned: it holds
    # (g^n 2^k <= 1) and is the largest or one below it; widened enclosures force that path
    exact = _exact_largest_k(Fraction(99, 100), 5000)
    real = ki.log2_interval
    for shift in (Fraction(0), Fraction(1, 2), Fraction(9, 10)):  # where floor(n log2(1/g)) sits in the window
        monkeypatch.setattr(ki, "log2_interval", lambda g, prec: (real(g, prec)[0] - shift / 5000,
                                                                   real(g, prec)[1] + (1 - shift) / 5000))
        k = largest_k(Fraction(99, 100), 5000)
        assert exact - 1 <= k <= exact and Fraction(99, 100) ** 5000 * 2**k <= 1
