"""Laws of the quantum.strategy kind against simple models.

- `test_quantum_strategy_is_feasible`: a random rational qubit strategy (rank-0, 1 or 2 projectors, any
  nonzero integer state) is checked by the kernel; its exact value equals the Born rule computed in
  floats by numpy (np.kron), and lies in the certified ranges: [NS min, NS max] (exact LP) and
  [NPA min bound, NPA max bound] (level 1+AB duals), for CHSH, a tilted CHSH and a fixed random expression.
- `test_certificate_roundtrip`: the producer's two-sided certificates parse back and re-verify.
"""

from fractions import Fraction
from functools import lru_cache
from itertools import product

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

import certify
from certify.expressions import expression_to_json
from certify.kernel.defs.scenario import Scenario, chsh, make_expression
from certify.kernel.format import format_rational
from certify.kernel.strategy import check
from certify.problem import Problem, solve

SC = Scenario((2, 2), (2, 2))
SC_JSON = {"inputs": [2, 2], "outputs": [2, 2]}


def _expressions():
    tilted = make_expression(SC, list(chsh().terms) + [((a, None), (0, None), (-1) ** a) for a in range(2)])
    rng = np.random.default_rng(7)
    terms = [((a, b), (x, y), int(rng.integers(-3, 4))) for a, b, x, y in product(range(2), repeat=4)]
    return [chsh(), tilted, make_expression(SC, terms + [((0, None), (1, None), 2)])]


EXPRESSIONS = _expressions()


@lru_cache(maxsize=None)
def bounds(k: int):
    """(NS min, NS max, NPA min bound, NPA max bound) of expression k, each a kernel Verdict's value."""
    e = {"bell": expression_to_json(EXPRESSIONS[k])}
    ns = [certify.solve(Problem(SC_JSON, e, "no-signalling", sense)).value for sense in ("min", "max")]
    npa = [certify.solve(Problem(SC_JSON, e, "quantum", sense, level="1+AB")) for sense in ("min", "max")]
    assert all(v.ok for v in npa)
    return ns[0], ns[1], npa[0].value, npa[1].value


vector = st.tuples(st.integers(-40, 40), st.integers(-40, 40)).filter(lambda v: v != (0, 0))
measurement = st.one_of(vector, st.sampled_from(["zero", "identity"]))
state = st.lists(st.integers(-30, 30), min_size=4, max_size=4).filter(any)


def projectors(choice):
    if choice in ("zero", "identity"):
        p = np.eye(2) * (choice == "identity")
        exact = [[Fraction(int(p[j][k])) for k in range(2)] for j in range(2)]
    else:
        n = choice[0] ** 2 + choice[1] ** 2
        exact = [[Fraction(a * b, n) for b in choice] for a in choice]
    rest = [[int(j == k) - exact[j][k] for k in range(2)] for j in range(2)]
    return [exact, rest]


@settings(max_examples=40, deadline=None)
@given(st.lists(measurement, min_size=4, max_size=4), state, st.integers(0, len(EXPRESSIONS) - 1))
@example([(1, 0), (1, 1), (70, 29), (70, -29)], [1, 0, 0, 1], 0)  # near Tsirelson: at the NPA bound's edge
@example(["identity", "zero", "identity", "identity"], [0, 0, 0, 5], 1)  # deterministic
def test_quantum_strategy_is_feasible(choices, psi, k):
    meas = [projectors(c) for c in choices]
    proj = [meas[:2], meas[2:]]
    comp = {"weight": "1", "dims": [2, 2], "state": [str(x) for x in psi],
            "projectors": [[[[[format_rational(x) for x in row] for row in p] for p in m] for m in party]
                           for party in proj]}
    problem = {"scenario": SC_JSON, "objective": {"bell": expression_to_json(EXPRESSIONS[k])}}
    value = check(problem, ">=", Fraction(0), {"components": [comp]}, "law").low
    # the simple model: floats, np.kron, psi normalised
    v = np.array(psi, dtype=float) / np.linalg.norm(psi)
    floats = [[[np.array(p, dtype=float) for p in m] for m in party] for party in proj]
    model = float(EXPRESSIONS[k].constant) + sum(
        float(c) * v @ np.kron(floats[0][i[0]][o[0]] if o[0] is not None else np.eye(2),
                               floats[1][i[1]][o[1]] if o[1] is not None else np.eye(2)) @ v
        for o, i, c in EXPRESSIONS[k].terms)
    assert abs(float(value) - model) < 1e-9
    ns_min, ns_max, npa_min, npa_max = bounds(k)
    assert ns_min <= value <= ns_max and npa_min <= value <= npa_max


def test_certificate_roundtrip(tmp_path):
    e = {"bell": expression_to_json(EXPRESSIONS[1])}
    result = solve(Problem(SC_JSON, e, "quantum", level="1+AB"), out=str(tmp_path / "t.json"),
                   two_sided=True)
    again = certify.check(str(tmp_path))
    assert sorted((v.kind, v.claimed) for v in again) == sorted((v.kind, v.claimed) for v in result.verdicts)
    assert all(v.ok for v in again) and result.tight
