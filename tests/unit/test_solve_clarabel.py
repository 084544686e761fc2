"""The direct Clarabel adapter against the cvxpy path, its status table, and the SCS 3.x wording."""

import subprocess
import sys
from fractions import Fraction

import clarabel as native
import numpy as np
import pytest

from certify.errors import CertifyError
from certify.kernel.defs.scenario import Scenario, chsh, make_expression
from certify.kernel.npa import parse_problem
from certify.npa import (
    bell_objective,
    certify_attempt,
    chsh_guess_problem,
    chsh_max_problem,
    conic_data,
    guess_objective,
    interior,
    parsed,
    problem,
)
from certify.rounding import whitener
from certify.solve import clarabel, clarabel_cvxpy, scs, solve
from certify.solve.common import run_cvxpy
from lp_checks.mermin import mermin_operator


def _cases():

    # a statistics problem: P(00|00) = 0.4 pinned, guess at (0, 0) subject to CHSH >= 2.3
    s = Scenario((2, 2), (2, 2))
    p00 = make_expression(s, [([0, 0], [0, 0], 1)])
    stats = problem(s, "1+AB", guess_objective([0, 1], [0, 0]), chsh(), Fraction(23, 10), [(p00, Fraction(2, 5))])
    return [chsh_max_problem("2"), chsh_guess_problem("2", Fraction(5, 2)), stats]


@pytest.mark.parametrize("form", ["lmi", "tied", "lmi-reg"])
@pytest.mark.parametrize("case", [0, 1, 2])
def test_direct_and_cvxpy_paths_agree(case, form):
    definition = _cases()[case]
    data = conic_data(definition)
    at = None if definition["constraint"] is None else float(Fraction(definition["constraint"]["at"]))
    a, b = clarabel.run(data, at, 1e-9, form), clarabel_cvxpy.run(data, at, 1e-9, form)
    assert a.status == b.status and a.status in ("solved", "inaccurate")
    assert abs(a.primal - b.primal) < 1e-7
    assert abs(a.lam - b.lam) < 1e-5
    if data.d is not None:
        assert np.allclose(a.mu, b.mu, atol=1e-5)
    # the duals are the certificate's Z_e: their identities must hold to solver accuracy
    npa = parse_problem(definition, "p")
    for g, z in zip(npa.blocks, a.duals):
        inner = np.zeros(len(npa.structure.words))
        for i in range(npa.structure.size):
            for j in range(npa.structure.size):
                if npa.structure.entry[i][j] >= 0:
                    inner[npa.structure.entry[i][j]] += z[i][j]
        m = np.zeros_like(inner)
        for k, v in (npa.constraint or {}).items():
            m[k] += a.lam * float(v)
        for mu_k, (d, _) in zip(-(a.mu if a.mu is not None else np.zeros(0)), npa.statistics):
            for k, v in d.items():
                m[k] += mu_k * float(v)
        residual = np.array([float(g.get(k, 0)) for k in range(len(inner))]) + inner + m
        assert abs(residual[1:]).max() < 1e-6
        assert np.linalg.eigvalsh(z)[0] > -1e-7


def test_lmi_duals_match_cvxpy_bit_for_bit():
    """Same data, same solver, same settings: the committed certificates do not depend on the path."""
    data = conic_data(chsh_guess_problem("2", Fraction(5, 2)))
    a, b = clarabel.run(data, 2.5, None, "lmi"), clarabel_cvxpy.run(data, 2.5, None, "lmi")
    assert a.primal == b.primal and a.lam == b.lam
    assert all(np.array_equal(x, y) for x, y in zip(a.duals, b.duals))


def test_empty_relaxation_gives_no_numbers():
    data = conic_data(chsh_guess_problem("2", Fraction(29, 10)))  # above Tsirelson: empty
    sol = clarabel.run(data, 2.9, None, "lmi")
    # Clarabel 0.11 ends NumericalError here (no infeasibility certificate): mapped, not "solved"
    assert sol.status in ("infeasible", "failed") and sol.duals is None and sol.primal is None
    assert clarabel.STATUS_MAP[sol.raw_status] == sol.status


def test_every_installed_clarabel_status_is_mapped():
    names = {n for n in dir(native.SolverStatus) if not n.startswith("_")}
    assert names == set(clarabel.STATUS_MAP)
    assert set(clarabel.STATUS_MAP.values()) <= {"solved", "inaccurate", "infeasible", "unbounded", "limit", "failed"}


def test_unknown_raw_status_is_an_error(monkeypatch):
    monkeypatch.setattr(clarabel, "STATUS_MAP", {})
    with pytest.raises(CertifyError, match="unknown raw status 'Solved'"):
        clarabel.run(conic_data(chsh_max_problem("1")), None, None, "lmi")


def test_unknown_form_is_an_error():
    with pytest.raises(CertifyError, match="formulation"):
        clarabel.run(conic_data(chsh_max_problem("1")), None, None, "dense")


def test_scs3_max_iters_wording_is_inaccurate():
    sol = run_cvxpy("scs", "SCS", conic_data(chsh_max_problem("2")), None,
                    {"eps_abs": 1e-12, "eps_rel": 1e-12, "max_iters": 20},
                    lambda raw: str(raw["info"]["status"]), scs.STATUS_MAP)
    assert sol.raw_status == "solved (inaccurate - reached max_iters)"
    assert sol.status == "inaccurate" and sol.primal is not None


def test_scs_solved_status():
    sol = solve(conic_data(chsh_max_problem("1")), None, "scs", 1e-8)
    assert (sol.raw_status, sol.status) == ("solved", "solved")
    assert abs(sol.primal - 2 * 2 ** 0.5) < 1e-5


def test_direct_path_does_not_import_cvxpy():
    code = ("import sys; from certify.npa import certify_problem, chsh_max_problem; "
            "r = certify_problem(chsh_max_problem('1+AB')); assert r is not None; "
            "print('cvxpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_regularised_lmi_ends_solved_where_lmi_stops_early():
    """Form "lmi-reg" (the "lmi" data, Clarabel's static regularisation 1e-7): on Mermin-3 level 2 at the
    first rung's settings "lmi" ends "AlmostSolved" 1.6e-7 above the optimum 4 (measured); "lmi-reg" ends
    "Solved" within 5e-9 of it (measured +5.0e-9), as "tied" does (+6.5e-9), and its duals satisfy the
    identities as closely as the other forms': rounded, they make a certificate the kernel accepts (bound
    measured 4 + 3.1e-7, "tied" 4 + 2.8e-7)."""
    definition = problem(Scenario((2,) * 3, (2,) * 3), "2", bell_objective(mermin_operator(3)))
    npa, data = parsed(definition)
    lmi, reg, tied = (clarabel.run(data, None, None, form) for form in ("lmi", "lmi-reg", "tied"))
    assert lmi.status == "inaccurate" and abs(lmi.primal - 4) > 1e-7
    assert reg.status == "solved" and tied.status == "solved"
    assert abs(reg.primal - 4) < 2e-8 and abs(reg.primal - tied.primal) < 2e-8
    assert abs(reg.nu - tied.nu) < 1e-6 and np.linalg.eigvalsh(reg.duals[0])[0] > -1e-7
    z0 = interior(definition)
    found = certify_attempt(npa, reg, z0, whitener(z0))  # rounded, margins from Z0, the kernel's tangent_of
    assert found is not None and 0 < float(found[1]) - 4 < 1e-6


def test_unknown_formulations_are_refused_by_both_paths():
    data = conic_data(chsh_max_problem("1+AB"))
    with pytest.raises(CertifyError, match="unknown formulation"):
        clarabel.run(data, None, None, "cholesky")
    with pytest.raises(CertifyError, match="unknown formulation"):
        clarabel_cvxpy.run(data, None, None, "cholesky")
