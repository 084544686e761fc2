"""One exception type for bad input, and the exit codes the command line uses.

Every error a user can cause (a malformed certificate, a count table with a
negative entry, a level string that does not parse) is a `CertifyError` whose
message is ONE line naming the place and what was wrong, e.g.
``proofs/chsh.json: evidence.dual["norm:00"]: expected rational "p/q", got "1e999"``.
The command line prints it and exits with `EXIT_ERROR`; a claim that is checked
and found false exits with `EXIT_FALSE`.
"""

EXIT_OK = 0
EXIT_FALSE = 1
EXIT_ERROR = 2


class CertifyError(Exception):
    """Bad input: the message is one line that names what is wrong."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))
