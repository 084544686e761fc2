"""Attacks on "eat.bits" (certify/kernel/eat.py), built from the committed claims in proofs/vn/eat/:
every false claim must be refused (status "false") or be malformed (CertifyError), never verified.

Laws (hypothesis): for any count table, the certified k never exceeds n log2|A| = n (|A| = 2:
the clamp of t at the lower enclosure of 2 sqrt 2 keeps t <= H(A|X=0,E) <= 1, although the
theorem's O_i = A_i B_i would allow 2n), and k is monotone in the observed score (more wins, same n).
"""

import copy
import json
import os
import time
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.errors import CertifyError
from certify.kernel import check_certificate, problem_sha256
from certify.kernel.eat import tradeoff_line
from certify.kernel.format import format_rational

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EAT = os.path.join(ROOT, "proofs", "vn", "eat")


def load(stem="table1-x1000"):
    with open(os.path.join(EAT, f"{stem}.json")) as f:
        return json.load(f)


BASE = load()


def recheck(cert, value=None, **problem):
    cert = copy.deepcopy(cert)
    cert["claim"]["problem"].update(problem)
    if value is not None:
        cert["claim"]["value"] = str(value)
    cert["problem_sha256"] = problem_sha256(cert["claim"]["problem"])
    return check_certificate(cert, "f")


def refused(cert, value=None, **problem):
    try:
        verdict = recheck(cert, value, **problem)
    except CertifyError:
        return True
    return verdict.status == "false"


def test_baseline_verifies():
    verdict = check_certificate(BASE, "f")
    assert verdict.ok and verdict.low == int(BASE["claim"]["value"]) > 0


def test_one_bit_too_many_is_refused():
    k = int(BASE["claim"]["value"])
    verdict = recheck(BASE, k + 1)
    assert verdict.status == "false" and f"not >= {k + 1}" in verdict.reason
    assert recheck(BASE, k).ok
    for relation in ("<=", "=="):
        cert = copy.deepcopy(BASE)
        cert["claim"]["relation"] = relation
        assert check_certificate(cert, "f").status == "false"  # a lower bound only


def test_line_shifted_by_1e_12_is_refused():
    """The claimed line at the kernel's own (a*, b*) verifies; 1e-12 above it, in a or in b, does not."""
    mt = BASE["claim"]["problem"]["min_tradeoff"]
    a, b = tradeoff_line(mt, BASE["evidence"], "f")
    tiny = Fraction(1, 10**12)
    for line, ok in (((a, b), True), ((a + tiny, b), False), ((a, b + tiny), False), ((a - 2 * tiny, b + tiny), False),
                     ((a - 3 * tiny, b + tiny), True), ((a, -tiny), False)):  # b + t, a - 3t touches at S = 3
        moved = dict(mt, line=[format_rational(line[0]), format_rational(line[1])])
        verdict = recheck(BASE, 0, min_tradeoff=moved)
        assert verdict.ok is ok, (line, verdict.reason)


def test_tampered_node_dual_is_refused():
    cert = copy.deepcopy(BASE)
    node = cert["evidence"]["nodes"][3]
    nu = Fraction(node["nu"])
    node["nu"] = format_rational(nu - Fraction(1, 10**12))  # a line 1e-12 higher at this node
    verdict = check_certificate(cert, "f")
    assert verdict.status == "false" and "dual identity fails" in verdict.reason


def test_node_intervals_must_be_the_gauss_radau_nodes():
    cert = copy.deepcopy(BASE)
    nodes = cert["evidence"]["nodes"]
    nodes[0], nodes[1] = nodes[1], nodes[0]
    assert check_certificate(cert, "f").status == "false"
    cert = copy.deepcopy(BASE)
    cert["evidence"]["nodes"][2]["t"] = cert["evidence"]["nodes"][1]["t"]
    assert check_certificate(cert, "f").status == "false"
    cert = copy.deepcopy(BASE)
    del cert["evidence"]["nodes"][-1]
    with pytest.raises(CertifyError, match="node certificates"):
        check_certificate(cert, "f")
    cert = copy.deepcopy(BASE)
    cert["claim"]["problem"]["min_tradeoff"]["nodes"] = 7  # fewer nodes: other weights, other intervals
    cert["problem_sha256"] = problem_sha256(cert["claim"]["problem"])
    with pytest.raises(CertifyError):
        check_certificate(cert, "f")


def test_tampered_parameters_are_refused():
    k = int(BASE["claim"]["value"])
    n = BASE["claim"]["problem"]["rounds"]
    assert refused(BASE, k, eps_smooth="1/1000000")  # a stricter smoothing costs bits
    assert refused(BASE, k, eps_accept="1/1000000")
    assert refused(BASE, k, rounds=n + 1)  # gamma = 1: all rounds are the table's
    spot = recheck(BASE, 0, gamma="1/10", rounds=10 * n)  # the table as the test rounds of 10 n rounds
    k10 = int(spot.low)
    assert spot.ok and k10 > 0 and recheck(BASE, k10, gamma="1/10", rounds=10 * n).ok
    assert refused(BASE, k10, gamma="1/5", rounds=10 * n)  # a larger gamma: the wins mean a lower CHSH
    assert refused(BASE, k10, gamma="1/10", rounds=20 * n)  # more rounds, same wins: a lower CHSH
    fewer = [[r[0], r[1], r[2], r[3] + 1000, r[4], r[5] - 1000] if r[0] * r[1] == 0 else r
             for r in BASE["claim"]["problem"]["counts"]]  # 3000 wins fewer, same n
    assert refused(BASE, k, counts=fewer)
    cert = copy.deepcopy(BASE)
    cert["claim"]["problem"]["rounds"] = n // 2  # problem changed, hash not updated
    assert check_certificate(cert, "f").status == "false"


def test_pr_box_counts_never_give_more_than_n_bits():
    """Counts no quantum device produces (CHSH = 4): the clamp keeps t at the Tsirelson value of the
    line, so k <= n; unclamped, t = a + 4 b would be ~1.96 and give ~1.96 n."""
    n = 4 * 250_000_000
    pr = [[0, 0, n // 8, 0, 0, n // 8], [0, 1, n // 8, 0, 0, n // 8], [1, 0, n // 8, 0, 0, n // 8],
          [1, 1, 0, n // 8, n // 8, 0]]
    start = time.perf_counter()
    verdict = recheck(BASE, 0, counts=pr, rounds=n)
    assert time.perf_counter() - start < 5
    assert verdict.ok and 0.7 * n < verdict.low <= n
    assert recheck(BASE, n + 1, counts=pr, rounds=n).status == "false"


def test_vacuous_and_huge_n_are_fast():
    rows = BASE["claim"]["problem"]["counts"]
    for factor in (1, 10**6):  # n = 3.016e6 ... 3.016e12
        big = [[r[0], r[1], *(v * factor for v in r[2:])] for r in rows]
        start = time.perf_counter()
        verdict = recheck(BASE, 0, counts=big, rounds=sum(sum(r[2:]) for r in big))
        assert verdict.ok and time.perf_counter() - start < 5
    noisy = [[x, y, 1, 1, 1, 1] for x in (0, 1) for y in (0, 1)]  # CHSH = 0: nothing to certify
    assert recheck(BASE, 0, counts=noisy, rounds=16).low == 0
    assert recheck(BASE, 1, counts=noisy, rounds=16).status == "false"


counts_rows = st.lists(st.integers(0, 4000), min_size=16, max_size=16)


def table(cells):
    rows = [[x, y, *cells[4 * (2 * x + y): 4 * (2 * x + y) + 4]] for x in (0, 1) for y in (0, 1)]
    for r in rows:
        r[2] += 1  # every input pair has a trial
    return rows


@settings(max_examples=12, deadline=None)
@given(counts_rows, st.integers(1, 10**6), st.integers(0, 3))
def test_certified_bits_never_exceed_n_and_grow_with_the_score(cells, scale, pair):
    rows = [[r[0], r[1], *(v * scale for v in r[2:])] for r in table(cells)]
    n = sum(sum(r[2:]) for r in rows)
    low = recheck(BASE, 0, counts=rows, rounds=n).low
    assert 0 <= low <= n
    row = rows[pair]  # move one losing outcome to a winning one: same n, one more win
    win, lose = ((2, 3), (5, 4)) if row[0] * row[1] == 0 else ((3, 2), (4, 5))
    for w, lo in zip(win, lose):
        if row[lo] > 0:
            row[lo] -= 1
            row[w] += 1
            break
    else:
        return
    assert recheck(BASE, 0, counts=rows, rounds=n).low >= low
