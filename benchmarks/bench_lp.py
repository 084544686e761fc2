"""Timings of the no-signalling LP pipeline (not asserted; figures go in notes).

    python benchmarks/bench_lp.py            # one LP, certificate check, whole sweep
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from certify.kernel import check_certificate  # noqa: E402
from certify.papers.families import LP_FAMILIES  # noqa: E402
from certify.papers.gallego2013.lemma import lemma_claims  # noqa: E402
from certify.papers.produce import lp_certificate, produce  # noqa: E402


def one_lp(repeats=15):
    lemma = lemma_claims()
    times, check_times = [], []
    for k in range(repeats):
        claim_id, statement, problem, _ = lemma[(k * 37) % len(lemma)]
        start = time.perf_counter()
        cert, _ = lp_certificate(claim_id, statement, problem)
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        assert check_certificate(cert, "bench").ok
        check_times.append(time.perf_counter() - start)
    print(f"five-party LP solved + certified: median {statistics.median(times):.3f} s over {repeats}")
    print(f"kernel check of one five-party certificate: median {statistics.median(check_times) * 1e3:.1f} ms")


def sweep(jobs):
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        entries = produce(out, LP_FAMILIES, jobs=jobs)
        print(f"LP sweep: {len(entries)} certificates in {time.perf_counter() - start:.1f} s with {jobs} jobs")


def cli_check_one():
    path = os.path.join(ROOT, "proofs", "gallego2013", "lemma", "x10000_maj123_v0.json")
    if not os.path.exists(path):
        return
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "certify.cli", "check", path], check=True, capture_output=True, cwd=ROOT)
    print(f"`certify check` one certificate, wall (process start included): {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "certify.cli", "check", "--quiet", "proofs"], capture_output=True, cwd=ROOT)
    print(f"`certify check proofs`, wall: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    one_lp()
    cli_check_one()
    sweep(jobs=os.cpu_count() or 1)
