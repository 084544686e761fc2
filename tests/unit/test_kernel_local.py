"""Kernel kind "local.bound": enumeration, evidence, tampering, work bound."""

import copy
from fractions import Fraction

import pytest

from certify.certificate import checked
from certify.errors import CertifyError
from certify.expressions import expression_to_json
from certify.kernel.defs.scenario import Scenario, chsh, make_expression
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
