"""certify.Problem / certify.solve: parsing, every set, min/max, constraints, statistics, errors."""

import json
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

import certify
from certify.certificate import checked
from certify.errors import CertifyError
from certify.expressions import expression_to_json
from certify.kernel.defs.scenario import chsh
from certify.problem import Problem, certify_problem

SC = {"inputs": [2, 2], "outputs": [2, 2]}
CHSH = expression_to_json(chsh())
CORRELATORS = {"correlators": [{"coef": "1", "inputs": [0, 0]}, {"coef": "1", "inputs": [0, 1]},
                               {"coef": "1", "inputs": [1, 0]}, {"coef": "-1", "inputs": [1, 1]}]}


def test_import_certify_loads_no_solver():
    code = "import sys, certify; certify.Problem; print(any(m in sys.modules for m in ('numpy', 'cvxpy', 'highspy')))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_correlator_form_is_chsh():
    for st, expected in (("local", 2), ("no-signalling", 4)):
        assert certify.solve(Problem(SC, {"bell": CORRELATORS}, st)).value == expected


def test_numpy_sizes_and_json_roundtrip():
    p = Problem({"inputs": list(np.array([2, 2])), "outputs": [np.int64(2), 2]}, {"bell": CHSH}, "local")
    assert certify.solve(p).value == 2
    assert Problem.from_json(json.loads(json.dumps(Problem(SC, {"bell": CHSH}, "local").to_json()))).set == "local"


def test_ns_guess_under_constraints_and_statistics():
    # curve c (Pironio et al. 2010): G_NS(I) = 3/2 - I/4
    guess = {"guess": {"parties": [0, 1], "inputs": [0, 0]}}
    cons = [{"expression": CHSH, "relation": ">=", "value": "5/2"}]
    assert certify.solve(Problem(SC, guess, "no-signalling", constraints=cons)).value == Fraction(7, 8)
    cons = [{"expression": CHSH, "relation": "==", "value": "3"}, {"expression": CHSH, "relation": "<=", "value": 4}]
    assert certify.solve(Problem(SC, guess, "no-signalling", constraints=cons)).value == Fraction(3, 4)
    # the PR box observed in full: CHSH is fixed at 4, min = max = 4
    pr = {"p": [{"outputs": [a, b], "inputs": [x, y], "p": "1/2" if (a ^ b) == (x & y) else "0"}
                for a in range(2) for b in range(2) for x in range(2) for y in range(2)]}
    for sense in ("max", "min"):
        assert certify.solve(Problem(SC, {"bell": CHSH}, "no-signalling", sense, statistics=pr)).value == 4


def test_quantum_min_is_minus_max_and_one_inequality():
    up = certify.solve(Problem(SC, {"bell": CHSH}, "quantum", level="1+AB"))
    low = certify.solve(Problem(SC, {"bell": CHSH}, "quantum", "min", level="1+AB"))
    assert up.relation == "<=" and low.relation == ">=" and low.low is not None
    assert abs(float(up.value) - 2 * 2**0.5) < 1e-6 and abs(float(low.value) + 2 * 2**0.5) < 1e-6
    # "CHSH <= 5/2" is sent as "-CHSH >= -5/2": the local guess at CHSH in [.., 5/2] is 1 (a deterministic box)
    g = certify.solve(Problem(SC, {"guess": {"parties": [0], "inputs": [0]}}, "quantum",
                              constraints=[{"expression": CHSH, "relation": "<=", "value": "5/2"}], level="1+AB"))
    assert abs(float(g.value) - 1) < 1e-6


def test_cli_solve_writes_a_checkable_certificate(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"scenario": SC, "objective": {"bell": CORRELATORS}, "set": "no-signalling"}))
    out = tmp_path / "c.json"
    run = subprocess.run([sys.executable, "-m", "certify.cli", "solve", str(path), "--min", "--id", "me/chsh-ns",
                          "--out", str(out)], capture_output=True, text=True)
    assert run.returncode == 0 and "== -4 VERIFIED" in run.stdout, run.stderr
    assert certify.check(str(out))[0].claim_id == "me/chsh-ns"


@pytest.mark.parametrize("change,needle", [
    ({"set": "classical"}, "set: expected one of"),
    ({"sense": "least"}, 'sense: expected "max" or "min"'),
    ({"set": "quantum"}, "level: required"),
    ({"level": "2"}, "only the quantum set"),
    ({"objective": {"guess": {"parties": [0], "inputs": [0]}}}, "local set takes a Bell objective"),  # constraints: fine
    ({"objective": {"guess": {"parties": [0], "inputs": [0]}}, "set": "no-signalling", "sense": "min"}, "maximised"),
    ({"objective": {"bell": {"correlators": [{"coef": "1", "inputs": [0, 2]}]}}}, "input 2 of party B"),
    ({"scenario": {"inputs": [2, 2], "outputs": [2, 2.0]}}, "expected an integer"),
    ({"extra": 1}, "unknown field 'extra'"),
])
def test_bad_problems_name_the_field(change, needle):
    obj = dict({"scenario": SC, "objective": {"bell": CHSH}, "set": "local"}, **change)
    with pytest.raises(CertifyError, match=needle.replace("(", r"\(").replace("+", r"\+")):
        certify_problem(obj)


def test_infeasible_ns_constraints_raise():
    cons = [{"expression": CHSH, "relation": ">=", "value": "5"}]
    with pytest.raises(CertifyError, match="infeasible"):
        certify_problem(Problem(SC, {"bell": CHSH}, "no-signalling", constraints=cons))


def test_tampered_ns_extension_is_rejected():
    cons = [{"expression": CHSH, "relation": ">=", "value": "5/2"}]
    cert, verdict = certify_problem(Problem(SC, {"guess": {"parties": [0, 1], "inputs": [0, 0]}}, "no-signalling",
                                            constraints=cons))
    assert verdict.ok and any(k.startswith("con:") for k in cert["evidence"]["dual"])
    bad = json.loads(json.dumps(cert))
    bad["claim"]["problem"]["constraints"][0]["value"] = "2"  # loosen the constraint: hash mismatch
    assert checked(bad, "c").status == "false"
    bad = json.loads(json.dumps(cert))
    bad["claim"]["value"] = "3/4"
    assert checked(bad, "c").status == "false"
    bad = json.loads(json.dumps(cert))
    key = next(k for k in bad["evidence"]["dual"] if k.startswith("con:"))
    bad["evidence"]["dual"][key] = "1"  # a ">=" row needs y <= 0: the slack column catches it
    assert checked(bad, "c").status == "false"


def test_tampered_npa_min_and_kappa_are_rejected():
    cert, verdict = certify_problem(Problem(SC, {"bell": CHSH}, "quantum", "min", level="1"))
    assert verdict.ok
    bad = json.loads(json.dumps(cert))
    bad["claim"]["value"] = "-2"  # min CHSH >= -2 is false over the quantum set
    assert checked(bad, "c").status == "false"
    bad = json.loads(json.dumps(cert))
    del bad["claim"]["problem"]["sense"]  # the same dual read as a max: hash mismatch
    assert checked(bad, "c").status == "false"


def test_npa_constraints_kappa_sign_is_checked():
    """kappa = 0 on an added constraint keeps the bound; a wrong-signed kappa is rejected."""
    from certify.kernel import check_certificate, problem_sha256
    cert, _ = certify_problem(Problem(SC, {"bell": CHSH}, "quantum", level="1"))
    cert = json.loads(json.dumps(cert))
    cert["claim"]["problem"]["constraints"] = [{"expression": CHSH, "relation": ">=", "value": "2"}]
    cert["problem_sha256"] = problem_sha256(cert["claim"]["problem"])
    cert["evidence"]["kappa"] = ["0"]
    assert check_certificate(cert, "c").ok
    cert["evidence"]["kappa"] = ["-1"]
    verdict = check_certificate(cert, "c")
    assert verdict.status == "false" and "wrong sign" in verdict.reason
