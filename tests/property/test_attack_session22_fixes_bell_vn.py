"""Session 22 fixes (complexity, bits.bell / vn / bits.chsh): hostile files refused or decided quickly, the same math.

 - bits.bell: the estimator table is built term by term over only the output tuples a term matches, in integers
   over one common denominator (`kernel.bellbits.scaled_table`), and MAX_WORK is 10^6 (committed maximum 1056);
   the red team's 10^7 table (14 s) is refused at once, a 10^6 one is decided in well under a second.
 - vn.bound / eat.bits: Gauss-Radau node endpoints with denominators over MAX_T_BITS (512; committed <= 101) are
   refused before `legendre` (4000 digits took 22 s), one line naming the node's "t".
 - bits.chsh: one PSD work budget for the four tangents of a file, not one each.
"""

import json
import os
import random
import sys
import time
from fractions import Fraction as F
from itertools import product

import pytest

from certify.bellbits import estimator
from certify.errors import CertifyError
from certify.kernel import bellbits, check_certificate, psd, vn
from certify.kernel.defs.scenario import Scenario, make_expression
from certify.kernel.npa import verify_tangent

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_attack_session22_complexity import bellbits_table, widened  # noqa: E402 (the red team's builders)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load(path):
    with open(os.path.join(ROOT, path)) as handle:
        return json.load(handle)


def one_line(error):
    assert "\n" not in str(error)
    return str(error)


# --- bits.bell ------------------------------------------------------------------------------------------------------

def _old_estimator(sc, expr, p):
    """The estimator before session 22 (Fractions, every (x, a, term)): the reference the new table must equal."""
    fits = lambda slots, values: all(v is None or v == w for v, w in zip(slots, values))  # noqa: E731
    outs = list(product(*map(range, sc.outputs)))
    weighted = [(o, i, c / sum(q for x, q in p.items() if fits(i, x))) for o, i, c in expr.terms]
    return {x: [expr.constant + sum(c for o, i, c in weighted if fits(i, x) and fits(o, a)) for a in outs] for x in p}


@pytest.mark.parametrize("seed", range(25))
def test_the_integer_table_equals_the_fraction_table(seed):
    rng = random.Random(seed)
    sc = Scenario(tuple(rng.randint(1, 3) for _ in range(3)), tuple(rng.randint(2, 3) for _ in range(3)))
    xs = list(product(*map(range, sc.inputs)))
    p = {x: F(rng.randint(1, 9)) for x in xs if rng.random() < 0.7} or {xs[0]: F(1)}
    p = {x: w / sum(p.values()) for x, w in p.items()}
    terms = []
    while len(terms) < rng.randint(0, 12):
        parties = [i for i in range(3) if rng.random() < 0.6] or [rng.randrange(3)]
        outs = [rng.randrange(sc.outputs[i]) if i in parties else None for i in range(3)]
        ins = [rng.randrange(sc.inputs[i]) if i in parties else None for i in range(3)]
        if any(all(v is None or v == w for v, w in zip(ins, x)) for x in p):
            terms.append((outs, ins, F(rng.randint(-50, 50), rng.choice([1, 3, 2**rng.randint(1, 90), 10**12 + 39]))))
    expr = make_expression(sc, terms, F(rng.randint(-5, 5), rng.randint(1, 7)))
    table, index = estimator(sc, expr, p, "e")
    assert table == _old_estimator(sc, expr, p) and index == {a: j for j, a in enumerate(product(*map(range,
                                                                                                       sc.outputs)))}
    rows, scale, _ = bellbits.scaled_table(sc, expr, p, "e")
    assert all(isinstance(v, int) for row in rows.values() for v in row) and scale >= 1


def test_the_red_team_table_at_the_old_bound_is_refused_at_once():
    problem = bellbits_table(bits=60)["claim"]["problem"]
    started = time.perf_counter()
    with pytest.raises(CertifyError, match="estimator table larger than 1000000") as error:
        bellbits.scaled_table(*bellbits.read(problem, "p")[:3], "p")
    assert time.perf_counter() - started < 1 and one_line(error.value).startswith("p: ")


def test_a_table_at_the_new_bound_is_built_quickly_and_the_file_decided():
    """10^4 output tuples x (99 + 1) terms with 2^-k coefficients (k <= 2000): exactly MAX_WORK."""
    c = bellbits_table(nterms=99, bits=60)
    problem = c["claim"]["problem"]
    sc, expr, p = bellbits.read(problem, "p")[:3]
    assert len(p) * 10**4 * (len(expr.terms) + 1) == bellbits.MAX_WORK
    started = time.perf_counter()
    with pytest.raises(CertifyError, match="tangents"):
        bellbits.check(problem, ">=", F(1), c["evidence"], "f")
    assert time.perf_counter() - started < 1


def test_the_committed_bell_bits_still_verify():
    for name in ("table1-eq3", "chsh_biased", "table1-range", "mermin3"):
        assert check_certificate(load(f"proofs/bell/{name}.json"), name).status == "verified", name


# --- vn.bound / eat.bits ----------------------------------------------------------------------------------------------

def _widen(c, nodes, digits, seed=4):
    rnd = random.Random(seed)
    for node in nodes:
        lo, hi = node["t"]
        node["t"] = [widened(lo, rnd.randrange(10 ** (digits - 1), 10 ** digits) | 1, True),
                     widened(hi, rnd.randrange(10 ** (digits - 1), 10 ** digits) | 1, False)]
    return c


@pytest.mark.parametrize("path", ["proofs/vn/chsh_H_AB_S2.8284_m16.json", "proofs/vn/eat/table1.json"])
def test_long_node_endpoints_are_refused_before_legendre(path):
    c = load(path)
    c = _widen(c, c["evidence"]["nodes"], 3990)
    started = time.perf_counter()
    with pytest.raises(CertifyError, match=r"evidence\.nodes\[0\]\.t: a denominator exceeds 512 bits") as error:
        check_certificate(c, "f")
    assert time.perf_counter() - started < 1 and one_line(error.value)


def test_node_endpoints_at_the_bound_are_read_quickly():
    """512-bit endpoints (the bound) pass the size check; the 15 intervals of m = 16 are checked in well under 1 s."""
    c = load("proofs/vn/chsh_H_AB_S2.8284_m16.json")
    c = _widen(c, c["evidence"]["nodes"], 154)
    assert max(F(t).denominator.bit_length() for n in c["evidence"]["nodes"] for t in n["t"]) == vn.MAX_T_BITS
    started = time.perf_counter()
    assert len(vn.gauss_radau(c["claim"]["problem"], c["evidence"], "p", "e")) == 15
    assert time.perf_counter() - started < 1


def test_committed_node_endpoints_are_far_below_the_bound():
    for folder in ("proofs/vn", "proofs/vn/eat"):
        for name in sorted(os.listdir(os.path.join(ROOT, folder))):
            if name.endswith(".json"):
                nodes = load(f"{folder}/{name}")["evidence"]["nodes"]
                assert max(F(t).denominator.bit_length() for n in nodes for t in n["t"]) <= vn.MAX_T_BITS // 4


# --- bits.chsh: one PSD budget for the four tangents ------------------------------------------------------------------

BITS = "proofs/pironio2010/bits/table1-level-3.json"  # the committed maximum: ~1.07e12 over four tangents


def test_bits_chsh_tangents_that_fit_alone_but_not_together_are_refused(monkeypatch):
    monkeypatch.setattr(psd, "MAX_WORK", 6 * 10**11)  # each tangent ~2.7e11 fits; the four (~1.07e12) do not
    c = load(BITS)
    for x in c["evidence"]["tangents"]:  # control: each tangent alone is within the lowered bound
        alone = [0]
        verify_tangent(c["evidence"]["tangents"][x]["problem"], c["evidence"]["tangents"][x]["evidence"], "t", alone)
        assert 0 < alone[0] <= psd.MAX_WORK
    with pytest.raises(CertifyError, match=r"tangents\.1[01]\..* in total") as error:  # after two or three fit
        check_certificate(c, "f")
    assert one_line(error.value)


def test_bits_chsh_still_verifies_at_the_real_bound():
    assert check_certificate(load(BITS), "f").status == "verified"
