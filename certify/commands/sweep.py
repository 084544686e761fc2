"""`certify sweep SPEC.json`: a grid of problems, solved anywhere, checked here by the kernel."""

import os
import sys

from certify.cli_types import positive_int
from certify.errors import EXIT_FALSE, EXIT_OK
from certify.sweep import load, plot, sweep

SUMMARY = "run a sweep (a problem template over a grid) on Dask or in-process; the kernel checks every point"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("sweep", help=SUMMARY, description=SUMMARY + " (docs/sweeps.md)")
    parser.add_argument("spec", help="sweep description (JSON, docs/sweeps.md)")
    parser.add_argument("--out", required=True, help="output folder: proofs/ (certificates and manifest), table.csv, table.json")
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
    failed = [row for row in rows if row["status"] != "VERIFIED"]
    for row in rows:
        if row["status"] == "VERIFIED":
            print(f"VERIFIED  {spec['id']}/{row['file'][:-5]}  {row['relation']} {row['decimal']}")
        else:
            print(f"FAILED    {spec['id']}/{row['file'][:-5]}  {row.get('reason', '')}", file=sys.stderr)
    print(f"{len(rows) - len(failed)} verified, {len(failed)} failed, of {len(rows)} points "
          f"(table: {os.path.join(args.out, 'table.csv')})")
    return EXIT_FALSE if failed else EXIT_OK
