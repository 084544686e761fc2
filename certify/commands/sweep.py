"""`certify sweep SPEC.json`: a grid of problems, solved anywhere, checked here by the kernel.

Progress goes to stderr on a terminal (always with --verbose, never with --quiet); --json prints the
kernel's verdicts of every point as one "certify-result/1" document, with the table rows. A VERIFIED
line's decimal is rounded the safe way (up for an upper bound). Exit code as `certify check` ranks
it: 3 internal, else 2 a malformed point, else 1 a point false or not certified, else 0."""

import json
import os
import sys

from certify import printing
from certify.cli_types import positive_int
from certify.errors import EXIT_ERROR, EXIT_FALSE
from certify.sweep import load, plot, sweep

SUMMARY = "run a sweep (a problem template over a grid) on Dask or in-process; the kernel checks every point"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("sweep", help=SUMMARY, description=SUMMARY + " (docs/sweeps.md)")
    parser.add_argument("spec", help="sweep description (JSON, docs/sweeps.md)")
    parser.add_argument("--out", required=True,
                        help="output folder: proofs/ (certificates and manifest), table.csv, table.json")
    parser.add_argument("--jobs", type=positive_int, default=os.cpu_count() or 1,
                        help="worker processes of the embedded Dask cluster; 1 runs in-process without Dask")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://HOST:8786 "
                                            "(default: $DASK_SCHEDULER_ADDRESS, else an embedded cluster)")
    parser.add_argument("--plot", help="also draw the verified values (PNG/PDF/SVG path)")
    parser.add_argument("--json", action="store_true",
                        help='one JSON document (format "certify-result/1"): the kernel\'s verdict of every point '
                             'under "claims", the table rows under "rows"')


def run(args) -> int:
    spec = load(args.spec)
    quiet, verbose = getattr(args, "quiet", False), getattr(args, "verbose", False)
    rows = sweep(spec, args.out, args.jobs, args.scheduler, progress=(verbose or sys.stderr.isatty()) and not quiet)
    if args.plot:
        plot(spec, rows, args.plot)
    failed = sum(not row.ok for row in rows)
    code = _exit_code(rows)
    if getattr(args, "json", False):
        verdicts = [row.verdict for row in rows if row.verdict is not None]
        print(json.dumps(printing.result_json(
            "sweep", verdicts, answered=len(verdicts) == len(rows), spec=spec["id"], out=args.out,
            table=os.path.join(args.out, "table.csv"), rows=[row.fields for row in rows]), indent=1))
        return code
    for row in rows:
        name = f"{spec['id']}/{row.fields['file'][:-5]}"
        if row.verdict is not None:
            print(f"{name}  {printing.proven(row.verdict, _decimal)}", file=sys.stdout if row.ok else sys.stderr)
        else:
            print(f"{name}  {row.fields['status']}", file=sys.stderr)
    print(f"{len(rows) - failed} of {len(rows)} points verified by the kernel "
          f"(table: {os.path.join(args.out, 'table.csv')}; re-check: certify check {os.path.join(args.out, 'proofs')})")
    return code


# the value of a VERIFIED line: 10 significant digits, rounded up for "<=", down for ">=" (exact for "==")
_decimal = printing.decimal(10)


def _exit_code(rows) -> int:
    """`certify check`'s ranking over the points: 3 internal, else 2 malformed (a point that does not parse,
    or a certificate the kernel calls malformed), else 1 false or not certified, else 0."""
    code = printing.exit_code([row.verdict for row in rows if row.verdict is not None])
    if any(row.verdict is None and row.missing_verdict_status == "malformed" for row in rows):
        code = max(code, EXIT_ERROR)
    if any(row.verdict is None and row.missing_verdict_status != "malformed" for row in rows):
        code = max(code, EXIT_FALSE)
    return code
