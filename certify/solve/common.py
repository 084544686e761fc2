"""The apply -> solve_via_data -> invert loop shared by the adapters."""

import time
import warnings

from certify.errors import CertifyError


def run_cvxpy(name, cvxpy_name, data, at, opts, raw_status, status_map, form="lmi"):
    from certify.solve import Solution
    from certify.solve.model import build

    model = build(data, at, form)
    problem = model.problem
    start = time.perf_counter()
    compiled, chain, inverse = problem.get_problem_data(cvxpy_name)
    raw = chain.solver.solve_via_data(compiled, False, False, opts)
    seconds = time.perf_counter() - start
    status_text = raw_status(raw)
    if status_text not in status_map:
        raise CertifyError(f"solver {name}: unknown raw status {status_text!r}")
    status = status_map[status_text]
    from cvxpy.reductions.solvers.solver_inverse_data import SolverInverseData

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
        import numpy as np

        mu = np.atleast_1d(np.asarray(model.stats.dual_value, dtype=float))
    value = problem.value if status in ("solved", "inaccurate") else None
    return Solution(name, status, status_text, value, duals, lam, seconds, mu)
