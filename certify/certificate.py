"""Writing certificate files and manifests (the untrusted producer's side).

What this writes must parse back through `certify.kernel.format`: rationals as
canonical "p/q" strings, keys sorted, one entry a line (so a review diff shows
exactly which number changed), and no timings or other run-dependent data, so
that regenerating a certificate gives a byte-identical file.
"""

import json
import math
import os
from fractions import Fraction

from certify.kernel import Verdict, check_certificate, problem_sha256
from certify.kernel.format import FORMAT_VERSION, format_rational, loads, read_json
from certify.kernel.proofs import certificate_files


def make_certificate(claim_id, kind, statement, problem, relation, value, evidence, producer=None) -> dict:
    return {
        "format": FORMAT_VERSION,
        "claim": {
            "id": claim_id,
            "kind": kind,
            "statement": statement,
            "problem": problem,
            "relation": relation,
            "value": format_rational(Fraction(value)),
        },
        "problem_sha256": problem_sha256(problem),
        "evidence": evidence,
        "producer": producer or {},
    }


def statement_number(value) -> str:
    """A rational as a statement states it: its exact decimal when it has one of at most 12 places (99/100 ->
    "0.99"), else "p/q". Never rounded: a probability or epsilon rounded in prose would claim more than the
    kernel proved (1 - 1/1000 printed as "1.00"; an eps of 1/3 as "0.333333")."""
    value = Fraction(value)
    for places in range(13):
        if (value * 10**places).denominator == 1:
            digits = f"{abs(value.numerator) * 10**places // value.denominator:0{places + 1}d}"
            whole, tail = digits[:len(digits) - places], digits[len(digits) - places:]
            return ("-" if value < 0 else "") + whole + (f".{tail}" if places else "")
    return format_rational(value)


def floor_decimal(value: Fraction, places: int) -> str:
    """value rounded DOWN to `places` decimals, exactly (for lower bounds)."""
    scaled = math.floor(Fraction(value) * 10**places)
    sign, digits = ("-" if scaled < 0 else ""), str(abs(scaled)).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}" if places else f"{scaled}"


def ceil_decimal(value: Fraction, places: int) -> str:
    """value rounded UP to `places` decimals, exactly (for upper bounds)."""
    text = floor_decimal(-Fraction(value), places)
    return text[1:] if text.startswith("-") else ("-" + text if text.strip("0.") else text)


def safe_range(relations, low, high, places: int = 6) -> tuple:
    """(low, high) of a family's verified values as decimals of `places` places, each rounded the safe way: both
    ends up for upper bounds ("<="), both down for lower bounds (">="), else (exact values, mixed relations)
    enclosed: low down, high up. So no claim of the family reads stronger than the kernel proved it."""
    relation = next(iter(relations)) if len(set(relations)) == 1 else ""
    first, last = {"<=": (ceil_decimal, ceil_decimal), ">=": (floor_decimal, floor_decimal)}.get(
        relation, (floor_decimal, ceil_decimal))
    return first(low, places), last(high, places)


def safe_decimal(value, relation: str, digits: int = 10) -> str:
    """A proven value as a decimal of `digits` significant digits that claims no more than the proof:
    rounded UP for an upper bound ("<="), DOWN for a lower bound (">="); for "==" (or any other
    relation) the decimal only when it is exact, else the exact "p/q". Trailing zeros are dropped;
    very large or small values are written d.ddde+XX (the same number, exactly)."""
    value = Fraction(value)
    if value == 0:
        return "0"
    size = abs(value)
    exponent = len(str(size.numerator)) - len(str(size.denominator))  # 10**exponent <= size < 10**(exponent+1)
    while Fraction(10) ** exponent > size:
        exponent -= 1
    while Fraction(10) ** (exponent + 1) <= size:
        exponent += 1
    places = digits - 1 - exponent
    scaled = value * Fraction(10) ** places
    if relation == "<=":
        whole = math.ceil(scaled)
    elif relation == ">=":
        whole = math.floor(scaled)
    elif scaled.denominator == 1:
        whole = scaled.numerator
    else:
        return format_rational(value)
    return _decimal_text(whole, places)


def _decimal_text(whole: int, places: int) -> str:
    """whole * 10**-places, exactly, as positional or scientific decimal text."""
    sign, text = ("-" if whole < 0 else ""), str(abs(whole))
    if whole == 0:
        return "0"
    exponent = len(text) - 1 - places
    if -7 < exponent < 16:
        if places <= 0:
            return sign + text + "0" * -places
        text = text.rjust(places + 1, "0")
        head, tail = text[:-places], text[-places:].rstrip("0")
        return sign + head + (f".{tail}" if tail else "")
    mantissa = text.rstrip("0")
    mantissa = mantissa[0] + (f".{mantissa[1:]}" if len(mantissa) > 1 else "")
    return f"{sign}{mantissa}e{exponent:+03d}"


def rational_map(values: dict) -> dict:
    """{name: Fraction} -> {name: "p/q"}, zeros dropped, for sparse evidence."""
    return {key: format_rational(v) for key, v in sorted(values.items()) if v}


def dumps(cert: dict) -> str:
    """Sorted keys, one entry a line; a list of scalars stays on one line."""
    return _dump(cert, "") + "\n"


def _dump(value, indent: str) -> str:
    inner = indent + " "
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(k)}: {_dump(value[k], inner)}" for k in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(inner + _dump(v, inner) for v in value) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=True, separators=(", ", ": "))


def checked(cert: dict, where: str) -> Verdict:
    """The kernel's verdict on exactly the bytes `write` would put in the file."""
    return check_certificate(loads(dumps(cert), where), where)


def write(cert: dict, path: str) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    text = dumps(cert)
    # Write only on change, so a rerun leaves files (and their mtimes) alone.
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as handle:
            if handle.read() == text:
                return
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def manifest_entry(cert: dict, relative_path: str) -> dict:
    claim = cert["claim"]
    return {
        "id": claim["id"],
        "file": relative_path,
        "kind": claim["kind"],
        "relation": claim["relation"],
        "value": claim["value"],
        "statement": claim["statement"],
        "problem_sha256": cert["problem_sha256"],
    }


def write_manifest(folder: str, entries: list) -> str:
    path = os.path.join(folder, "manifest.json")
    body = {"format": FORMAT_VERSION, "claims": sorted(entries, key=lambda e: e["file"])}
    write(body, path)
    return path


def rebuild_manifest(folder: str) -> str:
    """List every certificate below `folder` in its manifest (the claims it pins)."""
    entries = []
    for path in certificate_files(folder):
        cert = read_json(path)
        entries.append(manifest_entry(cert, os.path.relpath(path, folder).replace(os.sep, "/")))
    return write_manifest(folder, entries)
