"""The symmetry-reduced pipeline is `certify npa`'s default where the problem has symmetries.

`certify.symmetry.symmetry_generators` finds the relabellings (parties, inputs, outputs) that
leave a problem invariant; `certify_npa` then runs the symmetry-reduced solve, whose full-size
certificate the unchanged kernel checks against the full problem. Both paths must give verified
bounds that agree to 1e-6; `--no-symmetry` forces the full path; a problem without symmetry (or
one the reduced solve does not take) falls back to the full path and says why.
"""

import json
import os
from fractions import Fraction

import pytest

from certify.certificate import checked
from certify.cli import main
from certify.expressions import i3322
from certify.kernel.defs.scenario import Scenario, chsh, make_expression
from certify.npa import bell_objective, chsh_guess_problem, problem
from certify.papers.produce import npa_certificate
from certify.symmetry import all_relabellings, certify_npa, closure, stabiliser, symmetry_generators
from lp_checks.mermin import mermin_operator

CHSH = Scenario((2, 2), (2, 2))


CASES = {
    "chsh-2": lambda: problem(CHSH, "2", bell_objective(chsh())),
    "mermin3-2": lambda: problem(Scenario((2,) * 3, (2,) * 3), "2", bell_objective(mermin_operator(3))),
    "i3322-2": lambda: problem(i3322()[0], "2", bell_objective(i3322()[1])),
}
ORDERS = {"chsh-2": 16, "mermin3-2": 192, "i3322-2": 8}


def _verified(definition, result):
    verdict = checked(npa_certificate("t/sym", "t", definition, result), "certificate")
    assert verdict.ok, verdict.reason
    return verdict.value


@pytest.mark.parametrize("name", sorted(CASES))
def test_both_paths_verify_and_agree_and_symmetric_is_the_default(name):
    definition = CASES[name]()
    default = certify_npa(definition)
    full = certify_npa(definition, symmetry=False)
    assert default.path == "symmetric" and default.group == ORDERS[name]
    assert default.reason == f"{ORDERS[name]} relabellings leave the problem invariant"
    assert full.path == "full" and full.reason == "--no-symmetry"
    sym_bound, full_bound = _verified(definition, default.result), _verified(definition, full.result)
    assert abs(float(sym_bound) - float(full_bound)) < 1e-6
    assert sym_bound == default.result.bound  # the verdict's value is the symmetric path's own bound


def test_generators_are_symmetries_and_generate_the_whole_stabiliser():
    """Against brute force on CHSH (128 relabellings) and I3322 (4608): the same group."""
    for definition, scenario in ((CASES["chsh-2"](), CHSH), (CASES["i3322-2"](), i3322()[0])):
        generators, order, why = symmetry_generators(definition)
        assert why is None and stabiliser(definition, generators) == generators
        group = set(closure(generators, scenario))
        assert len(group) == order and group == set(stabiliser(definition, all_relabellings(scenario)))


def test_mermin5_group_is_found_in_full_within_the_limit():
    """Mermin-5 at 1+pairs+ABC: the level's ABC term keeps only party permutations of {A,B,C} x {D,E}."""
    level = "1+AB+AC+AD+AE+BC+BD+BE+CD+CE+DE+ABC"
    definition = problem(Scenario((2,) * 5, (2,) * 5), level, bell_objective(mermin_operator(5)))
    generators, order, _ = symmetry_generators(definition)
    assert order == 6144 and stabiliser(definition, generators) == generators
    generators, order, _ = symmetry_generators(definition, group_limit=1000)  # a subgroup under the limit
    assert 1 < order <= 1000 and stabiliser(definition, generators) == generators
    generators, order, why = symmetry_generators(definition, orbit_limit=100)  # the orbit search stops
    assert generators == [] and order == 1 and "orbit" in why


def test_no_symmetry_and_unsupported_problems_fall_back_to_the_full_path():
    lopsided = make_expression(CHSH, [([0, 0], [0, 0], 3), ([0, 0], [0, 1], 1), ([0, 0], [1, 0], 2),
                                      ([0, 0], [1, 1], -5), ([0, None], [0, None], 1)])
    definition = problem(CHSH, "1+AB", bell_objective(lopsided))
    assert symmetry_generators(definition)[0] == []
    found = certify_npa(definition)
    assert found.path == "full" and "identity" in found.reason and found.result is not None
    guess = chsh_guess_problem("1+AB", Fraction(5, 2))  # four blocks: not the reduced solve's kind
    generators, order, why = symmetry_generators(guess)
    assert generators == [] and order == 1 and "single Bell objective" in why
    assert certify_npa(CASES["chsh-2"](), solver="scs", symmetry=True).path == "full"


@pytest.mark.parametrize("expr", ["chsh", "mermin3"])
def test_cli_default_is_symmetric_and_no_symmetry_forces_the_full_path(expr, capsys):
    runs = {}
    for flag in ([], ["--no-symmetry"]):
        assert main(["npa", "--expr", expr, "--level", "2", "--json", *flag]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["ok"] and data["claims"][0]["status"] == "verified"
        runs[bool(flag)] = data
    assert runs[False]["pipeline"]["pipeline"] == "symmetric" and runs[True]["pipeline"]["pipeline"] == "full"
    values = [float(Fraction(runs[k]["claims"][0]["value"])) for k in (False, True)]
    assert abs(values[0] - values[1]) < 1e-6


def test_certify_solve_takes_the_symmetric_pipeline_too(monkeypatch):
    """`certify solve` / the Python API (`certify.problem._npa`) go through `certify_npa`: max CHSH's upper
    end is the symmetry-reduced solve's certificate, verified by the kernel, within 1e-9 of 2 sqrt 2."""
    import certify.symmetry as symmetry
    from certify.problem import certify_problem as certify_claim

    ran = []
    original = symmetry.certify_symmetric
    monkeypatch.setattr(symmetry, "certify_symmetric", lambda *a, **k: ran.append(1) or original(*a, **k))
    example = os.path.join(os.path.dirname(__file__), "..", "..", "certify", "data", "examples", "chsh_quantum.json")
    with open(example, encoding="utf-8") as handle:
        problem_json = json.load(handle)
    cert, verdict = certify_claim({k: v for k, v in problem_json.items() if k != "sense"} | {"sense": "max"})
    assert ran and verdict.ok
    assert 2 * 2**0.5 <= float(verdict.value) < 2 * 2**0.5 + 1e-9
