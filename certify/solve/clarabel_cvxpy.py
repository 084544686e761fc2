"""Clarabel through cvxpy: the documented alternative to the direct adapter (`certify.solve.clarabel`).

Same settings and status table as the direct adapter; cvxpy's compile adds 4-6 ms per solve
(measured in benchmarks/bench_pipeline.py). tests/unit/test_solve_clarabel.py checks that the
two paths agree on optima and duals.
"""

from certify.solve.clarabel import STATUS_MAP, options, usable  # noqa: F401  (one table, one set of settings)
from certify.solve.common import run_cvxpy


def run(data, at, tol, form="lmi"):
    return run_cvxpy("clarabel-cvxpy", "CLARABEL", data, at, options(tol, form),
                     lambda raw: str(raw.status), STATUS_MAP, form)
