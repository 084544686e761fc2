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
    "gallego2013": [("no-signalling LPs (both papers)", "lp_checks.produce:produce_all"),
                    ("Lemma robustness (smallest c)", "lp_checks.robustness:produce_all"),
                    ("quantum majority (NPA 2+ABC)", "certify.gallego2013_quantum:produce_all")],
    "pironio2010": [("no-signalling LPs (both papers)", "lp_checks.produce:produce_all"),
                    ("NPA curves and Tsirelson", "certify.pironio2010_npa:produce_all"),
                    ("Table 1 bits and p-value", "certify.pironio2010_bits:produce_all")],
}


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("reproduce", help=SUMMARY, description=SUMMARY)
    parser.add_argument("paper", nargs="?", default="all", choices=["all", *PRODUCERS])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--out", default="proofs", help="certificate folder (default proofs)")


# What each paper states for a claim family (shown beside what the kernel verified).
PAPER_SAYS = {
    "gallego2013/lemma": "Lemma: max P(maj = v | x0) = 3/4",
    "gallego2013/ghz3": "each of the 70 balanced g can be made deterministic",
    "gallego2013/robustness": "(beyond the paper) P(maj) <= 3/4 + c B(P)",
    "gallego2013/quantum": "(beyond the paper) quantum majority bound",
    "pironio2010/ns": "curve c: f_NS(I) = -log2(3/2 - I/4)",
    "pironio2010/tsirelson": "max CHSH = 2 sqrt 2 = 2.828427",
    "pironio2010/G-global": "curve a: f(2.414) = 0.2473 bits",
    "pironio2010/G-local": "curve b: 1 - log2(1 + sqrt(2 - I^2/4))",
    "pironio2010/bits": "at least 42 bits with 99% confidence",
    "pironio2010/pvalue": "local p-value 0.00077",
}


def run(args) -> int:
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from certify.certificate import rebuild_manifest
    from certify.kernel.proofs import check_path

    papers = list(PRODUCERS) if args.paper == "all" else [args.paper]
    seen, timings = set(), []
    with Progress() as progress:
        for paper in papers:
            for label, target in PRODUCERS[paper]:
                if target in seen:
                    continue
                seen.add(target)
                module, name = target.split(":")
                started = time.perf_counter()
                getattr(importlib.import_module(module), name)(args.out, jobs=args.jobs, progress=progress)
                timings.append(f"{label} {time.perf_counter() - started:.1f} s")
    rebuild_manifest(args.out)
    started = time.perf_counter()
    verdicts = [v for v in check_path(args.out)
                if v.kind == "error" or any(v.claim_id.startswith(p) for p in papers) or args.paper == "all"]
    checked = time.perf_counter() - started
    table = Table(title=f"certify reproduce {args.paper}: every claim re-verified by the kernel")
    for column in ("claim family", "claims", "the paper says", "certify proves (exact, kernel-verified)", "status"):
        table.add_column(column)
    for family, rows in _families(verdicts).items():
        bad = [v for v in rows if not v.ok]
        status = "VERIFIED" if not bad else f"FAILED ({len(bad)}): {bad[0].reason}"
        table.add_row(family, str(len(rows)), PAPER_SAYS.get(family, ""), _proved(rows), status)
    console = Console()
    console.print(table)
    console.print(f"solvers: {'; '.join(timings)}; kernel check of {len(verdicts)} claims: {checked:.1f} s")
    if any(v.kind == "error" for v in verdicts):
        return EXIT_ERROR
    return EXIT_FALSE if any(not v.ok for v in verdicts) else EXIT_OK


def _proved(rows) -> str:
    """A short account of the verified values of a family."""
    good = [v for v in rows if v.ok]
    if not good:
        return "-"
    if len(good) <= 4:
        return "; ".join(f"{v.claim_id.split('/', 2)[-1]}: {v.relation} {_short(v.value)}" for v in good)
    values = sorted({(v.relation, v.value) for v in good})
    if len(values) <= 2:
        return ", ".join(f"{r} {_short(x)}" for r, x in values) + f" (all {len(good)})"
    low, high = min(v.value for v in good), max(v.value for v in good)
    return f"{values[0][0]} values from {float(low):.6f} to {float(high):.6f}"


def _short(value) -> str:
    return format_rational(value) if value.denominator <= 100 else f"{float(value):.9g}"


def _families(verdicts) -> dict:
    """Group claims by the first two components of their id (e.g. gallego2013/lemma)."""
    groups = {}
    for v in verdicts:
        key = "/".join(v.claim_id.split("/")[:2]) if v.kind != "error" else v.source
        groups.setdefault(key, []).append(v)
    return groups
