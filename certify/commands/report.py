"""`certify report [--proofs proofs] [--out docs/report.md]`: the referee's report, from the kernel alone."""

import json
import os
import sys

from certify.errors import CertifyError
from certify.kernel.proofs import check_path
from certify.printing import exit_code, result_json

OWN_QUIET = True  # --quiet: the one summary line, no progress (certify.cli filters the other commands)
JSON_HELP = "the kernel's verdicts as one JSON document (format \"certify-result/1\")"
SUMMARY = "write the referee's report (claims, key values, figures, trusted base, versions) from proofs/"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("report", help=SUMMARY, description=SUMMARY)
    parser.add_argument("--proofs", default="proofs", help="certificate folder to check (default proofs)")
    parser.add_argument("--out", default="docs/report.md", help="Markdown file to write (default docs/report.md)")
    parser.add_argument("--html", metavar="FILE", help="also write one self-contained HTML file (figures embedded)")
    parser.add_argument("--pdf", metavar="FILE", help="also write a PDF (text and figures, through matplotlib)")
    parser.add_argument("--json", action="store_true", help=JSON_HELP)


def run(args) -> int:
    from certify.report import render  # here, not at the top: it loads the papers' producers (solvers)

    progress = _progress_printer(args)
    progress(f"checking {args.proofs} with the kernel ...")
    verdicts = check_path(args.proofs)
    progress("the trusted base and the key claims ...")
    text = render(verdicts, args.proofs, args.out)
    _write(args.out, text, "--out")
    written = [args.out]
    if args.html or args.pdf:
        import tempfile

        from certify.report import draw_figures, render_html, render_pdf

        with tempfile.TemporaryDirectory() as scratch:  # the figures, drawn once from the checked folder
            progress(f"drawing the figures from {args.proofs} ...")
            figures = draw_figures(args.proofs, scratch)
            if args.html:
                _write(args.html, render_html(verdicts, args.proofs, figures), "--html")
                written.append(args.html)
            if args.pdf:
                os.makedirs(os.path.dirname(os.path.abspath(args.pdf)), exist_ok=True)
                render_pdf(verdicts, args.proofs, args.pdf, figures)
                written.append(args.pdf)
    errors = sum(v.status == "malformed" for v in verdicts)
    failed = sum(not v.ok for v in verdicts) - errors
    if args.json:
        print(json.dumps(result_json("report", verdicts, proofs=args.proofs, written=written), indent=1))
    else:
        print(f"wrote {', '.join(written)}: {len(verdicts) - failed - errors} verified, {failed} failed, "
              f"{errors} malformed, of {len(verdicts)} claims")
    return exit_code(verdicts)  # `certify check`'s ranking: 3 internal > 2 malformed > 1 false > 0


def _write(path, text, flag) -> None:
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except OSError as err:
        raise CertifyError(f"{flag}: cannot write {path}: {err.strerror}") from None


def _progress_printer(args):
    """Status lines on stderr, never on stdout: on a terminal (the HTML report takes ~30 s) or with
    --verbose (with the seconds since the start); none with --quiet."""
    import time

    start = time.perf_counter()
    shown = (sys.stderr.isatty() or getattr(args, "verbose", False)) and not getattr(args, "quiet", False)

    def say(text) -> None:
        if shown:
            print(f"certify report: [{time.perf_counter() - start:5.1f} s] {text}", file=sys.stderr)
    return say
