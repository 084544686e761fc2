"""Bell expressions for producers: JSON writers, evaluation, the Mermin family.

Untrusted (the kernel never imports it): the trusted definitions are in
`certify.kernel.defs.scenario`, and whatever is written here is read back through
`certify.kernel.defs.scenario.parse_expression` before anything is checked.
"""

from fractions import Fraction
from itertools import product

from certify.kernel.format import format_rational
from certify.kernel.defs.scenario import Expression, Scenario, make_expression


def scenario_to_json(scenario: Scenario) -> dict:
    return {"inputs": list(scenario.inputs), "outputs": list(scenario.outputs)}


def expression_to_json(expr: Expression) -> dict:
    out = {"terms": [{"coef": format_rational(c), "outputs": list(o), "inputs": list(i)}
                     for o, i, c in expr.terms]}
    if expr.constant != 0:
        out["constant"] = format_rational(expr.constant)
    return out


def evaluate(expr: Expression, prob) -> Fraction:
    """The value on a behaviour given as prob(outputs, inputs) for full tuples."""
    total = expr.constant
    for outs, ins, coef in expr.terms:
        total += coef * prob(outs, ins)
    return total


def mermin(n: int) -> Expression:
    """n-party Mermin operator: Re prod_j (A_j0 + i A_j1), as correlators.

    The correlator of inputs x is sum_a (-1)^{sum a} P(a|x); its weight is the
    real part of i^{|x|}, nonzero for an even number of ones.
    """
    scenario = Scenario((2,) * n, (2,) * n)
    terms = []
    for xs in product(range(2), repeat=n):
        ones = sum(xs)
        if ones % 2:
            continue
        sign = (-1) ** (ones // 2)
        for outs in product(range(2), repeat=n):
            terms.append((outs, xs, sign * (-1) ** sum(outs)))
    return make_expression(scenario, terms)
