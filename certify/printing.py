"""The one place that words a kernel verdict for a user ("VERIFIED", "FAILED", "UNVERIFIED").

Every function takes a `certify.kernel.Verdict` and nothing else (anything else is a TypeError),
so no code path can print a number as verified unless `check_certificate` returned it;
tests/unit/test_printing.py checks that no other module of the CLI, the report or the
papers spells the word.
"""

from certify.kernel import Verdict
from certify.kernel.format import format_rational


def _verdict(verdict) -> Verdict:
    if not isinstance(verdict, Verdict):
        raise TypeError(f"a verdict printer needs a certify.kernel.Verdict, got {type(verdict).__name__}")
    return verdict


def status(verdict) -> str:
    """"VERIFIED", "FAILED: reason" or "ERROR: reason" (malformed or internal)."""
    v = _verdict(verdict)
    if v.ok:
        return "VERIFIED"
    return f"{'FAILED' if v.status == 'false' else 'ERROR'}: {v.reason}"


def proven(verdict, number=format_rational, claimed: bool = False) -> str:
    """"<relation> <value> VERIFIED" for a verified verdict (the proven value, or with `claimed`
    the claim's own value, which the proven one implies); "UNVERIFIED: reason" otherwise."""
    v = _verdict(verdict)
    if not v.ok:
        return f"UNVERIFIED: {v.reason}"
    return f"{v.relation} {number(v.claimed if claimed else v.value)} VERIFIED"


def family_status(verdicts) -> str:
    """"VERIFIED" when every verdict of a family is, else "FAILED <count>"."""
    verdicts = [_verdict(v) for v in verdicts]
    bad = sum(not v.ok for v in verdicts)
    return "VERIFIED" if verdicts and not bad else f"FAILED {bad}"


def overall(verdicts) -> str:
    """"ALL VERIFIED" when every verdict is verified, else "NOT ALL VERIFIED"."""
    verdicts = [_verdict(v) for v in verdicts]
    return "ALL VERIFIED" if verdicts and all(v.ok for v in verdicts) else "NOT ALL VERIFIED"
