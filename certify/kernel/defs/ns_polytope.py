"""The no-signalling polytope as exact rational rows, rebuilt from a claim's definition (trusted).

max c.p s.t. A p = b, p >= 0: one column P(a|x) per pair the promise allows (x, a digit strings),
rows "norm:X" (sum_a P(a|x) = 1) and "ns:i:k:X*:A*" (party i's marginal at input 0 minus at input
k = 0: every marginal is independent of the party's own input). Objectives: "function", "linear",
"bell" (full probabilities at x_rest = 0), "guess" (one sub-box per guess, norm rows shared); "min"
negates c (`sign`). A constraint is row "con:k", with a slack column of entry -1 (">=") or +1 ("<="):
its dual check is the dual sign condition. Every convention: docs/referee-guide.md, appendix C.
"""

from dataclasses import dataclass  # noqa: I001 -- the kernel wraps long imports (ruff: one name a line)
from fractions import Fraction
from functools import lru_cache, reduce
from itertools import product
from math import prod
from types import MappingProxyType

from certify.errors import CertifyError
from certify.kernel.defs.scenario import (Scenario, coefficients, parse_digits, parse_expression, parse_guess,
                                          parse_rules)
from certify.kernel.format import denominator, expect, field, only, parse_int, parse_rational, parse_sizes, sized

MAX_COLUMNS = 1 << 13  # 8 binary parties (2^16) took 1.8 s and 143 MB before any evidence was read
MAX_EXPANSION = 10**6  # full-probability entries of one Bell expression
MAX_RULE_ENTRIES = 2 * 10**5  # ... of all constraints together, times a guess's sub-boxes (0.9 s at the bound)
SLACK = {"==": 0, ">=": -1, "<=": 1}  # slack column entry of a constraint's relation


@dataclass(frozen=True)
class NsLp:
    """max objective.p over no-signalling boxes obeying the promise."""

    inputs: tuple
    outputs: tuple
    columns: tuple  # allowed (x, a) pairs (x, a, e with sub-boxes; (None, k): slack k), canonical order
    objective: dict  # column -> Fraction, only nonzero entries (negated for "min")
    row_b: object  # row key -> right-hand side, every row of A (a read-only mapping)
    entries: tuple = ()  # entries[j] = column_rows(inputs, *columns[j]), computed once
    sign: int = 1  # -1: the claim's quantity is -(this LP's objective)
    guesses: int = 0  # number of sub-boxes of a guess objective (0: none)


def spell(digits) -> str:
    return "".join(str(d) for d in digits)


def column_key(x, a, e=()) -> str:
    return f"slack:{a}" if x is None else f"{spell(x)}|{spell(a)}" + (f"|{spell(e)}" if e else "")


def column_rows(inputs, x, a):
    """The nonzero entries (row key, coefficient) of the column of P(a|x)."""
    xs, as_ = spell(x), spell(a)
    entries = [(f"norm:{xs}", 1)]
    for i, m_i in enumerate(inputs):
        x_rest = xs[:i] + "*" + xs[i + 1 :]
        a_rest = as_[:i] + "*" + as_[i + 1 :]
        if x[i] == 0:
            entries.extend((f"ns:{i}:{k}:{x_rest}:{a_rest}", 1) for k in range(1, m_i))
        else:
            entries.append((f"ns:{i}:{x[i]}:{x_rest}:{a_rest}", -1))
    return entries


def build(problem: dict, where: str, extended: bool = False) -> NsLp:
    """Rebuild the LP of an "lp.ns" claim from its definition, strictly. Only `extended` callers
    (kind lp.ns) accept "min", constraints and bell / guess objectives: lp.threshold's lemma is
    stated for a plain max."""
    only(problem, {"scenario", "promise", "objective", "sense"} | ({"constraints"} if extended else set()), where)
    sense = field(problem, "sense", str, where)
    senses = ("max", "min") if extended else ("max",)
    if sense not in senses:
        raise CertifyError(f"{where}.sense: expected one of {senses}, got {sense[:20]!r}")
    if not extended and field(problem, "objective", dict, where).get("kind") in ("bell", "guess"):
        raise CertifyError(f'{where}.objective.kind: expected "function" or "linear" here')
    inputs, outputs = parse_sizes(field(problem, "scenario", dict, where), f"{where}.scenario", 10, 1)
    if prod(m * d for m, d in zip(inputs, outputs)) > MAX_COLUMNS:
        raise CertifyError(f"{where}.scenario: {prod(m * d for m, d in zip(inputs, outputs))} variables "
                           f"exceed the limit {MAX_COLUMNS}")
    parity = _promise(problem.get("promise"), inputs, outputs, f"{where}.promise")
    columns, entries, rows = _constraints(inputs, outputs, tuple(sorted(parity.items())))
    raw, at = field(problem, "objective", dict, where), f"{where}.objective"
    guesses, x_s, parties = _guesses(raw, inputs, outputs, at) if raw.get("kind") == "guess" else ((), None, None)
    if guesses and (sense == "min" or len(guesses) * len(columns) > MAX_COLUMNS):
        raise CertifyError(f"{at}: a guess is maximised, with at most {MAX_COLUMNS} columns in all")
    # {(x, a): c} on the current columns (with sub-boxes, on every box), in work ~ its nonzeros (`boxes`: below)
    expand = lambda coefs: {col: c for pair, c in coefs.items() for col in boxes.get(pair, ())}
    if guesses:  # one sub-box per guess: columns (x, a, e); ns rows per box, norm rows shared
        tag = lambda key, e: key if key.startswith("norm:") else f"{key}#{spell(e)}"
        columns = tuple((x, a, e) for e in guesses for x, a in columns)
        entries = tuple(tuple((tag(k, e), c) for k, c in column) for e in guesses for column in entries)
        rows = {tag(k, e): b for e in guesses for k, b in rows.items()}
        objective = {(x, a, e): Fraction(1) for x, a, e in columns if x == x_s and tuple(a[p] for p in parties) == e}
    boxes = {col[:2]: [] for col in columns}  # (x, a) -> its columns, one per sub-box
    for col in columns:
        boxes[col[:2]].append(col)
    if not guesses:  # restricted to the columns: terms the promise forbids multiply a variable fixed at 0
        objective = expand(_objective(raw, inputs, outputs, at))
    # work bound: a constraint per column (any observed behaviour) at most; 90,000 took 4.3 s to parse and build
    extra = parse_rules(problem.get("constraints", []), Scenario(inputs, outputs), f"{where}.constraints", MAX_COLUMNS)
    denominator([*objective.values(), *coefficients(e for e, _, _ in extra), *(v for *_, v in extra)], where)  # sums
    # All constraints together, before any is expanded (400 of 8,000 entries, 32 kB, took 15 s and 700 MB)
    if max(1, len(guesses)) * sum(_size(e, outputs) for e, _, _ in extra) > MAX_RULE_ENTRIES:
        raise CertifyError(f"{where}.constraints: more than {MAX_RULE_ENTRIES} full probabilities (work bound)")
    if extra:  # rows "con:k" (and slack columns) appended to every column they touch, in k order
        touched = {col: [] for col in columns}  # column -> [("con:k", c)], k increasing
        for k, (e, _, _) in enumerate(extra):
            for col, c in expand(_full(e, outputs, f"{where}.constraints[{k}]")).items():
                touched[col].append((f"con:{k}", c))
        entries = tuple(column + tuple(touched[col]) for col, column in zip(columns, entries))
        slacks = [k for k, (_, rel, _) in enumerate(extra) if SLACK[rel]]
        columns += tuple((None, k) for k in slacks)
        entries += tuple(((f"con:{k}", SLACK[extra[k][1]]),) for k in slacks)
        rows = dict(rows, **{f"con:{k}": v for k, (_, _, v) in enumerate(extra)})
    sign = -1 if sense == "min" else 1
    objective = {key: sign * c for key, c in objective.items()}
    return NsLp(inputs, outputs, columns, objective, MappingProxyType(dict(rows)), entries, sign, len(guesses))


def _guesses(raw, inputs, outputs, where):
    """(guesses e of a_S, the input x: x_S with the rest 0, the parties S)."""
    parties, xs = parse_guess(raw, inputs, where, ("kind", "parties", "inputs"))
    x = tuple(dict(zip(parties, xs)).get(i, 0) for i in range(len(inputs)))
    return tuple(product(*(range(outputs[p]) for p in parties))), x, parties


def _size(expr, outputs) -> int:  # the full-probability entries `_full` forms (a constant: all of them)
    return sum(prod(d for d, o in zip(outputs, outs) if o is None) for outs, _, _ in expr.terms) + \
        prod(outputs) * bool(expr.constant)


def _full(expr, outputs, where) -> dict:
    """{(x, a): coefficient} of a Bell expression (module docstring: marginals at x_rest = 0)."""
    if _size(expr, outputs) > MAX_EXPANSION:
        raise CertifyError(f"{where}: expands to more than {MAX_EXPANSION} full probabilities (work bound)")
    out = {}
    terms = list(expr.terms) + [((None,) * len(outputs), (None,) * len(outputs), expr.constant)] * bool(expr.constant)
    for outs, ins, coef in terms:
        x = tuple(0 if v is None else v for v in ins)
        for a in product(*(range(d) if o is None else (o,) for d, o in zip(outputs, outs))):
            out[(x, a)] = out.get((x, a), Fraction(0)) + coef
    return {key: c for key, c in out.items() if c}


@lru_cache(maxsize=2)
def _constraints(inputs, outputs, parity_items):
    """(columns, entries, rows) of A p = b, memoised: the 320 Lemma claims share one polytope.
    A pure function of hashable arguments returning tuples and a read-only mapping."""
    parity = dict(parity_items)
    columns = tuple((x, a) for x in product(*(range(m) for m in inputs))
                    for a in product(*(range(d) for d in outputs)) if x not in parity or sum(a) % 2 == parity[x])
    entries = tuple(tuple(column_rows(inputs, x, a)) for x, a in columns)
    rows = {key: Fraction(key.startswith("norm:")) for column in entries for key, _ in column}
    # A norm row with no allowed column makes the LP infeasible: keep it, so the primal check
    # fails on it instead of silently dropping the input.
    for x in product(*(range(m) for m in inputs)):
        rows.setdefault(f"norm:{spell(x)}", Fraction(1))
    return columns, entries, MappingProxyType(rows)


def _promise(promise, inputs, outputs, where: str) -> dict:
    """{x: required parity of a} for the promised inputs (empty without a promise)."""
    if promise is None:
        return {}
    if set(expect(promise, dict, where)) != {"kind", "rules"} or promise["kind"] != "parity":
        raise CertifyError(f'{where}: expected {{"kind": "parity", "rules": [...]}}')
    parity = {}
    for j, rule in enumerate(expect(promise["rules"], list, f"{where}.rules")):
        spot = f"{where}.rules[{j}]"
        x = parse_digits(sized(rule, 2, spot, "items [x, parity]")[0], inputs, f"{spot}[0]")
        if x in parity:
            raise CertifyError(f"{spot}: input {rule[0]} listed twice")
        parity[x] = parse_int(rule[1], f"{spot}[1]", 0, 1)
    return parity


def _objective(objective: dict, inputs, outputs, where: str) -> dict:
    kind = field(objective, "kind", str, where)
    if kind == "function":
        return _function_objective(objective, inputs, outputs, where)
    if kind == "bell":
        only(objective, {"kind", "expression"}, where)
        expr = parse_expression(field(objective, "expression", dict, where), Scenario(inputs, outputs),
                                f"{where}.expression")
        return _full(expr, outputs, f"{where}.expression")
    if kind == "linear":
        coefficients = {}
        for j, term in enumerate(field(only(objective, {"kind", "terms"}, where), "terms", list, where)):
            spot = f"{where}.terms[{j}]"
            sized(term, 3, spot, 'items [x, a, "p/q"]')
            key = (parse_digits(term[0], inputs, f"{spot}[0]"), parse_digits(term[1], outputs, f"{spot}[1]"))
            if key in coefficients:
                raise CertifyError(f"{spot}: term {term[0]}|{term[1]} listed twice")
            coefficients[key] = parse_rational(term[2], f"{spot}[2]")
        return {key: c for key, c in coefficients.items() if c}
    raise CertifyError(f'{where}.kind: expected "function", "linear", "bell" or "guess", got {kind[:20]!r}')


def _function_objective(objective: dict, inputs, outputs, where: str) -> dict:
    if set(objective) != {"kind", "x", "parties", "table", "value"}:
        raise CertifyError(f"{where}: a function objective has exactly kind, x, parties, table, value")
    x = parse_digits(objective["x"], inputs, f"{where}.x")
    parties = [parse_int(p, f"{where}.parties[{j}]", 0, len(inputs) - 1)
               for j, p in enumerate(expect(objective["parties"], list, f"{where}.parties"))]
    if not parties or len(set(parties)) != len(parties):
        raise CertifyError(f"{where}.parties: expected distinct parties, got {parties}")
    table, size = expect(objective["table"], str, f"{where}.table"), prod(outputs[p] for p in parties)
    if len(table) != size or not table.isdigit() or not table.isascii():
        raise CertifyError(f"{where}.table: expected {size} digits, got {table!r}"[:200])
    value = parse_int(objective["value"], f"{where}.value", 0, 9)
    return {(x, a): Fraction(1) for a in product(*(range(d) for d in outputs))
            if int(table[reduce(lambda index, p: index * outputs[p] + a[p], parties, 0)]) == value}
