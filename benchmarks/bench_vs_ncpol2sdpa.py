"""certify vs ncpol2sdpa 1.14: build + solve of the same NPA relaxation, side by side.

Timings are printed, never asserted. Both tools hand their model to cvxpy and
solve it with the same solver and options (Clarabel at cvxpy's defaults, SCS at
eps 1e-9); the optima must agree to 1e-6 and the moment matrices must have the
same size and number of moments, else the case is reported as DISAGREE or MISMATCH.

    python benchmarks/bench_vs_ncpol2sdpa.py [--repeats 5] [--cases chsh2,mermin3,...] [--solvers clarabel,scs] [--form lmi]

ncpol2sdpa belongs in the benchmark venv only (see benchmarks/README.md); when
it is not importable the script times certify alone and says so.

"build" is everything from the scenario to the solver-ready data: for certify
`problem` + `conic_data` (the exact kernel rebuild included); for ncpol2sdpa the
operators, the sympy objective and `SdpRelaxation.get_relaxation`. "solve" is
the cvxpy model, the solver and the answer: certify `solve`, ncpol2sdpa
`SdpRelaxation.solve(solver="cvxpy")`. Each figure is the median of the
repeats, after one untimed warm-up run of each tool (imports, first-call
costs). sympy's cache is left warm between ncpol2sdpa repeats, which only
helps ncpol2sdpa.
"""

import argparse
import statistics
import sys
import time
from itertools import product
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

AGREE = 1e-6
SOLVER_AGREE = 1e-5  # relative, when neither solve ended "solved"
# What ncpol2sdpa hands to cvxpy: the options certify's adapters use on the first
# rung of the ladder (certify/solve/clarabel.py with tol=None; certify/solve/scs.py),
# so both tools run the same solver with the same settings.
from certify.solve.clarabel import options as clarabel_options  # noqa: E402

SOLVER_OPTIONS = {
    "clarabel": {"solver": "CLARABEL", **clarabel_options(None)},
    "scs": {"solver": "SCS", "eps_abs": 1e-9, "eps_rel": 1e-9, "max_iters": 200000},
}


# name -> (parties, certify level, ncpol2sdpa level, ncpol2sdpa extra party strings, objective)
CASES = {
    "chsh2": (2, "2", 2, (), "chsh"),
    "mermin3": (3, "2", 2, (), "mermin"),
    "mermin4": (4, "1+AB+AC+AD+BC+BD+CD", 1, ("AB", "AC", "AD", "BC", "BD", "CD"), "mermin"),
    "mermin4-2": (4, "2", 2, (), "mermin"),
}
LABELS = {
    "chsh2": "CHSH, level 2",
    "mermin3": "Mermin-3, level 2",
    "mermin4": "Mermin-4, level 1+AB+AC+AD+BC+BD+CD",
    "mermin4-2": "Mermin-4, level 2",
}


def correlator_weights(parties, kind):
    """Bell expression as {inputs: weight} of full correlators <prod_j A_j(x_j)>.

    CHSH: sum_xy (-1)^{xy} E_xy. Mermin: Re prod_j (A_j0 + i A_j1), i.e. weight
    Re i^{|x|} on the inputs x with an even number of ones.
    """
    if kind == "chsh":
        return {(x, y): (-1) ** (x * y) for x, y in product(range(2), repeat=2)}
    return {xs: (-1) ** (sum(xs) // 2) for xs in product(range(2), repeat=parties) if sum(xs) % 2 == 0}


def certify_build(parties, level, kind):
    from certify.kernel.defs.scenario import Scenario, chsh
    from certify.npa import bell_objective, conic_data, problem
    from lp_checks.mermin import mermin_operator as mermin

    expr = chsh() if kind == "chsh" else mermin(parties)
    return conic_data(problem(Scenario((2,) * parties, (2,) * parties), level, bell_objective(expr)))


def certify_solve(data, solver, form):
    from certify.solve import solve

    sol = solve(data, solver=solver, form=form)
    if sol.primal is None:
        raise RuntimeError(f"certify: {solver} status {sol.raw_status}")
    return sol.primal, sol.raw_status


def ncpol_build(parties, level, extra, kind):
    import sympy
    from ncpol2sdpa import Probability, SdpRelaxation

    prob = Probability(*([[2, 2]] * parties))
    # A_j(x) = 1 - 2 E_{0|x}: the +-1 observable of the Collins-Gisin projector
    obs = [[1 - 2 * party[x][0] for x in range(2)] for party in prob.parties]
    bell = 0
    for xs, weight in correlator_weights(parties, kind).items():
        term = weight
        for j, x in enumerate(xs):
            term = term * obs[j][x]
        bell += term
    sdp = SdpRelaxation(prob.get_all_operators())
    sdp.get_relaxation(level, objective=-sympy.expand(bell), substitutions=prob.substitutions,
                       extramonomials=prob.get_extra_monomials(*extra) if extra else None)
    return sdp


def ncpol_solve(sdp, solver):
    """ncpol2sdpa reports "optimal" for any finite value; cvxpy's warning tells an inaccurate end."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sdp.solve(solver="cvxpy", solverparameters=dict(SOLVER_OPTIONS[solver]))
    if sdp.status != "optimal":
        raise RuntimeError(f"ncpol2sdpa: {solver} status {sdp.status}")
    inaccurate = any("inaccurate" in str(w.message) for w in caught)
    return -sdp.primal, "inaccurate" if inaccurate else "optimal"


def timed_pair(build, solve, repeats):
    """Median build and solve seconds, the last model and the last optimum (after a warm-up)."""
    solve(build())
    builds, solves = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        model = build()
        mid = time.perf_counter()
        value = solve(model)
        builds.append(mid - start)
        solves.append(time.perf_counter() - mid)
    return statistics.median(builds), statistics.median(solves), model, value


def ncpol_available():
    try:
        import ncpol2sdpa
    except ImportError as exc:
        return None, str(exc)
    from importlib.metadata import version

    return version("ncpol2sdpa"), getattr(ncpol2sdpa, "__file__", "")


def run_case(name, solver, form, repeats, with_ncpol):
    parties, level, nlevel, extra, kind = CASES[name]
    row = {"name": name, "solver": solver}
    row["ours"] = timed_pair(lambda: certify_build(parties, level, kind),
                             lambda data: certify_solve(data, solver, form), repeats)
    row["shape"] = (row["ours"][2].size, row["ours"][2].n_words)
    if with_ncpol:
        row["theirs"] = timed_pair(lambda: ncpol_build(parties, nlevel, extra, kind),
                                   lambda sdp: ncpol_solve(sdp, solver), repeats)
        sdp = row["theirs"][2]
        row["their_shape"] = (sdp.block_struct[0], sdp.n_vars + 1)
    return row


def ms(seconds):
    return f"{seconds * 1000:9.1f}"


def line(case, shape, tool, timing):
    build, solve, _, (value, status) = timing
    return (f"{case:36s} {shape[0]:4d} {shape[1]:7d} {tool:10s} {ms(build)} {ms(solve)} "
            f"{ms(build + solve)} {value:14.9f}  {status}")


def compare(row):
    """The speed-up line of one case, and its total speed-up (None on a mismatch).

    The optima must agree to AGREE; when both solvers end inaccurate (Clarabel's
    "AlmostSolved" on the Mermin-4 cases, both tools alike) the solver's own
    accuracy is the limit, and SOLVER_AGREE (relative) is the test instead.
    """
    b, s, _, (v, status) = row["ours"]
    tb, ts, _, (tv, their_status) = row["theirs"]
    same = row["shape"] == row["their_shape"]
    both_inaccurate = status not in ("Solved", "optimal") and their_status == "inaccurate"
    gap = abs(v - tv)
    agree = same and (gap <= AGREE or (both_inaccurate and gap <= SOLVER_AGREE * max(1.0, abs(v))))
    verdict = ("MISMATCH: different relaxations" if not same else
               "agree" if gap <= AGREE else
               "agree to solver accuracy (both inaccurate)" if agree else "DISAGREE")
    ratio = (tb + ts) / (b + s)
    text = (f"{'':36s} speed-up: build x{tb / b:.1f}, solve x{ts / s:.1f}, build+solve x{ratio:.1f};"
            f" |optimum diff| = {abs(v - tv):.1e} ({verdict})")
    return text, ratio, agree


def report(rows, with_ncpol):
    head = (f"{'case':36s} {'size':>4s} {'moments':>7s} {'tool':10s} {'build ms':>9s} {'solve ms':>9s} "
            f"{'total ms':>9s} {'optimum':>14s}  solver status")
    summary = []
    for solver in dict.fromkeys(row["solver"] for row in rows):
        print(f"\nsolver: {solver}")
        print(head)
        print("-" * len(head))
        for row in (r for r in rows if r["solver"] == solver):
            label = LABELS[row["name"]]
            print(line(label, row["shape"], "certify", row["ours"]))
            if with_ncpol:
                print(line("", row["their_shape"], "ncpol2sdpa", row["theirs"]))
                text, ratio, agree = compare(row)
                print(text)
                summary.append((solver, label, ratio, agree))
    if summary:
        print("\nbuild+solve speed-up of certify over ncpol2sdpa (requirement: >= x5, optima agreeing):")
        for solver, label, ratio, agree in summary:
            mark = "ok" if ratio >= 5 and agree else "NOT MET"
            print(f"  {solver:9s} {label:36s} x{ratio:5.1f}  {'agree' if agree else 'optima differ'}  {mark}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma list from {', '.join(CASES)}")
    parser.add_argument("--solvers", default="clarabel,scs", help="comma list from clarabel, scs")
    parser.add_argument("--form", default="lmi", choices=("lmi", "tied"),
                        help="certify's cvxpy model (lmi is ncpol2sdpa's formulation)")
    args = parser.parse_args(argv)
    names = [n for n in args.cases.split(",") if n]
    solvers = [n for n in args.solvers.split(",") if n]
    for option, given, known in (("--cases", names, CASES), ("--solvers", solvers, SOLVER_OPTIONS)):
        unknown = [n for n in given if n not in known]
        if unknown or not given:
            parser.error(f"{option}: unknown or empty {', '.join(unknown)} (choose from {', '.join(known)})")
    import clarabel
    import cvxpy
    import scs

    found, where = ncpol_available()
    print(f"python {sys.version.split()[0]}, cvxpy {cvxpy.__version__}, clarabel {clarabel.__version__}, "
          f"scs {scs.__version__}; certify form {args.form}; median of {args.repeats} after one warm-up")
    if found is None:
        print(f"ncpol2sdpa is not importable ({where}): timing certify alone. "
              "Install it in the benchmark venv only: see benchmarks/README.md.")
    else:
        print(f"ncpol2sdpa {found} ({where})")
    rows = [run_case(name, solver, args.form, args.repeats, found is not None)
            for solver in solvers for name in names]
    report(rows, found is not None)


if __name__ == "__main__":
    main()
