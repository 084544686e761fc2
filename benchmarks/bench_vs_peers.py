"""certify's certified pipeline against its peers' float build + solve of the same NPA relaxation.

Timings only, never asserted; not part of the test suite. Run from the repository root with the
project's venv (certify importable); each peer runs from its own virtualenv:

    python benchmarks/bench_vs_peers.py --quick                 # CHSH L2 and Mermin-3 L2, 2 repetitions
    python benchmarks/bench_vs_peers.py                         # every case, 5 repetitions
    python benchmarks/bench_vs_peers.py --cases i3322-3 --repeats 3 --json benchmarks/results/peers.json

    --ncpol2sdpa PY --toqito PY --ncpolopt PY   the peers' interpreters (default /tmp/peer-NAME/bin/python;
                                                a missing one is reported and skipped)
    --tools LIST    certify, certify-full, certify-solve, ncpol2sdpa, ncpolopt, ncpolopt-cvxpy, toqito

Setting up the peers (benchmark-only: never in the project's environment or pyproject.toml):

    python3 -m venv /tmp/peer-ncpol2sdpa && /tmp/peer-ncpol2sdpa/bin/pip install ncpol2sdpa==1.14.0 cvxpy clarabel
    PY313=$(pyenv root)/versions/3.13.0/bin/python      # toqito >= 1.2 and ncpolopt need Python >= 3.13
    $PY313 -m venv /tmp/peer-toqito && /tmp/peer-toqito/bin/pip install toqito==1.3.1 clarabel
    $PY313 -m venv /tmp/peer-ncpolopt && /tmp/peer-ncpolopt/bin/pip install 'ncpolopt[clarabel,cvxpy]==0.2.2'

The tools (each run is a fresh subprocess of its own interpreter; this file is the worker too, and
its top level imports only the standard library):

    certify         the CERTIFIED pipeline, as `certify npa` runs it by default: the problem definition,
                    the kernel's rebuild, `certify.symmetry.certify_npa`: where relabellings leave the
                    problem invariant (every case here) the symmetry-reduced solve (group detection,
                    block-diagonalised Clarabel solves of the interior direction and the problem, the
                    averaged dual rounded to a FULL-SIZE certificate, the kernel's exact check against
                    the full problem), else `certify_problem` (interior direction, direct Clarabel solve,
                    rounding, the kernel's check, the ladder if needed); then the certificate checked again
                    by the kernel (`certificate.checked`). Value: the float optimum; the certified bound
                    is printed beside it, and the path that ran.
    certify-full    the same with `--no-symmetry`: the full-size pipeline (the `certify` tool before
                    symmetry reduction became the default), for reference.
    certify-solve   certify's float build + one Clarabel solve (no certificate), for reference.
    ncpol2sdpa      1.14: `Probability`, the sympy objective, `SdpRelaxation.get_relaxation`, then
                    `solve(solver="cvxpy")` with Clarabel.
    ncpolopt        0.2.2: `Probability`, `Problem`, `relaxation(level)`, then its direct sparse Clarabel
                    backend (`solver="clarabel"`); `ncpolopt-cvxpy` the same through cvxpy's Clarabel.
    toqito          1.3.1: `bell_npa_constraints` on a Collins-Gisin cvxpy variable (its `bell_inequality_max`
                    without the hard-wired SCS), solved by cvxpy's Clarabel. Two parties only.

Same relaxation: every tool gets the same Collins-Gisin polynomial (computed by certify from its
Expression: CHSH, Mermin-n, I3322, P(00|00)), the same level (standard NPA level k, or 1 plus the
listed party products as ncpol2sdpa's extramonomials), and a Bell constraint as one scalar moment
inequality (ncpol2sdpa/ncpolopt `momentinequalities`, not a localizing matrix). Each tool reports
its moment-matrix size. Same solver: Clarabel with certify's first-rung settings (one thread, no
iterative refinement, Clarabel's default tolerances) for every tool; BLAS pinned to one thread
(OMP/OPENBLAS/MKL_NUM_THREADS=1) in every subprocess, as certify's CLI does.

Times: "in-process" is measured inside the subprocess with perf_counter from after the imports
(numpy, scipy incl. scipy.linalg, which Clarabel would import at its first solve, the solver,
cvxpy, sympy, the tool itself) to the value in hand: build + solve
(for certify: + rounding + kernel checks), cold (the first problem that process solves). "wall"
is the whole subprocess, interpreter start-up and imports included. Repetitions alternate the
tools (certify, peers in turn; the order rotates each repetition), and each case reports the
median over repetitions of the paired ratio peer / certify (of the same repetition), for both
measures. One untimed warm-up run of each tool precedes everything (file caches).

Agreement: every tool's float optimum must be within 1e-6 of certify's float optimum (and certify's
certified bound must not be below it by more than that). A case where they differ is printed as
DIFFER: a bug in a tool or the harness, or different relaxations (the sizes say which).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGREE = 1e-6
# certify's first rung (certify.solve.clarabel.options(None)); copied so the peers' workers need no certify
CLARABEL = {"max_threads": 1, "iterative_refinement_enable": False}
# --peer-settings (an accuracy check, not the benchmark): the peers' Clarabel options as JSON
CLARABEL = json.loads(os.environ.get("BENCH_PEERS_CLARABEL") or "null") or CLARABEL
PAIRS3 = ["AB", "AC", "BC"]
PAIRS4 = ["AB", "AC", "AD", "BC", "BD", "CD"]
PAIRS5 = ["AB", "AC", "AD", "AE", "BC", "BD", "BE", "CD", "CE", "DE"]

# name -> (label, family, (base level, extra party strings), constraint at)
CASES = {
    "chsh-2": ("max CHSH, L2", "chsh", (2, []), None),
    "p00-2.5": ("max P(00|00) s.t. CHSH >= 2.5, L2", "p00", (2, []), "5/2"),
    "p00-2.82": ("max P(00|00) s.t. CHSH >= 2.82 (near Tsirelson 2.8284), L2", "p00", (2, []), "141/50"),
    "i3322-2": ("max I3322, L2", "i3322", (2, []), None),
    "i3322-3": ("max I3322, L3", "i3322", (3, []), None),
    "mermin3-2": ("max Mermin-3, L2", "mermin3", (2, []), None),
    "mermin4-1ab": ("max Mermin-4, L1+AB+AC+AD+BC+BD+CD", "mermin4", (1, PAIRS4), None),
    "mermin4-2": ("max Mermin-4, L2", "mermin4", (2, []), None),
    "mermin5-1ab": ("max Mermin-5, L1+pairs+ABC", "mermin5", (1, PAIRS5 + ["ABC"]), None),
}
QUICK = ["chsh-2", "mermin3-2"]
SLOW = {"i3322-3": 3}  # default repetitions where 5 would take too long (I3322 L3: ~1-2 min per run per tool)
TOOLS = ("certify", "certify-full", "certify-solve", "ncpol2sdpa", "ncpolopt", "ncpolopt-cvxpy", "toqito")
DEFAULT_TOOLS = ("certify", "ncpol2sdpa", "ncpolopt", "toqito")
ENV_OF = {"certify": None, "certify-full": None, "certify-solve": None, "ncpol2sdpa": "ncpol2sdpa",
          "ncpolopt": "ncpolopt",
          "ncpolopt-cvxpy": "ncpolopt", "toqito": "toqito"}


def level_string(level) -> str:
    base, extra = level
    return "+".join([str(base)] + list(extra))


# ---------------------------------------------------------------------------------------------- case data
def certify_case(name: str):
    """(certify problem definition, scenario inputs per party, objective poly, constraint poly, at) of a case.

    A poly is [[letters, coefficient], ...], letters [[party, input], ...] of Collins-Gisin projectors
    E_{0|x} (binary outputs), the identity as []: certify's own `to_words` of its Expression, so every
    tool optimises exactly the polynomial certify does."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from fractions import Fraction

    from cases import bell_family

    from certify.kernel.defs.scenario import to_words
    from certify.npa import bell_objective, problem

    _, family, level, at = CASES[name]
    scenario, expr, constraint = bell_family(family)
    definition = problem(scenario, level_string(level), bell_objective(expr), constraint,
                         None if at is None else Fraction(at))

    def poly(e):
        words = to_words(e, scenario)
        return [[[[i, x] for i, x, a in word], float(c)] for word, c in words.items() if c]

    return (definition, list(scenario.inputs), poly(expr), None if constraint is None else poly(constraint),
            None if at is None else float(Fraction(at)))


# ---------------------------------------------------------------------------------------------- workers
def _pin_threads():
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")


def work_certify(spec: dict, certified: bool, symmetry: bool = True) -> dict:
    sys.path.insert(0, str(ROOT))
    import clarabel  # noqa: F401 -- imports are start-up
    import numpy  # noqa: F401
    import scipy.linalg  # noqa: F401 -- Clarabel imports it at its first solve (0.2-0.4 s here)
    import scipy.sparse  # noqa: F401

    import certify.cli  # noqa: F401 -- pins BLAS threads before numpy loads, as `certify npa` does
    from certify.certificate import checked
    from certify.npa import conic_data_of
    from certify.papers.produce import npa_certificate
    from certify.solve import solve
    from certify.symmetry import certify_npa, parsed

    started = time.perf_counter()
    definition = certify_case(spec["case"])[0]
    npa = parsed(definition)  # the kernel's rebuild (cached: the pipeline reuses it, as `certify npa` does)
    out = {"n": npa.structure.size, "moments": len(npa.structure.words)}
    if not certified:
        data = conic_data_of(npa)
        built = time.perf_counter()
        sol = solve(data, None if npa.at is None else float(npa.at), "clarabel", None, "lmi")
        done = time.perf_counter()
        return out | {"build": built - started, "solve": done - built, "total": done - started,
                      "value": sol.primal, "status": sol.raw_status}
    built = time.perf_counter()
    pipeline = certify_npa(definition, "clarabel", symmetry)
    result = pipeline.result
    solved = time.perf_counter()
    if result is None:
        return out | {"build": built - started, "solve": solved - built, "total": solved - started,
                      "value": None, "status": "UNVERIFIED", "path": pipeline.path}
    cert = npa_certificate("bench/peers", "bench", definition, result)
    cert["producer"].update(pipeline.note())
    verdict = checked(cert, "certificate")
    done = time.perf_counter()
    path = f"symmetric |G| = {pipeline.group}" if pipeline.path == "symmetric" else f"full ({pipeline.reason})"
    return out | {"build": built - started, "solve": solved - built, "check": done - solved, "total": done - started,
                  "value": result.primal, "bound": float(verdict.value) if verdict.ok else None,
                  "path": pipeline.path, "group": pipeline.group,
                  "status": f"{path}; {result.solution.raw_status}; kernel {verdict.status}, slack {result.slack:.1e}"}


def _objective(poly, operator_of):
    """The polynomial over a tool's projectors (operator_of(party, input) -> E_{0|x})."""
    total = 0
    for letters, coef in poly:
        term = coef
        for party, x in letters:
            term = term * operator_of(party, x)
        total = total + term
    return total


def work_ncpol2sdpa(spec: dict) -> dict:
    import warnings

    import clarabel  # noqa: F401
    import cvxpy  # noqa: F401
    import scipy.linalg  # noqa: F401 -- as for certify: an import, not a solve
    import sympy
    from ncpol2sdpa import Probability, SdpRelaxation

    started = time.perf_counter()
    prob = Probability(*[[2] * m for m in spec["inputs"]])
    op = lambda p, x: prob.parties[p][x][0]  # noqa: E731
    objective = -sympy.expand(_objective(spec["objective"], op))
    moment_ineq = None
    if spec["constraint"] is not None:
        moment_ineq = [sympy.expand(_objective(spec["constraint"], op)) - spec["at"]]
    base, extra = spec["level"]
    sdp = SdpRelaxation(prob.get_all_operators())
    sdp.get_relaxation(base, objective=objective, substitutions=prob.substitutions, momentinequalities=moment_ineq,
                       extramonomials=prob.get_extra_monomials(*extra) if extra else None)
    built = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sdp.solve(solver="cvxpy", solverparameters={"solver": "CLARABEL", **CLARABEL})
    done = time.perf_counter()
    inaccurate = any("inaccurate" in str(w.message) for w in caught)
    return {"n": sdp.block_struct[0], "moments": sdp.n_vars + 1, "build": built - started, "solve": done - built,
            "total": done - started, "value": -sdp.primal,
            "status": f"{sdp.status}{' (cvxpy: inaccurate)' if inaccurate else ''}"}


def work_ncpolopt(spec: dict, backend: str) -> dict:
    import clarabel  # noqa: F401
    import ncpolopt as nc
    import scipy.linalg  # noqa: F401 -- as for certify: an import, not a solve
    import sympy  # noqa: F401
    from ncpolopt.solvers.base import SolverSettings

    if backend == "cvxpy":
        import cvxpy  # noqa: F401
    started = time.perf_counter()
    prob = nc.Probability(*[[2] * m for m in spec["inputs"]])
    op = lambda p, x: prob.parties[p][x][0]  # noqa: E731
    objective = -_objective(spec["objective"], op)
    moment_ineq = None
    if spec["constraint"] is not None:
        moment_ineq = [_objective(spec["constraint"], op) - spec["at"]]
    base, extra = spec["level"]
    problem = nc.Problem(prob.get_all_operators(), objective=objective, substitutions=prob.substitutions,
                         momentinequalities=moment_ineq,
                         extramonomials=prob.get_extra_monomials(*extra) if extra else None)
    relaxation = problem.relaxation(base)
    built = time.perf_counter()
    if backend == "clarabel":
        solution = relaxation.solve(solver="clarabel", settings=SolverSettings(solver_options=dict(CLARABEL)))
    else:
        solution = relaxation.solve(solver="cvxpy", settings=SolverSettings(solver_options={"solver": "CLARABEL",
                                                                                          **CLARABEL}))
    done = time.perf_counter()
    sdp = relaxation.sdp
    return {"n": max(block.size for block in sdp.blocks), "moments": sdp.n_vars + 1, "build": built - started, "solve": done - built,
            "total": done - started, "value": -solution.primal, "status": str(solution.status)}


def work_toqito(spec: dict) -> dict:
    import clarabel  # noqa: F401
    import cvxpy
    import numpy as np
    import scipy.linalg  # noqa: F401 -- as for certify: an import, not a solve
    from toqito.state_opt.npa_hierarchy import _gen_words, bell_npa_constraints

    inputs = spec["inputs"]
    if len(inputs) != 2:
        raise SystemExit("toqito: NPA for two parties only (bell_npa_constraints takes a bipartite Collins-Gisin table)")
    started = time.perf_counter()
    ma, mb = inputs
    desc = [2, 2, ma, mb]

    def table(poly):  # Collins-Gisin coefficient matrix: [0,0] constant, [1+x,0] A, [0,1+y] B, [1+x,1+y] AB
        m = np.zeros((ma + 1, mb + 1))
        for letters, coef in poly:
            i = j = 0
            for party, x in letters:
                if party == 0:
                    i = 1 + x
                else:
                    j = 1 + x
            m[i, j] += coef
        return m

    base, extra = spec["level"]
    level = base if not extra else "+".join([str(base)] + [e.lower() for e in extra])
    p = cvxpy.Variable((ma + 1, mb + 1), name="p_cg")
    constraints = [p[0, 0] == 1] + bell_npa_constraints(p, desc, level)
    if spec["constraint"] is not None:
        constraints.append(cvxpy.sum(cvxpy.multiply(table(spec["constraint"]), p)) >= spec["at"])
    problem = cvxpy.Problem(cvxpy.Maximize(cvxpy.sum(cvxpy.multiply(table(spec["objective"]), p))), constraints)
    built = time.perf_counter()
    value = problem.solve(solver="CLARABEL", **CLARABEL)
    done = time.perf_counter()
    n = len(_gen_words(level, 2, ma, 2, mb))
    return {"n": n, "moments": None, "build": built - started, "solve": done - built, "total": done - started,
            "value": float(value), "status": problem.status}


def worker(tool: str, spec_json: str) -> None:
    spec = json.loads(spec_json)
    if tool == "certify":
        out = work_certify(spec, True)
    elif tool == "certify-full":
        out = work_certify(spec, True, symmetry=False)
    elif tool == "certify-solve":
        out = work_certify(spec, False)
    elif tool == "ncpol2sdpa":
        out = work_ncpol2sdpa(spec)
    elif tool == "ncpolopt":
        out = work_ncpolopt(spec, "clarabel")
    elif tool == "ncpolopt-cvxpy":
        out = work_ncpolopt(spec, "cvxpy")
    elif tool == "toqito":
        out = work_toqito(spec)
    else:
        raise SystemExit(f"unknown tool {tool}")
    print("RESULT " + json.dumps(out), flush=True)


# ---------------------------------------------------------------------------------------------- the parent
def interpreter(tool: str, args) -> str:
    env = ENV_OF[tool]
    return sys.executable if env is None else getattr(args, env)


def versions(python: str, modules) -> str:
    code = ("import importlib.metadata as m, sys; print(sys.version.split()[0], "
            f"*[f'{{n}} {{m.version(n)}}' for n in {list(modules)!r}])")
    done = subprocess.run([python, "-c", code], capture_output=True, text=True)
    return done.stdout.strip() or done.stderr.strip().splitlines()[-1]


def run_once(tool: str, python: str, spec: dict, timeout: float) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONWARNINGS="ignore")
    started = time.perf_counter()
    try:
        done = subprocess.run([python, __file__, "--worker", tool, json.dumps(spec)], capture_output=True, text=True,
                              cwd=ROOT, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s", "wall": time.perf_counter() - started}
    wall = time.perf_counter() - started
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:]) | {"wall": wall, "load": os.getloadavg()[0]}
    tail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
    return {"error": f"exit {done.returncode}: {tail[0][:300]}", "wall": wall}


def agreement(values: dict, reference: str = "certify", tol: float = AGREE) -> dict:
    """{tool: (|value - reference value|, "agree" | "DIFFER" | "no value")} of one case.

    `values` maps tool -> float optimum or None; a tool is compared with `reference` (certify's
    float optimum). Used by the table and by tests/unit/test_bench_vs_peers.py (no timing)."""
    ref = values.get(reference)
    out = {}
    for tool, value in values.items():
        if value is None or ref is None:
            out[tool] = (None, "no value")
            continue
        gap = abs(value - ref)
        out[tool] = (gap, "agree" if gap <= tol else "DIFFER")
    return out


def paired_ratios(runs: dict, peer: str, key: str, reference: str = "certify") -> list:
    """Per repetition, peer's `key` time / reference's, over the repetitions where both ran."""
    out = []
    for mine, theirs in zip(runs[reference], runs[peer]):
        if "error" not in mine and "error" not in theirs and mine.get(key) and theirs.get(key) is not None:
            out.append(theirs[key] / mine[key])
    return out


def run_case(name: str, tools: list, args, repeats: int) -> dict:
    definition, inputs, objective, constraint, at = certify_case(name)
    spec = {"case": name, "inputs": inputs, "objective": objective, "constraint": constraint, "at": at,
            "level": list(CASES[name][2])}
    runs = {tool: [] for tool in tools}
    for k in range(repeats):
        order = tools[k % len(tools):] + tools[:k % len(tools)]  # rotate: each tool leads in turn
        if k % 2:
            order = order[::-1]
        for tool in order:
            run = run_once(tool, interpreter(tool, args), spec, args.timeout)
            runs[tool].append(run)
            what = run.get("error") or (f"in-process {run['total']:8.3f} s  wall {run['wall']:8.3f} s  "
                                        f"n {run['n']}  value {run['value']!r}  {run['status']}")
            print(f"  {name:12s} rep {k + 1} {tool:14s} {what}", flush=True)
    return {"case": name, "label": CASES[name][0], "level": level_string(CASES[name][2]), "repeats": repeats,
            "runs": runs}


def summarise(result: dict, tools: list) -> dict:
    runs = result["runs"]
    med = statistics.median
    summary = {}
    values = {}
    for tool in tools:
        ok = [r for r in runs[tool] if "error" not in r]
        if not ok:
            summary[tool] = {"error": runs[tool][0]["error"] if runs[tool] else "not run"}
            values[tool] = None
            continue
        values[tool] = ok[-1]["value"]
        summary[tool] = {"n": ok[-1]["n"], "moments": ok[-1].get("moments"), "value": ok[-1]["value"],
                         "bound": ok[-1].get("bound"), "status": ok[-1]["status"], "runs": len(ok),
                         "in_process": med(r["total"] for r in ok), "wall": med(r["wall"] for r in ok),
                         "build": med(r["build"] for r in ok), "solve": med(r["solve"] for r in ok),
                         "spread": [max(r["value"] for r in ok if r["value"] is not None) -
                                    min(r["value"] for r in ok if r["value"] is not None)]
                         if any(r["value"] is not None for r in ok) else None}
        if tool != "certify" and "certify" in runs:
            for key, label in (("total", "ratio_in_process"), ("wall", "ratio_wall")):
                ratios = paired_ratios(runs, tool, key)
                summary[tool][label] = med(ratios) if ratios else None
                summary[tool][label + "_all"] = ratios
    for tool, (gap, verdict) in agreement(values).items():
        summary[tool]["gap"], summary[tool]["agreement"] = gap, verdict
    cert = summary.get("certify", {})
    if cert.get("bound") is not None and cert.get("value") is not None:
        below = cert["value"] - cert["bound"]
        cert["agreement"] = "agree" if below <= AGREE else "DIFFER (certified bound below the float optimum)"
        for tool, s in summary.items():  # a float maximum above a proven upper bound is provably too high
            if tool != "certify" and s.get("value") is not None and s["value"] > cert["bound"] + AGREE:
                s["agreement"] += f", {s['value'] - cert['bound']:.1e} ABOVE certify's certified bound"
    return summary


def print_summary(result: dict, summary: dict) -> None:
    print(f"\n{result['label']}  [{result['case']}, level {result['level']}, {result['repeats']} repetitions]")
    print(f"  {'tool':14s} {'n':>4s} {'in-proc s':>10s} {'wall s':>8s} {'peer/certify in-proc':>21s} "
          f"{'wall':>6s}  {'value':>14s}  agreement / status")
    for tool, s in summary.items():
        if "error" in s:
            print(f"  {tool:14s} not run: {s['error']}")
            continue
        ratio = lambda v: "" if v is None else f"x{v:.2f}"  # noqa: E731
        gap = "" if s.get("gap") is None else f" ({s['gap']:.1e})"
        extra = f" bound {s['bound']:.9f}" if s.get("bound") is not None else ""
        print(f"  {tool:14s} {s['n'] or 0:4d} {s['in_process']:10.3f} {s['wall']:8.3f} "
              f"{ratio(s.get('ratio_in_process')):>21s} {ratio(s.get('ratio_wall')):>6s}  "
              f"{s['value'] if s['value'] is None else format(s['value'], '14.9f')}  "
              f"{s.get('agreement', '')}{gap}{extra}; {s['status']}", flush=True)


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--worker":
        _pin_threads()
        worker(argv[1], argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{', '.join(QUICK)}, 2 repetitions")
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma list from {', '.join(CASES)}")
    parser.add_argument("--tools", default=",".join(DEFAULT_TOOLS), help=f"comma list from {', '.join(TOOLS)}")
    parser.add_argument("--repeats", type=int, default=None, help="default 5 (I3322 L3: 3)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per run")
    for env in ("ncpol2sdpa", "toqito", "ncpolopt"):
        parser.add_argument(f"--{env}", default=f"/tmp/peer-{env}/bin/python", help=f"the {env} venv's python")
    parser.add_argument("--peer-settings", help="JSON of Clarabel options for the peers instead of certify's "
                                                "first rung (e.g. to check that a difference is solver accuracy)")
    parser.add_argument("--json", help="merge the results into this JSON file")
    parser.add_argument("--report", help="only print the tables of a JSON file written by --json")
    parser.add_argument("--markdown", action="store_true", help="with --report: also the tables as Markdown")
    args = parser.parse_args(argv)
    if args.peer_settings:
        os.environ["BENCH_PEERS_CLARABEL"] = json.dumps(json.loads(args.peer_settings))
    if args.report:
        with open(args.report) as f:
            saved = json.load(f)
        for env, text in saved.get("environments", {}).items():
            print(f"{env}: {text}")
        for tool, why in saved.get("skipped", {}).items():
            print(f"{tool}: SKIPPED, {why}")
        results = saved["cases"]
        for result in results.values():
            tools = list(result["runs"])
            result["summary"] = {**summarise(result, tools), **{t: s for t, s in result["summary"].items()
                                                                if "error" in s and t not in tools}}
            print_summary(result, result["summary"])
        peers = [t for t in TOOLS if t != "certify" and any(t in r["summary"] for r in results.values())]
        table(results, peers)
        if args.markdown:
            markdown(results, peers)
        return
    cases = QUICK if args.quick else [c for c in args.cases.split(",") if c]
    tools = [t for t in args.tools.split(",") if t]
    bad = [c for c in cases if c not in CASES] + [t for t in tools if t not in TOOLS]
    if bad:
        parser.error(f"unknown {bad}")
    if "certify" not in tools:
        tools.insert(0, "certify")
    missing = {}
    for tool in list(tools):
        python = interpreter(tool, args)
        if not os.path.exists(python):
            missing[tool] = f"no interpreter at {python} (see the set-up in this file's docstring)"
            tools.remove(tool)
    env_modules = {None: ["cvxpy", "clarabel", "numpy"], "ncpol2sdpa": ["ncpol2sdpa", "cvxpy", "clarabel", "sympy"],
                   "ncpolopt": ["ncpolopt", "cvxpy", "clarabel", "sympy"], "toqito": ["toqito", "cvxpy", "clarabel"]}
    seen = {}
    for tool in tools:
        env = ENV_OF[tool]
        if env not in seen:
            seen[env] = versions(interpreter(tool, args), env_modules[env])
            print(f"{env or 'project'}: {seen[env]}")
    for tool, why in missing.items():
        print(f"{tool}: SKIPPED, {why}")
    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; warm-up ...", flush=True)
    for tool in tools:  # file caches; not timed
        run_once(tool, interpreter(tool, args), {"case": "chsh-2", **dict(zip(
            ("inputs", "objective", "constraint", "at"), certify_case("chsh-2")[1:])), "level": [2, []]}, args.timeout)
    results = {}
    for name in cases:
        case_tools = [t for t in tools if not (t == "toqito" and len(certify_case(name)[1]) != 2)]
        repeats = args.repeats or (2 if args.quick else SLOW.get(name, 5))
        result = run_case(name, case_tools, args, repeats)
        result["summary"] = summarise(result, case_tools)
        if "toqito" in tools and "toqito" not in case_tools:
            result["summary"]["toqito"] = {"error": "two parties only (bell_npa_constraints is bipartite)"}
        print_summary(result, result["summary"])
        results[name] = result
    table(results, [t for t in tools if t != "certify"])
    if args.json:
        old = {}
        if os.path.exists(args.json):
            with open(args.json) as f:
                old = json.load(f)
        old.setdefault("cases", {}).update(results)
        old["environments"] = {**old.get("environments", {}), **{env or "project": v for env, v in seen.items()}}
        old["skipped"] = {**old.get("skipped", {}), **missing}
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(old, f, indent=1)


def markdown(results: dict, peers: list) -> None:
    """The docs' tables (docs/benchmarks.md): ratios, then times and values."""
    print("\n| case (n) | reps | " + " | ".join(f"{p}: in-process, wall" for p in peers) + " |")
    print("|---|---|" + "---|" * len(peers))
    for name, result in results.items():
        s = result["summary"]
        cells = []
        for peer in peers:
            t = s.get(peer, {})
            if "error" in t or not t:
                cells.append("n/a")
                continue
            mark = "" if t.get("agreement") == "agree" else " (values differ)"
            cells.append(f"x{t['ratio_in_process']:.2f}, x{t['ratio_wall']:.2f}{mark}")
        n = s["certify"].get("n", "?")
        label = result["label"].replace("|", "\\|")  # P(00|00) inside a Markdown table
        print(f"| {label} ({n}) | {result['repeats']} | " + " | ".join(cells) + " |")
    print("\n| case | tool | n | in-process s (build + solve) | wall s | value | vs certify |")
    print("|---|---|---|---|---|---|---|")
    for name, result in results.items():
        for tool, t in result["summary"].items():
            if "error" in t:
                print(f"| {name} | {tool} | | not run: {t['error']} | | | |")
                continue
            value = "none" if t["value"] is None else f"{t['value']:.9f}"
            if tool in ("certify", "certify-full") and t.get("bound") is not None:
                value += f" (certified <= {t['bound']:.9f})"
            gap = "" if t.get("gap") is None or tool == "certify" else f"{t['gap']:.1e}, {t['agreement']}"
            print(f"| {name} | {tool} | {t['n']} | {t['in_process']:.3f} ({t['build']:.3f} + {t['solve']:.3f}) | "
                  f"{t['wall']:.2f} | {value} | {gap} |")


def table(results: dict, peers: list) -> None:
    """The summary table: per case and peer, the medians of paired ratios (in-process, wall)."""
    print("\nmedian of paired ratios peer / certify (certify = certified pipeline; in-process, wall; "
          "! = values differ):")
    print(f"  {'case':14s} " + " ".join(f"{p:>22s}" for p in peers))
    for name, result in results.items():
        cells = []
        for peer in peers:
            s = result["summary"].get(peer, {})
            if "error" in s or not s:
                cells.append(f"{'n/a':>22s}")
            else:
                r1, r2 = s.get("ratio_in_process"), s.get("ratio_wall")
                mark = "" if s.get("agreement") == "agree" else " !"
                cells.append(f"{'x%.2f, x%.2f' % (r1, r2) if r1 else 'n/a':>20s}{mark:2s}")
        print(f"  {name:14s} " + " ".join(cells))


if __name__ == "__main__":
    main()
