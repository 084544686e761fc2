"""certify: exact certificates for device-independent randomness claims (checker: `certify.kernel`, pure Python).

The small public API (docs/problem-format.md):
    certify.Problem                 a problem description (JSON twin: Problem.from_json / .to_json)
    certify.solve(problem, out=None, claim_id=None, solver=None) -> kernel Verdict of a fresh certificate
    certify.check(path)             -> list of kernel Verdicts of a certificate file or folder
Failures raise certify.CertifyError. Nothing here is imported at `import certify` time: the
solvers (numpy, cvxpy, HiGHS) load only when `solve` runs, so checking stays solver-free.
"""

import importlib
import sys
import types

__version__ = "0.1.0"
__all__ = ["CertifyError", "Problem", "check", "solve"]


def _solve(problem, out=None, claim_id=None, solver=None, **two_sided):
    """Certify a Problem (or its JSON dict); returns the kernel's Verdict (see certify.problem.solve)."""
    from certify.problem import solve as run  # imported here: loads the solvers only when asked

    return run(problem, out, claim_id, solver, **two_sided)  # two_sided=True, tight_tol: an Interval


class _Solve:
    """`certify.solve`: the API function above, and also the name of the solver package certify/solve/.
    Importing that package assigns `certify.solve`; `_Module` keeps the package aside, and this
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


class _Module(types.ModuleType):
    @property
    def solve(self):
        return _SOLVE

    @solve.setter
    def solve(self, package):  # the import system setting the submodule certify.solve
        self.__dict__["_solver_package"] = package


_SOLVE = _Solve()
sys.modules[__name__].__class__ = _Module


def check(path):
    """The kernel's Verdicts of a certificate file or folder (certify.kernel.proofs.check_path)."""
    from certify.kernel.proofs import check_path

    return check_path(path)


def __getattr__(name):  # lazy: `certify.Problem` and `certify.CertifyError` without importing at start-up
    if name == "Problem":
        from certify.problem import Problem

        return Problem
    if name == "CertifyError":
        from certify.errors import CertifyError

        return CertifyError
    raise AttributeError(f"module 'certify' has no attribute {name!r}")
