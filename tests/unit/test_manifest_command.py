"""`certify manifest FOLDER`: a manifest of the kernel-verified certificates, in the format `certify check` reads."""

import json

import pytest

from certify.cli import main
from certify.kernel.proofs import check_path

LOCAL = {"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, "set": "local",
         "objective": {"bell": {"correlators": [{"coef": "1", "inputs": [0, 0]}, {"coef": "1", "inputs": [0, 1]},
                                                {"coef": "1", "inputs": [1, 0]}, {"coef": "-1", "inputs": [1, 1]}]}}}


def own_folder(tmp_path):
    (tmp_path / "p.json").write_text(json.dumps(LOCAL))
    folder = tmp_path / "mine"
    assert main(["solve", str(tmp_path / "p.json"), "--id", "me/chsh-local", "--out", str(folder / "local.json")]) == 0
    ns = dict(LOCAL, set="no-signalling")
    (tmp_path / "ns.json").write_text(json.dumps(ns))
    assert main(["solve", str(tmp_path / "ns.json"), "--id", "me/chsh-ns", "--out", str(folder / "sub" / "ns.json")]) == 0
    return folder


def test_manifest_of_verified_files_is_checked_by_certify_check(tmp_path, capsys):
    folder = own_folder(tmp_path)
    capsys.readouterr()
    assert main(["manifest", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "me/chsh-local  == 2" in out and "me/chsh-ns  == 4" in out and "2 kernel-verified claims listed" in out
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format"] == "certify/1" and [c["file"] for c in manifest["claims"]] == ["local.json", "sub/ns.json"]
    assert {c["statement"] for c in manifest["claims"]} == {"local behaviours: max CHSH == value",
                                                            "no-signalling boxes: max CHSH == value"}
    verdicts = check_path(str(folder))  # through the manifest
    assert len(verdicts) == 2 and all(v.ok for v in verdicts)
    assert main(["check", str(folder)]) == 0


def test_files_that_do_not_verify_are_refused_and_reported(tmp_path, capsys):
    folder = own_folder(tmp_path)
    cert = json.loads((folder / "local.json").read_text())
    cert["claim"]["value"] = "3"  # "max CHSH == 3" over local behaviours: false
    (folder / "false.json").write_text(json.dumps(cert))
    (folder / "copy.json").write_text((folder / "local.json").read_text())  # the same claim id twice
    (folder / "junk.json").write_text("{")
    capsys.readouterr()
    assert main(["manifest", str(folder)]) == 2  # malformed files rank above a false one, as in `certify check`
    captured = capsys.readouterr()
    refused = [line for line in captured.err.splitlines() if line.startswith("refused: ")]
    assert len(refused) == 3 and any("false.json: FAILED" in line for line in refused)
    assert any("already claimed by" in line for line in refused) and any("junk.json: ERROR" in line for line in refused)
    listed = [c["file"] for c in json.loads((folder / "manifest.json").read_text())["claims"]]
    assert "false.json" not in listed and "junk.json" not in listed and len(listed) == 2
    assert all(v.ok for v in check_path(str(folder)) if v.source.endswith(tuple(listed)))


def test_json_document(tmp_path, capsys):
    folder = own_folder(tmp_path)
    capsys.readouterr()
    assert main(["manifest", str(folder), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "certify-result/1" and doc["ok"] and doc["summary"]["verified"] == 2
    assert doc["listed"] == ["local.json", "sub/ns.json"] and doc["refused"] == []
    assert doc["manifest"].endswith("manifest.json")


def test_bad_folders_exit_2_with_one_line(tmp_path, capsys):
    assert main(["manifest", str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.strip().endswith("missing: not a folder")
    (tmp_path / "empty").mkdir()
    assert main(["manifest", str(tmp_path / "empty")]) == 2
    assert "no certificate files" in capsys.readouterr().err
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.json").write_text("{}")
    assert main(["manifest", str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err
    assert "no certificate verifies; no manifest written" in err and not (tmp_path / "bad" / "manifest.json").exists()


@pytest.mark.parametrize("files, code", [
    (("false",), 1),  # only a false claim: no manifest, exit 1 as check (was 2)
    (("local", "false"), 1),
    (("local", "junk"), 2),  # a malformed file: 2 as check (was 1)
    (("local", "false", "junk"), 2),
    (("local", "ns"), 0),
])
def test_exit_codes_rank_as_check_does(tmp_path, capsys, files, code):
    """Audit #11 (session 23): manifest's exit code is `certify check`'s on the same folder (checked file by file,
    as manifest does); it was 2 for a folder whose only claim is false and 1 for one with a malformed file."""
    source = own_folder(tmp_path)
    cert = json.loads((source / "local.json").read_text())
    cert["claim"]["value"], cert["claim"]["id"] = "3", "me/chsh-false"  # its own id: one id twice is malformed
    texts = {"local": (source / "local.json").read_text(), "ns": (source / "sub" / "ns.json").read_text(),
             "false": json.dumps(cert), "junk": "{"}
    folder = tmp_path / "theirs"
    folder.mkdir()
    for name in files:
        (folder / f"{name}.json").write_text(texts[name])
    assert main(["check", str(folder)]) == code  # before the manifest: after it, a refused file is also unlisted
    assert main(["manifest", str(folder)]) == code
    capsys.readouterr()
    assert main(["manifest", str(folder), "--json"]) == code
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] == (code == 0) and len(doc["refused"]) == sum(name in ("false", "junk") for name in files)
