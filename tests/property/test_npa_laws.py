"""Laws of the NPA relaxation and its certificates."""

import copy
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.errors import CertifyError
from certify.kernel.defs.scenario import Scenario, make_expression
from certify.kernel.defs.words import ZERO, build, parse_level
from certify.kernel.format import Reject, format_rational, parse_rational, read_json
from certify.kernel.npa import parse_problem, verify_tangent
from certify.npa import bell_objective, conic_data, problem
from certify.solve import solve

PROOFS = Path(__file__).resolve().parents[2] / "proofs" / "pironio2010" / "npa"
SCENARIOS = [((2, 2), (2, 2)), ((2, 3), (3, 2)), ((2, 2, 2), (2, 2, 2))]
LEVELS = ["1", "1+AB", "2", "1+AB+AC+BC+ABC", "3"]


def _projectors(rng, dim, outputs):
    q, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    cuts = np.sort(rng.choice(np.arange(1, dim), size=outputs - 1, replace=True)) if dim > 1 else []
    edges = [0, *cuts, dim]
    return [q[:, edges[a]:edges[a + 1]] @ q[:, edges[a]:edges[a + 1]].T for a in range(outputs)]


def _operator(letter, ops, dims):
    i, x, a = letter
    out = np.eye(1)
    for j, d in enumerate(dims):
        out = np.kron(out, ops[j][x][a] if j == i else np.eye(d))
    return out


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(SCENARIOS), st.sampled_from(LEVELS))
def test_quantum_strategy_is_feasible(seed, scenario, level):
    inputs, outputs = scenario
    if level not in ("1", "1+AB", "2") and len(inputs) == 2 and level != "3":
        level = "2"
    if len(inputs) == 3 and level == "3":
        level = "2"
    rng = np.random.default_rng(seed)
    dims = [3] * len(inputs)
    ops = [[_projectors(rng, d, outputs[i]) for _ in range(inputs[i])] for i, d in enumerate(dims)]
    psi = rng.normal(size=int(np.prod(dims)))
    psi /= np.linalg.norm(psi)
    structure = build(parse_level(level, inputs, outputs, "level"))
    vectors = []
    for word in structure.monomials:
        v = psi.copy()
        for letter in reversed(word):
            v = _operator(letter, ops, dims) @ v
        vectors.append(v)
    gamma = np.array([[u @ v for v in vectors] for u in vectors])
    assert np.linalg.eigvalsh(gamma).min() > -1e-9
    moments = {}
    for i in range(structure.size):
        for j in range(structure.size):
            k = structure.entry[i][j]
            if k == ZERO:
                assert abs(gamma[i, j]) < 1e-9
            else:
                assert abs(moments.setdefault(k, gamma[i, j]) - gamma[i, j]) < 1e-9
    assert abs(gamma[0, 0] - 1) < 1e-9


def _optimum(expr, level, scenario=Scenario((2, 2), (2, 2))):
    return solve(conic_data(problem(scenario, level, bell_objective(expr))), tol=1e-9).primal


coefficients = st.lists(st.integers(-3, 3), min_size=16, max_size=16)


def _expression(coefs):
    terms = [((a, b), (x, y), c) for (a, b, x, y), c in
             zip([(a, b, x, y) for a in range(2) for b in range(2) for x in range(2) for y in range(2)], coefs)]
    return make_expression(Scenario((2, 2), (2, 2)), terms)


@settings(max_examples=6, deadline=None)
@given(coefficients)
def test_higher_levels_never_give_larger_bounds(coefs):
    expr = _expression(coefs)
    if not expr.terms:
        return
    values = [_optimum(expr, lv) for lv in ("1", "1+AB", "2")]
    assert values[0] >= values[1] - 1e-6 and values[1] >= values[2] - 1e-6


@settings(max_examples=6, deadline=None)
@given(coefficients, st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_relabelling_preserves_optimum(coefs, swap_x, flip_a, flip_b, swap_parties):
    expr = _expression(coefs)
    if not expr.terms:
        return
    terms = []
    for (a, b), (x, y), c in expr.terms:
        x = 1 - x if swap_x else x
        a, b = (1 - a if flip_a else a), (1 - b if flip_b else b)
        terms.append(((b, a), (y, x), c) if swap_parties else ((a, b), (x, y), c))
    relabelled = make_expression(Scenario((2, 2), (2, 2)), terms)
    assert abs(_optimum(expr, "1+AB") - _optimum(relabelled, "1+AB")) < 1e-6


def _tsirelson():
    cert = read_json(PROOFS / "tsirelson-2.json")
    return cert["claim"]["problem"], cert["evidence"]


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_tampered_certificate_is_rejected(data):
    prob, evidence = _tsirelson()
    bad = copy.deepcopy(evidence)
    rows = bad["Z"][0]
    i = data.draw(st.integers(0, len(rows) - 1))
    k = data.draw(st.integers(0, len(rows[i]) - 1))
    step = data.draw(st.sampled_from([Fraction(1, 10**15), Fraction(-1, 10**9), Fraction(1)]))
    rows[i][k] = format_rational(parse_rational(rows[i][k], "z") + step)
    with pytest.raises(Reject):
        verify_tangent(prob, bad, "t")


def test_non_psd_z_with_exact_identities_is_rejected():
    from certify.npa import trace_problem
    from certify.rounding import interior_direction

    prob, evidence = _tsirelson()
    npa = parse_problem(prob, "p")
    z0 = interior_direction(npa.structure, solve(trace_problem(conic_data(prob))).duals[0])
    t = Fraction(1, 10)  # Z - t Z0 keeps every identity but is no longer PSD
    bad = copy.deepcopy(evidence)
    for i, row in enumerate(bad["Z"][0]):
        for k, text in enumerate(row):
            row[k] = format_rational(parse_rational(text, "z") - t * z0[i][i + k])
    bad["nu"] = format_rational(parse_rational(evidence["nu"], "nu") - t * z0[0][0])
    with pytest.raises(Reject, match="positive semidefinite"):
        verify_tangent(prob, bad, "t")
    assert float(parse_rational(bad["nu"], "nu")) < 2 * math.sqrt(2)  # the lie it would prove


@pytest.mark.parametrize("level", ["1+AB", "3", "1", ["1", "A0|0", "A0|1", "B0|0", "B0|1", "A0|0B0|0",
                                                      "A0|0B0|1", "A0|1B0|0", "A0|1B0|1", "A0|0A0|1",
                                                      "A0|1A0|0", "B0|0B0|1", "B0|1B0|0"]])
def test_wrong_level_is_rejected(level):
    prob, evidence = _tsirelson()
    prob = dict(prob, level=level)
    with pytest.raises((Reject, CertifyError)):
        verify_tangent(prob, evidence, "t")


def test_weak_duality_on_generated_relaxations():
    from certify.npa import certify_problem

    for coefs in ([1, -1, 0, 2] * 4, [3, 0, -2, 1, 0, 0, 1, -1, 2, 2, -3, 0, 1, 1, 0, -1]):
        definition = problem(Scenario((2, 2), (2, 2)), "1+AB", bell_objective(_expression(coefs)))
        result = certify_problem(definition)
        assert result is not None and -1e-7 <= result.slack <= 1e-6


THREE = Scenario((2, 2, 2), (2, 2, 2))
three_party_terms = st.lists(
    st.tuples(st.tuples(*(st.integers(0, 1),) * 3), st.tuples(*(st.integers(0, 1),) * 3), st.integers(-3, 3)),
    min_size=1, max_size=12)


@settings(max_examples=5, deadline=None)
@given(three_party_terms, st.permutations([0, 1, 2]), st.tuples(*(st.booleans(),) * 3),
       st.tuples(*(st.booleans(),) * 3))
def test_relabelling_three_parties_preserves_optimum(terms, order, swap_x, flip_a):
    # Permuting parties, swapping a party's inputs and flipping its outputs map the relaxation
    # (level 1+AB+AC+BC, symmetric in the parties) onto itself, so the optimum is unchanged.
    expr = make_expression(THREE, terms)
    if not expr.terms:
        return
    moved = []
    for a, x, c in expr.terms:
        a = [1 - a[i] if flip_a[i] else a[i] for i in range(3)]
        x = [1 - x[i] if swap_x[i] else x[i] for i in range(3)]
        moved.append((tuple(a[order[i]] for i in range(3)), tuple(x[order[i]] for i in range(3)), c))
    level = "1+AB+AC+BC"
    assert abs(_optimum(expr, level, THREE) - _optimum(make_expression(THREE, moved), level, THREE)) < 1e-5


@settings(max_examples=4, deadline=None)
@given(three_party_terms)
def test_higher_levels_never_give_larger_bounds_three_parties(terms):
    expr = make_expression(THREE, terms)
    if not expr.terms:
        return
    # Nested levels that all hold the three-party words: 1+ABC within 1+AB+AC+BC+ABC within 2+ABC.
    values = [_optimum(expr, level, THREE) for level in ("1+ABC", "1+AB+AC+BC+ABC", "2+ABC")]
    # 1e-5 as in the relabelling law above: floating optima of degenerate 3-party problems differ by ~1e-6
    assert values[0] >= values[1] - 1e-5 and values[1] >= values[2] - 1e-5
