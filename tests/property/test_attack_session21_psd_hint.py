"""Session-21 attacks on the PSD hint of npa evidence (`kernel.psd.hinted` / `dominant`).

The hint L claims Z = L L^T + R with R diagonally dominant, R_ii >= 0. Attacks: a hint one unit too strong
(R not dominant by the least amount), L L^T above Z, a hint that should prove a non-PSD Z (impossible:
random non-PSD Z with best-effort hints, and random hints against the exact LDL^T), malformed and huge hints
(refused as malformed before any product, in bounded time and memory: measured in a child process with an
address-space limit, as tests/property/test_adversarial.py does), and the budget shared with the elimination.
"""

import copy
import json
import os
import random
import resource
import subprocess
import sys
from fractions import Fraction as F

import numpy as np
import pytest
from conftest import load_json as load
from conftest import one_party_hinted
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.errors import CertifyError
from certify.kernel import check_certificate
from certify.kernel.format import Reject, format_rational
from certify.kernel.npa import parse_evidence, parse_problem, tangent_of
from certify.kernel.psd import dominant, hinted, integer_psd, scaled
from certify.rounding import psd_hint

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TSIRELSON = os.path.join(ROOT, "proofs", "pironio2010", "npa", "tsirelson-1.json")
LARGE = os.path.join(ROOT, "proofs", "gallego2013", "quantum", "x11111_level2+ABC.json")  # 69 rows



def spelled(factor) -> list:
    return [[format_rational(v) for v in row] for row in factor]


def hinted_cert(path=TSIRELSON):
    cert = load(path)
    npa = parse_problem(cert["claim"]["problem"], "problem")
    z = parse_evidence(cert["evidence"], npa, "evidence")[4][0]
    factor = psd_hint([row[:] for row in z])
    cert["evidence"]["psd_hint"] = [spelled(factor)]
    return cert, npa, z, factor


def row_slack(z, factor, i) -> F:
    """R_ii - sum_{j != i} |R_ij| for R = Z - L L^T, in Fractions."""
    n = len(z)
    r = [z[i][j] - sum(factor[i][k] * factor[j][k] for k in range(min(i, j) + 1)) for j in range(n)]
    return r[i] - sum(abs(r[j]) for j in range(n) if j != i)


@pytest.mark.parametrize("path", [TSIRELSON, LARGE])
def test_a_hint_one_unit_too_strong_is_rejected(path):
    """Lower Z[0][0] and nu together (the identities still hold, the bound gets stronger) by exactly row 0's
    slack: R's row 0 is then dominant with equality and the stronger bound verifies; by 10^-40 more it is not
    dominant and the certificate is rejected, although it differs from a verified one by 10^-40."""
    cert, npa, z, factor = hinted_cert(path)
    slack = row_slack(z, factor, 0)
    assert slack > 0
    nu = F(cert["evidence"]["nu"])
    for extra, accepted in ((F(0), True), (F(1, 10**40), False)):
        evidence = copy.deepcopy(cert["evidence"])
        evidence["nu"] = format_rational(nu - slack - extra)
        evidence["Z"][0][0][0] = format_rational(z[0][0] - slack - extra)
        if accepted:
            assert tangent_of(npa, evidence, "evidence")[0] == nu - slack - extra
        else:
            with pytest.raises(Reject, match=r"psd_hint\[0\]: Z - L L\^T is not diagonally dominant"):
                tangent_of(npa, evidence, "evidence")


def test_l_lt_above_z_is_rejected():
    """L scaled up by 1 + 2^-30 puts L L^T above Z on the diagonal."""
    cert, npa, z, factor = hinted_cert(LARGE)
    bigger = [[v * (1 + F(1, 2**30)) for v in row] for row in factor]
    assert any(row_slack(z, bigger, i) < 0 for i in range(len(z)))
    cert["evidence"]["psd_hint"] = [spelled(bigger)]
    with pytest.raises(Reject, match="not diagonally dominant"):
        tangent_of(npa, cert["evidence"], "evidence")


def test_the_hint_is_used_alone_even_when_z_is_psd():
    """A present hint that fails is a Reject although Z is PSD (elimination would accept): the rule is
    simple (a hint replaces the elimination) and never lets a failed hint fall through to another check."""
    cert, npa, z, _ = hinted_cert()
    assert integer_psd(scaled(z, "z"))
    cert["evidence"]["psd_hint"] = [spelled([[F(0)] * (i + 1) for i in range(len(z))])]  # R = Z: not dominant
    with pytest.raises(Reject, match="not diagonally dominant"):
        tangent_of(npa, cert["evidence"], "evidence")
    assert not check_certificate(cert, "x").ok


def mutate(evidence, how):
    hint = evidence["psd_hint"]
    if how == "not a list":
        evidence["psd_hint"] = {"0": hint[0]}
    elif how == "two blocks for one":
        evidence["psd_hint"] = hint + hint
    elif how == "no blocks":
        evidence["psd_hint"] = []
    elif how == "a row too few":
        hint[0].pop()
    elif how == "a row too many":
        hint[0].append(hint[0][-1] + ["0"])
    elif how == "upper triangle instead":
        hint[0] = [row[::-1] for row in reversed(hint[0])]
    elif how == "a full row":
        hint[0][1] = hint[0][1] + ["0"]
    elif how == "a float":
        hint[0][0][0] = 1.5
    elif how == "a decimal":
        hint[0][0][0] = "1.5"
    elif how == "non-canonical":
        hint[0][0][0] = "2/4"
    elif how == "zero denominator":
        hint[0][0][0] = "1/0"
    elif how == "4000-digit denominators":  # common denominator over 2048 bits: refused before any product
        for i, row in enumerate(hint[0]):
            row[0] = f"1/{10**3999 + 2 * i + 1}"
    elif how == "4000-digit numerators":  # 13,000-bit entries in 69 rows: the hint's work bound
        for i, row in enumerate(hint[0]):
            row[0] = str(10**3999 + i)
    elif how == "null":
        evidence["psd_hint"] = None
    return evidence


MALFORMED = {"not a list": "expected", "two blocks for one": "psd_hint", "no blocks": "psd_hint",
             "a row too few": "psd_hint[0]", "a row too many": "psd_hint[0]", "upper triangle instead": "psd_hint[0]",
             "a full row": "psd_hint[0][1]", "a float": "psd_hint[0][0][0]", "a decimal": "psd_hint[0][0][0]",
             "non-canonical": "psd_hint[0][0][0]", "zero denominator": "psd_hint[0][0][0]",
             "4000-digit denominators": "common denominator exceeds", "4000-digit numerators": "work bound",
             "null": "psd_hint"}


@pytest.mark.parametrize("how", list(MALFORMED))
def test_malformed_hints_are_malformed_not_false(how):
    cert, npa, _, _ = hinted_cert(LARGE if how == "4000-digit numerators" else TSIRELSON)
    evidence = mutate(copy.deepcopy(cert["evidence"]), how)
    with pytest.raises(CertifyError) as info:
        tangent_of(npa, evidence, "evidence")
    assert not isinstance(info.value, Reject)
    assert MALFORMED[how] in str(info.value)


# --- non-PSD Z: no hint can prove it -------------------------------------------------------------------

def non_psd(rng, n):
    """A random rational symmetric Z with a negative eigenvalue (the exact LDL^T agrees)."""
    while True:
        a = np.array([[rng.randint(-6, 6) for _ in range(n)] for _ in range(n)])
        v = np.array([rng.randint(-3, 3) for _ in range(n)])
        z = a @ a.T - rng.randint(1, 40) * np.outer(v, v) + np.diag([rng.randint(0, 2) for _ in range(n)])
        matrix = [[F(int(z[i, j]), 4) for j in range(n)] for i in range(n)]
        if not integer_psd(scaled(matrix, "z")):
            return matrix


def best_effort_hints(matrix, rng):
    """Hints an attacker would try: Cholesky factors of Z + t I (t from the least eigenvalue up), of Z's
    projection on the PSD cone, rounded coarsely and finely, and random ones."""
    n = len(matrix)
    z = np.array([[float(v) for v in row] for row in matrix])
    w, u = np.linalg.eigh(z)
    least = float(w[0])
    candidates = [z + (abs(least) * s + 1e-9) * np.eye(n) for s in (1.0, 1.0001, 2.0)]
    candidates.append(u @ np.diag(np.maximum(w, 1e-9)) @ u.T)
    candidates.append(z + 1e-12 * np.eye(n))
    out = []
    for c in candidates:
        try:
            chol = np.linalg.cholesky(c)
        except np.linalg.LinAlgError:
            continue
        for bits in (4, 20, 52):
            out.append([[F(round(chol[i, j] * 2.0**bits), 2**bits) for j in range(i + 1)] for i in range(n)])
    out.append([[F(rng.randint(-20, 20), rng.randint(1, 5)) for _ in range(i + 1)] for i in range(n)])
    out.append([[F(0)] * (i + 1) for i in range(n)])
    return out


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**9), n=st.integers(1, 9))
def test_no_hint_proves_a_non_psd_matrix(seed, n):
    rng = random.Random(seed)
    matrix = non_psd(rng, n)
    for factor in best_effort_hints(matrix, rng):
        prepared = hinted(matrix, factor, "z")
        assert not dominant(prepared, "int")
        assert not dominant(prepared, "flint")


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 10**9), n=st.integers(1, 6))
def test_dominance_implies_the_exact_ldl_verdict(seed, n):
    """Soundness as a property: whenever a hint passes (either backend), the exact elimination says PSD.
    Small entries make dominant residuals common."""
    rng = random.Random(seed)
    matrix = [[F(0)] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1):
            matrix[i][j] = matrix[j][i] = F(rng.randint(-3, 3), rng.choice([1, 2]))
        matrix[i][i] += rng.randint(0, 6)
    factor = [[F(rng.randint(-2, 2), rng.choice([1, 2])) for _ in range(i + 1)] for i in range(n)]
    prepared = hinted(matrix, factor, "z")
    verdict = dominant(prepared, "int")
    assert dominant(prepared, "flint") is verdict
    if verdict:
        assert integer_psd(scaled(matrix, "z"))


def test_a_real_non_psd_certificate_with_a_hint_is_rejected():
    """Z of a committed certificate lowered by 10^-3 at [0][0] with nu (Z is then not PSD: its least
    eigenvalue is ~1e-7): the producer finds no hint, and the attacker's best ones fail."""
    cert, npa, z, _ = hinted_cert()
    evidence = copy.deepcopy(cert["evidence"])
    evidence["nu"] = format_rational(F(evidence["nu"]) - F(1, 1000))
    evidence["Z"][0][0][0] = format_rational(z[0][0] - F(1, 1000))
    lowered = parse_evidence(evidence, npa, "evidence")[4][0]
    assert not integer_psd(scaled(lowered, "z"))
    assert psd_hint([row[:] for row in lowered]) is None
    for factor in best_effort_hints(lowered, random.Random(1)):
        evidence["psd_hint"] = [spelled(factor)]
        with pytest.raises(Reject):
            tangent_of(npa, evidence, "evidence")


# --- bounded time and memory, in a child process ---------------------------------------------------------

ADDRESS_SPACE = 600 << 20
SECONDS, MEGABYTES = 2.0, 300
CHILD = r"""
import json, resource, sys, time
from certify.kernel.proofs import check_path
start = time.process_time()
verdicts = check_path(sys.argv[1])
print(json.dumps({"verdicts": [[v.status, v.reason] for v in verdicts], "seconds": time.process_time() - start,
                  "mb": int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1]) / 1024}))
"""


def run_check(path) -> dict:
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    done = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, preexec_fn=limit, env=dict(os.environ, PYTHONPATH=ROOT))
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def one_party(tmp, rows, diagonal_bits, hint, name):
    """`conftest.one_party_hinted`'s certificate, written to tmp / name."""
    path = tmp / name
    path.write_text(json.dumps(one_party_hinted(rows, diagonal_bits, hint)), encoding="ascii")
    return path


HOSTILE = {
    # 385 rows of ones (row 0: zero) under a 2^20 diagonal: R = Z - L L^T dominant, a TRUE claim just under
    # the hint's bound
    "385 rows of ones (verified, at the bound)": (385, 21, lambda i: ["0"] + ["1"] * i, "verified", "verified"),
    # the same at 397 rows is over the bound: refused before the hint is parsed; 595 rows (any hint)
    "397 rows of ones (over the bound)": (397, 21, lambda i: ["0"] + ["1"] * i, "malformed", "a 397-row hint exceeds"),
    "595 rows of ones (over the bound)": (595, 21, lambda i: ["0"] + ["1"] * i, "malformed", "a 595-row hint exceeds"),
    # 289 rows of 4000-bit diagonal entries: the elimination refuses them; the hint must not let them in
    "289 rows of 4000-bit Z with a hint": (289, 4000, lambda i: ["0"] * i + ["1"], "malformed", "work bound"),
    # a dense hint of 600-bit numerators
    "289 rows of 600-bit hint entries": (289, 21, lambda i: [str((1 << 600) + i)] * (i + 1), "malformed",
                                         "work bound"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_hints_are_bounded(name, tmp_path):
    rows, bits, hint, status, needle = HOSTILE[name]
    result = run_check(one_party(tmp_path, rows, bits, hint, "hint.json"))
    [[got, reason]] = result["verdicts"]
    assert got == status and needle in reason, reason
    assert result["seconds"] < SECONDS and result["mb"] < MEGABYTES, (result["seconds"], result["mb"])


def test_hint_and_elimination_share_one_budget():
    """A guess problem's blocks are charged together: many hinted blocks cannot each spend a full bound."""
    cert = load(os.path.join(ROOT, "proofs", "pironio2010", "npa", "local-2-I2.657481051.json"))
    npa = parse_problem(cert["claim"]["problem"], "problem")
    mats = parse_evidence(cert["evidence"], npa, "evidence")[4]
    spent = [0]
    for z in mats:
        hinted(z, psd_hint([row[:] for row in z]), "z", spent)
    assert spent[0] > 0
    spent = [5 * 10**13 - 1]
    with pytest.raises(CertifyError, match="in total"):
        hinted(mats[0], psd_hint([row[:] for row in mats[0]]), "z", spent)


@pytest.mark.parametrize("backend", ["int", "flint"])
def test_one_integer_unit_decides(backend):
    """In the kernel's integers (D q^2 R = q^2 M - D K K^T): a residual dominant with equality in every row is
    accepted, and one unit less on one diagonal entry is rejected. K is a producer hint of a committed 69-row
    Z; M is built so that R is a dense random matrix with R_ii = sum_{j != i} |R_ij| exactly."""
    cert = load(LARGE)
    npa = parse_problem(cert["claim"]["problem"], "problem")
    z = parse_evidence(cert["evidence"], npa, "evidence")[4][0]
    d, m, q, k = hinted(z, psd_hint([row[:] for row in z]), "z")
    n = len(m)
    gram = [[sum(a * b for a, b in zip(k[i], k[j])) for j in range(n)] for i in range(n)]
    rng = random.Random(5)
    r = [[0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i):
            r[i][j] = r[j][i] = rng.randint(-10**6, 10**6)
    for i in range(n):
        r[i][i] = sum(abs(r[i][j]) for j in range(n) if j != i)
    exact = [[r[i][j] + gram[i][j] for j in range(n)] for i in range(n)]  # q = d = 1: R = M - K K^T
    assert dominant((1, exact, 1, k), backend)
    for i in (0, n // 2, n - 1):
        short = [row[:] for row in exact]
        short[i][i] -= 1
        assert not dominant((1, short, 1, k), backend)
