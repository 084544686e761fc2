"""Time and peak memory of each stage of one certified NPA attempt against the moment-matrix size n.

Timings only, never asserted; not part of the test suite. Run from the repository root:

    python benchmarks/bench_scaling.py --quick                  # n = 13, 25, 41 (a smoke run, ~10 s)
    python benchmarks/bench_scaling.py                          # the default points, n = 13 ... 88
    python benchmarks/bench_scaling.py --points mermin5-141 --modes full,symmetric
    python benchmarks/bench_scaling.py --json benchmarks/results/scaling.json --png benchmarks/results/scaling.png

Each (point, mode) runs in a fresh subprocess of this interpreter, so a point's peak memory is
its own. The stages, in the order certify's pipeline runs them (`certify.npa.certify_problem`,
first rung of its ladder; one attempt, no retries):

    build     problem definition -> kernel rebuild (`parse_problem`) -> float conic data
    interior  the exact interior direction Z0 (a full-size trace solve + exact restoration)
    solve     one Clarabel solve of the relaxation, direct adapter (`certify.solve.clarabel`),
              first-rung settings (one thread, no iterative refinement)
    round     duals -> rationals, identities restored, per-block margins from the float spectrum,
              the evidence assembled (`round_duals`, `margins`, `assemble`; past the kernel's
              elimination work bound, a PSD hint: `add_psd_hints`)
    check     the trusted kernel's exact verdict on the whole certificate (`check_certificate`
              on the bytes a certificate file holds)

Memory: the parent polls the child's resident set size (psutil, every 10 ms; C allocations
included, unlike tracemalloc) and attributes each sample to the stage running at that moment;
the child also reports its RSS at the end of each stage and `ru_maxrss` (the kernel's
high-water mark). "peak" in the table is the largest of the polled samples, the RSS at the
stage's end and, when the stage raised it, ru_maxrss. It is the whole process's RSS (Python,
numpy, scipy, clarabel loaded: ~65 MiB before any stage), not the stage's increment. A stage
shorter than the polling period may be under-sampled; ru_maxrss catches any new process peak.
Imports of the solver modules happen before the first stage (start-up, not timed).

`--modes symmetric` runs `certify.symmetry.certify_symmetric` instead (Mermin-5 points: the
party swaps, paired output flips and paired quarter turns of `bench_symmetry.mermin5_candidates`;
I3322: all relabellings), as one stage "symmetric" (reduced solve + its own interior direction +
rounding + the kernel's check of the full-size certificate). `--solver clarabel-cvxpy` times the
cvxpy path instead of the direct one.

Each stage also records its CPU time (getrusage, user + system): on a loaded machine it moves far
less than the wall time. Slopes: numpy.polyfit of log(time), log(CPU) and log(peak) on log(n) over
the points measured, per stage.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAIRS = "+".join(a + b for k, a in enumerate("ABCDE") for b in "ABCDE"[k + 1:])
TRIPLES = "+".join(a + b + c for i, a in enumerate("ABCDE") for j, b in enumerate("ABCDE"[i + 1:], i + 1)
                   for c in "ABCDE"[j + 1:])

# name -> (family, level); n is what the kernel's rebuild gives (checked and printed).
POINTS = {
    "chsh-13": ("chsh", "2"),
    "chsh-25": ("chsh", "3"),
    "chsh-41": ("chsh", "4"),
    "mermin5-59": ("mermin5", f"1+{PAIRS}+ABC"),
    "chsh-61": ("chsh", "5"),
    "mermin5-69": ("mermin5", "2+ABC"),
    "chsh-85": ("chsh", "6"),
    "i3322-88": ("i3322", "3"),
    "chsh-113": ("chsh", "7"),
    "mermin5-141": ("mermin5", f"2+{TRIPLES}"),
}
NO_PARTY_SWAPS = {"mermin5-141"}  # symmetric mode: a subgroup (the full one exceeds 20000 elements)
QUICK = ["chsh-13", "chsh-25", "chsh-41"]
DEFAULT = ["chsh-13", "chsh-25", "chsh-41", "mermin5-59", "chsh-61", "mermin5-69", "chsh-85", "i3322-88"]
STAGES = ("build", "interior", "solve", "round", "check")


def definition(family: str, level: str):
    """(problem definition, symmetry candidates or None) of a point."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from certify.kernel.defs.scenario import Scenario, chsh
    from certify.npa import bell_objective, problem

    if family == "chsh":
        return problem(Scenario((2, 2), (2, 2)), level, bell_objective(chsh())), None
    if family == "mermin5":
        from bench_symmetry import mermin5_candidates

        from lp_checks.mermin import mermin_operator

        scenario = Scenario((2,) * 5, (2,) * 5)
        return problem(scenario, level, bell_objective(mermin_operator(5))), lambda: mermin5_candidates(scenario)
    if family == "i3322":
        from certify.expressions import i3322
        from certify.symmetry import all_relabellings

        scenario, expr = i3322()
        return problem(scenario, level, bell_objective(expr)), lambda: all_relabellings(scenario)
    raise SystemExit(f"unknown family {family}")


# ---------------------------------------------------------------------------------------------- the child
def child(point: str, mode: str, solver: str) -> None:
    import resource

    sys.path.insert(0, str(ROOT))
    import certify.cli  # noqa: F401 -- pins BLAS threads before numpy loads, as the CLI does

    marks, out = [], {"point": point, "mode": mode, "solver": solver, "stages": {}}
    cpu = [0.0]

    def cpu_now():
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def mark(stage, started):
        ended = time.time()
        spent, cpu[0] = cpu_now() - cpu[0], cpu_now()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
        with open("/proc/self/statm") as f:
            now = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        out["stages"][stage] = {"seconds": ended - started, "cpu": spent, "start": started, "end": ended, "maxrss": rss,
                                "rss_end": now}
        print(json.dumps({"stage": stage, "start": started, "end": ended}), flush=True)
        marks.append(stage)

    family, level = POINTS[point]
    from fractions import Fraction

    import clarabel  # noqa: F401 -- imports are start-up, not a stage
    import scipy.linalg  # noqa: F401 -- Clarabel imports it at its first solve
    import scipy.sparse  # noqa: F401
    if solver == "clarabel-cvxpy":
        import cvxpy  # noqa: F401

    from certify.certificate import checked
    from certify.errors import CertifyError
    from certify.kernel.npa import parse_problem
    from certify.npa import DENOMINATOR, Certified, conic_data_of, interior, margins
    from certify.papers.produce import npa_certificate
    from certify.rounding import add_psd_hints, assemble, round_duals, whitener
    from certify.solve import solve

    t, cpu[0] = time.time(), cpu_now()
    problem_def, candidates = definition(family, level)
    if mode == "symmetric":
        from certify.symmetry import certify_symmetric

        npa = parse_problem(problem_def, "problem")
        out["n"], out["words"] = npa.structure.size, len(npa.structure.words)
        generators = candidates()
        if point in NO_PARTY_SWAPS:  # the whole group is over certify_symmetric's 20000-element limit
            generators = [g for g in generators if list(g.parties) == list(range(len(g.parties)))]
            out["subgroup"] = "without party swaps"
        try:
            found = certify_symmetric(problem_def, generators)
        except CertifyError as failure:
            found, out["verdict"] = None, f"refused: {failure}"
        mark("symmetric", t)
        out["bound"] = None if found is None else float(found.bound)
        out["primal"] = None if found is None else found.primal
        if found is not None:
            out["group"], out["blocks"] = found.group, list(found.blocks)
            out["reduced_solve_seconds"] = found.seconds
        print(json.dumps({"result": out}), flush=True)
        return
    npa = parse_problem(problem_def, "problem")
    data = conic_data_of(npa)
    out["n"], out["words"] = data.size, data.n_words
    print(json.dumps({"size": data.size}), flush=True)
    mark("build", t)
    t = time.time()
    z0 = interior(problem_def, solver)
    mark("interior", t)
    t = time.time()
    at = None if npa.at is None else float(npa.at)
    sol = solve(data, at, solver, None, "lmi")
    mark("solve", t)
    out["primal"], out["raw_status"] = sol.primal, sol.raw_status
    t = time.time()
    rounded = round_duals(npa, sol.duals, sol.lam, DENOMINATOR, sol.mu)
    deltas = margins(rounded, None if z0 is None else whitener(z0))
    evidence = None if deltas is None else assemble(npa, rounded, z0, deltas)
    if evidence is not None:  # as certify_attempt does past the elimination's work bound: a PSD hint
        evidence = add_psd_hints(npa, evidence)
    mark("round", t)
    out["bound"] = None
    if evidence is not None:
        t = time.time()
        result = Certified(evidence, Fraction(evidence["nu"]), Fraction(0), Fraction(evidence["nu"]), sol.primal, 0.0,
                           sol, max(deltas))
        try:
            verdict = checked(npa_certificate("bench/scaling", "bench", problem_def, result), "certificate")
            out["verdict"] = verdict.status if verdict.ok else f"{verdict.status}: {verdict.reason}"
            out["bound"] = float(verdict.value) if verdict.ok else None
        except CertifyError as failure:  # a work bound of the kernel: refused, not rejected
            out["verdict"] = f"refused: {failure}"
        mark("check", t)
    print(json.dumps({"result": out}), flush=True)


# ---------------------------------------------------------------------------------------------- the parent
def run_point(point: str, mode: str, solver: str, poll: float = 0.01) -> dict:
    """One fresh child; its stage times, ru_maxrss and the polled RSS peak per stage."""
    import psutil

    cmd = [sys.executable, __file__, "--child", point, mode, solver]
    started = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    samples, handle = [], psutil.Process(proc.pid)

    def sampler():
        while proc.poll() is None:
            try:
                samples.append((time.time(), handle.memory_info().rss))
            except psutil.Error:
                break
            time.sleep(poll)

    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    stdout, stderr = proc.communicate()
    thread.join()
    wall = time.time() - started
    result, marks, size = None, {}, None
    for line in stdout.splitlines():
        if line.startswith("{") and '"result"' in line:
            result = json.loads(line)["result"]
        elif line.startswith('{"size"'):
            size = json.loads(line)["size"]
        elif line.startswith('{"stage"'):
            info = json.loads(line)
            marks[info["stage"]] = {"seconds": info["end"] - info["start"], "start": info["start"], "end": info["end"],
                                    "maxrss": 0, "rss_end": 0}
    if proc.returncode != 0 or result is None:
        tail = stderr.strip().splitlines()[-3:]
        for info in marks.values():  # the stages that finished before the end (killed, or a crash)
            info["polled"] = info["peak"] = max((r for when, r in samples if info["start"] <= when <= info["end"]),
                                                default=0)
        return {"point": point, "mode": mode, "solver": solver, "error": f"exit {proc.returncode}: {' | '.join(tail)}",
                "wall": wall, "polled_peak": max((r for _, r in samples), default=0), "partial_stages": marks,
                **({"n": size} if size else {})}
    for stage, info in result["stages"].items():
        inside = [r for when, r in samples if info["start"] <= when <= info["end"]]
        info["polled"] = max(inside, default=0)
        info["peak"] = max(info["polled"], info["rss_end"], info["maxrss"] if stage == first_raise(result, stage) else 0)
    result["wall"] = wall
    result["load"] = os.getloadavg()[0]
    return result


def first_raise(result: dict, stage: str) -> str:
    """`stage` when its ru_maxrss is above the previous stage's (it set a new process peak), else ''."""
    previous = 0
    for name, info in result["stages"].items():
        if name == stage:
            return stage if info["maxrss"] > previous else ""
        previous = info["maxrss"]
    return ""


def mib(b) -> str:
    return f"{b / 2**20:8.0f}"


def slopes(rows: list, stages) -> dict:
    import numpy as np

    out = {}
    for stage in stages:
        # a check the kernel refused (work bound) did no elimination: not a point of the check's curve
        pts = [(r["n"], r["stages"][stage]["seconds"], r["stages"][stage]["peak"]) for r in rows
               if "stages" in r and stage in r["stages"] and r["stages"][stage]["seconds"] > 0
               and not (stage == "check" and str(r.get("verdict", "")).startswith("refused"))]
        if len(pts) < 3:
            continue
        n, s, m = (np.log(np.array(v, dtype=float)) for v in zip(*pts))
        out[stage] = {"time": float(np.polyfit(n, s, 1)[0]), "memory": float(np.polyfit(n, m, 1)[0]),
                      "points": len(pts), "n_range": [int(min(p[0] for p in pts)), int(max(p[0] for p in pts))]}
        with_cpu = [(r["n"], r["stages"][stage]["cpu"]) for r in rows if "stages" in r and stage in r["stages"]
                    and r["stages"][stage].get("cpu", 0) > 0
                    and not (stage == "check" and str(r.get("verdict", "")).startswith("refused"))]
        if len(with_cpu) >= 3:
            out[stage]["cpu"] = float(np.polyfit(*(np.log(np.array(v, dtype=float)) for v in zip(*with_cpu)), 1)[0])
    # the solve alone at n >= 59 (the dense-factorisation regime), and its memory above the process's
    # baseline (RSS at the end of the build: Python + numpy + scipy + clarabel, ~67 MiB)
    for label, low, family in (("solve (n >= 59)", 59, None), ("solve above baseline", 13, None),
                               ("solve above baseline, n >= 59", 59, None), ("solve, CHSH levels 2-7 only", 13, "chsh"),
                               ("interior, CHSH levels 2-7 only", 13, "chsh")):
        stage = label.split(",")[0].split(" ")[0]
        big = [r for r in rows if "stages" in r and r.get("n", 0) >= low and stage in r["stages"]
               and "build" in r["stages"] and (family is None or POINTS[r["point"]][0] == family)]
        if len(big) < 3:
            continue
        n = np.log([r["n"] for r in big])
        base = [r["stages"]["build"]["rss_end"] if "above" in label else 0 for r in big]
        extra = [max(r["stages"][stage]["peak"] - b, 2**20) for r, b in zip(big, base)]
        out[label] = {"time": float(np.polyfit(n, np.log([r["stages"][stage]["seconds"] for r in big]), 1)[0]),
                      "memory": float(np.polyfit(n, np.log(extra), 1)[0]),
                      "points": len(big), "n_range": [int(min(r["n"] for r in big)), int(max(r["n"] for r in big))]}
        if all(r["stages"][stage].get("cpu", 0) > 0 for r in big):
            out[label]["cpu"] = float(np.polyfit(n, np.log([r["stages"][stage]["cpu"] for r in big]), 1)[0])
    return out


def plot(rows: list, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    full = sorted((r for r in rows if r.get("mode") == "full" and "stages" in r
                   and r.get("solver", "clarabel") == "clarabel"), key=lambda r: r["n"])
    sym = sorted((r for r in rows if r.get("mode") == "symmetric" and "stages" in r), key=lambda r: r["n"])
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(11, 4.3))
    for stage in STAGES:
        pts = [(r["n"], r["stages"][stage]["seconds"], r["stages"][stage]["peak"]) for r in full if stage in r["stages"]
               and not (stage == "check" and str(r.get("verdict", "")).startswith("refused"))]
        if pts:
            ax_t.plot([p[0] for p in pts], [p[1] for p in pts], "o-", label=stage)
            ax_m.plot([p[0] for p in pts], [p[2] / 2**20 for p in pts], "o-", label=stage)
    if sym:
        ax_t.plot([r["n"] for r in sym], [r["stages"]["symmetric"]["seconds"] for r in sym], "k*--",
                  label="symmetric (all stages)")
        ax_m.plot([r["n"] for r in sym], [r["stages"]["symmetric"]["peak"] / 2**20 for r in sym], "k*--",
                  label="symmetric (all stages)")
    stopped = [r for r in rows if "partial_stages" in r and "n" in r and r.get("solver", "clarabel") == "clarabel"]
    for r in stopped:
        for stage, info in r["partial_stages"].items():
            if stage == "build":
                continue
            ax_t.plot([r["n"]], [info["seconds"]], "x", color="C1", ms=9, label=f"{stage}, n = {r['n']} (run stopped)")
            ax_m.plot([r["n"]], [info["peak"] / 2**20], "x", color="C1", ms=9, label=f"{stage}, n = {r['n']} (run stopped)")
    ax_m.axhline(1024, color="grey", lw=0.8, ls=":")
    ax_m.text(14, 1100, "1 GiB", color="grey", fontsize=8)
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    ticks = []
    for n in sorted({r["n"] for r in full + sym + stopped}):
        if not ticks or n > 1.08 * ticks[-1]:  # no overlapping labels (59/61, 85/88)
            ticks.append(n)
    for ax, label in ((ax_t, "seconds"), (ax_m, "peak RSS during the stage (MiB)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(ticks)
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.tick_params(axis="x", labelsize=7)
        ax.set_xlabel("moment-matrix size n")
        ax.set_ylabel(label)
        ax.grid(True, which="both", lw=0.3)
    ax_t.legend(fontsize=7)
    ax_m.legend(fontsize=7)
    ax_t.set_title("time per stage (one attempt; families mixed: CHSH, Mermin-5, I3322)", fontsize=9)
    ax_m.set_title("peak RSS of the process during each stage (fresh process per point)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def report(rows: list) -> dict:
    head = f"{'point':13s} {'mode':9s} {'n':>4s} {'words':>5s}  " + "  ".join(f"{s + ' s':>10s} {'MiB':>6s}" for s in STAGES)
    print(head)
    for r in rows:
        if "error" in r:
            print(f"{r['point']:13s} {r['mode']:9s} ERROR {r['error']} (polled peak {mib(r.get('polled_peak', 0)).strip()} MiB, "
                  f"{r['wall']:.1f} s)")
            continue
        cells = []
        for stage in (("symmetric",) if r["mode"] == "symmetric" else STAGES):
            info = r["stages"].get(stage)
            cells.append(f"{info['seconds']:10.3f} {info['peak'] / 2**20:6.0f}" if info else f"{'-':>10s} {'-':>6s}")
        peak = max(info["peak"] for info in r["stages"].values())
        bound = "none" if r.get("bound") is None else f"{r['bound']:.9f}"
        print(f"{r['point']:13s} {r['mode']:9s} {r['n']:4d} {r['words']:5d}  " + "  ".join(cells)
              + f"   peak {peak / 2**20:.0f} MiB, bound {bound}, float {r.get('primal') or float('nan'):.9f}"
              + f", load {r['load']:.1f}" + (f", {r['verdict'][:110]}" if r.get("verdict", "verified") != "verified" else "")
              , flush=True)
    full = [r for r in rows if r.get("mode") == "full" and r.get("solver", "clarabel") == "clarabel"]
    found = slopes(full, STAGES)
    if found:
        print("\nlog-log slopes (numpy.polyfit of log value on log n):")
        for stage, s in found.items():
            cpu_slope = f"   cpu n^{s['cpu']:.2f}" if "cpu" in s else ""
            print(f"  {stage:16s} time n^{s['time']:.2f}{cpu_slope}   peak memory n^{s['memory']:.2f}   "
                  f"({s['points']} points, n = {s['n_range'][0]}..{s['n_range'][1]})")
    return found


def markdown(rows: list, found: dict) -> None:
    print("\n| point | n | mode | " + " | ".join(f"{s} s / MiB" for s in STAGES) + " | peak MiB | bound (float) |")
    print("|---|---|---|" + "---|" * len(STAGES) + "---|---|")
    for r in sorted(rows, key=lambda r: (r.get("n", 0), r["mode"])):
        if "stages" not in r:
            part = r.get("partial_stages", {})
            cells = [f"{part[s]['seconds']:.3g} / {part[s]['peak'] / 2**20:.0f}" if s in part else "-" for s in STAGES]
            print(f"| {r['point']} | {r.get('n', '')} | {r['mode']} | " + " | ".join(cells)
                  + f" | {r.get('polled_peak', 0) / 2**20:.0f} | stopped: {r['error'][:80]} |")
            continue
        names = ("symmetric",) if r["mode"] == "symmetric" else STAGES
        def cell(info):
            cpu = f" (cpu {info['cpu']:.3g})" if "cpu" in info else ""
            return f"{info['seconds']:.3g}{cpu} / {info['peak'] / 2**20:.0f}"

        cells = [cell(r["stages"][s]) if s in r["stages"] else "-" for s in names]
        if r["mode"] == "symmetric":
            cells += [""] * (len(STAGES) - 1)
        peak = max(i["peak"] for i in r["stages"].values())
        bound = "none" if r.get("bound") is None else f"{r['bound']:.9f}"
        floatv = "" if r.get("primal") is None else f" ({r['primal']:.9f})"
        note = "" if r.get("verdict", "verified") == "verified" else f"; {r['verdict'][:60]}"
        mode = r["mode"] + ("" if r.get("solver", "clarabel") == "clarabel" else f", {r['solver']}")
        print(f"| {r['point']} | {r['n']} | {mode} | " + " | ".join(cells) + f" | {peak / 2**20:.0f} | "
              f"{bound}{floatv}{note} |")
    print("\n| stage | wall-time slope | CPU-time slope | peak-memory slope | points | n |")
    print("|---|---|---|---|---|---|")
    for stage, s in found.items():
        cpu = f"n^{s['cpu']:.2f}" if "cpu" in s else ""
        print(f"| {stage} | n^{s['time']:.2f} | {cpu} | n^{s['memory']:.2f} | {s['points']} | "
              f"{s['n_range'][0]}-{s['n_range'][1]} |")


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        child(*argv[1:4])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    parser.add_argument("--points", default=",".join(DEFAULT), help=f"comma list from {', '.join(POINTS)}")
    parser.add_argument("--modes", default="full", help="full, symmetric or both (comma list)")
    parser.add_argument("--solver", default="clarabel", choices=("clarabel", "clarabel-cvxpy"))
    parser.add_argument("--json", help="write the rows and slopes here (merged with the rows already there)")
    parser.add_argument("--png", help="write the log-log figure here")
    parser.add_argument("--report", help="only print the tables (and slopes) of JSON files written by --json "
                                         "(comma list, merged)")
    parser.add_argument("--markdown", action="store_true", help="with --report: also a Markdown table")
    args = parser.parse_args(argv)
    if args.report:
        merged = {}  # a later file's row replaces an earlier one of the same (point, mode, solver)
        for path in args.report.split(","):
            with open(path) as f:
                for r in json.load(f)["rows"]:
                    merged[(r["point"], r["mode"], r.get("solver", "clarabel"))] = r
        rows = list(merged.values())
        sizes = {r["point"]: r["n"] for r in rows if "n" in r}
        for r in rows:  # a stopped run's size, from another run of the same point
            if "n" not in r and r["point"] in sizes:
                r["n"] = sizes[r["point"]]
        rows.sort(key=lambda r: (r["mode"], r.get("solver", ""), r.get("n", 0)))
        found = report(rows)
        if args.markdown:
            markdown(rows, found)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"rows": rows, "slopes": found}, f, indent=1)
        if args.png:
            plot(rows, args.png)
        return
    points = QUICK if args.quick else [p for p in args.points.split(",") if p]
    unknown = [p for p in points if p not in POINTS]
    if unknown:
        parser.error(f"unknown points {unknown}")
    import clarabel

    print(f"python {sys.version.split()[0]}, clarabel {clarabel.__version__}, solver {args.solver}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}", flush=True)
    rows = []
    if args.json and os.path.exists(args.json):
        with open(args.json) as f:
            rows = json.load(f)["rows"]
    key = lambda r: (r["point"], r["mode"], r.get("solver", "clarabel"))  # noqa: E731
    for point in points:
        for mode in args.modes.split(","):
            if mode == "symmetric" and POINTS[point][0] == "chsh":
                continue  # no symmetry candidates are given for CHSH here
            row = run_point(point, mode, args.solver)
            rows = [r for r in rows if key(r) != key(row)] + [row]
            report([row])
    rows.sort(key=lambda r: (r["mode"], r.get("solver", ""), r.get("n", 0)))
    print()
    found = report([r for r in rows if r.get("solver", "clarabel") == args.solver])
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "slopes": found, "python": sys.version.split()[0],
                       "clarabel": clarabel.__version__}, f, indent=1)
    if args.png:
        plot([r for r in rows if r.get("solver", "clarabel") == args.solver], args.png)


if __name__ == "__main__":
    main()
