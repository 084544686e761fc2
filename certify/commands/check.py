"""`certify check PATH...`: verify certificates with the trusted kernel alone.

Exit code: 3 if any verdict is an internal error (a bug), else 2 if any file is malformed,
else 1 if any claim is false, else 0. Every printed field is escaped (`_safe`), although the
kernel already refuses unprintable statements: a file must not be able to forge a line.
"""

import json
import os
import sys
import time

from certify import printing
from certify.errors import CertifyError
from certify.kernel.format import brief
from certify.kernel.proofs import MANIFEST, check_path, error_verdict

OWN_QUIET = True  # --quiet prints the failures and the summary line (certify.cli filters other commands)
SUMMARY = "verify certificate files or folders with the trusted kernel alone"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("check", help=SUMMARY, description=SUMMARY)
    parser.add_argument("paths", nargs="*", default=["proofs"], metavar="PATH",
                        help="certificate files or folders (default: proofs)")
    parser.add_argument("--json", action="store_true",
                        help='one JSON document (format "certify-result/1"): "claims", one object per claim with the '
                             "kernel's verdict fields (status, value, low, high, claimed, relation, reason), and "
                             '"summary" (counts by status)')


def run(args) -> int:
    verdicts = []
    for path in args.paths:
        if os.path.isdir(path) and not os.path.isfile(os.path.join(path, MANIFEST)):
            # a deleted manifest must not pass unnoticed: without it nothing pins the statements
            # or the set of claims (each certificate is still checked in full)
            print(f"warning: {_safe(path)} has no {MANIFEST}: files checked one by one; their statements "
                  "and the set of claims are not pinned", file=sys.stderr)
        started, before = time.perf_counter(), len(verdicts)
        try:
            verdicts.extend(check_path(path))
        except CertifyError as err:  # a missing path: its own verdict, the other paths are still checked
            verdicts.append(error_verdict(path, str(err)))
        if getattr(args, "verbose", False):
            print(f"certify check: {_safe(path)}: {len(verdicts) - before} claims in "
                  f"{time.perf_counter() - started:.2f} s", file=sys.stderr)
    count = {status: sum(v.status == status for v in verdicts) for status in ("verified", "false", "malformed",
                                                                              "internal")}
    code = printing.exit_code(verdicts)
    try:
        _print(verdicts, count, args)
    except BrokenPipeError:  # `certify check | head`: the reader left; the verdicts still decide the exit code
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return code


def _print(verdicts, count, args) -> None:
    if args.json:
        print(json.dumps(printing.result_json("check", verdicts, paths=list(args.paths)), indent=1))
        return
    for v in verdicts:
        if v.ok and not getattr(args, "quiet", False):  # --quiet (certify.cli): failures and the summary
            print(f"{printing.label(v)}  {_safe(v.claim_id)}  {v.relation} {_number(v.value)}  {_safe(v.statement)}")
        elif not v.ok:
            name = v.claim_id if v.status == "false" else v.source
            print(f"{printing.label(v)}  {_safe(name)}  {_safe(v.reason)}", file=sys.stderr)
    internal = f", {count['internal']} internal errors" if count["internal"] else ""
    print(f"{count['verified']} verified, {count['false']} failed, {count['malformed']} malformed{internal}, "
          f"of {len(verdicts)} claims")


def _safe(text) -> str:
    """`text` with every unprintable character (control, ESC, lone surrogate) escaped."""
    text = str(text)
    return text if text.isprintable() else "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _number(value) -> str:
    """The exact value, with a decimal beside it when the fraction is long."""
    text = brief(value)
    if len(text) <= 16 or text.startswith("a rational"):
        return text
    digits = len(str(abs(value.numerator))) - len(str(value.denominator))
    decimal = f"{float(value):.12g}" if abs(digits) < 300 else f"~1e{digits}"  # float() would overflow
    return f"{decimal} (exactly {text})"

