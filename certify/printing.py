"""The one place that words a kernel verdict for a user ("VERIFIED", "FAILED", "UNVERIFIED").

Every function takes a `certify.kernel.Verdict` and nothing else (anything else is a TypeError),
so no code path can print a number as verified unless `check_certificate` returned it;
tests/unit/test_printing.py checks that no other module of the CLI, the report or the
papers spells the word.
"""

import re

from certify.errors import EXIT_ERROR, EXIT_FALSE, EXIT_INTERNAL, EXIT_OK
from certify.kernel import Verdict
from certify.kernel.format import brief, format_rational


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


def label(verdict) -> str:
    """The 8-column label of a `certify check` line: "VERIFIED", "FAILED", "ERROR" or "INTERNAL"."""
    return {"verified": "VERIFIED", "false": "FAILED  ", "malformed": "ERROR   ", "internal": "INTERNAL"}[
        _verdict(verdict).status]


def proven(verdict, number=format_rational, claimed: bool = False) -> str:
    """"<relation> <value> VERIFIED" for a verified verdict (the proven value, or with `claimed`
    the claim's own value, which the proven one implies); "UNVERIFIED: reason" otherwise.
    A `number` made by `decimal` is told the relation, so that it rounds the safe way."""
    v = _verdict(verdict)
    if not v.ok:
        return f"UNVERIFIED: {v.reason}"
    value = v.claimed if claimed else v.value
    text = number(value, v.relation) if getattr(number, "directed", False) else number(value)
    return f"{v.relation} {text} VERIFIED"


def decimal(digits: int):
    """A `number` for `proven`: the value with `digits` significant digits, rounded so that the verdict's
    relation still holds (up for "<=", down for ">="; "==" only when exact, else "p/q")."""
    def number(value, relation) -> str:
        from certify.certificate import safe_decimal  # not at import: `certify check` loads printing, not this

        return safe_decimal(value, relation, digits)
    number.directed = True
    return number


def exit_code(verdicts) -> int:
    """The exit code of every command that checks several claims (`certify check`'s ranking): 3 if any
    verdict is internal (a bug), else 2 if any is malformed, else 1 if any is false, else 0."""
    found = {_verdict(v).status for v in verdicts}
    return (EXIT_INTERNAL if "internal" in found else EXIT_ERROR if "malformed" in found else
            EXIT_FALSE if "false" in found else EXIT_OK)


def family_status(verdicts) -> str:
    """"VERIFIED" when every verdict of a family is, else "FAILED <count>"."""
    verdicts = [_verdict(v) for v in verdicts]
    bad = sum(not v.ok for v in verdicts)
    return "VERIFIED" if verdicts and not bad else f"FAILED {bad}"


def overall(verdicts) -> str:
    """"ALL VERIFIED" when every verdict is verified, else "NOT ALL VERIFIED"."""
    verdicts = [_verdict(v) for v in verdicts]
    return "ALL VERIFIED" if verdicts and all(v.ok for v in verdicts) else "NOT ALL VERIFIED"


# The words a verdict line carries (the --quiet filter of certify.cli keeps the lines that have one),
# and a result line that says the kernel verified it (bits' "H_min >= 42 bits ... verified by the
# kernel", sweep's "8 of 8 points verified by the kernel").
VERDICT_LINE = re.compile(r"\b(VERIFIED|UNVERIFIED|FAILED|REJECTED|ERROR|INTERNAL)\b|verified by the kernel")

# Every --json document names its format twice: "format": "certify-result/1" (the issue-16 key, the one
# to read) and "schema": "certify-cli/1" (the key of the first release, kept so existing readers go
# on working). Both describe the one JSON Schema certify/data/schemas/certify-cli-1.json; a change
# that breaks a reader bumps both.
FORMAT = "certify-result/1"
SCHEMA = "certify-cli/1"


def _exact(value):
    return None if value is None else brief(value)


def verdict_json(verdict) -> dict:
    """One claim as JSON: the kernel's Verdict fields, values as exact "p/q" strings (or null).

    `status` is the kernel's own word ("verified", "false", "malformed", "internal"); `value`
    is the proven number in the claim's direction and [low, high] the proven interval."""
    v = _verdict(verdict)
    return {"id": v.claim_id, "kind": v.kind, "statement": v.statement, "relation": v.relation,
            "claimed": _exact(v.claimed), "status": v.status, "value": _exact(v.value), "low": _exact(v.low),
            "high": _exact(v.high), "reason": v.reason, "source": v.source, "problem_sha256": v.problem_sha256}


def result_json(command: str, verdicts, answered: bool = True, **extra) -> dict:
    """The one JSON document of every command's --json: {"format": "certify-result/1",
    "schema": "certify-cli/1", "command",
    "ok" (at least one verdict and all verified), "summary": counts by kernel status, "claims": [verdict_json],
    then the command's own fields (never a verdict: those are only in "claims")}. `answered` is False
    when the asked claim has no verdict at all (no certificate was found): then "ok" is false even if
    the side claims listed verified."""
    verdicts = [_verdict(v) for v in verdicts]
    counts = {status: sum(v.status == status for v in verdicts) for status in ("verified", "false", "malformed",
                                                                             "internal")}
    clash = set(extra) & {"format", "schema", "command", "ok", "summary", "claims"}
    if clash:
        raise ValueError(f"result_json: reserved keys {sorted(clash)}")
    ok = answered and bool(verdicts) and all(v.ok for v in verdicts)
    return {"format": FORMAT, "schema": SCHEMA, "command": command, "ok": ok,
            "summary": counts, "claims": [verdict_json(v) for v in verdicts], **extra}


def solved(verdict) -> str:
    """`proven` with the decimal beside the exact value and, when both sides are proven, the
    interval: "== 2 VERIFIED" or "<= 2828427182009/1000000000000 (~2.82842718201) VERIFIED"."""
    v = _verdict(verdict)
    line = proven(v, lambda x: format_rational(x) if x.denominator == 1 else f"{format_rational(x)} (~{float(x):.12g})")
    if v.ok and v.low is not None and v.high is not None and v.low != v.high:
        line += f"  interval [{float(v.low):.12g}, {float(v.high):.12g}]"
    return line
