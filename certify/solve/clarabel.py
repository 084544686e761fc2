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


def options(tol):
    if tol is None:
        return {}
    return {"tol_gap_abs": tol, "tol_gap_rel": tol, "tol_feas": tol, "tol_ktratio": tol * 1e2,
            "max_iter": 400}


def run(data, at, tol, form="lmi"):
    return run_cvxpy("clarabel", "CLARABEL", data, at, options(tol),
                     lambda raw: str(raw.status), STATUS_MAP, form)
