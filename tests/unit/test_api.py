"""The documented Python API (certify/api.py, docs/your-experiment.md): exact input, frozen results backed by
kernel verdicts, named exceptions."""

import dataclasses
import json
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

import certify
from certify.counts import read_counts
from certify.kernel.defs.scenario import chsh

CHSH_FC = [[0, 0, 0], [0, 1, 1], [0, 1, -1]]  # QETLAB's FC table: constant, <B_y> / <A_x>, <A_x B_y>
SC = certify.Scenario([2, 2], [2, 2])


def test_import_certify_stays_light():
    code = ("import sys, certify; certify.Scenario; certify.BellExpression; certify.ProblemError; "
            "print(sorted(m for m in ('numpy', 'scipy', 'cvxpy', 'highspy', 'clarabel') if m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"


def test_every_exception_is_a_certify_error():
    for name in ("ProblemError", "InfeasibleError", "SolverError", "NotProvenError"):
        assert issubclass(getattr(certify, name), certify.CertifyError)
    assert issubclass(certify.InfeasibleError, certify.ProblemError)


def test_correlator_and_full_forms_are_chsh_exactly():
    assert certify.BellExpression.chsh().terms == chsh().terms
    assert certify.BellExpression.correlators(SC, np.array(CHSH_FC)).terms == chsh().terms
    full = np.zeros((2, 2, 2, 2), dtype=np.int64)  # [a, b, x, y]
    for a, b, x, y in np.ndindex(2, 2, 2, 2):
        full[a, b, x, y] = (-1) ** (x * y + a + b)
    assert certify.BellExpression.full(SC, full).terms == chsh().terms
    assert certify.BellExpression.full(SC, full.astype(float)).terms == chsh().terms  # whole floats are exact
    assert (-certify.BellExpression.chsh()).terms == tuple((o, i, -c) for o, i, c in chsh().terms)


@pytest.mark.parametrize("coefficients,needle", [
    (np.array([[0, 0, 0], [0, 1, 1], [0, 1, -0.1]]), "coefficients[2, 2]: -0.1 is a float, which is not exact"),
    ([[0, 0, 0], [0, 1, 1]], "expected an array of shape (3, 3)"),
    ([[0, 0, 0], [0, 1, 1], [0, 1, "x"]], "coefficients[2, 2]"),
])
def test_inexact_or_misshapen_coefficients_are_refused(coefficients, needle):
    with pytest.raises(certify.ProblemError, match=None) as info:
        certify.BellExpression.correlators(SC, coefficients)
    assert needle in str(info.value) and "\n" not in str(info.value)


def test_exact_strings_and_fractions_are_accepted():
    e = certify.BellExpression.correlators(SC, [[Fraction(1, 3), 0, 0], [0, "1", "0.5"], [0, 1, -1]])
    assert e.constant == Fraction(1, 3) and Fraction(1, 2) in {abs(c) for _, _, c in e.terms}


def test_local_and_no_signalling_results_are_kernel_verdicts(tmp_path):
    local = certify.solve(certify.Problem(SC, certify.BellExpression.chsh(), "local"))
    assert (local.lower, local.upper, local.gap, local.tight) == (2, 2, 0, True)
    assert local.verdicts[0].ok and local.verdicts[0].claimed == local.lower
    assert local.certificate["claim"]["kind"] == "local.bound" and local.value == 2  # .value: the Verdict's
    assert local.statement == "local behaviours: max CHSH == value"
    with pytest.raises(dataclasses.FrozenInstanceError):
        local.lower = 3
    ns = certify.solve(certify.Problem(SC, certify.guess([0, 1], [0, 0]), "no-signalling",
                                       constraints=[(certify.BellExpression.chsh(), ">=", "5/2")]),
                       out=tmp_path / "g.json")
    assert ns.lower == ns.upper == Fraction(7, 8)  # curve c of Pironio et al. 2010: 3/2 - I/4
    assert ns.certificate == str(tmp_path / "g.json") and certify.check(ns.certificate).upper == Fraction(7, 8)
    doc = ns.to_json()
    assert json.loads(json.dumps(doc)) == doc and doc["interval"]["lower"] == "7/8" and doc["ok"]
    assert doc["statement"] == "no-signalling boxes: max P_guess(ab|xy=00) s.t. CHSH >= 5/2 == value"


def test_numpy_statistics_fix_the_box():
    pr = np.empty((2, 2, 2, 2), dtype=object)
    for a, b, x, y in np.ndindex(2, 2, 2, 2):
        pr[a, b, x, y] = Fraction(1, 2) if (a ^ b) == (x & y) else 0
    r = certify.solve(certify.Problem(SC, certify.BellExpression.chsh(), "no-signalling", "min", statistics=pr))
    assert r.lower == r.upper == 4


def test_quantum_two_sided_interval():
    r = certify.solve(certify.Problem(SC, certify.BellExpression.chsh(), "quantum", level="1+AB"), two_sided=True)
    assert r.lower <= 2 * 2**0.5 <= r.upper and r.tight and len(r.certificates) == 2
    assert [v.kind for v in r.verdicts] == ["npa.max", "quantum.strategy"] and all(v.ok for v in r.verdicts)
    assert r.low.kind == "quantum.strategy"  # the Interval's verdicts read through
    one = certify.solve(certify.Problem(SC, certify.BellExpression.chsh(), "quantum", level="1+AB"))
    assert one.lower is None and one.upper == one.verdicts[0].claimed and "two_sided=True" in one.reason


def test_problem_errors_are_named():
    with pytest.raises(certify.ProblemError, match="set: expected one of"):
        certify.solve(certify.Problem(SC, certify.BellExpression.chsh(), "classical"))
    with pytest.raises(certify.ProblemError, match="scenario.outputs"):
        certify.Scenario([2, 2], [2, 1])
    with pytest.raises(certify.ProblemError, match="too large to enumerate locally"):
        big = certify.Scenario([8] * 4, [2] * 4)
        term = ((0, 0, 0, 0), (0, 0, 0, 0), 1)
        certify.solve(certify.Problem(big, certify.BellExpression.from_terms(big, [term]), "local"))


def test_infeasible_constraints_are_refuted_by_a_kernel_verdict():
    p = certify.Problem(SC, certify.guess([0, 1], [0, 0]), "no-signalling",
                        constraints=[(certify.BellExpression.chsh(), ">=", 5)])
    with pytest.raises(certify.InfeasibleError) as info:
        certify.solve(p)
    assert "no no-signalling box has CHSH >= 5" in str(info.value)
    assert "the kernel proves max CHSH == 4 VERIFIED" in str(info.value)


def test_bits_from_numpy_counts_equals_the_chain_on_table_1(tmp_path):
    table = read_counts("certify/data/pironio2010_table1.csv")
    wide = np.array([[table.counts[x, y, a, b] for a in (0, 1) for b in (0, 1)] for x in (0, 1) for y in (0, 1)],
                    dtype=np.int32)
    r = certify.bits(wide, out=tmp_path / "chain.json")
    assert r.bits == r.lower == 42 and r.upper is None and r.n == 3016  # Pironio et al. 2010, Table 1
    assert r.verdicts[0].ok and r.verdicts[0].kind == "bits.chsh" and r.verdicts[0].claimed == 42
    assert certify.check(r.certificate).ok
    assert r.to_json()["bits"] == 42


def test_bits_of_any_bell_test_through_the_public_api(tmp_path):
    """`certify.bits(counts, problem=...)`: the bits.bell chain; the biased-input CHSH example (made up) gives
    the 973 bits its committed certificate proves (proofs/bell), through one kernel verdict."""
    r = certify.bits("certify/data/examples/chsh_biased_counts.csv", problem="certify/data/examples/chsh_biased_bits.json",
                     out=tmp_path / "bell.json")
    assert r.bits == r.lower == 973 and r.n == 6006
    assert r.verdicts[0].ok and r.verdicts[0].kind == "bits.bell" and r.verdicts[0].claimed == 973
    assert certify.check(tmp_path / "bell.json").ok and r.to_json()["bits"] == 973
    with pytest.raises(certify.ProblemError, match="scenario"):
        certify.bits("certify/data/examples/chsh_biased_counts.csv", problem={"scenario": {"inputs": [2]}})


def test_bits_refuses_float_counts_and_contradicted_inputs():
    with pytest.raises(certify.ProblemError, match=r"counts\[0, 0, 0, 0\]: 2.5 is a float"):
        certify.bits(np.full((2, 2, 2, 2), 2.5))
    skewed = np.full((2, 2, 2, 2), 100)
    skewed[0, 0] = 400  # inputs 00 in 1600 of 2800 trials, stated uniform
    with pytest.raises(certify.ProblemError, match="inputs x=0,y=0 occur 1600 times in 2800 trials"):
        certify.bits(skewed)


def test_check_result(tmp_path):
    r = certify.check("proofs/pironio2010/npa/tsirelson-2.json")
    assert r.ok and len(r) == 1 and r[0].kind == "npa.max" and r.upper == r[0].high
    assert r.to_json()["command"] == "check"
    with pytest.raises(certify.ProblemError, match="no such file"):
        certify.check(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    cert = json.loads(open("proofs/pironio2010/npa/tsirelson-2.json").read())
    cert["claim"]["value"] = "2"  # "CHSH <= 2" at level 2: false (Tsirelson's bound is 2 sqrt 2)
    bad.write_text(json.dumps(cert))
    assert not certify.check(bad).ok
    with pytest.raises(certify.NotProvenError):
        certify.check(bad, strict=True)


def test_statements_are_generated_from_the_problem():
    from certify.problem import parse, statement, strategy_statement

    e = certify.BellExpression.from_terms(SC, [((0, 0), (0, 0), 1), ((1, None), (0, None), "-1/2")], constant=3)
    p = parse(certify.Problem(SC, certify.guess([0, 1], [0, 0]), "quantum", level="2",
                              constraints=[(certify.BellExpression.chsh(), ">=", "5/2"), (e, "<=", 1)]))
    assert statement(p, "<=") == ("NPA level 2 (an outer relaxation of the quantum set): max P_guess(ab|xy=00) s.t. "
                                  "CHSH >= 5/2, P(ab=00|xy=00) - 1/2 P(a=1|x=0) + 3 <= 1 <= value")
    assert strategy_statement(p, ">=").startswith("quantum strategies: max P_guess(ab|xy=00) s.t. CHSH >= 5/2")
    minus = parse(certify.Problem(SC, -certify.BellExpression.chsh(), "no-signalling", "min"))
    assert statement(minus, "==") == "no-signalling boxes: min -CHSH == value"
    wide = certify.Scenario([2] * 3, [2] * 3)
    mermin = certify.BellExpression.correlators(wide, [[[0, 0, 0], [0, 0, 0], [0, 0, 0]],  # <A0B0C1> + <A0B1C0>
                                                       [[0, 0, 0], [0, 0, 1], [0, 1, 0]],  # + <A1B0C0> - <A1B1C1>
                                                       [[0, 0, 0], [0, 1, 0], [0, 0, -1]]])
    assert statement(parse(certify.Problem(wide, mermin, "local")), "==") == \
        "local behaviours: max a Bell expression (32 terms) == value"


def test_kernel_only_install_checks_and_solves_local_problems():
    """Without the solver stack: check and local solve work; a solver-backed problem raises SolverError."""
    code = """
import sys
for m in ('numpy', 'scipy', 'highspy', 'cvxpy', 'clarabel', 'sympy', 'mpmath'):
    sys.modules[m] = None
import certify
sc = certify.Scenario([2, 2], [2, 2])
print(certify.check('proofs/pironio2010/npa/tsirelson-2.json').ok)
print(certify.solve(certify.Problem(sc, certify.BellExpression.chsh(), 'local')).upper)
try:
    certify.solve(certify.Problem(sc, certify.BellExpression.chsh(), 'no-signalling'))
except certify.SolverError as error:
    print(error)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.splitlines()
    assert out[:2] == ["True", "2"] and "needs the solver stack" in out[2] and "pip install 'certify[solve]'" in out[2]
