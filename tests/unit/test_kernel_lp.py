"""The LP kernel: exact weak duality and primal feasibility, reject by default."""

from fractions import Fraction

import pytest

from certify.errors import CertifyError
from certify.kernel import check_certificate, problem_sha256
from certify.kernel.format import format_rational


def test_genuine_certificate_verifies_three_halves(fresh):
    verdict = check_certificate(fresh, "c.json")
    assert verdict.ok and verdict.value == Fraction(3, 2) and verdict.reason == "verified"


def test_claimed_value_below_the_dual_bound_is_rejected(fresh):
    fresh["claim"]["value"] = "7/5"
    verdict = check_certificate(fresh, "c.json")
    assert not verdict.ok and "the evidence proves <= 3/2, not <= 7/5" in verdict.reason


def test_claimed_value_above_the_primal_is_rejected(fresh):
    fresh["claim"]["value"] = "8/5"
    fresh["claim"]["relation"] = ">="
    del fresh["evidence"]["dual"]
    verdict = check_certificate(fresh, "c.json")
    assert not verdict.ok and "proves >= 3/2, not >= 8/5" in verdict.reason


def test_edited_problem_fails_the_hash(fresh):
    fresh["claim"]["problem"]["objective"]["terms"][0][2] = "1"
    verdict = check_certificate(fresh, "c.json")
    assert not verdict.ok and "problem_sha256" in verdict.reason


def test_edited_problem_with_new_hash_is_checked_against_the_new_problem(fresh):
    # A forger who also recomputes the hash gets the NEW problem checked; the
    # old evidence no longer proves it.
    fresh["claim"]["problem"]["objective"]["terms"][0][2] = "5"
    fresh["problem_sha256"] = problem_sha256(fresh["claim"]["problem"])
    verdict = check_certificate(fresh, "c.json")
    assert not verdict.ok and "dual infeasible" in verdict.reason


def test_dropping_a_dual_entry_breaks_dual_feasibility(fresh):
    key = sorted(fresh["evidence"]["dual"])[0]
    del fresh["evidence"]["dual"][key]
    verdict = check_certificate(fresh, "c.json")
    assert not verdict.ok


def test_negative_primal_entry_is_rejected(fresh):
    key = sorted(fresh["evidence"]["primal"])[0]
    fresh["evidence"]["primal"][key] = "-" + fresh["evidence"]["primal"][key]
    verdict = check_certificate(fresh, "c.json")
    assert not verdict.ok and ("negative" in verdict.reason or "violates row" in verdict.reason)


@pytest.mark.parametrize("mutate,needle", [
    (lambda c: c["claim"].update(kind="lp.magic"), "unknown claim kind"),
    (lambda c: c.update(format="certify/0"), "expected 'certify/1'"),
    (lambda c: c["claim"].update(relation="<"), "relation"),
    (lambda c: c["claim"].update(value="0.75"), "claim.value"),
    (lambda c: c["claim"].pop("statement"), "missing or unknown field 'statement'"),
    (lambda c: c["evidence"]["dual"].update({"norm:22": "1"}), "unknown entry 'norm:22'"),
    (lambda c: c["evidence"].pop("primal"), "proves no lower bound"),  # exit 1, as for every kind
    (lambda c: c["claim"]["problem"]["scenario"].update(inputs=[2, 11]), "problem_sha256"),
])
def test_malformed_certificates_raise_one_line_errors(fresh, mutate, needle):
    mutate(fresh)
    try:
        verdict = check_certificate(fresh, "c.json")
    except CertifyError as err:
        assert needle in str(err) and "\n" not in str(err)
    else:
        assert not verdict.ok and needle in verdict.reason


def test_problem_definition_errors_name_the_field(fresh):
    fresh["claim"]["problem"]["scenario"]["inputs"] = [2, 11]
    fresh["problem_sha256"] = problem_sha256(fresh["claim"]["problem"])
    with pytest.raises(CertifyError, match=r"claim.problem.scenario.inputs\[1\]: expected an integer in \[1, 10\]"):
        check_certificate(fresh, "c.json")


def test_a_weaker_but_valid_dual_is_recomputed_not_trusted(fresh):
    # Adding 1 to a normalisation row keeps A^T y >= c (that row's columns have
    # coefficient +1) but raises b.y to 5/2: valid evidence for "<= 5/2" only.
    dual = fresh["evidence"]["dual"]
    dual["norm:00"] = format_rational(Fraction(dual.get("norm:00", "0")) + 1)
    verdict = check_certificate(fresh, "c.json")
    assert not verdict.ok and "the evidence proves <= 5/2, not <= 3/2" in verdict.reason
    fresh["claim"]["value"], fresh["claim"]["relation"] = "5/2", "<="
    del fresh["evidence"]["primal"]
    verdict = check_certificate(fresh, "c.json")
    assert verdict.ok and verdict.value == Fraction(5, 2)


def _min_probability_claim(value, dual):
    """min P(a=0|x=0) under the promise "a = 0 at x = 0": a true 1, attained by the box P(0|0) = 1."""
    problem = {"scenario": {"inputs": [1], "outputs": [2]}, "promise": {"kind": "parity", "rules": [["0", 0]]},
               "objective": {"kind": "function", "x": "0", "parties": [0], "table": "10", "value": 1},
               "sense": "min"}
    return {"format": "certify/1",
            "claim": {"id": "min-probability", "kind": "lp.ns", "statement": "min P(a=0|0)", "problem": problem,
                      "relation": ">=", "value": value},
            "problem_sha256": problem_sha256(problem), "evidence": {"dual": dual}}


def test_a_true_lower_bound_on_a_minimised_probability_verifies():
    # attack 02 of the session's audit: the vacuity floor was tested before the sign flip of "min"
    verdict = check_certificate(_min_probability_claim("1", {"norm:0": "-1"}), "c.json")
    assert verdict.ok and verdict.low == 1


def test_a_lower_bound_above_one_on_a_probability_is_vacuous():
    cert = _min_probability_claim("2", {"norm:0": "-2"})
    problem = cert["claim"]["problem"]  # one output, forbidden by the promise: no box at all
    problem.update(scenario={"inputs": [1], "outputs": [1]}, promise={"kind": "parity", "rules": [["0", 1]]})
    problem["objective"]["table"] = "1"
    cert["problem_sha256"] = problem_sha256(problem)
    verdict = check_certificate(cert, "c.json")
    assert verdict.status == "false" and "bound 2 > 1 on a probability" in verdict.reason


def test_eight_binary_parties_are_refused_before_building_the_polytope():
    # attack 01: 2^16 columns took 1.8 s and 143 MB per 438-byte file before the evidence was read
    problem = {"scenario": {"inputs": [2] * 8, "outputs": [2] * 8}, "promise": None,
               "objective": {"kind": "linear", "terms": []}, "sense": "max"}
    cert = {"format": "certify/1",
            "claim": {"id": "big", "kind": "lp.ns", "statement": "s", "problem": problem, "relation": "<=",
                      "value": "0"}, "problem_sha256": problem_sha256(problem), "evidence": {"dual": {}}}
    with pytest.raises(CertifyError, match=r"scenario: 65536 variables exceed the limit 8192"):
        check_certificate(cert, "c.json")
