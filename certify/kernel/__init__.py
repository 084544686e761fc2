"""The trusted checker: one door, `check_certificate`, and a closed set of claim kinds.

A certificate file is
    {"format": "certify/1",
     "claim": {"id", "kind", "statement", "problem", "relation", "value"},
     "problem_sha256": sha256 of canonical_json(claim.problem),
     "evidence": {...kind specific...},
     "producer": {...untrusted notes, ignored...}}
The claim says WHAT is proved (the problem is rebuilt from its definition by
trusted code, never read as matrices); the evidence says WHY. A verdict is
VERIFIED only after the kind's last exact check has passed: every failure
raises `Reject` (the claim does not follow) or `CertifyError` (the file is
malformed), and nothing in between sets `ok`.
"""

import hashlib
import importlib
import re

from certify.errors import CertifyError
from certify.kernel.format import FORMAT_VERSION, Reject, canonical_json, expect, field, parse_rational
from certify.kernel.verdict import Verdict

# Closed set of claim kinds -> "module:function" with signature
# f(problem, relation, value, evidence, where) returning the exact proven value
# or raising Reject / CertifyError. An unknown kind is an error.
KINDS = {
    "lp.ns": "certify.kernel.lp:check",
    "npa.max": "certify.kernel.npa:check",
    "bits.chsh": "certify.kernel.chain:check_bits_claim",
    "pvalue.chsh": "certify.kernel.chain:check_pvalue_claim",
}
RELATIONS = ("<=", ">=", "==")
_CLAIM_ID = re.compile(r"[A-Za-z0-9_.:=/+-]{1,200}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def problem_sha256(problem) -> str:
    return hashlib.sha256(canonical_json(problem).encode("ascii")).hexdigest()


def read_claim(cert, where: str) -> dict:
    """Validate the envelope; return the claim fields, parsed (value as Fraction)."""
    expect(cert, dict, where)
    unknown = set(cert) - {"format", "claim", "problem_sha256", "evidence", "producer"}
    if unknown:
        raise CertifyError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    version = field(cert, "format", str, where)
    if version != FORMAT_VERSION:
        raise CertifyError(f"{where}.format: expected {FORMAT_VERSION!r}, got {version[:40]!r}")
    claim = field(cert, "claim", dict, where)
    if set(claim) != {"id", "kind", "statement", "problem", "relation", "value"}:
        missing = {"id", "kind", "statement", "problem", "relation", "value"} ^ set(claim)
        raise CertifyError(f"{where}.claim: missing or unknown field {sorted(missing)[0]!r}")
    claim_id = field(claim, "id", str, f"{where}.claim")
    if not _CLAIM_ID.fullmatch(claim_id):
        raise CertifyError(f"{where}.claim.id: expected 1-200 characters [A-Za-z0-9_.:=/+-], got {claim_id[:40]!r}")
    kind = field(claim, "kind", str, f"{where}.claim")
    if kind not in KINDS:
        raise CertifyError(f"{where}.claim.kind: unknown claim kind {kind[:40]!r} (known: {', '.join(sorted(KINDS))})")
    relation = field(claim, "relation", str, f"{where}.claim")
    if relation not in RELATIONS:
        raise CertifyError(f"{where}.claim.relation: expected one of {RELATIONS}, got {relation[:10]!r}")
    field(claim, "statement", str, f"{where}.claim")
    field(claim, "problem", dict, f"{where}.claim")
    field(cert, "evidence", dict, where)
    digest = field(cert, "problem_sha256", str, where)
    if not _SHA256.fullmatch(digest):
        raise CertifyError(f"{where}.problem_sha256: expected 64 lowercase hex digits")
    if "producer" in cert:
        field(cert, "producer", dict, where)
    value = parse_rational(claim["value"], f"{where}.claim.value")
    return dict(claim, value=value)


def check_certificate(cert, where: str) -> Verdict:
    """Check one parsed certificate. Malformed input raises CertifyError."""
    claim = read_claim(cert, where)
    base = dict(claim_id=claim["id"], kind=claim["kind"], statement=claim["statement"],
                relation=claim["relation"], claimed=claim["value"], source=where,
                problem_sha256=cert["problem_sha256"])
    if problem_sha256(claim["problem"]) != cert["problem_sha256"]:
        return Verdict(ok=False, value=None, reason="problem_sha256 does not match the problem definition", **base)
    module, function = KINDS[claim["kind"]].split(":")
    kind_check = getattr(importlib.import_module(module), function)
    try:
        proven = kind_check(claim["problem"], claim["relation"], claim["value"], cert["evidence"], where)
    except Reject as failure:
        return Verdict(ok=False, value=None, reason=str(failure), **base)
    return Verdict(ok=True, value=proven, reason="verified", **base)
