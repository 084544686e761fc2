"""Attacks on the session-23 kernel moves (issue 11, per-kind trusted base).

bits.bell now checks its own delta (it no longer reads `kernel.bits`), the CHSH count reader moved from
`kernel.chain` to `kernel.bits` (eat.bits reads it there), `parse_digits` moved from `defs.ns_polytope` to
`defs.scenario`, and `largest_k` to `kernel.intervals`. Each attack is a certificate that must not verify:
malformed input exits 2 naming the field, a weaker premise never proves the claimed bits.
"""

import copy
import os
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.errors import CertifyError
from certify.kernel import check_certificate, problem_sha256
from certify.kernel.format import format_rational
from tests.conftest import ROOT, load_json

BELL = load_json(os.path.join(ROOT, "proofs/bell/table1-eq3.json"))
EAT = load_json(os.path.join(ROOT, "proofs/vn/eat/table1.json"))
LP = load_json(os.path.join(ROOT, "proofs/gallego2013/robustness/x00010_c.json"))


def rehashed(cert: dict, change) -> dict:
    """A copy with `change(problem)` applied and the problem hash recomputed (so only the change is judged)."""
    forged = copy.deepcopy(cert)
    change(forged["claim"]["problem"])
    forged["problem_sha256"] = problem_sha256(forged["claim"]["problem"])
    return forged


def test_the_committed_certificates_verify_before_any_attack():
    for cert in (BELL, EAT, LP):
        assert check_certificate(copy.deepcopy(cert), "cert").status == "verified"
    assert check_certificate(copy.deepcopy(BELL), "cert").low == 42


@pytest.mark.parametrize("delta", ["0", "1", "-1/2", "3/2"])
def test_bell_delta_outside_the_open_unit_interval_is_malformed_and_named(delta):
    forged = rehashed(BELL, lambda p: p.update(delta=delta))
    with pytest.raises(CertifyError, match=r"cert\.claim\.problem\.delta: expected a rational in \(0, 1\)"):
        check_certificate(forged, "cert")


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=3, max_value=400))
def test_a_smaller_bell_delta_never_proves_the_claimed_42_bits(exponent):
    # eps grows as delta shrinks: the same counts and tangents prove fewer bits, so the claim of 42 is false
    forged = rehashed(BELL, lambda p: p.update(delta=format_rational(Fraction(1, 10**exponent))))
    verdict = check_certificate(forged, "cert")
    assert verdict.status == "false" and "proves >=" in verdict.reason


def test_eat_counts_missing_an_input_pair_are_malformed_through_the_moved_reader():
    forged = rehashed(EAT, lambda p: p.update(counts=p["counts"][:3]))
    with pytest.raises(CertifyError, match=r"counts\[x=1,y=1,a=0,b=0\]: missing"):
        check_certificate(forged, "cert")


@pytest.mark.parametrize("p_xy", [{"00": "1/2", "01": "1/4", "10": "1/4", "11": "0"},
                                  {"00": "-1/4", "01": "1/2", "10": "1/2", "11": "1/4"}])
def test_eat_input_probabilities_outside_the_simplex_are_malformed(p_xy):
    with pytest.raises(CertifyError, match=r"p_xy"):
        check_certificate(rehashed(EAT, lambda p: p.update(p_xy=p_xy)), "cert")


@pytest.mark.parametrize("digits, message", [("20000", "party 1 has no value 2"), ("0001", "expected 5 digits"),
                                             ("0001\u0662", "expected 5 digits")])
def test_lp_digit_strings_are_still_refused_by_the_moved_parser(digits, message):
    def change(problem):
        problem["objective"]["terms"][0][0] = digits
    with pytest.raises(CertifyError, match=message):
        check_certificate(rehashed(LP, change), "cert")
