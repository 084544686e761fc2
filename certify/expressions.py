"""Bell expressions for producers: JSON writers and evaluation.

Untrusted (the kernel never imports it): the trusted definitions are in
`certify.kernel.defs.scenario`, and whatever is written here is read back through
`certify.kernel.defs.scenario.parse_expression` before anything is checked.
"""

from fractions import Fraction

from certify.kernel.format import format_rational
from certify.kernel.defs.scenario import Expression, Scenario


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
