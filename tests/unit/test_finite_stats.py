"""Estimates and float curves of certify.finite_stats, and Fig. 3 thresholds (certify.papers.pironio2010.fig3)."""

import math
from fractions import Fraction
from pathlib import Path

import pytest

from certify import finite_stats as fs
from certify.counts import make_table, read_counts
from certify.errors import CertifyError
from certify.kernel.bits import PAIRS
from certify.papers.pironio2010 import fig3

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def table1():
    return read_counts(ROOT / "certify" / "data" / "pironio2010_table1.csv")


def test_standard_error_is_sample_std_of_per_trial_estimator(table1):
    # every trial contributes +-4 with uniform inputs: s^2 = (16 - I_hat^2) n / (n - 1)
    i = 70 / 29
    assert fs.standard_error(table1) == pytest.approx(math.sqrt((16 - i * i) * 3016 / 3015 / 3016), rel=1e-12)


def test_agreement_is_exact(table1):
    assert fs.agreement(table1) == {(0, 0): Fraction(588, 752), (0, 1): Fraction(607, 751),
                                    (1, 0): Fraction(574, 707), (1, 1): Fraction(157, 806)}


def test_p_xy_stored_in_table_is_used():
    counts = {(x, y, a, b): 1 + a * b * (1 + x + 2 * y) for x, y in PAIRS for a in (0, 1) for b in (0, 1)}
    counts[0, 0, 0, 0] = 10
    p = {(0, 0): Fraction(1, 2), (0, 1): Fraction(1, 6), (1, 0): Fraction(1, 6), (1, 1): Fraction(1, 6)}
    t = make_table(counts, p)
    assert fs.i_hat(t) == fs.i_hat(counts, p) != fs.i_hat(counts)


def test_epsilon_and_p_value_floats():
    assert fs.epsilon(3016, 0.25, 0.01) == pytest.approx(0.377348693, abs=1e-9)
    assert fs.epsilon(3016, 0.25, 0.01, "no-signalling") == pytest.approx(8 * math.sqrt(2 * math.log(100) / 3016))
    assert fs.p_value_local(3016, 70 / 29, 0.25) == pytest.approx(7.6747e-4, rel=1e-4)
    assert fs.p_value_local(3016, 1.9, 0.25) == 1.0


def test_curves_b_and_c():
    assert fs.f_curve_b(2) == 0.0 and fs.f_no_signalling(2) == 0.0
    assert fs.f_curve_b(2 * math.sqrt(2)) == pytest.approx(1.0)
    assert fs.f_no_signalling(4) == pytest.approx(-math.log2(0.5))
    assert fs.f_no_signalling(2.414) < fs.f_curve_b(2.414) < 0.2473  # c below b below a (spec P2)


@pytest.mark.parametrize("i0", [2.0, 2.03644, 2.2, 2.5, 2.8])
def test_curve_b_tangent_lies_above_curve_b(i0):
    nu, lam = fs.curve_b_tangent_at(i0)
    assert lam >= 0
    grid = [2 + k * (2 * math.sqrt(2) - 2) / 400 for k in range(401)]
    gaps = [float(nu) - float(lam) * i - (1 + math.sqrt(max(2 - i * i / 4, 0))) / 2 for i in grid]
    assert min(gaps) >= -1e-15
    at = min(i0, 2 * math.sqrt(2) - 1e-9)
    assert float(nu) - float(lam) * at - (1 + math.sqrt(2 - at * at / 4)) / 2 < 1e-9  # it touches at i0


def test_bits_from_tangent_and_entropy_bound():
    assert fs.bits_from_tangent(3016, 2.0364444, 1.5, 0.25) == pytest.approx(-3016 * math.log2(1.5 - 2.0364444 / 4))
    assert fs.bits_from_tangent(3016, 1.9, 1.5, 0.25) == 0.0
    assert fs.entropy_bound(3016, 70 / 29, 0.25, 0.01, fs.f_curve_b) == pytest.approx(40.568, abs=1e-3)
    assert fs.entropy_bound(3016, 70 / 29, 0.25, 0.01, fs.f_no_signalling, "no-signalling") == 0.0


def test_input_entropy():
    assert fs.input_entropy(0.25) == pytest.approx(2.0)
    assert fs.input_entropy(0.0) == 0.0


def test_bad_counts_reach_the_kernel_checks():
    counts = {(x, y, a, b): 1 for x, y in PAIRS for a in (0, 1) for b in (0, 1)}
    counts[0, 0, 0, 0] = -1
    with pytest.raises(CertifyError, match=r"counts\[x=0,y=0,a=0,b=0\]"):
        fs.i_hat(counts)


def test_fig3_thresholds_with_curve_b():
    marks = fig3.thresholds()
    # these two only need f(I) > 0 iff I > 2: closed form n = 2 ln(1/delta) ((1/q + I_max) / 0.414)^2
    assert marks["uniform"] == pytest.approx(2 * math.log(100) * ((4 + 2 * math.sqrt(2)) / 0.414) ** 2, rel=1e-9)
    assert marks["no-signalling"] == pytest.approx(2 * math.log(100) * (8 / 0.414) ** 2, rel=1e-9)
    assert 2.4e3 < marks["uniform"] < 2.6e3 and 3.3e3 < marks["no-signalling"] < 3.5e3
    # biased: eps -> sqrt(2 ln 100)/11 + 2 sqrt 2 sqrt(2 ln 100 / n)
    assert marks["biased"] == pytest.approx((2 * math.sqrt(2) * math.sqrt(2 * math.log(100))
                                             / (0.414 - math.sqrt(2 * math.log(100)) / 11)) ** 2, rel=1e-9)
    # curve b lies below curve a, so its net-entropy crossing comes later than the paper's 3e7
    assert 3e7 < marks["net"] < 6e7


def test_fig3_net_entropy_changes_sign_once():
    xs = [10 ** (4 + k / 10) for k in range(60)]
    signs = [fig3.net_entropy(n) > 0 for n in xs]
    assert signs[0] is False and signs[-1] is True
    assert sum(a != b for a, b in zip(signs, signs[1:])) == 1


def test_fig3_takes_the_curve_as_argument():
    stronger = lambda i: 1.2 * fs.f_curve_b(i)
    assert fig3.thresholds(stronger)["net"] < fig3.thresholds()["net"]
    assert fig3.uniform_bound(1e4, stronger) == pytest.approx(1.2 * fig3.uniform_bound(1e4))


def test_fig3_draws_png(tmp_path):
    path = tmp_path / "fig3.png"
    marks = fig3.draw(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert set(marks) == {"uniform", "biased", "no-signalling", "net"}
