"""Strict reading of certificate files: JSON with rationals as "p/q" strings.

Trusted. The parser rejects before it computes: a file is refused when it is
too large, nests too deeply, repeats a key, or holds a number that is not a
canonical rational string. Floats never enter a certificate (JSON numbers are
accepted only as small integers, for counts and indices).

Why not ``Fraction(text)``: it accepts "1_0", " 1e3 " and "1e10000000" (the last
takes seconds to expand), so a hostile file could make the checker slow or
read a number the writer never meant. Here a rational is ``-?D(/D)?`` with D a
run of at most `MAX_DIGITS` decimal digits, no leading zeros, denominator > 1,
and the fraction in lowest terms (so each number has exactly one spelling and
the problem hash is well defined).
"""

import json
import re
from fractions import Fraction

from certify.errors import CertifyError

FORMAT_VERSION = "certify/1"
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 12
MAX_DIGITS = 4000
MAX_INT = 10**9

_RATIONAL = re.compile(r"-?(0|[1-9][0-9]*)(/[1-9][0-9]*)?")


class Reject(Exception):
    """A certificate fails a check; the message is the one-line reason."""


def parse_rational(text, where: str) -> Fraction:
    """Read a canonical "p/q" string (or a small JSON integer) as a Fraction."""
    if isinstance(text, bool):
        raise CertifyError(f'{where}: expected rational "p/q", got {json.dumps(text)}')
    if isinstance(text, int):
        if abs(text) > MAX_INT:
            raise CertifyError(f"{where}: integer too large, write it as a string")
        return Fraction(text)
    if not isinstance(text, str):
        raise CertifyError(f'{where}: expected rational "p/q", got {_show(text)}')
    if len(text) > 2 * MAX_DIGITS + 2:
        raise CertifyError(f"{where}: rational has more than {MAX_DIGITS} digits")
    if not _RATIONAL.fullmatch(text):
        raise CertifyError(f'{where}: expected rational "p/q", got {_show(text)}')
    num, _, den = text.partition("/")
    # Per part, not just in total: int() itself refuses more than 4300 digits (ValueError).
    if max(len(num.lstrip("-")), len(den)) > MAX_DIGITS:
        raise CertifyError(f"{where}: rational has more than {MAX_DIGITS} digits in its numerator or denominator")
    if den == "1":
        raise CertifyError(f'{where}: rational "{text}" is not canonical (drop "/1")')
    if num == "-0":
        raise CertifyError(f'{where}: rational "-0" is not canonical')
    value = Fraction(int(num), int(den) if den else 1)
    if den and value.denominator != int(den):
        raise CertifyError(f'{where}: rational "{text}" is not in lowest terms')
    return value


def format_rational(value: Fraction) -> str:
    """The canonical spelling that `parse_rational` accepts."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def parse_int(value, where: str, low: int = 0, high: int = MAX_INT) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CertifyError(f"{where}: expected an integer, got {_show(value)}")
    if not low <= value <= high:
        raise CertifyError(f"{where}: expected an integer in [{low}, {high}], got {value}")
    return value


def expect(value, kind, where: str):
    """Return `value` if it has JSON type `kind` (dict, list, str), else raise."""
    if not isinstance(value, kind) or isinstance(value, bool):
        name = {dict: "an object", list: "a list", str: "a string"}.get(kind, kind.__name__)
        raise CertifyError(f"{where}: expected {name}, got {_show(value)}")
    return value


def field(obj: dict, key: str, kind, where: str):
    """obj[key], which must exist and have JSON type `kind`."""
    if key not in obj:
        raise CertifyError(f"{where}: missing field {key!r}")
    return expect(obj[key], kind, f"{where}.{key}")


def _no_duplicates(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise CertifyError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _reject_constant(name):
    raise CertifyError(f"{name} is not allowed (no floats in certificates)")


def _reject_float(text):
    raise CertifyError(f'float {text[:20]} is not allowed: write rationals as "p/q"')


def _depth(value, limit: int) -> int:
    """Nesting depth, computed without recursion so a deep file cannot crash us."""
    stack, deepest = [(value, 1)], 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def loads(text: str, where: str):
    """Parse JSON strictly: no floats, NaN, duplicate keys, huge or deep input."""
    if len(text) > MAX_FILE_BYTES:
        raise CertifyError(f"{where}: file larger than {MAX_FILE_BYTES} bytes")
    # json's recursive decoder raises RecursionError on deep input; bound the
    # bracket depth first with a linear scan (brackets inside strings only make
    # this stricter, never looser).
    depth = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > 4 * MAX_DEPTH:
                raise CertifyError(f"{where}: JSON nested deeper than {MAX_DEPTH} levels")
        elif ch in "]}":
            depth -= 1
    try:
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_reject_constant,
            parse_float=_reject_float,
            parse_int=_bounded_int,
        )
    except CertifyError as err:
        raise CertifyError(f"{where}: {err}") from None
    except (ValueError, RecursionError) as err:
        raise CertifyError(f"{where}: not valid JSON ({str(err).splitlines()[0]})") from None
    if _depth(value, MAX_DEPTH) > MAX_DEPTH:
        raise CertifyError(f"{where}: JSON nested deeper than {MAX_DEPTH} levels")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 10:
        raise CertifyError(f"integer {text[:20]}... too long: write it as a string")
    return int(text)


def read_json(path) -> object:
    """Read a certificate-like file strictly; errors name the file."""
    where = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise CertifyError(f"{where}: cannot read ({err.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CertifyError(f"{where}: not UTF-8 text") from None
    return loads(text, where)


def canonical_json(value) -> str:
    """The one serialisation that hashes are taken over: sorted keys, no spaces."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _show(value) -> str:
    text = json.dumps(value) if not isinstance(value, (set, tuple)) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
