"""`certify reproduce` at --jobs 1 (in-process) vs --jobs 2 (embedded Dask), paired (not asserted).

    python benchmarks/bench_reproduce.py all                          # every family
    python benchmarks/bench_reproduce.py --families "Lemma (5,NPA curves" --repeats 3

Each run is a fresh process (`certify reproduce ... --json` into a new temporary folder), so
imports, caches and the Dask cluster start are paid as a user pays them. The two settings
alternate (1 2, 2 1, 1 2, ...: the machines are shared, so drift hits both); the figure is the
median of the per-pair ratios t(--jobs 1) / t(--jobs 2), with the load average at each run, the
CPU seconds of all its processes (workers included) and the summed wall time of its tasks (the
workers' busy time: over 2 x wall it is their utilisation). The two folders of a pair are
compared byte for byte (manifest included), and every certificate with the committed one under
proofs/.
--families keeps the families whose label contains one of the comma-separated strings.
"""

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def child(paper: str, jobs: str, out: str, families: str) -> int:
    sys.path.insert(0, ROOT)
    from certify.cli import main  # first: it pins BLAS/OpenMP to one thread before numpy loads
    from certify.commands import reproduce

    if families:
        wanted = families.split(",")
        reproduce.FAMILIES = {name: [f for f in group if any(w in f.label for w in wanted)]
                              for name, group in reproduce.FAMILIES.items()}
    return main(["reproduce", paper, "--jobs", jobs, "--out", out, "--json"])


def one_run(paper: str, jobs: int, families: str) -> dict:
    with tempfile.TemporaryDirectory() as out:
        load = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, __file__, "--child", paper, str(jobs), out, families],
                              capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        if done.returncode != 0:
            raise SystemExit(f"--jobs {jobs}: exit {done.returncode}\n{done.stderr[-2000:]}")
        report = json.loads(done.stdout)
        differ, digests = [], {}
        for folder, _, names in os.walk(out):
            for name in names:
                path = os.path.join(folder, name)
                relative = os.path.relpath(path, out)
                with open(path, "rb") as mine:
                    data = mine.read()
                digests[relative] = hashlib.sha256(data).hexdigest()
                committed = os.path.join(ROOT, "proofs", relative)
                if relative != "manifest.json" and (
                        not os.path.isfile(committed) or open(committed, "rb").read() != data):
                    differ.append(relative)
        count = len(digests) - ("manifest.json" in digests)
    return {"jobs": jobs, "wall": wall, "load": load, "files": count, "differ": differ, "cpu": cpu, "digests": digests,
            "kernel": report.get("kernel_seconds"), "tasks": sum(report.get("solver_seconds", {}).values())}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paper", nargs="?", default="all")
    parser.add_argument("--families", default="")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    ratios = []
    for k in range(args.repeats):
        runs = {}
        for jobs in ((1, 2) if k % 2 == 0 else (2, 1)):
            runs[jobs] = one_run(args.paper, jobs, args.families)
            r = runs[jobs]
            print(f"pair {k + 1}: --jobs {jobs}: {r['wall']:.1f} s (load {r['load']:.2f}), {r['files']} files, "
                  f"{len(r['differ'])} differ from proofs/{': ' + ', '.join(r['differ'][:3]) if r['differ'] else ''}; "
                  f"CPU {r['cpu']:.1f} s (all processes), task wall {r['tasks']:.1f} s, kernel {r['kernel']} s",
                  flush=True)
        ratios.append(runs[1]["wall"] / runs[2]["wall"])
        same = "byte-identical" if runs[1]["digests"] == runs[2]["digests"] else "DIFFERENT FILES"
        print(f"pair {k + 1}: ratio {ratios[-1]:.2f}; --jobs 1 and --jobs 2 folders (manifest included): {same}",
              flush=True)
    print(f"median ratio t(--jobs 1) / t(--jobs 2) over {len(ratios)} pairs: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.exit(child(*sys.argv[2:6]))
    main()
