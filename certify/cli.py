"""The `certify` command line: the only place that prints and exits.

Each subcommand lives in `certify.commands.<name>` with `add_parser` and `run`;
they are imported only when chosen, so `certify check` never loads a solver.
Exit codes: 0 all claims verified, 1 a claim checked false, 2 bad input, 3 an internal error (a bug);
a closed output pipe (`certify check | head`) ends quietly: the rest of the output is dropped and
the exit code is still the verdicts' (so `set -o pipefail` pipelines see 0 when all verified).
"""

import argparse
import importlib
import importlib.metadata
import os
import sys

import certify
from certify.errors import EXIT_ERROR, EXIT_FALSE, EXIT_INTERNAL, CertifyError
from certify.kernel.format import Reject

# One BLAS/OpenMP thread before numpy loads: multi-threaded reductions round differently with the
# thread count, and solver floats end up in committed certificates (measured: the quantum-majority
# certificate of --jobs 1 differed from that of Dask workers, which run one thread each).
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

COMMANDS = {
    "check": "verify certificate files or folders with the trusted kernel alone",
    "show": "print a certificate's claim rebuilt in words from its problem definition, then the kernel's verdict",
    "lp": "solve and certify no-signalling LP claims (Gallego et al. 2013, Pironio et al. curve c)",
    "npa": "certify an NPA bound: Tsirelson-type maxima or guessing probabilities (Pironio et al. 2010)",
    "bits": "certified random bits from CHSH counts (Pironio et al. 2010, eq. (3))",
    "amplify": "Gallego et al. 2013 eq. (13): the bound, N_d, N_b and the number of devices N",
    "report": "write the referee's report (claims, key values, figures, trusted base, versions) from proofs/",
    "reproduce": "regenerate every certificate of the papers with the solvers, then verify them with the kernel",
    "sweep": "run a sweep (a problem template over a grid) on Dask or in-process; the kernel checks every point",
    "solve": "certify your own problem file: local / no-signalling / quantum optimum of a Bell expression or guess",
    "vn": "certify a von Neumann entropy lower bound H(A|X=0,E) from CHSH (Brown-Fawzi-Fawzi)",
}


EPILOG = """exit codes:
  0  every claim verified
  1  a claim was checked and found false (or not proven)
  2  bad input: one line names the file, the field and what was wrong
  3  internal error (a bug, never a verdict; CERTIFY_DEBUG=1 shows the traceback)

Run `certify COMMAND --help` for a command's options; `certify show FILE` explains one certificate."""


def version() -> str:
    """The installed distribution's version, else the package's own (a source checkout)."""
    try:
        return importlib.metadata.version("certify")
    except importlib.metadata.PackageNotFoundError:
        return certify.__version__


class QuietPipe:
    """sys.stdout, except that once the reader has gone (`| head`), output is dropped silently.

    The command runs to its end and its exit code stays the verdicts'; without this, the first
    write after `head` exits raises BrokenPipeError mid-run (or "Exception ignored ... Broken
    pipe" at interpreter exit)."""

    def __init__(self, stream):
        self._stream, self.closed_by_reader = stream, False

    def _guard(self, action, *args):
        if self.closed_by_reader:
            return None
        try:
            return action(*args)
        except BrokenPipeError:
            self.closed_by_reader = True
            os.dup2(os.open(os.devnull, os.O_WRONLY), self._stream.fileno())  # the final flush is silent too
            return None

    def write(self, text):
        return self._guard(self._stream.write, text) or len(text)

    def flush(self):
        self._guard(self._stream.flush)

    def __getattr__(self, name):
        return getattr(self._stream, name)


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the usage block stays in --help)."""

    def error(self, message):
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def main(argv=None) -> int:
    saved = sys.stdout
    if not isinstance(saved, QuietPipe):
        sys.stdout = QuietPipe(saved)
    try:
        return _main(argv)
    finally:
        sys.stdout.flush()  # inside the guard: a reader that left makes no noise at exit
        sys.stdout = saved


def _main(argv) -> int:
    parser = OneLineParser(
        prog="certify", description="Machine-checked certificates for device-independent randomness claims.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"certify {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = (argv if argv is not None else sys.argv[1:])[:1]
    for name, summary in COMMANDS.items():
        if chosen and chosen[0] == name:
            module = importlib.import_module(f"certify.commands.{name}")
            module.add_parser(sub)
        else:
            sub.add_parser(name, help=summary, add_help=False)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    module = importlib.import_module(f"certify.commands.{args.command}")
    try:
        return module.run(args)
    except CertifyError as err:
        print(f"certify {args.command}: error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except Reject as failure:  # a kernel check of the user's own evidence failed (e.g. --tangent)
        print(f"certify {args.command}: REJECTED: {failure}", file=sys.stderr)
        return EXIT_FALSE
    except BrokenPipeError:  # the reader of stdout left (`| head`): no traceback, no "Broken pipe" line
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell reports a pipe writer it closed
    except OSError as err:  # an output path that cannot be written (a folder, a missing parent, ...)
        where = f"{err.filename}: " if err.filename else ""
        print(f"certify {args.command}: error: cannot write or read {where}{err.strerror or err}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("certify: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug, never a verdict: one line, exit 3
        if os.environ.get("CERTIFY_DEBUG"):
            raise
        print(f"certify {args.command}: internal error: {type(err).__name__}: {err}"
              " (set CERTIFY_DEBUG=1 for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
