"""Bad input across the subcommands: one line naming what is wrong, exit 2 (1 for a rejected claim)."""

import json
import os
from fractions import Fraction
from pathlib import Path

import pytest

from certify.cli import main
from certify.commands.bits import _decimal_up
from certify.kernel import check_certificate

ROOT = Path(__file__).resolve().parents[2]
TABLE1 = str(ROOT / "certify" / "data" / "pironio2010_table1.csv")
BITS = ROOT / "proofs" / "pironio2010" / "bits"


def _run(argv) -> int:
    try:
        return main(argv)
    except SystemExit as done:  # argparse exits on usage errors
        return done.code


def _one_line_error(capsys, argv, code=2, needle=""):
    assert _run(argv) == code
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err and needle in err, err
    return err


@pytest.mark.parametrize("argv,needle", [
    (["npa", "--expr", "chsh", "--level", "1", "--solver", "gurobi"], "invalid choice: 'gurobi'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["lp", "sweep", "--jobs", "0"], "expected a whole number from 1"),
    (["reproduce", "--jobs=-1", "all"], "expected a whole number from 1"),
    (["npa", "--expr", "CHHS", "--level", "1"], "neither a built-in (chsh, mermin3, mermin4) nor a file"),
    (["npa", "--expr", "chsh", "--level", "1", "--guess", "local", "--parties", "0", "--at", "2.5"], "named by letter"),
    (["lp", "lemma", "--parties", "1,2,3"], "named by letter"),
    (["lp", "lemma", "--parties", "A,B,F"], "distinct party letters among A, B, C, D, E"),
    (["lp", "lemma", "--parties", "A,B"], "three distinct parties"),
    (["npa", "--expr", "chsh", "--level", "1++ab"], "level"),
    (["npa", "--expr", "chsh", "--level", "1", "--inputs", "0,0"], "only meaningful with --guess"),
    (["lp", "ghz3", "--table", "00010111", "--x", "000"], "not an input of the GHZ game"),
    (["lp", "lemma", "--x", "11000"], "not an input of the Mermin game"),
    (["bits", "--counts", TABLE1, "--model", "no-signalling", "--tangent-certificate", TABLE1],
     "--tangent-certificate: an NPA tangent bounds the quantum model only"),
    (["amplify", "--eps", "0.1", "--alpha", "0.5", "--beta", "2", "--plot", "figure"], "must end in .png"),
])
def test_usage_errors_are_one_line(capsys, argv, needle):
    _one_line_error(capsys, argv, needle=needle)


def test_an_output_path_that_is_a_folder_is_a_one_line_error(tmp_path, capsys):
    err = _one_line_error(capsys, ["npa", "--expr", "chsh", "--level", "1", "--out", str(tmp_path)])
    assert f"cannot write or read {tmp_path}: Is a directory" in err


def test_a_user_tangent_that_fails_the_kernel_is_rejected(capsys):
    err = _one_line_error(capsys, ["bits", "--counts", TABLE1, "--tangent", "3/2,-1/4", "--model", "no-signalling"],
                          code=1)
    assert "REJECTED" in err and "lambda = -1/4 is negative" in err


@pytest.mark.parametrize("body,needle", [
    ({"terms": []}, "no nonzero term"),
    ({"terms": [{"coef": "10" + "0" * 300, "outputs": [0, 0], "inputs": [0, 0]}]}, "a coefficient of about 1e301"),
])
def test_expressions_no_solver_can_use_are_refused(tmp_path, capsys, body, needle):
    path = tmp_path / "e.json"
    path.write_text(json.dumps({"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, **body}))
    _one_line_error(capsys, ["npa", "--expr", str(path), "--level", "1"], needle=needle)


def test_a_fifo_is_refused_not_waited_on(tmp_path, capsys):
    os.mkfifo(tmp_path / "x.json")
    assert main(["check", str(tmp_path)]) == 2
    assert "not a regular file" in capsys.readouterr().err
    _one_line_error(capsys, ["check", str(tmp_path / "x.json")], needle="not a regular file or folder")


@pytest.mark.parametrize("value", [Fraction(4006, 10**31153) + Fraction(1, 10**40000), Fraction(7, 3),
                                   Fraction(1, 10**6)])
def test_scientific_upper_decimal_is_an_upper_bound_within_one_unit(value):
    text = _decimal_up(value, 4, scientific=True)
    mantissa, exponent = text.split("e")
    printed = Fraction(mantissa) * Fraction(10) ** int(exponent)
    assert printed >= value > printed - Fraction(1, 1000) * Fraction(10) ** int(exponent)
    assert 1 <= Fraction(mantissa) < 10 or int(exponent) == 0


def test_counts_up_to_the_cap_can_be_written_as_json_integers():
    cert = json.loads((BITS / "table1-pvalue-local.json").read_text())
    cert["claim"]["problem"]["counts"][0][2] = 10**12  # 13 digits: parses; the hash then differs
    from certify.kernel.format import loads

    again = loads(json.dumps(cert), "c")
    assert again["claim"]["problem"]["counts"][0][2] == 10**12


@pytest.mark.parametrize("field,value,needle", [
    ("value", "-1", "a non-negative integer, got -1"),
    ("value", "1/2", "a non-negative integer, got 1/2"),
])
def test_a_number_of_bits_is_a_non_negative_integer(field, value, needle):
    from certify.errors import CertifyError

    cert = json.loads((BITS / "table1-level-1+AB.json").read_text())
    cert["claim"][field] = value
    with pytest.raises(CertifyError, match=needle):
        check_certificate(cert, "c")


def test_a_bits_level_that_does_not_parse_is_malformed_not_rejected():
    from certify.errors import CertifyError
    from certify.kernel import problem_sha256

    cert = json.loads((BITS / "table1-level-1+AB.json").read_text())
    cert["claim"]["problem"]["level"] = "1+"
    cert["problem_sha256"] = problem_sha256(cert["claim"]["problem"])
    with pytest.raises(CertifyError, match=r"claim\.problem\.level: level '1\+' does not parse"):
        check_certificate(cert, "c")


def test_counts_beyond_tsirelson_are_refused_under_the_quantum_model(tmp_path, capsys):
    # a PR box: a + b = xy (mod 2) always, CHSH = 4
    rows = ["x,y,N00,N01,N10,N11"] + [f"{x},{y}," + ("0,5000,5000,0" if x * y else "5000,0,0,5000")
                                      for x in (0, 1) for y in (0, 1)]
    path = tmp_path / "pr.csv"
    path.write_text("\n".join(rows) + "\n")
    err = _one_line_error(capsys, ["bits", "--counts", str(path)])
    assert "> 2 sqrt 2: no quantum device produces these counts" in err


def test_a_negative_input_probability_is_named_exactly(capsys):
    err = _one_line_error(capsys, ["bits", "--counts", TABLE1, "--p-xy=-1/4,1/2,1/2,1/4"])
    assert "p_xy[00]: expected a rational in (0, 1], got -1/4" in err


@pytest.mark.parametrize("command", [["lp", "sweep"], ["reproduce", "all"]])
def test_an_output_folder_that_is_a_file_is_refused_before_any_work(capsys, command):
    argv = command[:1] + ["--out", TABLE1] + command[1:] if command[0] == "reproduce" else command + ["--out", TABLE1]
    _one_line_error(capsys, argv, needle="exists and is not a folder")


def test_a_tampered_tangent_certificate_is_rejected_as_check_rejects_it(tmp_path, capsys):
    source = sorted((ROOT / "proofs" / "pironio2010" / "npa").glob("global-1+AB-I2.4*.json"))[0]
    cert = json.loads(source.read_text())
    cert["evidence"]["nu"] = "1/1000"  # the dual identity at the identity word now fails
    path = tmp_path / "t.json"
    path.write_text(json.dumps(cert))
    err = _one_line_error(capsys, ["bits", "--counts", TABLE1, "--tangent-certificate", str(path)], code=1)
    assert "REJECTED" in err and "certificate does not verify" in err
    assert main(["check", str(path)]) == 1
