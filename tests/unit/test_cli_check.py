"""`certify check`: exit codes, one-line errors, and a kernel that loads no numerics."""

import json
import os
import subprocess
import sys

import pytest

from certify.certificate import dumps, rebuild_manifest, write
from certify.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture()
def proof_dir(tmp_path, chsh_ns_certificate):
    write(chsh_ns_certificate, str(tmp_path / "ns" / "c.json"))
    rebuild_manifest(str(tmp_path))
    return tmp_path


def test_verified_folder_exits_zero(proof_dir, capsys):
    assert main(["check", str(proof_dir)]) == 0
    out = capsys.readouterr().out
    assert "VERIFIED  pironio2010/ns/ab=00/xy=00  == 3/2" in out and "1 verified, 0 failed, 0 malformed" in out


def test_json_output_has_exact_values(proof_dir, capsys):
    assert main(["check", "--json", str(proof_dir)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["schema"] == "certify-cli/1" and report["ok"] and report["summary"]["verified"] == 1
    assert report["claims"][0]["value"] == "3/2" and report["claims"][0]["status"] == "verified"


def test_changed_claim_value_exits_one_and_names_the_claim(proof_dir, capsys):
    path = proof_dir / "ns" / "c.json"
    cert = json.loads(path.read_text())
    cert["claim"]["value"] = "1"
    path.write_text(dumps(cert))
    rebuild_manifest(str(proof_dir))
    assert main(["check", str(proof_dir)]) == 1
    assert "FAILED    pironio2010/ns/ab=00/xy=00  the evidence proves <= 3/2, not <= 1" in capsys.readouterr().err


def test_file_edited_behind_the_manifest_is_caught(proof_dir, capsys):
    path = proof_dir / "ns" / "c.json"
    cert = json.loads(path.read_text())
    cert["claim"]["value"] = "2"  # true (weaker) but not what the manifest pins
    cert["claim"]["relation"] = "<="
    del cert["evidence"]["primal"]
    path.write_text(dumps(cert))
    assert main(["check", str(proof_dir)]) == 1
    assert "manifest says relation '==', certificate says '<='" in capsys.readouterr().err


def test_statement_edited_behind_the_manifest_is_caught(proof_dir, capsys):
    # A true certificate whose prose overstates it must not print VERIFIED beside that prose.
    path = proof_dir / "ns" / "c.json"
    cert = json.loads(path.read_text())
    cert["claim"]["statement"] = "no-signalling boxes cannot beat 1/2"
    path.write_text(dumps(cert))
    assert main(["check", str(proof_dir)]) == 1
    assert "manifest says statement" in capsys.readouterr().err


def test_unlisted_certificate_is_an_error(proof_dir, chsh_ns_certificate, capsys):
    write(chsh_ns_certificate, str(proof_dir / "extra.json"))
    assert main(["check", str(proof_dir)]) == 2
    assert "not listed in" in capsys.readouterr().err


@pytest.mark.parametrize("content,needle", [
    ("not json at all", "not valid JSON"),
    ('{"format": "certify/1", "claim": {"value": NaN}}', "NaN is not allowed"),
    ("[" * 5000 + "]" * 5000, "nested deeper"),
    ("\xff\xfe", "not UTF-8"),
])
def test_hostile_files_get_one_line_and_exit_two(tmp_path, capsys, content, needle):
    path = tmp_path / "bad.json"
    path.write_bytes(content.encode("latin-1") if content.startswith("\xff") else content.encode())
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1


def test_zero_denominator_and_huge_number(tmp_path, chsh_ns_certificate, capsys):
    for value, needle in (("1/0", 'expected rational "p/q", got "1/0"'), ("9" * 10**6, "more than")):
        cert = json.loads(dumps(chsh_ns_certificate))
        key = sorted(cert["evidence"]["dual"])[0]
        cert["evidence"]["dual"][key] = value
        path = tmp_path / "c.json"
        path.write_text(dumps(cert))
        assert main(["check", str(path)]) == 2
        err = capsys.readouterr().err
        assert needle in err and f'evidence.dual[\'{key}\']' in err


def test_missing_path_is_a_one_line_error(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nowhere")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_check_imports_no_numerical_library(proof_dir):
    code = (
        "import sys; from certify.cli import main; rc = main(['check', '--quiet', sys.argv[1]]); "
        "bad = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'numpy', 'scipy', 'cvxpy', 'sympy', 'highspy', 'clarabel'}); "
        "print('LOADED', bad); sys.exit(rc)"
    )
    result = subprocess.run([sys.executable, "-c", code, str(proof_dir)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stdout


def test_manifest_with_another_format_or_unknown_field_is_an_error(proof_dir, capsys):
    path = proof_dir / "manifest.json"
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "format": "certify/0"}))
    assert main(["check", str(proof_dir)]) == 2
    assert "manifest.json.format: expected 'certify/1'" in capsys.readouterr().err
    path.write_text(json.dumps({**manifest, "extra": 1}))
    assert main(["check", str(proof_dir)]) == 2
    assert "unknown field 'extra'" in capsys.readouterr().err


def test_a_symlink_may_not_lead_outside_the_folder_nor_list_a_file_twice(proof_dir, tmp_path_factory, capsys):
    outside = tmp_path_factory.mktemp("outside")
    (proof_dir / "ns").rename(outside / "ns")
    os.symlink(outside / "ns", proof_dir / "ns")
    assert main(["check", str(proof_dir)]) == 2
    assert "inside the folder" in capsys.readouterr().err
    os.remove(proof_dir / "ns")
    (outside / "ns").rename(proof_dir / "ns")
    os.symlink(proof_dir / "ns" / "c.json", proof_dir / "ns" / "copy.json")
    manifest = json.loads((proof_dir / "manifest.json").read_text())
    manifest["claims"].append({**manifest["claims"][0], "file": "ns/copy.json"})
    (proof_dir / "manifest.json").write_text(json.dumps(manifest))
    assert main(["check", str(proof_dir)]) == 2
    assert "ns/copy.json listed twice" in capsys.readouterr().err


def test_a_folder_without_its_manifest_is_checked_with_a_warning(proof_dir, capsys):
    os.remove(proof_dir / "manifest.json")
    assert main(["check", str(proof_dir)]) == 0
    assert "has no manifest.json: files checked one by one" in capsys.readouterr().err


def test_a_statement_edited_near_its_end_shows_where(proof_dir, capsys):
    path = proof_dir / "ns" / "c.json"
    cert = json.loads(path.read_text())
    cert["claim"]["statement"] += " (edited)"
    path.write_text(dumps(cert))
    assert main(["check", str(proof_dir)]) == 1
    assert "(edited)" in capsys.readouterr().err


def test_values_past_the_int_to_str_limit_print_by_size():
    from fractions import Fraction

    from certify.commands.check import _number, _safe

    huge = Fraction(10 ** 5000 + 1, 3)
    assert _number(huge).startswith("a rational of 16610/2 bits")
    assert _number(Fraction(1, 3)) == "1/3"
    assert _safe("a\x1b[2K\r\ud800b") == "a\\x1b[2K\\r\\ud800b" and _safe("≤ 2√2") == "≤ 2√2"
