"""Checking files and folders of certificates against a manifest of claims (trusted).

A folder with a `manifest.json` is checked as a whole: every entry names an existing certificate whose claim
(id, kind, relation, value, problem hash, statement) is exactly the one stated, and every certificate file
(``*.json``, any case, except the manifest) must be listed. Each file gets its own verdict; an unexpected
exception is "internal" (never a pass). Malformed: no claims, a folder reached through a symbolic link
(not followed), an id seen twice.
"""

import os

from certify.errors import CertifyError
from certify.kernel import Verdict, check_certificate
from certify.kernel.format import FORMAT_VERSION, field, only, parse_rational, read_json

MANIFEST = "manifest.json"
MAX_CLAIMS = 100_000


def error_verdict(source: str, message: str, status: str = "malformed") -> Verdict:
    return Verdict(claim_id="?", kind="", statement="", relation="", claimed=None,
                   status=status, value=None, reason=message, source=source)


def check_file(path: str) -> Verdict:
    """Check one certificate file; a malformed file gives a failed verdict, a bug an internal one."""
    try:
        return check_certificate(read_json(path), path)
    except CertifyError as err:
        return error_verdict(path, str(err))
    except Exception as err:  # noqa: BLE001 -- a bug in the kernel: this file's verdict, not the folder's
        return error_verdict(path, f"{path}: internal error: {type(err).__name__}: {err}"[:300], "internal")


def certificate_files(folder: str) -> list:
    """All certificate-like files below `folder` (*.json, any case) except its manifest, sorted."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        found.extend(os.path.join(root, name) for name in sorted(files) if name.lower().endswith(".json")
                     and (root != folder or name != MANIFEST))
    return found


def check_path(path: str, check=check_file) -> list:
    """Verdicts for a file, or for a folder (through its manifest if it has one); `check`
    checks one file (callers may wrap check_file, e.g. to time it). Raises only for a missing path."""
    if os.path.isfile(path):
        return [check(path)]
    if not os.path.isdir(path):  # a wrong argument, not a file's content: the caller's error
        what = "not a regular file or folder" if os.path.exists(path) else "no such file or folder"
        raise CertifyError(f"{path}: {what}")
    try:
        verdicts = (check_manifest(path, check) if os.path.isfile(os.path.join(path, MANIFEST))
                    else [check(name) for name in certificate_files(path)])
    except CertifyError as err:  # the manifest itself is malformed
        verdicts = [error_verdict(os.path.join(path, MANIFEST), str(err))]
    verdicts += [error_verdict(link, f"{link}: a symbolic link to a folder: not followed, its files are not checked")
                 for root, dirs, _ in os.walk(path) for link in (os.path.join(root, d) for d in sorted(dirs))
                 if os.path.islink(link)]
    seen = {}  # claim id -> first source: one claim, one verdict
    for j, v in enumerate(verdicts):
        if v.status in ("verified", "false") and seen.setdefault(v.claim_id, v.source) != v.source:
            verdicts[j] = error_verdict(v.source,
                                        f"{v.source}: claim id {v.claim_id} is also claimed by {seen[v.claim_id]}")
    return verdicts or [error_verdict(path, f"{path}: no claims (no certificate files *.json found)")]


def check_manifest(folder: str, check=check_file) -> list:
    where = os.path.join(folder, MANIFEST)
    manifest = only(read_json(where), {"format", "claims"}, where)
    if manifest.get("format") != FORMAT_VERSION:
        raise CertifyError(f"{where}.format: expected {FORMAT_VERSION!r}")
    entries = field(manifest, "claims", list, where)
    if not 0 < len(entries) <= MAX_CLAIMS:
        raise CertifyError(f"{where}.claims: expected 1 to {MAX_CLAIMS} claims (no claims is no proof), "
                           f"got {len(entries)}")
    verdicts, listed = [], set()
    for j, entry in enumerate(entries):
        spot = f"{where}.claims[{j}]"
        try:
            name = field(entry, "file", str, spot)
            target = os.path.normpath(os.path.join(folder, name))
            real = os.path.realpath(target)  # a symlink may not lead outside, nor list one file twice
            if name.startswith("/") or ".." in name.split("/") or not name.lower().endswith(".json") \
                    or not real.startswith(os.path.join(os.path.realpath(folder), "")):
                raise CertifyError(f"{spot}.file: expected a relative path to a .json file inside the folder")
            if real in listed:
                raise CertifyError(f"{spot}.file: {name} listed twice")
            listed.add(real)
            verdicts.append(_against_manifest(check(target), entry, spot))
        except CertifyError as err:
            verdicts.append(error_verdict(spot, str(err)))
        except Exception as err:  # noqa: BLE001 -- a bug: this entry's verdict, not the folder's
            verdicts.append(error_verdict(spot, f"{spot}: internal error: {type(err).__name__}", "internal"))
    for name in certificate_files(folder):
        if os.path.realpath(name) not in listed:
            verdicts.append(error_verdict(name, f"{name}: certificate not listed in {where}"))
    return verdicts


def _against_manifest(verdict: Verdict, entry: dict, spot: str) -> Verdict:
    """The certificate must prove exactly the claim the manifest states."""
    if verdict.status in ("malformed", "internal"):  # no claim was read: nothing to compare
        return verdict
    # The statement is prose, but printed beside VERIFIED: it must be the manifest's.
    stated = {key: parse_rational(entry.get(key), f"{spot}.value") if key == "value" else field(entry, key, str, spot)
              for key in ("id", "kind", "relation", "value", "problem_sha256", "statement")}
    found = dict(zip(stated, (verdict.claim_id, verdict.kind, verdict.relation, verdict.claimed,
                              verdict.problem_sha256, verdict.statement)))
    for key in stated:
        if stated[key] != found[key]:
            return Verdict(**{**verdict.__dict__, "status": "false", "value": None, "low": None, "high": None,
                              "reason": f"manifest says {key} {_excerpt(stated[key], found[key])!r}, "
                                        f"certificate says {_excerpt(found[key], stated[key])!r}"})
    return verdict


def _excerpt(text, other) -> str:
    """Up to 60 characters of `text` from a little before its first difference with `other`."""
    text, other = str(text), str(other)
    start = max(0, next((i for i, (a, b) in enumerate(zip(text, other)) if a != b), len(text)) - 20)
    return ("..." if start else "") + text[start:start + 60]
