"""`certify report [--proofs proofs] [--out docs/report.md]`: the referee's report, from the kernel alone."""

import os

from certify.errors import EXIT_ERROR, EXIT_FALSE, EXIT_OK, CertifyError

SUMMARY = "write the referee's report (claims, key values, figures, trusted base, versions) from proofs/"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("report", help=SUMMARY, description=SUMMARY)
    parser.add_argument("--proofs", default="proofs", help="certificate folder to check (default proofs)")
    parser.add_argument("--out", default="docs/report.md", help="Markdown file to write (default docs/report.md)")


def run(args) -> int:
    from certify.kernel.proofs import check_path
    from certify.report import render

    verdicts = check_path(args.proofs)
    text = render(verdicts, args.proofs, args.out)
    folder = os.path.dirname(os.path.abspath(args.out))
    try:
        os.makedirs(folder, exist_ok=True)
        with open(args.out, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except OSError as err:
        raise CertifyError(f"--out: cannot write {args.out}: {err.strerror}") from None
    errors = sum(v.status == "malformed" for v in verdicts)
    failed = sum(not v.ok for v in verdicts) - errors
    print(f"wrote {args.out}: {len(verdicts) - failed - errors} verified, {failed} failed, {errors} malformed,"
          f" of {len(verdicts)} claims")
    if errors:
        return EXIT_ERROR
    return EXIT_FALSE if failed else EXIT_OK
