"""Hostile-referee attacks on "bits.chsh" and "pvalue.chsh" (helper "attacker"), built from the
committed Table 1 certificate at level 1+AB (42 bits) and must be refused.

Law `test_bits_never_exceed_the_tsirelson_guess_limit`: for any counts, the kernel's chain with
the committed tangent certifies at most n log2(8 / (2 + sqrt 2)) bits (G(I) >= G(2 sqrt 2) =
(2 + sqrt 2)/8 for every I the rounds can have), whatever the design p_xy and delta.
"""

import copy
import math
import os
from fractions import Fraction

from conftest import load_json as load
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.kernel import check_certificate, problem_sha256
from certify.kernel.bits import check_bits
from certify.kernel.npa import verify_tangent

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BITS = os.path.join(ROOT, "proofs", "pironio2010", "bits", "table1-level-1+AB.json")
PVALUE = os.path.join(ROOT, "proofs", "pironio2010", "bits", "table1-pvalue-local.json")



def recheck(cert, **claim):
    cert = copy.deepcopy(cert)
    cert["claim"].update(claim)
    cert["problem_sha256"] = problem_sha256(cert["claim"]["problem"])
    return check_certificate(cert, "f")


def test_committed_chain_is_the_baseline():
    verdict = check_certificate(load(BITS), "f")
    assert verdict.status == "verified" and verdict.value == 42


def test_bits_are_lower_bounds_only():
    for relation in ("<=", "=="):
        verdict = recheck(load(BITS), relation=relation)
        assert verdict.status == "false" and "proves no upper bound" in verdict.reason
    verdict = recheck(load(BITS), value="43")
    assert verdict.status == "false" and "not >= 43" in verdict.reason


def test_zero_bits_need_no_tangent_but_only_as_a_lower_bound():
    cert = load(BITS)
    cert["evidence"] = {"tangents": {}}
    assert recheck(cert, value="0").status == "verified"
    verdict = recheck(cert, value="0", relation="==")
    assert verdict.status == "false" and "proves no upper bound" in verdict.reason
    from certify.errors import CertifyError
    try:
        recheck(cert, value="1")
        raise AssertionError("one bit without tangents was accepted")
    except CertifyError as err:
        assert "expected tangents for one or more of" in str(err)


def tampered_tangent(change):
    cert = load(BITS)
    change(cert["evidence"]["tangents"])
    return check_certificate(cert, "f")


def test_tangent_must_be_the_chsh_guess_problem_at_its_own_input_pair_and_level():
    def scale_constraint(t):  # 2 CHSH >= 2 I is a different line: not accepted as the CHSH constraint
        for term in t["00"]["problem"]["constraint"]["expression"]["terms"]:
            term["coef"] = str(2 * int(term["coef"]))
    verdict = tampered_tangent(scale_constraint)
    assert verdict.status == "false" and "not the CHSH expression" in verdict.reason

    def swap(t):
        t["00"], t["01"] = t["01"], t["00"]
    verdict = tampered_tangent(swap)
    assert verdict.status == "false" and "tangents.00.problem.objective" in verdict.reason

    def level(t):
        t["10"]["problem"]["level"] = "2"
    verdict = tampered_tangent(level)
    assert verdict.status == "false" and "tangents.10.problem.level" in verdict.reason

    def statistics(t):  # a conditional line (given statistics) is not a bound for every round
        t["11"]["problem"]["statistics"] = [{"expression": t["11"]["problem"]["constraint"]["expression"],
                                             "value": "2"}]
    verdict = tampered_tangent(statistics)
    assert verdict.status == "false" and "expected exactly scenario, level, objective, constraint" in verdict.reason

    def lower_nu(t):  # the line moved down by 1/10^9: its dual identity at the empty word fails
        nu = Fraction(t["01"]["evidence"]["nu"]) - Fraction(1, 10**9)
        t["01"]["evidence"]["nu"] = f"{nu.numerator}/{nu.denominator}"
    verdict = tampered_tangent(lower_nu)
    assert verdict.status == "false" and "dual identity fails at word 1" in verdict.reason


def test_pvalue_is_an_upper_bound_only_and_needs_a_violation():
    cert = load(PVALUE)
    assert check_certificate(cert, "f").status == "verified"
    verdict = recheck(cert, relation=">=")
    assert verdict.status == "false" and "proves no lower bound" in verdict.reason
    # local-looking counts (I_hat = 2 exactly): the bound is 1, so "p <= 1/2" is refused
    local = copy.deepcopy(cert)
    local["claim"]["problem"]["counts"] = [[0, 0, 1, 0, 0, 1], [0, 1, 1, 0, 0, 1], [1, 0, 1, 0, 0, 1],
                                           [1, 1, 1, 0, 0, 1]]  # CHSH 1 + 1 + 1 - 1 = 2
    verdict = recheck(local, value="1/2")
    assert verdict.status == "false" and "not <= 1/2" in verdict.reason


_TANGENT = None


def tangent():
    global _TANGENT
    if _TANGENT is None:
        t = load(BITS)["evidence"]["tangents"]["00"]
        _TANGENT = verify_tangent(t["problem"], t["evidence"], "t")
    return _TANGENT


count = st.integers(0, 3000)


@settings(max_examples=40, deadline=None)
@given(st.lists(count, min_size=16, max_size=16), st.sampled_from([Fraction(1, 4), Fraction(1, 10), Fraction(1, 5)]),
       st.sampled_from([Fraction(1, 2), Fraction(1, 100), Fraction(1, 10**30)]))
def test_bits_never_exceed_the_tsirelson_guess_limit(raw, q, delta):
    counts = {}
    for k, (x, y, a, b) in enumerate((x, y, a, b) for x in (0, 1) for y in (0, 1) for a in (0, 1) for b in (0, 1)):
        counts[x, y, a, b] = raw[k] + (1 if a == b and (x, y) == (0, 0) else 0)
    for x in (0, 1):  # every input pair needs a trial
        for y in (0, 1):
            counts[x, y, 0, 0] += 1
    p_xy = {(0, 0): 1 - 3 * q, (0, 1): q, (1, 0): q, (1, 1): q}
    nu, lam = tangent()
    bits = check_bits(counts, delta, p_xy, nu, lam)
    n = sum(counts.values())
    assert 0 <= bits <= n * math.log2(8 / (2 + math.sqrt(2))) + 1e-9
