"""Claim kind "local.bound": the local (classical) optimum of a Bell expression, with or without constraints.

Trusted. Lemma: a local behaviour is a mixture of deterministic ones and E (constant included) is affine, so the
unconstrained optimum is attained at a deterministic strategy: the kernel enumerates those of parties 1..n-1 and
optimises the last party per input (work checked first). Evidence {"strategy"}: its value must equal that optimum
(low = high). With constraints: a dual, a mixture or both (`_hull`). In full: docs/referee-guide.md, appendix G.
"""

from fractions import Fraction
from itertools import product
from math import lcm, prod
from operator import itemgetter

from certify.errors import CertifyError
from certify.kernel.defs.scenario import coefficients, make_expression, parse_expression, parse_rules, parse_scenario
from certify.kernel.format import Proven, Reject, brief, field, holds, only, parse_int, rational, rationals, sized
from certify.kernel.psd import denominator  # (format's; imported here to keep the line above within 120)

MAX_WORK = 4 * 10**6  # strategies of parties 1..n-1 x (terms + m_n d_n); Mermin-5: 256 x 40; tests: 1.3e5; <= ~1 s
MAX_MIXTURE = 5 * 10**5  # mixture entries times terms (~2 us each: 1,000 entries against 1,000 constraints fail)
MAX_RULES = 1000  # constraints (a full 5-party binary behaviour has 242 Collins-Gisin probabilities)


def check(problem: dict, relation: str, value: Fraction, evidence: dict, where: str) -> Proven:
    at = f"{where}.claim.problem"
    only(problem, {"scenario", "objective", "sense", "constraints"}, at)
    scenario = parse_scenario(field(problem, "scenario", dict, at), f"{at}.scenario")
    objective = only(field(problem, "objective", dict, at), {"bell"}, f"{at}.objective")
    expr = parse_expression(field(objective, "bell", dict, f"{at}.objective"), scenario, f"{at}.objective.bell")
    sense = field(problem, "sense", str, at)
    if sense not in ("max", "min"):
        raise CertifyError(f'{at}.sense: expected "max" or "min", got {sense[:20]!r}')
    if "constraints" in problem:
        rows = parse_rules(problem["constraints"], scenario, f"{at}.constraints", MAX_RULES)
        denominator(coefficients([expr] + [a for a, _, _ in rows]) + [b for *_, b in rows], at)  # summed (work bound)
        return _hull(scenario, expr, sense == "max", rows, evidence, f"{where}.evidence")
    best = optimum(scenario, expr, sense == "max", at)[0]
    attained = _value(expr, [(_strategy(evidence, scenario, f"{where}.evidence"), 1)])
    if attained != best:
        raise Reject(f"{where}.evidence.strategy: its value {brief(attained)} is not the {sense}imum {brief(best)}")
    return Proven(best, best)


def _hull(scenario, expr, maximise: bool, rows, evidence, where: str) -> Proven:
    """Lemma (weak duality over the local polytope, the convex hull of the deterministic strategies d). With
    s = +1 (max) or -1 (min) and the affine L = E - sum_i mu_i (a_i - b_i): if s mu_i >= 0 for "a_i <= b_i",
    s mu_i <= 0 for ">=" (free for "=="), every local p meeting the constraints has s mu_i (a_i.p - b_i) <= 0,
    so s E(p) <= s L(p) <= max_d s L(d) (p is a mixture of the d): the enumerated optimum of L bounds the optimum
    ("dual": [mu_i]). A mixture sum_k w_k d_k ("mixture": [{"weight", "strategy"}], w_k >= 0 summing to 1) that
    meets every constraint exactly is a feasible local behaviour: its value E(p) is attained."""
    only(evidence, {"dual", "mixture"}, where)
    bound = attained = None
    if "dual" in evidence:
        mus = rationals(evidence, "dual", len(rows), where)
        denominator(mus, f"{where}.dual")  # a work bound on the exact sums of the enumeration
        terms, constant = list(expr.terms), expr.constant
        for i, (mu, (a, relation, b)) in enumerate(zip(mus, rows)):
            if (mu if maximise else -mu) * {"<=": -1, ">=": 1, "==": 0}[relation] > 0:
                raise Reject(f"{where}.dual[{i}]: {brief(mu)} has the wrong sign for a {relation!r} constraint")
            terms += [(o, x, -mu * c) for o, x, c in a.terms]
            constant -= mu * (a.constant - b)
        bound = optimum(scenario, make_expression(scenario, terms, constant, where), maximise, where)[0]
    if "mixture" in evidence:
        raw, exprs = field(evidence, "mixture", list, where), [expr] + [a for a, _, _ in rows]
        if not 0 < len(raw) * sum(len(e.terms) + 1 for e in exprs) <= MAX_MIXTURE:
            raise CertifyError(f"{where}.mixture: {len(raw)} strategies times the terms exceed {MAX_MIXTURE} (work)")
        mix = [(_strategy(item, scenario, f"{where}.mixture[{k}]", {"weight", "strategy"}),
                rational(item, "weight", f"{where}.mixture[{k}]"))
               for k, item in enumerate(raw)]
        weights = [w for _, w in mix]
        denominator(weights, f"{where}.mixture")  # a work bound on the exact sums below
        if min(weights) < 0 or sum(weights) != 1:
            raise Reject(f"{where}.mixture: weights must be >= 0 and sum to 1 (least {brief(min(weights))}, "
                         f"sum {brief(sum(weights))})")
        attained, *values = [_value(e, mix) for e in exprs]
        for i, (v, (_, relation, b)) in enumerate(zip(values, rows)):
            if not holds(v, relation, b):
                raise Reject(f"{where}.mixture: constraint {i} fails: {brief(v)} {relation} {brief(b)} is false")
    return Proven(attained, bound) if maximise else Proven(bound, attained)


def optimum(scenario, expr, maximise: bool, where: str):
    """(optimum, an optimal strategy) over deterministic strategies (module lemma); the last party is
    optimised per input. The check uses only the optimum; producers take the strategy too."""
    *first, (m_n, d_n) = list(zip(scenario.inputs, scenario.outputs))
    count = prod(d ** m for m, d in first)
    if count * (len(expr.terms) + m_n * d_n) > MAX_WORK:
        raise CertifyError(f"{where}: {count} deterministic strategies of the first {len(first)} parties times "
                           f"{len(expr.terms)} terms exceed the work bound {MAX_WORK}")
    # Why: a generator and Fraction sums per (strategy, term) pair cost ~1.4 us (red team 22: 1024 strategies x 8,100
    # terms, within the old MAX_WORK 10^7: 13.8 s, 32 s with 2^-k coefficients). The same sums in integers (x the common
    # denominator), a strategy (its outputs in one tuple) looking its terms up per set of inputs they condition: 0.37 s;
    # the slowest unit, a lookup per term (4096 strategies x 974 terms of distinct input sets at 4e6): 0.7-1.2 s.
    pick, scale, width = max if maximise else min, lcm(*(c.denominator for *_, c in expr.terms)), m_n * d_n
    at, groups = [sum(m for m, _ in first[:i]) for i in range(len(first))], {}  # at[i]: party i's first output in s
    for outs, ins, coef in expr.terms:  # groups[indices in s][outputs there]: [(slot, coef x scale)]
        key = [(at[i] + ins[i], a) for i, a in enumerate(outs[:-1]) if a is not None]
        slot = width if outs[-1] is None else ins[-1] * d_n + outs[-1]  # sums[y d_n + b]: b|y of the last party
        table = groups.setdefault(tuple(j for j, _ in key), {})  # (itemgetter of one index: that output, not a tuple)
        table.setdefault(key[0][1] if len(key) == 1 else tuple(a for _, a in key), []).append(
            (slot, coef.numerator * (scale // coef.denominator)))
    lookups = [(itemgetter(*js) if js else lambda s: (), table) for js, table in groups.items()]
    best = None
    for s in product(*(range(d) for m, d in first for _ in range(m))):  # the order of the parties' products
        sums = [0] * (width + 1)
        for get, table in lookups:
            for slot, c in table.get(get(s), ()):
                sums[slot] += c
        rows = [sums[y * d_n:(y + 1) * d_n] for y in range(m_n)]
        last = [row.index(pick(row)) for row in rows]
        total = sums[width] + sum(row[a] for row, a in zip(rows, last))
        if best is None or pick(best[0], total) != best[0]:
            best = (total, s, last)
    total, s, last = best
    return Fraction(total, scale) + expr.constant, [list(s[j:j + m]) for j, (m, _) in zip(at, first)] + [last]


def _value(expr, mix) -> Fraction:
    """E at the mixture sum_k w_k d_k of deterministic strategies [(s, w_k)]: P(a_S|x_S) is the weight of the
    strategies with s_i(x_i) = a_i for every i in S."""
    return expr.constant + sum(c * sum(w for s, w in mix if all(a is None or s[i][x[i]] == a for i, a in enumerate(o)))
                               for o, x, c in expr.terms)


def _strategy(obj, scenario, where: str, keys=("strategy",)):
    """The table [[s_i(0), ..., s_i(m_i - 1)] per party] of obj["strategy"], where obj has only `keys`."""
    at = f"{where}.strategy"
    raw = sized(field(only(obj, keys, where), "strategy", list, where), scenario.parties, at, "parties")
    return [[parse_int(a, f"{at}[{i}][{x}]", 0, d - 1) for x, a in enumerate(sized(row, m, f"{at}[{i}]", "outputs"))]
            for i, (row, m, d) in enumerate(zip(raw, scenario.inputs, scenario.outputs))]
