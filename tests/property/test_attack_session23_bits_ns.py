"""Attacks on the session-23 kernel additions: kind "bits.ns" (certify/kernel/nsbits.py) and "bits.chsh" with
tangents for one or more input pairs (certify/kernel/chain.py).

bits.ns rebuilds each of the 16 tangent LPs "max P(ab|xy) + lam CHSH" over no-signalling boxes from the claim's
lam and its key, and trusts only the duals it checks; the chain then reads the line with I_max = 4. Every forged
certificate below must fail (a "false" verdict or a one-line malformed error), and the honest one must prove what
an independent float evaluation of Pironio's eq. (3) with the no-signalling set allows.
"""

import copy
import math
import os
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.certificate import make_certificate
from certify.commands.bits import no_signalling_tangent
from certify.errors import CertifyError
from certify.kernel import check_certificate
from certify.kernel.format import format_rational
from certify.papers.pironio2010.bits import problem_json
from tests.conftest import ROOT, load_json

# 40,000 rounds, uniform inputs, P(a=b|xy) = 0.85 (0.15 at xy = 11): CHSH estimate 2.8
ROWS = [[x, y, *((4250, 750, 750, 4250) if (x, y) != (1, 1) else (750, 4250, 4250, 750))] for x in (0, 1)
        for y in (0, 1)]
COUNTS = {(row[0], row[1], a, b): row[2 + 2 * a + b] for row in ROWS for a in (0, 1) for b in (0, 1)}
P_XY = {(x, y): Fraction(1, 4) for x in (0, 1) for y in (0, 1)}
DELTA = Fraction(1, 100)
_, _, _, TANGENTS = no_signalling_tangent()  # curve c: max P(ab|xy) + CHSH/4 <= 3/2, 16 lp.ns duals (HiGHS, exact)
TABLE1 = load_json(os.path.join(ROOT, "proofs", "pironio2010", "bits", "table1-level-1+AB.json"))


def ns_cert(value, tangents=None, lam="1/4", problem=None) -> dict:
    rows = problem_json(COUNTS, P_XY, DELTA, "1+AB")
    problem = problem or {k: rows[k] for k in ("counts", "p_xy", "delta")}
    evidence = {"lambda": lam, "tangents": copy.deepcopy(TANGENTS) if tangents is None else tangents}
    return make_certificate("t/bits.ns", "bits.ns", "t", problem, ">=", value, evidence)


def verdict(cert):
    return check_certificate(cert, "cert")


def float_ns_bits() -> int:
    """Eq. (3) in floats: eps = (1/q + 4) sqrt(2 ln(1/delta) / n), G = 3/2 - (I_hat - eps)/4, bits = n log2(1/G)."""
    n, i_hat = 40000, 2.8
    eps = (4 + 4) * math.sqrt(2 * math.log(100) / n)
    return math.floor(-n * math.log2(1.5 - (i_hat - eps) / 4))


def test_the_honest_certificate_proves_what_a_float_evaluation_of_eq3_allows():
    proven = verdict(ns_cert(0)).low
    assert abs(proven - float_ns_bits()) <= 1 and proven == 10728
    assert verdict(ns_cert(int(proven))).status == "verified"
    assert verdict(ns_cert(int(proven) + 1)).status == "false"


def test_no_signalling_bits_are_below_the_local_bound_of_one_bit_a_round_at_the_pr_box():
    # all agree but xy = 11 all disagree: CHSH estimate 4 (a PR box); clamp at I_max = 4 reads G = 3/2 - 1 = 1/2
    rows = [[x, y, *((10000, 0, 0, 10000) if (x, y) != (1, 1) else (0, 10000, 10000, 0))] for x in (0, 1)
            for y in (0, 1)]
    problem = {"counts": rows, "p_xy": {k: "1/4" for k in ("00", "01", "10", "11")}, "delta": "1/100"}
    proven = verdict(ns_cert(0, problem=problem)).low
    assert 0 < proven <= 80000  # at most one bit per round of 2 output bits, never more


@pytest.mark.parametrize("lam", ["1/3", "1/5", "0"])
def test_a_lambda_other_than_the_tangents_slope_is_refused(lam):
    got = verdict(ns_cert(1, lam=lam))
    assert got.status == "false" and "not max P(00|00) +" in got.reason


def test_a_negative_lambda_is_refused():
    got = verdict(ns_cert(1, lam="-1/4"))
    assert got.status == "false" and "< 0" in got.reason


def test_a_tangent_filed_under_another_guess_is_refused():
    tangents = copy.deepcopy(TANGENTS)
    tangents["00|00"], tangents["01|00"] = tangents["01|00"], tangents["00|00"]
    got = verdict(ns_cert(1, tangents=tangents))
    assert got.status == "false" and "not max P(00|00)" in got.reason


def test_a_tangent_over_a_promise_is_refused():
    # a promise shrinks the set: its maximum bounds fewer boxes, so the line would say less than it claims
    tangents = copy.deepcopy(TANGENTS)
    tangents["11|11"]["problem"]["promise"] = {"kind": "parity", "rules": [["00", 0]]}
    got = verdict(ns_cert(1, tangents=tangents))
    assert got.status == "false" and "not max P(11|11)" in got.reason


def test_a_tangent_over_another_scenario_is_refused():
    tangents = copy.deepcopy(TANGENTS)
    tangents["11|11"]["problem"]["scenario"] = {"inputs": [2, 2], "outputs": [2, 3]}
    got = verdict(ns_cert(1, tangents=tangents))
    assert got.status == "false" and "not max P(11|11)" in got.reason


def test_a_tangent_without_a_promise_field_is_read_as_no_promise():
    tangents = copy.deepcopy(TANGENTS)
    del tangents["11|11"]["problem"]["promise"]  # `build` reads a missing promise as none: the same polytope
    assert verdict(ns_cert(10728, tangents=tangents)).status == "verified"


@pytest.mark.parametrize("field_, value", [("sense", "min"), ("constraints", [])])
def test_a_tangent_with_min_or_constraints_is_malformed(field_, value):
    tangents = copy.deepcopy(TANGENTS)
    tangents["10|01"]["problem"][field_] = value
    with pytest.raises(CertifyError, match=r"tangents\.10\|01\.problem"):
        verdict(ns_cert(1, tangents=tangents))


def test_missing_or_extra_tangents_or_evidence_are_malformed():
    tangents = copy.deepcopy(TANGENTS)
    del tangents["11|11"]
    with pytest.raises(CertifyError, match="one lp.ns certificate for each"):
        verdict(ns_cert(1, tangents=tangents))
    tangents = copy.deepcopy(TANGENTS)
    tangents["00|00"]["evidence"]["primal"] = {}
    with pytest.raises(CertifyError, match="unknown field 'primal'"):
        verdict(ns_cert(1, tangents=tangents))


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(sorted(TANGENTS)), st.integers(min_value=2, max_value=1000))
def test_a_scaled_down_dual_never_passes(key, divisor):
    # a smaller dual would lower nu (more bits): weak duality fails at some column, and the kernel says so
    tangents = copy.deepcopy(TANGENTS)
    dual = tangents[key]["evidence"]["dual"]
    for row, text in dual.items():
        dual[row] = format_rational(Fraction(*map(int, (text + "/1").split("/")[:2])) / divisor)
    got = verdict(ns_cert(1, tangents=tangents))
    assert got.status == "false" and "dual infeasible" in got.reason


def test_malformed_problem_fields_are_named():
    rows = problem_json(COUNTS, P_XY, DELTA, "1+AB")
    with pytest.raises(CertifyError, match="expected exactly counts, p_xy, delta"):
        verdict(ns_cert(1, problem={"counts": rows["counts"], "p_xy": rows["p_xy"]}))
    with pytest.raises(CertifyError, match="delta"):
        verdict(ns_cert(1, problem={"counts": rows["counts"], "p_xy": rows["p_xy"], "delta": "1"}))


# --- bits.chsh with tangents for a subset of the input pairs ---------------------------------------------------

def table1_with(tangents: dict, value=None) -> dict:
    cert = copy.deepcopy(TABLE1)
    cert["evidence"]["tangents"] = tangents
    if value is not None:
        cert["claim"]["value"] = str(value)
    return cert


@pytest.mark.parametrize("pairs", [("00",), ("11",), ("01", "10"), ("00", "01", "10")])
def test_any_nonempty_subset_of_the_committed_tangents_proves_at_least_the_42_bits(pairs):
    # each verified line bounds every round (the relabelling lemma), and four lines keep their fewest bits
    full = verdict(copy.deepcopy(TABLE1)).low
    got = verdict(table1_with({p: TABLE1["evidence"]["tangents"][p] for p in pairs}))
    assert got.status == "verified" and got.low >= full == 42


def test_a_tangent_under_another_pairs_key_is_refused():
    got = verdict(table1_with({"00": TABLE1["evidence"]["tangents"]["11"]}))
    assert got.status == "false" and "objective" in got.reason


def test_no_tangent_proves_only_zero_bits_and_unknown_pairs_are_malformed():
    assert verdict(table1_with({}, 0)).status == "verified"
    with pytest.raises(CertifyError, match="one or more of"):
        verdict(table1_with({}, 42))
    with pytest.raises(CertifyError, match="one or more of"):
        verdict(table1_with({"00": TABLE1["evidence"]["tangents"]["00"], "22": {}}))
