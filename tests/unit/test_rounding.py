from fractions import Fraction

import numpy as np

from certify.kernel.npa import parse_problem, tangent_of
from certify.npa import chsh_guess_problem, conic_data, trace_problem
from certify.rounding import interior_direction, rational_matrix, restore_identities, round_certificate
from certify.solve import solve
from certify.supports import supports


def test_restore_identities_is_exact_and_local():
    npa = parse_problem(chsh_guess_problem("2", 2), "p")
    st = npa.structure
    rng = np.random.default_rng(1)
    z = rng.normal(size=(st.size, st.size))
    q = rational_matrix((z + z.T) / 2, 10**6)
    g = {k: Fraction(k, 7) for k in range(len(st.words))}
    before = [row[:] for row in q]
    restore_identities(q, st, g, {})
    for k in range(1, len(st.words)):
        inner = sum(q[i][j] if i == j else 2 * q[i][j] for i, j in supports(st)[k])
        assert g[k] + inner == 0
    assert q[0][0] == before[0][0]  # the identity word is left for nu


def test_interior_direction_is_orthogonal_to_all_words():
    definition = chsh_guess_problem("1+AB", 2)
    npa = parse_problem(definition, "p")
    dual = solve(trace_problem(conic_data(definition))).duals[0]
    z0 = interior_direction(npa.structure, dual)
    for k in range(1, len(npa.structure.words)):
        assert sum(z0[i][j] if i == j else 2 * z0[i][j] for i, j in supports(npa.structure)[k]) == 0
    assert min(np.linalg.eigvalsh([[float(z0[min(i, j)][max(i, j)]) for j in range(npa.structure.size)]
                                   for i in range(npa.structure.size)])) > 0.5


def test_rounded_certificate_verifies_and_is_tight():
    definition = chsh_guess_problem("1+AB", Fraction(2414, 1000))
    npa = parse_problem(definition, "p")
    data = conic_data(definition)
    z0 = interior_direction(npa.structure, solve(trace_problem(data)).duals[0])
    sol = solve(data, 2.414)
    evidence = round_certificate(npa, sol.duals, sol.lam, 10**12, z0, Fraction(1, 10**8))
    nu, lam = tangent_of(npa, evidence, "e")
    assert 0 <= float(nu - lam * Fraction(2414, 1000)) - sol.primal < 1e-6
