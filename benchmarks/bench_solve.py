"""`certify solve` wall time including start-up, and the local enumeration of a five-party scenario (issue 12).

    python benchmarks/bench_solve.py                 # 5 runs of each, medians
    python benchmarks/bench_solve.py --repeats 9

Timings only (never asserted). Cases, each a fresh process as a user runs it (`certify solve FILE`):
  i3322-L2          I3322 (two parties, three binary inputs each; Collins and Gisin 2004) at NPA level 2,
                    two-sided (the NPA bound and an explicit strategy: the default of `certify solve`);
  i3322-L2-one      the same with --one-sided (the NPA bound alone);
  mermin5-local     the local optimum of the five-party Mermin expression (the kernel enumerates the 4^4
                    strategies of parties A-D, the last party per input), `certify solve` of a local problem;
  p00-eq-L2         P(ab=00|xy=00) s.t. CHSH == 5/2 at level 2, two-sided: the lower end is an exact mixture
                    (certify/strategy_rounding.py: see-saw strategies on both sides and deterministic ones);
  startup           `certify --version` (interpreter and CLI start-up alone), for reference.
In process: `mermin5-enumeration`, the kernel's `certify.kernel.local.optimum` on the same expression.
Issue 12 targets: i3322 at level 2 <= 1 s wall including start-up; the enumeration <= 1 s.

Byte code: the children write their .pyc files to a private PYTHONPYCACHEPREFIX (a temporary folder, never
the shared tree) even when the caller sets PYTHONDONTWRITEBYTECODE (this sandbox does): an installed
package has its .pyc files (pip compiles on install), and without them every run recompiles certify's ~35
modules (~0.1 s measured). The warm-up run writes them. CPU time (user + sys of the child) is printed beside
the wall time: on 2 shared cores the wall time moves with the other processes' load, the CPU time much less.

Measured (2026-12-06, 2 cores shared, load 9-11, so wall ~ 2x CPU; medians of 7):
  i3322-L2      wall 1.90 s, CPU 0.76 s   (one-sided: wall 1.10 s, CPU 0.46 s; start-up alone CPU 0.12 s)
  paired, interleaved (7 each): the tree before this session's changes CPU 0.96 s (wall 2.31 s), now 0.70 s
  (1.56 s): the NPA retry no longer re-solves an SDP that cannot close a dimension gap (I3322's qubit
  strategies stop at 1/4, the level at 0.25094), and .pyc files are used. What is left: scipy.optimize,
  imported by certify/solve/seesaw.py at module level for SLSQP alone, is 0.26 s CPU of the 0.70; with that
  import inside `_slsqp` (measured by stubbing the module) CPU 0.79 -> 0.56 s, wall 1.97 -> 1.44 s at load 10.
  On an idle machine the wall time is about the CPU time plus 0.05 s: <= 1 s either way, ~0.6 s with it.
  After scipy.optimize moved into `_slsqp` (medians of 5, load 1.9-2.5, 2026-12-06 23:40):
  i3322-L2 wall 0.50 s, CPU 0.50 s (target <= 1 s met); one-sided wall 0.85 s, CPU 0.43 s; start-up 0.10 s;
  mermin5-local wall 0.66 s, CPU 0.33 s (enumeration alone 0.10 s); p00-eq-L2 wall 1.90 s, CPU 0.95 s.
  p00-eq-L2     wall 2.55 s, CPU 1.03 s (the see-saw on both sides of the equality, an LP, Fractions)
  mermin5-local wall 0.93 s, CPU 0.37 s; the enumeration alone 0.29 s in process.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CERTIFY = [sys.executable, "-m", "certify.cli"]


def i3322() -> dict:
    """I3322 in Collins-Gisin form (Collins and Gisin, J. Phys. A 37, 1775 (2004)): local 0, quantum ~0.2509."""
    t = lambda c, o, i: {"coef": c, "outputs": o, "inputs": i}  # noqa: E731
    terms = [t("-1", [0, None], [0, None]), t("-2", [None, 0], [None, 0]), t("-1", [None, 0], [None, 1])]
    signs = {(0, 0): 1, (0, 1): 1, (0, 2): 1, (1, 0): 1, (1, 1): 1, (1, 2): -1, (2, 0): 1, (2, 1): -1}
    return {"terms": terms + [t(str(c), [0, 0], [x, y]) for (x, y), c in signs.items()]}


def mermin5() -> dict:
    sys.path.insert(0, ROOT)
    from certify.expressions import expression_to_json
    from lp_checks.mermin import mermin_operator

    return expression_to_json(mermin_operator(5))


def wall(command: list, cwd: str, env: dict) -> tuple:
    """(wall seconds, CPU seconds) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)}: exit {done.returncode}: {done.stderr.strip()[:300]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        problems = {
            "i3322": {"scenario": {"inputs": [3, 3], "outputs": [2, 2]}, "objective": {"bell": i3322()},
                      "set": "quantum", "level": "2"},
            "mermin5": {"scenario": {"inputs": [2] * 5, "outputs": [2] * 5}, "objective": {"bell": mermin5()},
                        "set": "local"},
            "p00eq": {"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, "set": "quantum", "level": "2",
                      "objective": {"bell": {"terms": [{"coef": "1", "outputs": [0, 0], "inputs": [0, 0]}]}},
                      "constraints": [{"expression": {"correlators": [
                          {"coef": "1", "inputs": [0, 0]}, {"coef": "1", "inputs": [0, 1]},
                          {"coef": "1", "inputs": [1, 0]}, {"coef": "-1", "inputs": [1, 1]}]},
                          "relation": "==", "value": "5/2"}]},
        }
        for name, problem in problems.items():
            with open(os.path.join(folder, f"{name}.json"), "w") as handle:
                json.dump(problem, handle)
        env_root = dict(os.environ, PYTHONPATH=ROOT)
        os.environ.update(env_root)
        child = {k: v for k, v in env_root.items() if k != "PYTHONDONTWRITEBYTECODE"}
        child["PYTHONPYCACHEPREFIX"] = os.path.join(folder, "pycache")
        cases = {
            "startup": CERTIFY + ["--version"],
            "i3322-L2": CERTIFY + ["solve", "i3322.json"],
            "i3322-L2-one": CERTIFY + ["solve", "i3322.json", "--one-sided"],
            "mermin5-local": CERTIFY + ["solve", "mermin5.json"],
            "p00-eq-L2": CERTIFY + ["solve", "p00eq.json"],
        }
        for name, command in cases.items():
            wall(command, folder, child)  # one untimed warm-up (disk caches, .pyc files)
            runs = [wall(command, folder, child) for _ in range(args.repeats)]
            times, cpu = [r[0] for r in runs], [r[1] for r in runs]
            print(f"{name:16s} median {statistics.median(times):.3f} s  (min {min(times):.3f}, max {max(times):.3f}; "
                  f"CPU median {statistics.median(cpu):.3f} s; {args.repeats} runs, load {os.getloadavg()[0]:.1f})")
        from certify.kernel.defs.scenario import Scenario, parse_expression
        from certify.kernel.local import optimum

        scenario = Scenario((2,) * 5, (2,) * 5)
        expr = parse_expression(problems["mermin5"]["objective"]["bell"], scenario, "mermin5")
        times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            value, _ = optimum(scenario, expr, True, "mermin5")
            times.append(time.perf_counter() - started)
        print(f"{'mermin5-enum':16s} median {statistics.median(times):.3f} s  (in process, optimum {value}, "
              f"{args.repeats} runs)")


if __name__ == "__main__":
    main()
