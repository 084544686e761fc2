"""Red team, session 23 (semantics, part a): can a certificate make the kernel prove a FALSE number?

Scope: "bits.bell" (`kernel.bellbits`), "eat.bits" (`kernel.eat`), "vn.node" / "vn.bound" (`kernel.vn`), "bits.chsh"
(`kernel.chain`, `kernel.bits`) and what they use. Each attack starts from a committed certificate, changes it, and
recomputes the problem hash, so only the change is judged. Refused attacks are plain tests naming the reason; a
certificate that VERIFIES a false claim is an xfail(strict=True) test asserting the refusal the kernel owes.
"""

import copy
import os
from fractions import Fraction
from math import log2, sqrt

import pytest

from certify.errors import CertifyError
from certify.kernel import check_certificate, problem_sha256
from tests.conftest import ROOT, load_json

BELL = load_json(os.path.join(ROOT, "proofs/bell/chsh_biased.json"))  # 973 bits, every optional evidence field
CHSH_BITS = load_json(os.path.join(ROOT, "proofs/pironio2010/bits/table1-level-1+AB.json"))  # 42 bits
EAT = load_json(os.path.join(ROOT, "proofs/vn/eat/table1-x100.json"))  # 39,749 bits
VN_28 = load_json(os.path.join(ROOT, "proofs/vn/chsh_H_A_S2.8000_m8.json"))  # H(A|X=0,E) >= 0.917 at CHSH >= 2.8
DIQKD = load_json(os.path.join(ROOT, "proofs/vn/diqkd_depolarising_threshold_m8.json"))  # rate >= 5.2e-4


def _h(p: float) -> float:
    return -p * log2(p) - (1 - p) * log2(1 - p)


def tight_rate(q: float) -> float:
    """The DIQKD rate of depolarised CHSH devices (Pironio et al. NJP 2009, tight for H(A|X=0,E) given CHSH):
    1 - h(1/2 + 1/2 sqrt(S^2/4 - 1)) - h(Q), S = 2 sqrt 2 (1 - 2Q)."""
    s = 2 * sqrt(2) * (1 - 2 * q)
    return 1 - _h(0.5 + 0.5 * sqrt(s * s / 4 - 1)) - _h(q)


def forged(cert: dict, change=None, evidence=None, value=None) -> dict:
    """A copy with `change(problem)` and `evidence(evidence)` applied, the claim's value set, the hash recomputed."""
    out = copy.deepcopy(cert)
    if change is not None:
        change(out["claim"]["problem"])
    if evidence is not None:
        evidence(out["evidence"])
    if value is not None:
        out["claim"]["value"] = value
    out["problem_sha256"] = problem_sha256(out["claim"]["problem"])
    return out


def _spell(v: Fraction) -> str:
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


def verdict(cert):
    return check_certificate(cert, "cert")


def refused(cert, reason: str):
    got = verdict(cert)
    assert got.status == "false", (got.status, got.low)
    assert reason in got.reason, got.reason
    return got


def test_the_committed_certificates_verify_before_any_attack():
    assert verdict(copy.deepcopy(BELL)).low == 973
    assert verdict(copy.deepcopy(CHSH_BITS)).low == 42
    assert verdict(copy.deepcopy(EAT)).low == 39749
    assert verdict(copy.deepcopy(VN_28)).ok and verdict(copy.deepcopy(DIQKD)).ok
    # the committed DIQKD claim is true: the tight rate at Q = 1143/16000 is 5.29e-4 >= 130137/250000000
    assert tight_rate(1143 / 16000) > 130137 / 250000000


# ---------------------------------------------------------------- vn.bound with "depolarising" (REAL HOLE)


def _diqkd_with_pinned_chsh(value: str, with_depolarising: bool = True) -> dict:
    """The committed DIQKD problem (Q = 1143/16000, CHSH >= 2.4243 <= 2 sqrt 2 (1 - 2Q)) plus the STATISTIC
    "CHSH == 14/5", which the depolarised devices (CHSH = 2.4243) do not meet. The node duals are those of
    proofs/vn/chsh_H_A_S2.8000_m8.json (same level, same m = 8 nodes) with the constraint's multiplier moved onto
    the statistic (lambda -> 0, mu = [lambda]): every word identity is unchanged and nu' = nu - lambda 14/5, so
    each node bound is the CHSH >= 2.8 one."""
    def change(p):
        p["statistics"] = [{"expression": copy.deepcopy(p["constraint"]["expression"]), "value": "14/5"}]
        if not with_depolarising:
            del p["depolarising"]

    def duals(ev):
        ev["nodes"] = [dict(node, mu=[node["lambda"]], **{"lambda": "0"}) for node in VN_28["evidence"]["nodes"]]

    return forged(DIQKD, change, duals, value)


def test_the_pinned_statistic_dual_is_a_valid_bound_without_depolarising():
    # sanity of the construction: as a plain vn.bound (devices meeting CHSH >= 2.4243 AND CHSH == 2.8) it is
    # true, and it proves the CHSH >= 2.8 value 0.917 (tight: 1 - h(1/2 + 1/2 sqrt(0.96)) = 0.9185)
    got = verdict(_diqkd_with_pinned_chsh("9/10", with_depolarising=False))
    assert got.ok and 0.91 < float(got.low) < 0.9186


def test_depolarising_rate_with_a_statistic_the_depolarised_devices_violate_is_refused():
    # The hole this red team found (fixed in kernel/vn.py check_bound): with "depolarising" the kernel checked only the
    # constraint's "at" against 2 sqrt 2 (1 - 2Q); a statistic pinning CHSH = 14/5, which the depolarised devices do not
    # meet, carried the CHSH >= 2.8 node duals (lambda moved to mu) and VERIFIED a DIQKD rate >= 0.5459 at
    # Q = 1143/16000, where the tight rate is 5.3e-4. Statistics with "depolarising" are now malformed.
    cert = _diqkd_with_pinned_chsh("1/2")
    assert tight_rate(1143 / 16000) < Fraction(1, 1000)  # the claim "rate >= 1/2" is false by ~0.4995
    with pytest.raises(CertifyError, match=r"depolarising: expected .*no statistics"):
        verdict(cert)


def test_depolarising_constraint_above_the_depolarised_chsh_is_refused():
    # the checked half of the depolarising premise: CHSH >= 2.8 is not met by devices at Q = 1143/16000
    cert = forged(DIQKD, lambda p: p["constraint"].update(at="14/5"), lambda ev: ev.update(VN_28["evidence"]), "1/2")
    refused(cert, "exceeds 2 sqrt 2 (1 - 2Q)")


def test_depolarising_with_a_non_chsh_constraint_or_other_entropy_is_malformed():
    def halve(p):
        for term in p["constraint"]["expression"]["terms"]:
            term["coef"] = {"1": "1/2", "-1": "-1/2"}[term["coef"]]
    with pytest.raises(CertifyError, match="depolarising: expected"):
        verdict(forged(DIQKD, halve))
    with pytest.raises(CertifyError, match="depolarising: expected"):
        verdict(forged(DIQKD, lambda p: p.update(entropy={"parties": [0, 1], "inputs": [0, 0]})))


def test_vn_bound_node_interval_moved_off_its_root_is_refused():
    def move(ev):
        ev["nodes"][0]["t"] = ev["nodes"][1]["t"]  # two intervals on one root: the first one is not "next"
    refused(forged(VN_28, evidence=move), "is not the next Gauss-Radau node interval")


def test_vn_bound_node_dual_with_the_wrong_sign_lambda_is_refused():
    def flip(ev):
        ev["nodes"][3]["lambda"] = "-" + ev["nodes"][3]["lambda"]
    refused(forged(VN_28, evidence=flip), "negative")


def test_vn_bound_duals_reread_at_a_higher_chsh_stay_below_the_tight_value():
    # moving the constraint's "at" up to 2.828 raises lambda * at in every node bound: the duals stay valid lower
    # bounds (weak duality holds for every I), and the re-read number stays below the tight 1 - h(...) = 0.9979
    cert = forged(VN_28, lambda p: p["constraint"].update(at="707/250"), value="0")
    got = verdict(cert)
    tight = 1 - _h(0.5 + 0.5 * sqrt(2.828 ** 2 / 4 - 1))
    assert got.ok and float(got.low) < tight
    refused(forged(VN_28, lambda p: p["constraint"].update(at="707/250"), value=_spell(Fraction(int(tight * 10**4), 10**4))),
            "proves >=")


# ---------------------------------------------------------------- bits.bell


def _refused_or_malformed(cert, reason: str):
    try:
        got = verdict(cert)
    except CertifyError as err:
        assert reason in str(err), str(err)
        return
    assert got.status == "false" and reason in got.reason, (got.status, got.reason)


def test_bell_tangent_guess_of_one_party_when_the_claim_is_two_parties():
    def other(ev):
        ev["tangents"][0]["problem"]["objective"]["guess"] = {"parties": [0], "inputs": [0]}
    _refused_or_malformed(forged(BELL, evidence=other), "expected 2 blocks, got 4")  # its dual has 4 guess blocks


def test_bell_claim_on_one_party_read_with_tangents_of_the_pair_is_refused():
    # G(a, b | x, y) <= G(a | x): a tangent for guessing BOTH outputs does not bound the guess of Alice's alone
    def alice(p):
        p["parties"] = [0]

    def two(ev):
        ev["tangents"] = [t for t in ev["tangents"] if t["problem"]["objective"]["guess"]["inputs"] in ([0, 0], [1, 1])]
    refused(forged(BELL, alice, two), "not the guess of parties [0]")


def test_bell_duplicate_tangent_is_refused():
    def twice(ev):
        ev["tangents"][1] = copy.deepcopy(ev["tangents"][0])
    refused(forged(BELL, evidence=twice), "not the guess of parties")


def test_bell_max_evidence_posing_as_min_is_refused():
    def as_min(ev):
        ev["max"]["problem"]["sense"] = "min"
    refused(forged(BELL, evidence=as_min), "not exactly")


def test_bell_min_evidence_with_sense_max_is_refused():
    def as_max(ev):
        ev["min"]["problem"]["sense"] = "max"
    refused(forged(BELL, evidence=as_max), "not exactly")


def test_bell_min_evidence_without_sense_is_refused():
    def drop(ev):
        del ev["min"]["problem"]["sense"]
    refused(forged(BELL, evidence=drop), "not exactly")


def test_bell_strategy_with_sense_min_is_refused():
    def as_min(ev):
        ev["strategy"]["problem"]["sense"] = "min"
    refused(forged(BELL, evidence=as_min), "not exactly")


def _negated(expression: dict) -> dict:
    out = copy.deepcopy(expression)
    for term in out["terms"]:
        term["coef"] = term["coef"][1:] if term["coef"].startswith("-") else "-" + term["coef"]
    if "constant" in out and out["constant"] != "0":
        out["constant"] = out["constant"][1:] if out["constant"].startswith("-") else "-" + out["constant"]
    return out


def test_bell_tangent_constrained_on_minus_e_is_refused():
    def flip(ev):
        c = ev["tangents"][2]["problem"]["constraint"]
        c["expression"] = _negated(c["expression"])
    refused(forged(BELL, evidence=flip), "not exactly")


def test_bell_strategy_for_twice_the_expression_is_refused():
    def double(ev):
        for term in ev["strategy"]["problem"]["objective"]["bell"]["terms"]:
            term["coef"] = _spell(2 * Fraction(term["coef"]))
    refused(forged(BELL, evidence=double), "not exactly")


def test_bell_line_with_negative_lambda_is_refused():
    def neg(ev):
        ev["line"]["lambda"] = "-" + ev["line"]["lambda"]
    refused(forged(BELL, evidence=neg), "lambda")


def test_bell_line_lowered_below_a_tangent_is_refused():
    def lower(ev):
        ev["line"]["nu"] = _spell(Fraction(ev["line"]["nu"]) - Fraction(1, 10**6))
    refused(forged(BELL, evidence=lower), "below tangent")


def test_bell_pr_box_counts_without_the_strategy_clamp_prove_no_more_than_at_l():
    # a PR box (E above the quantum maximum) read with the committed line: without "strategy" the line is read at
    # R <= L, so at most the bits of the line at L: far below the 973 claimed
    def pr(p):
        p["counts"] = {k: (300 if (int(k[3]) ^ int(k[4])) == int(k[0]) * int(k[1]) else 0) for k in p["counts"]}

    def drop(ev):
        del ev["strategy"]
    refused(forged(BELL, pr, drop), "proves >=")


def test_bell_pr_box_counts_with_the_strategy_are_read_at_most_at_t():
    # with the strategy the clamp T <= q_max: the line at T bounds the guessing probability of a quantum box, so
    # n = 4800 PR-box rounds prove at most n log2(1/G(T)) <= n (4 outcomes, G >= 1/4 only at the best point)
    def pr(p):
        p["counts"] = {k: (300 if (int(k[3]) ^ int(k[4])) == int(k[0]) * int(k[1]) else 0) for k in p["counts"]}
    got = verdict(forged(BELL, pr, value="0"))
    assert got.ok and got.low <= 2 * 4800


def test_bell_counts_outside_the_support_of_p_are_malformed():
    def outside(p):
        p["p_x"] = {"00": "1/2", "01": "1/2"}
    with pytest.raises(CertifyError, match="P\\(x\\) = 0"):
        verdict(forged(BELL, outside))


def test_bell_max_evidence_moved_to_another_level_without_a_new_dual_is_malformed():
    def level(ev):
        ev["max"]["problem"]["level"] = "2"
    with pytest.raises(CertifyError, match="expected 13 upper-triangle rows, got 9"):
        verdict(forged(BELL, evidence=level))


# ---------------------------------------------------------------- bits.chsh


def test_chsh_tangent_swapped_between_input_pairs_is_refused():
    def swap(ev):
        t = ev["tangents"]
        t["00"], t["11"] = t["11"], t["00"]
    refused(forged(CHSH_BITS, evidence=swap), "objective: expected")


def test_chsh_tangent_with_an_extra_statistic_is_refused():
    def extra(ev):
        ev["tangents"]["00"]["problem"]["statistics"] = []
    refused(forged(CHSH_BITS, evidence=extra), "expected exactly scenario, level, objective, constraint")


def test_chsh_tangent_constrained_on_minus_chsh_is_refused():
    def flip(ev):
        c = ev["tangents"]["01"]["problem"]["constraint"]
        c["expression"] = _negated(c["expression"])
    refused(forged(CHSH_BITS, evidence=flip), "not the CHSH expression")


def test_chsh_declared_biased_p_xy_inflates_the_estimate_but_the_data_is_a_failure_event():
    # NOT a hole, a premise the kernel cannot check: the committed (near-uniform) counts declared with P(11) = 1/10
    # weigh the anti-correlated 11 rounds by 10: I_hat = 3.10 > 2 sqrt 2 and the kernel certifies 503 bits (42 at the
    # true uniform p_xy). The claim is a statement about the protocol (Azuma over the input draws too): under the
    # declared p_xy, 806 of 3016 rounds at inputs 11 has probability <= exp(-2 n (806/n - 1/10)^2) = e^-168 < delta,
    # so this data set is inside the delta failure event. Kept as the documented behaviour: p_xy is part of the
    # claim a referee reads, and counts are not tested for plausibility against it.
    biased = {"00": "3/10", "01": "3/10", "10": "3/10", "11": "1/10"}
    got = verdict(forged(CHSH_BITS, lambda p: p.update(p_xy=biased), value="0"))
    assert got.ok and got.low == 503
    n, at_11 = 3016, 68 + 340 + 309 + 89
    assert -2 * n * (at_11 / n - 0.1) ** 2 < -160  # ln P(data | declared p_xy) < ln(delta) = -4.6


def test_chsh_relation_le_proves_nothing():
    cert = copy.deepcopy(CHSH_BITS)
    cert["claim"]["relation"] = "<="
    refused(cert, "proves no upper bound")


# ---------------------------------------------------------------- eat.bits


def test_eat_line_above_the_certified_line_is_refused():
    def raise_a(p):
        p["min_tradeoff"]["line"][0] = _spell(Fraction(p["min_tradeoff"]["line"][0]) + Fraction(1, 10**4))
    refused(forged(EAT, raise_a), "not below the certified line")


def test_eat_line_with_negative_slope_is_refused():
    def neg(p):
        p["min_tradeoff"]["line"] = ["-1", "-1"]
    refused(forged(EAT, neg), "b < 0")


def test_eat_min_tradeoff_with_statistics_is_malformed():
    def stats(p):
        mt = p["min_tradeoff"]
        mt["statistics"] = [{"expression": copy.deepcopy(mt["constraint"]["expression"]), "value": "14/5"}]
    with pytest.raises(CertifyError, match="no statistics"):
        verdict(forged(EAT, stats))


def test_eat_nonuniform_test_inputs_are_malformed():
    def biased(p):
        p["p_xy"] = {"00": "1/2", "01": "1/6", "10": "1/6", "11": "1/6"}
    with pytest.raises(CertifyError, match="uniform inputs"):
        verdict(forged(EAT, biased))


def test_eat_declared_gamma_below_one_with_every_round_tested_is_vacuous_not_false():
    # NOT a hole: gamma = 1/2 with all n rounds counted as tests gives f(w/n) = a + b (16 w/n - 4), clamped at
    # Tsirelson, so the kernel certifies 111,289 bits (39,749 at gamma = 1). The EAT claim is "H_min >= k unless
    # Pr[Omega] < eps_a"; with gamma = 1/2 every round wins with probability <= gamma (1/2 + sqrt 2 / 4) = 0.4268,
    # so Omega (>= w wins, w/n = 0.80) has Pr <= exp(-2 n (w/n - 0.4268)^2) < eps_a: the claim holds vacuously.
    got = verdict(forged(EAT, lambda p: p.update(gamma="1/2"), value="0"))
    assert got.ok and got.low == 111289
    p = EAT["claim"]["problem"]
    n = p["rounds"]
    wins = sum(row[2] + row[5] if row[0] * row[1] == 0 else row[3] + row[4] for row in p["counts"])
    assert -2 * n * (wins / n - 0.5 * (0.5 + sqrt(2) / 4)) ** 2 < log2(1 / 100) * 0.6931  # Pr[Omega] < eps_a


def test_eat_fewer_rounds_than_tests_is_malformed():
    def fewer(p):
        p["rounds"] = p["rounds"] - 1
    with pytest.raises(CertifyError, match="cannot hold"):
        verdict(forged(EAT, fewer))
