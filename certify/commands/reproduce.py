"""`certify reproduce [pironio2010|gallego2013|vn|all]`: regenerate every certificate, then check it.

The solvers (untrusted) propose the certificates; the kernel checks each one here, in this
process, on the exact bytes written under --out (`certify.papers.produce`), then every file is
re-read through the rebuilt manifest: a file whose bytes the kernel already checked in this run
keeps that verdict, any other is checked again. The table at the end is built from the
kernel's verdicts, never from solver output.

By default every certificate is regenerated from the solvers (the README's main job).
`--resume` is for a run that stopped (Ctrl-C, a lost machine): a task whose files all exist and
verify by the kernel here is not solved again and its files are kept as they are; a missing,
torn, tampered or failing file is produced again. After a resumed run the folder is the one a
full run writes when the kept files came from this same code (see docs/sweeps.md).

Files under --out that belong to a regenerated paper but were not written by
this run are removed (a claim that is no longer produced must show up in the
diff as deleted, not linger as a stale file that the manifest re-lists).
"""

import json
import os
import sys
import time

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from certify.certificate import rebuild_manifest, safe_decimal, safe_range
from certify.cli_types import folder, positive_int
from certify.errors import EXIT_ERROR, EXIT_FALSE, EXIT_OK
from certify.executor import Verdicts
from certify.kernel.format import format_rational
from certify.kernel.proofs import certificate_files, check_path
from certify.papers import PAPER_SAYS
from certify.papers.families import FAMILIES
from certify.papers.produce import produce
from certify.printing import result_json, status

SUMMARY = "regenerate every certificate of the papers with the solvers, then verify them with the kernel"
# Families with more claims than this are shown as one row when all of them verify.
COLLAPSE = 6
# The column of proven values: exact "p/q" when short, else a decimal rounded so that it claims no more
# than the kernel proved (up for "<=", down for ">="); `certify check` prints the exact values.
PROVES = "certify proves (kernel-verified; decimals rounded the safe way)"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("reproduce", help=SUMMARY, description=SUMMARY)
    parser.add_argument("paper", nargs="?", default="all", choices=["all", *FAMILIES])
    parser.add_argument("--jobs", type=positive_int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--out", default="proofs", type=folder, help="certificate folder (default proofs)")
    parser.add_argument("--scheduler", default=None,
                        help="address of a running Dask scheduler, e.g. tcp://HOST:8786 (default: local workers)")
    parser.add_argument("--resume", action="store_true",
                        help="keep every task's files that exist and verify by the kernel; solve only the rest "
                             "(for an interrupted run; default: regenerate everything)")
    parser.add_argument("--json", action="store_true",
                        help='the kernel\'s verdicts as JSON (schema "certify-cli/1"); progress goes to stderr')


def run(args) -> int:
    papers = list(FAMILIES) if args.paper == "all" else [args.paper]
    families = [family for paper in papers for family in FAMILIES[paper]]
    resume = getattr(args, "resume", False)
    kernel, timings = Verdicts(), {}
    started = time.perf_counter()
    with Progress(console=Console(stderr=True) if args.json else None) as progress:
        # one engine (one Dask cluster) for every family, started once the tasks to run are known
        entries = produce(args.out, families, args.jobs, progress, args.scheduler, resume=resume, verdicts=kernel,
                          seconds=timings)
    producing = time.perf_counter() - started
    written = {os.path.normpath(os.path.join(args.out, e["file"])) for e in entries}
    removed = remove_stale(args.out, papers, written)
    rebuild_manifest(args.out)
    verdicts, seconds = timed_check(args.out, kernel)
    verdicts = [v for v in verdicts
                if v.status == "malformed" or args.paper == "all" or any(v.claim_id.startswith(p) for p in papers)]
    checking = sum(seconds.values())
    wall = time.perf_counter() - started
    if args.json:
        print(json.dumps(result_json("reproduce", verdicts, out=args.out, removed_stale_files=removed,
                                     solver_seconds={label: round(s, 1) for label, s in timings.items()},
                                     kernel_seconds=round(checking, 1), wall_seconds=round(wall, 1),
                                     resumed=resume), indent=1))
    else:
        # Piped to a file or a CI log, rich would wrap at 80 columns and cut the claim ids.
        console = Console(width=None if sys.stdout.isatty() else 160)
        console.print(claims_table(verdicts, seconds, f"certify reproduce {args.paper}: every claim re-verified "
                                                      f"by the kernel"))
        solvers = "; ".join(f"{label} {s:.1f} s" for label, s in timings.items())
        console.print(f"solver time by family (summed over its tasks, wherever they ran): {solvers}")
        console.print(f"kernel check of {len(verdicts)} claims: {checking:.1f} s; wall {wall:.1f} s "
                      f"({producing:.1f} s producing)" + (f"; removed {removed} stale files" if removed else "")
                      + ("; resumed: kept files that verify" if resume else ""))
    if any(v.status == "malformed" for v in verdicts):
        return EXIT_ERROR
    return EXIT_FALSE if any(not v.ok for v in verdicts) else EXIT_OK


def remove_stale(out: str, papers, written) -> int:
    """Delete certificate files of the regenerated papers that this run did not write."""
    count = 0
    for path in certificate_files(out):
        top = os.path.relpath(path, out).split(os.sep)[0]
        if top in papers and os.path.normpath(path) not in written:
            os.remove(path)
            count += 1
    return count


def timed_check(out: str, kernel=None):
    """The kernel's verdicts for `out` (through its manifest) and the seconds spent on each file.
    With `kernel` (a `Verdicts` of this run), a file whose bytes the kernel checked earlier in
    this run keeps that verdict (each certificate is checked once per run); any other is checked."""
    kernel = Verdicts() if kernel is None else kernel
    return check_path(out, kernel.file), kernel.seconds


def claims_table(verdicts, seconds, title):
    """One row per claim: id, the paper's statement, what is proven, status, kernel seconds.

    A family of more than COLLAPSE claims, all verified, is one row ("family/*") with
    its values, so 320 rows of "== 3/4" do not bury the rest; failures are always
    listed one by one (and `certify check` lists every claim).
    """
    table = Table(title=title)
    for column in ("claim id", "the paper says", PROVES, "status", "s"):
        table.add_column(column, no_wrap=column.startswith("certify proves"))  # a number is never split
    for family, rows in _families(verdicts).items():
        spent = sum(seconds.get(os.path.normpath(v.source), 0.0) for v in rows)
        if len(rows) > COLLAPSE and all(v.ok for v in rows):
            table.add_row(f"{family}/* ({len(rows)} claims)", PAPER_SAYS.get(family, ""), _summary(rows),
                          status(rows[0]), f"{spent:.1f}")
            continue
        for v in rows:
            proven = f"{v.relation} {_short(v.value, v.relation)}" if v.ok else "-"
            table.add_row(v.claim_id if v.status != "malformed" else v.source, PAPER_SAYS.get(family, ""), proven,
                          status(v), f"{seconds.get(os.path.normpath(v.source), 0.0):.2f}")
    return table


def _summary(rows) -> str:
    """The verified values of a family: each distinct one if at most three, else the range (each end
    rounded the safe way for the relation, so that each claim's bound is at most as strong as proven)."""
    values = sorted({(v.relation, v.value) for v in rows})
    if len(values) <= 3:
        return ", ".join(f"{r} {_short(x, r)}" for r, x in values) + (" (each)" if len(values) == 1 else "")
    relations = {r for r, _ in values}
    first, last = safe_range(relations, min(v.value for v in rows), max(v.value for v in rows))
    relation = next(iter(relations)) if len(relations) == 1 else ""
    return f"{relation} values from {first} to {last}".lstrip()


def _short(value, relation: str) -> str:
    """The exact value when its denominator is small, else 9 significant digits rounded the safe way."""
    return format_rational(value) if value.denominator <= 100 else safe_decimal(value, relation, 9)


def _families(verdicts) -> dict:
    """Group claims by the first two components of their id (e.g. gallego2013/lemma)."""
    groups = {}
    for v in verdicts:
        key = "/".join(v.claim_id.split("/")[:2]) if v.status != "malformed" else v.source
        groups.setdefault(key, []).append(v)
    return groups
