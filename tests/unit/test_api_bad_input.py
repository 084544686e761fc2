"""Issue 12's bad input, on the command line: one line on stderr, a non-zero exit.

"Unbounded" has no DI instance: every objective is an affine function of probabilities over a compact
set (local polytope, no-signalling polytope, NPA spectrahedron), so every max and min is finite. What
a user can write that has no meaningful optimum is refused instead: an objective naming outputs,
inputs or parties outside the scenario, a guess over no parties, and a minimised guessing probability
(the adversary maximises). docs/your-experiment.md lists these cases.
"""

import json

import pytest

from certify.cli import main

SC = {"inputs": [2, 2], "outputs": [2, 2]}
CHSH = {"correlators": [{"coef": "1", "inputs": [0, 0]}, {"coef": "1", "inputs": [0, 1]},
                        {"coef": "1", "inputs": [1, 0]}, {"coef": "-1", "inputs": [1, 1]}]}
GUESS = {"guess": {"parties": [0, 1], "inputs": [0, 0]}}


def run(tmp_path, capsys, problem, *flags):
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem))
    code = main(["solve", str(path), *flags])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("certify solve: error: "), captured.err
    return code, lines[0]


@pytest.mark.parametrize("problem,needle", [
    ({"scenario": SC, "set": "local", "objective": {"bell": {"terms": [{"coef": "1", "outputs": [0, 2],
                                                                        "inputs": [0, 0]}]}}},
     "objective.bell.terms[0]: output 2 of party B outside 0..1"),
    ({"scenario": SC, "set": "no-signalling", "objective": {"bell": {"correlators": [{"coef": "1", "inputs": [0, 5]}]}}},
     "objective.bell.terms[0]: input 5 of party B outside 0..1"),
    ({"scenario": SC, "set": "no-signalling", "objective": {"guess": {"parties": [], "inputs": []}}},
     "objective.guess.parties: expected distinct parties"),
    ({"scenario": SC, "set": "no-signalling", "objective": {"guess": {"parties": [0, 2], "inputs": [0, 0]}}},
     "objective.guess.parties"),
    ({"scenario": SC, "set": "no-signalling", "sense": "min", "objective": GUESS},
     "sense: a guessing probability is maximised"),
])
def test_no_meaningful_optimum_is_refused(tmp_path, capsys, problem, needle):
    code, line = run(tmp_path, capsys, problem)
    assert code == 2 and needle in line


def test_infeasible_no_signalling_constraint_is_refuted_by_a_kernel_verdict(tmp_path, capsys):
    problem = {"scenario": SC, "set": "no-signalling", "objective": GUESS,
               "constraints": [{"expression": CHSH, "relation": ">=", "value": "5"}]}
    code, line = run(tmp_path, capsys, problem)
    assert code == 2 and "constraints[0]: infeasible: no no-signalling box has CHSH >= 5" in line
    assert "since the kernel proves max CHSH == 4 VERIFIED" in line


def test_infeasible_quantum_constraint_is_refuted_by_the_npa_bound(tmp_path, capsys):
    problem = {"scenario": SC, "set": "quantum", "level": "1", "objective": GUESS,
               "constraints": [{"expression": CHSH, "relation": ">=", "value": "3"}]}
    code, line = run(tmp_path, capsys, problem, "--one-sided")
    assert code == 2 and "no behaviour at NPA level 1 has CHSH >= 3" in line and "max CHSH <= " in line


def test_statistics_outside_the_quantum_set_are_refuted_by_the_npa_bound(tmp_path, capsys):
    # the PR box as observed statistics: G = sum (P - 1/4) p, the direction from the uniform behaviour, has
    # G(PR) = 1 while the kernel proves max G <= 1/sqrt 2 at level 1+AB (here G = CHSH / 4)
    pr = [{"outputs": [a, b], "inputs": [x, y], "p": "1/2" if a ^ b == x & y else "0"}
          for a in range(2) for b in range(2) for x in range(2) for y in range(2)]
    problem = {"scenario": SC, "set": "quantum", "level": "1+AB", "objective": GUESS, "statistics": {"p": pr}}
    code, line = run(tmp_path, capsys, problem)
    assert code == 2 and "problem.statistics: infeasible: the observed behaviour P is outside NPA level 1+AB" in line
    assert "G(P) = 1, while the kernel proves max G <= " in line and "(~0.70710" in line and "VERIFIED" in line


def test_jointly_infeasible_constraints_are_refuted_by_a_weighted_sum(tmp_path, capsys):
    # each alone is feasible (CHSH reaches 4 and -4); 1/2 (CHSH - 3) - 1/2 (CHSH - 1) >= 0 reads 0 >= 1
    problem = {"scenario": SC, "set": "no-signalling", "objective": GUESS,
               "constraints": [{"expression": CHSH, "relation": ">=", "value": "3"},
                               {"expression": CHSH, "relation": "<=", "value": "1"}]}
    code, line = run(tmp_path, capsys, problem)
    assert code == 2 and "1/2 x constraints[0], -1/2 x constraints[1] reads 0 >= 1, which is false" in line


def test_jointly_infeasible_marginals_are_refuted_by_a_kernel_verdict(tmp_path, capsys):
    # P(a=0|0) >= 3/4 and P(b=0|0) >= 3/4 force P(ab=00|00) >= 1/2: the Farkas sum is P(a=0 or b=0)/3 <= 1/3 < 5/12
    term = lambda outs, ins: {"terms": [{"coef": "1", "outputs": outs, "inputs": ins}]}  # noqa: E731
    problem = {"scenario": SC, "set": "no-signalling", "objective": GUESS, "constraints": [
        {"expression": term([0, None], [0, None]), "relation": ">=", "value": "3/4"},
        {"expression": term([None, 0], [None, 0]), "relation": ">=", "value": "3/4"},
        {"expression": term([0, 0], [0, 0]), "relation": "<=", "value": "1/4"}]}
    code, line = run(tmp_path, capsys, problem)
    assert code == 2 and "infeasible together: every box satisfying them has C >= 5/12" in line
    assert "the kernel proves max C == 1/3 (~0.3333333333) VERIFIED" in line


def test_without_a_farkas_sum_the_solver_status_is_labelled_not_a_verdict(tmp_path, capsys, monkeypatch):
    from certify import infeasible

    monkeypatch.setattr(infeasible, "_phase_one", lambda sc, rows: None)
    problem = {"scenario": SC, "set": "no-signalling", "objective": GUESS,
               "constraints": [{"expression": CHSH, "relation": ">=", "value": "3"},
                               {"expression": CHSH, "relation": "<=", "value": "1"}]}
    code, line = run(tmp_path, capsys, problem)
    assert code == 2 and "NOT a kernel verdict" in line and "VERIFIED" not in line


def test_scenario_too_large_to_enumerate_locally(tmp_path, capsys):
    term = {"coef": "1", "outputs": [0] * 4, "inputs": [0] * 4}
    problem = {"scenario": {"inputs": [8] * 4, "outputs": [2] * 4}, "set": "local", "objective": {"bell": {"terms": [term]}}}
    code, line = run(tmp_path, capsys, problem)
    assert code == 2 and "16777216 deterministic strategies" in line and "too large to enumerate locally" in line


def test_counts_contradicting_the_stated_input_distribution(tmp_path, capsys):
    rows = [{"x": x, "y": y, "N00": 400 if (x, y) == (0, 0) else 100, "N01": 100, "N10": 100, "N11": 100}
            for x in (0, 1) for y in (0, 1)]
    path = tmp_path / "counts.json"
    path.write_text(json.dumps({"counts": rows, "p_xy": {"00": "1/4", "01": "1/4", "10": "1/4", "11": "1/4"}}))
    assert main(["bits", "--counts", str(path)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "input frequencies contradict P(xy): inputs x=0,y=0 occur 700 times in 1900" in lines[0]
    assert "chi-square" in lines[0] and "< 1e-06" in lines[0]
