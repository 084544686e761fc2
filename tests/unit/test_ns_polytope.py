"""The trusted no-signalling LP definition: sizes, rows, and strict errors."""

from fractions import Fraction

import pytest

from certify.errors import CertifyError
from certify.kernel.defs.ns_polytope import build, column_rows


def _problem(**changes):
    problem = {"scenario": {"inputs": [2, 3], "outputs": [3, 2]}, "promise": None,
               "objective": {"kind": "linear", "terms": [["00", "20", "1/2"]]}, "sense": "max"}
    problem.update(changes)
    return problem


def test_general_scenario_sizes():
    lp = build(_problem(), "p")
    # 2*3 input pairs x 3*2 output pairs columns; norm rows 6; ns rows: party 1 has one
    # comparison (k=1) per (x_2, a_2): 3*2; party 2 has two (k=1,2) per (x_1, a_1): 2*2*3.
    assert len(lp.columns) == 36
    assert sum(k.startswith("norm:") for k in lp.row_b) == 6
    assert sum(k.startswith("ns:0:") for k in lp.row_b) == 6
    assert sum(k.startswith("ns:1:") for k in lp.row_b) == 12
    assert lp.objective == {((0, 0), (2, 0)): Fraction(1, 2)}


def test_column_rows_signs():
    lp = build(_problem(), "p")
    assert column_rows(lp.inputs, (0, 2), (1, 1)) == [("norm:02", 1), ("ns:0:1:*2:*1", 1), ("ns:1:2:0*:1*", -1)]
    assert column_rows(lp.inputs, (1, 0), (2, 0)) == [("norm:10", 1), ("ns:0:1:*0:*0", -1),
                                               ("ns:1:1:1*:2*", 1), ("ns:1:2:1*:2*", 1)]


def test_parity_promise_removes_half_the_outcomes():
    problem = _problem(scenario={"inputs": [2, 2, 2], "outputs": [2, 2, 2]},
                       promise={"kind": "parity", "rules": [["000", 0], ["011", 1]]},
                       objective={"kind": "function", "x": "000", "parties": [0], "table": "01", "value": 1})
    lp = build(problem, "p")
    assert len(lp.columns) == 64 - 8
    assert all(sum(a) % 2 == 0 for x, a in lp.columns if x == (0, 0, 0))
    assert set(lp.objective) == {((0, 0, 0), a) for a in [(1, 0, 1), (1, 1, 0)]}


@pytest.mark.parametrize("changes,needle", [
    ({"sense": "min"}, "sense: expected one of ('max',)"),
    ({"scenario": {"inputs": [2], "outputs": [2, 2]}}, "parties with inputs and outputs"),
    ({"scenario": {"inputs": [2, 0], "outputs": [3, 2]}}, "inputs[1]: expected an integer in [1, 10]"),
    ({"scenario": {"inputs": [10] * 5, "outputs": [10] * 5}}, "exceed the limit"),
    ({"objective": {"kind": "linear", "terms": [["20", "00", "1"]]}}, "party 1 has no value 2"),
    ({"objective": {"kind": "linear", "terms": [["0", "00", "1"]]}}, "expected 2 digits"),
    ({"objective": {"kind": "linear", "terms": [["00", "00", "0.5"]]}}, 'expected rational "p/q"'),
    ({"objective": {"kind": "quadratic"}}, 'expected "function", "linear", "bell" or "guess"'),
    ({"objective": {"kind": "bell", "expression": {"terms": []}}}, 'expected "function" or "linear" here'),
    ({"promise": {"kind": "parity", "rules": [["00", 2]]}}, "rules[0][1]: expected an integer in [0, 1]"),
    ({"promise": {"kind": "parity", "rules": [["00", 0], ["00", 1]]}}, "listed twice"),
    ({"extra": 1}, "unknown field 'extra'"),
])
def test_bad_definitions_name_the_field(changes, needle):
    with pytest.raises(CertifyError) as err:
        build(_problem(**changes), "claim.problem")
    assert needle in str(err.value) and str(err.value).startswith("claim.problem")


def test_exact_basis_repair_gives_the_same_optimum(monkeypatch):
    """Step 2 of the rounding (exact basis solve) on its own proves 3/2 too."""
    import lp_checks.ns_lp as ns_lp
    from certify.papers.pironio2010.curve_c import chsh_ns_claim

    lp = build(chsh_ns_claim((0, 1), (1, 1))[2], "p")
    assert not ns_lp.solve_exact(lp).repaired
    monkeypatch.setattr(ns_lp, "_round_pair", lambda *args: None)  # force the exact path
    repaired = ns_lp.solve_exact(lp)
    assert repaired.repaired and repaired.value == Fraction(3, 2)
    assert ns_lp._checked(lp, repaired.dual, repaired.primal) == (Fraction(3, 2), Fraction(3, 2))
