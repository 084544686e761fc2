"""argparse value types shared by the subcommands."""

import argparse
import re


def positive_int(text: str) -> int:
    """--jobs and the like: a whole number >= 1 (argparse turns the error into one line)."""
    if not re.fullmatch(r"[1-9][0-9]{0,3}", text):
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 9999, got {text[:20]!r}")
    return int(text)
