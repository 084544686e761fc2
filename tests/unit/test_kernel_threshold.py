"""The "lp.threshold" kernel: c* = min {c : max_P f(P) - c B(P) <= v}, proven from both sides.

A one-party toy, checkable by hand: one input, outputs 0..d-1, a box is a distribution p on
the outputs. With f = sum_a alpha_a p_a and B = sum_a beta_a p_a (beta >= 0), the maximum of
f - c B is at a vertex, so c works iff alpha_a - c beta_a <= v for every a, and
c* = max over beta_a > 0 of (alpha_a - v) / beta_a when every a with beta_a = 0 has alpha_a <= v.
"""

import json
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from certify.certificate import make_certificate
from certify.errors import CertifyError
from certify.kernel import check_certificate, problem_sha256
from certify.kernel.format import format_rational
from certify.kernel.proofs import check_file

HALF = Fraction(1, 2)


def terms(coefficients):
    return [["0", str(a), format_rational(c)] for a, c in enumerate(coefficients)]


def toy_problem(alpha, beta, target):
    return {"lp": {"scenario": {"inputs": [1], "outputs": [len(alpha)]}, "promise": None,
                   "objective": {"kind": "linear", "terms": terms(alpha)}, "sense": "max"},
            "penalty": {"kind": "linear", "terms": terms(beta)}, "target": format_rational(target)}


def toy_certificate(alpha, beta, target, value, y=None, box=None, relation="=="):
    evidence = {}
    if y is not None:
        evidence["dual"] = {"norm:0": format_rational(y)}
    if box is not None:
        evidence["box"] = {f"0|{a}": format_rational(w) for a, w in enumerate(box) if w}
    return make_certificate("toy/threshold", "lp.threshold", "toy", toy_problem(alpha, beta, target),
                            relation, value, evidence)


def model_c_star(alpha, beta, target):
    """The toy's c* by the vertex argument (None when no c works or every c does)."""
    if any(b == 0 and a > target for a, b in zip(alpha, beta)):
        return None
    ratios = [(a - target) / b for a, b in zip(alpha, beta) if b > 0]
    return max(ratios) if ratios else None


# f = p_0, B = p_0, v = 1/2: max (1 - c) p_0 <= 1/2 iff c >= 1/2. The dual y = 1/2 covers both
# columns (1/2 >= 1 - c and 1/2 >= 0 at c = 1/2); the box p_0 = 1 has (f - v) / B = 1/2.
ALPHA, BETA = (1, 0), (1, 0)


@pytest.fixture()
def toy():
    return toy_certificate(ALPHA, BETA, HALF, HALF, y=HALF, box=(1, 0))


def test_dual_and_box_certify_c_star_exactly(toy):
    verdict = check_certificate(toy, "toy.json")
    assert verdict.ok and (verdict.value, verdict.low, verdict.high) == (HALF, HALF, HALF)


def test_upper_bound_from_the_dual_alone(toy):
    del toy["evidence"]["box"]
    toy["claim"]["relation"] = "<="
    verdict = check_certificate(toy, "toy.json")
    assert verdict.ok and (verdict.low, verdict.high) == (None, HALF)


def test_lower_bound_from_the_box_alone(toy):
    del toy["evidence"]["dual"]
    toy["claim"]["relation"] = ">="
    verdict = check_certificate(toy, "toy.json")
    assert verdict.ok and (verdict.low, verdict.high) == (HALF, None)


@pytest.mark.parametrize("drop,needle", [("box", "no lower bound"), ("dual", "no upper bound")])
def test_equality_needs_both_sides(toy, drop, needle):
    del toy["evidence"][drop]
    verdict = check_certificate(toy, "toy.json")
    assert verdict.status == "false" and needle in verdict.reason


def test_a_smaller_c_with_the_same_evidence_is_rejected(toy):
    # The dual is checked at the claimed w: 1/2 < 1 - w on column 0|0.
    toy["claim"]["value"] = format_rational(HALF - Fraction(1, 10**6))
    verdict = check_certificate(toy, "toy.json")
    assert verdict.status == "false" and "dual infeasible at column 0|0" in verdict.reason


def test_a_larger_c_with_the_same_evidence_is_rejected(toy):
    # The dual still holds (B >= 0), but the box proves only c* >= 1/2.
    toy["claim"]["value"] = format_rational(HALF + Fraction(1, 10**6))
    verdict = check_certificate(toy, "toy.json")
    assert verdict.status == "false" and "proves >= 1/2, not >= 500001/1000000" in verdict.reason


def test_a_box_without_penalty_is_rejected():
    verdict = check_certificate(toy_certificate(ALPHA, BETA, HALF, HALF, y=HALF, box=(0, 1)), "toy.json")
    assert verdict.status == "false" and "B(P) = 0" in verdict.reason


def test_a_box_off_the_optimal_face_is_rejected():
    # p = (3/4, 1/4): f - v = 1/4, B = 3/4, so it proves c* >= 1/3 only.
    verdict = check_certificate(toy_certificate(ALPHA, BETA, HALF, HALF, y=HALF, box=(Fraction(3, 4), Fraction(1, 4))),
                                "toy.json")
    assert verdict.status == "false" and "proves >= 1/3, not >= 1/2" in verdict.reason


def test_a_dual_above_the_target_is_rejected():
    verdict = check_certificate(toy_certificate(ALPHA, BETA, HALF, HALF, y=Fraction(3, 5), box=(1, 0)), "toy.json")
    assert verdict.status == "false" and "above the target 1/2" in verdict.reason


def test_an_infeasible_box_is_rejected():
    verdict = check_certificate(toy_certificate(ALPHA, BETA, HALF, HALF, y=HALF, box=(1, 1)), "toy.json")
    assert verdict.status == "false" and "violates row norm:0" in verdict.reason


def test_a_negative_penalty_coefficient_is_malformed():
    # Malformed, not false: the kind is defined only for B with coefficients >= 0 (that is what
    # makes B(P) >= 0 and the set of working c an up-set); such a problem is outside the
    # kind's grammar, like an unknown field, whatever the evidence says.
    cert = toy_certificate(ALPHA, (1, -1), HALF, HALF, y=HALF, box=(1, 0))
    with pytest.raises(CertifyError, match=r"toy.json.claim.problem.penalty: coefficient of P\(0\|1\) is -1"):
        check_certificate(cert, "toy.json")


def test_negative_penalty_file_is_malformed_and_a_tampered_file_is_false(tmp_path, toy):
    bad, wrong = tmp_path / "bad.json", tmp_path / "wrong.json"
    bad.write_text(json.dumps(toy_certificate(ALPHA, (1, -1), HALF, HALF, y=HALF, box=(1, 0))))
    toy["claim"]["value"] = "1/3"
    wrong.write_text(json.dumps(toy))
    assert check_file(str(bad)).status == "malformed"
    assert check_file(str(wrong)).status == "false"


@pytest.mark.parametrize("mutate,needle", [
    (lambda p: p.update(extra=1), "claim.problem: unknown field 'extra'"),
    (lambda p: p.pop("target"), "claim.problem: missing field 'target'"),
    (lambda p: p.update(target="0.5"), "claim.problem.target: expected rational"),
    (lambda p: p["lp"].update(sense="min"), "claim.problem.lp.sense"),
    (lambda p: p["penalty"]["terms"][0].__setitem__(1, "7"), "claim.problem.penalty.terms[0][1]"),
    (lambda p: p["penalty"].update(kind="quadratic"), "claim.problem.penalty.kind"),
])
def test_malformed_problems_name_the_field(toy, mutate, needle):
    mutate(toy["claim"]["problem"])
    toy["problem_sha256"] = problem_sha256(toy["claim"]["problem"])
    with pytest.raises(CertifyError) as err:
        check_certificate(toy, "toy.json")
    assert needle in str(err.value)


@pytest.mark.parametrize("evidence,needle", [
    ({}, "expected a dual, a box or both"),
    ({"dual": {"norm:0": "1/2"}, "primal": {}}, "expected a dual, a box or both"),
    ({"dual": {"norm:9": "1/2"}}, "evidence.dual: unknown entry 'norm:9'"),
    ({"box": {"0|0": "1.0"}}, "evidence.box['0|0']: expected rational"),
])
def test_malformed_evidence_names_the_field(toy, evidence, needle):
    toy["evidence"] = evidence
    with pytest.raises(CertifyError) as err:
        check_certificate(toy, "toy.json")
    assert needle in str(err.value)


rationals = st.fractions(min_value=-3, max_value=3, max_denominator=12)


@st.composite
def toys(draw):
    d = draw(st.integers(1, 4))
    alpha = draw(st.lists(rationals, min_size=d, max_size=d))
    beta = draw(st.lists(st.fractions(min_value=0, max_value=3, max_denominator=12), min_size=d, max_size=d))
    return alpha, beta, draw(rationals)


offsets = st.one_of(st.sampled_from([Fraction(0), Fraction(1, 10**6), -Fraction(1, 10**6)]), rationals)


@given(toys(), offsets, offsets, st.none() | st.lists(st.fractions(0, 1, max_denominator=6), min_size=4, max_size=4))
@example(([1, 0], [1, 0], HALF), -Fraction(1, 10**6), Fraction(0), None)
@example(([1, 0], [1, 0], HALF), Fraction(0), Fraction(0), [Fraction(3, 4), Fraction(1, 4), 0, 0])
def test_threshold_verdict_agrees_with_the_vertex_model(problem, w_offset, y_offset, weights):
    """Law: whatever the evidence (the model's dual and box, shifted or replaced), a verified
    "==" claim states the model's c*; the model's own dual and box verify it."""
    alpha, beta, target = problem
    c_star = model_c_star(alpha, beta, target)
    base = c_star if c_star is not None else Fraction(0)
    dual = max(a - base * b for a, b in zip(alpha, beta))
    best = max(range(len(alpha)), key=lambda a: (beta[a] > 0, (alpha[a] - target) / beta[a] if beta[a] else 0))
    box = [Fraction(int(a == best)) for a in range(len(alpha))] if weights is None else weights[:len(alpha)]
    if c_star is not None and weights is None:
        honest = check_certificate(toy_certificate(alpha, beta, target, c_star, y=dual, box=box), "toy.json")
        assert honest.ok and (honest.low, honest.high) == (c_star, c_star)
    verdict = check_certificate(toy_certificate(alpha, beta, target, base + w_offset, y=dual + y_offset, box=box),
                                "toy.json")
    assert not verdict.ok or verdict.value == c_star
