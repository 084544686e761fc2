"""Bell scenarios and Bell expressions with rational coefficients.

Trusted definition. A scenario has n parties; party i has ``inputs[i]`` inputs
and ``outputs[i]`` outputs (both >= 1 and >= 2). A Bell expression is a
constant plus rational coefficients on probabilities P(a_S | x_S) of subsets S
of the parties; a term is ``(outputs, inputs, coef)`` where both tuples have
one slot per party and ``None`` in the slots of parties outside S.
Full-probability, Collins-Gisin and correlator forms all reduce to this.

JSON form (docs/bell-expression-format.md):
``{"terms": [{"coef": "p/q", "outputs": [0, null], "inputs": [1, null]}, ...],
"constant": "p/q"}`` with "constant" optional.

`to_words` rewrites an expression over Collins-Gisin words, using for the
last outcome E_{d-1|x} = 1 - sum_{a < d-1} E_{a|x}; distinct parties commute,
so each product is a word with at most one letter per party.
"""

from dataclasses import dataclass
from fractions import Fraction
from itertools import product

from certify.errors import CertifyError
from certify.kernel.format import expect, field, format_rational, parse_int, parse_rational
from certify.words import party_name

MAX_PARTIES = 8
MAX_SETTINGS = 64
MAX_TERMS = 100000


@dataclass(frozen=True)
class Scenario:
    inputs: tuple
    outputs: tuple

    @property
    def parties(self) -> int:
        return len(self.inputs)

    def to_json(self) -> dict:
        return {"inputs": list(self.inputs), "outputs": list(self.outputs)}


@dataclass(frozen=True)
class Expression:
    terms: tuple  # ((outputs, inputs, coef), ...) sorted, no zero coefficients
    constant: Fraction = Fraction(0)


def parse_scenario(obj, where: str) -> Scenario:
    expect(obj, dict, where)
    _only(obj, {"inputs", "outputs"}, where)
    inputs = field(obj, "inputs", list, where)
    outputs = field(obj, "outputs", list, where)
    if not 1 <= len(inputs) <= MAX_PARTIES:
        raise CertifyError(f"{where}.inputs: expected 1..{MAX_PARTIES} parties, got {len(inputs)}")
    if len(outputs) != len(inputs):
        raise CertifyError(f"{where}.outputs: {len(outputs)} entries but {len(inputs)} parties")
    ins = tuple(parse_int(m, f"{where}.inputs[{i}]", 1, MAX_SETTINGS) for i, m in enumerate(inputs))
    outs = tuple(parse_int(d, f"{where}.outputs[{i}]", 2, MAX_SETTINGS) for i, d in enumerate(outputs))
    return Scenario(ins, outs)


def make_expression(scenario: Scenario, terms, constant=Fraction(0), where="expression"):
    """Validate and normalise terms (merge repeats, drop zeros, sort)."""
    merged = {}
    for k, (outs, ins, coef) in enumerate(terms):
        outs, ins = tuple(outs), tuple(ins)
        _check_slots(scenario, outs, ins, f"{where}.terms[{k}]")
        merged[(outs, ins)] = merged.get((outs, ins), Fraction(0)) + Fraction(coef)
    key = lambda item: tuple((-1 if v is None else v) for v in item[0][0] + item[0][1])
    kept = tuple((o, i, c) for (o, i), c in sorted(merged.items(), key=key) if c != 0)
    return Expression(kept, Fraction(constant))


def parse_expression(obj, scenario: Scenario, where: str) -> Expression:
    expect(obj, dict, where)
    _only(obj, {"terms", "constant"}, where)
    raw = field(obj, "terms", list, where)
    if len(raw) > MAX_TERMS:
        raise CertifyError(f"{where}.terms: more than {MAX_TERMS} terms")
    terms = []
    for k, term in enumerate(raw):
        at = f"{where}.terms[{k}]"
        expect(term, dict, at)
        _only(term, {"coef", "outputs", "inputs"}, at)
        outs = [_slot(v, f"{at}.outputs[{j}]") for j, v in enumerate(field(term, "outputs", list, at))]
        ins = [_slot(v, f"{at}.inputs[{j}]") for j, v in enumerate(field(term, "inputs", list, at))]
        terms.append((outs, ins, parse_rational(field(term, "coef", str, at), f"{at}.coef")))
    constant = parse_rational(obj["constant"], f"{where}.constant") if "constant" in obj else 0
    return make_expression(scenario, terms, constant, where)


def expression_to_json(expr: Expression) -> dict:
    out = {"terms": [{"coef": format_rational(c), "outputs": list(o), "inputs": list(i)}
                     for o, i, c in expr.terms]}
    if expr.constant != 0:
        out["constant"] = format_rational(expr.constant)
    return out


def to_words(expr: Expression, scenario: Scenario) -> dict:
    """The expression as {Collins-Gisin word: coefficient}; the identity is ()."""
    out = {(): expr.constant}
    for outs, ins, coef in expr.terms:
        factors = []
        for i, (a, x) in enumerate(zip(outs, ins)):
            if a is None:
                continue
            if a < scenario.outputs[i] - 1:
                factors.append([(((i, x, a),), Fraction(1))])
            else:  # E_{d-1|x} = 1 - sum_{b < d-1} E_{b|x}
                rest = [(((i, x, b),), Fraction(-1)) for b in range(scenario.outputs[i] - 1)]
                factors.append([((), Fraction(1))] + rest)
        for choice in product(*factors):
            word = tuple(letter for part, _ in choice for letter in part)
            weight = coef
            for _, w in choice:
                weight *= w
            out[word] = out.get(word, Fraction(0)) + weight
    return {w: c for w, c in out.items() if c != 0 or w == ()}


def evaluate(expr: Expression, prob) -> Fraction:
    """The value on a behaviour given as prob(outputs, inputs) for full tuples."""
    total = expr.constant
    for outs, ins, coef in expr.terms:
        total += coef * prob(outs, ins)
    return total


def chsh(scenario=None) -> Expression:
    """I = sum_{x,y} (-1)^{xy} [P(a=b|xy) - P(a!=b|xy)] (Pironio et al. 2010)."""
    scenario = scenario or Scenario((2, 2), (2, 2))
    terms = [((a, b), (x, y), (-1) ** (x * y + a + b))
             for a, b, x, y in product(range(2), repeat=4)]
    return make_expression(scenario, terms)


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


def guess_expression(scenario: Scenario, parties, inputs, guess) -> Expression:
    """P(a_S = guess | x_S) for the parties S at the given inputs."""
    outs, ins = [None] * scenario.parties, [None] * scenario.parties
    for i, x, a in zip(parties, inputs, guess):
        outs[i], ins[i] = a, x
    return make_expression(scenario, [(outs, ins, 1)], 0, "guess")


def _check_slots(scenario, outs, ins, where):
    n = scenario.parties
    if len(outs) != n or len(ins) != n:
        raise CertifyError(f"{where}: expected {n} output and input slots, got {len(outs)} and {len(ins)}")
    if all(a is None for a in outs):
        raise CertifyError(f"{where}: a term must name at least one party (use constant)")
    for i, (a, x) in enumerate(zip(outs, ins)):
        if (a is None) != (x is None):
            raise CertifyError(f"{where}: party {party_name(i)} has an output but no input or vice versa")
        if a is None:
            continue
        if not 0 <= x < scenario.inputs[i]:
            raise CertifyError(f"{where}: input {x} of party {party_name(i)} outside 0..{scenario.inputs[i] - 1}")
        if not 0 <= a < scenario.outputs[i]:
            raise CertifyError(f"{where}: output {a} of party {party_name(i)} outside 0..{scenario.outputs[i] - 1}")


def _slot(value, where):
    if value is None:
        return None
    return parse_int(value, where, 0, MAX_SETTINGS)


def _only(obj, allowed, where):
    extra = sorted(set(obj) - allowed)
    if extra:
        raise CertifyError(f"{where}: unknown field {extra[0]!r}")
