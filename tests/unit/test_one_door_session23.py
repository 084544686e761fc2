"""One door, session 23: every user-facing number called verified/certified/proven is a kernel Verdict.

Audit of the output paths that arrived after tests/unit/test_printing.py (which greps printers for the
word VERIFIED): bits (Pironio chain, no-signalling model, user tangents, bits.bell), npa, solve, vn,
amplify, sweep, manifest, show, check, report (Markdown/HTML) and the reproduce table. Each passing test
runs the real command (`python -m certify.cli ...`, small problems) and asserts its output and exit code
(0 verified, 1 false, 2 malformed input in one line, 3 internal). A strict xfail is a side door or an
exit code found by this audit: it asserts the correct behaviour and is left for the product code's owner.
"""

import json
import os
import re
import subprocess
import sys
from fractions import Fraction

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TABLE1 = "certify/data/pironio2010_table1.csv"
EXAMPLES = "certify/data/examples"


def cli(*args, stdin=None):
    """(exit code, stdout, stderr) of `python -m certify.cli ARGS` run from the repository root."""
    env = {k: v for k, v in os.environ.items() if k != "CERTIFY_DEBUG"}
    done = subprocess.run([sys.executable, "-m", "certify.cli", *map(str, args)], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


def one_line_error(err: str) -> bool:
    return "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """Certificates made once by `certify solve` (local, no-signalling, quantum CHSH) and bad copies of them."""
    d = tmp_path_factory.mktemp("door23")
    for name in ("chsh_local", "chsh_no-signalling", "chsh_quantum"):
        code, out, err = cli("solve", f"{EXAMPLES}/{name}.json", "--out", d / f"{name}.json")
        assert code == 0 and "VERIFIED" in out, err
    good = json.loads((d / "chsh_local.json").read_text())
    text = (d / "chsh_local.json").read_text()
    (d / "trunc.json").write_text(text[:100])
    variants = {"false": ("claim", "value", "3"), "float": ("claim", "value", 2.0)}
    for name, (outer, inner, value) in variants.items():
        cert = json.loads(json.dumps(good))
        cert[outer][inner] = value
        (d / f"{name}.json").write_text(json.dumps(cert))
    cert = dict(good, extra=1)
    (d / "unknown.json").write_text(json.dumps(cert))
    # a problem that no longer hashes and no longer parses: the kernel says "false" (hash mismatch first)
    lp = json.loads((d / "chsh_no-signalling.json").read_text())
    lp["claim"]["problem"]["scenario"] = "x"
    (d / "hashbad.json").write_text(json.dumps(lp))
    problem = json.loads(open(os.path.join(ROOT, EXAMPLES, "chsh_local.json"), encoding="utf-8").read())
    (d / "problem_trunc.json").write_text(json.dumps(problem)[:100])
    problem["objective"]["bell"]["correlators"][0]["coef"] = 1.5
    (d / "problem_float.json").write_text(json.dumps(problem))
    problem["objective"]["bell"]["correlators"][0]["coef"] = "1"
    problem["bogus"] = 1
    (d / "problem_unknown.json").write_text(json.dumps(problem))
    # a CHSH count table with S = 2.8 over n = 40000 rounds: bits under every model
    rows = ["x,y,N00,N01,N10,N11,total"]
    for x in (0, 1):
        for y in (0, 1):
            same, diff = (1500, 8500) if (x, y) == (1, 1) else (8500, 1500)
            rows.append(f"{x},{y},{same // 2},{diff // 2},{diff // 2},{same // 2},10000")
    (d / "s28.csv").write_text("\n".join(rows) + "\n")
    return d


# ------------------------------------------------------------------------------------------ check / show


def test_check_a_bad_file_does_not_stop_the_others(work):
    code, out, err = cli("check", work / "chsh_local.json", work / "trunc.json", work / "nonexistent.json",
                         work / "chsh_quantum.json")
    assert code == 2
    assert out.count("VERIFIED") == 2 and "2 verified, 0 failed, 2 malformed, of 4 claims" in out
    assert "not valid JSON" in err and "no such file or folder" in err and "Traceback" not in err


@pytest.mark.parametrize("name, code, words", [
    ("false", 1, "the evidence proves >= 2, not >= 3"),
    ("float", 2, 'float 2.0 is not allowed: write rationals as "p/q"'),
    ("unknown", 2, "unknown field 'extra'"),
])
def test_check_exit_codes_name_the_field(work, name, code, words):
    got, out, err = cli("check", work / f"{name}.json", work / "chsh_local.json")
    assert got == code and words in err and "Traceback" not in err
    assert "VERIFIED  solve/local/" in out  # the good file is still checked and shown


def test_show_prints_the_kernels_verdict(work):
    code, out, _ = cli("show", work / "chsh_quantum.json")
    assert code == 0 and "kernel verdict: VERIFIED: proven <= 1414213562391/500000000000" in out
    code, out, _ = cli("show", work / "false.json")
    assert code == 1 and "kernel verdict: FAILED: the evidence proves >= 2, not >= 3" in out


def test_show_exit_code_is_checks_on_a_tampered_problem(work):
    code, _, _ = cli("check", work / "hashbad.json")
    assert code == 1
    code, out, err = cli("show", work / "hashbad.json")
    assert code == 1 and "kernel verdict: FAILED: problem_sha256 does not match" in out


# ------------------------------------------------------------------------------------------ solve / npa / vn / amplify


@pytest.mark.parametrize("name, words", [
    ("problem_trunc", "not valid JSON"),
    ("problem_float", 'float 1.5 is not allowed: write rationals as "p/q"'),
    ("problem_unknown", "unknown field 'bogus'"),
    ("missing", "cannot read (No such file or directory)"),
])
def test_solve_bad_input_is_one_line_exit_2(work, name, words):
    code, out, err = cli("solve", work / f"{name}.json")
    assert code == 2 and out == "" and words in err and one_line_error(err)


def test_solve_prints_verdicts_and_writes_what_check_verifies(work):
    code, out, _ = cli("check", work / "chsh_local.json", work / "chsh_no-signalling.json", work / "chsh_quantum.json")
    assert code == 0 and "3 verified, 0 failed, 0 malformed, of 3 claims" in out
    code, out, _ = cli("solve", f"{EXAMPLES}/chsh_local.json", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["ok"] and doc["claims"][0]["status"] == "verified"
    assert doc["interval"]["lower"] == doc["interval"]["upper"] == doc["claims"][0]["value"] == "2"


def test_npa_bound_is_the_verdict_and_out_is_checkable(work):
    code, out, _ = cli("npa", "--expr", "chsh", "--level", "1", "--json", "--out", work / "npa.json")
    doc = json.loads(out)
    assert code == 0 and doc["ok"] and doc["claims"][0]["kind"] == "npa.max"
    code, out, _ = cli("check", work / "npa.json")
    assert code == 0 and out.startswith("VERIFIED") and f"exactly {doc['claims'][0]['value']})" in out


def test_npa_decimal_called_exact_is_not_below_the_proven_bound():
    code, out, _ = cli("npa", "--expr", "chsh", "--level", "1")
    assert code == 0
    proven = Fraction(re.search(r"<= (\d+/\d+) VERIFIED", out).group(1))
    # was "(exact bound 2.82842712478": rounded to nearest and called exact; now the exact decimal, or rounded up
    shown = Fraction(re.search(r"decimal(?: rounded up)?: ([0-9.]+)", out).group(1))
    assert shown >= proven and "exact bound" not in out


def test_vn_prints_the_verdict_and_writes_it(work):
    code, out, _ = cli("vn", "--chsh", "2.7", "--nodes", "2", "--out", work / "vn.json", "--quiet")
    assert code == 0 and re.fullmatch(r">= \d+/\d+ VERIFIED\n", out)
    code, check, _ = cli("check", work / "vn.json")
    assert code == 0 and "1 verified" in check
    code, _, err = cli("vn", "--chsh", "3", "--nodes", "2")
    assert code == 2 and "--chsh: expected 2 <= S <= 2 sqrt 2" in err and one_line_error(err)


def test_amplify_bound_is_the_verdict(work):
    code, out, _ = cli("amplify", "--eps", "0.1", "--alpha", "0.9", "--beta", "2", "--out", work / "amp.json")
    assert code == 0 and "P(guess) bound <= 1/2 + 1/1000 VERIFIED (proven <= 1/2 + 9.99576489443e-4)" in out
    assert "estimate (mpmath, not a bound)" in out
    code, _, _ = cli("check", work / "amp.json")
    assert code == 0
    code, _, err = cli("amplify", "--eps", "0.7", "--alpha", "0.9", "--beta", "2")
    assert code == 2 and "eps: expected 0 < eps <= 1/2" in err and one_line_error(err)


# ------------------------------------------------------------------------------------------ bits


def test_bits_chain_is_a_bits_chsh_verdict_written_with_out(work):
    code, out, _ = cli("bits", "--counts", TABLE1, "--json", "--out", work / "bits.json")
    doc = json.loads(out)
    assert code == 0 and doc["bits"] == 42 and [c["kind"] for c in doc["claims"]] == ["bits.chsh", "pvalue.chsh"]
    assert doc["claims"][0]["status"] == "verified" and doc["claims"][0]["value"] == "42"
    code, out, _ = cli("check", work / "bits.json")
    assert code == 0 and "VERIFIED" in out and ">= 42" in out


def test_bits_bad_input_is_one_line_exit_2(work):
    for args, words in ((("--counts", work / "missing.csv"), "cannot read"),
                        (("--counts", work / "trunc.json"), "not valid JSON"),
                        (("--counts", TABLE1, "--delta", "2"), "delta: expected a rational in (0, 1)"),
                        (("--counts", TABLE1, "--tangent", "3/2"), "--tangent: expected NU,LAM")):
        code, out, err = cli("bits", *args)
        assert code == 2 and out == "" and words in err and one_line_error(err)


def bits_verdict_written(work, args, kind, bits, name):
    """`certify bits ARGS --json --out NAME` prints `bits` as the verdict of a `kind` claim, and the file it
    wrote verifies on its own with that value."""
    code, out, _ = cli("bits", *args, "--json", "--out", work / name)
    doc = json.loads(out)
    assert code == 0 and doc["bits"] == bits
    assert any(c["kind"] == kind and c["value"] == str(bits) for c in doc["claims"])
    code, out, _ = cli("check", work / name)
    assert code == 0 and f"VERIFIED  cli/{kind}  >= {bits}" in out


def test_bits_no_signalling_number_is_a_verdict(work):
    # was a side door (fixed in session 23): the number came from bits_models.check_bits, no certificate could be
    # written; now it is the verdict of a "bits.ns" claim on the 16 lp.ns tangents, written with --out
    bits_verdict_written(work, ("--counts", work / "s28.csv", "--model", "no-signalling"), "bits.ns", 10728, "ns.json")


def test_bits_user_tangent_number_is_a_verdict(work):
    # was a side door (fixed in session 23): now a "bits.chsh" claim on the user's tangent, written with --out
    code, _, err = cli("npa", "--expr", "chsh", "--level", "1+AB", "--guess", "global", "--at", "2.6",
                       "--out", work / "tangent.json")
    assert code == 0, err
    bits_verdict_written(work, ("--counts", work / "s28.csv", "--tangent-certificate", work / "tangent.json"),
                         "bits.chsh", 23300, "user.json")


def test_bits_p_value_bound_is_a_verdict(work):
    # was a side door (fixed in session 23): now the verdict of a "pvalue.chsh" claim, written with --out-pvalue
    code, out, _ = cli("bits", "--counts", TABLE1, "--json", "--out-pvalue", work / "pvalue.json")
    doc = json.loads(out)
    assert code == 0 and doc["p_value_local"] == "7.675e-4"
    assert any(c["kind"] == "pvalue.chsh" and c["status"] == "verified" for c in doc["claims"])
    code, out, _ = cli("check", work / "pvalue.json")
    assert code == 0 and "VERIFIED  cli/pvalue  <= 0.000767467984712" in out


def test_bits_bell_is_the_verdict_of_the_written_certificate(work):
    code, out, _ = cli("bits", "--problem", f"{EXAMPLES}/chsh_biased_bits.json", "--counts",
                       f"{EXAMPLES}/chsh_biased_counts.csv", "--out", work / "bell.json", "--json")
    doc = json.loads(out)
    assert code == 0 and [c["kind"] for c in doc["claims"]] == ["bits.bell"]
    assert doc["claims"][0]["value"] == str(doc["bits"]) and doc["certificate"] == str(work / "bell.json")
    code, _, _ = cli("check", work / "bell.json")
    assert code == 0


# ------------------------------------------------------------------------------------------ sweep / manifest


def _sweep_spec(work, levels, name):
    with open(os.path.join(ROOT, EXAMPLES, "sweep_chsh_guess.json"), encoding="utf-8") as handle:
        spec = json.load(handle)
    spec["grid"] = {"constraint.at": {"from": "21/10", "to": "14/5", "points": 2}, "level": levels}
    path = work / f"{name}.json"
    path.write_text(json.dumps(spec))
    return path


def test_sweep_rows_are_verdicts_and_the_folder_checks(work):
    code, out, _ = cli("sweep", _sweep_spec(work, ["1+AB"], "sw_ok"), "--out", work / "sw_ok", "--jobs", "1",
                       "--json")
    doc = json.loads(out)
    assert code == 0 and doc["ok"] and len(doc["claims"]) == 2
    assert [r["value"] for r in doc["rows"]] == [c["value"] for c in doc["claims"]]
    code, out, _ = cli("check", work / "sw_ok" / "proofs")
    assert code == 0 and "2 verified" in out


def _verdict(value, claim_id="guess/at=14_5/level=1+AB"):
    from certify.kernel import Verdict

    return Verdict(claim_id=claim_id, kind="npa.max", statement="s", relation="<=", claimed=value, status="verified",
                   value=value, reason="verified", source="x.json", high=value)


def test_sweep_rows_print_the_verdicts_value(work):
    """What the real sweep printed: each line is printing.proven of the point's verdict (the value is exact
    in table.json), its decimal rounded up (an upper bound); the rounding of that line is also the next test's."""
    code, out, _ = cli("sweep", _sweep_spec(work, ["1+AB"], "sw_round"), "--out", work / "sw_round", "--jobs", "1")
    assert code == 0 and "2 of 2 points verified by the kernel" in out
    rows = json.loads((work / "sw_round" / "table.json").read_text())["rows"]
    for row in rows:
        value, decimal = Fraction(row["value"]), Fraction(row["decimal"])
        assert row["status"] == "VERIFIED" and value <= decimal <= value + Fraction(1, 10**10)
        assert f"guess/{row['file'][:-5]}  <= {row['decimal']} VERIFIED" in out


def test_sweep_verified_decimals_are_rounded_the_safe_way():
    from certify import printing
    from certify.commands.sweep import _decimal

    value = Fraction(2659962182209, 5000000000000)
    line = printing.proven(_verdict(value), _decimal)
    assert line.endswith("VERIFIED") and Fraction(re.search(r"<= ([0-9.]+)", line).group(1)) >= value


def test_sweep_malformed_point_exits_2(work):
    code, out, err = cli("sweep", _sweep_spec(work, ["1+AB", "bogus"], "sw_bad"), "--out", work / "sw_bad",
                         "--jobs", "1")
    assert out.count("VERIFIED") == 2 and "level 'bogus' does not parse" in err  # the good points still run
    assert code == 2


def test_manifest_lists_only_verified_files(work):
    folder = work / "m_ok"
    folder.mkdir()
    for name in ("chsh_local", "chsh_quantum"):
        (folder / f"{name}.json").write_text((work / f"{name}.json").read_text())
    code, out, _ = cli("manifest", folder)
    assert code == 0 and out.count("VERIFIED") == 2
    code, out, _ = cli("check", folder)
    assert code == 0 and "2 verified, 0 failed, 0 malformed, of 2 claims" in out


def test_manifest_exit_codes_are_checks(work):
    false_only, with_bad = work / "m_false", work / "m_bad"
    false_only.mkdir()
    with_bad.mkdir()
    (false_only / "false.json").write_text((work / "false.json").read_text())
    (with_bad / "good.json").write_text((work / "chsh_local.json").read_text())
    (with_bad / "trunc.json").write_text((work / "trunc.json").read_text())
    assert cli("check", false_only)[0] == 1
    assert cli("manifest", false_only)[0] == 1
    code = cli("manifest", with_bad)[0]
    assert cli("check", with_bad)[0] == 2 and code == 2


# ------------------------------------------------------------------------------------------ report / reproduce


@pytest.fixture(scope="module")
def small_proofs(work):
    folder = work / "rp"
    folder.mkdir()
    for name in ("chsh_local", "chsh_quantum"):
        (folder / f"{name}.json").write_text((work / f"{name}.json").read_text())
    assert cli("manifest", folder)[0] == 0
    return folder


def test_report_counts_are_the_verdicts(work, small_proofs):
    code, out, _ = cli("report", "--proofs", small_proofs, "--out", work / "rp.md", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["summary"]["verified"] == 2 and doc["ok"]
    text = (work / "rp.md").read_text()
    assert "**ALL VERIFIED**: 2 verified, 0 failed, 0 malformed, of 2 claims." in text


def test_report_markdown_figures_come_from_the_checked_folder(work, small_proofs):
    cli("report", "--proofs", small_proofs, "--out", work / "rp_fig.md")
    text = (work / "rp_fig.md").read_text()
    assert "docs/fig2.png" not in text and "docs/fig3.png" not in text


def test_report_html_amplification_figure_is_not_called_verified(work, small_proofs):
    code, _, _ = cli("report", "--proofs", small_proofs, "--out", work / "rp_h.md", "--html", work / "rp.html")
    assert code == 0
    text = (work / "rp.html").read_text()
    head = text[text.index("<h3>Gallego et al. 2013"):][:400]
    assert f"redrawn from {small_proofs}" not in head


def test_reproduce_table_shows_no_bound_stronger_than_the_verdict():
    from rich.console import Console

    from certify.commands.reproduce import claims_table

    value = Fraction(2659962182209, 5000000000000)
    verdict = _verdict(value, "pironio2010/G-global/x")
    with open(os.devnull, "w") as sink:
        console = Console(width=200, record=True, file=sink)
        console.print(claims_table([verdict], {}, "t"))
    shown = re.search(r"<= ([0-9./]+)", console.export_text()).group(1)
    assert Fraction(shown) >= value
