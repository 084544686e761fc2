"""Hostile-referee attacks on "lp.ns" and "lp.threshold" (helper "attacker").

Law `test_verified_dual_bounds_every_box`: whatever dual a hostile file supplies, if the kernel
verifies "max <= b" then b bounds the objective on every deterministic local box and on every
PR-type box of the CHSH scenario (an independent model of the polytope's vertices).
Pinned attacks: the "< 0" refusal boundary of a probability objective, second spellings of a
problem, "==" from one side only, penalties that are negative or live only on forbidden columns,
a threshold box that does not obey the promise.
"""

from fractions import Fraction
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.errors import CertifyError
from certify.kernel import check_certificate, problem_sha256
from certify.kernel.defs.ns_polytope import build


def certificate(kind, problem, value, evidence, relation="<="):
    return {"format": "certify/1",
            "claim": {"id": "attack/lp", "kind": kind, "statement": "attack", "problem": problem,
                      "relation": relation, "value": value},
            "problem_sha256": problem_sha256(problem), "evidence": evidence}


def rational(v):
    v = Fraction(v)
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


CHSH_TERMS = [[f"{x}{y}", f"{a}{b}", rational((-1) ** (x * y + a + b))] for x, y, a, b in product(range(2), repeat=4)]
CHSH = {"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, "promise": None,
        "objective": {"kind": "linear", "terms": CHSH_TERMS}, "sense": "max"}


def boxes():
    """The 16 deterministic boxes and the 8 PR boxes a + b = xy + r x + s y + t (mod 2)."""
    out = []
    for fa in product(range(2), repeat=2):
        for fb in product(range(2), repeat=2):
            out.append({(x, y, fa[x], fb[y]): Fraction(1) for x, y in product(range(2), repeat=2)})
    for r, s, t in product(range(2), repeat=3):
        out.append({(x, y, a, b): Fraction(1, 2) for x, y, a, b in product(range(2), repeat=4)
                    if (a + b) % 2 == (x * y + r * x + s * y + t) % 2})
    return out


def objective_value(box, terms):
    return sum(Fraction(c) * box.get((int(x[0]), int(x[1]), int(a[0]), int(a[1])), 0) for x, a, c in terms)


rows = sorted(build(CHSH, "p").row_b)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(rows), st.integers(-4, 4).map(lambda k: Fraction(k, 2)), max_size=len(rows)),
       st.integers(-8, 8))
def test_verified_dual_bounds_every_box(dual, claimed):
    evidence = {"dual": {k: rational(v) for k, v in dual.items()}}
    verdict = check_certificate(certificate("lp.ns", CHSH, rational(claimed), evidence), "f")
    if verdict.ok:
        assert all(objective_value(box, CHSH_TERMS) <= claimed for box in boxes())
        assert claimed >= 4  # the NS maximum of CHSH


# The honest NS dual of CHSH <= 4: y_norm = 1 on every input pair (each |coefficient| sum is 1 per row).
HONEST = {"dual": {f"norm:{x}{y}": "1" for x, y in product(range(2), repeat=2)}}


def test_honest_chsh_bound_and_its_boundaries():
    assert check_certificate(certificate("lp.ns", CHSH, "4", HONEST), "f").status == "verified"
    verdict = check_certificate(certificate("lp.ns", CHSH, "39/10", HONEST), "f")
    assert verdict.status == "false" and "not <= 39/10" in verdict.reason
    for relation in (">=", "=="):  # a dual alone never proves a lower bound
        verdict = check_certificate(certificate("lp.ns", CHSH, "4", HONEST, relation), "f")
        assert verdict.status == "false" and "proves no lower bound" in verdict.reason


def test_pr_box_primal_proves_the_lower_side_and_a_non_ns_box_is_refused():
    pr = {f"{x}{y}|{a}{b}": "1/2" for x, y, a, b in product(range(2), repeat=4) if (a + b) % 2 == x * y}
    both = dict(HONEST, primal=pr)
    verdict = check_certificate(certificate("lp.ns", CHSH, "4", both, "=="), "f")
    assert verdict.status == "verified" and verdict.low == verdict.high == 4
    # signalling box: Alice's output equals Bob's input (P(a = y)), normalised, CHSH value 2 + ...
    signalling = {f"{x}{y}|{y}{b}": "1/2" for x, y, b in product(range(2), repeat=3)}
    verdict = check_certificate(certificate("lp.ns", CHSH, "0", {"primal": signalling}, ">="), "f")
    assert verdict.status == "false" and "primal violates row ns:" in verdict.reason


def function_problem(rules):
    return {"scenario": {"inputs": [1], "outputs": [2]},
            "promise": {"kind": "parity", "rules": rules} if rules else None,
            "objective": {"kind": "function", "x": "0", "parties": [0], "table": "01", "value": 1}, "sense": "max"}


def test_probability_bound_below_zero_is_vacuous_and_refused_zero_is_exact():
    # promise "a = 0 at x = 0": P(a = 1 | 0) = 0 on every box, so "<= 0" is true (y = 0 proves it)
    problem = function_problem([["0", 0]])
    assert check_certificate(certificate("lp.ns", problem, "0", {"dual": {}}), "f").status == "verified"
    # a negative norm multiplier: (A^T y) = -1 < 0 = c on the allowed column, so the dual is infeasible
    verdict = check_certificate(certificate("lp.ns", problem, "-1", {"dual": {"norm:0": "-1"}}), "f")
    assert verdict.status == "false" and "dual infeasible at column 0|0" in verdict.reason
    # an impossible promise (one output, odd parity required): no column at all, so y = -1 is
    # "feasible" and proves max <= -1 over the empty set; refused as vacuous for a probability
    empty = {"scenario": {"inputs": [1], "outputs": [1]}, "promise": {"kind": "parity", "rules": [["0", 1]]},
             "objective": {"kind": "function", "x": "0", "parties": [0], "table": "0", "value": 0}, "sense": "max"}
    verdict = check_certificate(certificate("lp.ns", empty, "-1", {"dual": {"norm:0": "-1"}}), "f")
    assert verdict.status == "false" and "< 0 on a probability" in verdict.reason and "says nothing" in verdict.reason
    # and the empty polytope has no primal: "== 0" cannot be claimed
    verdict = check_certificate(certificate("lp.ns", empty, "0", {"dual": {}, "primal": {}}, "=="), "f")
    assert verdict.status == "false" and "primal violates row norm:0" in verdict.reason


def test_second_spellings_are_refused_or_hash_differently():
    with pytest.raises(CertifyError, match="listed twice"):
        build(dict(CHSH, objective={"kind": "linear", "terms": CHSH_TERMS + CHSH_TERMS[:1]}), "p")
    with pytest.raises(CertifyError, match="input 00 listed twice"):
        build(dict(CHSH, promise={"kind": "parity", "rules": [["00", 0], ["00", 1]]}), "p")
    for digits in ("0", "000", "0a", "\u0660\u0660", "2 "):  # wrong length, non-digit, Arabic-Indic digits
        with pytest.raises(CertifyError, match="expected 2 digits"):
            build(dict(CHSH, objective={"kind": "linear", "terms": [[digits, "00", "1"]]}), "p")
    with pytest.raises(CertifyError, match="party 1 has no value 2"):
        build(dict(CHSH, objective={"kind": "linear", "terms": [["20", "00", "1"]]}), "p")
    # a claim whose file hash is of another (equivalent-looking) problem is false, not verified
    cert = certificate("lp.ns", CHSH, "4", HONEST)
    cert["problem_sha256"] = problem_sha256(dict(CHSH, promise=None, sense="max", objective=dict(CHSH["objective"],
                                                 terms=CHSH_TERMS[::-1])))
    verdict = check_certificate(cert, "f")
    assert verdict.status == "false" and "problem_sha256 does not match" in verdict.reason


GHZ_PROMISE = {"kind": "parity", "rules": [["00", 0], ["11", 1]]}
THRESHOLD_LP = {"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, "promise": None,
                "objective": {"kind": "function", "x": "00", "parties": [0], "table": "10", "value": 1},
                "sense": "max"}


def threshold(penalty, target="1/2", lp=THRESHOLD_LP):
    return {"lp": lp, "penalty": {"kind": "linear", "terms": penalty}, "target": target}


def test_negative_penalty_is_malformed():
    with pytest.raises(CertifyError, match="a penalty needs every coefficient >= 0"):
        check_certificate(certificate("lp.threshold", threshold([["00", "01", "-1"]]), "0", {"dual": {}}), "f")


def test_threshold_box_with_zero_penalty_or_outside_the_promise_is_refused():
    # penalty only on a column the promise forbids: B(P) = 0 on every allowed box
    lp = dict(THRESHOLD_LP, promise=GHZ_PROMISE)
    problem = threshold([["00", "01", "1"]], lp=lp)
    box = {f"{x}{y}|{a}{b}": "1/2" for x, y, a, b in product(range(2), repeat=4) if (a + b) % 2 == x * y}
    verdict = check_certificate(certificate("lp.threshold", problem, "0", {"box": box}, ">="), "f")
    assert verdict.status == "false" and "B(P) = 0" in verdict.reason
    # a box that puts weight on the forbidden column 00|01 names a column the LP does not have
    forbidden = dict(box, **{"00|01": "1/2", "00|00": "1/2"})
    forbidden.pop("00|11")
    with pytest.raises(CertifyError, match="unknown entry '00|01'"):
        check_certificate(certificate("lp.threshold", problem, "0", {"box": forbidden}, ">="), "f")


def test_threshold_dual_is_checked_at_the_claimed_weight():
    # f = P(a_1 = 0 | 00) (table "10", value 1), B = P(a_1 = 0 | 00), target 1/2: f - c B <= 1/2 on
    # every box iff (1 - c) <= 1/2 iff c >= 1/2, so c* = 1/2.
    problem = threshold([["00", "00", "1"], ["00", "01", "1"]])
    # dual for c = 1/2: f - B/2 = P(a_1=0|00)/2 <= 1/2: y_norm:00 = 1/2
    dual = {"dual": {"norm:00": "1/2"}}
    assert check_certificate(certificate("lp.threshold", problem, "1/2", dual), "f").status == "verified"
    # the same dual at c = 1/4 fails weak duality (f - B/4 has coefficient 3/4 > 1/2)
    verdict = check_certificate(certificate("lp.threshold", problem, "1/4", dual), "f")
    assert verdict.status == "false" and "dual infeasible" in verdict.reason
    # a dual that bounds f - c B by 1 > target proves nothing about c
    verdict = check_certificate(certificate("lp.threshold", problem, "0", {"dual": {"norm:00": "1"}}), "f")
    assert verdict.status == "false" and "above the target 1/2" in verdict.reason
    # box: P(a_1 = 0 | 00) = 1 gives r = (1 - 1/2) / 1 = 1/2, so "== 1/2" is proven with the dual
    box = {f"{x}{y}|0{b}": "1/2" for x, y, b in product(range(2), repeat=3)}
    verdict = check_certificate(certificate("lp.threshold", problem, "1/2", dict(dual, box=box), "=="), "f")
    assert verdict.status == "verified" and verdict.low == verdict.high == Fraction(1, 2)
    # and "== 1/3" with the box is refused (r = 1/2 > 1/3 and the dual is infeasible at 1/3)
    verdict = check_certificate(certificate("lp.threshold", problem, "1/3", {"box": box}, "=="), "f")
    assert verdict.status == "false" and "proves no upper bound" in verdict.reason
