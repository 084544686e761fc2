"""`certify reproduce [pironio2010|gallego2013|all]`: regenerate every certificate, then check it.

The solvers (untrusted) write the certificates under --out; then the kernel
alone re-reads every file through the manifest and decides. The table at the
end is built from the kernel's verdicts, never from solver output.
"""

import importlib
import os
import time

from certify.errors import EXIT_ERROR, EXIT_FALSE, EXIT_OK
from certify.kernel.format import format_rational

SUMMARY = "regenerate every certificate of the papers with the solvers, then verify them with the kernel"

# paper -> list of (label, "module:function") producers; each producer is
# called as f(out_dir, jobs=..., progress=...) and writes certificate files.
PRODUCERS = {
    "gallego2013": [("no-signalling LPs (both papers)", "lp_checks.produce:produce_all")],
    "pironio2010": [("no-signalling LPs (both papers)", "lp_checks.produce:produce_all"),
                    ("NPA curves and Tsirelson", "certify.pironio2010_npa:produce_all"),
                    ("Table 1 bits and p-value", "certify.pironio2010_bits:produce_all")],
}


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("reproduce", help=SUMMARY, description=SUMMARY)
    parser.add_argument("paper", nargs="?", default="all", choices=["all", *PRODUCERS])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--out", default="proofs", help="certificate folder (default proofs)")


def run(args) -> int:
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from certify.certificate import rebuild_manifest
    from certify.kernel.proofs import check_path

    papers = list(PRODUCERS) if args.paper == "all" else [args.paper]
    seen, started = set(), time.perf_counter()
    with Progress() as progress:
        for paper in papers:
            for label, target in PRODUCERS[paper]:
                if target in seen:
                    continue
                seen.add(target)
                module, name = target.split(":")
                getattr(importlib.import_module(module), name)(args.out, jobs=args.jobs, progress=progress)
    rebuild_manifest(args.out)
    produced = time.perf_counter() - started
    started = time.perf_counter()
    verdicts = check_path(args.out)
    checked = time.perf_counter() - started
    table = Table(title=f"certify reproduce {args.paper}: solved in {produced:.1f} s, kernel check {checked:.1f} s")
    for column in ("claim family", "claims", "proved", "status"):
        table.add_column(column)
    for family, rows in _families(verdicts).items():
        values = sorted({f"{v.relation} {format_rational(v.value)}" for v in rows if v.ok})
        bad = [v for v in rows if not v.ok]
        status = "VERIFIED" if not bad else f"FAILED ({len(bad)}): {bad[0].reason}"
        table.add_row(family, str(len(rows)), ", ".join(values[:4]) + (" ..." if len(values) > 4 else ""), status)
    Console().print(table)
    if any(v.kind == "error" for v in verdicts):
        return EXIT_ERROR
    return EXIT_FALSE if any(not v.ok for v in verdicts) else EXIT_OK


def _families(verdicts) -> dict:
    """Group claims by their id up to the last two components (e.g. gallego2013/lemma)."""
    groups = {}
    for v in verdicts:
        key = "/".join(v.claim_id.split("/")[:2]) if v.kind != "error" else v.source
        groups.setdefault(key, []).append(v)
    return groups
