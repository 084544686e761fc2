"""The certified pipeline (`certify.npa.certify_problem`) against one Clarabel solve (issue 14 item 1).

Timings only, never asserted. Paired, alternating runs: each repetition times one direct
Clarabel solve of the problem at the ladder's first-rung settings (`certify.solve.clarabel.run`,
form "lmi", default tolerances), then one whole `certify_problem` on the same definition,
first with the interior direction Z0 computed inside it (its per-level cache cleared and the
on-disk cache off: what a one-off `certify npa` without a cache pays: "x cold"), with Z0 read from
the on-disk cache ("x disk": a one-off run on a machine that has met this level before; the
bench's own temporary CERTIFY_CACHE_DIR, never the user's), with Z0 already in memory and the
definition not yet parsed ("x warm": a producer of many claims at one level), and the same
definition once more ("x again": the parse cache hot). Printed: medians of the per-repetition
ratios pipeline / solve, the solver calls the pipeline made (interior excluded), the slack
(verified bound - float optimum) and the verified bound. Then, in the same repetition, the default
pipeline users run (`certify.symmetry.certify_npa`: symmetry-reduced where the problem has
symmetries, else `certify_problem`): "x dflt" warm (the definition not yet parsed; what depends only
on scenario, level and objective in memory, as "x warm"), "x dcold" with every such cache emptied, the
kernel's cache of built moment structures (`certify.kernel.npa._build`) included (a one-off run, no disk
cache), the path it took, its slack and verified bound. `--root` imports certify from
another checkout (a `git worktree` of an older commit: the "before" column). Run from the
repository root:

    python benchmarks/bench_ladder.py [--repeats N] [--cases chsh-2,...] [--root DIR] [--json FILE]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
# one BLAS thread, as `certify`'s CLI sets (certify/cli.py): on 2 loaded cores OpenBLAS's threads made a
# 561 x 561 eigh 8x slower (0.97 s against 0.12 s), which the polish and the margins would pay
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

# name -> (label, family, level, at); families as in bench_vs_peers.py
PAIRS4 = ["AB", "AC", "AD", "BC", "BD", "CD"]
PAIRS5 = ["AB", "AC", "AD", "AE", "BC", "BD", "BE", "CD", "CE", "DE"]
CASES = {
    "chsh-2": ("max CHSH, L2", "chsh", "2", None),
    "p00-2.5": ("max P(00|00) s.t. CHSH >= 2.5, L2", "p00", "2", "5/2"),
    "i3322-2": ("max I3322, L2", "i3322", "2", None),
    "mermin3-2": ("max Mermin-3, L2", "mermin3", "2", None),
    "mermin4-1ab": ("max Mermin-4, L1+AB+AC+AD+BC+BD+CD", "mermin4", "+".join(["1"] + PAIRS4), None),
    "mermin4-2": ("max Mermin-4, L2", "mermin4", "2", None),
    "mermin5-1ab": ("max Mermin-5, L1+pairs+ABC", "mermin5", "+".join(["1"] + PAIRS5 + ["ABC"]), None),
    "chsh-4": ("max CHSH, L4", "chsh", "4", None),
    "chsh-5": ("max CHSH, L5", "chsh", "5", None),
    "i3322-3": ("max I3322, L3", "i3322", "3", None),
}


def definition(name):
    from cases import bell_family  # benchmarks/cases.py (after main() put the measured tree first on sys.path)

    from certify.npa import bell_objective, problem

    _, family, level, at = CASES[name]
    scenario, expr, constraint = bell_family(family)
    return problem(scenario, level, bell_objective(expr), constraint, None if at is None else Fraction(at))


def measure(name, repeats, kwargs):
    import certify.npa as npa
    from certify.kernel.npa import parse_problem
    from certify.solve import clarabel

    spec = definition(name)
    n = parse_problem(spec, "p").structure.size
    data = npa.conic_data(spec)
    at = None if spec["constraint"] is None else float(Fraction(spec["constraint"]["at"]))
    calls = []
    inner = npa.solve

    def counted(*args, **kw):
        calls.append(args[3:])
        return inner(*args, **kw)

    clarabel.run(data, at, None, "lmi")  # warm-up: imports and first-call costs outside the timers
    forget_parses = getattr(getattr(npa, "_parsed_text", None), "cache_clear", lambda: None)  # absent before
    disk = hasattr(npa, "cache_dir")  # the on-disk cache of Z0 (absent before it existed)
    os.environ.pop("CERTIFY_NO_CACHE", None)
    if disk:  # written once, outside the timers, in this run's own directory (never the user's cache)
        npa._interior.cache_clear()
        npa.interior(spec)
    rows = []
    for _ in range(repeats):
        start = time.perf_counter()
        sol = clarabel.run(data, at, None, "lmi")
        t_solve = time.perf_counter() - start
        npa._interior.cache_clear()
        os.environ["CERTIFY_NO_CACHE"] = "1"
        start = time.perf_counter()
        npa.interior(spec)
        t_z0 = time.perf_counter() - start
        os.environ.pop("CERTIFY_NO_CACHE")
        t_z0_disk = None
        if disk:
            npa._interior.cache_clear()
            start = time.perf_counter()
            npa.interior(spec)
            t_z0_disk = time.perf_counter() - start
        npa.solve = counted
        calls.clear()
        forget_parses()
        try:
            start = time.perf_counter()
            result = npa.certify_problem(spec, **kwargs)
            t_warm = time.perf_counter() - start
            n_calls = len(calls)
            start = time.perf_counter()
            npa.certify_problem(spec, **kwargs)  # the same definition again (parse cache, if any, hot)
            t_again = time.perf_counter() - start
        finally:
            npa.solve = inner
        t_default, t_default_cold, default = default_pipeline(spec, forget_parses)
        rows.append({"default": t_default, "default_cold": t_default_cold,
                     "path": None if default is None else default.path,
                     "default_slack": None if default is None or default.result is None else default.result.slack,
                     "default_bound": None if default is None or default.result is None else float(default.result.bound),
                     "solve": t_solve, "z0": t_z0, "z0_disk": t_z0_disk, "warm": t_warm, "again": t_again,
                     "cold": t_warm + t_z0, "cold_disk": t_warm + (t_z0 if t_z0_disk is None else t_z0_disk),
                     "calls": n_calls, "status": sol.status, "primal": sol.primal,
                     "slack": None if result is None else result.slack,
                     "bound": None if result is None else float(result.bound)})
    med = statistics.median
    out = {"case": name, "label": CASES[name][0], "n": n, "repeats": repeats,
           "solve": med(r["solve"] for r in rows), "z0": med(r["z0"] for r in rows),
           "warm": med(r["warm"] for r in rows), "cold": med(r["cold"] for r in rows),
           "ratio_cold": med(r["cold"] / r["solve"] for r in rows),
           "ratio_warm": med(r["warm"] / r["solve"] for r in rows),
           "ratio_cold_disk": med(r["cold_disk"] / r["solve"] for r in rows),
           "ratio_again": med(r["again"] / r["solve"] for r in rows),
           "ratio_default": None if rows[0]["default"] is None else med(r["default"] / r["solve"] for r in rows),
           "ratio_default_cold": None if rows[0]["default"] is None else med(r["default_cold"] / r["solve"]
                                                                            for r in rows),
           "path": rows[-1]["path"], "default_slack": rows[-1]["default_slack"],
           "default_bound": rows[-1]["default_bound"],
           "calls": rows[-1]["calls"], "slack": rows[-1]["slack"], "bound": rows[-1]["bound"],
           "status": rows[-1]["status"], "rows": rows}
    return out


def default_pipeline(spec, forget_parses):
    """(warm seconds, cold seconds, Pipeline) of `certify.symmetry.certify_npa`, the default of `certify npa`
    (symmetry-reduced where the problem has symmetries): warm with the definition not yet parsed and what
    depends on (scenario, level, objective) only in memory (the reduced form, its Z0, the symmetry search;
    the full path's Z0), as "x warm"; cold with every such cache emptied and the disk cache off (a one-off
    run). (None, None, None) for a checkout without certify_npa."""
    try:
        from certify import symmetry
    except ImportError:
        return None, None, None
    if not hasattr(symmetry, "certify_npa"):
        return None, None, None
    import certify.npa as npa

    def forget_everything():
        forget_parses()
        npa._interior.cache_clear()
        try:  # the kernel's cache of built moment structures (per level): a fresh process has it empty too
            from certify.kernel import npa as kernel_npa

            getattr(getattr(kernel_npa, "_build", None), "cache_clear", lambda: None)()
        except ImportError:
            pass
        for name in ("_parsed_text", "_stabiliser_search", "_image_key"):
            getattr(getattr(symmetry, name, None), "cache_clear", lambda: None)()
        getattr(symmetry, "_REDUCED", {}).clear()

    os.environ["CERTIFY_NO_CACHE"] = "1"
    try:
        forget_everything()
        start = time.perf_counter()
        symmetry.certify_npa(spec)
        cold = time.perf_counter() - start
        forget_parses()
        getattr(getattr(symmetry, "_parsed_text", None), "cache_clear", lambda: None)()
        start = time.perf_counter()
        result = symmetry.certify_npa(spec)
        warm = time.perf_counter() - start
    finally:
        os.environ.pop("CERTIFY_NO_CACHE")
    return warm, cold, result


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--root", default=str(HERE.parent), help="checkout whose certify is imported")
    parser.add_argument("--json", help="append one JSON line per case to this file")
    parser.add_argument("--no-refine", action="store_true", help="certify_problem(refine=False)")
    parser.add_argument("--tied-first", action="store_true",
                        help='the ladder with "tied" before "lmi" at each tolerance (an experiment)')
    parser.add_argument("--reg-first", action="store_true",
                        help='the ladder with "lmi-reg" (certify.solve.clarabel.REGULARISED) first (an experiment)')
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(args.root).resolve()))
    kwargs = {"refine": False} if args.no_refine else {}
    if args.tied_first:
        kwargs["ladder"] = (("tied", None), ("lmi", None), ("tied", 1e-10), ("lmi", 1e-10), ("tied", 1e-9), ("lmi", 1e-7))
    if args.reg_first:
        kwargs["ladder"] = (("lmi-reg", None), ("tied", None), ("lmi", None), ("tied", 1e-10), ("lmi", 1e-10),
                            ("tied", 1e-9), ("lmi", 1e-7))
    import certify
    import certify.cli  # noqa: F401 -- its BLAS settings (one thread, one OpenBLAS kernel family) before numpy loads

    print(f"certify from {Path(certify.__file__).parent}", flush=True)
    os.environ.setdefault("CERTIFY_CACHE_DIR", tempfile.mkdtemp(prefix="bench-ladder-cache-"))
    print(f"{'case':12s} {'n':>3s} {'solve':>8s} {'z0':>7s} {'pipeline':>9s} {'x cold':>7s} {'x disk':>7s} "
          f"{'x warm':>7s} {'x again':>7s} {'calls':>5s} {'slack':>9s} {'bound':>13s} | {'x dflt':>6s} "
          f"{'x dcold':>7s} {'path':>9s} {'slack':>9s}  bound", flush=True)
    for name in args.cases.split(","):
        r = measure(name, args.repeats, kwargs)
        slack = "none" if r["slack"] is None else f"{r['slack']:.2e}"
        bound = "none" if r["bound"] is None else f"{r['bound']:.10f}"
        print(f"{name:12s} {r['n']:3d} {r['solve']:7.3f}s {r['z0']:6.3f}s {r['cold']:8.3f}s {r['ratio_cold']:7.2f} "
              f"{r['ratio_cold_disk']:7.2f} {r['ratio_warm']:7.2f} {r['ratio_again']:7.2f} {r['calls']:5d} "
              f"{slack:>9s} {bound:>13s} | {fmt(r['ratio_default'], '6.2f')} {fmt(r['ratio_default_cold'], '7.2f')} "
              f"{r['path'] or '-':>9s} {fmt(r['default_slack'], '9.2e')}  {fmt(r['default_bound'], '.10f')}",
              flush=True)
        if args.json:
            with open(args.json, "a") as fh:
                fh.write(json.dumps(r) + "\n")


def fmt(value, spec):
    return "-" if value is None else format(value, spec)


if __name__ == "__main__":
    main()
