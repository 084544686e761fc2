"""One exception type for bad input, and the exit codes of the command line.

A `CertifyError` message is ONE line naming the place and what was wrong, e.g. ``proofs/chsh.json:
evidence.dual["norm:00"]: expected rational "p/q", got "1e999"``; the CLI prints it and exits
`EXIT_ERROR`. A claim checked and found false exits `EXIT_FALSE`; a bug (any other exception) exits
`EXIT_INTERNAL`, never a verdict.
"""

EXIT_OK, EXIT_FALSE, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3


class CertifyError(Exception):
    """Bad input: the message is one line that names what is wrong."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))
