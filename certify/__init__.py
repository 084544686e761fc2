"""certify: exact certificates for device-independent randomness claims. The checker `certify.kernel` (pure
Python) is the trusted base; the public API below is `certify.public`, loaded on first use, so `import certify`
loads neither solvers nor untrusted code."""

import sys
import types

__version__ = "0.1.0"
__all__ = ["BellExpression", "BitsResult", "CertifyError", "CheckResult", "InfeasibleError", "NotProvenError",
           "Problem", "ProblemError", "Scenario", "SolveResult", "SolverError", "bits", "check", "guess", "solve"]


class _Package(types.ModuleType):  # `certify.solve` is the API callable; the package certify/solve/ is kept aside
    solve = property(lambda self: __getattr__("solve"), lambda self, package: self.__dict__.update(_solvers=package))


sys.modules[__name__].__class__ = _Package


def __getattr__(name):
    if name not in __all__:  # a submodule probed by `from certify import printing`: no API load
        raise AttributeError(f"module 'certify' has no attribute {name!r}")
    from certify.public import attribute

    return attribute(name)
