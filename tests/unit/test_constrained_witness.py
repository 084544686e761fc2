"""Quantum lower witnesses under constraints (issue 12): an explicit rational strategy is a witness only if it
meets the constraints exactly, which the kernel checks on the mixture (certify/kernel/strategy.py).

  ">=" / "<=": a strategy strictly inside (see-saw with a margin, exact weights after rounding);
  "==" and observed statistics: an exact mixture (certify.strategy_rounding.exact_mixture): rounded quantum
  components and deterministic strategies, weights solved in Fractions so the equalities hold exactly;
  none found: the interval is one-sided and says "no lower witness: ..." (never a float pretending).
"""

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import certify
from certify.cli import main
from certify.expressions import expression_to_json
from certify.kernel import check_certificate
from certify.problem import Problem, solve

SC = {"inputs": [2, 2], "outputs": [2, 2]}
CHSH = {"correlators": [{"coef": "1", "inputs": [0, 0]}, {"coef": "1", "inputs": [0, 1]},
                        {"coef": "1", "inputs": [1, 0]}, {"coef": "-1", "inputs": [1, 1]}]}
P0000 = {"bell": {"terms": [{"coef": "1", "outputs": [0, 0], "inputs": [0, 0]}]}}


def _p00(relation, sense="max"):
    """P(ab=00|xy=00) s.t. CHSH r 5/2 at NPA level 2."""
    return Problem(SC, P0000, "quantum", sense, ({"expression": CHSH, "relation": relation, "value": "5/2"},),
                   level="2")


def _both_verified(result, tmp_path, name):
    """Both certificates written and re-checked by `certify check`; the strategy's kind and side."""
    paths = result.write(str(tmp_path / f"{name}.json"))
    assert len(paths) == 2 and main(["check", *paths]) == 0
    assert {v.kind for v in result.verdicts} == {"npa.max", "quantum.strategy"} and all(v.ok for v in result.verdicts)


def test_p00_given_chsh_at_least_5_2_level_2(tmp_path):
    # the upper end is the NPA level-2 dual, the lower end one explicit strategy strictly inside CHSH >= 5/2
    r = solve(_p00(">="), two_sided=True)
    _both_verified(r, tmp_path, "ge")
    assert r.low.kind == "quantum.strategy" and r.tight and 0 < r.gap <= Fraction(1, 10**6)
    assert 0.7967319 < float(r.lower) <= float(r.upper) < 0.7967322


def test_p00_given_chsh_equal_5_2_is_an_exact_mixture(tmp_path):
    # no single rounded strategy has CHSH == 5/2 exactly; a mixture of two (weights solved exactly) does
    r = solve(_p00("=="), two_sided=True)
    _both_verified(r, tmp_path, "eq")
    strategy = r.certificates[1]
    assert len(strategy["evidence"]["components"]) >= 2 and "exact mixture" in strategy["producer"]["method"]
    assert r.tight and 0.7967319 < float(r.lower) <= float(r.upper) < 0.7967322
    low = solve(_p00("==", "min"), two_sided=True)  # a min: the strategy is the upper end
    assert low.high.kind == "quantum.strategy" and low.tight and 0.1313273 < float(low.lower) <= float(low.upper) < 0.1313275


def _noisy_chsh(c):
    """P(ab|xy) = (1 + (-1)^(a + b + xy) c) / 4: CHSH = 4c (quantum for c <= 1/sqrt 2, local for c <= 1/2)."""
    table = np.empty((2, 2, 2, 2), dtype=object)
    for a, b, x, y in np.ndindex(2, 2, 2, 2):
        table[a, b, x, y] = (1 + (-1) ** (a ^ b ^ (x & y)) * Fraction(c)) / 4
    return table


@pytest.mark.parametrize("c, guess, low, high", [
    ("7/10", [0, 1], 0.516206, 0.516207),  # the adversary's decomposition: nine components, four guesses
    ("7/10", [0], 0.599014, 0.599015),
    ("1/2", [0, 1], 1, 1 + 1e-6),  # a local behaviour: deterministic strategies, Eve guesses perfectly
])
def test_guess_under_observed_statistics(tmp_path, c, guess, low, high):
    sc = certify.Scenario([2, 2], [2, 2])
    problem = certify.Problem(sc, certify.guess(guess, [0] * len(guess)), "quantum", statistics=_noisy_chsh(c),
                              level="1+AB")
    r = solve(problem, two_sided=True)
    _both_verified(r, tmp_path, "stats")
    assert r.tight and low <= r.lower <= r.upper <= high


def test_bell_value_under_observed_statistics_is_exact():
    # the statistics fix CHSH = 4c = 14/5; the witness is an exact decomposition of the observed behaviour
    problem = certify.Problem(certify.Scenario([2, 2], [2, 2]), certify.BellExpression.chsh(), "quantum",
                              statistics=_noisy_chsh("7/10"), level="1+AB")
    r = solve(problem, two_sided=True)
    assert r.lower == Fraction(14, 5) and r.tight and float(r.upper) - 2.8 < 1e-6
    assert check_certificate(r.certificates[1], "strategy").ok


def test_no_witness_is_said_not_pretended(monkeypatch, capsys, tmp_path):
    import certify.strategy_rounding as rounding

    monkeypatch.setattr(rounding, "exact_mixture", lambda *args, **kwargs: None)
    r = solve(_p00("=="), two_sided=True)
    assert r.lower is None and r.gap is None and not r.tight and r.upper is not None
    assert r.reason.startswith("no lower witness: 1 equality constraint")
    low = solve(_p00("==", "min"), two_sided=True)  # a min: the strategy would be the upper end
    assert low.upper is None and low.lower is not None and low.reason.startswith("no upper witness: 1 equality")
    path = tmp_path / "p.json"
    path.write_text(json.dumps(_p00("==").to_json()))
    assert main(["solve", str(path)]) == 0
    assert "no certified lower end (no lower witness: 1 equality constraint" in capsys.readouterr().out
    stats = certify.Problem(certify.Scenario([2, 2], [2, 2]), certify.guess([0], [0]), "quantum",
                            statistics=_noisy_chsh("7/10"), level="1+AB")
    assert solve(stats, two_sided=True).reason.startswith("no lower witness: the observed statistics")


def test_exact_mixture_meets_equalities_exactly():
    """Unit: deterministic strategies alone hit a local target exactly (CHSH == 2, P(a=0|x=0) == 1/2)."""
    from certify.kernel.defs.scenario import Scenario, chsh, make_expression
    from certify.strategy_rounding import deterministic_components, exact_mixture

    sc = Scenario((2, 2), (2, 2))
    marginal = make_expression(sc, [((0, None), (0, None), 1)])
    goal = make_expression(sc, [((0, 0), (0, 0), 1)])
    pool = deterministic_components(sc, False)
    assert len(pool) == 16
    evidence, value = exact_mixture(pool, sc, [goal], [(chsh(), "==", Fraction(2)), (marginal, "==", Fraction(1, 2))],
                                    "max", False)
    assert value == Fraction(1, 2) and sum(Fraction(c["weight"]) for c in evidence["components"]) == 1
    problem = {"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, "objective": {"bell": expression_to_json(goal)},
               "statistics": [{"expression": expression_to_json(chsh()), "value": "2"},
                              {"expression": expression_to_json(marginal), "value": "1/2"}]}
    from certify.kernel.strategy import check

    assert check(problem, ">=", Fraction(0), evidence, "t").low == Fraction(1, 2)


def test_three_party_guess_under_an_inequality_mixes_beyond_two_points(tmp_path):
    # P_guess(a|x=0) s.t. Mermin >= 3: the Lagrangian's mixture of two see-saw points stops at 0.944952; the exact
    # mixture of both sides' strategies and deterministic ones reaches 1/4 + 1/sqrt 2 (the level's value here)
    example = json.loads((Path(__file__).resolve().parents[2] / "certify" / "data" / "examples" /
                          "mermin3_quantum.json").read_text())
    mermin = example["objective"]["bell"]
    problem = Problem.from_json(dict(example, objective={"guess": {"parties": [0], "inputs": [0]}},
                                     constraints=[{"expression": mermin, "relation": ">=", "value": "3"}]))
    r = solve(problem, two_sided=True)
    _both_verified(r, tmp_path, "mermin")
    assert r.tight and abs(float(r.lower) - (0.25 + 0.5 ** 0.5)) < 1e-9


def test_three_input_statistics_get_a_witness_from_the_direction_of_the_observed_behaviour(tmp_path):
    # correlators 0.9 cos(theta_x - phi_y) of qubit measurements (rounded to 10^-6), zero marginals: the dual's
    # Lagrangian alone does not surround P; the boundary point beyond P (from the uniform behaviour) does, and
    # priced columns (column generation on the objective) then narrow the gap from 0.004 to 0.0011
    import math

    th, ph = [0, math.pi / 3, 2 * math.pi / 3], [math.pi / 6, math.pi / 2, 5 * math.pi / 6]
    table = np.empty((2, 2, 3, 3), dtype=object)
    for a, b, x, y in np.ndindex(2, 2, 3, 3):
        table[a, b, x, y] = (1 + (-1) ** (a + b) * Fraction(round(0.9 * math.cos(th[x] - ph[y]) * 10**6), 10**6)) / 4
    problem = certify.Problem(certify.Scenario([3, 3], [2, 2]), certify.guess([0], [0]), "quantum", statistics=table,
                              level="1+AB")
    r = solve(problem, two_sided=True)
    _both_verified(r, tmp_path, "i3322stats")
    assert "towards the observed behaviour" in r.certificates[1]["producer"]["method"]
    assert Fraction(1, 2) < r.lower < r.upper < Fraction(81, 100) and r.gap < Fraction(2, 1000)
    assert "priced columns" in r.certificates[1]["producer"]["method"]


def test_an_inequality_and_an_equality_min_from_the_dual_lagrangian(tmp_path):
    # min P(00|00) s.t. CHSH >= 5/2 and P(a=0|x=1) == 1/2: the NPA dual's multipliers (lambda, mu) give the
    # Lagrangian whose tilted best responses, mixed exactly, meet both constraints; the strategy is the upper end
    marginal = {"terms": [{"coef": "1", "outputs": [0, None], "inputs": [1, None]}]}
    problem = Problem(SC, P0000, "quantum", "min", ({"expression": CHSH, "relation": ">=", "value": "5/2"},
                                                     {"expression": marginal, "relation": "==", "value": "1/2"}),
                      level="2")
    r = solve(problem, two_sided=True)
    _both_verified(r, tmp_path, "mixed")
    assert r.high.kind == "quantum.strategy" and "NPA dual's Lagrangian" in r.certificates[1]["producer"]["method"]
    # measured: NPA 0.1329938288 (the 'tied' first rung, issue 14; 0.1329937745 from 'lmi'), strategy from
    # its Lagrangian 0.1329946495 ('lmi' duals gave 0.1329938582): tight at 1e-6 either way
    assert r.tight and 0.1329937 < float(r.lower) <= float(r.upper) < 0.1329947
