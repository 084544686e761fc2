"""The apply -> solve_via_data -> invert loop shared by the cvxpy adapters, and the adapters' result type."""

import time
import warnings
from dataclasses import dataclass

import numpy as np

from certify.errors import CertifyError

STATUSES = ("solved", "inaccurate", "infeasible", "unbounded", "limit", "failed")
# the formulations every adapter takes (`certify.solve.model.build`; "lmi-reg" is "lmi" with Clarabel's
# regularisation, `certify.solve.clarabel.options`)
FORMS = ("lmi", "tied", "lmi-reg")


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
    nu: object = None  # dual of the normalisation sum_e y_e[0] = 1 (float), where the adapter reads it
    moments: object = None  # the primal moment vectors y_e (numpy arrays), where the adapter reads them


def classify(name, status_text, status_map):
    """The certify status of a solver's raw status; an unknown one is a one-line error naming
    the solver and the statuses it knows (a status is never guessed: an unmapped "solved"-like
    word must not pass as optimal, and a new solver version's wording must not crash)."""
    if status_text not in status_map:
        raise CertifyError(f"solver {name}: unknown raw status {status_text!r} "
                           f"(known: {', '.join(repr(k) for k in sorted(status_map))})")
    return status_map[status_text]


def run_cvxpy(name, cvxpy_name, data, at, opts, raw_status, status_map, form="lmi"):
    # cvxpy is imported here, not at module level: the direct Clarabel path never loads it (~0.8 s)
    from cvxpy.reductions.solvers.solver_inverse_data import SolverInverseData

    from certify.solve.model import build

    model = build(data, at, form)
    problem = model.problem
    start = time.perf_counter()
    compiled, chain, inverse = problem.get_problem_data(cvxpy_name)
    raw = chain.solver.solve_via_data(compiled, False, False, opts)
    seconds = time.perf_counter() - start
    status_text = raw_status(raw)
    status = classify(name, status_text, status_map)
    inverse[-1] = SolverInverseData(inverse[-1], solver_instance=chain.solver, solver_options=opts)
    try:
        with warnings.catch_warnings():  # the raw status is recorded; no warning needed
            warnings.simplefilter("ignore")
            problem.unpack_results(raw, chain, inverse)
    except Exception:  # noqa: BLE001  a failed solve has nothing to unpack
        return Solution(name, status, status_text, None, None, 0.0, seconds)
    duals = [c.dual_value for c in model.psd]
    if any(z is None for z in duals):
        duals = None
    lam = 0.0
    if model.bell is not None and model.bell.dual_value is not None:
        lam = float(model.bell.dual_value)
    mu = None
    if model.stats is not None and model.stats.dual_value is not None:
        mu = np.atleast_1d(np.asarray(model.stats.dual_value, dtype=float))
    value = problem.value if status in ("solved", "inaccurate") else None
    return Solution(name, status, status_text, value, duals, lam, seconds, mu)
