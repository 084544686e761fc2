"""Bell expressions for producers: JSON writers and evaluation.

Untrusted (the kernel never imports it): the trusted definitions are in
`certify.kernel.defs.scenario`, and whatever is written here is read back through
`certify.kernel.defs.scenario.parse_expression` before anything is checked.
"""

from fractions import Fraction
from itertools import product

from certify.errors import CertifyError
from certify.kernel.defs.scenario import Expression, Scenario, make_expression, parse_expression
from certify.kernel.format import format_rational, parse_rational


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


def read_expression(obj, scenario: Scenario, where: str) -> Expression:
    """An expression in the kernel's form ({"terms": [...], "constant"}: full-probability or
    Collins-Gisin terms) or in correlator form {"correlators": [{"coef", "inputs"}], "constant"}:
    the correlator <prod_{i in S} A_i,x_i> of binary parties S (inputs null outside S) is
    sum_{a_S} (-1)^{sum a_S} P(a_S | x_S). Checked by the kernel's reader."""
    if not isinstance(obj, dict) or "correlators" not in obj:
        return parse_expression(obj, scenario, where)
    if set(obj) - {"correlators", "constant"} or not isinstance(obj["correlators"], list):
        raise CertifyError(f'{where}: a correlator expression has "correlators" (a list) and optionally "constant"')
    terms = []
    for k, item in enumerate(obj["correlators"]):
        at = f"{where}.correlators[{k}]"
        if not isinstance(item, dict) or set(item) != {"coef", "inputs"}:
            raise CertifyError(f'{at}: expected {{"coef": "p/q", "inputs": [x or null per party]}}')
        coef, ins = parse_rational(item["coef"], f"{at}.coef"), item["inputs"]
        if not isinstance(ins, list) or len(ins) != scenario.parties or any(
                x is not None and (isinstance(x, bool) or not isinstance(x, int)) for x in ins):
            raise CertifyError(f"{at}.inputs: expected {scenario.parties} slots, each an input or null")
        parties = [i for i, x in enumerate(ins) if x is not None]
        if any(scenario.outputs[i] != 2 for i in parties):
            raise CertifyError(f"{at}: correlators need binary outputs for the parties they name")
        for a_s in product(range(2), repeat=len(parties)):
            outs = [None] * scenario.parties
            for i, a in zip(parties, a_s):
                outs[i] = a
            terms.append((outs, ins, coef * (-1) ** sum(a_s)))
    constant = parse_rational(obj["constant"], f"{where}.constant") if "constant" in obj else 0
    return make_expression(scenario, terms, constant, where)


def i3322() -> tuple:
    """(scenario, expression) of I3322 (Collins-Gisin 2004) in Collins-Gisin form, output 0 the projector:
    local bound 0, quantum maximum ~0.250875 (NPA level 3). Benchmarks and tests share this one copy."""
    scenario = Scenario((3, 3), (2, 2))
    terms = [([0, None], [0, None], -1), ([None, 0], [None, 0], -2), ([None, 0], [None, 1], -1)]
    for (x, y), coef in {(0, 0): 1, (0, 1): 1, (0, 2): 1, (1, 0): 1, (1, 1): 1, (1, 2): -1,
                         (2, 0): 1, (2, 1): -1}.items():
        terms.append(([0, 0], [x, y], coef))
    return scenario, make_expression(scenario, terms)
