"""certify: exact certificates for device-independent randomness claims (checker: `certify.kernel`, pure Python)."""

__version__ = "0.1.0"
