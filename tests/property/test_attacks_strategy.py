"""Hostile "quantum.strategy" certificates: each is built here from an honest one and must be REJECTED
(a false verdict) or malformed, in a child process under the limits of test_adversarial (< 2 s for the
check, < 300 MB). Law: `test_tampered_strategy_is_rejected_quickly`; the honest one verifies."""

import copy
from fractions import Fraction

import pytest
from test_adversarial import MEGABYTES, SECONDS, certificate, run_check, write

from certify.expressions import expression_to_json
from certify.kernel import check_certificate
from certify.kernel.defs.scenario import chsh
from certify.kernel.format import format_rational
from certify.kernel.strategy import check

SC = {"inputs": [2, 2], "outputs": [2, 2]}
CHSH = expression_to_json(chsh())


def measurement(v):
    n = sum(x * x for x in v)
    p = [[Fraction(a * b, n) for b in v] for a in v]
    q = [[int(j == k) - p[j][k] for k in range(len(v))] for j in range(len(v))]
    return [[[format_rational(x) for x in row] for row in m] for m in (p, q)]


def honest(objective=None, **problem_fields):
    """A rational CHSH strategy near Tsirelson (Bob at +-atan(29/70) ~ +-pi/8), and its exact value."""
    comp = {"weight": "1", "dims": [2, 2], "state": ["1", "0", "0", "1"],
            "projectors": [[measurement([1, 0]), measurement([1, 1])], [measurement([70, 29]), measurement([70, -29])]]}
    problem = {"scenario": SC, "objective": objective or {"bell": CHSH}, **problem_fields}
    evidence = {"components": [comp]}
    return problem, evidence, check(problem, ">=", Fraction(0), evidence, "honest").low


def constrained(slack):
    problem, evidence, value = honest()
    problem = dict(problem, objective={"guess": {"parties": [0, 1], "inputs": [0, 0]}},
                   constraint={"expression": CHSH, "at": format_rational(value + slack)})
    evidence["components"][0]["guess"] = 0
    return certificate("quantum.strategy", problem, ">=", "0", evidence)


def tampered(edit, relation=">=", value=None):
    problem, evidence, exact = honest()
    evidence = copy.deepcopy(evidence)
    edit(evidence["components"][0])
    return certificate("quantum.strategy", problem, relation, format_rational(exact if value is None else value),
                       evidence)


def mixture(w0, w1):
    problem, evidence, exact = honest()
    comps = [dict(evidence["components"][0], weight=w0), dict(evidence["components"][0], weight=w1)]
    return certificate("quantum.strategy", problem, ">=", format_rational(exact), {"components": comps})


def set_entry(comp, path, text):
    target = comp
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = text


_, _, EXACT = honest()
ATTACKS = {
    # P0 + 1e-12 at one symmetric pair: no longer idempotent (and the sum is off too)
    "non-idempotent projector": lambda: tampered(lambda c: (set_entry(c, ["projectors", 0, 0, 0, 0, 1], "1/10" + "0" * 11),
                                                            set_entry(c, ["projectors", 0, 0, 0, 1, 0], "1/10" + "0" * 11))),
    # idempotent but not symmetric: [[1, 1], [0, 0]]
    "oblique projector": lambda: tampered(lambda c: c["projectors"][0].__setitem__(
        0, [[["1", "1"], ["0", "0"]], [["0", "-1"], ["0", "1"]]])),
    # two valid projectors that do not sum to I (Alice's outcome 1 at x = 0 replaced by the same as outcome 0)
    "projectors not summing to I": lambda: tampered(lambda c: c["projectors"][0][0].__setitem__(1, c["projectors"][0][0][0])),
    "state of the wrong dimension": lambda: tampered(lambda c: c.update(state=["1", "0", "0", "1", "0"])),
    "zero state": lambda: tampered(lambda c: c.update(state=["0", "0", "0", "0"])),
    "claimed value 1e-12 too high": lambda: tampered(lambda c: None, value=EXACT + Fraction(1, 10**12)),
    "claimed upper bound from a strategy": lambda: tampered(lambda c: None, relation="<="),
    "constraint violated by 1e-12": lambda: constrained(Fraction(1, 10**12)),
    "weight above 1": lambda: tampered(lambda c: c.update(weight="1000000000001/1000000000000")),
    "negative weight": lambda: mixture("-1/2", "3/2"),
    "weights summing above 1": lambda: mixture("1/2", "1000000000001/2000000000000"),
    "huge dimensions": lambda: tampered(lambda c: c.update(dims=[1000, 1000])),
    "huge entries": lambda: tampered(lambda c: set_entry(c, ["projectors", 1, 0, 0, 0, 0], "1/" + "7" * 3999)),
    # 8 x 8 blocks of 500-bit entries (under the bit bound): the products are formed, and fail quickly
    "large matrices": lambda: tampered(lambda c: c.update(dims=[8, 8], state=["1"] * 64, projectors=[
        [[[["1/" + "3" * 150] * 8] * 8] * 2] * 2] * 2)),
}
EXPECTED = {"state of the wrong dimension": "malformed", "huge dimensions": "malformed", "huge entries": "malformed"}


def test_honest_strategy_verifies():
    assert check_certificate(tampered(lambda c: None), "c").ok and 2.8284 < EXACT < 2.82843
    assert check_certificate(constrained(0), "c").ok


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_tampered_strategy_is_rejected_quickly(name, tmp_path):
    result = run_check(write(tmp_path / "attack.json", ATTACKS[name]()))
    (status, reason, _), = result["verdicts"]
    assert status == EXPECTED.get(name, "false"), reason
    assert result["code"] == (2 if status == "malformed" else 1)
    assert result["seconds"] < SECONDS and result["mb"] < MEGABYTES, result


@pytest.mark.parametrize("rules, copies, words", [(40000, 1, "more than 1000 entries"), (900, 700, "work bound")])
def test_many_constraints_times_many_components_hit_the_work_bound(rules, copies, words, tmp_path):
    """A cheap component (one-dimensional parties) repeated against many one-term constraints: the number
    of constraints is capped before they are parsed, and the exact sums are counted in the product budget."""
    problem, evidence, _ = honest()
    det = [[[["1"]], [["0"]]], [[["1"]], [["0"]]]]
    comp = {"weight": format_rational(Fraction(1, copies)), "dims": [1, 1], "projectors": [det, det], "state": ["1"]}
    term = {"terms": [{"coef": "1", "outputs": [0, 0], "inputs": [0, 0]}]}
    problem = dict(problem, constraints=[{"expression": term, "relation": ">=", "value": "0"}] * rules)
    result = run_check(write(tmp_path / "many.json", certificate("quantum.strategy", problem, ">=", "0",
                                                                   {"components": [comp] * copies})))
    (status, reason, _), = result["verdicts"]
    assert status == "malformed" and words in reason and result["seconds"] < SECONDS, result
