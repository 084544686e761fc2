"""Published Bell values recomputed through certify.solve (issue 12), and the laws between the sets."""

import json
from dataclasses import replace
from fractions import Fraction
from math import cos, pi, sqrt
from pathlib import Path

from conftest import random_two_party_expression
from hypothesis import given, settings
from hypothesis import strategies as st

import certify
from certify.cli import main
from certify.expressions import expression_to_json
from certify.kernel.defs.scenario import chsh
from certify.problem import Problem, solve

SC2 = {"inputs": [2, 2], "outputs": [2, 2]}
SC3 = {"inputs": [3, 3], "outputs": [2, 2]}


def _i3322():
    """I3322 in Collins-Gisin form (Collins and Gisin, J. Phys. A 37, 1775 (2004)): local bound 0."""
    t = lambda c, o, i: {"coef": c, "outputs": o, "inputs": i}
    terms = [t("-1", [0, None], [0, None]), t("-2", [None, 0], [None, 0]), t("-1", [None, 0], [None, 1])]
    signs = {(0, 0): 1, (0, 1): 1, (0, 2): 1, (1, 0): 1, (1, 1): 1, (1, 2): -1, (2, 0): 1, (2, 1): -1}
    return {"terms": terms + [t(str(c), [0, 0], [x, y]) for (x, y), c in signs.items()]}


def test_chsh_local_quantum_ns():
    e = {"bell": expression_to_json(chsh())}
    assert certify.solve(Problem(SC2, e, "local")).value == 2
    assert certify.solve(Problem(SC2, e, "no-signalling")).value == 4
    q = certify.solve(Problem(SC2, e, "quantum", level="1+AB"))
    assert q.relation == "<=" and 0 <= float(q.value) - 2 * sqrt(2) < 1e-6


def test_i3322_local_ns_and_npa_level_2():
    e = {"bell": _i3322()}
    assert certify.solve(Problem(SC3, e, "local")).value == 0
    assert certify.solve(Problem(SC3, e, "no-signalling")).value == 1
    q = certify.solve(Problem(SC3, e, "quantum", level="2"))
    # Pal and Vertesi, PRA 82, 022116 (2010): sup over quantum 0.2508753845; NPA level 2 gives 0.25094
    assert 0.2508753845 <= float(q.value) < 0.2508753845 + 1e-4
    assert abs(float(q.value) - 0.250940) < 2e-6


def test_chained_bell_three_inputs_minimum():
    # Braunstein-Caves chained inequality, N = 3: local -4, quantum -2N cos(pi/2N) = -3 sqrt 3, NS -6
    cor = []
    for k in range(3):
        cor += [{"coef": "1", "inputs": [k, k]}, {"coef": "1" if k < 2 else "-1", "inputs": [(k + 1) % 3, k]}]
    e = {"bell": {"correlators": cor}}
    assert certify.solve(Problem(SC3, e, "local", "min")).value == -4
    assert certify.solve(Problem(SC3, e, "no-signalling", "min")).value == -6
    q = certify.solve(Problem(SC3, e, "quantum", "min", level="1+AB"))
    assert q.relation == ">=" and 0 <= -6 * cos(pi / 6) - float(q.value) < 1e-5


coefficient = st.integers(-3, 3)


@settings(max_examples=8, deadline=None)
@given(st.lists(coefficient, min_size=8, max_size=8), st.lists(coefficient, min_size=4, max_size=4))
def test_local_below_quantum_below_no_signalling_and_negation(full, marginal):
    """Law: local max <= NPA bound (>= quantum) and local max <= NS max; NPA at level 1+AB <= NS + 1e-6;
    min of e = -(max of -e) in each set."""
    expr, neg = random_two_party_expression(full, marginal)
    e, n = {"bell": expression_to_json(expr)}, {"bell": expression_to_json(neg)}
    local = certify.solve(Problem(SC2, e, "local")).value
    ns = certify.solve(Problem(SC2, e, "no-signalling")).value
    q = certify.solve(Problem(SC2, e, "quantum", level="1+AB")).value
    assert local <= ns and local <= q + Fraction(1, 10**9) and float(q) <= float(ns) + 1e-6
    for st_ in ("local", "no-signalling"):
        assert certify.solve(Problem(SC2, n, st_, "min")).value == -certify.solve(Problem(SC2, e, st_)).value
    qmin = certify.solve(Problem(SC2, n, "quantum", "min", level="1+AB")).value
    assert abs(float(qmin) + float(q)) < 1e-6


# --- two-sided quantum intervals (issue 12 item 2): an NPA upper bound and an explicit-strategy lower bound ---

EXAMPLES = Path(__file__).resolve().parents[2] / "certify" / "data" / "examples"


def _interval(name, tmp_path, tol=Fraction(1, 10**6), **changes):
    """Solve a shipped example two-sided, write both certificates and re-check them with `certify check`."""
    problem = replace(Problem.from_json(json.loads((EXAMPLES / f"{name}.json").read_text())), **changes)
    result = solve(problem, out=str(tmp_path / f"{name}.json"), two_sided=True, tight_tol=tol)
    assert len(result.certificates) == 2 and main(["check", str(tmp_path / f"{name}.json"),
                                                   str(tmp_path / f"{name}.strategy.json")]) == 0
    kinds = {v.kind: v for v in result.verdicts}
    assert set(kinds) == {"npa.max", "quantum.strategy"} and all(v.ok for v in result.verdicts)
    return result


def test_chsh_tsirelson_interval_gap_below_1e9(tmp_path):
    # Tsirelson, Lett. Math. Phys. 4, 93 (1980): max CHSH = 2 sqrt 2, tight at NPA level 1; the strategy's
    # rational points are near cos(pi/8)
    r = _interval("chsh_quantum", tmp_path, Fraction(1, 10**9))
    assert r.lower <= Fraction(2 * 10**15) and r.tight and r.gap <= Fraction(1, 10**9)
    assert float(r.lower) <= 2 * sqrt(2) <= float(r.upper) and r.low.kind == "quantum.strategy"


def test_tilted_chsh_interval(tmp_path):
    # Acin, Massar and Pironio, PRL 108, 100402 (2012): max of beta <A0> + CHSH is sqrt(8 + 2 beta^2); beta = 1
    r = _interval("tilted_chsh_quantum", tmp_path)
    assert r.tight and float(r.lower) <= sqrt(10) <= float(r.upper) and float(r.upper) - sqrt(10) < 1e-6


def test_mermin_three_party_interval(tmp_path):
    # Mermin, PRL 65, 1838 (1990): <A0B0C1> + <A0B1C0> + <A1B0C0> - <A1B1C1> reaches 4 on GHZ (local 2);
    # a real strategy (X and Z on a rotated GHZ state) attains it
    r = _interval("mermin3_quantum", tmp_path)
    assert r.tight and 4 - float(r.lower) < 1e-9 and 0 <= float(r.upper) - 4 < 1e-6


def test_chained_bell_three_inputs_minimum_interval(tmp_path):
    # Braunstein and Caves, Ann. Phys. 202, 22 (1990): the chained sum reaches -2N cos(pi/2N), N = 3
    r = _interval("chained3_min_quantum", tmp_path)
    assert r.low.kind == "npa.max" and r.high.kind == "quantum.strategy"  # a min: the strategy is the upper end
    assert r.tight and float(r.lower) <= -6 * cos(pi / 6) <= float(r.upper)


def test_cglmp_three_outcomes_interval(tmp_path):
    # Collins, Gisin, Linden, Massar and Popescu, PRL 88, 040404 (2002), d = 3 (local 2); Acin, Durt, Gisin
    # and Latorre, PRA 65, 052325 (2002): quantum max 1 + sqrt(11/3) with a non-maximally entangled state;
    # the strategy uses real qutrit bases (three rank-one projectors per input)
    r = _interval("cglmp3_quantum", tmp_path)
    assert r.tight and float(r.lower) <= 1 + sqrt(11 / 3) <= float(r.upper) and 1 + sqrt(11 / 3) - float(r.lower) < 1e-9


def test_chsh_guess_at_2414_level_2_gap_below_1e6(tmp_path):
    # Pironio et al., Nature 464, 1021 (2010), Fig. 2: G(I) at I = 2.414; the strategy is the adversary's
    # mixture, each component naming its guess, and satisfies CHSH >= 2.414 exactly
    r = _interval("guess_chsh_quantum", tmp_path, constraints=(dict(json.loads(
        (EXAMPLES / "guess_chsh_quantum.json").read_text())["constraints"][0], value="1207/500"),))
    assert r.tight and r.gap <= Fraction(1, 10**6) and 0.84 < float(r.lower) <= float(r.upper) < 0.8425


def test_local_below_quantum_interval_below_no_signalling():
    """Law: local max <= L <= U <= NS max for the published expressions above (min: the reverse); exact at
    the strategy's end, within 1e-6 at the dual's (Mermin: quantum = NS = 4, and U exceeds 4 by ~5e-7)."""
    for name in ("tilted_chsh_quantum", "mermin3_quantum", "chained3_min_quantum", "cglmp3_quantum"):
        problem = Problem.from_json(json.loads((EXAMPLES / f"{name}.json").read_text()))
        r = solve(problem, two_sided=True)
        local = certify.solve(replace(problem, set="local", level=None)).value
        ns = certify.solve(replace(problem, set="no-signalling", level=None)).value
        assert r.lower <= r.upper and r.gap < Fraction(1, 10**6), name
        if problem.sense == "max":  # the strategy end is exact; the dual end has its slack
            assert local <= r.lower and float(r.upper) <= float(ns) + 1e-6, name
        else:
            assert r.upper <= local and float(r.lower) >= float(ns) - 1e-6, name


def test_cli_prints_the_interval_and_json_holds_both_verdicts(tmp_path, capsys):
    example = str(EXAMPLES / "tilted_chsh_quantum.json")
    assert main(["solve", example, "--out", str(tmp_path / "t.json")]) == 0
    out = capsys.readouterr().out
    assert "value in [3.162277" in out and ": tight (tolerance 1e-06)" in out and "t.strategy.json" in out
    assert main(["solve", example, "--json", "--tight-tol", "1/10"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "certify-result/1" and doc["schema"] == "certify-cli/1" and doc["ok"]
    assert {c["kind"] for c in doc["claims"]} == {"npa.max", "quantum.strategy"}
    lower, upper = (Fraction(doc["interval"][k]) for k in ("lower", "upper"))
    assert doc["interval"]["tight"] and doc["interval"]["tight_tol"] == "1/10" and 0 < upper - lower < 1e-6
    assert main(["solve", example, "--json", "--one-sided"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["kind"] for c in doc["claims"]] == ["npa.max"] and doc["interval"]["lower"] is None


def test_beyond_the_kernel_dimension_bound_the_interval_is_one_sided_with_a_reason():
    sc = {"inputs": [1] * 7, "outputs": [2] * 7}  # 2^7 = 128 > 64: no strategy is sought
    r = solve(Problem(sc, {"bell": {"correlators": [{"coef": "1", "inputs": [0] + [None] * 6}]}}, "quantum",
                      level="1"), two_sided=True)
    assert r.lower is None and r.gap is None and not r.tight and "dimension bound 64" in r.reason
    assert r.high.ok and abs(float(r.upper) - 1) < 1e-6
