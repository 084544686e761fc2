"""Command-line value types shared by the subcommands: argparse types, the one rational parser,
level spellings and party names.

Conventions, stated once: a number is exact (decimal, scientific or p/q, never through a float);
a level is normalised to the kernel's one spelling ("1+AB": no spaces, capital party letters);
parties are named by their letters A, B, C, ... (as in the level words), never by numbers, so
neither a 0-based nor a 1-based reading of an old command line can be silently reinterpreted.
"""

import argparse
import os
import re
from fractions import Fraction

from certify.errors import CertifyError


def positive_int(text: str) -> int:
    """--jobs and the like: a whole number >= 1 (argparse turns the error into one line)."""
    if not re.fullmatch(r"[1-9][0-9]{0,3}", text):
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 9999, got {text[:20]!r}")
    return int(text)


def folder(text: str) -> str:
    """An output folder: may not exist yet, but must not be a file (checked before any work)."""
    if os.path.exists(text) and not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text[:80]!r} exists and is not a folder")
    return text


# At most 30 + 30 digits and a 4-digit exponent: 10**9999 is exact and instant ("1e10000000"
# through Fraction(str) would take seconds, and float("1e-400") is 0).
_DECIMAL = re.compile(r"(0|[1-9][0-9]{0,29})(?:\.([0-9]{1,30}))?(?:[eE]([+-]?[0-9]{1,4}))?")
_RATIO = re.compile(r"(0|[1-9][0-9]{0,59})/([1-9][0-9]{0,59})")


def rational(text: str, where: str, signed: bool = False) -> Fraction:
    """The one command-line rational, exact: a decimal (0.01, 2.414), scientific notation (1e-6,
    2.5E-3) or a ratio (1/100); a leading "-" only when `signed`. No float is ever involved."""
    body = text.strip() if isinstance(text, str) else ""
    negative = signed and body.startswith("-")
    body = body[1:] if negative else body
    decimal, ratio = _DECIMAL.fullmatch(body), _RATIO.fullmatch(body)
    if decimal:
        whole, digits, exponent = decimal.groups()
        value = Fraction(int(whole + (digits or "")), 10 ** len(digits or "")) * Fraction(10) ** int(exponent or 0)
    elif ratio:
        value = Fraction(int(ratio.group(1)), int(ratio.group(2)))
    else:
        raise CertifyError(f"{where}: expected a decimal like 0.01, scientific like 1e-6 or a ratio like 1/100, "
                           f"got {str(text)[:40]!r}")
    return -value if negative else value


def level(text: str) -> str:
    """A level in the kernel's spelling: "1+ab" (toqito) and "1 + AB" (QuantumNPA.jl) become "1+AB".

    Only spaces are dropped and letters capitalised; anything else ("1++AB", "2+A1") is left for
    the kernel's strict parser to refuse, so the certificate holds the one canonical spelling."""
    if not isinstance(text, str) or len(text) > 400:
        raise CertifyError(f"--level: expected a level like 2 or 1+AB, got {str(text)[:40]!r}")
    return "".join(text.split()).upper()


def parties(text: str, count: int, where: str = "--parties") -> list:
    """Distinct parties named by letter ("A,C" or "AC"; A is the first), in increasing order, as 0-based
    indices. Numbers are refused: `lp` once read them 1-based and `npa` 0-based."""
    names = "".join(text.replace(",", " ").split()).upper() if isinstance(text, str) else ""
    letters = [chr(ord("A") + k) for k in range(count)]
    if re.fullmatch(r"[0-9]+", names):
        raise CertifyError(f"{where}: parties are named by letter now ({', '.join(letters)}; A is the first party, "
                           f"as in the level words), not by number: got {text[:40]!r}")
    if not names or set(names) - set(letters) or len(set(names)) != len(names):
        raise CertifyError(f"{where}: expected distinct party letters among {', '.join(letters)}, got {text[:40]!r}")
    return sorted(letters.index(name) for name in names)


def level_arg(text: str) -> str:
    """`level` as an argparse type (a bad spelling is a one-line usage error)."""
    try:
        return level(text)
    except CertifyError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
