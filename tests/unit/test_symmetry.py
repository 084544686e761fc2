"""certify.symmetry: relabellings map NPA certificates exactly, and the unchanged kernel decides.

A mapped certificate of a relabelled problem verifies with the same bound; a wrongly mapped one
(two rows and columns of Z swapped: still PSD, but the dual identities fail) is rejected; a
relabelling that is not a symmetry, or a level not closed under it, is refused before mapping.
"""

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from conftest import swap_rows

from certify.certificate import make_certificate
from certify.errors import CertifyError
from certify.kernel import check_certificate
from certify.kernel.defs.scenario import Scenario, chsh, make_expression
from certify.kernel.defs.words import build, parse_level
from certify.kernel.npa import KIND, parse_problem
from certify.npa import bell_objective, problem
from certify.symmetry import (
    _reduced,
    _signed_generators,
    all_relabellings,
    certify_symmetric,
    closure,
    describe,
    identity,
    image_in_v,
    map_evidence,
    monomial_map,
    orbits,
    parsed,
    relabel_level,
    relabel_problem,
    relabelling,
    stabiliser,
    symmetry_generators,
    word_image,
)
from lp_checks.mermin import mermin_operator

PROOFS = Path(__file__).resolve().parents[2] / "proofs"
CHSH_SCENARIO = Scenario((2, 2), (2, 2))


def _tsirelson():
    return json.loads((PROOFS / "pironio2010" / "npa" / "tsirelson-2.json").read_text())


def _verdict(definition, evidence):
    cert = make_certificate("t/mapped", KIND, "t", definition, "<=", "3", evidence)
    return check_certificate(cert, "mapped")




CHSH_RELABELLINGS = [
    relabelling(CHSH_SCENARIO, parties=(1, 0)),
    relabelling(CHSH_SCENARIO, outputs={(0, 0): (1, 0)}),
    relabelling(CHSH_SCENARIO, inputs={1: (1, 0)}, outputs={(1, 1): (1, 0), (0, 0): (1, 0)}),
]


@pytest.mark.parametrize("g", CHSH_RELABELLINGS, ids=describe)
def test_mapped_tsirelson_certificate_verifies_with_the_same_bound(g):
    cert = _tsirelson()
    source = cert["claim"]["problem"]
    target = relabel_problem(source, g)
    verdict = _verdict(target, map_evidence(source, cert["evidence"], g, target))
    assert verdict.ok, verdict.reason
    assert verdict.value == check_certificate(cert, "source").value


def test_a_swapped_row_is_rejected():
    cert = _tsirelson()
    source = cert["claim"]["problem"]
    g = CHSH_RELABELLINGS[1]
    target = relabel_problem(source, g)
    mapped = map_evidence(source, cert["evidence"], g, target)
    assert _verdict(target, mapped).ok
    wrong = _verdict(target, swap_rows(mapped, 1, 2))
    assert not wrong.ok and "dual identity fails" in wrong.reason


def test_unmapped_certificate_of_another_problem_is_rejected():
    # the source's own evidence, unmapped, does not prove the relabelled problem's bound
    cert = _tsirelson()
    target = relabel_problem(cert["claim"]["problem"], CHSH_RELABELLINGS[1])
    assert not _verdict(target, cert["evidence"]).ok


def test_a_relabelling_that_is_not_a_symmetry_is_refused():
    cert = _tsirelson()
    source = cert["claim"]["problem"]
    g = CHSH_RELABELLINGS[1]  # flips A's outputs at input 0: CHSH is not mapped onto itself
    with pytest.raises(CertifyError, match="objective"):
        map_evidence(source, cert["evidence"], g, source)


def test_a_level_not_closed_under_output_flips_is_refused():
    # "1+ABC" has the products A B C but not B C: (1 - A) B C leaves the level
    scenario = Scenario((2, 2, 2), (2, 2, 2))
    structure = build(parse_level("1+ABC", scenario.inputs, scenario.outputs, "level"))
    with pytest.raises(CertifyError, match="not closed"):
        monomial_map(relabelling(scenario, outputs={(0, 0): (1, 0)}), structure.monomials, scenario, structure)
    # ... while "2+ABC" is closed, and a party permutation maps "1+ABC" onto itself
    closed = build(parse_level("2+ABC", scenario.inputs, scenario.outputs, "level"))
    assert monomial_map(relabelling(scenario, outputs={(0, 0): (1, 0)}), closed.monomials, scenario, closed)
    assert monomial_map(relabelling(scenario, parties=(2, 0, 1)), structure.monomials, scenario, structure)


def test_level_terms_are_renamed_and_sorted():
    scenario = Scenario((2,) * 5, (2,) * 5)
    assert relabel_level("2+ABC", relabelling(scenario, parties=(3, 1, 2, 0, 4))) == "2+BCD"
    assert relabel_level("1+AB+CD", relabelling(scenario, parties=(2, 3, 0, 1, 4))) == "1+AB+CD"


def test_composition_is_sequential_application():
    g, h = CHSH_RELABELLINGS[2], CHSH_RELABELLINGS[0]
    for word in build(parse_level("2", (2, 2), (2, 2), "level")).words:
        vector = {word: Fraction(1)}
        once = image_in_v(g.then(h), vector, CHSH_SCENARIO)
        twice = image_in_v(h, image_in_v(g, vector, CHSH_SCENARIO), CHSH_SCENARIO)
        assert once == twice
    assert g.then(identity(CHSH_SCENARIO)) == g == identity(CHSH_SCENARIO).then(g)


def test_last_output_maps_to_one_minus_the_others():
    scenario = Scenario((2,), (3,))
    g = relabelling(scenario, outputs={(0, 0): (2, 0, 1)})  # output 0 -> 2 (the last), 1 -> 0
    assert word_image(g, ((0, 0, 0),), scenario) == {(): 1, ((0, 0, 0),): -1, ((0, 0, 1),): -1}
    assert word_image(g, ((0, 0, 1),), scenario) == {((0, 0, 0),): 1}


def _chsh_variant(x, y):
    """CHSH with the minus sign on the correlator of inputs (x, y) (chsh() has it on (1, 1))."""
    sign = lambda i: -1 if (i == (x, y)) != (i == (1, 1)) else 1  # noqa: E731
    return make_expression(CHSH_SCENARIO, [(o, i, c * sign(i)) for o, i, c in chsh().terms])


def test_orbits_of_the_four_chsh_variants_are_one():
    instances = [problem(CHSH_SCENARIO, "1+AB", bell_objective(_chsh_variant(x, y))) for x in (0, 1) for y in (0, 1)]
    swaps = [relabelling(CHSH_SCENARIO, inputs={0: (1, 0)}), relabelling(CHSH_SCENARIO, inputs={1: (1, 0)})]
    found = orbits(instances, swaps + [CHSH_RELABELLINGS[1]])  # the last maps every variant outside the list
    assert len(found) == 1 and [k for k, _ in found[0][1]] == [0, 1, 2, 3]
    words = lambda npa: {npa.structure.words[w]: c for w, c in npa.blocks[0].items() if c}  # noqa: E731
    rep = words(parse_problem(instances[found[0][0]], "p"))
    for k, g in found[0][1]:  # each relabelling maps the representative's objective onto its instance's
        assert image_in_v(g, rep, CHSH_SCENARIO) == words(parse_problem(instances[k], "p"))


def test_instances_outside_every_orbit_stay_alone():
    instances = [problem(CHSH_SCENARIO, "1+AB", bell_objective(chsh())),
                 problem(CHSH_SCENARIO, "2", bell_objective(chsh()))]  # another level: another problem
    found = orbits(instances, CHSH_RELABELLINGS)
    assert [rep for rep, _ in found] == [0, 1]


def test_chsh_has_sixteen_symmetries_among_its_128_relabellings():
    """Brute force: CHSH's orbit under the 128 relabellings of the 2-2-2 scenario is the 8 CHSH
    facets (the minus on one of 4 correlators, either overall sign), so its stabiliser has 16."""
    everything = all_relabellings(CHSH_SCENARIO)
    assert len(everything) == len(set(everything)) == 128
    definition = problem(CHSH_SCENARIO, "1+AB", bell_objective(chsh()))
    symmetries = stabiliser(definition, everything)
    assert len(symmetries) == 16
    assert len(closure(symmetries, CHSH_SCENARIO)) == 16  # a group: closed under composition
    cert = _tsirelson()  # and each maps the committed certificate onto itself, verified
    for g in symmetries[:4]:
        mapped = map_evidence(cert["claim"]["problem"], cert["evidence"], g, cert["claim"]["problem"])
        assert _verdict(cert["claim"]["problem"], mapped).ok


def test_symmetrised_solve_certifies_tsirelson_on_three_invariant_moments():
    """CHSH at 1+AB under its 16 symmetries: 3 invariant moments, 2x2 and 1x1 blocks; the averaged
    dual, rounded, is checked by the unchanged kernel."""
    definition = problem(CHSH_SCENARIO, "1+AB", bell_objective(chsh()))
    result = certify_symmetric(definition, all_relabellings(CHSH_SCENARIO))
    assert result is not None and result.group == 16 and result.invariant == 3 and max(result.blocks) <= 2
    verdict = _verdict(definition, result.evidence)
    assert verdict.ok and verdict.value == result.bound
    assert 0 <= float(result.bound) - 2 * 2 ** 0.5 < 1e-8


def test_orbit_average_is_the_group_average_and_the_reduced_form_is_reused():
    """`_Reduced.average` (orbits of matrix positions under the generators) against the explicit mean of
    P_g^T Z P_g over every element of the group (Mermin-3 level 2: 192 elements, orbits that meet
    themselves with the other sign included), on a random symmetric Z; and the reduced form, with its Z0,
    is built once per (scenario, level, symmetries) while the constraint's I changes."""
    scenario = Scenario((2,) * 3, (2,) * 3)
    definition = problem(scenario, "2", bell_objective(mermin_operator(3)))
    generators, order, _ = symmetry_generators(definition)
    npa = parsed(definition)
    reduced = _reduced(npa, "2", generators)
    assert reduced.order == order == 192
    signed, _ = _signed_generators(npa, closure(generators, scenario), reduced.c)
    assert len(signed) == 191  # every element but the identity
    n = npa.structure.size
    z = np.random.default_rng(3).normal(size=(n, n))
    z = z + z.T
    explicit = z.copy()  # the identity's term
    for perm, sign in signed:  # (P^T Z P)[perm[i], perm[j]] = sign[i] sign[j] Z[i, j]
        term = np.zeros((n, n))
        term[np.ix_(perm, perm)] = sign[:, None] * sign[None, :] * z
        explicit += term
    explicit /= 192
    assert np.abs(reduced.average(z) - explicit).max() < 1e-12
    assert np.count_nonzero(~reduced.orbits[2]) > 0  # some positions are forced to 0 by a sign
    assert _reduced(npa, "2", generators) is reduced
    chsh_at = [problem(CHSH_SCENARIO, "2", bell_objective(make_expression(CHSH_SCENARIO, [([0, 0], [0, 0], 1)])),
                       chsh(), Fraction(at)) for at in ("5/2", "27/10")]
    first, second = (certify_symmetric(d, symmetry_generators(d)[0]) for d in chsh_at)
    assert first is not None and second is not None and first.group == second.group == 2
    gens = [symmetry_generators(d)[0] for d in chsh_at]
    assert gens[0] == gens[1]  # the search does not depend on I
    assert _reduced(parsed(chsh_at[0]), "2", stabiliser(chsh_at[0], gens[0])) is \
        _reduced(parsed(chsh_at[1]), "2", stabiliser(chsh_at[1], gens[1]))
