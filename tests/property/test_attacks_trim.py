"""Attacks on the kernel after the issue-11 trim: every restructured file gets certificates that must fail.

The trim merged `defs/bff.py` and `defs/moment_matrix.py` into `defs/words.py` (Eve's letters are free
letters of `reduce_word`), made vn's relaxation `npa.parse_problem` with an entropy guess, shared one
guess parser (`scenario.parse_guess`) between lp.ns and npa.max and one common-denominator bound
(`psd.denominator`) between the LP and PSD checks, and moved long prose out of every module. Each test
below starts from a committed certificate that verifies, changes one thing (a dual entry, a relation, a
value by 1/10^12, a field's shape) and requires the exact verdict: "false" (exit 1) or malformed (exit 2).
"""

import copy
import json
import os
from fractions import Fraction

import pytest

from certify.errors import CertifyError
from certify.kernel import check_certificate, problem_sha256
from certify.kernel.defs.ns_polytope import build
from certify.kernel.defs.words import EVE, adjoint, canonical, parse_level, reduce_word
from certify.kernel.format import format_rational, parse_rational
from certify.kernel.proofs import check_path
from certify.kernel.vn import node_bound, parse_relaxation

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = Fraction(1, 10**12)
NS = "pironio2010/ns/ab00_xy00.json"  # lp.ns, "==" 3/2, dual and primal
NPA = "pironio2010/npa/tsirelson-1.json"  # npa.max, "<=", level 1
BITS = "pironio2010/bits/table1-level-1+AB.json"  # bits.chsh, ">=" 42
THRESHOLD = "gallego2013/robustness/x10000_smallest-c.json"  # lp.threshold, "==" 5/16
AMPLIFY = "gallego2013/amplification/illustrative-tau-1e-3.json"  # amplify.bound, "<="
VN = "vn/chsh_H_A_S2.8000_m4.json"  # vn.bound, ">=", 3 nodes


def load(name):
    with open(os.path.join(ROOT, "proofs", name), encoding="utf-8") as handle:
        return json.load(handle)


def verdict(cert, rehash=False):
    if rehash:
        cert["problem_sha256"] = problem_sha256(cert["claim"]["problem"])
    return check_certificate(cert, "attack.json")


def shifted(text, by=TINY):
    return format_rational(parse_rational(text, "x") + by)


def refused(cert, rehash=False):
    """The verdict's status, or "malformed" when the kernel raises CertifyError (exit 2)."""
    try:
        return verdict(cert, rehash).status
    except CertifyError:
        return "malformed"


@pytest.mark.parametrize("name", [NS, NPA, BITS, THRESHOLD, AMPLIFY, VN])
def test_the_untampered_certificates_verify(name):
    assert verdict(load(name)).ok


# --- defs/words.py: Eve's letters are free, device letters are projectors --------------------------

def test_eve_letters_never_collapse_like_projectors():
    """Z Z != Z and Z_0 Z_1 != 0: `reduce_word` must not apply the projector rules to Eve's letters,
    and the adjoint swaps Z and Z^*; device letters keep both rules."""
    z, zs, a0, a1 = (EVE, 0, 0), (EVE, 1, 0), (0, 0, 0), (0, 0, 1)
    assert reduce_word((z, z)) == (z, z) and reduce_word((z, (EVE, 0, 1))) == (z, (EVE, 0, 1))
    assert reduce_word((a0, a0)) == (a0,) and reduce_word((a0, a1)) is None
    assert adjoint((z,)) == (zs,) and canonical((zs,)) == (z,) and adjoint((a0, z)) == (a0, zs)


def test_a_device_level_refuses_eve_and_an_eve_level_keeps_its_caps():
    with pytest.raises(CertifyError, match="names party Z"):
        parse_level("1+AZ", (2, 2), (2, 2), "level")  # no Z letters in npa.max levels
    with pytest.raises(CertifyError, match="more than 400 words"):
        parse_level("4", (2, 2), (2, 2), "level", eve=2)  # the BFF cap, not NPA's 5000
    assert len(parse_level("2", (2, 2), (2, 2), "level", eve=2)) == 1 + 8 + len(
        {w for w in (reduce_word((u, v)) for u in _letters() for v in _letters()) if w and len(w) == 2})


def _letters():
    return [(i, x, 0) for i in (0, 1) for x in (0, 1)] + [(EVE, d, k) for k in (0, 1) for d in (0, 1)]


# --- npa.py -------------------------------------------------------------------------------------------

def test_npa_dual_entry_shifted_by_a_tiny_amount_is_false():
    cert = load(NPA)
    cert["evidence"]["Z"][0][0][1] = shifted(cert["evidence"]["Z"][0][0][1])
    v = verdict(cert)
    assert v.status == "false" and "dual identity fails" in v.reason


def test_npa_value_below_the_bound_and_a_flipped_relation_are_false():
    cert = load(NPA)
    cert["claim"]["value"] = shifted(cert["claim"]["value"], -TINY)
    assert verdict(cert).status == "false"
    cert = load(NPA)
    cert["claim"]["relation"] = ">="
    v = verdict(cert)
    assert v.status == "false" and "no lower bound" in v.reason


def test_npa_nu_lowered_breaks_the_identity_at_the_identity_word():
    cert = load(NPA)
    cert["evidence"]["nu"] = shifted(cert["evidence"]["nu"], -TINY)
    v = verdict(cert)
    assert v.status == "false" and "at word 1" in v.reason


def test_npa_guess_parties_out_of_order_are_malformed():
    cert = load(BITS)["evidence"]["tangents"]["00"]
    problem = copy.deepcopy(cert["problem"])
    problem["objective"]["guess"]["parties"] = [1, 0]
    wrapped = {"format": "certify/1", "claim": {"id": "a", "kind": "npa.max", "statement": "s", "problem": problem,
                                                 "relation": "<=", "value": "1"},
               "problem_sha256": problem_sha256(problem), "evidence": cert["evidence"]}
    with pytest.raises(CertifyError, match="distinct parties in increasing order"):
        verdict(wrapped)


def test_npa_statistics_on_an_eve_level_problem_keep_their_own_bound():
    """vn problems share npa's parser: "sense" and "objective" stay foreign fields there."""
    problem = dict(load(VN)["claim"]["problem"], sense="max")
    with pytest.raises(CertifyError, match="unknown field 'sense'"):
        parse_relaxation(problem, {"nodes"}, "p")


# --- vn.py --------------------------------------------------------------------------------------------

def test_vn_bound_value_above_the_proof_is_false():
    cert = load(VN)
    proven = verdict(load(VN)).low
    cert["claim"]["value"] = format_rational(proven + TINY)
    v = verdict(cert)
    assert v.status == "false" and "proves >=" in v.reason


def test_vn_node_dual_entry_tampered_is_false():
    cert = load(VN)
    z = cert["evidence"]["nodes"][1]["Z"][0]
    z[2][0] = shifted(z[2][0])
    v = verdict(cert)
    assert v.status == "false" and "nodes[1]" in v.reason


def test_vn_node_interval_moved_off_its_root_is_false():
    cert = load(VN)
    lo, hi = (parse_rational(t, "t") for t in cert["evidence"]["nodes"][0]["t"])
    cert["evidence"]["nodes"][0]["t"] = [format_rational(hi + TINY), format_rational(hi + 2 * TINY)]
    v = verdict(cert)
    assert v.status == "false" and "Gauss-Radau node interval" in v.reason


def test_vn_node_bound_holds_only_on_its_interval():
    """One node's dual, re-checked at a wider interval ([lo, 1]), must not give the same bound for free."""
    cert = load(VN)
    rel = parse_relaxation(cert["claim"]["problem"], {"nodes"}, "p")
    node = cert["evidence"]["nodes"][0]
    lo, hi = (parse_rational(t, "t") for t in node["t"])
    dual = {k: v for k, v in node.items() if k != "t"}
    assert node_bound(rel, lo, hi, dual, "e", "t", "l") <= 0
    with pytest.raises(Exception) as err:  # the objective moves with hi: the identity fails
        node_bound(rel, lo, Fraction(1), dual, "e", "t", "l")
    assert "dual identity fails" in str(err.value)


# --- defs/ns_polytope.py, lp.py, psd.denominator -----------------------------------------------------

def test_lp_dual_entry_lowered_is_false():
    cert = load(NS)
    cert["evidence"]["dual"]["ns:0:1:*0:*0"] = shifted(cert["evidence"]["dual"]["ns:0:1:*0:*0"], -TINY)
    v = verdict(cert)
    assert v.status == "false"


def test_lp_primal_entry_shifted_violates_a_row():
    cert = load(NS)
    cert["evidence"]["primal"]["00|00"] = shifted(cert["evidence"]["primal"]["00|00"])
    v = verdict(cert)
    assert v.status == "false" and "primal violates row" in v.reason


def test_lp_value_shifted_and_relation_flipped():
    cert = load(NS)
    cert["claim"]["value"] = shifted(cert["claim"]["value"], TINY)
    assert verdict(cert).status == "false"  # "==" needs low >= value
    cert = load(NS)
    del cert["evidence"]["primal"]
    assert verdict(cert).ok is False  # "==" with a dual alone proves no lower bound


def test_lp_dual_with_a_huge_common_denominator_is_refused_before_work():
    cert = load(NS)
    cert["evidence"]["dual"]["ns:0:1:*0:*0"] = f"1/{2**2049 + 1}"
    with pytest.raises(CertifyError, match="common denominator exceeds 2048 bits"):
        verdict(cert)


def test_lp_guess_objective_parses_through_the_shared_guess_parser():
    problem = {"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, "sense": "max",
               "objective": {"kind": "guess", "parties": [0, 1], "inputs": [0, 0]}}
    assert build(problem, "p", extended=True).guesses == 4
    for bad, message in (([1, 0], "increasing order"), ([0, 0], "increasing order"), ([0, 2], "integer in")):
        with pytest.raises(CertifyError, match=message):
            build(dict(problem, objective=dict(problem["objective"], parties=bad)), "p", extended=True)


# --- threshold.py -------------------------------------------------------------------------------------

def test_threshold_value_one_tiny_step_below_is_false_and_a_box_entry_tampered_too():
    cert = load(THRESHOLD)
    cert["claim"]["value"] = shifted(cert["claim"]["value"], -TINY)
    assert verdict(cert).status == "false"  # the dual, checked at the claimed c, no longer reaches the target
    cert = load(THRESHOLD)
    key = next(iter(cert["evidence"]["box"]))
    cert["evidence"]["box"][key] = shifted(cert["evidence"]["box"][key])
    v = verdict(cert)
    assert v.status == "false" and "primal violates row" in v.reason


# --- chain.py / bits.py, amplify.py -------------------------------------------------------------------

def test_bits_one_more_bit_and_a_tampered_tangent_are_false():
    cert = load(BITS)
    cert["claim"]["value"] = "43"
    assert verdict(cert).status == "false"
    cert = load(BITS)
    z = cert["evidence"]["tangents"]["10"]["evidence"]["Z"][0]
    z[0][0] = shifted(z[0][0])
    v = verdict(cert)
    assert v.status == "false" and "tangents.10" in v.reason


def test_amplify_tau_one_tiny_step_too_small_is_false():
    cert = load(AMPLIFY)
    proven = verdict(load(AMPLIFY)).high
    cert["claim"]["value"] = format_rational(proven - TINY)
    assert verdict(cert).status == "false"


# --- local.py -----------------------------------------------------------------------------------------

def _chsh_local(strategy, value, relation="=="):
    terms = [{"coef": str((-1) ** (x * y + a + b)), "outputs": [a, b], "inputs": [x, y]}
             for a in (0, 1) for b in (0, 1) for x in (0, 1) for y in (0, 1)]
    problem = {"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, "objective": {"bell": {"terms": terms}},
               "sense": "max"}
    return {"format": "certify/1", "claim": {"id": "a", "kind": "local.bound", "statement": "s", "problem": problem,
                                             "relation": relation, "value": value},
            "problem_sha256": problem_sha256(problem), "evidence": {"strategy": strategy}}


def test_local_suboptimal_strategy_and_a_value_below_the_optimum_are_false():
    assert verdict(_chsh_local([[0, 0], [0, 0]], "2")).ok
    v = verdict(_chsh_local([[0, 1], [0, 1]], "2"))  # value -2
    assert v.status == "false" and "not the maximum" in v.reason
    assert verdict(_chsh_local([[0, 0], [0, 0]], format_rational(2 - TINY), "<=")).status == "false"


# --- proofs.py, format.py -----------------------------------------------------------------------------

def test_manifest_statement_changed_is_false(tmp_path):
    cert = load(NS)
    (tmp_path / "a.json").write_text(json.dumps(cert))
    entry = {key: cert["claim"][key] for key in ("id", "kind", "relation", "value", "statement")}
    entry.update(file="a.json", problem_sha256=cert["problem_sha256"])
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "certify/1", "claims": [entry]}))
    assert [v.status for v in check_path(str(tmp_path))] == ["verified"]
    entry["statement"] += " (and more)"
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "certify/1", "claims": [entry]}))
    assert [v.status for v in check_path(str(tmp_path))] == ["false"]


def test_a_non_canonical_value_is_malformed():
    cert = load(NS)
    cert["claim"]["value"] = "6/4"
    assert refused(cert) == "malformed"
