"""Command-line value types shared by the subcommands (argparse types and the one rational parser)."""

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


_DECIMAL = re.compile(r"(0|[1-9][0-9]{0,29})(\.[0-9]{1,30})?")
_RATIO = re.compile(r"(0|[1-9][0-9]{0,59})/[1-9][0-9]{0,59}")


def rational(text: str, where: str, signed: bool = False) -> Fraction:
    """The one command-line rational: a decimal like 0.01 or 2.414, or a ratio like 1/100
    (a leading "-" only when `signed`); exact, so a float never rounds in, and no exponents."""
    body = text.strip() if isinstance(text, str) else ""
    if signed and body.startswith("-"):
        body = body[1:]
    if _DECIMAL.fullmatch(body) or _RATIO.fullmatch(body):
        return Fraction(text.strip())
    raise CertifyError(f"{where}: expected a decimal like 0.01 or a ratio like 1/100, got {str(text)[:40]!r}")
