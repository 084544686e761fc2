"""Session-22 fixes of two complexity bugs (test_attack_session22_complexity (1) and (2)), attacked here.

(1) quantum.strategy: the mixture's running sums are charged their real cost before they are formed,
    (rules + 1) x the sums' denominator bits x the new terms' bits (a Fraction sum is a gcd of about that), and
    refused past MAX_SUM_WORK with one line naming evidence.components. The sums themselves are unchanged.
(2) local.bound: `optimum` sums the same coefficients as integers (x their common denominator) and looks each
    strategy's terms up per set of conditioned inputs; MAX_WORK is 4e6. Its value AND the strategy it returns must be
    those of the old enumeration (`old_optimum`, a verbatim copy of the replaced code) on random instances, ties
    included (the producers certify the returned strategy).
"""

import random
import time
from fractions import Fraction as F
from itertools import product

import pytest
from test_attack_session22_complexity import assert_bounded, local_at_bound, run_check, strategy_sums, write
from test_attacks_strategy import honest

from certify.errors import CertifyError
from certify.kernel import local, strategy
from certify.kernel.defs.scenario import Scenario, make_expression


def old_optimum(scenario, expr, maximise: bool):
    """The enumeration before session 22 (its work check left out): a generator and Fraction sums per pair."""
    *first, (m_n, d_n) = list(zip(scenario.inputs, scenario.outputs))
    pick = max if maximise else min
    best = None
    for partial in product(*(product(range(d), repeat=m) for m, d in first)):
        fixed, bucket = expr.constant, [[F(0)] * d_n for _ in range(m_n)]
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


def random_instance(rnd):
    parties = rnd.randint(1, 4)
    sc = Scenario(tuple(rnd.randint(1, 3) for _ in range(parties)), tuple(rnd.randint(2, 3) for _ in range(parties)))
    coef = rnd.choice([lambda: F(rnd.randint(-2, 2)),  # small integers: many ties
                       lambda: F(rnd.randint(-50, 50), rnd.randint(1, 12)),
                       lambda: F(rnd.getrandbits(40) - (1 << 39), 1 << rnd.randint(0, 90))])
    terms = []
    for _ in range(rnd.randint(0, 25)):
        named = [rnd.random() < 0.6 for _ in range(parties)]
        if not any(named):
            named[rnd.randrange(parties)] = True
        terms.append(([rnd.randrange(d) if k else None for k, d in zip(named, sc.outputs)],
                      [rnd.randrange(m) if k else None for k, m in zip(named, sc.inputs)], coef()))
    return sc, make_expression(sc, terms, coef())


@pytest.mark.parametrize("seed", range(8))
def test_optimum_and_its_strategy_equal_the_old_enumeration(seed):
    rnd = random.Random(seed)
    for _ in range(100):
        sc, expr = random_instance(rnd)
        for maximise in (True, False):
            assert local.optimum(sc, expr, maximise, "w") == old_optimum(sc, expr, maximise), (sc, expr, maximise)


def test_optimum_of_one_party_and_of_no_terms_equal_the_old_enumeration():
    sc = Scenario((3,), (3,))
    for expr in (make_expression(sc, [], F(7, 3)), make_expression(sc, [((1,), (2,), F(-1, 2)), ((0,), (2,), 1)])):
        for maximise in (True, False):
            assert local.optimum(sc, expr, maximise, "w") == old_optimum(sc, expr, maximise)


def test_the_work_bound_still_admits_every_size_in_use():
    # committed: 5-party binary Mermin, 256 x 40; the largest enumeration in the tests: 256 x 516 ~ 1.3e5
    assert 256 * 40 * 100 < local.MAX_WORK and 132096 * 10 < local.MAX_WORK
    assert 1024 * (8100 + 1600) > local.MAX_WORK  # the red team's files are refused now (decided in 0.4-0.9 s at 1e7)


def test_the_worst_unit_at_the_work_bound_is_quick():
    """13 one-input binary parties (4096 strategies of the first 12), each term conditioning a distinct set of
    them: one lookup per term and strategy, the slowest unit (~0.2 us; 0.7-1.2 s measured; the old code: ~5 s)."""
    rnd, n = random.Random(5), 13
    sc, sets, terms = Scenario((1,) * n, (2,) * n), set(), []
    while len(terms) < local.MAX_WORK // 4096 - 2:
        chosen = tuple(sorted(rnd.sample(range(n - 1), rnd.randint(1, n - 1))))
        if chosen not in sets:
            sets.add(chosen)
            terms.append(([rnd.randrange(2) if i in chosen else None for i in range(n - 1)] + [rnd.randrange(2)],
                          [0 if i in chosen else None for i in range(n - 1)] + [0], F(rnd.randint(1, 9), 1 << 70)))
    expr = make_expression(sc, terms)
    assert 4096 * (len(expr.terms) + 2) <= local.MAX_WORK
    started = time.perf_counter()
    local.optimum(sc, expr, True, "w")
    assert time.perf_counter() - started < 4


def test_one_more_term_is_refused_with_the_work_bound():
    sc = Scenario((12, 20), (2, 2))  # 4096 strategies x (936 terms + 40) <= 4e6 < 4096 x (937 + 40)
    terms = [((a, b), (x, y), 1 + (x + y) % 3) for x in range(12) for a in range(2) for y in range(20) for b in range(2)]
    expr = make_expression(sc, terms[:936])
    assert local.optimum(sc, expr, True, "w") == old_optimum(sc, expr, True)
    with pytest.raises(CertifyError, match=r"^w: 4096 deterministic strategies .* 937 terms exceed the work bound "
                                           r"4000000$"):
        local.optimum(sc, make_expression(sc, terms[:937]), True, "w")


@pytest.mark.parametrize("dual, field", [(False, ".claim.problem: 1024 deterministic"),
                                         (True, ".evidence: 1024 deterministic")])
def test_red_team_local_files_are_refused_in_one_line_naming_the_field(tmp_path, dual, field):
    result = run_check(write(tmp_path, "l.json", local_at_bound(bits=60 if dual else 0, dual=dual)))
    assert_bounded(result, (2,), "exceed the work bound 4000000")
    assert field in result[2] and result[3] < 6


def test_strategy_sums_of_the_red_team_are_refused_in_one_line_naming_the_field(tmp_path):
    result = run_check(write(tmp_path, "s40.json", strategy_sums(40, 1000)))
    assert_bounded(result, (2,), "evidence.components: the mixture's exact sums exceed 262144-bit denominators or "
                                 "300000000000 bit products (work bound)")


def _mixture(count, seed=3):
    """`count` components of the honest CHSH strategy with distinct state norms, random weights summing to 1."""
    problem, evidence, _ = honest()
    rnd, comps = random.Random(seed), []
    weights = [F(rnd.randint(1, 9), rnd.randint(1, 9)) for _ in range(count)]
    for w in weights:
        a, b = rnd.getrandbits(60) | 1, rnd.getrandbits(60) | 1
        comps.append(dict(evidence["components"][0], weight=str(w / sum(weights)), state=[str(a), "0", "0", str(b)]))
    return problem, {"components": comps}


def test_the_mixture_value_is_the_weighted_sum_of_its_components():
    problem, evidence = _mixture(12)
    mixed = strategy.check(problem, ">=", F(0), evidence, "m").low
    alone = [strategy.check(problem, ">=", F(0), {"components": [dict(c, weight="1")]}, "c").low
             for c in evidence["components"]]
    assert mixed == sum(F(c["weight"]) * v for c, v in zip(evidence["components"], alone))


def test_the_sum_work_is_charged_per_component_and_changes_no_verdict(monkeypatch):
    problem, evidence = _mixture(12)
    value = strategy.check(problem, ">=", F(0), evidence, "m").low
    monkeypatch.setattr(strategy, "MAX_SUM_WORK", 10**30)
    assert strategy.check(problem, ">=", F(0), evidence, "m").low == value
    monkeypatch.setattr(strategy, "MAX_SUM_WORK", 10**6)  # 12 components of ~120-bit terms: past it
    with pytest.raises(CertifyError, match=r"^m\.evidence\.components: the mixture's exact sums exceed .* 1000000 bit "
                                           r"products \(work bound\)$"):
        strategy.check(problem, ">=", F(0), evidence, "m")
    monkeypatch.setattr(strategy, "MAX_SUM_WORK", 10**30)
    monkeypatch.setattr(strategy, "MAX_SUM_BITS", 200)  # the bits bound: before the sums that would exceed it
    with pytest.raises(CertifyError, match=r"exceed 200-bit denominators"):
        strategy.check(problem, ">=", F(0), evidence, "m")
