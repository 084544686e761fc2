"""Kernel kind "quantum.strategy": exact Born-rule values against a direct Kronecker model, mixtures and
guesses, constraints, mixed states as mixtures, malformed shapes and the work bounds."""

from fractions import Fraction
from itertools import product

import pytest

from certify.errors import CertifyError
from certify.expressions import expression_to_json
from certify.kernel import check_certificate, problem_sha256
from certify.kernel.defs.scenario import chsh
from certify.kernel.format import format_rational
from certify.kernel.strategy import MAX_DIM, check

SC = {"inputs": [2, 2], "outputs": [2, 2]}
CHSH = {"scenario": SC, "objective": {"bell": expression_to_json(chsh())}}


def rank_one(v):
    """v v^T / v^T v and its complement I - that: an exact two-outcome projective measurement."""
    n = sum(Fraction(x) ** 2 for x in v)
    p = [[Fraction(a * b) / n for b in v] for a in v]
    return [p, [[int(j == k) - p[j][k] for k in range(len(v))] for j in range(len(v))]]


def text(m):
    return [[format_rational(Fraction(x)) for x in row] for row in m]


# Alice Z and X; Bob at angles +-atan(29/70) ~ +-pi/8; the state (|00> + |11>)/sqrt 2, unnormalised
ALICE = [rank_one([1, 0]), rank_one([1, 1])]
BOB = [rank_one([70, 29]), rank_one([70, -29])]
PSI = [1, 0, 0, 1]


def component(proj=(ALICE, BOB), psi=PSI, weight="1", dims=(2, 2), **extra):
    return {"weight": weight, "dims": list(dims), "projectors": [[[text(p) for p in meas] for meas in party]
                                                                 for party in proj],
            "state": [str(x) for x in psi], **extra}


def kron(a, b):
    return [[x * y for x in ra for y in rb] for ra in a for rb in b]


def direct_chsh(alice, bob, psi):
    """The simple model: CHSH = sum (-1)^(xy + a + b) psi^T (A_a|x (x) B_b|y) psi / psi^T psi."""
    norm, total = sum(Fraction(x) ** 2 for x in psi), Fraction(0)
    for a, b, x, y in product(range(2), repeat=4):
        m = kron(alice[x][a], bob[y][b])
        total += (-1) ** (x * y + a + b) * sum(psi[j] * m[j][k] * psi[k] for j in range(4) for k in range(4)) / norm
    return total


def cert(problem, evidence, relation=">=", value="0"):
    return {"format": "certify/1", "problem_sha256": problem_sha256(problem), "evidence": evidence,
            "claim": {"id": "t/strategy", "kind": "quantum.strategy", "statement": "t", "problem": problem,
                      "relation": relation, "value": value}}


def test_value_is_the_born_rule_on_the_kronecker_product():
    proven = check(CHSH, ">=", Fraction(0), {"components": [component()]}, "w")
    assert proven.low == direct_chsh(ALICE, BOB, PSI) and 2.8284 < proven.low < 2.82843 and proven.high is None
    assert check_certificate(cert(CHSH, {"components": [component()]}, value="707/250"), "c").ok  # 2.828


def test_a_mixed_state_is_a_mixture_of_components_and_density_is_refused():
    # rho = (|00><00| + |11><11|)/2 = L D L^T with rational l_k: two components, the same projectors
    mixed = {"components": [component(psi=[1, 0, 0, 0], weight="1/2"), component(psi=[0, 0, 0, 1], weight="1/2")]}
    assert check(CHSH, ">=", Fraction(0), mixed, "w").low == (direct_chsh(ALICE, BOB, [1, 0, 0, 0])
                                                               + direct_chsh(ALICE, BOB, [0, 0, 0, 1])) / 2
    with pytest.raises(CertifyError, match="unknown field 'density'"):
        check(CHSH, ">=", Fraction(0), {"components": [component(density=[["1"]])]}, "w")


def test_min_proves_an_upper_bound_and_mixtures_average():
    anti = [rank_one([1, 0]), rank_one([1, 1])], [rank_one([70, -29]), rank_one([70, 29])]
    lo = check(dict(CHSH, sense="min"), "<=", Fraction(0), {"components": [component(psi=[0, 1, -1, 0])]}, "w")
    assert lo.high == direct_chsh(ALICE, BOB, [0, 1, -1, 0]) < -2.8 and lo.low is None
    mix = {"components": [component(weight="1/3"), component(anti, weight="2/3")]}
    assert check(CHSH, ">=", Fraction(0), mix, "w").low == (direct_chsh(ALICE, BOB, PSI)
                                                             + 2 * direct_chsh(*anti, PSI)) / 3


def test_guess_components_name_their_guess():
    det = [[[["1"]], [["0"]]], [[["1"]], [["0"]]]]  # one-dimensional parties: output 0 always
    problem = {"scenario": SC, "objective": {"guess": {"parties": [0, 1], "inputs": [0, 0]}}}
    one = {"weight": "1", "dims": [1, 1], "projectors": [det, det], "state": ["1"]}
    assert check(problem, ">=", Fraction(0), {"components": [dict(one, guess=0)]}, "w").low == 1
    assert check(problem, ">=", Fraction(0), {"components": [dict(one, guess=3)]}, "w").low == 0
    with pytest.raises(CertifyError, match="guess"):
        check(problem, ">=", Fraction(0), {"components": [one]}, "w")
    with pytest.raises(CertifyError, match="guess"):
        check(problem, ">=", Fraction(0), {"components": [dict(one, guess=4)]}, "w")


def test_constraints_must_hold_exactly_on_the_mixture():
    value = direct_chsh(ALICE, BOB, PSI)
    for slack, ok in ((0, True), (Fraction(1, 10**12), False)):
        problem = dict(CHSH, objective={"guess": {"parties": [0, 1], "inputs": [0, 0]}},
                       constraint={"expression": expression_to_json(chsh()), "at": format_rational(value + slack)})
        ev = {"components": [component(guess=g, weight="1/4") for g in range(4)]}
        assert check_certificate(cert(problem, ev), "c").ok is ok
        problem = dict(CHSH, constraints=[{"expression": expression_to_json(chsh()), "relation": "==",
                                           "value": format_rational(value - slack)}])
        assert check_certificate(cert(problem, {"components": [component()]}), "c").ok is ok


@pytest.mark.parametrize("change, match", [
    (lambda c: c.update(dims=[2]), "dims"),
    (lambda c: c.update(dims=[2, 3]), "3 x 3"),
    (lambda c: c.update(state=["1", "0", "0"]), "expected 1 x 4 rationals"),
    (lambda c: c.pop("state"), "missing field 'state'"),
    (lambda c: c["projectors"][1].pop(), "inputs per party"),
    (lambda c: c["projectors"][0][1].pop(), "expected 2 projectors"),
    (lambda c: c.update(weight="0.5"), "rational"),
    (lambda c: c.update(guess=0), "guess"),
    (lambda c: c.update(dims=[MAX_DIM, 2]), "product"),
    (lambda c: c["projectors"][0][0][0][0].__setitem__(0, "1/" + "3" * 200), "bits"),
])
def test_malformed_evidence_is_one_line_naming_the_field(change, match):
    comp = component()
    change(comp)
    with pytest.raises(CertifyError, match=match):
        check(CHSH, ">=", Fraction(0), {"components": [comp]}, "w")


def test_work_bound_counts_products_before_any_is_formed():
    # 8 x 8 dims, 40 inputs of 2 outcomes per party, a 1600-term expression: 1.7e6 products, over the budget
    sc = {"inputs": [40, 40], "outputs": [2, 2]}
    terms = [{"coef": "1", "outputs": [0, 0], "inputs": [x, y]} for x in range(40) for y in range(40)]
    problem = {"scenario": sc, "objective": {"bell": {"terms": terms}}}
    eye = [[int(j == k) for k in range(8)] for j in range(8)]
    meas = [text(eye), text([[0] * 8 for _ in range(8)])]
    comp = {"weight": "1", "dims": [8, 8], "projectors": [[meas] * 40] * 2, "state": ["1"] * 64}
    with pytest.raises(CertifyError, match="work bound"):
        check(problem, ">=", Fraction(0), {"components": [comp]}, "w")


@pytest.mark.parametrize("field_, item", [("constraints", [1]), ("statistics", ["x"]),
                                          ("constraints", [{"expression": {"terms": []}, "value": "1"}])])
def test_malformed_constraints_are_malformed_not_internal(field_, item):
    with pytest.raises(CertifyError, match=field_):
        check(dict(CHSH, **{field_: item}), ">=", Fraction(0), {"components": [component()]}, "w")


def test_documented_example_verifies_14_over_5():
    """docs/certificate-format.md: the worked quantum.strategy example, on tsirelson-1's problem without level."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    problem = json.loads((root / "proofs/pironio2010/npa/tsirelson-1.json").read_text())["claim"]["problem"]
    problem = {k: v for k, v in problem.items() if k != "level"}
    doc = (root / "docs/certificate-format.md").read_text()
    block = doc[doc.index('{"components": [{"weight": "1", "dims": [2, 2]'):]
    evidence = json.loads(block[:block.index("```")])
    verdict = check_certificate(cert(problem, evidence, ">=", "14/5"), "doc")
    assert verdict.ok and verdict.low == Fraction(14, 5)
    assert check_certificate(cert(problem, evidence, ">=", "2801/1000"), "doc").status == "false"
