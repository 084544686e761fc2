"""--json: one document per command, "format": "certify-result/1" (and the first release's "schema":
"certify-cli/1"), verdicts only from the kernel; every command's output validates against the shipped schema."""

import json
import os
from importlib.resources import files

import pytest
from cli_cases import EVERY_COMMAND, small_families  # tests/unit/cli_cases.py

from certify.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TABLE1 = os.path.join(ROOT, "certify", "data", "pironio2010_table1.csv")
SCHEMA = json.loads((files("certify") / "data" / "schemas" / "certify-cli-1.json").read_text())

VERDICT_FIELDS = {"id", "kind", "statement", "relation", "claimed", "status", "value", "low", "high", "reason",
                  "source", "problem_sha256"}


def _json(capsys, *argv):
    code = main(list(argv))
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "certify-result/1" and data["schema"] == "certify-cli/1"
    assert set(data["claims"][0]) == VERDICT_FIELDS if data["claims"] else True
    return code, data


def test_lp_json_holds_the_verdict_and_the_certificate_object(capsys):
    code, data = _json(capsys, "lp", "chsh-ns", "--ab", "01", "--xy", "10", "--json")
    claim = data["claims"][0]
    assert code == 0 and data["ok"] and data["command"] == "lp" and data["summary"]["verified"] == 1
    assert claim["kind"] == "lp.ns" and claim["status"] == "verified" and claim["value"] == "3/2"
    assert data["certificate"]["claim"]["value"] == "3/2"  # the certificate itself, not prose


def test_lp_json_with_out_names_the_written_file(tmp_path, capsys):
    out = tmp_path / "c.json"
    code, data = _json(capsys, "lp", "lemma", "--parties", "A,B,C", "--out", str(out), "--json")
    assert code == 0 and data["certificate"] == str(out) and out.is_file()
    assert data["claims"][0]["value"] == "3/4" and data["claims"][0]["relation"] == "=="


def test_npa_json_tsirelson(capsys):
    code, data = _json(capsys, "npa", "--expr", "CHSH", "--level", "1 + ab", "--json")
    claim = data["claims"][0]
    assert code == 0 and claim["kind"] == "npa.max" and claim["relation"] == "<="
    num, den = map(int, claim["value"].split("/"))
    assert 8 * den**2 <= num**2 <= (8 + 1e-6) * den**2  # just above 2 sqrt 2
    assert data["certificate"]["claim"]["problem"]["level"] == "1+AB"


def test_npa_json_when_nothing_is_verified_lists_no_claim(capsys):
    code, data = _json(capsys, "npa", "--expr", "chsh", "--level", "1", "--guess", "global", "--at", "2.9", "--json")
    assert code == 1 and not data["ok"] and "infeasible" in data["unverified"]
    assert [c["kind"] for c in data["claims"]] == ["npa.max"]  # the side claim: max CHSH < 2.9, verified


@pytest.mark.parametrize("argv", [
    ["check", "--json", os.path.join(ROOT, "proofs", "pironio2010", "bits")],
    ["show", "--json", os.path.join(ROOT, "proofs", "pironio2010", "npa", "tsirelson-1.json")],
    ["lp", "chsh-ns", "--json"],
    ["npa", "--expr", "chsh", "--level", "1", "--json"],
    ["npa", "--expr", "chsh", "--level", "1", "--guess", "global", "--at", "2.9", "--json"],
    ["bits", "--counts", TABLE1, "--json"],
    ["bits", "--counts", TABLE1, "--model", "no-signalling", "--json"],
])
def test_every_json_output_validates_against_the_shipped_schema(argv, tmp_path, capsys):
    jsonschema = pytest.importorskip("jsonschema")
    main(argv)
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, SCHEMA)
    assert data["command"] == argv[0] and data["claims"]


def test_the_table_covers_every_command():
    from certify.cli import COMMANDS

    assert set(EVERY_COMMAND) == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(EVERY_COMMAND))
def test_every_command_prints_one_json_document_that_validates(command, tmp_path, capsys, monkeypatch):
    jsonschema = pytest.importorskip("jsonschema")
    small_families(monkeypatch)
    argv, code = EVERY_COMMAND[command](tmp_path)
    assert main([*argv, "--json"]) == code
    data = json.loads(capsys.readouterr().out)  # the whole of stdout is the one document
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    assert data["format"] == "certify-result/1" and data["command"] == command and data["claims"]
    assert data["ok"] is (code == 0)


def test_json_is_unchanged_by_quiet_and_verbose(capsys):
    main(["lp", "chsh-ns", "--json"])
    plain = json.loads(capsys.readouterr().out)
    for flag in ("--quiet", "--verbose"):
        main(["lp", "chsh-ns", "--json", flag])
        assert json.loads(capsys.readouterr().out) == plain


def test_lp_sweep_json_validates(tmp_path, capsys, monkeypatch):
    jsonschema = pytest.importorskip("jsonschema")
    from certify.commands import lp
    from certify.papers import families

    monkeypatch.setattr(lp, "LP_FAMILIES", (families.CURVE_C,))
    assert main(["lp", "sweep", "--out", str(tmp_path), "--jobs", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, SCHEMA)
    assert data["command"] == "lp sweep" and data["summary"]["verified"] == 16


def test_the_schema_rejects_a_verdict_that_is_not_the_kernels(capsys):
    jsonschema = pytest.importorskip("jsonschema")
    main(["lp", "chsh-ns", "--json"])
    data = json.loads(capsys.readouterr().out)
    for broken in ({**data, "schema": "certify-cli/2"}, {**data, "format": "certify-result/2"},
                   {k: v for k, v in data.items() if k != "format"},
                   {**data, "claims": [{**data["claims"][0], "status": "VERIFIED"}]},
                   {**data, "claims": [{**data["claims"][0], "value": 1.5}]},  # a float is never a verdict
                   {**data, "claims": [{**data["claims"][0], "value": "1.5"}]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, SCHEMA)


def test_reproduce_json_is_the_kernels_verdicts_of_what_it_wrote(tmp_path, capsys, monkeypatch):
    """`certify reproduce --json` on one small family (curve c, 16 LPs): schema, verdicts, timings."""
    jsonschema = pytest.importorskip("jsonschema")
    from certify.commands import reproduce
    from certify.papers import families

    monkeypatch.setattr(reproduce, "FAMILIES", {"pironio2010": [families.CURVE_C]})
    args = type("Args", (), {"paper": "pironio2010", "jobs": 1, "out": str(tmp_path / "p"), "scheduler": None,
                             "json": True})()
    assert reproduce.run(args) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, SCHEMA)
    assert data["command"] == "reproduce" and data["summary"]["verified"] == 16
    assert {c["value"] for c in data["claims"]} == {"3/2"} and "Pironio curve c (NS)" in data["solver_seconds"]


def _schema(name):
    return json.loads((files("certify") / "data" / "schemas" / name).read_text())


def test_every_committed_certificate_validates_against_the_envelope_schema():
    jsonschema = pytest.importorskip("jsonschema")
    from certify.kernel import KINDS

    schema = _schema("certificate-1.json")
    assert set(schema["properties"]["claim"]["properties"]["kind"]["enum"]) == set(KINDS)  # in step with the kernel
    validator = jsonschema.Draft202012Validator(schema)
    count = 0
    for folder, _, names in os.walk(os.path.join(ROOT, "proofs")):
        for name in names:
            if name.endswith(".json") and name != "manifest.json":
                with open(os.path.join(folder, name), encoding="utf-8") as handle:
                    validator.validate(json.load(handle))
                count += 1
    assert count >= 981


@pytest.mark.parametrize("change", [
    lambda c: c.pop("evidence"),
    lambda c: c.update(extra=1),
    lambda c: c.update(problem_sha256="ABC"),
    lambda c: c["claim"].update(kind="lp.guess"),
    lambda c: c["claim"].update(value="1.5"),
    lambda c: c["claim"].update(value="1e3"),
    lambda c: c["claim"].update(relation="<"),
    lambda c: c["claim"].pop("statement"),
])
def test_the_envelope_schema_and_the_kernel_refuse_the_same_broken_files(change, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    from certify.kernel.proofs import check_file

    with open(os.path.join(ROOT, "proofs", "pironio2010", "ns", "ab00_xy00.json"), encoding="utf-8") as handle:
        cert = json.load(handle)
    change(cert)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(cert, _schema("certificate-1.json"))
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(cert))
    assert check_file(str(broken)).status == "malformed"


@pytest.mark.parametrize("change", [
    lambda b: b.pop("p"),
    lambda b: b["p"][0].update(p=0.425),
    lambda b: b["p"][0].update(p="-17/40"),
    lambda b: b["scenario"].update(outputs=[1, 2]),
])
def test_the_behaviour_schema_accepts_the_shipped_example_and_refuses_what_the_reader_refuses(change, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    from certify.behaviour import read_behaviour
    from certify.errors import CertifyError

    path = files("certify") / "data" / "examples" / "box.json"
    box = json.loads(path.read_text())
    jsonschema.validate(box, _schema("behaviour-1.json"))
    read_behaviour(str(path))
    change(box)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(box, _schema("behaviour-1.json"))
    broken = tmp_path / "box.json"
    broken.write_text(json.dumps(box))
    with pytest.raises(CertifyError):
        read_behaviour(str(broken))
