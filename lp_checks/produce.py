"""Kept only for `lp_checks/robustness.py` until it moves to certify/papers/gallego2013/ (issue 11):
the LP certificate builder and the one producer loop are in `certify.papers.produce`."""

from certify.papers.produce import lp_certificate as certify_lp_claim  # noqa: F401
