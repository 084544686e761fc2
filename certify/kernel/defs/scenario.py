"""Bell scenarios and Bell expressions with rational coefficients (trusted definition).

A scenario has n parties, party i with inputs[i] >= 1 inputs and outputs[i] >= 2 outputs. A Bell expression is
a constant plus rational coefficients on P(a_S | x_S), S a subset of the parties: a term (outputs, inputs, coef)
has one slot per party, None outside S. JSON form: docs/bell-expression-format.md.
"""

from dataclasses import dataclass  # noqa: I001 -- the kernel wraps long imports (ruff: one name a line)
from fractions import Fraction
from itertools import product
from math import prod

from certify.errors import CertifyError
from certify.kernel.defs.words import party_name
from certify.kernel.format import (denominator, expect, field, only, parse_int, parse_relation, parse_sizes,
                                   rational, sized)

MAX_SETTINGS = 64
MAX_TERMS = 100000


@dataclass(frozen=True)
class Scenario:
    inputs: tuple
    outputs: tuple

    @property
    def parties(self) -> int:
        return len(self.inputs)


@dataclass(frozen=True)
class Expression:
    terms: tuple  # ((outputs, inputs, coef), ...) sorted, no zero coefficients
    constant: Fraction = Fraction(0)


def parse_scenario(obj, where: str) -> Scenario:
    return Scenario(*parse_sizes(obj, where, MAX_SETTINGS, 2))


def make_expression(scenario: Scenario, terms, constant=Fraction(0), where="expression"):
    """Validate and normalise terms (merge repeats, drop zeros, sort)."""
    merged = {}
    for k, (outs, ins, coef) in enumerate(terms):
        outs, ins = tuple(outs), tuple(ins)
        _check_slots(scenario, outs, ins, f"{where}.terms[{k}]")
        merged[(outs, ins)] = merged.get((outs, ins), 0) + Fraction(coef)
    key = lambda item: tuple((-1 if v is None else v) for v in item[0][0] + item[0][1])
    kept = tuple((o, i, c) for (o, i), c in sorted(merged.items(), key=key) if c != 0)
    return Expression(kept, Fraction(constant))


def parse_expression(obj, scenario: Scenario, where: str) -> Expression:
    only(obj, {"terms", "constant"}, where)
    raw = field(obj, "terms", list, where)
    if len(raw) > MAX_TERMS:
        raise CertifyError(f"{where}.terms: more than {MAX_TERMS} terms")
    terms = []
    for k, term in enumerate(raw):
        at = f"{where}.terms[{k}]"
        only(term, {"coef", "outputs", "inputs"}, at)
        outs = [_slot(v, f"{at}.outputs[{j}]") for j, v in enumerate(field(term, "outputs", list, at))]
        ins = [_slot(v, f"{at}.inputs[{j}]") for j, v in enumerate(field(term, "inputs", list, at))]
        terms.append((outs, ins, rational(term, "coef", at)))
    constant = rational(obj, "constant", where) if "constant" in obj else Fraction(0)
    denominator([c for *_, c in terms] + [constant], where)  # before merging repeated terms: sums (work bound)
    return make_expression(scenario, terms, constant, where)


def parse_rule(item, scenario: Scenario, where: str, fixed: str = "", key: str = "value"):
    """(expression, relation, value) of {"expression", "relation", key}; with `fixed`, no "relation": that one."""
    only(item, {"expression", key} | ({"relation"} if not fixed else set()), where)
    return (parse_expression(field(item, "expression", dict, where), scenario, f"{where}.expression"),
            fixed or parse_relation(item, where), rational(item, key, where))


def parse_rules(raw, scenario: Scenario, where: str, most: int = MAX_TERMS, fixed: str = "") -> list:
    """The rules of a list, at most `most` (checked before any is parsed: a work bound)."""
    if len(expect(raw, list, where)) > most:
        raise CertifyError(f"{where}: more than {most} entries (work bound)")
    return [parse_rule(item, scenario, f"{where}[{k}]", fixed) for k, item in enumerate(raw)]


def coefficients(exprs) -> list:
    """Every coefficient and constant of the expressions: checks that add them up bound their `denominator`."""
    return [c for e in exprs for c in (e.constant, *(t[2] for t in e.terms))]


def products(expr: Expression, scenario: Scenario) -> int:
    """How many Collins-Gisin products `to_words` forms: d_i for a last outcome, else 1, per party."""
    return sum(prod(scenario.outputs[i] if a == scenario.outputs[i] - 1 else 1 for i, a in enumerate(outs)
                    if a is not None) for outs, _, _ in expr.terms)


def to_words(expr: Expression, scenario: Scenario, where: str = "expression") -> dict:
    """The expression as {Collins-Gisin word: coefficient}; the identity is (). Distinct parties
    commute, so each product is a word with at most one letter per party. One factor per party
    of a term; the last outcome is E_{d-1|x} = 1 - sum_{b < d-1} E_{b|x}, so d products."""
    if products(expr, scenario) > MAX_TERMS:  # work bound, before forming any (64^8 from a 900-byte file)
        raise CertifyError(f"{where}: expands to more than {MAX_TERMS} Collins-Gisin products (work bound)")
    scale = denominator(coefficients([expr]), where)  # sums of integers over it (bounded when parsed)
    out = {(): expr.constant.numerator * (scale // expr.constant.denominator)}
    for outs, ins, coef in expr.terms:
        whole = coef.numerator * (scale // coef.denominator)
        factors = [[(((i, x, a),), 1)] if a < scenario.outputs[i] - 1
                   else [((), 1)] + [(((i, x, b),), -1) for b in range(scenario.outputs[i] - 1)]
                   for i, (a, x) in enumerate(zip(outs, ins)) if a is not None]
        for choice in product(*factors):
            word = tuple(letter for part, _ in choice for letter in part)
            out[word] = out.get(word, 0) + (whole if prod(weight for _, weight in choice) > 0 else -whole)  # +-1
    return {w: Fraction(c, scale) for w, c in out.items() if c != 0 or w == ()}


def chsh() -> Expression:
    """I = sum_{x,y} (-1)^{xy} [P(a=b|xy) - P(a!=b|xy)] (Pironio et al. 2010)."""
    terms = [((a, b), (x, y), (-1) ** (x * y + a + b)) for a, b, x, y in product(range(2), repeat=4)]
    return make_expression(Scenario((2, 2), (2, 2)), terms)


def parse_guess(raw, inputs, where: str, keys=("parties", "inputs")):
    """(parties S, inputs x_S) of a guess {"parties": S, "inputs": x_S}; S distinct, increasing."""
    only(raw, keys, where)
    parties = [parse_int(p, f"{where}.parties[{k}]", 0, len(inputs) - 1)
               for k, p in enumerate(field(raw, "parties", list, where))]
    if not parties or parties != sorted(set(parties)):
        raise CertifyError(f"{where}.parties: expected distinct parties in increasing order")
    xs = sized(field(raw, "inputs", list, where), len(parties), f"{where}.inputs", "inputs")
    return parties, [parse_int(x, f"{where}.inputs[{k}]", 0, inputs[p] - 1)
                     for k, (p, x) in enumerate(zip(parties, xs))]


def parse_digits(text, sizes, where: str) -> tuple:
    """A digit string naming one input (or output) per party, within range."""
    if not isinstance(text, str) or len(text) != len(sizes) or not text.isdigit() or not text.isascii():
        raise CertifyError(f"{where}: expected {len(sizes)} digits, got {text!r}"[:200])
    digits = tuple(int(ch) for ch in text)
    for i, (digit, size) in enumerate(zip(digits, sizes)):
        if digit >= size:
            raise CertifyError(f"{where}: party {i + 1} has no value {digit} (digits 0..{size - 1})")
    return digits


def _check_slots(scenario, outs, ins, where):
    n = scenario.parties
    if len(outs) != n or len(ins) != n:
        raise CertifyError(f"{where}: expected {n} output and input slots, got {len(outs)} and {len(ins)}")
    if all(a is None for a in outs):
        raise CertifyError(f"{where}: a term must name at least one party (use constant)")
    for i, (a, x) in enumerate(zip(outs, ins)):
        if (a is None) != (x is None):
            raise CertifyError(f"{where}: party {party_name(i)} has an output but no input or vice versa")
        for name, v, size in (("input", x, scenario.inputs[i]), ("output", a, scenario.outputs[i])):
            if a is not None and not 0 <= v < size:
                raise CertifyError(f"{where}: {name} {v} of party {party_name(i)} outside 0..{size - 1}")


def _slot(value, where):
    return None if value is None else parse_int(value, where, 0, MAX_SETTINGS)
