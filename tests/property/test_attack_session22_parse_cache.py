"""Session-22 attacks on the kernel's moment-structure cache (`kernel.npa._build`, an lru_cache of `words.build` on the
monomials) and on the integer dual identities of `kernel.npa.tangent_of` (D <Z_e, F_w> in integers, one division
per word): a later check must not be influenced by an earlier one, and no identity may pass that fails in
Fractions.

Attacks: mutating what a parse returned (the structure is frozen tuples; the blocks are rebuilt per parse),
interleaving scenarios of the same level spelling, evicting the cache and coming back, a certificate checked
against the problem of another scenario between two checks of its own, and identities off by the least
rational that survives the scaling (one unit of the common denominator, on a diagonal and an off-diagonal
entry of every word, hinted or not).
"""

import copy
import dataclasses
import os
from fractions import Fraction as F

import pytest
from conftest import load_json as load

import certify.kernel.npa as kernel_npa
from certify.errors import CertifyError
from certify.kernel import check_certificate
from certify.kernel.defs import words
from certify.kernel.format import Reject, format_rational
from certify.kernel.npa import parse_evidence, parse_problem, tangent_of
from certify.rounding import add_psd_hints, psd_hint

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TSIRELSON2 = os.path.join(ROOT, "proofs", "pironio2010", "npa", "tsirelson-2.json")
GLOBAL = os.path.join(ROOT, "proofs", "pironio2010", "npa", "global-2-I2.000000000.json")  # 4 blocks



def fresh(problem):
    """The parse with every cached structure dropped first."""
    kernel_npa._build.cache_clear()
    return parse_problem(problem, "problem")


def test_what_a_parse_returns_cannot_be_changed():
    problem = load(TSIRELSON2)["claim"]["problem"]
    npa = parse_problem(problem, "problem")
    s = npa.structure
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.entry = ()
    with pytest.raises(TypeError):
        s.entry[0][0] = 5  # tuples
    with pytest.raises(TypeError):
        s.words[1] = ()
    with pytest.raises(AttributeError):
        s.monomials.append(())
    npa.blocks[0].clear()  # the blocks are the caller's own: the next parse rebuilds them
    again = parse_problem(problem, "problem")
    assert again.structure is s and again.blocks[0] and again == fresh(problem)


def test_interleaved_scenarios_of_one_level_get_their_own_structure():
    base = load(TSIRELSON2)["claim"]["problem"]
    variants = []
    for inputs, outputs in (([2, 2], [2, 2]), ([3, 2], [2, 2]), ([2, 2], [3, 2]), ([2, 3], [2, 2])):
        problem = copy.deepcopy(base)
        problem["scenario"] = dict(problem["scenario"], inputs=inputs, outputs=outputs)
        variants.append(problem)
    expected = [fresh(p).structure for p in variants]
    assert len({s.monomials for s in expected}) == 4
    for order in (variants, variants[::-1], variants + variants):
        for problem in order:
            got = parse_problem(problem, "problem").structure
            assert got == expected[variants.index(problem)]


def test_eviction_and_return_rebuild_the_same_structure():
    base = load(TSIRELSON2)["claim"]["problem"]
    first = parse_problem(base, "problem").structure
    for level in ("1", "1+AB", "3", "4"):  # 12 structures: more than the cache holds
        for outputs in ([2, 2], [3, 2], [2, 3]):
            parse_problem(dict(base, level=level, scenario=dict(base["scenario"], outputs=outputs)), "problem")
    assert kernel_npa._build.cache_info().currsize <= 8
    assert parse_problem(base, "problem").structure == first
    assert words.build(list(first.monomials)) == first  # the uncached definition agrees


def test_a_certificate_checked_under_another_scenario_in_between():
    cert = load(TSIRELSON2)
    assert check_certificate(cert, "c").ok
    other = copy.deepcopy(cert)
    other["claim"]["problem"]["scenario"]["inputs"] = [3, 2]
    with pytest.raises(CertifyError):  # Z has the wrong size for the other scenario's level 2
        tangent_of(parse_problem(other["claim"]["problem"], "p"), other["evidence"], "e")
    assert not check_certificate(other, "c").ok
    assert check_certificate(cert, "c").ok


def _nudged(evidence, npa, block, i, j, eps):
    """Z_block[i][j] (upper triangle) moved by eps: the identity of its word fails by eps (x2 off the diagonal)."""
    out = copy.deepcopy(evidence)
    row = out["Z"][block][i]
    row[j - i] = format_rational(F(row[j - i]) + eps)
    return out


@pytest.mark.parametrize("path", [TSIRELSON2, GLOBAL])
@pytest.mark.parametrize("hint", [False, True])
def test_identities_off_by_one_unit_of_the_scale_fail(path, hint):
    cert = load(path)
    npa = parse_problem(cert["claim"]["problem"], "problem")
    evidence = add_psd_hints(npa, cert["evidence"])
    if hint:
        mats = parse_evidence(evidence, npa, "evidence")[4]
        evidence = dict(evidence, psd_hint=[[[format_rational(v) for v in row] for row in psd_hint(z)] for z in mats])
    assert tangent_of(npa, evidence, "evidence") == (F(evidence["nu"]), F(evidence["lambda"]))  # no statistics
    entry, n = npa.structure.entry, npa.structure.size
    firsts = {}
    for i in range(n):
        for j in range(i, n):
            if entry[i][j] != words.ZERO:
                firsts.setdefault((entry[i][j], i == j), (i, j))
    mats = parse_evidence(evidence, npa, "evidence")[4]
    for b in range(len(npa.blocks)):
        unit = F(1, max(v.denominator for row in mats[b] for v in row))  # one unit of the common denominator
        for (k, _), (i, j) in sorted(firsts.items()):
            if k == 0:
                continue  # word 1 is nu's identity: Z[0][0] moves the bound, tested elsewhere
            for eps in (unit, -unit, F(1, 10**60)):
                with pytest.raises(Reject, match=rf"Z\[{b}\]: dual identity fails at word"):
                    tangent_of(npa, _nudged(evidence, npa, b, i, j, eps), "evidence")
