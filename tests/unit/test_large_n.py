"""Experiments of 10^9 - 10^12 rounds check in the log domain (issue 10 section 3).

The bits chain decides "n log2(1/G_hi) >= k" with interval logs and the p-value chain
bounds exp(x) through EXP_FLOOR, so neither builds G_hi^n nor exp(|x|). Reference values
come from mpmath at 60 digits; time and memory are measured in a subprocess with limits.
"""

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest

from certify import bits_models as bm
from certify.kernel import bits as kb
from certify.kernel import check_certificate, problem_sha256
from certify.kernel.intervals import EXP_FLOOR

ROOT = Path(__file__).resolve().parents[2]
BITS = ROOT / "proofs" / "pironio2010" / "bits"
TABLE1 = [[0, 0, 293, 94, 70, 295], [0, 1, 298, 70, 74, 309], [1, 0, 283, 69, 64, 291], [1, 1, 68, 340, 309, 89]]
SCALES = (1, 10**6, 10**9)  # n = 3016, 3.016e9, 3.016e12 (every count <= 10^12)
DELTA, UNIFORM = Fraction(1, 100), {pair: Fraction(1, 4) for pair in kb.PAIRS}


def _mp(v: Fraction):
    return mpmath.mpf(v.numerator) / v.denominator


def _rows(scale):
    return [row[:2] + [v * scale for v in row[2:]] for row in TABLE1]


def _counts(rows):
    return {(r[0], r[1], a, b): r[2 + 2 * a + b] for r in rows for a in (0, 1) for b in (0, 1)}


def _cert(name, rows, value):
    cert = json.loads((BITS / name).read_text())
    cert["claim"]["problem"]["counts"] = rows
    cert["claim"]["value"] = value
    cert["problem_sha256"] = problem_sha256(cert["claim"]["problem"])
    return cert


def _mp_bits(rows):
    """The largest k with n log2(1/G_hi) >= k, G_hi from the committed 1+AB tangents, at 60 digits."""
    cert = json.loads((BITS / "table1-level-1+AB.json").read_text())
    best = None
    for tangent in cert["evidence"]["tangents"].values():
        nu, lam = (Fraction(*map(int, (tangent["evidence"][k] + "/1").split("/")[:2])) for k in ("nu", "lambda"))
        r = bm.check_bits(_counts(rows), DELTA, UNIFORM, nu, lam)
        with mpmath.workdps(60):
            k = int(mpmath.floor(r.n * -mpmath.log(_mp(r.g_hi), 2)))
        assert k == r.bits
        best = k if best is None else min(best, k)
    return best


@pytest.mark.parametrize("scale", SCALES)
def test_bits_at_large_n_match_mpmath_and_one_more_is_rejected(scale):
    rows = _rows(scale)
    k = _mp_bits(rows)
    verdict = check_certificate(_cert("table1-level-1+AB.json", rows, str(k)), "c")
    assert verdict.ok and verdict.value == k
    assert not check_certificate(_cert("table1-level-1+AB.json", rows, str(k + 1)), "c").ok
    if scale == 1:
        assert k == 42
    else:  # eps -> 0: the tangents (placed at I = 2.036) read at I_hat = 70/29 give ~0.178 bits
        assert 0.17 * 3016 * scale < k < 0.2473 * 3016 * scale  # per round, below f(70/29) = 0.2473


def test_p_value_at_n_3016_matches_mpmath():
    bound = kb.p_value_upper(_counts(TABLE1), UNIFORM)
    with mpmath.workdps(60):
        true = mpmath.exp(-3016 * (mpmath.mpf(70) / 29 - 2) ** 2 / 72)
        assert true <= _mp(bound) <= true * (1 + mpmath.mpf(10) ** -40)


@pytest.mark.parametrize("scale", SCALES[1:])
def test_p_value_beyond_exp_floor_is_a_valid_tiny_bound(scale):
    # x = -n (I_hat - 2)^2 / 72 ~ -7e6 (-7e9): the bound is exp(EXP_FLOOR), above exp(x) and
    # below 10^-4000, so every true claim a certificate can spell (>= 10^-4000) verifies.
    rows = _rows(scale)
    bound = kb.p_value_upper(_counts(rows), UNIFORM)
    with mpmath.workdps(60):
        assert mpmath.exp(-3016 * scale * (mpmath.mpf(70) / 29 - 2) ** 2 / 72) < _mp(bound)
        assert mpmath.exp(EXP_FLOOR) <= _mp(bound) <= mpmath.exp(EXP_FLOOR) * (1 + mpmath.mpf(10) ** -40)
    assert bound < Fraction(1, 10**4000)
    verdict = check_certificate(_cert("table1-pvalue-local.json", rows, "1/" + "1" + "0" * 3999), "c")
    assert verdict.ok and verdict.high == bound


def test_p_value_at_n_3e12_with_a_small_violation_matches_mpmath():
    # I_hat = 2 + d with d ~ 5e-6 at n = 3e12: x ~ -1.04, far above EXP_FLOOR, so the bound is tight.
    n_pair, e = 750_000_000_000, 375_000_937_500  # (N(a=b) - N(a!=b)) / n_pair = (2 + d) / 4
    rows = [[x, y] + ([(n_pair - e) // 2, (n_pair + e) // 2, 0, 0] if x * y else [(n_pair + e) // 2, (n_pair - e) // 2, 0, 0])
            for x in (0, 1) for y in (0, 1)]
    counts = _counts(rows)
    i_hat = kb.chsh_estimate(counts, UNIFORM)
    assert 2 < i_hat < 2 + Fraction(1, 10**5)
    bound = kb.p_value_upper(counts, UNIFORM)
    with mpmath.workdps(60):
        true = mpmath.exp(-4 * n_pair * (_mp(i_hat) - 2) ** 2 / 72)
        assert 0.3 < true < 0.4 and true <= _mp(bound) <= true * (1 + mpmath.mpf(10) ** -40)


_PROBE = r"""
import json, resource, sys, time
from certify.kernel import check_certificate
certs = json.loads(sys.stdin.read())
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
out = []
for cert in certs:
    start = time.process_time()  # CPU seconds: the shared machine's load does not count
    verdict = check_certificate(cert, "c")
    out.append([verdict.status, time.process_time() - start])
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so it would count the parent's (pytest's) size
hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
print(json.dumps([out, int(hwm.split()[1]) // 1024]))
"""


def test_large_n_checks_in_under_a_second_and_100_mb():
    certs = []
    for scale in SCALES:
        rows = _rows(scale)
        certs.append(_cert("table1-level-1+AB.json", rows, "42"))
        certs.append(_cert("table1-pvalue-local.json", rows, "12/15625"))
    run = subprocess.run([sys.executable, "-c", _PROBE], input=json.dumps(certs), capture_output=True, text=True,
                         timeout=60, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-400:]
    results, rss_mb = json.loads(run.stdout)
    assert [status for status, _ in results] == ["verified"] * len(certs)
    assert max(seconds for _, seconds in results) < 1.0, results
    assert rss_mb < 100, rss_mb
    print("timings (s):", [round(s, 3) for _, s in results], "max RSS (MB):", rss_mb)
