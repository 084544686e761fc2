"""Claim kind "local.bound": the exact local (classical) optimum of a Bell expression.

Trusted. Problem {"scenario", "objective": {"bell": E}, "sense"}; no constraints (under one the
optimum needs the LP over the local polytope). Lemma: a local behaviour is a mixture of
deterministic ones and E (constant included) is affine, so the optimum is attained at a
deterministic strategy. The kernel enumerates the strategies of parties 1..n-1; for each, the
last party's choices at different inputs do not interact and are optimised separately (work
prod_{i<n} d_i^{m_i} (terms + m_n d_n) <= MAX_WORK, checked first). Evidence {"strategy": [[s_i(x)]]}:
its value is recomputed and must equal the enumerated optimum (attained: low = high).
"""

from fractions import Fraction
from itertools import product
from math import prod

from certify.errors import CertifyError
from certify.kernel.defs.scenario import parse_expression, parse_scenario
from certify.kernel.format import Proven, Reject, brief, expect, field, only, parse_int

MAX_WORK = 10**7  # strategies of parties 1..n-1 times (terms + m_n d_n); 5-party binary Mermin: 256 * 40


def check(problem: dict, relation: str, value: Fraction, evidence: dict, where: str) -> Proven:
    at = f"{where}.claim.problem"
    only(expect(problem, dict, at), {"scenario", "objective", "sense"}, at)
    scenario = parse_scenario(field(problem, "scenario", dict, at), f"{at}.scenario")
    objective = only(field(problem, "objective", dict, at), {"bell"}, f"{at}.objective")
    expr = parse_expression(field(objective, "bell", dict, f"{at}.objective"), scenario, f"{at}.objective.bell")
    sense = field(problem, "sense", str, at)
    if sense not in ("max", "min"):
        raise CertifyError(f'{at}.sense: expected "max" or "min", got {sense[:20]!r}')
    best = optimum(scenario, expr, sense == "max", at)[0]
    strategy = _strategy(evidence, scenario, f"{where}.evidence")
    attained = expr.constant + sum(c for outs, ins, c in expr.terms
                                   if all(a is None or strategy[i][ins[i]] == a for i, a in enumerate(outs)))
    if attained != best:
        raise Reject(f"{where}.evidence.strategy: its value {brief(attained)} is not the {sense}imum {brief(best)}")
    return Proven(best, best)


def optimum(scenario, expr, maximise: bool, where: str):
    """(optimum, an optimal strategy) over deterministic strategies (module lemma); the last party is
    optimised per input. The check uses only the optimum; producers take the strategy too."""
    *first, (m_n, d_n) = list(zip(scenario.inputs, scenario.outputs))
    count = prod(d ** m for m, d in first)
    if count * (len(expr.terms) + m_n * d_n) > MAX_WORK:
        raise CertifyError(f"{where}: {count} deterministic strategies of the first {len(first)} parties times "
                           f"{len(expr.terms)} terms exceed the work bound {MAX_WORK}")
    pick = max if maximise else min
    best = None
    for partial in product(*(product(range(d), repeat=m) for m, d in first)):
        fixed, bucket = expr.constant, [[Fraction(0)] * d_n for _ in range(m_n)]
        for outs, ins, coef in expr.terms:
            if all(outs[i] is None or partial[i][ins[i]] == outs[i] for i in range(len(first))):
                if outs[-1] is None:
                    fixed += coef
                else:
                    bucket[ins[-1]][outs[-1]] += coef
        last = [row.index(pick(row)) for row in bucket]
        total = fixed + sum(row[a] for row, a in zip(bucket, last))
        if best is None or pick(best[0], total) != best[0]:
            best = (total, [list(s) for s in partial] + [last])
    return best


def _strategy(evidence, scenario, where: str):
    only(expect(evidence, dict, where), {"strategy"}, where)
    raw = field(evidence, "strategy", list, where)
    if len(raw) != scenario.parties:
        raise CertifyError(f"{where}.strategy: expected {scenario.parties} parties, got {len(raw)}")
    out = []
    for i, (row, m, d) in enumerate(zip(raw, scenario.inputs, scenario.outputs)):
        if len(expect(row, list, f"{where}.strategy[{i}]")) != m:
            raise CertifyError(f"{where}.strategy[{i}]: expected {m} outputs, got {len(row)}")
        out.append([parse_int(a, f"{where}.strategy[{i}][{x}]", 0, d - 1) for x, a in enumerate(row)])
    return out
