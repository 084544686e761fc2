"""Hostile-referee attacks on "npa.max" (helper "attacker"): each is built here and must be refused.

Laws:
- `test_moment_structure_matches_a_quantum_realisation`: every position the kernel maps to one
  word holds one number, and every ZERO position holds 0, in random projective strategies (the
  soundness of the whole NPA kind rests on this identification).
- `test_to_words_agrees_with_direct_evaluation`: the Collins-Gisin expansion (last outcome
  E_{d-1} = 1 - sum, repeated and zero terms, constants) is the same function of the strategy.
Pinned attacks: a multiplier lambda with no constraint, statistics multipliers smuggled into a
problem without statistics, the "< 1/k" guess refusal at its boundary, a Z that is PSD only
up to one tiny negative pivot (both PSD back-ends), and a Z entry moved onto a ZERO entry.
"""

from fractions import Fraction
from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.kernel import check_certificate, problem_sha256
from certify.kernel.defs.scenario import Scenario, make_expression, to_words
from certify.kernel.defs.words import ZERO, build, parse_level


def certificate(problem, value, evidence, relation="<="):
    return {"format": "certify/1",
            "claim": {"id": "attack/npa", "kind": "npa.max", "statement": "attack", "problem": problem,
                      "relation": relation, "value": value},
            "problem_sha256": problem_sha256(problem), "evidence": evidence}


def projective_strategy(rng, inputs, outputs, dims):
    """Random projective measurements per party (random ranks) and a random complex state."""
    def measurement(dim, d):
        q, _ = np.linalg.qr(rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim)))
        cuts = [0, *sorted(rng.integers(0, dim + 1, size=d - 1)), dim]
        return [q[:, cuts[k]:cuts[k + 1]] @ q[:, cuts[k]:cuts[k + 1]].conj().T for k in range(d)]
    meas = [[measurement(dims[i], outputs[i]) for _ in range(inputs[i])] for i in range(len(inputs))]
    total = int(np.prod(dims))
    psi = rng.normal(size=total) + 1j * rng.normal(size=total)
    psi /= np.linalg.norm(psi)

    def letter(i, x, a):
        out = np.eye(1)
        for j in range(len(inputs)):
            out = np.kron(out, meas[i][x][a] if j == i else np.eye(dims[j]))
        return out

    def moment(word):
        op = np.eye(total, dtype=complex)
        for i, x, a in word:
            op = op @ letter(i, x, a)
        return psi.conj() @ op @ psi
    return moment


scenarios = st.sampled_from([((2,), (3,)), ((3,), (2,)), ((2, 2), (2, 2)), ((2, 3), (3, 2)), ((1, 2), (3, 3)),
                             ((2, 1, 2), (2, 2, 2))])


@settings(max_examples=12, deadline=None)
@given(scenarios, st.sampled_from(["1", "2", "1+AB"]), st.integers(0, 2**32 - 1))
def test_moment_structure_matches_a_quantum_realisation(sizes, level, seed):
    inputs, outputs = sizes
    if "AB" in level and len(inputs) < 2:
        level = "2"
    monomials = parse_level(level, inputs, outputs, "level")
    structure = build(monomials)
    moment = projective_strategy(np.random.default_rng(seed), inputs, outputs, [2] * len(inputs))
    seen = {}
    for i, u in enumerate(monomials):
        for j, v in enumerate(monomials):
            value = moment(tuple(reversed(u)) + v)
            k = structure.entry[i][j]
            if k == ZERO:
                assert abs(value) < 1e-9, (u, v, value)
            else:  # real parts agree on a word and its adjoint (the real symmetric relaxation)
                assert abs(seen.setdefault(k, value.real) - value.real) < 1e-9, (structure.words[k], u, v)


@settings(max_examples=25, deadline=None)
@given(scenarios, st.lists(st.tuples(st.lists(st.integers(0, 5), min_size=3, max_size=3),
                                     st.lists(st.integers(0, 5), min_size=3, max_size=3),
                                     st.sets(st.integers(0, 2), min_size=1), st.integers(-3, 3)),
                           min_size=1, max_size=6),
       st.integers(-2, 2), st.integers(0, 2**32 - 1))
def test_to_words_agrees_with_direct_evaluation(sizes, raw, constant, seed):
    inputs, outputs = sizes
    n = len(inputs)
    scenario = Scenario(inputs, outputs)
    terms = []
    for outs, ins, parties, coef in raw:  # repeated terms and zero coefficients are allowed on purpose
        parties = {p % n for p in parties}
        terms.append(([outs[i] % outputs[i] if i in parties else None for i in range(n)],
                      [ins[i] % inputs[i] if i in parties else None for i in range(n)], Fraction(coef, 2)))
    expression = make_expression(scenario, terms + terms[:1], Fraction(constant, 3))
    moment = projective_strategy(np.random.default_rng(seed), inputs, outputs, [2] * n)
    # direct: the full-probability terms as products of (all, including last-outcome) projectors
    direct = float(expression.constant) + sum(
        float(c) * moment(tuple((i, x, a) for i, (a, x) in enumerate(zip(o, x_)) if a is not None)).real
        for o, x_, c in ((o, x_, c) for o, x_, c in expression.terms))
    via_words = sum(float(c) * moment(w).real for w, c in to_words(expression, scenario).items())
    assert abs(direct - via_words) < 1e-9


# A strategy's `moment` above takes letters (i, x, a) with any a < d, including the last outcome,
# so `direct` really evaluates P(a|x) with E_{d-1|x}, and `via_words` only Collins-Gisin letters.


# One party, one input, two outputs, level 1: monomials (), A0; guess of a at x = 0 (two blocks).
GUESS = {"scenario": {"inputs": [1], "outputs": [2]}, "level": "1",
         "objective": {"guess": {"parties": [0], "inputs": [0]}}}


def rational(v):
    v = Fraction(v)
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


def infeasible_guess(nu):
    """Statistic P(a=0|0) = 2 (no box has it): with mu = nu - 1 the dual identities hold with
    Z_0 = nu [[1, -1], [-1, 1]], Z_1 = diag(nu - 1, 2 - nu), so the bound is nu - 2 mu = 2 - nu."""
    nu = Fraction(nu)
    problem = dict(GUESS, statistics=[{"expression": {"terms": [{"coef": "1", "outputs": [0], "inputs": [0]}]},
                                       "value": "2"}])
    evidence = {"nu": rational(nu), "lambda": "0", "mu": [rational(nu - 1)],
                "Z": [[[rational(nu), rational(-nu)], [rational(nu)]], [[rational(nu - 1), "0"], [rational(2 - nu)]]]}
    return problem, evidence


def test_guess_bound_exactly_one_over_k_is_accepted_and_just_below_is_refused():
    problem, evidence = infeasible_guess(Fraction(3, 2))
    verdict = check_certificate(certificate(problem, "1/2", evidence), "f")
    assert verdict.status == "verified" and verdict.value == Fraction(1, 2)
    problem, evidence = infeasible_guess(Fraction(3, 2) + Fraction(1, 10**30))
    verdict = check_certificate(certificate(problem, "1/2", evidence), "f")
    assert verdict.status == "false" and "is below 1/2" in verdict.reason


def test_lambda_without_a_constraint_is_refused():
    problem, evidence = infeasible_guess(Fraction(3, 2))
    evidence = dict(evidence, **{"lambda": "1"})
    verdict = check_certificate(certificate(problem, "1", evidence), "f")
    assert verdict.status == "false" and "must be 0 when the problem has no constraint" in verdict.reason


def test_statistics_multiplier_without_statistics_is_malformed():
    evidence = {"nu": "1", "lambda": "0", "mu": ["5"], "Z": [[["1", "-1"], ["1"]], [["0", "0"], ["1"]]]}
    from certify.errors import CertifyError
    with pytest.raises(CertifyError, match="unknown field 'mu'"):
        check_certificate(certificate(GUESS, "1", evidence), "f")


def test_honest_trivial_guess_dual_verifies_and_tampering_breaks_it():
    # G <= 1 with Z_0 = [[1, -1], [-1, 1]], Z_1 = diag(0, 1): the honest baseline of the attacks below
    good = {"nu": "1", "lambda": "0", "Z": [[["1", "-1"], ["1"]], [["0", "0"], ["1"]]]}
    assert check_certificate(certificate(GUESS, "1", good), "f").status == "verified"
    # claim 1/2 (the value for a box with no side information) from the same dual: not proven
    verdict = check_certificate(certificate(GUESS, "1/2", good), "f")
    assert verdict.status == "false" and "not <= 1/2" in verdict.reason
    # a tiny off-diagonal in Z_1 enters <Z_1, F_A0> (it is not a ZERO entry): the identity fails
    bad = {"nu": "1", "lambda": "0", "Z": [[["1", "-1"], ["1"]],
                                          [["0", "1/" + "1" + "0" * 40], ["1"]]]}
    verdict = check_certificate(certificate(GUESS, "1", bad), "f")
    assert verdict.status == "false"  # identity now fails (Z_1's off-diagonal enters <Z, F_A0>)


@pytest.mark.parametrize("backend", ["int", "default"])
def test_almost_psd_z_with_exact_identity_is_refused_on_both_backends(backend, monkeypatch):
    """A Z that satisfies every identity exactly and is PSD (singular) at t = 1/10 but not at
    t = 1/10 + 10^-50: 41 rows, so the default back-end is flint and "int" is pure Python."""
    if backend == "int":
        monkeypatch.setenv("CERTIFY_PSD_BACKEND", "int")
    else:
        monkeypatch.delenv("CERTIFY_PSD_BACKEND", raising=False)
    # Bell objective 0 (no terms), level "1" of a scenario with 40 letters: 41 rows, all words
    # distinct letters; Z = diag(1, t, ...) with <Z, F_w> = Z_ww + 2 Z_0w = 0 -> Z_0w = -t/2.
    # PSD iff 1 - 40 (t/2)^2 / t >= 0 iff t <= 1/10. At t = 1/10 exactly PSD (singular), above not.
    scenario = {"inputs": [40], "outputs": [2]}
    problem = {"scenario": scenario, "level": "1", "objective": {"bell": {"terms": []}}}

    def z(t):
        n = 41
        rows = [["1"] + [rational(-t / 2)] * (n - 1)]
        rows += [[rational(t)] + ["0"] * (n - 1 - i) for i in range(1, n)]
        return {"nu": "1", "lambda": "0", "Z": [rows]}
    assert check_certificate(certificate(problem, "1", z(Fraction(1, 10))), "f").status == "verified"
    verdict = check_certificate(certificate(problem, "1", z(Fraction(1, 10) + Fraction(1, 10**50))), "f")
    assert verdict.status == "false" and "not positive semidefinite" in verdict.reason


def test_weight_moved_onto_a_zero_entry_of_gamma_does_not_change_the_identity_but_keeps_psd_exact():
    """Entries of Z on ZERO entries of Gamma are free (the lemma needs only <Z, Gamma> >= 0). Moving
    Z weight there cannot fake an identity: here a huge ZERO-entry weight breaks PSD and is caught."""
    # one party, one input, three outputs: letters A0|0, A1|0 with A0 A1 = 0 (a ZERO entry at (1, 2))
    problem = {"scenario": {"inputs": [1], "outputs": [3]}, "level": "1",
               "objective": {"bell": {"terms": [{"coef": "1", "outputs": [0], "inputs": [0]}]}}}
    structure = build(parse_level("1", (1,), (3,), "l"))
    assert structure.entry[1][2] == ZERO
    # honest: P(0|0) <= 1 with Z = [[1, -1, 0], [-1, 1, 0], [0, 0, 0]]
    honest = {"nu": "1", "lambda": "0", "Z": [[["1", "-1", "0"], ["1", "0"], ["0"]]]}
    assert check_certificate(certificate(problem, "1", honest), "f").status == "verified"
    # try to claim <= 1/2 by shifting the bound with free ZERO-entry weight: identity at word 1 needs
    # Z_00 = nu = 1/2, the A0 identity 1 + Z_11 + 2 Z_01 = 0; PSD of [[1/2, z], [z, -1 - 2z]] fails
    for zero_entry in ("0", "7", "-7"):
        cheat = {"nu": "1/2", "lambda": "0", "Z": [[["1/2", "-1/2", "0"], ["0", zero_entry], ["0"]]]}
        verdict = check_certificate(certificate(problem, "1/2", cheat), "f")
        assert verdict.status == "false" and "not positive semidefinite" in verdict.reason


def test_guess_blocks_must_share_nu():
    bad = {"nu": "1", "lambda": "0", "Z": [[["1", "-1"], ["1"]], [["1/2", "0"], ["1"]]]}
    verdict = check_certificate(certificate(GUESS, "1", bad), "f")
    assert verdict.status == "false" and "dual identity fails at word 1" in verdict.reason


def test_every_block_scores_its_own_guess():
    """Swapping the two blocks' Z (each is right for the other guess) breaks both identities."""
    swapped = {"nu": "1", "lambda": "0", "Z": [[["0", "0"], ["1"]], [["1", "-1"], ["1"]]]}
    verdict = check_certificate(certificate(GUESS, "1", swapped), "f")
    assert verdict.status == "false" and "dual identity fails" in verdict.reason


def test_relations_other_than_upper_bound_are_not_proven_by_a_dual():
    good = {"nu": "1", "lambda": "0", "Z": [[["1", "-1"], ["1"]], [["0", "0"], ["1"]]]}
    for relation, fragment in ((">=", "proves no lower bound"), ("==", "proves no lower bound")):
        verdict = check_certificate(certificate(GUESS, "1", good, relation), "f")
        assert verdict.status == "false" and fragment in verdict.reason


def test_levels_have_one_spelling():
    from certify.errors import CertifyError
    for level, fragment in (("1+BA", "not canonical"), ("1+A", "adds no word"), ("1+AB+AB", "repeats a term"),
                            ("01", "does not parse"), ("1 +AB", "does not parse"), ("9", "exceeds the cap")):
        with pytest.raises(CertifyError, match=fragment):
            parse_level(level, (2, 2), (2, 2), "level")


def test_all_guess_outcomes_are_blocks():
    # 3 outputs: three blocks; a file with two is malformed (a missing guess would lower the bound)
    from certify.errors import CertifyError
    problem = dict(GUESS, scenario={"inputs": [1], "outputs": [3]})
    with pytest.raises(CertifyError, match="expected 3 blocks"):
        check_certificate(certificate(problem, "1", {"nu": "1", "lambda": "0", "Z": [[["1"]], [["1"]]]}), "f")
    assert list(product(range(3))) == [(0,), (1,), (2,)]
