"""`certify bits`: text and JSON output, tangents, bad input (run through the subcommand's own parser)."""

import argparse
import json
from fractions import Fraction
from pathlib import Path

import pytest

from certify.commands import bits
from certify.errors import CertifyError

TABLE1 = str(Path(__file__).resolve().parents[2] / "certify" / "data" / "pironio2010_table1.csv")


def run(argv, capsys):
    parser = argparse.ArgumentParser()
    bits.add_parser(parser.add_subparsers(dest="command"))
    code = bits.run(parser.parse_args(["bits"] + argv))
    return code, capsys.readouterr().out


def test_json_fields(capsys):
    code, out = run(["--counts", TABLE1, "--delta", "0.01", "--tangent-certificate", str(_npa_certificate()),
                     "--json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert data["I_hat"] == "70/29" and data["I_hat_decimal"] == "2.41379"
    assert data["standard_error"] == "0.058"
    assert data["epsilon"] == "0.377349" and data["I_low"] == "2.036444"
    assert data["p_value_local"] == "7.675e-4"
    assert data["agreement"] == {"00": "0.782", "01": "0.808", "10": "0.812", "11": "0.195"}
    assert data["bits"] == 42 and data["level"] == "1+AB" and data["tangent"]["certificate"] == str(_npa_certificate())
    assert data["tangent"]["source"] == "certificate (re-checked)"
    # the 42 are the verdict of a bits.chsh claim on that one tangent (in memory: --out writes it)
    assert data["certificate"]["claim"]["kind"] == "bits.chsh" and list(data["certificate"]["evidence"]["tangents"]) \
        == ["00"] and [c["kind"] for c in data["claims"]][:2] == ["bits.chsh", "pvalue.chsh"]


def test_default_certifies_the_whole_chain_with_42_bits(tmp_path, capsys):
    code, out = run(["--counts", TABLE1, "--out", str(tmp_path / "chain.json")], capsys)
    assert code == 0
    assert "I_hat = 70/29 = 2.41379" in out and "standard error 0.058" in out
    assert "H_min >= 42 bits" in out and "verified by the kernel" in out
    assert "the paper states: at least 42 bits with 99% confidence" in out and "certified here: 42 bits" in out
    from certify.kernel.proofs import check_file

    verdict = check_file(str(tmp_path / "chain.json"))
    assert verdict.ok and verdict.kind == "bits.chsh" and verdict.value == 42


def test_no_signalling_default_tangent_is_curve_c(capsys):
    _, out = run(["--counts", TABLE1, "--model", "no-signalling", "--json"], capsys)
    data = json.loads(out)
    assert data["tangent"]["nu"] == "3/2" and data["tangent"]["lambda"] == "1/4" and data["bits"] == 0


def test_no_signalling_model_states_zero_bits(capsys):
    _, out = run(["--counts", TABLE1, "--tangent", "3/2,1/4", "--model", "no-signalling"], capsys)
    assert "H_min >= 0 bits" in out and "no randomness certified" in out


def test_biased_inputs_flag(capsys):
    _, out = run(["--counts", TABLE1, "--p-xy", "0.25,0.25,0.25,0.25", "--q", "1/4", "--json"], capsys)
    assert json.loads(out)["I_hat"] == "70/29"


@pytest.mark.parametrize("argv,match", [
    (["--delta", "0"], "delta"),
    (["--delta", "1.5"], "delta"),
    (["--delta", "1e-99999"], "--delta: expected a decimal"),
    (["--delta", "1e-2.5"], "--delta: expected a decimal"),
    (["--p-xy", "0.5,0.25,0.25"], "--p-xy: expected four"),
    (["--p-xy", "0.5,0.25,0.25,0.25"], "p_xy: probabilities sum to 5/4"),
    (["--q", "0.2"], r"q: 1/5 disagrees"),
    (["--tangent", "3/2"], "--tangent: expected NU,LAM"),
    (["--tangent", "3/2,1/4"], "cannot check a bare quantum line"),
    (["--tangent", "3/2,-1/4", "--model", "no-signalling"], None),
])
def test_bad_flags(argv, match, capsys):
    if match is None:  # a negative slope is a failed check of the chain, not a parse error
        from certify.kernel.format import Reject
        with pytest.raises(Reject):
            run(["--counts", TABLE1] + argv, capsys)
        return
    with pytest.raises(CertifyError, match=match):
        run(["--counts", TABLE1] + argv, capsys)


def test_the_cli_rational_is_exact():
    from fractions import Fraction

    from certify.cli_types import rational
    assert rational("0.01", "x") == Fraction(1, 100) and rational("2/200", "x") == Fraction(1, 100)
    assert rational("-2.5", "x", signed=True) == Fraction(-5, 2)
    # scientific notation is exact, never through a float (float("1e-400") is 0.0)
    assert rational("1e-6", "x") == Fraction(1, 10**6) and rational("2.5E-3", "x") == Fraction(1, 400)
    assert rational("1e-400", "x") == Fraction(1, 10**400) and rational("3e+2", "x") == 300
    assert rational("0.1", "x") != 0.1 and rational("0.1", "x") == Fraction(1, 10)
    for bad in ("-1", "0x10", "1_0", " ", "nan", "inf", "1e", "1e10000", "1.5e-2.0", ".5", "1/0", "1e-2/3"):
        with pytest.raises(CertifyError, match="expected a decimal"):
            rational(bad, "x")


@pytest.mark.parametrize("spelling", ["1+ab", "1 + AB", " 1+Ab "])
def test_level_spellings_of_other_tools_are_the_canonical_one(spelling, capsys):
    from certify.cli_types import level
    assert level(spelling) == "1+AB"
    code, out = run(["--counts", TABLE1, "--level", spelling, "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["level"] == "1+AB" and data["bits"] == 42
    # the certificate itself holds the kernel's one spelling, and it is the object, not prose
    assert data["certificate"]["claim"]["problem"]["level"] == "1+AB"
    assert data["schema"] == "certify-cli/1" and data["claims"][0]["kind"] == "bits.chsh"
    assert data["claims"][0]["status"] == "verified" and data["claims"][0]["value"] == "42"


def _npa_certificate():
    """A level 1+AB tangent certificate of the NPA sweep near I_low = 2.0364 (if produced)."""
    folder = Path(TABLE1).parents[2] / "proofs" / "pironio2010" / "npa"
    found = sorted(folder.glob("global-1+AB-I2.03*.json"))
    if not found:
        pytest.skip("no level 1+AB tangent certificate near I = 2.036 in proofs/")
    return found[0]


def test_certificate_tangent_gives_the_papers_42_bits(capsys):
    _, out = run(["--counts", TABLE1, "--tangent-certificate", str(_npa_certificate()), "--json"], capsys)
    data = json.loads(out)
    assert data["bits"] == 42 and data["tangent"]["source"] == "certificate (re-checked)"


def test_tampered_certificate_is_rejected(tmp_path, capsys):
    cert = json.loads(_npa_certificate().read_text())
    from fractions import Fraction

    from certify.kernel.format import format_rational
    nu = Fraction(cert["evidence"]["nu"])
    cert["evidence"]["nu"] = format_rational(nu - Fraction(1, 10**12))
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(cert))
    from certify.kernel.format import Reject

    with pytest.raises(Reject, match="does not verify"):  # a false certificate: exit 1, as `certify check`
        run(["--counts", TABLE1, "--tangent-certificate", str(path)], capsys)


def test_certificate_of_another_problem_is_refused(tmp_path, capsys):
    cert = json.loads(_npa_certificate().read_text())
    cert["claim"]["problem"]["objective"] = {"guess": {"parties": [0], "inputs": [0]}}
    path = tmp_path / "other.json"
    path.write_text(json.dumps(cert))
    from certify.kernel.format import Reject

    with pytest.raises(Reject, match="problem_sha256 does not match"):  # an edited problem is not the proven one
        run(["--counts", TABLE1, "--tangent-certificate", str(path)], capsys)
    local = sorted((Path(TABLE1).parents[2] / "proofs" / "pironio2010" / "npa").glob("local-2-*.json"))[0]
    with pytest.raises(CertifyError, match="guess of both parties"):  # verified, but a bound on Alice alone
        run(["--counts", TABLE1, "--tangent-certificate", str(local)], capsys)


def test_weak_counts_certify_zero_bits_and_the_chain_verifies(tmp_path, capsys):
    # I_hat = 4/3 < 2: no violation, so 0 bits, stated as such (exit 0), and the file still checks.
    table = tmp_path / "weak.csv"
    table.write_text("x,y,N00,N01,N10,N11\n0,0,100,50,50,100\n0,1,100,50,50,100\n"
                     "1,0,100,50,50,100\n1,1,50,100,100,50\n")
    code, out = run(["--counts", str(table), "--out", str(tmp_path / "chain.json"), "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["bits"] == 0 and data["I_hat"] == "4/3"
    assert "no randomness certified" in data["bits_reason"] and data["paper_claim"] is None
    from certify.kernel.proofs import check_file

    verdict = check_file(str(tmp_path / "chain.json"))
    assert verdict.ok and verdict.value == 0


def _line(path):
    from certify.kernel.format import parse_rational

    evidence = json.loads(Path(path).read_text())["evidence"]
    return parse_rational(evidence["nu"], "nu"), parse_rational(evidence["lambda"], "lambda")


def test_a_user_tangent_is_the_certificates_line_and_verifies(capsys):
    from certify.kernel.format import format_rational

    nu, lam = _line(_npa_certificate())
    code, out = run(["--counts", TABLE1, "--tangent-certificate", str(_npa_certificate()),
                     "--tangent", f"{format_rational(nu)},{format_rational(lam)}", "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["bits"] == 42 and data["tangent"]["nu"] == format_rational(nu)


def test_a_weaker_user_line_still_writes_the_number_it_prints(tmp_path, capsys):
    """--tangent NU,LAM above the certificate's own line verifies (a weaker line), but the bits rest on the line the
    certificate proves: the printed tangent is that line and the written claim states the printed number (the
    session-23 review: the file claimed the bits of the user's weaker line, the screen the kernel's)."""
    from certify.kernel.format import format_rational
    from certify.kernel.proofs import check_file

    nu, lam = _line(_npa_certificate())
    code, out = run(["--counts", TABLE1, "--tangent-certificate", str(_npa_certificate()), "--tangent",
                     f"{format_rational(nu + Fraction(1, 50))},{format_rational(lam)}", "--json",
                     "--out", str(tmp_path / "bits.json")], capsys)
    data = json.loads(out)
    assert code == 0 and data["bits"] == 42 and data["tangent"]["nu"] == format_rational(nu)
    written = check_file(str(tmp_path / "bits.json"))
    assert written.ok and written.claimed == written.value == 42


@pytest.mark.parametrize("model", ["quantum", "no-signalling"])
def test_a_user_tangent_off_by_1e_12_is_rejected_exit_1(model, capsys):
    """The kernel checks the user's line before anything is printed: 1e-12 too low is REJECTED."""
    from fractions import Fraction

    from certify.cli import main
    from certify.kernel.format import format_rational

    if model == "quantum":
        nu, lam = _line(_npa_certificate())
        extra = ["--tangent-certificate", str(_npa_certificate())]
    else:
        nu, lam, extra = Fraction(3, 2), Fraction(1, 4), ["--model", "no-signalling"]
    tangent = f"{format_rational(nu - Fraction(1, 10**12))},{format_rational(lam)}"
    assert main(["bits", "--counts", TABLE1, "--tangent", tangent] + extra) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "REJECTED" in captured.err and "does not verify" in captured.err


def test_counts_contradicting_the_stated_input_distribution_are_refused(capsys):
    # Table 1's input pairs are near-uniform (752 of 3016 at xy = 00); P(00) = 1/2 expects 1508: chi-square ~768
    with pytest.raises(CertifyError, match=r"input frequencies contradict P\(xy\): inputs x=0,y=0 occur 752 times"):
        run(["--counts", TABLE1, "--p-xy", "1/2,1/6,1/6,1/6"], capsys)


def test_eat_refuses_test_rounds_whose_inputs_are_not_uniform(tmp_path, capsys):
    skewed = tmp_path / "skewed.csv"  # Table 1 with the xy = 00 row tripled: 2256 of 4520 rounds at 00
    skewed.write_text("x,y,N00,N01,N10,N11\n0,0,879,282,210,885\n0,1,298,70,74,309\n"
                      "1,0,283,69,64,291\n1,1,68,340,309,89\n")
    with pytest.raises(CertifyError, match=r"skewed.csv: input frequencies contradict P\(xy\): inputs x=0,y=0"):
        run(["--counts", str(skewed), "--eat"], capsys)


def test_table1_fits_uniform_inputs_and_still_gives_42_bits(capsys):
    code, out = run(["--counts", TABLE1, "--level", "1+AB"], capsys)
    assert code == 0 and "H_min >= 42 bits" in out
