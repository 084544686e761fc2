"""The optional PSD hint of npa evidence (`kernel.psd.hinted` / `dominant`, producer `rounding.psd_hint`).

A hint L (per Z block, lower-triangle rows) proves Z PSD when R = Z - L L^T is diagonally dominant with
R_ii >= 0. It replaces the exact elimination whose work grows as n^5 (refused above n = 141 at 54 bits), so
the symmetry-reduced Mermin-5 certificate (n = 141) is checkable. Attacks: tests/property/
test_attack_session21_psd_hint.py.
"""

import copy
import json
import os
import random
import resource
import subprocess
import sys
from fractions import Fraction as F

import pytest

import certify.kernel.npa as kernel_npa
from certify.errors import CertifyError
from certify.kernel import check_certificate
from certify.kernel.format import format_rational
from certify.kernel.npa import parse_evidence, parse_problem, tangent_of
from certify.kernel.psd import dominant, hinted
from certify.rounding import add_psd_hints, psd_hint

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLES = ("pironio2010/npa/tsirelson-1.json", "pironio2010/npa/local-2-I2.657481051.json",
           "gallego2013/quantum/x11111_level2+ABC.json")  # 5 rows; 2 blocks of 13; 69 rows (the largest)


def load(name) -> dict:
    with open(os.path.join(ROOT, "proofs", name), encoding="utf-8") as handle:
        return json.load(handle)


def with_hints(npa, evidence) -> dict:
    """The evidence plus a producer hint on every block (whatever the work bound says)."""
    mats = parse_evidence(evidence, npa, "evidence")[4]
    hints = [psd_hint(z) for z in mats]
    assert all(h is not None for h in hints)
    return {**evidence, "psd_hint": [[[format_rational(v) for v in row] for row in h] for h in hints]}


@pytest.fixture(params=["int", "flint"])
def backend(request, monkeypatch):
    monkeypatch.setattr(kernel_npa, "_backend", lambda n: request.param)
    return request.param


@pytest.mark.parametrize("name", SAMPLES)
def test_a_hinted_committed_certificate_proves_the_same_bound(name, backend):
    cert = load(name)
    npa = parse_problem(cert["claim"]["problem"], "problem")
    hinted_evidence = with_hints(npa, cert["evidence"])
    assert tangent_of(npa, hinted_evidence, "evidence") == tangent_of(npa, cert["evidence"], "evidence")
    verdict = check_certificate({**cert, "evidence": hinted_evidence}, name)
    assert verdict.ok, verdict.reason


def test_hints_reach_the_tangents_of_a_bits_claim():
    """bits.chsh verifies its four npa tangents through `tangent_of`: hinted tangents verify too."""
    cert = load("pironio2010/bits/table1-level-1+AB.json")
    for tangent in cert["evidence"]["tangents"].values():
        tangent["evidence"] = with_hints(parse_problem(tangent["problem"], "p"), tangent["evidence"])
    verdict = check_certificate(cert, "bits")
    assert verdict.ok, verdict.reason


def test_producer_keeps_certificates_within_the_work_bound_byte_identical():
    """add_psd_hints returns the very evidence when the elimination is within the bound (every committed one)."""
    names = ["pironio2010/npa/tsirelson-1.json", "pironio2010/npa/local-2-I2.657481051.json",
             "gallego2013/quantum/x11100_level2+ABC.json", "gallego2013/quantum/x11111_v1_level2+ABC.json"]
    for name in names:
        cert = load(name)
        before = json.dumps(cert, sort_keys=True)
        npa = parse_problem(cert["claim"]["problem"], "problem")
        assert add_psd_hints(npa, cert["evidence"]) is cert["evidence"]
        assert json.dumps(cert, sort_keys=True) == before


def residual_reference(z, factor) -> bool:
    """R = Z - L L^T in Fractions, dominance read directly (slow, obvious)."""
    n = len(z)
    r = [[z[i][j] - sum(factor[i][k] * factor[j][k] for k in range(min(i, j) + 1)) for j in range(n)]
         for i in range(n)]
    return all(r[i][i] >= sum(abs(r[i][j]) for j in range(n) if j != i) for i in range(n))


def random_case(rng, n):
    a = [[F(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(n)] for _ in range(n)]
    z = [[sum(a[i][k] * a[j][k] for k in range(n)) + (rng.randint(0, 3) if i == j else 0) for j in range(n)]
         for i in range(n)]
    factor = [[F(rng.randint(-30, 30), rng.choice([1, 2, 3, 8])) for _ in range(i + 1)] for i in range(n)]
    return z, factor


def test_pure_and_flint_agree_with_a_fraction_reference():
    rng = random.Random(21)
    seen = set()
    for trial in range(300):
        z, factor = random_case(rng, rng.randint(1, 7))
        if trial % 3 == 0:  # a producer hint where one exists: mostly dominant
            factor = psd_hint([row[:] for row in z]) or factor
        expected = residual_reference(z, factor)
        prepared = hinted(z, factor, "m")
        assert dominant(prepared, "int") is expected
        assert dominant(prepared, "flint") is expected
        seen.add(expected)
    assert seen == {True, False}


SCRIPT = r"""
import json, os, resource, sys, time
import certify.cli  # as `certify npa` runs: one BLAS thread, one OpenBLAS kernel family, set before numpy loads
sys.path.insert(0, os.path.join(sys.argv[1], "benchmarks"))
import bench_scaling
import certify.npa
import certify.kernel.npa as kernel_npa
from certify.errors import CertifyError
from certify.symmetry import certify_symmetric

family, level = bench_scaling.POINTS["mermin5-141"]
definition, candidates = bench_scaling.definition(family, level)
generators = [g for g in candidates() if list(g.parties) == list(range(len(g.parties)))]
start = time.time()
found = certify_symmetric(definition, generators)
seconds = time.time() - start
npa = kernel_npa.parse_problem(definition, "problem")
times = {}
for backend in ("int", "flint"):
    kernel_npa._backend = lambda n, b=backend: b
    t = time.process_time()
    kernel_npa.tangent_of(npa, found.evidence, "evidence")
    times[backend] = time.process_time() - t
print(json.dumps({"bound": str(found.bound), "n": npa.structure.size, "seconds": seconds, "check": times,
                  "hint": "psd_hint" in found.evidence,
                  "mib": int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1]) / 1024}))
"""


@pytest.mark.slow
def test_mermin5_at_n_141_certifies_under_one_gib():
    """Issue 14 item 3: the symmetric pipeline at n = 141 (Mermin-5, level 2 + all triples) verifies with the
    hint (the elimination's work bound refuses it), with the kernel's check fast and the whole process < 1 GiB."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    done = subprocess.run([sys.executable, "-c", SCRIPT, ROOT], cwd=ROOT, capture_output=True, text=True,
                          timeout=900, preexec_fn=limit, env=dict(os.environ, PYTHONPATH=ROOT))
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["n"] == 141 and result["hint"]
    assert 16 <= F(result["bound"]) < 16 + F(1, 10**4)  # Mermin-5's quantum maximum is 16
    assert result["mib"] < 1024
    assert max(result["check"].values()) < 5


def test_unknown_hint_neighbours_are_still_refused():
    cert = load("pironio2010/npa/tsirelson-1.json")
    evidence = copy.deepcopy(cert["evidence"])
    evidence["psd_hints"] = []
    with pytest.raises(CertifyError, match="unknown field 'psd_hints'"):
        check_certificate({**cert, "evidence": evidence}, "x")


def test_producer_adds_a_hint_only_past_the_elimination_bound_and_within_the_hint_bound(monkeypatch):
    """With the elimination bound lowered below a committed 69-row Z, the producer adds a hint that the
    kernel checks; lowered further (below any hint of that size), it adds none, so the kernel's refusal
    keeps the elimination's reason (`certify npa` prints it as UNVERIFIED)."""
    from certify.kernel import psd

    cert = load("gallego2013/quantum/x11111_level2+ABC.json")
    npa = parse_problem(cert["claim"]["problem"], "problem")
    monkeypatch.setattr(psd, "MAX_WORK", 5 * 10**12)  # elimination 1.0e13, hint 1.1e12
    hinted_evidence = add_psd_hints(npa, cert["evidence"])
    assert "psd_hint" in hinted_evidence
    assert tangent_of(npa, hinted_evidence, "evidence") == tangent_of(npa, with_hints(npa, cert["evidence"]),
                                                                      "evidence")
    monkeypatch.setattr(psd, "MAX_WORK", 10**6)
    assert add_psd_hints(npa, cert["evidence"]) is cert["evidence"]
    with pytest.raises(CertifyError, match=r"evidence.Z\[0\]: 69 rows of .* elimination work bound"):
        tangent_of(npa, cert["evidence"], "evidence")


def test_the_ladder_adds_a_hint_only_when_the_kernel_refuses_to_eliminate(monkeypatch):
    """`certify.npa.certify_attempt`'s hook: with the elimination bound lowered below CHSH level 4's Z (41 rows),
    the full pipeline still certifies, through a hint the kernel checks; at the real bound no hint is written
    (committed certificates stay byte-identical), and with no room for a hint either, the ladder says
    TooLargeForKernel rather than answering."""
    from certify.kernel import psd
    from certify.npa import TooLargeForKernel, certify_problem, chsh_max_problem

    definition = chsh_max_problem("4")
    plain = certify_problem(definition)
    assert "psd_hint" not in plain.evidence
    assert 2.8284271 < float(plain.bound) < 2.8284281
    monkeypatch.setattr(psd, "MAX_WORK", 5 * 10**11)  # elimination ~8e11, hint ~2e11
    hinted = certify_problem(definition)
    assert "psd_hint" in hinted.evidence
    npa = parse_problem(definition, "problem")
    nu, _ = tangent_of(npa, hinted.evidence, "evidence")
    assert nu == hinted.bound and 2.8284271 < float(nu) < 2.8284281
    monkeypatch.setattr(psd, "MAX_WORK", 10**6)
    with pytest.raises(TooLargeForKernel):
        certify_problem(definition)
