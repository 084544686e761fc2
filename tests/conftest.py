"""Shared fixtures: small certificates made fresh by the real producer."""

import copy
import os
import sys

import pytest
from hypothesis import settings

import certify.cli  # noqa: F401 -- as the command line does, before numpy loads: one BLAS thread, one kernel family

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

settings.register_profile("ci", settings.get_profile("ci"), deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


@pytest.fixture(scope="session")
def chsh_ns_certificate():
    """An "==" certificate (dual and primal) of P(00|00) + CHSH/4 <= 3/2."""
    from certify.papers.pironio2010.curve_c import chsh_ns_claim
    from certify.papers.produce import lp_certificate

    claim_id, statement, problem, _ = chsh_ns_claim((0, 0), (0, 0))
    cert, _ = lp_certificate(claim_id, statement, problem)
    return cert


@pytest.fixture()
def fresh(chsh_ns_certificate):
    return copy.deepcopy(chsh_ns_certificate)
