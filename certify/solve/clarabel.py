"""Clarabel through cvxpy (the default solver)."""

from certify.solve.common import run_cvxpy

# Raw `clarabel.SolverStatus` names -> certify statuses.
STATUS_MAP = {
    "Solved": "solved",
    "AlmostSolved": "inaccurate",
    "PrimalInfeasible": "infeasible",
    "AlmostPrimalInfeasible": "infeasible",
    "DualInfeasible": "unbounded",
    "AlmostDualInfeasible": "unbounded",
    "MaxIterations": "limit",
    "MaxTime": "limit",
    "NumericalError": "failed",
    "InsufficientProgress": "failed",
    "Unsolved": "failed",
    "CallbackTerminated": "failed",
}


def usable() -> bool:
    try:
        import clarabel  # noqa: F401
    except ImportError:
        return False
    return True


# One thread: certify runs one solver process per core (`reproduce --jobs`), so
# Clarabel's own threads would oversubscribe them; on the NPA sizes here its
# threaded factorisation is not faster anyway (2 cores, Mermin-4 level 2:
# 349 ms threaded, 299 ms single), and a single thread makes solves, hence the
# committed certificates, reproducible bit for bit.
THREADS = {"max_threads": 1}

# The first rung of the certification ladder (tol=None): Clarabel's default
# tolerances without iterative refinement. On NPA LMIs the refinement steps cost
# 30-45% of the solve (measured: Mermin-3 level 2 87 -> 46 ms, Mermin-4 level 2
# 541 -> 301 ms, 2 cores) and move the optimum by < 1e-8; the dense PSD block
# of the KKT system is factorised either way. The ladder's later rungs (an
# explicit tol) keep refinement on, so a point this rung leaves uncertified
# is retried at full accuracy.
FAST = {"iterative_refinement_enable": False}


def options(tol):
    if tol is None:
        return {**THREADS, **FAST}
    return {**THREADS, "tol_gap_abs": tol, "tol_gap_rel": tol, "tol_feas": tol,
            "tol_ktratio": tol * 1e2, "max_iter": 400}


def run(data, at, tol, form="lmi"):
    return run_cvxpy("clarabel", "CLARABEL", data, at, options(tol),
                     lambda raw: str(raw.status), STATUS_MAP, form)
