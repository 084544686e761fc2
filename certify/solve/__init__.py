"""Solver adapters for NPA relaxations.

Untrusted. `clarabel` (the default) builds Clarabel's sparse conic data directly; the
others (clarabel-cvxpy, mosek, scs) compile the cvxpy model and call their solver
(cvxpy is imported only then). Each maps the solver's RAW status through its own table;
an unknown raw status is an error, never "optimal". A status is only a hint:
numbers become bounds after the kernel verifies a rounded certificate.
Clarabel is the default; MOSEK is used when importable and licensed; SCS only
when asked for (its duals can be far from PSD).
"""

from certify.errors import CertifyError
from certify.solve import clarabel, clarabel_cvxpy, mosek, scs
from certify.solve.common import STATUSES, Solution  # noqa: F401  (the adapters' shared result type)

ADAPTERS = {"clarabel": clarabel, "clarabel-cvxpy": clarabel_cvxpy, "mosek": mosek, "scs": scs}


def adapters() -> dict:
    return dict(ADAPTERS)


def default_solver() -> str:
    return "mosek" if mosek.usable() else "clarabel"


def solve(data, at=None, solver=None, tol=None, form="lmi") -> Solution:
    """Solve the relaxation described by `data` (certify.npa.ConicData)."""
    name = solver or default_solver()
    table = ADAPTERS
    if name not in table:
        raise CertifyError(f"solver: unknown solver {name!r} (choose from {', '.join(sorted(table))})")
    return table[name].run(data, at, tol, form)
