"""MOSEK through cvxpy: used when importable and licensed, never required."""

from certify.errors import CertifyError
from certify.solve.common import run_cvxpy

# Raw MOSEK solution status names (mosek.solsta) -> certify statuses.
STATUS_MAP = {
    "solsta.optimal": "solved",
    "solsta.integer_optimal": "solved",
    "solsta.prim_feas": "inaccurate",
    "solsta.prim_and_dual_feas": "inaccurate",
    "solsta.dual_feas": "inaccurate",
    "solsta.prim_infeas_cer": "infeasible",
    "solsta.dual_infeas_cer": "unbounded",
    "solsta.prim_illposed_cer": "failed",
    "solsta.dual_illposed_cer": "failed",
    "solsta.unknown": "failed",
}


def usable() -> bool:
    """True only when mosek imports AND a license can be checked out."""
    try:
        import mosek

        env = mosek.Env()
        env.checkoutlicense(mosek.feature.pts)
        return True
    except Exception:  # noqa: BLE001  no module, no license, or a license error
        return False


def run(data, at, tol, form="lmi"):
    if not usable():
        raise CertifyError("solver: mosek is not installed or not licensed")
    opts = {}
    if tol is not None:
        opts = {"mosek_params": {"MSK_DPAR_INTPNT_CO_TOL_REL_GAP": tol,
                                 "MSK_DPAR_INTPNT_CO_TOL_PFEAS": tol,
                                 "MSK_DPAR_INTPNT_CO_TOL_DFEAS": tol}}
    return run_cvxpy("mosek", "MOSEK", data, at, opts, _raw_status, STATUS_MAP, form)


def _raw_status(raw):
    """cvxpy's MOSEK interface returns {"task": ...} (or {"sol": ...} for trivial problems)."""
    import mosek

    if not isinstance(raw, dict) or "task" not in raw:
        return "solsta.unknown"
    return str(raw["task"].getsolsta(mosek.soltype.itr))
