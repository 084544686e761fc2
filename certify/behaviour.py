"""Observed behaviours P(a|x) as NPA statistics ("expression = value" constraints).

Untrusted (it only writes problem definitions; the kernel checks certificates
against whatever statistics the definition states). A behaviour file is JSON:

    {"scenario": {"inputs": [2, 2], "outputs": [2, 2]},
     "p": [{"outputs": [0, 0], "inputs": [0, 0], "p": "17/40"}, ...]}

with one entry per full (outputs, inputs) pair, every P a canonical rational.
It must be a no-signalling box, checked exactly: a frequency table that
signals has no Collins-Gisin form, and projecting it silently would impose
statistics nobody observed.
"""

from fractions import Fraction
from itertools import combinations, product

from certify.errors import CertifyError
from certify.kernel.defs.scenario import Scenario, make_expression, parse_scenario
from certify.kernel.format import expect, field, parse_int, parse_rational, read_json

MAX_ENTRIES = 1 << 16


def read_behaviour(path: str):
    """(scenario, {(outputs, inputs): Fraction}) from a behaviour file; errors name the field."""
    obj = expect(read_json(path), dict, path)
    scenario = parse_scenario(field(obj, "scenario", dict, path), f"{path}.scenario")
    rows = field(obj, "p", list, path)
    full = _full_pairs(scenario)
    if len(rows) != len(full) or len(rows) > MAX_ENTRIES:
        raise CertifyError(f"{path}.p: expected {len(full)} entries (every outputs, inputs), got {len(rows)}")
    table = {}
    for k, row in enumerate(rows):
        spot = f"{path}.p[{k}]"
        expect(row, dict, spot)
        outs = tuple(parse_int(v, f"{spot}.outputs", 0, 255) for v in field(row, "outputs", list, spot))
        ins = tuple(parse_int(v, f"{spot}.inputs", 0, 255) for v in field(row, "inputs", list, spot))
        if (outs, ins) not in full:
            raise CertifyError(f"{spot}: outputs {list(outs)}, inputs {list(ins)} not in the scenario")
        if (outs, ins) in table:
            raise CertifyError(f"{spot}: outputs {list(outs)}, inputs {list(ins)} listed twice")
        value = parse_rational(field(row, "p", str, spot), f"{spot}.p")
        if value < 0:
            raise CertifyError(f"{spot}.p: negative probability {row['p']}")
        table[outs, ins] = value
    check_no_signalling(scenario, table, path)
    return scenario, table


def check_no_signalling(scenario: Scenario, table: dict, where: str) -> None:
    """Normalised for every x, and every marginal independent of the other parties' inputs."""
    n = scenario.parties
    for ins in product(*(range(m) for m in scenario.inputs)):
        total = sum(table[outs, ins] for outs in product(*(range(d) for d in scenario.outputs)))
        if total != 1:
            raise CertifyError(f"{where}: P(.|x = {list(ins)}) sums to {total}, not 1")
    for size in range(1, n):
        for parties in combinations(range(n), size):
            for ins in product(*(range(m) for m in scenario.inputs)):
                for outs in product(*(range(scenario.outputs[p]) for p in parties)):
                    here = marginal(scenario, table, parties, outs, ins)
                    base = marginal(scenario, table, parties, outs, _zero_others(ins, parties))
                    if here != base:
                        raise CertifyError(f"{where}: signals: P(a_S = {list(outs)} | x = {list(ins)}), "
                                           f"S = parties {list(parties)}, depends on the other inputs")


def full_statistics(scenario: Scenario, table: dict) -> list:
    """Every Collins-Gisin probability P(a_S | x_S), a_i < d_i - 1, as (expression, value).

    For a no-signalling box these fix the whole behaviour, so imposing them as
    equalities imposes all of it (and nothing that depends on a convention).
    """
    n, out = scenario.parties, []
    for size in range(1, n + 1):
        for parties in combinations(range(n), size):
            for xs in product(*(range(scenario.inputs[p]) for p in parties)):
                for a_s in product(*(range(scenario.outputs[p] - 1) for p in parties)):
                    outs, ins = [None] * n, [None] * n
                    for p, x, a in zip(parties, xs, a_s):
                        outs[p], ins[p] = a, x
                    value = marginal(scenario, table, parties, a_s, tuple(0 if i is None else i for i in ins))
                    out.append((make_expression(scenario, [(outs, ins, 1)]), value))
    return out


def table_of(scenario: Scenario, behaviour) -> dict:
    """{(outputs, inputs): Fraction} from a function behaviour(outputs, inputs)."""
    return {(a, x): Fraction(behaviour(a, x)) for a, x in _full_pairs(scenario)}


def marginal(scenario, table, parties, outs, ins) -> Fraction:
    """P(a_S = outs | x), x the full input tuple, summing over the other parties' outputs."""
    free = [p for p in range(scenario.parties) if p not in parties]
    total = Fraction(0)
    for rest in product(*(range(scenario.outputs[p]) for p in free)):
        a = [0] * scenario.parties
        for p, v in zip(parties, outs):
            a[p] = v
        for p, v in zip(free, rest):
            a[p] = v
        total += table[tuple(a), tuple(ins)]
    return total


def _zero_others(ins, parties):
    return tuple(x if p in parties else 0 for p, x in enumerate(ins))


def _full_pairs(scenario):
    return {(a, x) for x in product(*(range(m) for m in scenario.inputs))
            for a in product(*(range(d) for d in scenario.outputs))}
