"""Robustness of Gallego et al.'s Lemma (issue 5, item 4; issue 11, item 3), recomputed by LP and checked exactly.

P(maj(a1,a2,a3) = 0 | x0) <= 3/4 + c B(P) over all five-party no-signalling boxes,
B the Mermin expression; the smallest c is 5/16 (the value the issue expects), certified by
the kernel itself as the "lp.threshold" claim c* == 5/16 (a dual for c <= 5/16, a box for
c >= 5/16).
"""

import copy
from fractions import Fraction
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.certificate import checked, make_certificate
from certify.errors import CertifyError
from certify.kernel import check_certificate, problem_sha256
from certify.kernel.format import format_rational
from certify.papers.gallego2013.robustness import (
    THREE_QUARTERS,
    box_values,
    certify_smallest_c,
    coefficients,
    game_inputs,
    robustness_certificates,
    robustness_claim,
    smallest_c_float,
    threshold_certificate,
)

C_STAR = Fraction(5, 16)
X0 = (1, 0, 0, 0, 0)


@pytest.fixture(scope="module")
def x10000():
    return certify_smallest_c((1, 0, 0, 0, 0))


@pytest.fixture()
def smallest(x10000):
    """A fresh copy of the "lp.threshold" certificate of c* == 5/16 at x0 = 10000."""
    return copy.deepcopy(threshold_certificate(x10000)[1])


def _verified_values(result):
    values = []
    for cert, name in result.certificates:
        verdict = check_certificate(cert, name)
        assert verdict.ok and verdict.relation == "==", verdict.reason
        values.append(verdict.value)
    return values


def test_smallest_c_is_five_sixteenths(x10000):
    assert x10000.c == Fraction(5, 16)
    assert abs(smallest_c_float((1, 0, 0, 0, 0)) - 5 / 16) < 1e-9


def test_three_collinear_values_of_the_convex_value_function(x10000):
    # f(5/16) = 3/4, f(1/4) = 7/9, f(3/16) = 29/36: slope -4/9, so f(c) > 3/4 for all c < 5/16.
    assert (x10000.delta, x10000.beta) == (Fraction(1, 16), Fraction(4, 9))
    assert _verified_values(x10000) == [THREE_QUARTERS, Fraction(7, 9), Fraction(29, 36)]


def test_a_box_beats_three_quarters_just_below_c_star(x10000):
    # The c - delta certificate's box (B = 4/9) gives 3/4 + 4/9 * 10^-9 at c = 5/16 - 10^-9.
    box = x10000.certificates[1][0]["evidence"]["primal"]
    c = Fraction(5, 16) - Fraction(1, 10**9)
    claim_id, statement, problem, _ = robustness_claim((1, 0, 0, 0, 0), c, "c-1e-9", x10000.c)
    value = THREE_QUARTERS + Fraction(4, 9) / 10**9
    cert = make_certificate(claim_id, "lp.ns", statement, problem, ">=", value, {"primal": box})
    verdict = check_certificate(cert, "witness")
    assert verdict.ok and verdict.value == value > THREE_QUARTERS


def test_the_dual_at_c_star_does_not_prove_a_smaller_c(x10000):
    cert = x10000.certificates[0][0]
    _, _, problem, _ = robustness_claim((1, 0, 0, 0, 0), Fraction(5, 16) - Fraction(1, 10**9), "c", x10000.c)
    tampered = {**cert, "claim": {**cert["claim"], "problem": problem, "relation": "<="},
                "evidence": {"dual": cert["evidence"]["dual"]}}
    tampered["problem_sha256"] = problem_sha256(problem)
    assert not check_certificate(tampered, "tampered").ok


def test_objective_counts_majority_and_lost_rounds():
    terms = coefficients((1, 0, 0, 0, 0), Fraction(5, 16))
    # 16 inputs x 16 losing outputs at -5/16; at x0 the 16 majority-0 outputs get +1 on top.
    assert sum(1 for v in terms.values() if v == Fraction(-5, 16)) == 16 * 16 - 8
    assert sum(1 for v in terms.values() if v == Fraction(11, 16)) == 8
    assert sum(1 for v in terms.values() if v == 1) == 8


def _rejected(cert):
    cert["problem_sha256"] = problem_sha256(cert["claim"]["problem"])
    verdict = check_certificate(cert, "tampered")
    assert verdict.status == "false"
    return verdict.reason


def _uniform_box():
    return {f"{''.join(map(str, x))}|{''.join(map(str, a))}": "1/32"
            for x in product((0, 1), repeat=5) for a in product((0, 1), repeat=5)}


def test_kernel_certifies_the_smallest_c(smallest):
    # The dual of f(5/16) = 3/4 proves c* <= 5/16; the box optimal at c = 1/4 has B = 4/9,
    # M = 8/9, so (M - 3/4) / B = 5/16 proves c* >= 5/16.
    verdict = checked(smallest, "x10000_smallest-c.json")
    assert verdict.ok and verdict.kind == "lp.threshold" and verdict.relation == "=="
    assert (verdict.value, verdict.low, verdict.high) == (C_STAR, C_STAR, C_STAR)
    assert box_values(smallest["evidence"]["box"], X0) == (Fraction(8, 9), Fraction(4, 9))


def test_claiming_a_slightly_smaller_c_is_rejected(smallest):
    smallest["claim"]["value"] = format_rational(C_STAR - Fraction(1, 10**6))
    assert "dual infeasible" in _rejected(smallest)


def test_claiming_a_slightly_smaller_c_with_the_box_alone_is_still_only_a_lower_bound(smallest):
    # ">= 5/16 - 10^-6" is true and verifies; "== 5/16 - 10^-6" needs an upper bound it lacks.
    del smallest["evidence"]["dual"]
    smallest["claim"]["value"] = format_rational(C_STAR - Fraction(1, 10**6))
    assert "no upper bound" in _rejected(smallest)
    smallest["claim"]["relation"] = ">="
    verdict = check_certificate(smallest, "box only")
    assert verdict.ok and verdict.low == C_STAR


def test_a_box_without_violation_is_rejected(x10000, smallest):
    # The c claim's box attains M = 3/4 with B = 0: the Lemma's box, no bound on c.
    smallest["evidence"]["box"] = x10000.certificates[0][0]["evidence"]["primal"]
    assert "B(P) = 0" in _rejected(smallest)


def test_a_box_just_off_the_face_is_rejected(smallest):
    # (1 - t) P* + t U with U uniform (M = 1/2, B = 8): ratio just below 5/16.
    t = Fraction(1, 10**6)
    star, uniform = smallest["evidence"]["box"], _uniform_box()
    mixed = {k: (1 - t) * Fraction(star.get(k, 0)) + t * Fraction(uniform[k]) for k in uniform}
    smallest["evidence"]["box"] = {k: format_rational(v) for k, v in mixed.items() if v}
    m, b = box_values(smallest["evidence"]["box"], X0)
    assert (m - THREE_QUARTERS) / b < C_STAR
    assert f"proves >= {format_rational((m - THREE_QUARTERS) / b)}, not >= 5/16" in _rejected(smallest)


def test_a_dual_for_a_smaller_c_is_rejected(x10000, smallest):
    # The c-delta claim's dual: max M - B/4 <= 7/9, above 3/4, so it proves nothing at c = 1/4.
    smallest["evidence"]["dual"] = x10000.certificates[1][0]["evidence"]["dual"]
    smallest["claim"]["value"] = "1/4"
    assert "by 7/9, above the target 3/4" in _rejected(smallest)


def test_a_lower_target_is_rejected(smallest):
    smallest["claim"]["problem"]["target"] = format_rational(THREE_QUARTERS - Fraction(1, 10**6))
    assert "above the target" in _rejected(smallest)


def test_a_negative_penalty_coefficient_is_malformed(smallest):
    smallest["claim"]["problem"]["penalty"]["terms"][0][2] = "-1"
    smallest["problem_sha256"] = problem_sha256(smallest["claim"]["problem"])
    with pytest.raises(CertifyError, match=r"claim.problem.penalty: coefficient of P\(\d{5}\|\d{5}\) is -1"):
        check_certificate(smallest, "tampered")


@settings(max_examples=40, deadline=None)
@given(part=st.sampled_from(["dual", "box"]), index=st.integers(0, 10**6), new_key=st.booleans(),
       delta=st.fractions(-1, 1, max_denominator=10**3).filter(bool),
       claimed=st.sampled_from([C_STAR, C_STAR - Fraction(1, 10**6), C_STAR + Fraction(1, 10**6), Fraction(1, 4)]))
def test_tampered_threshold_certificate_never_verifies_a_wrong_c(x10000, part, index, new_key, delta, claimed):
    """Law: one dual or box entry shifted (or a new entry added), any claimed value: a verified
    claim states c* = 5/16, never another number."""
    cert = copy.deepcopy(threshold_certificate(x10000)[1])
    entries = cert["evidence"][part]
    names = sorted(_uniform_box()) if part == "box" else sorted(entries)
    key = names[index % len(names)] if new_key else sorted(entries)[index % len(entries)]
    entries[key] = format_rational(Fraction(entries.get(key, "0")) + delta)
    cert["claim"]["value"] = format_rational(claimed)
    verdict = check_certificate(cert, "tampered")
    assert not verdict.ok or verdict.value == C_STAR


@settings(max_examples=15, deadline=None)
@given(t=st.fractions(0, 1, max_denominator=50))
def test_a_mixed_box_proves_the_ratio_the_model_computes(x10000, t):
    """Law: for the feasible box (1 - t) P* + t U the kernel's lower bound is (M - 3/4) / B as an
    independent count computes it, and never exceeds c* (it equals it only at t = 0)."""
    smallest = copy.deepcopy(threshold_certificate(x10000)[1])
    star, uniform = smallest["evidence"]["box"], _uniform_box()
    mixed = {k: (1 - t) * Fraction(star.get(k, 0)) + t * Fraction(uniform[k]) for k in uniform}
    smallest["evidence"] = {"box": {k: format_rational(v) for k, v in mixed.items() if v}}
    m, b = box_values(smallest["evidence"]["box"], X0)
    smallest["claim"].update(relation=">=", value=format_rational((m - THREE_QUARTERS) / b))
    verdict = check_certificate(smallest, "mixed")
    assert verdict.ok and verdict.low == (m - THREE_QUARTERS) / b <= C_STAR
    assert (verdict.low == C_STAR) == (t == 0)


def test_the_family_worker_gives_the_three_lp_claims_and_the_threshold_claim():
    written = robustness_certificates(X0)
    assert [name.rsplit("/", 1)[1] for name, _ in written] == [
        "x10000_c.json", "x10000_c-delta.json", "x10000_c-2delta.json", "x10000_smallest-c.json"]
    verdicts = [checked(cert, name) for name, cert in written]
    assert [(v.kind, v.value) for v in verdicts if v.ok] == [
        ("lp.ns", THREE_QUARTERS), ("lp.ns", Fraction(7, 9)), ("lp.ns", Fraction(29, 36)), ("lp.threshold", C_STAR)]
    # The threshold claim reuses the c claim's dual and the c-delta claim's box, unchanged.
    evidence = written[3][1]["evidence"]
    assert evidence == {"dual": written[0][1]["evidence"]["dual"], "box": written[1][1]["evidence"]["primal"]}


@pytest.mark.slow
@pytest.mark.parametrize("x0", game_inputs())
def test_smallest_c_at_every_input(x0):
    result = certify_smallest_c(x0)
    assert result.c == Fraction(5, 16)
    assert _verified_values(result) == [THREE_QUARTERS, Fraction(7, 9), Fraction(29, 36)]
    name, cert = threshold_certificate(result)
    verdict = checked(cert, name)
    assert verdict.ok and (verdict.value, verdict.low, verdict.high) == (C_STAR, C_STAR, C_STAR)
    assert cert["claim"]["kind"] == "lp.threshold" and name == f"gallego2013/robustness/x{''.join(map(str, x0))}_smallest-c.json"
