"""`certify check PATH...`: verify certificates with the trusted kernel alone."""

import json
import os
import sys

from certify.errors import EXIT_ERROR, EXIT_FALSE, EXIT_OK
from certify.kernel.format import format_rational
from certify.kernel.proofs import MANIFEST, check_path

SUMMARY = "verify certificate files or folders with the trusted kernel alone"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("check", help=SUMMARY, description=SUMMARY)
    parser.add_argument("paths", nargs="*", default=["proofs"], metavar="PATH",
                        help="certificate files or folders (default: proofs)")
    parser.add_argument("--json", action="store_true", help="one JSON object per claim, then a summary")
    parser.add_argument("--quiet", action="store_true", help="print only failures and the summary")


def run(args) -> int:
    verdicts = []
    for path in args.paths:
        if os.path.isdir(path) and not os.path.isfile(os.path.join(path, MANIFEST)):
            # a deleted manifest must not pass unnoticed: without it nothing pins the statements
            # or the set of claims (each certificate is still checked in full)
            print(f"warning: {path} has no {MANIFEST}: files checked one by one; their statements "
                  "and the set of claims are not pinned", file=sys.stderr)
        verdicts.extend(check_path(path))
    errors = sum(v.status == "malformed" for v in verdicts)
    failed = sum(v.status == "false" for v in verdicts)
    passed = sum(v.ok for v in verdicts)
    if args.json:
        rows = [_as_json(v) for v in verdicts]
        print(json.dumps({"claims": rows, "verified": passed, "failed": failed, "errors": errors}, indent=1))
    else:
        for v in verdicts:
            if v.ok and not args.quiet:
                print(f"VERIFIED  {v.claim_id}  {v.relation} {_number(v.value)}  {v.statement}")
            elif not v.ok:
                label = "ERROR   " if v.status == "malformed" else "FAILED  "
                print(f"{label}  {v.claim_id if v.status != 'malformed' else v.source}  {v.reason}", file=sys.stderr)
        print(f"{passed} verified, {failed} failed, {errors} malformed, of {len(verdicts)} claims")
    if errors:
        return EXIT_ERROR
    return EXIT_FALSE if failed else EXIT_OK


def _number(value) -> str:
    """The exact value, with a decimal beside it when the fraction is long."""
    text = format_rational(value)
    if len(text) <= 16:
        return text
    digits = len(str(abs(value.numerator))) - len(str(value.denominator))
    decimal = f"{float(value):.12g}" if abs(digits) < 300 else f"~1e{digits}"  # float() would overflow
    return f"{decimal} (exactly {text})"


def _as_json(v) -> dict:
    return {
        "id": v.claim_id, "kind": v.kind, "statement": v.statement, "relation": v.relation,
        "claimed": None if v.claimed is None else format_rational(v.claimed),
        "value": None if v.value is None else format_rational(v.value),
        "status": "VERIFIED" if v.ok else ("ERROR" if v.status == "malformed" else "FAILED"),
        "reason": v.reason, "source": v.source,
    }
