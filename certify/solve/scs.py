"""SCS through cvxpy: only on explicit request (first-order, low accuracy)."""

from certify.solve.common import run_cvxpy

# Raw SCS `info["status"]` strings -> certify statuses. SCS 3.x (the installed 3.3.1; src/scs.c):
# set_solved / set_infeasible / set_unbounded write "solved", "infeasible", "unbounded"; an early
# stop (set_unfinished) writes the status reached plus " (inaccurate - reached max_iters)" or
# " (inaccurate - reached time_limit_secs)"; failure() writes "interrupted" (SIGINT) or "failure"
# (bad data, a failed linear-system or cone projection). STATUSES_3 lists them all, and
# tests/unit/test_solve_statuses.py runs the adapter once per string. SCS 2.x wrote
# "solved_inaccurate"-style words: kept, since they cost nothing and cannot be misread.
STATUSES_3 = ("solved", "infeasible", "unbounded", "interrupted", "failure",
              *(f"{base} (inaccurate - reached {limit})" for base in ("solved", "infeasible", "unbounded")
                for limit in ("max_iters", "time_limit_secs")))
STATUS_MAP = {
    "solved": "solved",
    "infeasible": "infeasible",
    "unbounded": "unbounded",
    "interrupted": "limit",
    "failure": "failed",
    **{f"{base} (inaccurate - reached {limit})": status
       for base, status in (("solved", "inaccurate"), ("infeasible", "infeasible"), ("unbounded", "unbounded"))
       for limit in ("max_iters", "time_limit_secs")},
    # SCS 2.x
    "solved_inaccurate": "inaccurate",
    "infeasible_inaccurate": "infeasible",
    "unbounded_inaccurate": "unbounded",
    "failed": "failed",
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
