"""`certify sweep SPEC.json`: a grid of problems, solved anywhere, checked here by the kernel."""

import os
import sys

from certify import printing
from certify.cli_types import positive_int
from certify.errors import EXIT_FALSE, EXIT_OK
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


def run(args) -> int:
    spec = load(args.spec)
    rows = sweep(spec, args.out, args.jobs, args.scheduler, progress=sys.stderr.isatty())
    if args.plot:
        plot(spec, rows, args.plot)
    for row in rows:
        name = f"{spec['id']}/{row.fields['file'][:-5]}"
        if row.verdict is not None:
            print(f"{name}  {printing.proven(row.verdict, _decimal)}", file=sys.stdout if row.ok else sys.stderr)
        else:
            print(f"{name}  {row.fields['status']}", file=sys.stderr)
    failed = sum(not row.ok for row in rows)
    print(f"{len(rows) - failed} of {len(rows)} points verified by the kernel "
          f"(table: {os.path.join(args.out, 'table.csv')}; re-check: certify check {os.path.join(args.out, 'proofs')})")
    return EXIT_FALSE if failed else EXIT_OK


def _decimal(value) -> str:
    return f"{float(value):.10g}"
