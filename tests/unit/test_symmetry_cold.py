"""A one-off ("cold") run of the default pipeline: what it may skip and what it must give.

The interior direction Z0 is computed lazily (`certify.npa.certify_attempt(..., lazy=...)`): when the
rounded dual is clearly positive definite in floats, the kernel first checks it without margins, and
Z0 (an extra trace solve) is computed only when that is refused or a margin is needed. The evidence
must be the eager path's wherever the margins choose delta = 0, and the eager path's result whenever the
lazy check falls back. The faster constructions of the reduced form and of the generator search must
give the same objects as the reference ones.
"""

from fractions import Fraction
from itertools import product

import numpy as np
import pytest

import certify.npa as npa_module
import certify.symmetry as symmetry
from certify.errors import CertifyError
from certify.kernel.defs.scenario import Scenario, chsh, make_expression
from certify.kernel.defs.words import canonical, reduce_word
from certify.kernel.format import Reject
from certify.npa import bell_objective, certify_attempt, clearly_positive, parsed, problem
from certify.rounding import round_duals
from certify.symmetry import (
    _REDUCED,
    _closure,
    _encode,
    _extended,
    _group_generators,
    _letters,
    _signed_generators,
    _word_images_int,
    all_relabellings,
    certify_npa,
    certify_symmetric,
    closure,
    correlator_basis,
    describe,
    distinct_symmetries,
    identity,
    image_in_v,
    monomial_map,
    reduced_solution,
    symmetry_generators,
    word_image,
)
from lp_checks.mermin import mermin_operator

CHSH = Scenario((2, 2), (2, 2))


def counted(function):
    """(lazy, calls): `function` as the lazy Z0 of `certify_attempt`, each call recorded in `calls`."""
    calls = []

    def lazy():
        calls.append(1)
        return function()

    return lazy, calls


def chsh_2():
    return problem(CHSH, "2", bell_objective(chsh()))


def mermin3_2():
    return problem(Scenario((2,) * 3, (2,) * 3), "2", bell_objective(mermin_operator(3)))


def mermin4_1ab():
    return problem(Scenario((2,) * 4, (2,) * 4), "1+AB+AC+AD+BC+BD+CD", bell_objective(mermin_operator(4)))


def _reduced_case(definition):
    _REDUCED.clear()
    generators, order, _ = symmetry_generators(definition)
    npa, _, reduced, solution = reduced_solution(definition, generators, 1e-10, order)
    return npa, reduced, solution


def test_lazy_gives_the_eager_evidence_where_delta_is_zero_without_computing_z0():
    """Mermin-4 at 1+AB+..+CD (n = 33; one BLAS thread, OPENBLAS_CORETYPE=Haswell as the CLI and the
    conftest set): the rounded averaged dual's least float eigenvalue is ~20 n eps |Q|."""
    npa, reduced, solution = _reduced_case(mermin4_1ab())
    rounded = round_duals(npa, solution.duals, solution.lam, npa_module.DENOMINATOR, solution.mu)
    assert clearly_positive(rounded)
    lazy, calls = counted(lambda: reduced.interior(1e-10))
    found = certify_attempt(npa, solution, None, None, lazy)
    assert calls == [] and reduced._interiors == {}  # no trace solve
    z0, whiten = reduced.interior(1e-10)
    eager = certify_attempt(npa, solution, z0, whiten)
    assert eager[3] == [Fraction(0)]  # the margins chose delta = 0 ...
    assert found == eager  # ... and the lazy path gives byte-identical evidence, nu, lambda
    assert 0 <= float(found[1]) - 8 < 1e-8


def test_lazy_falls_back_to_the_eager_margins_when_a_margin_is_needed():
    """Mermin-3 level 2: the rounded averaged dual has a negative float eigenvalue (-2e-9), so Z0 is
    computed (once) and the result is the eager one, margin and all."""
    npa, reduced, solution = _reduced_case(mermin3_2())
    rounded = round_duals(npa, solution.duals, solution.lam, npa_module.DENOMINATOR, solution.mu)
    assert not clearly_positive(rounded)
    lazy, calls = counted(lambda: reduced.interior(1e-10))
    found = certify_attempt(npa, solution, None, None, lazy)
    assert calls == [1]
    eager = certify_attempt(npa, solution, *reduced.interior(1e-10))
    assert found == eager and found[3][0] > 0
    assert 0 < float(found[1]) - 4 < 1e-7


def test_lazy_falls_back_when_the_kernel_refuses_the_margin_free_check(monkeypatch):
    """The kernel is the judge: a refusal of the delta = 0 certificate costs Z0 and the eager attempt,
    whose result is returned (here the kernel refuses only its first check)."""
    npa, reduced, solution = _reduced_case(mermin4_1ab())
    real, calls = npa_module.tangent_of, []

    def refuse_first(*args):
        calls.append(args[1])
        if len(calls) == 1:
            raise Reject("refused for the test")
        return real(*args)

    z0, whiten = reduced.interior(1e-10)
    eager = certify_attempt(npa, solution, z0, whiten)
    monkeypatch.setattr(npa_module, "tangent_of", refuse_first)
    lazy, interiors = counted(lambda: (z0, whiten))
    found = certify_attempt(npa, solution, None, None, lazy)
    assert interiors == [1] and len(calls) == 2 and calls[0] == calls[1]  # the same evidence, checked twice
    assert found == eager


def test_lazy_with_no_interior_direction_keeps_the_margin_free_rule(monkeypatch):
    """Z0's solve may fail (None): then only delta = 0 is possible, as in the eager path without Z0."""
    npa, reduced, solution = _reduced_case(mermin3_2())
    assert certify_attempt(npa, solution, None, None, lambda: (None, None)) is None
    assert certify_attempt(npa, solution, None, None) is None


@pytest.mark.parametrize("name", ["chsh-2", "p00", "mermin3-2", "mermin4-1ab"])
def test_certify_symmetric_cold_equals_the_eager_reference(name, monkeypatch):
    """The whole symmetric path with the lazy Z0 against the eager path (Z0 computed first, as before):
    the same evidence and bound; Z0 is computed exactly when a margin is needed."""
    definition = {
        "chsh-2": chsh_2,
        "mermin3-2": mermin3_2,
        "mermin4-1ab": mermin4_1ab,
        "p00": lambda: problem(CHSH, "2", bell_objective(make_expression(CHSH, [([0, 0], [0, 0], 1)])), chsh(),
                               Fraction(5, 2)),
    }[name]()
    _REDUCED.clear()
    generators, order, _ = symmetry_generators(definition)
    lazy = certify_symmetric(definition, generators, order=order)
    (reduced,) = _REDUCED.values()
    computed = bool(reduced._interiors)

    def eager_attempt(npa, sol, z0, whiten, lazy=None, normal=None):  # the former call: Z0 first
        if lazy is not None:
            z0, whiten = lazy()
        return real(npa, sol, z0, whiten, normal=normal)

    real = npa_module.certify_attempt
    monkeypatch.setattr(npa_module, "certify_attempt", eager_attempt)
    eager = certify_symmetric(definition, generators, order=order)
    assert lazy.evidence == eager.evidence and lazy.bound == eager.bound and lazy.delta == eager.delta
    assert computed == (eager.delta > 0)


def test_clearly_positive_threshold():
    """A block is clearly positive when its least float eigenvalue exceeds CLEAR n eps |Q|_2."""
    eps = np.finfo(float).eps
    for least, expected in ((1e-9, True), (2 * eps, False), (0.0, False), (-1e-9, False)):
        q = [[Fraction(1), Fraction(0)], [None, Fraction(least)]]
        assert clearly_positive(([q], None, None, None)) is expected


def test_dimino_extension_gives_the_closure():
    """`_extended` (Dimino: one coset at a time) against closing from scratch (`_closure`), adding the
    generators of every relabelling of two binary scenarios one by one, and past a limit."""
    for scenario in (CHSH, Scenario((2, 2, 2), (2, 2, 2)), Scenario((3, 3), (2, 2))):
        letters = _letters(scenario)
        start = _encode(identity(scenario), letters)
        moves = [_encode(g, letters) for g in _group_generators(scenario)]
        elements, found = [start], []
        for h in moves:
            if h in set(elements):
                continue
            elements = _extended(elements, found, h, 10**6)
            found.append(h)
            assert len(elements) == len(set(elements))
            assert set(elements) == _closure(found, start, 10**6)
        assert len(elements) == {CHSH: 128, Scenario((3, 3), (2, 2)): 4608}.get(scenario, 6 * 8 ** 3)  # n! (m! 2^m)^n
        assert _extended([start], [], moves[0], 1) is None


def _p00():
    return problem(CHSH, "2", bell_objective(make_expression(CHSH, [([0, 0], [0, 0], 1)])), chsh(), Fraction(5, 2))


@pytest.mark.parametrize("make", [chsh_2, _p00, mermin3_2, mermin4_1ab], ids=["chsh-2", "p00", "mermin3-2", "mermin4"])
def test_vector_orbit_search_gives_the_frozenset_search(make, monkeypatch):
    """`_vector_orbit` (the orbit as integer vectors, moves as signed gathers) against the frozenset
    search it replaces: the same generators (same order, so the same reduced form), group order, reason."""
    definition = make()
    symmetry._stabiliser_search.cache_clear()
    fast = symmetry_generators(definition)
    monkeypatch.setattr(symmetry, "VECTOR_KEYS", 0)  # the frozenset search
    symmetry._stabiliser_search.cache_clear()
    reference = symmetry_generators(definition)
    symmetry._stabiliser_search.cache_clear()
    assert fast == reference and fast[0]
    assert fast[1] == {chsh_2: 16, _p00: 2, mermin3_2: 192, mermin4_1ab: 3072}[make]


def _chsh_scaled(scale, constant=Fraction(0)):
    expr = chsh()
    scaled = make_expression(CHSH, [(o, i, c * scale) for o, i, c in expr.terms], expr.constant * scale + constant)
    return problem(CHSH, "2", bell_objective(scaled))


def test_huge_coefficients_take_the_frozenset_search():
    """Integral coefficients past int64 (CHSH x 10^20; CHSH / p + 1 / q with coprime p, q ~ 10^20, whose
    lcm scales the objective to ~10^20 q) are searched as frozensets (`_vector_orbit` gives None), with
    CHSH's generators and order; the default pipeline certifies both (tests/unit/test_scale_robust.py)."""
    p, q = 10**20 + 1, 10**20 + 3
    reference = symmetry_generators(chsh_2())
    huge, coprime = _chsh_scaled(10**20), _chsh_scaled(Fraction(1, p), Fraction(1, q))
    for definition in (huge, coprime):
        symmetry._stabiliser_search.cache_clear()
        assert symmetry_generators(definition) == reference and reference[1] == 16
    # the exact optimum 2 sqrt(2) / p + 1 / q ~ 3.8e-20: certified on the symmetric path within the target
    found = certify_npa(coprime)
    assert found.path == "symmetric" and 0 <= float(found.result.bound) - (2 * 2**0.5 / p + 1 / q) <= 1e-6
    # unscaled, Clarabel reported CHSH x 10^20 dual infeasible (no certificate); solved normalised
    # (`certify.npa.normalised`, F = 2^68) it is certified on the symmetric path within 1e-6 relative
    found = certify_npa(huge)
    assert found.path == "symmetric" and found.result is not None and found.result.scale == 2.0**68
    assert 0 <= float(found.result.bound) / (2 * 2**0.5 * 10**20) - 1 <= 1e-6


def test_vector_orbit_in_chunks_and_past_its_memory_gives_the_frozenset_search(monkeypatch):
    """Mermin-5 at 1+pairs+ABC: an orbit of 640 points (vectors of 275 entries; frontiers of up to 125
    points), 6 moves. With the orbit limit 640 and VECTOR_BYTES the least that holds 641 vectors, the
    frontier is gathered 106 rows at a time; one byte less falls back to the frozensets; both give the
    frozenset search's generators, and at the limit 639 its reason."""
    definition = problem(Scenario((2,) * 5, (2,) * 5), "1+AB+AC+AD+AE+BC+BD+BE+CD+CE+DE+ABC",
                         bell_objective(mermin_operator(5)))
    for limit in (640, 639):
        results = []
        for keys, size in ((symmetry.VECTOR_KEYS, 641 * 275 * 8), (symmetry.VECTOR_KEYS, 641 * 275 * 8 - 1), (0, 0)):
            monkeypatch.setattr(symmetry, "VECTOR_KEYS", keys)
            monkeypatch.setattr(symmetry, "VECTOR_BYTES", size)
            symmetry._stabiliser_search.cache_clear()
            results.append(symmetry_generators(definition, orbit_limit=limit))
        monkeypatch.undo()
        assert results[0] == results[1] == results[2]
        assert results[0][1:] == ((6144, None) if limit == 640 else
                                  (1, "the orbit of the problem under relabellings has more than 639 members"))
    symmetry._stabiliser_search.cache_clear()


def word_image_int(g, word, scenario):
    """`image_in_v` of one word with coefficient 1, in integers, one word at a time with no memo: the
    reference for `_word_images_int`."""
    target = g.image_scenario(scenario)
    parts = []
    for i, x, a in word:
        j, y, b = g.parties[i], g.inputs[i][x], g.outputs[i][x][a]
        last = target.outputs[j] - 1
        parts.append(((((j, y, b),), 1),) if b < last else
                     (((), 1),) + tuple((((j, y, c),), -1) for c in range(last)))
    out = {}
    for choice in product(*parts):
        reduced = reduce_word(tuple(letter for part, _ in choice for letter in part))
        if reduced is None:
            continue
        coef = 1
        for _, c in choice:
            coef *= c
        key = canonical(reduced)
        out[key] = out.get(key, 0) + coef
    return {w: c for w, c in out.items() if c}


def test_integer_word_images_give_the_fraction_images():
    """`image_in_v` (integer word images, one memo) against `word_image`'s Fractions, and
    `_word_images_int` against `word_image_int` word by word, on every word of CHSH level 3 under
    every relabelling (outputs swapped at some inputs included)."""
    npa = parsed(problem(CHSH, "3", bell_objective(chsh())))[0]
    words = npa.structure.words
    vector = {w: Fraction(k + 1, 3) for k, w in enumerate(words)}
    for g in all_relabellings(CHSH)[::5]:
        target = g.image_scenario(CHSH)
        reference = {}
        for word, coef in vector.items():
            for w, c in word_image(g, word, target).items():
                reference[canonical(w)] = reference.get(canonical(w), Fraction(0)) + coef * c
        assert image_in_v(g, vector, target) == {w: c for w, c in reference.items() if c}
        memo = {}
        assert _word_images_int(g, words, CHSH, memo) == [word_image_int(g, w, CHSH) for w in words]


def signed_generators_reference(npa, symmetries, c):
    """`_signed_generators` by the matrices: P_g = rint(C M_g C^-1), M_g the exact monomial map."""
    monomials, n = npa.structure.monomials, npa.structure.size
    inverse = np.linalg.inv(c)
    signed, used = [], []
    for g in distinct_symmetries(npa.scenario, symmetries):
        m = np.zeros((n, n))
        for i, row in enumerate(monomial_map(g, monomials, npa.scenario, npa.structure)):
            for k, coef in row.items():
                m[i, k] = float(coef)
        p = np.rint(c @ m @ inverse)
        perm = np.argmax(np.abs(p), axis=1)
        sign = p[np.arange(n), perm]
        if not (np.all(np.abs(sign) == 1) and np.count_nonzero(p) == n and len(set(perm)) == n):
            raise CertifyError(f"symmetric solve: {describe(g)} is not a signed permutation of correlators")
        signed.append((perm, sign))
        used.append(g)
    return signed, used


@pytest.mark.parametrize("make", [chsh_2, mermin3_2, mermin4_1ab], ids=["chsh-2", "mermin3-2", "mermin4"])
def test_signed_generators_read_off_directly_are_the_matrix_ones(make):
    """The signed permutations of correlator monomials read off the renamed words equal
    rint(C M_g C^-1) with M_g the exact monomial map, for every element of the group."""
    definition = make()
    npa = parsed(definition)[0]
    generators, _, _ = symmetry_generators(definition)
    group = closure(generators, npa.scenario)[:400]
    c = correlator_basis(npa.structure.monomials)
    fast = _signed_generators(npa, group, c)
    reference = signed_generators_reference(npa, group, c)
    assert fast[1] == reference[1] and len(fast[0]) == len(reference[0]) > 0
    for (perm, sign), (perm_ref, sign_ref) in zip(fast[0], reference[0]):
        assert perm.tolist() == perm_ref.tolist() and sign.tolist() == sign_ref.tolist()


def test_dense_and_sparse_gram_give_the_same_invariant_basis(monkeypatch):
    """Integer T_g: the dense and the sparse products give the same Gram matrix, so the same basis."""
    definition = mermin3_2()
    npa = parsed(definition)[0]
    generators, _, _ = symmetry_generators(definition)
    dense = symmetry.invariant_moments(npa, generators)
    monkeypatch.setattr(symmetry, "DENSE_GRAM", 0)
    sparse = symmetry.invariant_moments(npa, generators)
    assert dense.shape == sparse.shape and dense.shape[1] < dense.shape[0] and np.array_equal(dense, sparse)
