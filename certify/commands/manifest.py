"""`certify manifest FOLDER`: write FOLDER/manifest.json for your own folder of certificates.

The manifest is the one `certify check FOLDER` reads (certify/kernel/proofs.py): {"format": "certify/1",
"claims": [{"file", "id", "kind", "relation", "value", "statement", "problem_sha256"}]}. It lists only
claims the kernel verified: every certificate file below FOLDER (*.json, any case, except the manifest
itself) is checked first, and a file that does not verify (false, malformed, an id already claimed by
another file) is refused: reported on stderr, not listed. Then the folder is checked again through the
written manifest, and those verdicts are what is printed. An existing manifest.json is replaced.
Exit codes rank the verdicts exactly as `certify check` does (`printing.exit_code`), over every file's
verdict (the refused ones and those read back through the manifest): 3 if any is an internal error, else
2 if any file is malformed (or claims an id another file already claims), else 1 if any claim is false,
else 0. A folder that does not exist or holds no certificate file is bad input (2). The manifest lists
the verified files even when others are refused; `certify check FOLDER` reports the refused files as
unlisted until they are fixed or removed.
"""

import json
import os
import sys

from certify import printing
from certify.commands.check import _safe
from certify.errors import CertifyError
from certify.kernel.format import brief, read_json
from certify.kernel.proofs import certificate_files, check_file, check_path

SUMMARY = "write FOLDER/manifest.json listing the kernel-verified certificates of your own folder"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("manifest", help=SUMMARY, description=SUMMARY)
    parser.add_argument("folder", metavar="FOLDER", help="a folder of certificates (searched recursively)")
    parser.add_argument("--json", action="store_true",
                        help='one JSON document (format "certify-result/1"): "claims" (the kernel\'s verdicts through '
                             'the written manifest), "manifest" (its path or null), "listed" and "refused"')


def build(folder: str):
    """(manifest entries, refused verdicts): every certificate below `folder` checked by the kernel."""
    from certify.certificate import manifest_entry

    if not os.path.isdir(folder):
        raise CertifyError(f"{folder}: not a folder")
    files = certificate_files(folder)
    if not files:
        raise CertifyError(f"{folder}: no certificate files (*.json) found")
    entries, refused, owner = [], [], {}
    for path in files:
        verdict = check_file(path)
        if verdict.ok and owner.setdefault(verdict.claim_id, path) != path:
            verdict = _refusal(verdict, f"claim id {verdict.claim_id} is already claimed by {owner[verdict.claim_id]}")
        if not verdict.ok:
            refused.append(verdict)
            continue
        relative = os.path.relpath(path, folder).replace(os.sep, "/")
        entries.append(manifest_entry(read_json(path), relative))
    return entries, refused


def run(args) -> int:
    from certify.certificate import write_manifest

    folder = args.folder.rstrip("/") or "/"
    entries, refused = build(folder)
    written, verdicts = None, []
    if entries:
        written = write_manifest(folder, entries)
        verdicts = check_path(folder)  # the folder as `certify check` sees it, through the new manifest
        verdicts = [v for v in verdicts if v.ok or v.source not in {r.source for r in refused}]
    if args.json:
        print(json.dumps(printing.result_json(
            "manifest", verdicts, answered=bool(entries) and not refused, manifest=written,
            listed=[e["file"] for e in entries],
            refused=[{"file": v.source, "status": v.status, "reason": v.reason} for v in refused]), indent=1))
    else:
        for v in refused:
            print(f"refused: {_safe(v.source)}: {_safe(printing.status(v))}", file=sys.stderr)
        for v in verdicts:
            print(f"{printing.label(v)}  {_safe(v.claim_id)}  {v.relation} {brief(v.claimed)}  [{_safe(v.source)}]")
        if written:
            print(f"{written}: {len(entries)} kernel-verified claims listed, {len(refused)} files refused; "
                  f"check with: certify check {folder}")
    if not entries and not args.json:
        print(f"certify manifest: {folder}: no certificate verifies; no manifest written", file=sys.stderr)
    return printing.exit_code(refused + verdicts)


def _refusal(verdict, reason: str):
    from dataclasses import replace

    return replace(verdict, status="malformed", value=None, low=None, high=None, reason=reason)
