"""Whole-chain claims: counts -> eps -> four NPA tangents -> bits, and the local p-value."""

import copy
import json
from fractions import Fraction
from pathlib import Path

import pytest

from certify.errors import CertifyError
from certify.kernel import check_certificate, problem_sha256

BITS = Path(__file__).resolve().parents[2] / "proofs" / "pironio2010" / "bits"


def _load(name):
    return json.loads((BITS / name).read_text())


@pytest.mark.parametrize("level,bits", [("1+AB", 42), ("2", 43), ("3", 44)])
def test_table1_bits_at_each_level(level, bits):
    verdict = check_certificate(_load(f"table1-level-{level}.json"), "c")
    assert verdict.ok and verdict.value == bits


def test_claiming_one_more_bit_is_rejected():
    cert = _load("table1-level-1+AB.json")
    cert["claim"]["value"] = "43"
    verdict = check_certificate(cert, "c")
    assert not verdict.ok and "proves >= 42, not >= 43" in verdict.reason


def test_less_correlated_counts_prove_fewer_bits():
    cert = _load("table1-level-1+AB.json")
    rows = cert["claim"]["problem"]["counts"]
    rows[0][2:] = [rows[0][2] - 40, rows[0][3] + 40, rows[0][4], rows[0][5]]  # move 40 events to a != b
    assert check_certificate(cert, "c").reason.startswith("problem_sha256")
    cert["problem_sha256"] = problem_sha256(cert["claim"]["problem"])
    verdict = check_certificate(cert, "c")
    assert not verdict.ok and "not >= 42" in verdict.reason


def test_a_tangent_for_the_wrong_input_pair_is_rejected():
    cert = _load("table1-level-1+AB.json")
    tangents = cert["evidence"]["tangents"]
    tangents["01"], tangents["00"] = copy.deepcopy(tangents["00"]), tangents["01"]
    verdict = check_certificate(cert, "c")
    assert not verdict.ok and "tangents.00.problem.objective: expected" in verdict.reason


def test_a_tangent_at_another_level_is_rejected():
    cert = _load("table1-level-1+AB.json")
    cert["evidence"]["tangents"]["11"] = _load("table1-level-2.json")["evidence"]["tangents"]["11"]
    verdict = check_certificate(cert, "c")
    assert not verdict.ok and "tangents.11.problem.level" in verdict.reason


def test_three_tangents_suffice_and_an_unknown_pair_is_an_error():
    # each verified line bounds every round (the relabelling lemma): a missing pair loses nothing sound
    cert = _load("table1-level-1+AB.json")
    del cert["evidence"]["tangents"]["10"]
    assert check_certificate(cert, "c").value == 42
    cert["evidence"]["tangents"]["20"] = cert["evidence"]["tangents"]["00"]
    with pytest.raises(CertifyError, match="tangents for one or more of"):
        check_certificate(cert, "c")


def test_tampered_tangent_matrix_is_rejected():
    cert = _load("table1-level-1+AB.json")
    nu = Fraction(cert["evidence"]["tangents"]["00"]["evidence"]["nu"])
    cert["evidence"]["tangents"]["00"]["evidence"]["nu"] = str(nu - Fraction(1, 10**6))
    verdict = check_certificate(cert, "c")
    assert not verdict.ok


def test_p_value_is_at_most_768_millionths_not_767():
    cert = _load("table1-pvalue-local.json")
    verdict = check_certificate(cert, "c")
    assert verdict.ok and verdict.claimed == Fraction(768, 10**6)
    assert verdict.value == verdict.high and Fraction(767, 10**6) < verdict.value <= Fraction(768, 10**6)
    assert abs(float(Fraction(cert["producer"]["bound"])) - 7.67e-4) < 1e-6
    cert["claim"]["value"] = "767/1000000"
    assert not check_certificate(cert, "c").ok


def test_zero_bits_needs_no_tangent_but_one_bit_does():
    # H_min >= 0 always; any positive claim without tangents is an error, never VERIFIED.
    cert = _load("table1-level-1+AB.json")
    cert["evidence"]["tangents"] = {}
    cert["claim"]["value"] = "0"
    verdict = check_certificate(cert, "c")
    assert verdict.ok and verdict.value == 0
    cert["claim"]["value"] = "1"
    with pytest.raises(CertifyError, match="expected tangents for one or more"):
        check_certificate(cert, "c")


@pytest.mark.parametrize("path,relation", [
    ("bits/table1-level-1+AB.json", "<="),
    ("bits/table1-level-2.json", "=="),
    ("bits/table1-pvalue-local.json", ">="),
    ("npa/tsirelson-2.json", ">="),
])
def test_a_relation_the_evidence_cannot_prove_is_rejected_alike(path, relation):
    # bits, p-value and NPA dual claims prove one direction each; the other is a
    # claim that does not follow (REJECTED, exit 1), the same for every kind.
    cert = json.loads((BITS.parent / path).read_text())
    cert["claim"]["relation"] = relation
    verdict = check_certificate(cert, "c")
    assert not verdict.ok and "cannot prove" in verdict.reason and relation in verdict.reason


def test_counts_beyond_tsirelson_certify_no_more_than_the_quantum_maximum():
    # A PR box (CHSH = 4, impossible for quantum devices) used to read the tangent at
    # I_low ~ 3.9 and certify 1.19 bits per round; clamped at 2 sqrt 2 the chain gives at
    # most f(2 sqrt 2) = 1.2284 bits per round from ANY tangent, and here (level-2 tangents
    # placed at I ~ 2.4) about 0.4.
    cert = _load("table1-level-2.json")
    n_pair = 25000
    cert["claim"]["problem"]["counts"] = [[x, y] + ([0, n_pair // 2, n_pair // 2, 0] if x * y else
                                                    [n_pair // 2, 0, 0, n_pair // 2]) for x in (0, 1) for y in (0, 1)]
    cert["claim"]["value"] = "1"
    cert["problem_sha256"] = problem_sha256(cert["claim"]["problem"])
    verdict = check_certificate(cert, "c")
    n = 4 * n_pair
    assert verdict.ok and 0.35 * n < verdict.value < 1.2284 * n
    cert["claim"]["value"] = str(int(0.45 * n))
    assert not check_certificate(cert, "c").ok


def test_a_huge_false_p_value_claim_is_rejected_not_a_crash():
    cert = _load("table1-pvalue-local.json")
    cert["claim"]["value"] = "-1" + "0" * 400
    verdict = check_certificate(cert, "c")
    assert not verdict.ok and "not <= -1" + "0" * 400 in verdict.reason


@pytest.mark.parametrize("name", ["table1-level-1+AB.json", "table1-pvalue-local.json"])
def test_unknown_evidence_field_is_malformed(name):
    # issue 10 s4: bits.chsh evidence with an extra field verified (every other kind refused one)
    cert = _load(name)
    cert["evidence"]["hint"] = "ignored?"
    with pytest.raises(CertifyError, match=r"c\.(evidence: unknown field 'hint'|claim\.problem: .*empty evidence)"):
        check_certificate(cert, "c")
