"""The `certify` command line: the only place that prints and exits.

Each subcommand lives in `certify.commands.<name>` with `add_parser` and `run`;
they are imported only when chosen, so `certify check` never loads a solver.
Exit codes: 0 all claims verified, 1 a claim checked false, 2 bad input, 3 an internal error (a bug);
a closed output pipe (`certify check | head`) ends quietly: the rest of the output is dropped and
the exit code is still the verdicts' (so `set -o pipefail` pipelines see 0 when all verified).

Every command takes --quiet and --verbose. --quiet: stdout keeps only the lines that carry a kernel
verdict as certify.printing words them (printing.VERDICT_LINE; `check` and `report`, which set
OWN_QUIET, print their one summary line), no progress; errors stay on stderr. --verbose: timings
and solver status on stderr. Neither changes a --json document.
A command whose optional dependencies are missing (the default install is the kernel alone) exits 2
with one line naming the extra to install (MISSING_EXTRA), never a traceback.
"""

import argparse
import importlib
import importlib.metadata
import os
import platform
import re
import sys
import time

import certify
from certify import printing
from certify.errors import EXIT_ERROR, EXIT_FALSE, EXIT_INTERNAL, CertifyError
from certify.kernel.format import Reject

# One BLAS/OpenMP thread before numpy loads: multi-threaded reductions round differently with the
# thread count, and solver floats end up in committed certificates (measured: the quantum-majority
# certificate of --jobs 1 differed from that of Dask workers, which run one thread each).
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


def _cpu_has_avx2() -> bool:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
            return any(line.startswith("flags") and " avx2" in line for line in cpuinfo)
    except OSError:
        return False


# One OpenBLAS kernel family on every x86_64 machine: numpy's OpenBLAS is built DYNAMIC_ARCH and
# picks its kernels by CPU, and the AVX-512 kernels round differently from the AVX2 ones (measured:
# `reproduce pironio2010` on an AVX-512 machine changed 430 of its certificate files; with the
# Haswell kernels it rebuilt all of them byte for byte). Haswell's kernels need only AVX2.
if platform.machine() in ("x86_64", "AMD64") and _cpu_has_avx2():
    os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")

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
    "manifest": "write FOLDER/manifest.json listing the kernel-verified certificates of your own folder",
}

# Top-level modules of the optional extras (pyproject.toml) -> what a missing one means.
MISSING_EXTRA = {
    **dict.fromkeys(("numpy", "scipy", "highspy", "sympy", "mpmath", "cvxpy", "clarabel", "rich", "scs"),
                    ("the solver stack", "certify[solve]")),
    "matplotlib": ("matplotlib", "certify[plots]"),
    **dict.fromkeys(("dask", "distributed", "psutil"), ("Dask", "certify[dask]")),
    "mosek": ("MOSEK", "certify[mosek]"),
}

EPILOG = """exit codes:
  0  every claim verified
  1  a claim was checked and found false (or not proven)
  2  bad input: one line names the file, the field and what was wrong
  3  internal error (a bug, never a verdict; CERTIFY_DEBUG=1 shows the traceback)

every command: --json (one document, "format": "certify-result/1"), --quiet (verdict lines only),
--verbose (timings and solver status on stderr).

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


class VerdictLines:
    """--quiet: a stdout that passes only whole lines carrying a verdict word (printing.VERDICT_LINE)."""

    def __init__(self, stream):
        self._stream, self._partial = stream, ""

    def write(self, text):
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        for line in lines:
            if printing.VERDICT_LINE.search(line):
                self._stream.write(line + "\n")
        return len(text)

    def flush(self):
        if self._partial and printing.VERDICT_LINE.search(self._partial):
            self._stream.write(self._partial)
        self._partial = ""
        self._stream.flush()

    def isatty(self):
        return False

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
    started = time.perf_counter()
    parser = OneLineParser(
        prog="certify", description="Machine-checked certificates for device-independent randomness claims.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"certify {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = (argv if argv is not None else sys.argv[1:])[:1]
    for name, summary in COMMANDS.items():
        if chosen and chosen[0] == name:
            try:
                module = importlib.import_module(f"certify.commands.{name}")
            except ModuleNotFoundError as err:
                return _missing(name, err)
            module.add_parser(sub)
            _common_options(sub.choices[name])
        else:
            sub.add_parser(name, help=summary, add_help=False)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    args.quiet, args.verbose = getattr(args, "quiet", False), getattr(args, "verbose", False)
    args.json = getattr(args, "json", False)
    code = _run(args)
    if args.verbose:
        print(f"certify {args.command}: exit {code} after {time.perf_counter() - started:.2f} s", file=sys.stderr)
    return code


def _common_options(parser) -> None:
    """--quiet and --verbose on a command and on each of its own subcommands (`lp lemma`, ...).

    Defaults are SUPPRESS so that a subcommand's parser never overwrites what its parent read."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _common_options(child)
    taken = parser._option_string_actions
    group = parser.add_mutually_exclusive_group()
    if "--quiet" not in taken:
        group.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                           help="print only the verdict lines (and errors): no prose, no progress")
    if "--verbose" not in taken:
        group.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                           help="also print timings and solver status (on stderr)")


def _missing(command, err) -> int:
    """A missing optional dependency: one line naming the extra (exit 2); anything else is a bug."""
    name = err.name or (re.findall(r"No module named '([\w.]+)'", str(err)) or [""])[0]
    top = name.split(".")[0]
    if top not in MISSING_EXTRA:
        raise err
    what, extra = MISSING_EXTRA[top]
    print(f"certify {command} needs {what} ({top} is not installed): pip install '{extra}'", file=sys.stderr)
    return EXIT_ERROR


def _run(args) -> int:
    stdout = sys.stdout
    try:
        module = importlib.import_module(f"certify.commands.{args.command}")
        if args.quiet and not args.json and not getattr(module, "OWN_QUIET", False):
            sys.stdout = VerdictLines(stdout)
        return module.run(args)
    except ModuleNotFoundError as err:
        return _missing(args.command, err)
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
    finally:
        if sys.stdout is not stdout:
            sys.stdout.flush()
            sys.stdout = stdout


if __name__ == "__main__":
    sys.exit(main())
