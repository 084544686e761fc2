"""The named failures of the Python API (`certify.ProblemError`, ...), all `CertifyError`s.

A message is one line naming the field, as for every `CertifyError`; the command line prints it
and exits 2. The classes only say which stage failed, so a caller can catch what it can repair:
  ProblemError     the problem (or counts, or array) is malformed or outside what is supported;
  InfeasibleError  a ProblemError: the constraints admit no behaviour (the message says why, and
                   whether a kernel verdict proves it);
  SolverError      the solvers produced no certificate (a numerical failure, never a verdict);
  NotProvenError   a certificate was produced but the kernel did not verify it.
"""

from certify.errors import CertifyError


class ProblemError(CertifyError):
    """Bad input: the problem, counts or array is malformed or unsupported."""


class InfeasibleError(ProblemError):
    """The constraints admit no behaviour of the set."""


class SolverError(CertifyError):
    """No certificate could be produced (solver failure or numerical trouble)."""


class NotProvenError(CertifyError):
    """A certificate was produced, but the kernel's verdict is not "verified"."""
