"""Kernel kind "local.bound": enumeration, evidence, tampering, work bound."""

import copy
from fractions import Fraction

import pytest

from certify.certificate import checked
from certify.errors import CertifyError
from certify.expressions import expression_to_json
from certify.kernel.defs.scenario import Scenario, chsh, make_expression
from certify.kernel.format import format_rational
from certify.kernel.local import MAX_WORK, optimum
from certify.problem import certify_problem

SC = {"inputs": [2, 2], "outputs": [2, 2]}


def _cert(sense="max"):
    return certify_problem({"scenario": SC, "objective": {"bell": expression_to_json(chsh())}, "set": "local",
                            "sense": sense}, "t/local")[0]


def test_chsh_local_bounds_are_plus_minus_two():
    assert checked(_cert(), "c").value == 2 and checked(_cert(), "c").low == 2
    assert checked(_cert("min"), "c").value == -2


def test_brute_force_agrees_with_last_party_decomposition():
    # a 3-party expression with marginal terms: the kernel's optimum equals a full enumeration
    sc = Scenario((2, 2, 2), (2, 2, 2))
    terms = [((0, 1, None), (0, 1, None), 3), ((None, 1, 1), (None, 0, 1), -2), ((1, None, 0), (1, None, 0), 5),
             ((None, None, 1), (None, None, 0), Fraction(1, 3))]
    expr = make_expression(sc, terms, Fraction(-1, 2))
    from itertools import product
    values = []
    for s in product(product(range(2), repeat=2), repeat=3):
        values.append(expr.constant + sum(c for o, i, c in expr.terms
                                          if all(a is None or s[p][i[p]] == a for p, a in enumerate(o))))
    assert optimum(sc, expr, True, "w")[0] == max(values) and optimum(sc, expr, False, "w")[0] == min(values)


def test_tampered_strategy_or_value_is_rejected():
    cert = _cert()
    bad = copy.deepcopy(cert)
    bad["evidence"]["strategy"] = [[0, 0], [1, 1]]  # value -2 (anti-correlated), not the max 2
    assert checked(bad, "c").status == "false"
    bad = copy.deepcopy(cert)
    bad["claim"]["value"] = "3"
    assert checked(bad, "c").status == "false"
    bad = copy.deepcopy(cert)
    bad["evidence"]["strategy"] = [[0, 2], [0, 0]]
    with pytest.raises(CertifyError, match=r"strategy\[0\]\[1\]"):
        checked(bad, "c")


def test_work_bound_refused_before_enumeration():
    sc = Scenario((10, 10, 10), (2, 2, 2))  # 2^20 strategies of A and B: over MAX_WORK with any term
    with pytest.raises(CertifyError, match="work bound"):
        optimum(sc, make_expression(sc, [((0, 0, 0), (0, 0, 0), 1)]), True, "w")
    assert 2**20 * 21 > MAX_WORK


def test_five_party_mermin_local_minimum_is_six():
    # Gallego et al. 2013 G1: sum_{a,x} I(a,x) P(a|x) has local minimum 6 (4^4 partial strategies)
    from itertools import product
    sc = Scenario((2,) * 5, (2,) * 5)
    terms = []
    for x in product(range(2), repeat=5):
        if sum(x) in (1, 3, 5):
            for a in product(range(2), repeat=5):
                if (sum(a) % 2) == (0 if sum(x) == 3 else 1):
                    terms.append((a, x, 1))
    assert optimum(sc, make_expression(sc, terms), False, "w")[0] == 6


def test_the_kernels_argmax_attains_its_optimum_and_a_suboptimal_strategy_fails():
    """The optimum now carries its strategy (the producer uses it); the check still refuses any other."""
    from certify.kernel import check_certificate, problem_sha256

    sc = Scenario((2, 2), (2, 2))
    chsh = make_expression(sc, [((a, b), (x, y), (-1) ** (x * y + a + b)) for a in (0, 1) for b in (0, 1)
                                for x in (0, 1) for y in (0, 1)])
    value, strategy = optimum(sc, chsh, True, "w")
    attained = sum(c for outs, ins, c in chsh.terms if all(strategy[i][ins[i]] == outs[i] for i in range(2)))
    assert value == attained == 2
    cert, verdict = certify_problem({"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, "set": "local",
                                     "objective": {"bell": {"correlators": [
                                         {"coef": "1", "inputs": [0, 0]}, {"coef": "1", "inputs": [0, 1]},
                                         {"coef": "1", "inputs": [1, 0]}, {"coef": "-1", "inputs": [1, 1]}]}}})
    assert verdict.ok and verdict.value == 2
    cert["evidence"]["strategy"] = [[0, 0], [1, 1]]  # value 0: a strategy, but not an optimal one
    bad = check_certificate(cert, "c.json")
    assert bad.status == "false" and "is not the maximum 2" in bad.reason
    assert problem_sha256(cert["claim"]["problem"]) == cert["problem_sha256"]  # only the evidence changed


# --- under constraints: a Lagrangian dual (enumerated by the kernel) and a mixture of strategies ---------------

def _marginal(a=0, x=0, party=0):
    """P(a|x) of one party of two, as kernel-form JSON."""
    outs, ins = [None, None], [None, None]
    outs[party], ins[party] = a, x
    return {"terms": [{"coef": "1", "outputs": outs, "inputs": ins}]}


def _joint(a, b, x, y):
    return {"terms": [{"coef": "1", "outputs": [a, b], "inputs": [x, y]}]}


def _local(objective, constraints, sense="max"):
    return certify_problem({"scenario": SC, "objective": {"bell": objective}, "set": "local", "sense": sense,
                            "constraints": [{"expression": e, "relation": r, "value": v} for e, r, v in constraints]},
                           "t/local-constrained")


CHSH = expression_to_json(chsh())
A0 = {"terms": [{"coef": "1", "outputs": [0, None], "inputs": [0, None]},  # <A0> = P(a=0|x=0) - P(a=1|x=0)
                {"coef": "-1", "outputs": [1, None], "inputs": [0, None]}]}
TILTED = {"terms": CHSH["terms"] + [dict(t, coef=str(2 * int(t["coef"]))) for t in A0["terms"]]}  # 2 <A0> + CHSH


def _brute_force_lp(objective, constraints, sense="max"):
    """The optimum over mixtures of the 16 deterministic CHSH-scenario strategies, by scipy's linprog on a table
    built here (not by the producer): P(ab|xy) = [a = s_A(x)] [b = s_B(y)]."""
    import numpy as np
    from scipy.optimize import linprog

    from certify.expressions import read_expression

    sc = Scenario((2, 2), (2, 2))
    strategies = [((a0, a1), (b0, b1)) for a0 in (0, 1) for a1 in (0, 1) for b0 in (0, 1) for b1 in (0, 1)]

    def row(obj):
        e = read_expression(obj, sc, "e")
        return [float(e.constant + sum(c for o, i, c in e.terms
                                       if all(o[p] is None or s[p][i[p]] == o[p] for p in (0, 1)))) for s in strategies]

    ub, bu, eq, be = [], [], [[1.0] * 16], [1.0]
    for e, r, v in constraints:
        sign = -1 if r == ">=" else 1
        (eq if r == "==" else ub).append([sign * c if r != "==" else c for c in row(e)])
        (be if r == "==" else bu).append(float(Fraction(v)) * (1 if r == "==" else sign))
    c = np.array(row(objective)) * (-1 if sense == "max" else 1)
    res = linprog(c, A_ub=ub or None, b_ub=bu or None, A_eq=eq, b_eq=be, bounds=(0, None), method="highs")
    assert res.status == 0
    return -res.fun if sense == "max" else res.fun


def test_chsh_with_alice_fixed_at_x0_still_reaches_two():
    cert, verdict = _local(CHSH, [(_marginal(0, 0), "==", "1")])
    assert verdict.ok and verdict.relation == "==" and verdict.low == verdict.high == 2
    assert _local(CHSH, [(_marginal(0, 0), "==", "1")], "min")[1].value == -2


def test_tilted_chsh_under_a_marginal_bound_is_fractional():
    """max 2<A0> + CHSH s.t. <A0> <= 1/3. By hand: strategies with a(0) = 0 reach 2 + 2 = 4, those with a(0) = 1
    reach -2 + 2 = 0; a weight w on the first gives <A0> = 2w - 1 <= 1/3, so w <= 2/3 and the optimum is 8/3."""
    cert, verdict = _local(TILTED, [(A0, "<=", "1/3")])
    assert verdict.ok and verdict.value == Fraction(8, 3) == verdict.low == verdict.high
    assert abs(_brute_force_lp(TILTED, [(A0, "<=", "1/3")]) - 8 / 3) < 1e-9
    assert cert["evidence"]["dual"] == ["2"]  # L = TILTED - 2 (<A0> - 1/3): every strategy scores <= 8/3


def test_two_joint_lower_bounds_give_minus_six_fifths():
    """max CHSH s.t. P(00|00) >= 9/10, P(11|11) >= 9/10: at least 4/5 of the weight on a = b = (0, 1) (CHSH -2),
    at most 1/5 elsewhere (at most 2): -8/5 + 2/5 = -6/5, attained."""
    rules = [(_joint(0, 0, 0, 0), ">=", "9/10"), (_joint(1, 1, 1, 1), ">=", "9/10")]
    verdict = _local(CHSH, rules)[1]
    assert verdict.ok and verdict.value == Fraction(-6, 5)
    assert abs(_brute_force_lp(CHSH, rules) + 1.2) < 1e-9


def test_min_and_max_agree_under_negation():
    rules = [(_joint(0, 0, 0, 0), ">=", "9/10"), (_marginal(1, 1, party=1), "<=", "1/3"), (A0, "==", "6/7")]
    negated = {"terms": [dict(t, coef=str(-int(t["coef"]))) for t in TILTED["terms"]]}
    top, bottom = _local(TILTED, rules)[1], _local(negated, rules, "min")[1]
    assert top.ok and bottom.ok and top.value == -bottom.value
    assert abs(float(top.value) - _brute_force_lp(TILTED, rules)) < 1e-9


def test_each_half_of_the_evidence_proves_its_side_only():
    cert, _ = _local(TILTED, [(A0, "<=", "1/3")])
    for drop, ok_relation, bad_relation in (("mixture", "<=", ">="), ("dual", ">=", "<=")):
        half = copy.deepcopy(cert)
        del half["evidence"][drop]
        half["claim"]["relation"] = ok_relation
        assert checked(half, "c").ok
        half["claim"]["relation"] = bad_relation
        verdict = checked(half, "c")
        assert verdict.status == "false" and "proves no" in verdict.reason
    plain = copy.deepcopy(cert)
    plain["evidence"] = {"strategy": [[0, 0], [0, 0]]}  # the unconstrained evidence says nothing under constraints
    with pytest.raises(CertifyError, match="unknown field 'strategy'"):
        checked(plain, "c")


def test_infeasible_local_constraints_are_refused():
    from certify.exceptions import InfeasibleError

    with pytest.raises(InfeasibleError, match="infeasible"):  # P(a=0|x=0) and P(a=1|x=0) cannot both exceed 1/2
        _local(CHSH, [(_marginal(0, 0), ">=", "2/3"), (_marginal(1, 0), ">=", "2/3")])


def test_the_problem_format_table_of_constrained_local_optima():
    """docs/problem-format.md, "Local problems with constraints": each row's max and min, recomputed."""
    import os
    from itertools import product

    corr = lambda ins, c="1": {"coef": c, "inputs": ins}  # noqa: E731
    mermin = {"correlators": [corr([0, 0, 1]), corr([0, 1, 0]), corr([1, 0, 0]), corr([1, 1, 1], "-1")]}
    odd = {"correlators": [corr(list(x), "1" if sum(x) % 4 == 1 else "-1") for x in product((0, 1), repeat=5)
                           if sum(x) % 2]}
    rows = [("CHSH s.t. P(a=0\\|x=0) == 1", SC, CHSH, [(_marginal(0, 0), "==", "1")]),
            ("2 <A0> + CHSH s.t. <A0> <= 1/3", SC, TILTED, [(A0, "<=", "1/3")]),
            ("CHSH s.t. P(ab=00\\|xy=00) >= 9/10, P(ab=11\\|xy=11) >= 9/10", SC, CHSH,
             [(_joint(0, 0, 0, 0), ">=", "9/10"), (_joint(1, 1, 1, 1), ">=", "9/10")]),
            ("Mermin, 3 parties, s.t. <A0B0C1> + <A0B1C0> <= -1/3", {"inputs": [2] * 3, "outputs": [2] * 3}, mermin,
             [({"correlators": [corr([0, 0, 1]), corr([0, 1, 0])]}, "<=", "-1/3")]),
            ("Mermin-type, 5 parties (odd-weight inputs), s.t. <A0B0> == 1/3", {"inputs": [2] * 5, "outputs": [2] * 5},
             odd, [({"correlators": [corr([0, 0, None, None, None])]}, "==", "1/3")])]
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "problem-format.md"), encoding="utf-8") as f:
        text = f.read()
    for name, sc, objective, rules in rows:
        values = []
        for sense in ("max", "min"):
            verdict = certify_problem({"scenario": sc, "objective": {"bell": objective}, "set": "local", "sense": sense,
                                       "constraints": [{"expression": e, "relation": r, "value": v}
                                                       for e, r, v in rules]})[1]
            assert verdict.ok and verdict.low == verdict.high
            values.append(format_rational(verdict.value))
        assert f"| {name} | {values[0]} | {values[1]} |" in text, (name, values)


def test_a_constrained_scenario_too_large_for_the_local_lp_is_one_line():
    from certify.exceptions import ProblemError

    sc = {"inputs": [10, 10, 10], "outputs": [2, 2, 2]}  # 2^30 deterministic strategies
    term = {"terms": [{"coef": "1", "outputs": [0, 0, 0], "inputs": [0, 0, 0]}]}
    with pytest.raises(ProblemError, match=r"^problem.constraints: 1073741824 deterministic strategies, more than"):
        certify_problem({"scenario": sc, "objective": {"bell": term}, "set": "local",
                         "constraints": [{"expression": term, "relation": "<=", "value": "1/2"}]})
