"""Hostile "local.bound" certificates under constraints (a Lagrangian dual the kernel enumerates, a mixture of
deterministic strategies): each is built here from an honest one and must be REJECTED (a false verdict) or
malformed, in a child process under the limits of test_adversarial (< 2 s for the check, < 300 MB).
Laws: `test_tampered_local_certificate_is_rejected_quickly`; `test_certified_local_interval_contains_the_lp_optimum`
(random small problems against a brute-force LP over the deterministic strategies built here)."""

import copy
from fractions import Fraction
from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from test_adversarial import MEGABYTES, SECONDS, certificate, run_check, write

from certify.exceptions import InfeasibleError
from certify.expressions import expression_to_json
from certify.kernel import check_certificate
from certify.kernel.defs.scenario import Scenario, chsh, make_expression
from certify.kernel.format import format_rational
from certify.kernel.local import MAX_MIXTURE, MAX_RULES
from certify.problem import certify_problem

SC = {"inputs": [2, 2], "outputs": [2, 2]}
CHSH = expression_to_json(chsh())
A0 = {"terms": [{"coef": "1", "outputs": [0, None], "inputs": [0, None]},
                {"coef": "-1", "outputs": [1, None], "inputs": [0, None]}]}
TILTED = {"terms": CHSH["terms"] + [dict(t, coef=str(2 * int(t["coef"]))) for t in A0["terms"]]}  # 2 <A0> + CHSH
TINY = Fraction(1, 10**12)


def honest():
    """max 2 <A0> + CHSH s.t. <A0> <= 1/3 (= 8/3: dual [2], a mixture 2/3 : 1/3 meeting <A0> = 1/3 exactly)."""
    problem = {"scenario": SC, "objective": {"bell": TILTED}, "set": "local", "sense": "max",
               "constraints": [{"expression": A0, "relation": "<=", "value": "1/3"}]}
    cert, verdict = certify_problem(problem, "hostile/1")
    assert verdict.ok and verdict.value == Fraction(8, 3) and len(cert["evidence"]["mixture"]) == 2
    return cert


HONEST = honest()


def tampered(edit, relation=None, value=None, drop=None):
    cert = copy.deepcopy(HONEST)
    edit(cert["evidence"])
    if drop:
        del cert["evidence"][drop]
    claim = cert["claim"]
    return certificate("local.bound", claim["problem"], relation or claim["relation"],
                       format_rational(Fraction(8, 3) if value is None else value), cert["evidence"])


def weights(w0, w1):
    def edit(evidence):
        evidence["mixture"][0]["weight"], evidence["mixture"][1]["weight"] = format_rational(w0), format_rational(w1)
    return edit


def over_the_constraint(excess):
    """Weight moved between the two strategies so that <A0> = 1/3 + excess (the sum stays 1): the entry with
    a(0) = 0 contributes +1 to <A0>, the other -1."""
    mixture = HONEST["evidence"]["mixture"]
    w0 = Fraction(*map(int, mixture[0]["weight"].split("/")))
    shift = Fraction(excess, 2) if mixture[0]["strategy"][0][0] == 0 else -Fraction(excess, 2)
    return weights(w0 + shift, 1 - w0 - shift)


def huge_enumeration():
    """Ten binary inputs for A and B and a third party: 2^20 strategies of the first two, over MAX_WORK."""
    sc = {"inputs": [10, 10, 10], "outputs": [2, 2, 2]}
    term = {"terms": [{"coef": "1", "outputs": [0, 0, 0], "inputs": [0, 0, 0]}]}
    problem = {"scenario": sc, "objective": {"bell": term}, "sense": "max",
               "constraints": [{"expression": term, "relation": "<=", "value": "1/2"}]}
    return certificate("local.bound", problem, "<=", "1/2", {"dual": ["1/2"]})


def huge_mixture():
    """400 objective terms times 2,000 mixture entries: over MAX_MIXTURE, refused before any entry is read."""
    sc = {"inputs": [10, 10], "outputs": [2, 2]}
    terms = [{"coef": "1", "outputs": [a, b], "inputs": [x, y]} for a, b, x, y in product((0, 1), (0, 1), range(10),
                                                                                         range(10))]
    problem = {"scenario": sc, "objective": {"bell": {"terms": terms}}, "sense": "max",
               "constraints": [{"expression": {"terms": terms[:1]}, "relation": "<=", "value": "1"}]}
    entry = {"weight": "0", "strategy": [[0] * 10, [0] * 10]}
    assert 2000 * (len(terms) + 2) > MAX_MIXTURE
    return certificate("local.bound", problem, ">=", "0", {"mixture": [entry] * 2000})


def one_term_rules(count):
    term = {"terms": [{"coef": "1", "outputs": [0, 0], "inputs": [0, 0]}]}
    return dict(HONEST["claim"]["problem"], constraints=[{"expression": term, "relation": "<=", "value": "1"}] * count)


def mixture_at_the_work_bound():
    """MAX_RULES one-term constraints against as many distinct weighted strategies as MAX_MIXTURE allows: every
    sum is formed (the mixture reaches 2 <A0> + CHSH = 4, claimed >= 5: false), within the time bound."""
    problem = one_term_rules(MAX_RULES)
    count = MAX_MIXTURE // (2 * MAX_RULES + 19) - 1
    mixture = [{"weight": "0", "strategy": [[j % 2, j // 2 % 2], [j // 4 % 2, j // 8 % 2]]} for j in range(count)]
    mixture.append({"weight": "1", "strategy": [[0, 0], [0, 0]]})
    return certificate("local.bound", problem, ">=", "5", {"mixture": mixture})


W0 = Fraction(*map(int, HONEST["evidence"]["mixture"][0]["weight"].split("/")))
ATTACKS = {
    "multiplier with the wrong sign": lambda: tampered(lambda e: e.update(dual=["-2"])),
    "upper bound 1e-12 too low": lambda: tampered(lambda e: None, "<=", Fraction(8, 3) - TINY, drop="mixture"),
    "value 1e-12 too low for ==": lambda: tampered(lambda e: None, "==", Fraction(8, 3) - TINY),
    "lower bound 1e-12 too high": lambda: tampered(lambda e: None, ">=", Fraction(8, 3) + TINY, drop="dual"),
    "mixture violating the constraint by 1e-12": lambda: tampered(over_the_constraint(TINY), ">=", 0, drop="dual"),
    "negative weight": lambda: tampered(weights(Fraction(-1, 2), Fraction(3, 2)), ">=", 0, drop="dual"),
    "weights summing to 1 + 1e-12": lambda: tampered(weights(W0, 1 - W0 + TINY), ">=", 0, drop="dual"),
    "strategy table of the wrong shape": lambda: tampered(lambda e: e["mixture"][0].update(strategy=[[0, 0, 0], [0, 0]])),
    "strategy output out of range": lambda: tampered(lambda e: e["mixture"][0].update(strategy=[[0, 2], [0, 0]])),
    "strategy evidence under constraints": lambda: tampered(lambda e: e.update(strategy=[[0, 0], [0, 0]])),
    "dual of the wrong length": lambda: tampered(lambda e: e.update(dual=["2", "0"])),
    "multiplier with a 13,000-bit denominator": lambda: tampered(lambda e: e.update(dual=["1/" + "7" * 3999])),
    "huge enumeration": huge_enumeration,
    "huge mixture": huge_mixture,
    "mixture at the work bound": mixture_at_the_work_bound,
    # 40,000 one-term constraints took 5.7 s to parse and sum: refused before parsing
    "too many constraints": lambda: certificate("local.bound", one_term_rules(40000), "<=", "4", {"dual": []}),
}
MALFORMED = {"strategy table of the wrong shape", "strategy output out of range", "strategy evidence under constraints",
             "dual of the wrong length", "multiplier with a 13,000-bit denominator", "huge enumeration", "huge mixture",
             "too many constraints"}


def test_honest_certificate_verifies_and_its_mixture_is_tight():
    assert check_certificate(tampered(lambda e: None), "c").ok
    assert check_certificate(tampered(lambda e: None, ">=", 0, drop="dual"), "c").ok
    assert check_certificate(tampered(over_the_constraint(0), ">=", 0, drop="dual"), "c").ok  # the edit is exact


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_tampered_local_certificate_is_rejected_quickly(name, tmp_path):
    result = run_check(write(tmp_path / "attack.json", ATTACKS[name]()))
    (status, reason, _), = result["verdicts"]
    assert status == ("malformed" if name in MALFORMED else "false"), reason
    assert result["code"] == (2 if status == "malformed" else 1)
    assert result["seconds"] < SECONDS and result["mb"] < MEGABYTES, result


# --- the law against a brute-force model --------------------------------------------------------------------------

def _value(expr, strategy):
    return expr.constant + sum(c for outs, ins, c in expr.terms
                               if all(a is None or strategy[i][ins[i]] == a for i, a in enumerate(outs)))


@st.composite
def local_problems(draw):
    """A 2-party (inputs 1..3, outputs 2..3) or 3-party binary scenario, an objective and 1-3 constraints with
    small integer coefficients, each value a rational inside the range of its expression (often feasible)."""
    n = draw(st.sampled_from([2, 2, 3]))
    inputs = [draw(st.integers(1, 3 if n == 2 else 2)) for _ in range(n)]
    outputs = [draw(st.integers(2, 3 if n == 2 else 2)) for _ in range(n)]
    sc = Scenario(tuple(inputs), tuple(outputs))

    def expression():
        terms = []
        for _ in range(draw(st.integers(1, 4))):
            parties = draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n))
            outs = [draw(st.integers(0, outputs[i] - 1)) if i in parties else None for i in range(n)]
            ins = [draw(st.integers(0, inputs[i] - 1)) if i in parties else None for i in range(n)]
            terms.append((outs, ins, draw(st.integers(-3, 3))))
        return make_expression(sc, terms, draw(st.integers(-1, 1)))

    objective, rules = expression(), []
    strategies = list(product(*(list(product(range(d), repeat=m)) for m, d in zip(inputs, outputs))))
    for _ in range(draw(st.integers(1, 3))):
        e = expression()
        low, high = min(_value(e, s) for s in strategies), max(_value(e, s) for s in strategies)
        t = Fraction(draw(st.integers(0, 6)), 6)
        rules.append((e, draw(st.sampled_from(["<=", ">=", "=="])), low + t * (high - low)))
    return sc, objective, rules, draw(st.sampled_from(["max", "min"])), strategies


def _brute_force(sc, objective, rules, sense, strategies):
    """The LP over the weights of every deterministic strategy (enumerated here), scipy's HiGHS; None if infeasible."""
    table = lambda e: [float(_value(e, s)) for s in strategies]  # noqa: E731
    ub, bu, eq, be = [], [], [[1.0] * len(strategies)], [1.0]
    for e, r, v in rules:
        if r == "==":
            eq.append(table(e))
            be.append(float(v))
        else:
            sign = 1 if r == "<=" else -1
            ub.append([sign * x for x in table(e)])
            bu.append(sign * float(v))
    c = np.array(table(objective)) * (-1 if sense == "max" else 1)
    res = linprog(c, A_ub=ub or None, b_ub=bu or None, A_eq=eq, b_eq=be, bounds=(0, None), method="highs")
    assert res.status in (0, 2), res.message
    return None if res.status == 2 else (-res.fun if sense == "max" else res.fun)


@settings(max_examples=60, deadline=None)
@given(local_problems())
def test_certified_local_interval_contains_the_lp_optimum(case):
    sc, objective, rules, sense, strategies = case
    problem = {"scenario": {"inputs": list(sc.inputs), "outputs": list(sc.outputs)}, "set": "local", "sense": sense,
               "objective": {"bell": expression_to_json(objective)},
               "constraints": [{"expression": expression_to_json(e), "relation": r, "value": format_rational(v)}
                               for e, r, v in rules]}
    expected = _brute_force(sc, objective, rules, sense, strategies)
    if expected is None:
        with pytest.raises(InfeasibleError):
            certify_problem(problem)
        return
    _, verdict = certify_problem(problem)
    assert verdict.ok and verdict.low <= verdict.high
    assert float(verdict.low) - 1e-7 <= expected <= float(verdict.high) + 1e-7


@settings(max_examples=25, deadline=None)
@given(local_problems())
def test_constrained_local_optimum_lies_within_the_no_signalling_one(case):
    """Law: local boxes are no-signalling, so under the same constraints local max <= NS max (min >= NS min),
    two kernel kinds (local.bound, lp.ns) from two producers."""
    sc, objective, rules, sense, strategies = case
    problem = {"scenario": {"inputs": list(sc.inputs), "outputs": list(sc.outputs)}, "set": "local", "sense": sense,
               "objective": {"bell": expression_to_json(objective)},
               "constraints": [{"expression": expression_to_json(e), "relation": r, "value": format_rational(v)}
                               for e, r, v in rules]}
    try:
        local = certify_problem(problem)[1]
    except InfeasibleError:
        return
    ns = certify_problem(dict(problem, set="no-signalling"))[1]
    assert local.ok and ns.ok
    assert (local.value <= ns.value) if sense == "max" else (local.value >= ns.value)
