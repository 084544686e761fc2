"""Session-22 red team, complexity: hostile files within the format's size limits (16 MiB, 10^6 values, 4000 digits)
that must be decided or refused in bounded time and memory, with one error line and no traceback.

Each file is checked by `certify check` in a child process under RLIMIT_AS (1.5 GB), RLIMIT_CPU and a wall timeout.
Found here and fixed the same day (measured in-process on the 2-core box, uncapped, before the fixes 030ece7, 45f1996):
 (1) quantum.strategy: the mixture's running sums, 1000 statistics x 40 components of distinct ~4000-bit
     probability denominators (1.1 MB): 48 s (20 components: 12.6 s). The products budget charges a sum as 4
     products whatever its size, MAX_SUM_BITS (2^18) allows sums of ~260,000 bits: strategy.py:48-52.
 (2) local.bound: the enumeration at its work bound, 1024 strategies x 8,100 terms (434 kB): 13.8 s with integer
     coefficients, 32 s with 2^-k denominators (3 MB): MAX_WORK = 10^7 (strategy, term) pairs, ~1.4 us each
     (a generator per pair): local.py:18, 95-105.
 (3) bits.bell: the estimator table at its work bound, 4 parties x 10 outputs, 999 full terms (64 kB): 11.6 s
     (14 s with 60-bit numerators): MAX_WORK = 10^7, two `_fits` generators per unit: bellbits.py:32, 71-72.
 (4) vn.bound / eat.bits: Gauss-Radau node endpoints of ~4000 digits (the committed m = 16 certificate with widened
     intervals): `legendre` runs Bonnet's recursion in Fractions, whose denominators grow to 16 x 13,000 bits with a
     gcd per step: 22 s in `gauss_radau` alone, before any dual is read: vn.py:73-78, 98-111.
Held (refused or decided quickly): hash-colliding denominators (2^61 - 1 steps) in every other list the kernel
sums (lp dual and primal, threshold penalty, local mixture weights and dual, strategy weights, bits.bell p_x, npa
mu, lp constraints), Fraction-hash collisions (equal hash(p/q)) in the same places, amplify/bits/eat parameters
at their extremes (4000-digit eps, alpha, beta, delta, k = 10^100, n = 10^13), long level strings, npa
statistics at their count bound, a manifest of many entries.
"""

import json
import os
import random
from fractions import Fraction as F
from itertools import product

import pytest
from conftest import limited_check

from certify.certificate import make_certificate
from certify.kernel.format import format_rational

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
P61 = (1 << 61) - 1  # hash(int) == int mod P61
QUICK = 6  # seconds (wall) for a refusal or decision; every uncapped bug below takes >= 11 s
CHSH = {"terms": [{"coef": str((-1) ** (x * y + a + b)), "inputs": [x, y], "outputs": [a, b]}
                  for x, y, a, b in product(range(2), repeat=4)]}


# --- the child process --------------------------------------------------------------------------------------------

def run_check(path, seconds=QUICK) -> tuple:
    return limited_check(path, seconds)


def assert_bounded(result, codes=(1, 2), pattern=""):
    """Decided (1) or refused (2) in time, no traceback, no internal error, one line naming the reason."""
    rc, out, err, seconds = result
    assert rc in codes, f"exit {rc} after {seconds:.1f} s: {err[-400:]}"
    text = out + err
    assert "Traceback" not in text and "internal error" not in text, text[-400:]
    if rc == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1, err[-400:]
    assert pattern in text, text[-400:]


def write(tmp_path, name, cert):
    path = tmp_path / name
    path.write_text(json.dumps(cert, separators=(",", ":")))
    assert path.stat().st_size < 16 << 20
    return path


def cert(kind, problem, relation, value, evidence, claim_id="redteam/complexity"):
    return make_certificate(claim_id, kind, "hostile", problem, relation, value, evidence)


def colliding(count, start=3):
    """Distinct odd denominators of one int hash (d mod 2^61 - 1 equal)."""
    dens = [start + 2 * t * P61 for t in range(1, count + 1)]
    assert len({hash(d) for d in dens}) == 1
    return dens


def fraction_colliding(count):
    """Distinct Fractions 1/q of one hash: hash(1/q) = pow(q, -1, P61), so q = q0 + t P61 share it."""
    values = [F(1, 5 + 2 * t * P61) for t in range(1, count + 1)]
    assert len({hash(v) for v in values}) == 1
    return [format_rational(v) for v in values]


# --- (1) quantum.strategy: the mixture's running sums --------------------------------------------------------------

def _projector_pair(p, q):
    """A rank-one rational projector v v^T / |v|^2 (v = (p, q)) and its complement: denominators p^2 + q^2."""
    s = p * p + q * q
    r = lambda v: format_rational(F(v, s))  # noqa: E731
    return [[[r(p * p), r(p * q)], [r(p * q), r(q * q)]], [[r(q * q), r(-p * q)], [r(-p * q), r(p * p)]]]


def strategy_sums(components, rules, parties=6, bits=250, seed=1):
    rnd = random.Random(seed)
    term = {"coef": "1", "inputs": [0] * parties, "outputs": [0] * parties}
    problem = {"scenario": {"inputs": [1] * parties, "outputs": [2] * parties}, "objective": {"bell": {"terms": [term]}},
               "statistics": [{"expression": {"terms": [term]}, "value": "1/3"} for _ in range(rules)]}
    comps = [{"weight": f"1/{components}", "dims": [2] * parties,
              "projectors": [[_projector_pair(rnd.getrandbits(bits) | 1, rnd.getrandbits(bits) | 1)]
                             for _ in range(parties)],
              "state": [str(rnd.getrandbits(500) | 1) for _ in range(2 ** parties)]} for _ in range(components)]
    return cert("quantum.strategy", problem, ">=", "0", {"components": comps})


def test_strategy_sums_control_few_components_decide_quickly(tmp_path):
    """Control: 3 components x 1000 statistics: false (the statistics are not met), well within time."""
    assert_bounded(run_check(write(tmp_path, "s3.json", strategy_sums(3, 1000))), (1,), "constraint 0 fails")


def test_strategy_sums_of_many_rules_and_components_are_bounded(tmp_path):
    assert_bounded(run_check(write(tmp_path, "s30.json", strategy_sums(30, 1000))))


def test_strategy_weights_of_colliding_hashes_are_refused_quickly(tmp_path):
    problem = {"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, "objective": {"bell": CHSH}}
    comps = [{"weight": f"1/{d}", "dims": [1, 1], "projectors": [[[["1"]], [["0"]]]] * 2,
              "state": ["1"]} for d in colliding(20_000)]
    assert_bounded(run_check(write(tmp_path, "sw.json", cert("quantum.strategy", problem, ">=", "0",
                                                                {"components": comps}))), (2,), "work bound")


# --- (2) local.bound: the deterministic enumeration at its work bound -----------------------------------------------

def local_at_bound(nterms=8100, bits=0, sense="max", seed=2, dual=False):
    """Party 1: 10 inputs, 2 outputs (1024 strategies); party 2: 40 x 40; 1024 x (8100 + 1600) < 10^7."""
    rnd = random.Random(seed)
    keys = [(a, b, x, y) for x in range(10) for a in range(2) for y in range(40) for b in range(40)]
    rnd.shuffle(keys)
    coef = lambda: f"{rnd.getrandbits(bits) | 1}/{1 << rnd.randint(1, 2000)}" if bits else str(rnd.randint(1, 9))  # noqa
    terms = [{"coef": coef(), "inputs": [x, y], "outputs": [a, b]} for a, b, x, y in keys[:nterms]]
    problem = {"scenario": {"inputs": [10, 40], "outputs": [2, 40]}, "objective": {"bell": {"terms": terms}},
               "sense": sense}
    if dual:
        problem["constraints"] = [{"expression": {"terms": terms[:1]}, "relation": "<=", "value": "1"}]
        return cert("local.bound", problem, "<=" if sense == "max" else ">=", "0", {"dual": ["0"]})
    return cert("local.bound", problem, "<=", "0", {"strategy": [[0] * 10, [0] * 40]})


def test_local_enumeration_control_a_tenth_of_the_bound(tmp_path):
    assert_bounded(run_check(write(tmp_path, "l1.json", local_at_bound(nterms=800))), (1,), "not the maximum")


def test_local_enumeration_at_its_work_bound_is_quick(tmp_path):
    assert_bounded(run_check(write(tmp_path, "l.json", local_at_bound())))


def test_local_dual_enumeration_at_its_work_bound_is_quick(tmp_path):
    assert_bounded(run_check(write(tmp_path, "ld.json", local_at_bound(bits=60, dual=True))))


def test_local_mixture_weights_of_colliding_hashes_are_refused_quickly(tmp_path):
    problem = {"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, "objective": {"bell": CHSH}, "sense": "max",
               "constraints": [{"expression": CHSH, "relation": "<=", "value": "2"}]}
    mix = [{"weight": f"1/{d}", "strategy": [[0, 0], [0, 0]]} for d in colliding(20_000)]
    assert_bounded(run_check(write(tmp_path, "lm.json", cert("local.bound", problem, ">=", "0", {"mixture": mix}))),
                   (2,), "work")


def test_local_dual_of_colliding_fraction_hashes_is_refused_quickly(tmp_path):
    rules = [{"expression": CHSH, "relation": "<=", "value": "2"}] * 1000
    problem = {"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, "objective": {"bell": CHSH}, "sense": "max",
               "constraints": rules}
    assert_bounded(run_check(write(tmp_path, "ldc.json", cert("local.bound", problem, "<=", "2",
                                                                 {"dual": fraction_colliding(1000)}))), (2,), "work")


# --- (3) bits.bell: the estimator table at its work bound -----------------------------------------------------------

def bellbits_table(parties=4, outputs=10, nterms=999, bits=0, seed=3):
    """One input per party, 10^4 output tuples x (999 + 1) terms = 10^7: the whole work bound."""
    rnd = random.Random(seed)
    keys = set()
    while len(keys) < nterms:
        keys.add(tuple(rnd.randrange(outputs) for _ in range(parties)))
    coef = lambda: f"{rnd.getrandbits(bits) | 1}/{1 << rnd.randint(1, 2000)}" if bits else "1"  # noqa: E731
    terms = [{"coef": coef(), "inputs": [0] * parties, "outputs": list(a)} for a in sorted(keys)]
    problem = {"scenario": {"inputs": [1] * parties, "outputs": [outputs] * parties},
               "expression": {"terms": terms}, "p_x": {"0" * parties: "1"}, "counts": {f"{'0' * parties}|{'0' * parties}": 1},
               "parties": [0], "delta": "1/100", "azuma": "range"}
    return cert("bits.bell", problem, ">=", "1", {"tangents": [], "line": {"nu": "1", "lambda": "0"}})


def test_bellbits_table_control_a_tenth_of_the_bound(tmp_path):
    assert_bounded(run_check(write(tmp_path, "b1.json", bellbits_table(nterms=99))), (2,), "tangents")


def test_bellbits_table_at_its_work_bound_is_quick(tmp_path):
    assert_bounded(run_check(write(tmp_path, "b.json", bellbits_table(bits=60))))


def test_bellbits_p_x_of_colliding_fraction_hashes_is_refused_quickly(tmp_path):
    p_x = dict(zip(("".join(map(str, x)) for x in product(range(10), repeat=4)), fraction_colliding(10_000)))
    problem = {"scenario": {"inputs": [10] * 4, "outputs": [2] * 4}, "expression": {"terms": [
        {"coef": "1", "inputs": [0, 0, 0, 0], "outputs": [0, 0, 0, 0]}]}, "p_x": p_x, "counts": {"0000|0000": 1},
        "parties": [0], "delta": "1/100", "azuma": "range"}
    c = cert("bits.bell", problem, ">=", "1", {"tangents": [], "line": {"nu": "1", "lambda": "0"}})
    assert_bounded(run_check(write(tmp_path, "bpx.json", c)), (2,), "work")


# --- (4) vn.bound / eat.bits: Gauss-Radau node endpoints of 4000 digits ---------------------------------------------

def widened(text, q, down):
    """A 4000-digit endpoint just outside the committed one: floor / ceil of t q over q (q random, odd)."""
    t = F(text)
    k = (t.numerator * q) // t.denominator if down else -((-t.numerator * q) // t.denominator)
    return format_rational(F(k, q))


def vn_long_nodes(path="proofs/vn/chsh_H_AB_S2.8284_m16.json", digits=3990, seed=4):
    with open(os.path.join(ROOT, path)) as handle:
        c = json.load(handle)
    rnd = random.Random(seed)
    for node in c["evidence"]["nodes"]:
        lo, hi = node["t"]
        node["t"] = [widened(lo, rnd.randrange(10 ** (digits - 1), 10 ** digits) | 1, True),
                     widened(hi, rnd.randrange(10 ** (digits - 1), 10 ** digits) | 1, False)]
    return c


def test_vn_node_endpoints_control_short_widening(tmp_path):
    """Control: the same widening with 60-digit endpoints: the first node's dual no longer matches (false)."""
    assert_bounded(run_check(write(tmp_path, "v60.json", vn_long_nodes(digits=60)), 15), (1,))


def test_vn_node_endpoints_of_4000_digits_are_bounded(tmp_path):
    assert_bounded(run_check(write(tmp_path, "v.json", vn_long_nodes())))


# --- held: other sums of attacker-chosen rationals -------------------------------------------------------------------

def test_lp_dual_of_colliding_denominators_is_refused_quickly(tmp_path):
    problem = {"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, "sense": "max",
               "objective": {"kind": "bell", "expression": CHSH}}
    from certify.kernel.defs.ns_polytope import build
    rows = sorted(build(problem, "p", extended=True).row_b)
    dual = {key: f"1/{d}" for key, d in zip(rows, colliding(len(rows)))}
    assert_bounded(run_check(write(tmp_path, "lpd.json", cert("lp.ns", problem, "<=", "4", {"dual": dual}))),
                   (1, 2))


def test_lp_primal_of_colliding_fraction_hashes_is_refused_quickly(tmp_path):
    problem = {"scenario": {"inputs": [10, 10], "outputs": [9, 9]}, "sense": "max",
               "objective": {"kind": "bell", "expression": {"terms": [
                   {"coef": "1", "inputs": [0, 0], "outputs": [0, 0]}]}}}
    keys = [f"{x}{y}|{a}{b}" for x in range(10) for y in range(10) for a in range(9) for b in range(9)]
    primal = dict(zip(keys, fraction_colliding(len(keys))))
    assert_bounded(run_check(write(tmp_path, "lpp.json", cert("lp.ns", problem, ">=", "0", {"primal": primal}))),
                   (2,), "work")


def test_threshold_penalty_of_colliding_denominators_is_refused_quickly(tmp_path):
    lp = {"scenario": {"inputs": [10, 10], "outputs": [9, 9]}, "sense": "max",
          "objective": {"kind": "linear", "terms": [["00", "00", "1"]]}}
    keys = [(f"{x}{y}", f"{a}{b}") for x in range(10) for y in range(10) for a in range(9) for b in range(9)]
    penalty = {"kind": "linear", "terms": [[x, a, f"1/{d}"] for (x, a), d in zip(keys, colliding(len(keys)))]}
    problem = {"lp": lp, "penalty": penalty, "target": "1"}
    assert_bounded(run_check(write(tmp_path, "th.json", cert("lp.threshold", problem, "<=", "1", {"dual": {}}))),
                   (2,), "work")


def test_npa_multipliers_of_colliding_fraction_hashes_are_refused_quickly(tmp_path):
    stats = [{"expression": CHSH, "value": "2"}] * 1000
    problem = {"scenario": {"inputs": [11, 11], "outputs": [3, 3]}, "level": "1+AB", "objective": {"bell": CHSH},
               "statistics": stats}  # 529 rows, 107,449 words: 1000 statistics allowed
    ev = {"nu": "1", "lambda": "0", "mu": fraction_colliding(1000), "Z": []}
    assert_bounded(run_check(write(tmp_path, "mu.json", cert("npa.max", problem, "<=", "4", ev))), (2,), "work")


def test_npa_statistics_at_their_count_bound_are_decided_quickly(tmp_path):
    """1000 statistics of 100 terms each (the total-products bound): parsed, expanded and refused in time."""
    terms = [{"coef": str(k + 1), "inputs": [x, y], "outputs": [a, b]}
             for k, (x, y, a, b) in enumerate(product(range(5), range(5), range(2), range(2)))]
    stats = [{"expression": {"terms": terms}, "value": str(v)} for v in range(1000)]
    problem = {"scenario": {"inputs": [11, 11], "outputs": [3, 3]}, "level": "1+AB", "objective": {"bell": CHSH},
               "statistics": stats}
    ev = {"nu": "1", "lambda": "0", "mu": ["0"] * 1000, "Z": []}
    assert_bounded(run_check(write(tmp_path, "st.json", cert("npa.max", problem, "<=", "4", ev))), (1, 2))


# --- held: parameters at their extremes -------------------------------------------------------------------------------

BIG = "1" + "0" * 3999


@pytest.mark.parametrize("params", [
    {"eps": f"1/{BIG}", "alpha": "1/2", "beta": "2", "n_d": 10**9, "n_b_log2": "1" + "0" * 100},
    {"eps": "1/2", "alpha": f"1/{BIG}", "beta": BIG, "n_d": 10**9, "n_b_log2": "1" + "0" * 100},
    {"eps": "1/2", "alpha": f"{int(BIG) - 1}/{BIG}", "beta": f"{int(BIG) + 1}/{BIG}", "n_d": 1, "n_b_log2": "1" + "0" * 100},
    {"eps": f"{int('9' * 3999)}/{BIG}", "alpha": "1/2", "beta": "2", "n_d": 1, "n_b_log2": "0"},
], ids=["tiny-eps", "tiny-alpha-huge-beta", "alpha-beta-near-1", "eps-near-half"])
def test_amplify_extreme_parameters_are_decided_quickly(tmp_path, params):
    assert_bounded(run_check(write(tmp_path, "amp.json", cert("amplify.bound", params, "<=", "1", {}))), (0, 1, 2))


def chsh_counts(scale):
    return [[x, y, *(scale * (3 if (a ^ b) == x * y else 1) for a in range(2) for b in range(2))]
            for x in range(2) for y in range(2)]


@pytest.mark.parametrize("delta", [f"1/{BIG}", f"{int(BIG) - 1}/{BIG}"], ids=["tiny", "near-1"])
def test_pvalue_and_bits_at_extreme_delta_and_counts_are_decided_quickly(tmp_path, delta):
    p_xy = {"00": f"1/{BIG}", "01": "1/3", "10": "1/3", "11": format_rational(F(1, 3) - F(1, int(BIG)))}
    problem = {"counts": chsh_counts(10**11), "p_xy": p_xy}
    assert_bounded(run_check(write(tmp_path, "pv.json", cert("pvalue.chsh", problem, "<=", "1", {}))), (0, 1))
    problem = {"counts": chsh_counts(10**11), "p_xy": p_xy, "delta": delta, "model": "quantum", "level": "1+AB"}
    assert_bounded(run_check(write(tmp_path, "bc.json", cert("bits.chsh", problem, ">=", "1", {"tangents": {}}))),
                   (1, 2))


def test_eat_extreme_parameters_are_decided_quickly(tmp_path):
    with open(os.path.join(ROOT, "proofs/vn/eat", sorted(os.listdir(os.path.join(ROOT, "proofs/vn/eat")))[0])) as f:
        c = json.load(f)
    problem = c["claim"]["problem"]
    problem.update(rounds=10**13 - 1, gamma=f"1/{BIG}", eps_smooth=f"1/{BIG}", eps_accept=f"1/{BIG}")
    c = cert("eat.bits", problem, ">=", "1", c["evidence"])
    assert_bounded(run_check(write(tmp_path, "eat.json", c), 15), (0, 1, 2))


def test_long_level_strings_are_refused_quickly(tmp_path):
    from itertools import combinations_with_replacement
    level = "1"
    for term in ("".join(t) for t in combinations_with_replacement("ABCDEFGH", 4)):
        if len(level) + 1 + len(term) > 400:
            break
        level += "+" + term
    problem = {"scenario": {"inputs": [3] * 8, "outputs": [3] * 8}, "level": level, "objective": {"bell": {"terms": [
        {"coef": "1", "inputs": [0] * 8, "outputs": [0] * 8}]}}}
    assert_bounded(run_check(write(tmp_path, "lvl.json", cert("npa.max", problem, "<=", "1",
                                                                 {"nu": "1", "lambda": "0", "Z": []}))), (2,), "words")


def test_a_manifest_of_many_missing_entries_is_decided_quickly(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    entries = [{"file": f"{'d/' * 40}c{k}.json", "id": f"c{k}", "kind": "lp.ns", "relation": "<=", "value": "1",
                "statement": "s", "problem_sha256": "0" * 64} for k in range(20_000)]
    (folder / "manifest.json").write_text(json.dumps({"format": "certify/1", "claims": entries}))
    rc, out, err, seconds = run_check(folder, 15)
    assert rc == 2 and "Traceback" not in out + err and "internal error" not in out + err, (rc, err[-300:])
