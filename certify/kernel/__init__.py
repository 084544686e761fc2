"""The trusted checker: one door, `check_certificate`, and a closed set of claim kinds.

A certificate (docs/certificate-format.md) is {"format": "certify/1", "claim": {"id", "kind", "statement",
"problem", "relation", "value"}, "problem_sha256", "evidence", "producer" (ignored)}: the claim says WHAT is
proved (its problem rebuilt by trusted code, never read as matrices), the evidence WHY. VERIFIED only after
the kind's last exact check; every failure raises `Reject` (does not follow) or `CertifyError` (malformed).
"""

import hashlib  # noqa: I001 -- the format import stays two lines (ruff would make it twelve)
import importlib
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Optional

from certify.errors import CertifyError
from certify.kernel.format import (FORMAT_VERSION, Proven, Reject, brief, canonical_json, field, only,
                                   parse_rational, parse_relation, printable)

# Closed set of claim kinds -> "module:function" f(problem, relation, value, evidence, where)
# returning the `Proven` interval or raising Reject / CertifyError. Unknown kinds are errors.
KINDS = {"lp.ns": "certify.kernel.lp:check", "lp.threshold": "certify.kernel.threshold:check",
         "npa.max": "certify.kernel.npa:check", "amplify.bound": "certify.kernel.amplify:check",
         "bits.chsh": "certify.kernel.chain:check_bits_claim", "pvalue.chsh": "certify.kernel.chain:check_pvalue_claim",
         "vn.node": "certify.kernel.vn:check_node", "vn.bound": "certify.kernel.vn:check_bound",
         "eat.bits": "certify.kernel.eat:check", "local.bound": "certify.kernel.local:check",
         "quantum.strategy": "certify.kernel.strategy:check", "bits.bell": "certify.kernel.bellbits:check",
         "bits.ns": "certify.kernel.nsbits:check"}
CLAIM_FIELDS = {"id", "kind", "statement", "problem", "relation", "value"}
_CLAIM_ID = re.compile(r"[A-Za-z0-9_.:=/+-]{1,200}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Verdict:
    """The kernel's one result. `status`: "verified" only when every check passed; "false", "malformed",
    "internal" (a bug). [low, high]: what the evidence proves; `value`: the proven number in the
    claim's direction (high for "<=", low for ">=", the value for "=="). `reason`: one line."""

    claim_id: str
    kind: str
    statement: str
    relation: str
    claimed: Optional[Fraction]
    status: str
    value: Optional[Fraction]
    reason: str
    source: str = ""
    problem_sha256: str = ""
    low: Optional[Fraction] = None
    high: Optional[Fraction] = None

    @property
    def ok(self) -> bool:
        return self.status == "verified"


def problem_sha256(problem) -> str:
    return hashlib.sha256(canonical_json(problem).encode("ascii")).hexdigest()


def read_claim(cert, where: str) -> dict:
    """Validate the envelope; return the claim fields, parsed (value as Fraction)."""
    only(cert, {"format", "claim", "problem_sha256", "evidence", "producer"}, where)
    version = field(cert, "format", str, where)
    if version != FORMAT_VERSION:
        raise CertifyError(f"{where}.format: expected {FORMAT_VERSION!r}, got {version[:40]!r}")
    claim, at = field(cert, "claim", dict, where), f"{where}.claim"
    if set(claim) != CLAIM_FIELDS:
        raise CertifyError(f"{at}: missing or unknown field {sorted(CLAIM_FIELDS ^ set(claim))[0]!r}")
    if not _CLAIM_ID.fullmatch(field(claim, "id", str, at)):
        raise CertifyError(f"{at}.id: expected 1-200 characters [A-Za-z0-9_.:=/+-], got {claim['id'][:40]!r}")
    if field(claim, "kind", str, at) not in KINDS:
        raise CertifyError(f"{at}.kind: unknown claim kind {claim['kind'][:40]!r} (known: {', '.join(sorted(KINDS))})")
    parse_relation(claim, at)
    printable(field(claim, "statement", str, at), f"{at}.statement")
    field(claim, "problem", dict, at)
    field(cert, "evidence", dict, where)
    if not _SHA256.fullmatch(field(cert, "problem_sha256", str, where)):
        raise CertifyError(f"{where}.problem_sha256: expected 64 lowercase hex digits")
    if "producer" in cert:
        field(cert, "producer", dict, where)
    return dict(claim, value=parse_rational(claim["value"], f"{at}.value"))


def check_certificate(cert, where: str) -> Verdict:
    """Check one parsed certificate. Malformed input raises CertifyError."""
    claim = read_claim(cert, where)
    base = dict(claim_id=claim["id"], kind=claim["kind"], statement=claim["statement"], relation=claim["relation"],
                claimed=claim["value"], source=where, problem_sha256=cert["problem_sha256"])
    if problem_sha256(claim["problem"]) != cert["problem_sha256"]:
        return Verdict(status="false", value=None, reason="problem_sha256 does not match the problem definition",
                       **base)
    module, function = KINDS[claim["kind"]].split(":")
    kind_check = getattr(importlib.import_module(module), function)
    try:
        proven = kind_check(claim["problem"], claim["relation"], claim["value"], cert["evidence"], where)
        value = relation_holds(claim["relation"], claim["value"], proven)
    except Reject as failure:
        return Verdict(status="false", value=None, reason=str(failure), **base)
    return Verdict(status="verified", value=value, reason="verified", low=proven.low, high=proven.high, **base)


def relation_holds(relation: str, value: Fraction, proven: Proven) -> Fraction:
    """The claim "quantity relation value" follows from low <= quantity <= high iff
    "<=": high <= value;  ">=": low >= value;  "==": low >= value >= high (so all three are
    equal, as low <= quantity <= high). Returns the proven number; raises Reject otherwise."""
    for op, side, bound in ((">=", "lower", proven.low), ("<=", "upper", proven.high)):
        if relation in (op, "=="):
            if bound is None:
                raise Reject(f'the evidence proves no {side} bound, so it cannot prove "{relation}"')
            if bound < value if op == ">=" else bound > value:
                raise Reject(f"the evidence proves {op} {brief(bound)}, not {op} {brief(value)}")
    return {"<=": proven.high, ">=": proven.low, "==": value}[relation]

