"""Solver adapters for NPA relaxations.

Untrusted. Each adapter (clarabel, mosek, scs) compiles the cvxpy model,
calls its solver, and maps the solver's RAW status through its own table;
an unknown raw status is an error, never "optimal". A status is only a hint:
numbers become bounds after the kernel verifies a rounded certificate.
Clarabel is the default; MOSEK is used when importable and licensed; SCS only
when asked for (its duals can be far from PSD).
"""

from dataclasses import dataclass

STATUSES = ("solved", "inaccurate", "infeasible", "unbounded", "limit", "failed")


@dataclass
class Solution:
    solver: str
    status: str  # one of STATUSES
    raw_status: str
    primal: object  # float optimum, or None
    duals: list  # Z_e as numpy arrays (may be None)
    lam: float  # dual of the Bell constraint (0.0 without one)
    seconds: float
    mu: object = None  # duals of the statistics equalities (numpy array), or None


def adapters() -> dict:
    from certify.solve import clarabel, mosek, scs

    return {"clarabel": clarabel, "mosek": mosek, "scs": scs}


def default_solver() -> str:
    from certify.solve import mosek

    return "mosek" if mosek.usable() else "clarabel"


def solve(data, at=None, solver=None, tol=None, form="lmi") -> Solution:
    """Solve the relaxation described by `data` (certify.npa.ConicData)."""
    from certify.errors import CertifyError

    name = solver or default_solver()
    table = adapters()
    if name not in table:
        raise CertifyError(f"solver: unknown solver {name!r} (choose from {', '.join(sorted(table))})")
    return table[name].run(data, at, tol, form)
