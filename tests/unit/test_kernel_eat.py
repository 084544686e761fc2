"""Kind "eat.bits" (certify/kernel/eat.py): the EAT bound of DFR Thm 4.4 recomputed in floats and
mpmath against the kernel, the min-tradeoff line derived from the node duals, bad input."""

import copy
import json
import math
import os
from fractions import Fraction

import pytest

from certify.errors import CertifyError
from certify.kernel import check_certificate, problem_sha256
from certify.kernel.eat import tradeoff_line
from certify.kernel.format import format_rational, parse_rational

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EAT = os.path.join(ROOT, "proofs", "vn", "eat")


def load(stem):
    with open(os.path.join(EAT, f"{stem}.json")) as f:
        return json.load(f)


def recheck(cert, **problem):
    cert = copy.deepcopy(cert)
    cert["claim"]["problem"].update(problem)
    cert["problem_sha256"] = problem_sha256(cert["claim"]["problem"])
    return check_certificate(cert, "f")


def model_bits(problem, a, b):
    """DFR Thm 4.4 with the kernel's conventions, in mpmath (60 digits): floor(n t - v sqrt n)."""
    import mpmath
    mpmath.mp.dps = 60
    n, gamma = problem["rounds"], mpmath.mpf(Fraction(problem["gamma"]).numerator) / Fraction(problem["gamma"]).denominator
    wins = sum(r[2] + r[5] if r[0] * r[1] == 0 else r[3] + r[4] for r in problem["counts"])
    a, b = mpmath.mpf(a.numerator) / a.denominator, mpmath.mpf(b.numerator) / b.denominator
    t = min(a + b * (8 * mpmath.mpf(wins) / n / gamma - 4), a + b * mpmath.sqrt(8))
    vertex = (a - 4 * b, a - 4 * b + 8 * b / gamma)
    grad = max(max(abs(v) for v in vertex), vertex[1] - vertex[0])
    eps = [mpmath.mpf(Fraction(problem[k]).numerator) / Fraction(problem[k]).denominator
           for k in ("eps_smooth", "eps_accept")]
    v = 2 * (mpmath.log(9, 2) + mpmath.ceil(grad)) * mpmath.sqrt(1 - 2 * mpmath.log(eps[0] * eps[1], 2))
    return max(int(mpmath.floor(n * t - v * mpmath.sqrt(n))), 0)


@pytest.mark.parametrize("stem, bits", [("table1", 0), ("table1-x100", None), ("table1-x265", None),
                                        ("table1-x280", None), ("table1-x1000", None)])
def test_committed_claims_verify_and_match_the_theorem_in_mpmath(stem, bits):
    cert = load(stem)
    verdict = check_certificate(cert, stem)
    assert verdict.ok, verdict.reason
    problem = cert["claim"]["problem"]
    a, b = (parse_rational(v, "line") for v in problem["min_tradeoff"]["line"])
    assert verdict.low == model_bits(problem, a, b)  # the kernel's interval floor equals the 60-digit one
    if bits is not None:
        assert verdict.low == bits


def test_table1_gives_no_bits_and_1000_times_more_rounds_beat_the_azuma_chain():
    assert check_certificate(load("table1"), "t").low == 0  # vs 42 for Pironio's chain (eq. (3))
    big = check_certificate(load("table1-x1000"), "t").low
    assert 800_000 < big < 3_016_000  # the chain gives ~0.237 n = 715,000 at n = 3,016,000 (fig3)


def test_line_is_below_the_bff_bound_at_its_tangent_point():
    """a* + b* S0 is the BFF sum without the clamp at S0: at most the vn.bound value there, and
    below the analytic H; the line is a tangent (value close to the curve)."""
    from certify.vn.produce import analytic_chsh
    cert = load("table1-x1000")
    mt = cert["claim"]["problem"]["min_tradeoff"]
    a, b = tradeoff_line(mt, cert["evidence"], "t")
    s0 = Fraction(mt["constraint"]["at"])
    for s in (2.0, 2.2, float(s0), 2.6, 2.8, 2 * math.sqrt(2)):
        assert float(a + b * Fraction(s)) <= analytic_chsh(s) + 1e-12
    assert analytic_chsh(float(s0)) - float(a + b * s0) < 5e-3
    la, lb = (parse_rational(v, "line") for v in mt["line"])
    assert la <= a and lb <= b and la + 3 * lb <= a + 3 * b


def test_huge_n_is_fast_and_bounded_by_n():
    import time
    cert = load("table1-x1000")
    rows = cert["claim"]["problem"]["counts"]
    big = [[r[0], r[1], *(v * 10**6 for v in r[2:])] for r in rows]  # n = 3.016e12
    start = time.perf_counter()
    verdict = recheck(cert, counts=big, rounds=3016 * 10**9)
    assert verdict.ok and time.perf_counter() - start < 5
    assert 0.3 * 3016 * 10**9 < verdict.low <= 3016 * 10**9  # k <= n (H(A|X=0,E) <= 1 at Tsirelson)


def test_spot_checking_gamma_below_one():
    """gamma < 1: the rounds exceed the test rounds; the gradient grows like 1/gamma."""
    cert = load("table1-x1000")
    n = 3016 * 1000
    more = recheck(cert, rounds=10 * n, gamma="1/10")
    assert more.ok and more.low > 0
    a, b = (parse_rational(v, "line") for v in cert["claim"]["problem"]["min_tradeoff"]["line"])
    problem = dict(cert["claim"]["problem"], rounds=10 * n, gamma="1/10")
    assert more.low == model_bits(problem, a, b)


@pytest.mark.parametrize("change, message", [
    ({"rounds": 3016 * 1000 + 1}, "rounds"),  # gamma = 1: every round is a test round
    ({"rounds": 5}, "rounds"),
    ({"gamma": "0"}, "gamma"),
    ({"gamma": "3/2"}, "gamma"),
    ({"eps_smooth": "1"}, "eps_smooth"),
    ({"eps_accept": "0"}, "eps_accept"),
    ({"p_xy": {"00": "1/2", "01": "1/6", "10": "1/6", "11": "1/6"}}, "uniform"),
    ({"rounds": "3016000"}, "integer"),
    ({"delta": "1/100"}, "unknown field"),
])
def test_bad_input_is_one_line_naming_the_field(change, message):
    with pytest.raises(CertifyError, match=message):
        recheck(load("table1-x1000"), **change)


def test_min_tradeoff_problem_must_be_h_a_given_chsh():
    cert = load("table1-x1000")
    mt = copy.deepcopy(cert["claim"]["problem"]["min_tradeoff"])
    mt["entropy"] = {"parties": [1], "inputs": [0]}
    with pytest.raises(CertifyError, match="H\\(A\\|X=0,E\\)"):
        recheck(cert, min_tradeoff=mt)
    mt = copy.deepcopy(cert["claim"]["problem"]["min_tradeoff"])
    mt["line"] = ["0"]
    with pytest.raises(CertifyError, match="line"):
        recheck(cert, min_tradeoff=mt)


def test_value_must_be_a_whole_number_of_bits():
    cert = copy.deepcopy(load("table1-x1000"))
    cert["claim"]["value"] = format_rational(Fraction(1, 2))
    with pytest.raises(CertifyError, match="non-negative integer"):
        check_certificate(cert, "f")


def test_chsh_relabelling_keeps_the_game_and_uniform_inputs_give_s_from_wins():
    """Lemma (symmetry) of the kernel: x -> 1 - x, b -> b xor y maps CHSH wins to wins (so a strategy
    and its relabelling have the same CHSH value, and H(A|X=1,E) of one is H(A|X=0,E) of the other);
    with uniform inputs S = 8 P(win) - 4 (the map from the count table's wins to S in f)."""
    import random
    for a, b, x, y in ((a, b, x, y) for a in (0, 1) for b in (0, 1) for x in (0, 1) for y in (0, 1)):
        assert (a ^ b == x * y) == (a ^ (b ^ y) == (1 - x) * y)
    rng = random.Random(7)
    for _ in range(50):
        p = {(a, b, x, y): rng.random() for a in (0, 1) for b in (0, 1) for x in (0, 1) for y in (0, 1)}
        for x in (0, 1):
            for y in (0, 1):
                z = sum(p[a, b, x, y] for a in (0, 1) for b in (0, 1))
                for a in (0, 1):
                    for b in (0, 1):
                        p[a, b, x, y] /= z
        corr = lambda q, x, y: sum((-1) ** (a ^ b) * q[a, b, x, y] for a in (0, 1) for b in (0, 1))  # noqa: E731
        chsh = lambda q: corr(q, 0, 0) + corr(q, 0, 1) + corr(q, 1, 0) - corr(q, 1, 1)  # noqa: E731
        moved = {(a, b ^ y, 1 - x, y): v for (a, b, x, y), v in p.items()}
        assert abs(chsh(moved) - chsh(p)) < 1e-12
        assert all(abs(sum(moved[a, b, 0, y] for b in (0, 1)) - sum(p[a, b, 1, y] for b in (0, 1))) < 1e-12
                   for a in (0, 1) for y in (0, 1))  # Alice's X = 0 outputs are the old X = 1 outputs
        win = sum(p[a, b, x, y] for (a, b, x, y) in p if a ^ b == x * y) / 4
        assert abs(8 * win - 4 - chsh(p)) < 1e-12


def reading_bits(problem, a, b, log=math.log2, d_o=4, gradient="max"):
    """n t - v sqrt n under one reading of DFR Thm 4.4's constants (floats, for comparison only)."""
    n, gamma = problem["rounds"], float(Fraction(problem["gamma"]))
    wins = sum(r[2] + r[5] if r[0] * r[1] == 0 else r[3] + r[4] for r in problem["counts"])
    a, b = float(a), float(b)
    t = min(a + b * (8 * wins / n / gamma - 4), a + b * math.sqrt(8))
    lo, hi = a - 4 * b, a - 4 * b + 8 * b / gamma  # f at the vertices delta_0 = delta_bottom, delta_1
    grad = {"max": max(abs(lo), abs(hi), hi - lo), "coefficient": 8 * b / gamma, "linear": max(abs(lo), abs(hi)),
            "centred": (hi - lo) / 2}[gradient]
    eps = float(Fraction(problem["eps_smooth"])) * float(Fraction(problem["eps_accept"]))
    v = 2 * (log(1 + 2 * d_o) + math.ceil(grad)) * math.sqrt(1 - 2 * log(eps))
    return n * t - v * math.sqrt(n)


@pytest.mark.parametrize("gamma, factor", [("1", 1), ("1/10", 10)])
def test_kernel_takes_the_most_conservative_reading_of_the_constants(gamma, factor):
    """The readings a transcription could differ on: log base (2 or e), d_O (4 = |A_i B_i|, the register
    whose entropy accumulates, or 2 = Alice's), ||grad f||_inf (the coefficient 8 b / gamma of q(1) as in
    ARV's spot-checking function, the linear extension max |f(delta_c)|, the centred extension
    (Max f - Min f) / 2, or Max f - Min f). The kernel's k is at most every reading's value."""
    cert = load("table1-x1000")
    problem = dict(cert["claim"]["problem"], gamma=gamma, rounds=factor * cert["claim"]["problem"]["rounds"])
    a, b = (parse_rational(v, "line") for v in problem["min_tradeoff"]["line"])
    low = recheck(cert, gamma=gamma, rounds=problem["rounds"]).low
    assert abs(low - reading_bits(problem, a, b)) <= 1  # the kernel's reading, in floats
    for log in (math.log2, math.log):
        for d_o in (2, 4):
            for gradient in ("max", "coefficient", "linear", "centred"):
                assert low <= reading_bits(problem, a, b, log, d_o, gradient) + 1
