import json
import math
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from certify.errors import CertifyError
from certify.kernel import check_certificate
from certify.kernel.format import parse_rational, read_json
from certify.kernel.npa import check, parse_problem, verify_tangent
from certify.npa import chsh_guess_problem, chsh_max_problem, conic_data

PROOFS = Path(__file__).resolve().parents[2] / "proofs" / "pironio2010" / "npa"
TSIRELSON = 2 * math.sqrt(2)


@pytest.mark.parametrize("level", ["1", "1+AB", "2"])
def test_tsirelson_certificate_verifies(level):
    cert = read_json(PROOFS / f"tsirelson-{level}.json")
    claim = cert["claim"]
    bound = check(claim["problem"], "<=", parse_rational(claim["value"], "v"), cert["evidence"], "t").high
    assert TSIRELSON <= float(bound) <= TSIRELSON + 1e-8


def test_relation_other_than_upper_bound_is_rejected():
    cert = read_json(PROOFS / "tsirelson-2.json")
    assert check(cert["claim"]["problem"], ">=", Fraction(3), cert["evidence"], "t").low is None
    for relation, value, reason in ((">=", "3", "proves no lower bound"), ("<=", "7071/2500", "not <= 7071/2500")):
        cert["claim"]["relation"], cert["claim"]["value"] = relation, value
        verdict = check_certificate(cert, "t")
        assert verdict.status == "false" and reason in verdict.reason


def test_tangent_holds_for_every_I():
    cert = read_json(sorted(PROOFS.glob("global-2-I*.json"))[32])
    nu, lam = verify_tangent(cert["claim"]["problem"], cert["evidence"], "c")
    assert lam > 0 and nu - lam * 2 >= 1  # at I = 2 the line is above the trivial bound


def test_solver_dual_sign_convention():
    from certify.solve import solve

    definition = chsh_max_problem("1+AB")
    npa, data = parse_problem(definition, "p"), conic_data(definition)
    z = solve(data).duals[0]
    inner = [0.0] * len(npa.structure.words)
    for i in range(npa.structure.size):
        for j in range(npa.structure.size):
            inner[npa.structure.entry[i][j]] += z[i][j]
    residual = [float(npa.blocks[0].get(k, 0)) + v for k, v in enumerate(inner)]
    assert abs(residual[0] - TSIRELSON) < 1e-6
    assert max(abs(r) for r in residual[1:]) < 1e-6


@pytest.mark.parametrize("mutate,match", [
    (lambda p: p.update(level="1++ab"), "level"),
    (lambda p: p["scenario"].update(inputs=[2]), "outputs"),
    (lambda p: p["objective"]["guess"].update(parties=[0, 2]), "parties"),
    (lambda p: p["objective"]["guess"].update(inputs=[0, 2]), "inputs"),
    (lambda p: p["constraint"]["expression"]["terms"][0].update(outputs=[2, 0]), "output 2"),
    (lambda p: p["constraint"].update(at="2.414"), "rational"),
    (lambda p: p.update(extra=1), "unknown field"),
])
def test_bad_problem_is_one_line_error(mutate, match):
    definition = chsh_guess_problem("1+AB", Fraction(2414, 1000))
    mutate(definition)
    with pytest.raises(CertifyError, match=match) as err:
        parse_problem(definition, "problem")
    assert "\n" not in str(err.value)


def test_level_too_low_for_objective():
    from certify.kernel.defs.scenario import Scenario
    from certify.npa import bell_objective, problem
    from lp_checks.mermin import mermin_operator as mermin

    with pytest.raises(CertifyError, match="raise the level"):
        parse_problem(problem(Scenario((2,) * 3, (2,) * 3), "1", bell_objective(mermin(3))), "p")


def test_kernel_imports_no_numerics():
    code = ("import sys, certify, certify.kernel.npa, certify.kernel.psd;"
            "bad = [m for m in ('numpy', 'cvxpy', 'scipy', 'sympy') if m in sys.modules];"
            "print(json.dumps(bad))")
    out = subprocess.run([sys.executable, "-c", "import json;" + code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2], check=True)
    assert json.loads(out.stdout) == []


def test_cli_infeasible_value_is_reported(capsys):
    from argparse import Namespace

    from certify.commands.npa import run

    args = Namespace(expr="chsh", level="1+AB", guess="global", inputs=None, at="2.9", solver=None, out=None, behaviour=None, parties=None)
    assert run(args) == 1
    assert "infeasible" in capsys.readouterr().out


def test_cli_certifies(tmp_path, capsys):
    from argparse import Namespace

    from certify.commands.npa import run

    out = tmp_path / "g.json"
    args = Namespace(expr="chsh", level="1+AB", guess="global", inputs=None, at="2.414", solver=None,
                     out=str(out), behaviour=None, parties=None)
    assert run(args) == 0
    text = capsys.readouterr().out
    assert text.startswith("<= ") and "VERIFIED" in text
    value = float(parse_rational(json.loads(out.read_text())["claim"]["value"], "v"))
    assert abs(-math.log2(value) - 0.2473) < 1e-4
    with pytest.raises(CertifyError, match="--at"):
        run(Namespace(expr="chsh", level="2", guess="global", inputs=None, at="2.4.1", solver=None, out=None, behaviour=None, parties=None))


def test_cli_guesses_any_party(capsys):
    # Bob's local guessing probability is curve b too (the CHSH symmetry A <-> B).
    from argparse import Namespace

    from certify.commands.npa import run

    args = Namespace(expr="chsh", level="2", guess="local", parties="B", inputs=None, at="2.7", solver=None,
                     out=None, behaviour=None)
    assert run(args) == 0
    bound = float(parse_rational(capsys.readouterr().out.split()[1], "bound"))
    assert abs(bound - (1 + math.sqrt(2 - 2.7 ** 2 / 4)) / 2) < 1e-6
    with pytest.raises(CertifyError, match="--parties"):
        run(Namespace(**{**vars(args), "parties": "B,B"}))


def test_ladder_stops_at_the_first_attempt_the_kernel_accepts(monkeypatch):
    """The stop is the kernel's verdict within the slack target, not the solver's label."""
    import certify.npa as pipeline

    calls = []
    real = pipeline.solve

    def counting(data, at=None, solver=None, tol=None, form="lmi"):
        calls.append((form, tol))
        return real(data, at, solver, tol, form)

    monkeypatch.setattr(pipeline, "solve", counting)
    definition = chsh_guess_problem("2", Fraction(5, 2))
    pipeline.interior(definition)  # cached: not counted below
    calls.clear()
    result = pipeline.certify_problem(definition, target=1e-6)
    assert calls == [("tied", None)]  # the first rung's certificate is within 1e-6
    assert 0 <= result.slack <= 1e-6
    calls.clear()
    strict = pipeline.certify_problem(definition, target=0.0)  # never satisfied: the whole ladder runs,
    assert len(calls) == len(pipeline.LADDER) - 2  # minus the two looser fallbacks of a form that answered
    assert strict.bound <= result.bound


def test_margins_come_from_the_float_spectrum():
    from certify.npa import DENOMINATOR, interior, margins, nice_margin, round_duals
    from certify.rounding import float_margin, whitener
    from certify.solve import solve

    assert nice_margin(0) == 0 and nice_margin(-1) == 0
    assert nice_margin(1.234e-8) == Fraction(13, 10**9) and nice_margin(3e-13) == Fraction(1, 10**11)
    definition = chsh_guess_problem("2", Fraction(5, 2))
    npa, z0 = parse_problem(definition, "p"), interior(definition)
    sol = solve(conic_data(definition), 2.5)
    rounded = round_duals(npa, sol.duals, sol.lam, DENOMINATOR, sol.mu)
    w = whitener(z0)
    deltas = margins(rounded, w)
    assert len(deltas) == 4 and len(set(deltas)) > 1  # one margin per block, not one for all
    for q, d in zip(rounded[0], deltas):
        need = float_margin(q, w)
        assert d == 0 if need <= -1e-12 else need < float(d) <= 1.1 * (1.25 * need + 1e-12) + 1e-11


def test_interior_direction_is_computed_once_per_level(monkeypatch):
    import certify.npa as pipeline

    pipeline._interior.cache_clear()
    calls = []
    real = pipeline.solve
    monkeypatch.setattr(pipeline, "solve", lambda *a: calls.append(a) or real(*a))
    first = pipeline.interior(chsh_guess_problem("1+AB", Fraction(5, 2)))
    again = pipeline.interior(chsh_guess_problem("1+AB", Fraction(27, 10), "local"))  # same level
    assert first is again and len(calls) == 1


def test_a_certificate_past_the_kernel_work_bound_is_unverified_not_malformed(monkeypatch, capsys):
    """`certify npa` at a size whose rounded dual the kernel refuses to check (its work bound, as CHSH
    level 6 meets at 85 rows of 119-bit entries) says UNVERIFIED with the reason, exit 1 (it was exit 2,
    "malformed", though the user's input was fine). Here the bound is lowered so that level 2 meets it."""
    from certify.cli import main
    from certify.kernel import psd

    monkeypatch.setattr(psd, "MAX_WORK", 10**6)
    assert main(["npa", "--expr", "chsh", "--level", "2"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("UNVERIFIED: the kernel refuses to check a certificate of this size (evidence.Z[0]: 13 rows")
    assert "work bound" in out and "lower level" in out
