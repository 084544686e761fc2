"""Timings for the NPA pipeline (printed, never asserted). Run: python benchmarks/bench_npa.py"""

import glob
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(label, fn, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:55s} {best * 1000:9.2f} ms")


def main():
    from certify.kernel.defs.words import build, parse_level
    from certify.kernel.format import read_json
    from certify.kernel.npa import verify_tangent
    from certify.npa import certify_problem, chsh_guess_problem, chsh_max_problem, conic_data
    from certify.papers.pironio2010.npa import Curve
    from certify.solve import solve

    timed("build level 2, 3 parties x 3 inputs x 2 outputs",
          lambda: build(parse_level("2", (3, 3, 3), (2, 2, 2), "l")))
    timed("build level 2, 4 parties x 2 inputs x 2 outputs",
          lambda: build(parse_level("2", (2,) * 4, (2,) * 4, "l")), 1)
    cert = read_json(ROOT / "proofs/pironio2010/npa/tsirelson-2.json")
    timed("verify CHSH level-2 Tsirelson certificate",
          lambda: verify_tangent(cert["claim"]["problem"], cert["evidence"], "t"))
    files = sorted(glob.glob(str(ROOT / "proofs/pironio2010/npa/global-2-I*.json")))
    cert = read_json(files[len(files) // 2])
    timed("verify one global-guess level-2 certificate (4 blocks)",
          lambda: verify_tangent(cert["claim"]["problem"], cert["evidence"], "t"))
    timed(f"verify the level-2 curve: {len(files)} certificates (read + check)", lambda: Curve.load(files), 1)
    for level in ("1+AB", "2", "3"):
        data = conic_data(chsh_max_problem(level))
        timed(f"solve CHSH max, level {level} (cvxpy + Clarabel)", lambda: solve(data), 3)
    timed("solve 3-party Mermin, level 2", lambda: solve(conic_data(_mermin(3))), 1)
    timed("solve 4-party Mermin, level 1+AB+AC+AD+BC+BD+CD",
          lambda: solve(conic_data(_mermin(4, "1+AB+AC+AD+BC+BD+CD"))), 1)
    timed("certify G(2.414), level 2 (solve + round + verify)",
          lambda: certify_problem(chsh_guess_problem("2", "2414/1000")), 1)


def _mermin(n, level="2"):
    from certify.kernel.defs.scenario import Scenario
    from certify.npa import bell_objective, problem
    from lp_checks.mermin import mermin_operator as mermin

    return problem(Scenario((2,) * n, (2,) * n), level, bell_objective(mermin(n)))


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    main()
