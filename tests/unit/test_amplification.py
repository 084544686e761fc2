"""certify.amplification and `certify amplify`: eq. (13) of Gallego et al. 2013."""

import argparse
import json
import subprocess
import sys
from fractions import Fraction

import mpmath
import pytest

from certify import amplification as amp
from certify.commands import amplify
from certify.errors import EXIT_ERROR, CertifyError

EPS, ALPHA, BETA, TAU = Fraction(1, 10), Fraction(9, 10), Fraction(2), Fraction(1, 1000)  # illustrative


def cli(argv):
    """What certify.cli does for a subcommand: parse, run, CertifyError -> exit 2."""
    parser = argparse.ArgumentParser(prog="certify")
    amplify.add_parser(parser.add_subparsers(dest="command"))
    try:
        return amplify.run(parser.parse_args(["amplify", *argv]))
    except CertifyError as err:
        print(f"certify amplify: error: {err}", file=sys.stderr)
        return EXIT_ERROR


def test_bound_at_a_point_matches_a_direct_evaluation():
    with mpmath.workdps(60):
        direct = mpmath.mpf(1) / 2 + 3 * mpmath.sqrt(10) / 2 * (
            mpmath.mpf("0.9") ** 10 + 2 * mpmath.mpf(2) ** (5 * mpmath.log(mpmath.mpf("0.9"), 2)) * mpmath.mpf(6400000) ** 10)
        assert abs(amp.bound(EPS, ALPHA, BETA, 10, 5) / direct - 1) < mpmath.mpf(10) ** -45


def test_paper_choice_is_the_closed_form():
    nb_log2, closed = amp.paper_choice(EPS, ALPHA, BETA, 91)
    with mpmath.workdps(50):
        assert abs(amp.bound(EPS, ALPHA, BETA, 91, nb_log2) - closed) < mpmath.mpf(10) ** -45
        k = 32 * 2 * mpmath.mpf(10) ** 5
        assert abs(nb_log2 - 2 * 91 * mpmath.log(k, 2) / -mpmath.log(mpmath.mpf("0.9"), 2)) < mpmath.mpf(10) ** -40


def test_illustrative_plan():
    plan = amp.plan(EPS, ALPHA, BETA, TAU)
    assert (plan.n_d, plan.nb_log2) == (91, 13671)
    assert mpmath.nstr(plan.bound, 15) == "0.500999576489443"
    assert amp.scientific(plan.log10_n) == "6.56498e+4117"
    assert plan.n_min == 3 * 91 * 2**13671 + 1


def test_scientific_notation_agrees_with_the_exact_integer():
    plan = amp.plan(Fraction(1, 2), ALPHA, BETA, TAU)
    exponent = len(str(plan.n_min)) - 1
    mantissa = str(round(Fraction(plan.n_min, 10 ** (exponent - 9))))  # exact, half-even, 10 significant digits
    assert amp.scientific(plan.log10_n, 10) == f"{mantissa[0]}.{mantissa[1:]}e+{exponent}"
    assert amp.scientific(mpmath.mpf(3)) == "1.00000e+3" and amp.scientific(mpmath.log10(9999999)) == "1.00000e+7"
    assert amp.scientific(mpmath.log10(9999990)) == "9.99999e+6"


def test_smallest_nd_handles_both_sides_of_the_peak():
    assert amp.smallest_nd(Fraction(1, 2), Fraction(1)) == 1  # 1.5 * 1/2 < 1 already at N_d = 1
    assert amp.smallest_nd(ALPHA, TAU) == 91
    assert amp.smallest_nd(Fraction(999, 1000), Fraction(1, 10)) > 500  # peak near 500


def test_a_too_small_nd_is_refused():
    with pytest.raises(CertifyError, match=r"^N_d: 90 is too small"):
        amp.smallest_nb_log2(EPS, ALPHA, BETA, 90, TAU)


def test_a_tie_at_the_working_precision_is_refused_not_guessed():
    with pytest.raises(CertifyError, match="too close to the target to decide at 50 digits"):
        amp.smallest_nd(ALPHA, Fraction(3, 2) * ALPHA)


def test_exact_and_mpmath_decisions_agree_around_the_threshold():
    for m in (13669, 13670, 13671, 13672):
        assert amp.meets_target(EPS, ALPHA, BETA, 91, m, TAU) == amp.exact_meets_target(EPS, ALPHA, BETA, 91, m, TAU) \
            == (m >= 13671)


@pytest.mark.parametrize("kwargs, field", [
    ({"eps": Fraction(0)}, "eps"), ({"eps": Fraction(51, 100)}, "eps"), ({"eps": Fraction(-1, 10)}, "eps"),
    ({"alpha": Fraction(0)}, "alpha"), ({"alpha": Fraction(1)}, "alpha"), ({"beta": Fraction(1)}, "beta"),
    ({"beta": Fraction(1, 2)}, "beta"), ({"n_d": 0}, "N_d"), ({"n_d": 2.5}, "N_d"), ({"tau": Fraction(0)}, "tau"),
    ({"tau": Fraction(-1, 1000)}, "tau"), ({"digits": 5}, "digits"),
])
def test_out_of_range_parameters_are_one_line_errors(kwargs, field):
    args = {"eps": EPS, "alpha": ALPHA, "beta": BETA, "n_d": 10, "tau": TAU, "digits": 50, **kwargs}
    with pytest.raises(CertifyError) as info:
        amp.validate(**args)
    message = str(info.value)
    assert message.startswith(f"{field}: expected") and "\n" not in message


def test_eps_one_half_is_allowed():
    assert amp.plan(Fraction(1, 2), ALPHA, BETA, TAU).nb_log2 == 1022


@pytest.mark.parametrize("text, value", [("0.1", Fraction(1, 10)), ("1e-3", Fraction(1, 1000)), ("2/3", Fraction(2, 3)),
                                         ("1.25E+2", Fraction(125)), ("-0.5", Fraction(-1, 2)), ("2", Fraction(2))])
def test_numbers_are_read_exactly(text, value):
    assert amplify.parse_exact(text, "--x") == value


@pytest.mark.parametrize("text", ["nan", "inf", "1e10000000", "0x10", "1_0", "1/0", "", "0.1.2", "1e", ".5"])
def test_malformed_numbers_are_refused(text):
    with pytest.raises(CertifyError, match=r"^--x: expected a decimal like 0.01"):
        amplify.parse_exact(text, "--x")


def test_nb_is_a_power_of_two():
    assert amplify.parse_nb_log2("2^13671") == 13671 == amplify.parse_nb_log2("2**13671")
    assert amplify.parse_nb_log2("1024") == 10 and amplify.parse_nb_log2("1") == 0
    for bad in ("3", "0", "2^-1", "two"):
        with pytest.raises(CertifyError, match="^--nb: expected a power of two"):
            amplify.parse_nb_log2(bad)


def test_cli_plan_json_has_the_same_fields(capsys):
    assert cli(["--eps", "0.1", "--alpha", "0.9", "--beta", "2", "--tau", "1e-3", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n_d"] == 91 and report["n_b"] == "2^13671" and report["n_b_log2"] == 13671
    assert report["n_min"] == "3*91*2^13671+1" and report["n_min_sci"] == "6.56498e+4117"
    assert report["estimate"].startswith("0.500999576489442645") and report["digits"] == 50
    assert report["kernel"]["status"] == "verified" and report["kernel"]["claim"] == "eq. (13) <= 1/2 + 1/1000"
    assert report["kernel"]["proven"] == "1/2 + 9.99576489443e-4"  # the kernel's bound, rounded up
    assert report["inputs"] == {"eps": "1/10", "alpha": "9/10", "beta": "2", "tau": "1/1000"}
    assert report["alpha_beta"].startswith("illustrative inputs") and "Supplementary Note 2" in report["alpha_beta"]
    assert report["cheapest"]["n_d"] == 91 and report["paper_choice"]["estimate"].startswith("0.5009810255405726")


def test_cli_text_names_the_inputs_as_not_the_papers(capsys):
    assert cli(["--eps", "1/4", "--alpha", "0.8", "--beta", "3"]) == 0
    out = capsys.readouterr().out
    assert "user inputs; the paper defines alpha, beta in its Supplementary Note 2" in out
    assert "tau = 1/1000" in out and "N_d = " in out and "smallest N = 3*" in out


def test_cli_evaluates_a_point_and_exits_one_when_it_misses_the_target(capsys):
    base = ["--eps", "0.1", "--alpha", "0.9", "--beta", "2", "--nd", "91", "--tau", "1e-3"]
    assert cli([*base, "--nb", "2^13671"]) == 0
    assert cli([*base, "--nb", "2^13670", "--json"]) == 1
    report = json.loads(capsys.readouterr().out.split("\n", 4)[-1])
    assert report["meets_target"] is False and report["estimate"].startswith("0.5010016377059837596")
    assert report["kernel"]["status"] == "false" and report["kernel"]["proven"] is None


def test_cli_prints_the_kernels_verdict_and_writes_the_certificate(tmp_path, capsys):
    from certify.kernel import check_certificate
    from certify.kernel.format import read_json

    out = tmp_path / "eq13.json"
    base = ["--eps", "0.1", "--alpha", "0.9", "--beta", "2", "--nd", "91", "--nb", "2^13671"]
    assert cli([*base, "--tau", "1e-3", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "P(guess) bound <= 1/2 + 1/1000 VERIFIED (proven <= 1/2 + 9.99576489443e-4)" in text
    assert "estimate (mpmath, not a bound)" in text and "P(guess) <= 0.5" not in text
    verdict = check_certificate(read_json(out), str(out))
    assert verdict.ok and verdict.kind == "amplify.bound" and verdict.claimed == Fraction(501, 1000)
    assert cli([*base, "--tau", "9.99576489e-4", "--out", str(out)]) == 1  # below the exact 9.995764894426e-4
    assert "UNVERIFIED: the evidence proves <=" in capsys.readouterr().out
    assert not check_certificate(read_json(out), str(out)).ok  # --out writes the claim that was checked
    assert cli(base) == 0  # no --tau: the estimate rounded up is claimed, and the kernel proves it
    assert "bound <= 1/2 + 9.99576489444e-4 VERIFIED (proven <= 1/2 + 9.99576489443e-4)" in capsys.readouterr().out


def test_cli_out_to_an_unwritable_place_is_one_line_exit_two(tmp_path, capsys):
    assert cli(["--eps", "0.1", "--alpha", "0.9", "--beta", "2", "--out", "/proc/version/x.json"]) == EXIT_ERROR
    err = capsys.readouterr().err.strip()
    assert err.startswith("certify amplify: error: --out: cannot write") and "\n" not in err


@pytest.mark.parametrize("argv, field", [
    (["--eps", "0.6", "--alpha", "0.9", "--beta", "2"], "eps"),
    (["--eps", "0", "--alpha", "0.9", "--beta", "2"], "eps"),
    (["--eps", "0.1", "--alpha", "1", "--beta", "2"], "alpha"),
    (["--eps", "0.1", "--alpha", "0.9", "--beta", "1"], "beta"),
    (["--eps", "0.1", "--alpha", "0.9", "--beta", "2", "--nd", "0"], "N_d"),
    (["--eps", "0.1", "--alpha", "0.9", "--beta", "2", "--tau=-1e-3"], "tau"),
    (["--eps", "0.1", "--alpha", "0.9", "--beta", "2", "--tau", "0"], "tau"),
    (["--eps", "0.1", "--alpha", "0.9", "--beta", "2", "--nb", "1024"], "--nb"),
    (["--eps", "zero", "--alpha", "0.9", "--beta", "2"], "--eps"),
])
def test_cli_bad_input_is_one_line_and_exit_two(argv, field, capsys):
    assert cli(argv) == EXIT_ERROR
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"certify amplify: error: {field}") and "\n" not in err


def test_missing_alpha_is_an_argparse_error():
    with pytest.raises(SystemExit) as info:
        cli(["--eps", "0.1", "--beta", "2"])
    assert info.value.code == 2


def test_cli_plot_writes_a_png(tmp_path, capsys):
    path = tmp_path / "a.png"
    assert cli(["--eps", "0.1", "--alpha", "0.9", "--beta", "2", "--plot", str(path), "--digits", "30"]) == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_importing_certify_amplification_stays_light():
    code = ("import sys, certify.amplification, certify.commands.amplify; "
            "print(sorted(m for m in ('sympy', 'mpmath', 'numpy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=amp.__file__.rsplit("/certify/", 1)[0]).stdout
    assert out.strip() == "[]"
