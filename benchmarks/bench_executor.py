"""Scheduling overhead of certify.executor on Dask (not asserted; figures go in notes).

    python benchmarks/bench_executor.py [TASKS]    # default 1000 tiny tasks, 2 workers

A tiny task returns a copy of one small committed certificate (the p-value claim) under a new
id, so the per-task cost is Dask's submit/schedule/gather plus the local kernel check, which
the in-process run pays too. Overhead per task = (Dask wall - in-process wall) / tasks, over
alternating repeats (the machines are shared and noisy), reported as a median.
"""

import copy
import json
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from certify.executor import Task, run  # noqa: E402

TEMPLATE = os.path.join(ROOT, "proofs", "pironio2010", "bits", "table1-pvalue-local.json")


def tiny(payload):
    with open(TEMPLATE, encoding="utf-8") as handle:
        cert = json.load(handle)
    cert = copy.deepcopy(cert)
    cert["claim"]["id"] = f"bench/{payload}"
    return cert


def wall(tasks, jobs) -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        outcomes = run(tasks, out, jobs=jobs, progress=False)
        elapsed = time.perf_counter() - start
    assert all(o.verdict is not None and o.verdict.ok for o in outcomes)
    return elapsed


def main(count: int = 1000, repeats: int = 3) -> None:
    tasks = [Task(f"t{k:05d}.json", tiny, k) for k in range(count)]
    overheads = []
    for _ in range(repeats):  # alternate the engines run by run
        local = wall(tasks, 1)
        dask = wall(tasks, 2)
        overheads.append((dask - local) / count)
        print(f"in-process {local:.2f} s, Dask (2 workers, incl. cluster start) {dask:.2f} s")
    print(f"median scheduling overhead per task: {1000 * statistics.median(overheads):.2f} ms over {count} tasks")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
