"""certify: machine-checked certificates for device-independent randomness claims.

Importing this package is cheap and pulls in no numerical library: the trusted
checker (`certify.kernel`) is pure Python, and the solvers are imported only by
the commands that produce certificates.
"""

__version__ = "0.1.0"
