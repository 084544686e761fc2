"""SCS through cvxpy: only on explicit request (first-order, low accuracy)."""

from certify.solve.common import run_cvxpy

# Raw SCS `info["status"]` strings -> certify statuses. SCS 3.x words an early stop as the
# status reached plus " (inaccurate - reached max_iters)" or "... time_limit_secs)" (the
# strings are in scs/src/scs.c; measured with SCS 3.3.1: "solved (inaccurate - reached
# max_iters)"); SCS 2.x used "solved_inaccurate" and the like.
STATUS_MAP = {
    "solved": "solved",
    "solved_inaccurate": "inaccurate",
    "infeasible": "infeasible",
    "infeasible_inaccurate": "infeasible",
    "unbounded": "unbounded",
    "unbounded_inaccurate": "unbounded",
    "interrupted": "limit",
    "failed": "failed",
    **{f"{base} (inaccurate - reached {limit})": status
       for base, status in (("solved", "inaccurate"), ("infeasible", "infeasible"), ("unbounded", "unbounded"))
       for limit in ("max_iters", "time_limit_secs")},
    "infeasible (inaccurate)": "infeasible",
    "unbounded (inaccurate)": "unbounded",
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
