"""--json: one document per command, schema "certify-cli/1", verdicts only from the kernel."""

import json

from certify.cli import main

VERDICT_FIELDS = {"id", "kind", "statement", "relation", "claimed", "status", "value", "low", "high", "reason",
                  "source", "problem_sha256"}


def _json(capsys, *argv):
    code = main(list(argv))
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "certify-cli/1" and set(data["claims"][0]) == VERDICT_FIELDS if data["claims"] else True
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
