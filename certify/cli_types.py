"""argparse value types shared by the subcommands."""

import argparse
import os
import re


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
