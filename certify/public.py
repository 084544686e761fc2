"""The public API of `import certify`, resolved on first use (certify/__init__.py forwards here).

Kept out of certify/__init__.py, which every `import certify.kernel` runs, so that the trusted base holds no
API plumbing. The API (docs/your-experiment.md, certify/api.py): Scenario, BellExpression, guess, Problem,
solve(problem, out=None, claim_id=None, solver=None, two_sided=False) -> SolveResult, bits(counts, ...)
-> BitsResult, check(path) -> CheckResult; results are frozen dataclasses of kernel verdicts (.lower,
.upper, .certificate, .verdicts, .to_json()); failures raise CertifyError subclasses (ProblemError,
InfeasibleError, SolverError, NotProvenError). The solvers (numpy, cvxpy, HiGHS) load only when `solve` or
`bits` runs, so checking stays solver-free.
"""

import importlib

_API = {"BellExpression", "BitsResult", "CheckResult", "InfeasibleError", "NotProvenError", "Problem", "ProblemError",
        "Scenario", "SolveResult", "SolverError", "bits", "check", "guess"}  # read lazily from certify.api


def _solve(problem, out=None, claim_id=None, solver=None, **two_sided):
    """Certify a Problem (or its JSON dict); a SolveResult of kernel verdicts (see certify.api.solve)."""
    from certify.api import solve as run  # imported here: loads the solvers only when asked

    return run(problem, out, claim_id, solver, **two_sided)  # two_sided=True, tight_tol: both ends


class _Solve:
    """`certify.solve`: the API function above, and also the name of the solver package certify/solve/.
    Importing that package assigns `certify.solve`; certify/__init__.py keeps the package aside, and this
    callable forwards attribute access to it (so `certify.solve.clarabel` and mock paths still work)."""

    __doc__ = _solve.__doc__

    def __call__(self, problem, out=None, claim_id=None, solver=None, **two_sided):
        return _solve(problem, out, claim_id, solver, **two_sided)

    def __getattr__(self, name):
        return getattr(importlib.import_module("certify.solve"), name)

    def __setattr__(self, name, value):
        setattr(importlib.import_module("certify.solve"), name, value)

    def __delattr__(self, name):
        delattr(importlib.import_module("certify.solve"), name)


SOLVE = _Solve()


def attribute(name):
    """`certify.<name>` for the names of certify.__all__ (`certify.Problem`, `certify.solve`, ...)."""
    if name == "solve":
        return SOLVE
    if name in _API:
        import certify.api

        return getattr(certify.api, name)
    if name == "CertifyError":
        from certify.errors import CertifyError

        return CertifyError
    raise AttributeError(f"module 'certify' has no attribute {name!r}")
