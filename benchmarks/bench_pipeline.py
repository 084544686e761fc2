"""The certified NPA pipeline (`certify_problem`: solve, round, exact check) against one solve.

Timings only, never asserted. Paired, alternating runs: each repetition times one Clarabel
solve of the problem through cvxpy (certify's first-rung settings, the reference of issue 14),
one through the direct adapter when present, and one full `certify_problem` (interior
direction included), in that order; the table gives the medians of the per-repetition
ratios pipeline / solve. Run from the repository root:

    python benchmarks/bench_pipeline.py [--repeats N] [--cases chsh2,chsh3,...]
"""

import argparse
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cases():
    from certify.expressions import i3322
    from certify.kernel.defs.scenario import Scenario
    from certify.npa import bell_objective, chsh_guess_problem, chsh_max_problem, problem
    from lp_checks.mermin import mermin_operator

    out = {f"chsh{k}": (f"max CHSH, level {k}", lambda k=k: chsh_max_problem(str(k))) for k in (2, 3, 4, 5)}
    out["guess2"] = ("G(2.5), global guess (4 blocks), CHSH level 2", lambda: chsh_guess_problem("2", Fraction(5, 2)))
    out["guess3"] = ("G(2.5), global guess (4 blocks), CHSH level 3", lambda: chsh_guess_problem("3", Fraction(5, 2)))
    out["mermin4"] = ("max Mermin-4, level 2", lambda: problem(Scenario((2,) * 4, (2,) * 4), "2",
                                                                bell_objective(mermin_operator(4))))
    out["i3322"] = ("max I3322, level 3", lambda: problem(i3322()[0], "3", bell_objective(i3322()[1])))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cases", default="chsh2,chsh3,chsh4,chsh5,guess2,guess3,mermin4,i3322")
    args = parser.parse_args(argv)
    from certify.kernel.npa import parse_problem
    from certify.npa import certify_problem, conic_data

    try:
        from certify.solve import clarabel_cvxpy as via_cvxpy
    except ImportError:  # before the direct adapter: certify.solve.clarabel was the cvxpy path
        from certify.solve import clarabel as via_cvxpy
    direct = None
    if via_cvxpy.__name__ != "certify.solve.clarabel":
        from certify.solve import clarabel as direct
    table = cases()
    print(f"{'case':8s} {'n':>4s} {'solve cvxpy':>12s} {'solve direct':>13s} {'pipeline':>10s} "
          f"{'x cvxpy':>8s} {'x direct':>9s}  slack")
    for name in args.cases.split(","):
        label, make = table[name]
        definition = make()
        n = parse_problem(definition, "p").structure.size
        data = conic_data(definition)
        at = None if definition["constraint"] is None else float(Fraction(definition["constraint"]["at"]))
        t_cv, t_di, t_pipe, r_cv, r_di, slack = [], [], [], [], [], None
        for _ in range(args.repeats):
            start = time.perf_counter()
            via_cvxpy.run(data, at, None, "lmi")
            t_cv.append(time.perf_counter() - start)
            if direct is not None:
                start = time.perf_counter()
                direct.run(data, at, None, "lmi")
                t_di.append(time.perf_counter() - start)
            start = time.perf_counter()
            result = certify_problem(definition)
            t_pipe.append(time.perf_counter() - start)
            slack = None if result is None else result.slack
            r_cv.append(t_pipe[-1] / t_cv[-1])
            if t_di:
                r_di.append(t_pipe[-1] / t_di[-1])
        med = statistics.median
        print(f"{name:8s} {n:4d} {med(t_cv) * 1e3:10.1f}ms {med(t_di) * 1e3 if t_di else float('nan'):11.1f}ms "
              f"{med(t_pipe) * 1e3:8.1f}ms {med(r_cv):8.2f} {med(r_di) if r_di else float('nan'):9.2f}  "
              f"{'none' if slack is None else f'{slack:.2e}'}   ({label})", flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
