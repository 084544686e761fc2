"""SCS through cvxpy: only on explicit request (first-order, low accuracy)."""

from certify.solve.common import run_cvxpy

# Raw SCS `info["status"]` strings -> certify statuses.
STATUS_MAP = {
    "solved": "solved",
    "solved_inaccurate": "inaccurate",
    "infeasible": "infeasible",
    "infeasible_inaccurate": "infeasible",
    "unbounded": "unbounded",
    "unbounded_inaccurate": "unbounded",
    "interrupted": "limit",
    "failed": "failed",
}


def usable() -> bool:
    try:
        import scs  # noqa: F401
    except ImportError:
        return False
    return True


def run(data, at, tol, form="lmi"):
    opts = {"eps_abs": tol or 1e-9, "eps_rel": tol or 1e-9, "max_iters": 200000}
    return run_cvxpy("scs", "SCS", data, at, opts, lambda raw: str(raw["info"]["status"]), STATUS_MAP, form)
