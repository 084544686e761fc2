"""Strict reading of certificate files: JSON with rationals as "p/q" strings (trusted).

Refused before anything is computed: a file too large, too deep, with a repeated key, over `MAX_NODES` values
(16 MiB of "{}" would take 1 GB as objects), or a number that is not a canonical rational string (JSON numbers
only as small integers). Never ``Fraction(text)``: it accepts "1_0", " 1e3 " and "1e10000000". A rational is
``-?D(/D)?``, D at most `MAX_DIGITS` digits, no leading zeros, denominator > 1, lowest terms: one spelling
per number, so the problem hash is well defined.
"""

import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from typing import Optional

from certify.errors import CertifyError

FORMAT_VERSION = "certify/1"
MAX_FILE_BYTES = 16 * 1024 * 1024  # the largest committed file (the manifest) has 0.4 MB
MAX_NODES = 10**6  # JSON values (counted as commas and containers); committed files have < 60,000
MAX_DEPTH = 12
MAX_DIGITS = 4000
MAX_INT = 10**9
MAX_PARTIES = 8
MAX_SCALE_BITS = 2048  # common denominators; committed certificates need at most ~90 bits
RELATIONS = ("<=", ">=", "==")

_RATIONAL = re.compile(r"-?(0|[1-9][0-9]*)(/[1-9][0-9]*)?")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.S)  # a JSON string literal (or its unclosed start)


class Reject(Exception):
    """A certificate fails a check; the message is the one-line reason."""


@dataclass(frozen=True)
class Proven:
    """What a kind's evidence proves about the claimed quantity: low <= quantity <= high
    (None: nothing proven on that side). The claim's relation is tested once, centrally."""

    low: Optional[Fraction] = None
    high: Optional[Fraction] = None


def parse_rational(text, where: str) -> Fraction:
    """Read a canonical "p/q" string as a Fraction (never a JSON number: one spelling, one hash)."""
    if not isinstance(text, str) or not _RATIONAL.fullmatch(text):
        raise CertifyError(f'{where}: expected rational "p/q", got {_show(text)}')
    num, _, den = text.partition("/")
    # Per part: int() itself refuses more than 4300 digits (ValueError); the regex scan is linear.
    if len(text) > MAX_DIGITS and max(len(num.lstrip("-")), len(den)) > MAX_DIGITS:
        raise CertifyError(f"{where}: rational has more than {MAX_DIGITS} digits in its numerator or denominator")
    if den == "1" or num == "-0":
        raise CertifyError(f'{where}: rational "{text}" is not canonical (no "/1", no "-0")')
    value = Fraction(int(num), q := int(den) if den else 1)
    if value.denominator != q:
        raise CertifyError(f'{where}: rational "{text}" is not in lowest terms')
    return value


def denominator(values, where: str, most: int = MAX_SCALE_BITS) -> int:
    """lcm of the denominators; refused beyond `most` bits (work bound: a sum of n rationals of distinct
    4000-digit denominators has ~13,000 n bits, and each addition costs a gcd quadratic in that)."""
    scale = 1
    for v in values:  # no set of denominators: ints colliding mod 2^61 - 1 made one quadratic (red team, session 22)
        if scale % v.denominator:  # a repeat divides the lcm already: one remainder
            scale = lcm(scale, v.denominator)
            if scale.bit_length() > most:
                raise CertifyError(f"{where}: common denominator exceeds {most} bits (work bound)")
    return scale


def format_rational(value: Fraction) -> str:
    """The canonical spelling that `parse_rational` accepts."""
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def brief(value: Fraction) -> str:
    """A rational for a message: spelled out unless too long (str(int) refuses over 4300 digits)."""
    if max(abs(value.numerator).bit_length(), value.denominator.bit_length()) > 4000:
        return f"a rational of {abs(value.numerator).bit_length()}/{value.denominator.bit_length()} bits"
    return format_rational(value)


def printable(text: str, where: str) -> str:
    """`text` if it holds no control character, lone surrogate or other unprintable character:
    it is printed beside verdicts, where "\\r" or ESC[2K could forge a VERIFIED line."""
    for at, ch in enumerate(text if not text.isprintable() else ""):
        if not ch.isprintable():
            raise CertifyError(f"{where}: unprintable character {ascii(ch)} at position {at}")
    return text


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
    """obj[key]: obj an object, the field present, of JSON type `kind`."""
    if key not in expect(obj, dict, where):
        raise CertifyError(f"{where}: missing field {key!r}")
    return expect(obj[key], kind, f"{where}.{key}")


def only(obj, allowed, where: str) -> dict:
    """obj, which must be an object with no field outside `allowed`."""
    extra = sorted(set(expect(obj, dict, where)) - set(allowed))
    if extra:
        raise CertifyError(f"{where}: unknown field {extra[0]!r}")
    return obj


def rational(obj: dict, key: str, where: str) -> Fraction:
    """obj[key], a rational string."""
    return parse_rational(field(obj, key, str, where), f"{where}.{key}")


def sized(value, count: int, where: str, what: str = "entries") -> list:
    """`value`, a list of exactly `count` items."""
    if len(expect(value, list, where)) != count:
        raise CertifyError(f"{where}: expected {count} {what}, got {len(value)}")
    return value


def rationals(obj: dict, key: str, count: int, where: str) -> list:
    """obj[key], a list of exactly `count` rationals."""
    items = sized(field(obj, key, list, where), count, f"{where}.{key}", "rationals")
    return [parse_rational(v, f"{where}.{key}[{k}]") for k, v in enumerate(items)]


def parse_relation(obj: dict, where: str) -> str:
    """obj["relation"], one of RELATIONS."""
    if field(obj, "relation", str, where) not in RELATIONS:
        raise CertifyError(f"{where}.relation: expected one of {RELATIONS}, got {obj['relation'][:10]!r}")
    return obj["relation"]


def holds(lhs: Fraction, rel: str, rhs: Fraction) -> bool:
    return {"<=": lhs <= rhs, ">=": lhs >= rhs, "==": lhs == rhs}[rel]


def parse_sizes(obj, where: str, most: int, fewest_outputs: int):
    """(inputs, outputs) of {"inputs": [m_i], "outputs": [d_i]}: m_i in 1..most, d_i in fewest_outputs..most."""
    only(obj, {"inputs", "outputs"}, where)
    inputs, outputs = field(obj, "inputs", list, where), field(obj, "outputs", list, where)
    if not 1 <= len(inputs) <= MAX_PARTIES or len(outputs) != len(inputs):
        raise CertifyError(f"{where}: expected 1..{MAX_PARTIES} parties with inputs and outputs each")
    return (tuple(parse_int(m, f"{where}.inputs[{i}]", 1, most) for i, m in enumerate(inputs)),
            tuple(parse_int(d, f"{where}.outputs[{i}]", fewest_outputs, most) for i, d in enumerate(outputs)))


def loads(text: str, where: str):
    """Parse JSON strictly: no floats, NaN, duplicate keys, huge or deep input."""
    if len(text) > MAX_FILE_BYTES:
        raise CertifyError(f"{where}: file larger than {MAX_FILE_BYTES} bytes")
    # Bound values and nesting first, by linear scans outside strings (json recurses, ~60 bytes a
    # value): every value but a container's first follows a comma, so values <= commas + containers + 1.
    bare = _STRING.sub('""', text)
    if sum(map(bare.count, ",[{")) >= MAX_NODES:
        raise CertifyError(f"{where}: more than {MAX_NODES} JSON values (work bound)")
    depth = 0
    for ch in re.sub(r"[^][{}]+", "", bare):
        depth += 1 if ch in "[{" else -1
        if depth >= MAX_DEPTH:
            raise CertifyError(f"{where}: JSON nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_int=_bounded_int,
                          parse_constant=lambda name: _refuse(f"{name} is not allowed (no floats in certificates)"),
                          parse_float=lambda t: _refuse(f'float {t[:20]} is not allowed: write rationals as "p/q"'))
    except CertifyError as err:
        raise CertifyError(f"{where}: {err}") from None
    except (ValueError, RecursionError) as err:
        raise CertifyError(f"{where}: not valid JSON ({str(err).splitlines()[0]})") from None


def _no_duplicates(pairs):
    out = dict(pairs)
    if len(out) != len(pairs):
        raise CertifyError(f"duplicate key {next(k for k, n in Counter(k for k, _ in pairs).items() if n > 1)!r}")
    return out


def _bounded_int(text: str) -> int:
    # 13 digits: every count the bits kinds accept (<= 10^12) fits; rationals are strings
    return int(text) if len(text.lstrip("-")) <= 13 else _refuse(f"integer {text[:20]}... too long: write a string")


def _refuse(message: str):
    raise CertifyError(message)


def read_json(path) -> object:
    """Read a certificate-like file strictly; errors name the file."""
    try:
        if os.path.exists(path) and not os.path.isfile(path):  # opening a FIFO blocks; a device may not end
            raise CertifyError(f"{path}: not a regular file")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise CertifyError(f"{path}: cannot read ({err.strerror})") from None
    try:
        return loads(raw.decode("utf-8"), str(path))
    except UnicodeDecodeError:
        raise CertifyError(f"{path}: not UTF-8 text") from None


def canonical_json(value) -> str:
    """The one serialisation that hashes are taken over: sorted keys, no spaces."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _show(value) -> str:
    text = json.dumps(value) if not isinstance(value, (set, tuple)) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
