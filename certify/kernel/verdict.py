"""The one result type of the kernel: a frozen verdict per claim."""

from dataclasses import dataclass
from fractions import Fraction
from typing import Optional


@dataclass(frozen=True)
class Verdict:
    """What the kernel decided about one claim.

    `ok` is True only when every check of the claim passed; `value` is then the
    exact number the certificate proves (a bound or an attained value).
    `reason` is one line: "verified" or why the claim was not.
    """

    claim_id: str
    kind: str
    statement: str
    relation: str
    claimed: Optional[Fraction]
    ok: bool
    value: Optional[Fraction]
    reason: str
    source: str = ""
    problem_sha256: str = ""
