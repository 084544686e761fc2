"""The quantum majority (issue 5, item 5): NPA level 2+ABC with maximal Mermin violation imposed.

No-signalling allows P(maj(a1,a2,a3) = 0 | x0) = 3/4 (the Lemma); the certified NPA bound is
1/2 + ~5e-6, and the GHZ state attains 1/2, so the quantum value is 1/2 to that precision.
The committed certificate is checked by the kernel (fast); regenerating it is slow.
"""

import os
from fractions import Fraction

import pytest

from certify.errors import CertifyError
from certify.kernel import check_certificate, problem_sha256
from certify.kernel.format import read_json
from certify.kernel.npa import parse_problem, verify_tangent
from certify.papers.gallego2013.quantum import LEVEL, file_name, majority_expression, negative_losses, quantum_problem

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
X0 = (1, 0, 0, 0, 0)
STATED = Fraction(1, 2) + Fraction(1, 10**5)  # the precision the report states: 1/2 + 1e-5


@pytest.fixture(scope="module")
def committed():
    return read_json(os.path.join(ROOT, "proofs", file_name(X0)))


def test_committed_bound_is_one_half_to_stated_precision(committed):
    verdict = check_certificate(committed, "quantum")
    assert verdict.ok, verdict.reason
    assert Fraction(1, 2) < verdict.value <= STATED < Fraction(3, 4)


def test_committed_problem_is_the_maximal_violation_problem(committed):
    assert committed["claim"]["problem"] == quantum_problem(X0)
    assert committed["problem_sha256"] == problem_sha256(quantum_problem(X0))
    assert committed["claim"]["problem"]["constraint"]["at"] == "0"


def test_tangent_gives_a_robust_quantum_bound(committed):
    # P(maj = 0 | x0) <= nu + lambda B at this level, for every value B of the lost-round count.
    nu, lam = verify_tangent(committed["claim"]["problem"], committed["evidence"], "quantum")
    assert Fraction(1, 2) < nu <= STATED and lam > 0


def test_ghz_attains_one_half_with_no_lost_rounds():
    from lp_checks.ghz import five_party_quantum_point

    box = five_party_quantum_point()

    def prob(outs, ins):
        x = tuple(ins[i] if ins[i] is not None else X0[i] for i in range(5))
        return sum(p for (a, xx), p in box.items()
                   if xx == x and all(o is None or o == a[i] for i, o in enumerate(outs)))

    from certify.expressions import evaluate

    assert evaluate(majority_expression(X0), prob) == Fraction(1, 2)
    assert evaluate(negative_losses(), prob) == 0


def test_level_has_69_words_and_needs_the_triples():
    assert parse_problem(quantum_problem(X0), "p").structure.size == 69
    with pytest.raises(CertifyError, match="raise the level"):
        parse_problem(quantum_problem(X0, "2"), "p")


@pytest.mark.slow
def test_regenerated_bound_matches():
    from certify.papers.gallego2013.quantum import certify_majority

    cert, _ = certify_majority(X0, LEVEL, Fraction(1, 10**8))
    verdict = check_certificate(cert, "regenerated")
    assert verdict.ok and Fraction(1, 2) < verdict.value <= Fraction(1, 2) + Fraction(1, 10**4)
