"""`certify show`: the claim rebuilt from its problem definition, then the kernel's verdict."""

import json
import os

import pytest

from certify.certificate import dumps
from certify.cli import main
from certify.kernel import check_certificate
from certify.kernel.format import format_rational, read_json

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROOFS = os.path.join(ROOT, "proofs")


def _tsirelson_2() -> str:
    """The bound the kernel proves from the committed level-2 Tsirelson certificate, as "p/q"."""
    path = os.path.join(PROOFS, "pironio2010", "npa", "tsirelson-2.json")
    return format_rational(check_certificate(read_json(path), path).value)


def _show(capsys, *argv):
    code = main(["show", *argv])
    return code, capsys.readouterr().out


def test_tsirelson_claim_names_chsh_the_level_words_and_the_bound(capsys):
    code, out = _show(capsys, os.path.join(PROOFS, "pironio2010/npa/tsirelson-2.json"))
    assert code == 0
    assert "2 parties (A, B)" in out and "level: 2 (moment matrix indexed by 13 operator words" in out
    assert "maximise the Bell expression CHSH" in out
    assert f"kernel verdict: VERIFIED: proven <= {_tsirelson_2()}" in out


def test_lemma_claim_shows_the_promise_and_the_guessed_parties_by_letter(capsys):
    code, out = _show(capsys, os.path.join(PROOFS, "gallego2013/lemma/x10110_maj245_v0.json"))
    assert code == 0 and "P(g(a_BDE) = 0 | x = 10110)" in out and "promise (16 inputs)" in out
    assert "x=00111: parity 1" in out and "== 3/4" in out


def test_bits_claim_shows_the_counts_table(capsys):
    code, out = _show(capsys, os.path.join(PROOFS, "pironio2010/bits/table1-level-1+AB.json"))
    assert code == 0
    assert "0 0 |    293     94     70    295 |  1/4" in out and "1 1 |     68    340    309     89" in out
    assert "n = 3016 trials" in out and "kernel verdict: VERIFIED: proven >= 42" in out


def test_the_description_comes_from_the_problem_not_the_statement(tmp_path, capsys):
    """An edited statement changes nothing the referee reads as the problem (and the kernel
    still decides on the problem): the false statement is shown only as labelled untrusted text."""
    cert = json.loads(open(os.path.join(PROOFS, "pironio2010/npa/tsirelson-2.json")).read())
    cert["claim"]["statement"] = "max CHSH <= 2 (a lie)"
    path = tmp_path / "lie.json"
    path.write_text(dumps(cert))
    code, out = _show(capsys, str(path))
    assert code == 0 and "statement (untrusted text, not read by the kernel): max CHSH <= 2 (a lie)" in out
    assert "maximise the Bell expression CHSH" in out and f"<= {_tsirelson_2()}" in out


def test_a_false_claim_exits_one_and_says_failed(tmp_path, capsys):
    cert = json.loads(open(os.path.join(PROOFS, "pironio2010/npa/tsirelson-2.json")).read())
    cert["claim"]["value"] = "2"
    path = tmp_path / "false.json"
    path.write_text(dumps(cert))
    code, out = _show(capsys, str(path))
    assert code == 1 and "kernel verdict: FAILED" in out and "claimed: the maximum over the NPA relaxation <= 2" in out


@pytest.mark.parametrize("patch, notes", [({"scenario": "x"}, 1), ({"scenario": {"parties": 2}}, 1),
                                          ({"objective": {"kind": "nope"}}, 0)])
def test_a_false_claim_whose_problem_cannot_be_rebuilt_keeps_exit_one(tmp_path, capsys, patch, notes):
    """Audit #9 (session 23): a tampered problem fails on its hash (false, exit 1 in `certify check`); show
    exited 2 when rebuilding it in words failed. Now the verdict's exit code, a one-line note, and --json."""
    cert = json.loads(open(os.path.join(PROOFS, "pironio2010/ns/ab00_xy00.json")).read())
    cert["claim"]["problem"].update(patch)
    path = tmp_path / "tampered.json"
    path.write_text(dumps(cert))
    assert main(["check", str(path)]) == 1
    capsys.readouterr()
    code, out = _show(capsys, str(path))
    assert code == 1 and "kernel verdict: FAILED: problem_sha256 does not match" in out and "Traceback" not in out
    assert sum(line.startswith("problem not rebuilt in words: ") for line in out.splitlines()) == notes
    code, out = _show(capsys, "--json", str(path))
    data = json.loads(out)
    assert code == 1 and data["claims"][0]["status"] == "false" and data["description"]


@pytest.mark.parametrize("content", ["not json", '{"format": "certify/1"}'])
def test_a_malformed_file_exits_two_with_the_kernels_line(tmp_path, capsys, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    code, out = _show(capsys, str(path))
    assert code == 2 and "kernel verdict: ERROR" in out and "problem, rebuilt" not in out


def test_json_has_the_schema_and_the_verdict(capsys):
    code, out = _show(capsys, "--json", os.path.join(PROOFS, "pironio2010/ns/ab00_xy00.json"))
    data = json.loads(out)
    assert code == 0 and data["schema"] == "certify-cli/1" and data["command"] == "show"
    assert data["claims"][0]["value"] == "3/2" and data["claims"][0]["status"] == "verified"
    assert any("promise: none" in line for line in data["description"])


def test_every_committed_kind_is_described(capsys):
    """One certificate of each kind in proofs/: a description with the claim line, exit 0."""
    seen = {}
    for folder, _, files in os.walk(PROOFS):
        for name in sorted(files):
            if name.endswith(".json") and name != "manifest.json":
                path = os.path.join(folder, name)
                seen.setdefault(json.loads(open(path).read())["claim"]["kind"], path)
    assert {"npa.max", "lp.ns", "lp.threshold", "bits.chsh", "pvalue.chsh", "amplify.bound"} <= set(seen)
    for kind, path in sorted(seen.items()):
        code, out = _show(capsys, path)
        assert code == 0 and f"(kind {kind})" in out and "claimed: " in out, (kind, out)
