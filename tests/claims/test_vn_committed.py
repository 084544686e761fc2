"""Issue 13's H(AB) and DIQKD bullets asserted on the committed certificates in proofs/vn/ (fast: kernel
re-checks only; the slow tests in test_vn_rates.py regenerate them from the solvers)."""

import json
import math
import os
from fractions import Fraction

import pytest

from certify.certificate import checked
from certify.vn.diqkd import analytic_threshold

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VN = os.path.join(ROOT, "proofs", "vn")


def h(p: float) -> float:
    return -p * math.log2(p) - (1 - p) * math.log2(1 - p)


TSIRELSON_AB = 1 + h(math.cos(math.pi / 8) ** 2)  # 1.600876 (issue 13)


def verdict_of(name):
    with open(os.path.join(VN, name)) as f:
        cert = json.load(f)
    verdict = checked(cert, name)
    assert verdict.ok and verdict.kind == "vn.bound", verdict.reason
    return cert, float(verdict.low)


def test_h_ab_approaches_one_plus_h_cos2_pi_8_from_below():
    assert TSIRELSON_AB == pytest.approx(1.600876, abs=1e-6)
    lows = []
    for name in ("chsh_H_AB_S2.8270_m8.json", "chsh_H_AB_S2.8284_m12.json", "chsh_H_AB_S2.8284_m16.json"):
        cert, low = verdict_of(name)
        assert cert["claim"]["problem"]["entropy"] == {"parties": [0, 1], "inputs": [0, 0]}
        assert low < TSIRELSON_AB  # a bound above the Tsirelson-point value would be unsound
        lows.append(low)
    assert lows == sorted(lows)  # S -> 2 sqrt 2 and m grows: the certified value rises
    assert TSIRELSON_AB - lows[-1] < 0.011  # measured 1.590492 (m = 16), gap 1.04e-2: quadrature error


def test_committed_diqkd_threshold_is_below_and_within_3e_3_of_the_analytic_one():
    cert, low = verdict_of("diqkd_depolarising_threshold_m8.json")
    q = Fraction(cert["claim"]["problem"]["depolarising"])
    assert low > 0  # the certified rate H(A|X=0,E) - h(Q) is positive at Q_c
    assert float(q) < analytic_threshold() < float(q) + 3e-3  # Q_c = 0.0714375, Q* = 0.0714918
