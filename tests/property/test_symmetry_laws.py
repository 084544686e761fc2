"""Laws of relabelling (`certify.symmetry`) on small scenarios, against independent solves.

A relabelling g maps a problem P to g(P): the certificate of P mapped by g verifies (unchanged
kernel) for g(P) with exactly P's bound, and an independent solve of g(P) finds the same float
optimum; mapping by g then h is mapping by their composition.
"""

from fractions import Fraction
from itertools import permutations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from certify.certificate import make_certificate
from certify.kernel import check_certificate
from certify.kernel.defs.scenario import Scenario, make_expression
from certify.kernel.npa import KIND
from certify.npa import bell_objective, certify_problem, problem
from certify.symmetry import certify_symmetric, map_evidence, relabel_expression, relabel_problem, relabelling

SCENARIOS = [((2, 2), (2, 2)), ((2, 3), (2, 2)), ((2, 2), (3, 2)), ((3, 3), (2, 2))]
LEVELS = ["1+AB", "2"]  # both closed under every relabelling (products of <= k projectors)


@st.composite
def cases(draw):
    inputs, outputs = draw(st.sampled_from(SCENARIOS))
    scenario = Scenario(inputs, outputs)
    terms = []
    for _ in range(draw(st.integers(3, 8))):  # full and marginal probabilities, small coefficients
        parties = draw(st.sampled_from([(0,), (1,), (0, 1), (0, 1), (0, 1)]))
        outs, ins = [None, None], [None, None]
        for i in parties:
            outs[i] = draw(st.integers(0, outputs[i] - 1))
            ins[i] = draw(st.integers(0, inputs[i] - 1))
        terms.append((outs, ins, draw(st.integers(-3, 3))))
    expr = make_expression(scenario, terms)
    if not expr.terms:
        expr = make_expression(scenario, [((0, 0), (0, 0), 1)])
    return scenario, expr, draw(st.sampled_from(LEVELS)), draw(relabellings(scenario)), draw(relabellings(scenario))


@st.composite
def relabellings(draw, scenario):
    parties = draw(st.sampled_from([(0, 1), (1, 0)] if scenario.inputs[0] == scenario.inputs[1]
                                   and scenario.outputs[0] == scenario.outputs[1] else [(0, 1)]))
    inputs = {i: draw(st.sampled_from(list(permutations(range(m))))) for i, m in enumerate(scenario.inputs)}
    outputs = {(i, x): draw(st.sampled_from(list(permutations(range(d)))))
               for i, (m, d) in enumerate(zip(scenario.inputs, scenario.outputs)) for x in range(m)}
    return relabelling(scenario, parties, inputs, outputs)


def _verdict(definition, evidence):
    return check_certificate(make_certificate("t/law", KIND, "t", definition, "<=", "1000", evidence), "law")


@settings(max_examples=40, deadline=None)
@given(cases())
def test_relabelling_preserves_optimum(case):
    scenario, expr, level, g, h = case
    source = problem(scenario, level, bell_objective(expr))
    found = certify_problem(source, target=1e-6)
    assert found is not None
    target = relabel_problem(source, g)
    verdict = _verdict(target, map_evidence(source, found.evidence, g, target))
    assert verdict.ok, verdict.reason
    assert verdict.value == found.bound  # exactly the source's certified optimum
    again = certify_problem(target, target=1e-6)  # an independent solve of the relabelled problem
    assert again is not None and abs(again.primal - found.primal) <= 1e-6 * max(1.0, abs(found.primal))
    # g then h, mapped in two steps or by the composition: the same evidence
    final = relabel_problem(target, h)
    two_steps = map_evidence(target, map_evidence(source, found.evidence, g, target), h, final)
    assert two_steps == map_evidence(source, found.evidence, g.then(h), final)
    assert _verdict(final, two_steps).value == Fraction(found.bound)


_SCENARIO_23 = Scenario((2, 3), (2, 2))
_ALMOST_SOLVED = (_SCENARIO_23,  # found by a fresh CI run: the full solve's float primal above the certified bound
                  make_expression(_SCENARIO_23, [((None, 0), (None, 1), -3), ((1, None), (0, None), -1),
                                                 ((1, 1), (1, 0), -2)]),
                  "2", relabelling(_SCENARIO_23, inputs={0: (1, 0), 1: (2, 1, 0)}), relabelling(_SCENARIO_23))


@settings(max_examples=15, deadline=None)
@given(cases())
@example(_ALMOST_SOLVED)
def test_symmetrised_solve_agrees_with_the_full_solve(case):
    """Average a random expression over the cyclic group of a random relabelling g (binary
    scenarios): the symmetrised solve (invariant moments, block-diagonalised cones, dual averaged
    over the group) is certified by the kernel, at the full pipeline's optimum."""
    scenario, expr, level, g, _ = case
    if any(d != 2 for d in scenario.outputs):
        scenario, expr = Scenario(scenario.inputs, (2, 2)), make_expression(
            Scenario(scenario.inputs, (2, 2)), [(tuple(min(a, 1) if a is not None else None for a in o), i, c)
                                                 for o, i, c in expr.terms] or [((0, 0), (0, 0), 1)])
        g = relabelling(scenario, g.parties, {i: row for i, row in enumerate(g.inputs)})
    terms, power = list(expr.terms), expr
    for _ in range(12):  # the orbit sum of expr under <g> (order <= 12 here)
        power = relabel_expression(power, g, scenario)
        if power == expr:
            break
        terms += power.terms
    invariant = make_expression(scenario, terms)
    if not invariant.terms:
        invariant = make_expression(scenario, [((0, 0), (0, 0), 1)])
    definition = problem(scenario, level, bell_objective(invariant))
    full = certify_problem(definition, target=1e-6)
    assert full is not None
    symmetric = certify_symmetric(definition, [g])
    if symmetric is None:  # the reduced path may give up (a completeness limit, issue 14); nothing is claimed
        return
    assert _verdict(definition, symmetric.evidence).value == symmetric.bound
    # a certified upper bound is never below the optimum, which the full solve's float primal knows to its
    # accuracy (1e-6; measured: a primal 2.4e-7 above a certified 1.4e-7 at "AlmostSolved"); the reduced
    # path is close but not always within the full pipeline's 1e-6 (measured: 6.6e-5 on one random problem)
    assert float(symmetric.bound) >= full.primal - 1e-6 * max(1.0, abs(full.primal))
    assert float(symmetric.bound) - full.primal <= 1e-3 * max(1.0, abs(full.primal))
