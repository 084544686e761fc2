"""`certify report`: generated from proofs/ by the kernel, deterministic, and the committed copy is current."""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from fractions import Fraction

import mpmath
import pytest

from certify.certificate import ceil_decimal, floor_decimal
from certify.errors import CertifyError
from certify.report import bits_lower, build_report

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMMITTED = os.path.join(ROOT, "docs", "report.md")
# Sections whose text depends on the installed libraries or the output folder, not on proofs and sources.
ENVIRONMENT_SECTIONS = ("Figures", "Environment")
RUN_COMMAND = ("import argparse, sys\n"
               "from certify.commands import report\n"
               "parser = argparse.ArgumentParser(); sub = parser.add_subparsers(dest='command')\n"
               "report.add_parser(sub)\n"
               "sys.exit(report.run(parser.parse_args(['report', *sys.argv[1:]])))\n")


def run_report(*argv) -> int:
    parser = argparse.ArgumentParser()
    from certify.commands import report

    report.add_parser(parser.add_subparsers(dest="command"))
    return report.run(parser.parse_args(["report", *argv]))


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """(written by the command in a subprocess, generated afresh in-process), both for the same --out."""
    out = str(tmp_path_factory.mktemp("report") / "report.md")
    env = dict(os.environ, PYTHONPATH=ROOT)
    child = subprocess.Popen([sys.executable, "-c", RUN_COMMAND, "--out", out], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        fresh = build_report("proofs", out)
    stdout, stderr = child.communicate(timeout=600)
    assert child.returncode == 0, stderr
    assert " 0 failed, 0 malformed" in stdout
    with open(out, encoding="utf-8") as handle:
        return handle.read(), fresh


def sections(text: str) -> dict:
    parts = text.split("\n## ")
    return {"": parts[0], **{part.split("\n", 1)[0]: part for part in parts[1:]}}


def test_report_is_deterministic(generated):
    written, fresh = generated
    assert written == fresh


def test_committed_report_is_current(generated):
    """docs/report.md must be regenerated (`certify report`) whenever proofs or trusted sources change."""
    assert os.path.isfile(COMMITTED), "docs/report.md is missing: run `certify report`"
    with open(COMMITTED, encoding="utf-8") as handle:
        committed = sections(handle.read())
    fresh = sections(generated[1])
    assert list(committed) == list(fresh)
    for name in fresh:
        if name not in ENVIRONMENT_SECTIONS:
            assert committed[name] == fresh[name], f"docs/report.md section {name!r} is stale: run `certify report`"


def test_report_states_the_key_values(generated):
    text = generated[1]
    assert "**ALL VERIFIED**" in text and "0 failed, 0 malformed" in text
    assert "| `gallego2013/lemma` | 320 | lp.ns |" in text and "== 3/4 (all 320)" in text
    assert "320 claims = 16 inputs x0 x 10 triples x 2 values v" in text
    assert "70 truth tables (70 balanced; C(8,4) = 70) x 4 inputs = 280 claims" in text
    assert "== 3/2 (all 16)" in text
    bits = dict(re.findall(r"^\| (1\+AB|2|3) \| >= (\d+) \| 3016 \|", text, re.M))
    assert bits == {"1+AB": "42", "2": "43", "3": "44"}
    assert "at least 42 bits with 99% confidence" in text  # the paper's number, quoted beside
    assert "p <= 12/15625 = 0.0007680 VERIFIED" in text


def test_tsirelson_rows_are_just_above_two_sqrt_two(generated):
    rows = re.findall(r"^\| (1|1\+AB|2) \| (\d+/\d+) \| [0-9.]+ \| ([0-9.e+-]+) \| VERIFIED \|", generated[1], re.M)
    assert [level for level, _, _ in rows] == ["1", "1+AB", "2"]
    for _, value, excess in rows:
        assert Fraction(value) ** 2 > 8 and 0 < float(excess) < 1e-8


def test_fig2_point_matches_the_paper(generated):
    """The certified f(2.414) at level 2 is within 1e-4 below the paper's 0.2473 (curve a)."""
    row = re.search(r"^\| 2\.414 \|" + r" ([0-9.]+) \|" * 5 + "$", generated[1], re.M)
    level_1ab, level_2, local, curve_b, curve_c = map(float, row.groups())
    assert 0.2472 <= level_2 <= 0.2473 and level_1ab <= level_2
    assert local <= curve_b < level_2 and curve_c < local


def test_trusted_base_rows_hash_the_files(generated):
    rows = re.findall(r"^\| `(certify/[a-z_/]+\.py)` \| (\d+) \| `([0-9a-f]{64})` \|$", generated[1], re.M)
    expected = {"certify/kernel/proofs.py", "certify/kernel/psd.py", "certify/kernel/defs/ns_polytope.py"}
    assert expected <= {r[0] for r in rows}
    for path, lines, digest in rows:
        with open(os.path.join(ROOT, path), "rb") as handle:
            data = handle.read()
        assert (int(lines), digest) == (len(data.splitlines()), hashlib.sha256(data).hexdigest())
    total = int(re.search(r"\*\*Total: (\d+) files, (\d+) lines\.\*\*", generated[1]).group(2))
    assert total == sum(int(r[1]) for r in rows)


def test_every_table_row_has_the_header_width(generated):
    """Plain GitHub Markdown: an unescaped | inside a cell would shift the columns."""
    for block in re.findall(r"(?:^\|.*\|$\n?)+", generated[1], re.M):
        widths = {len(re.split(r"(?<!\\)\|", line)) for line in block.strip().split("\n")}
        assert len(widths) == 1, block[:200]


def test_failed_claim_is_reported_and_exits_one(tmp_path, capsys):
    folder = tmp_path / "proofs"
    folder.mkdir()
    shutil.copy(os.path.join(ROOT, "proofs", "pironio2010", "ns", "ab00_xy00.json"), folder / "good.json")
    cert = json.loads(open(os.path.join(ROOT, "proofs", "pironio2010", "ns", "ab01_xy00.json")).read())
    cert["claim"]["value"] = "1"  # max is 3/2: the dual cannot prove <= 1 (another id: one id per folder)
    (folder / "bad.json").write_text(json.dumps(cert))
    out = tmp_path / "report.md"
    assert run_report("--proofs", str(folder), "--out", str(out)) == 1
    text = out.read_text()
    assert "**NOT ALL VERIFIED**: 1 verified, 1 failed, 0 malformed, of 2 claims." in text
    assert "## Claims NOT verified" in text and "not <= 1" in text and "FAILED 1" in text
    assert "1 verified, 1 failed, 0 malformed" in capsys.readouterr().out


def test_missing_proofs_folder_is_a_certify_error(tmp_path):
    with pytest.raises(CertifyError, match="no such file or folder"):
        run_report("--proofs", str(tmp_path / "nowhere"), "--out", str(tmp_path / "r.md"))


def test_decimals_round_in_the_safe_direction():
    third = Fraction(1, 3)
    assert (floor_decimal(third, 4), ceil_decimal(third, 4)) == ("0.3333", "0.3334")
    assert (floor_decimal(-third, 4), ceil_decimal(-third, 4)) == ("-0.3334", "-0.3333")
    assert (floor_decimal(Fraction(5, 2), 0), ceil_decimal(Fraction(5, 2), 0)) == ("2", "3")
    assert ceil_decimal(Fraction(-1, 10**6), 3) == "0.000"


def test_bits_lower_is_a_lower_bound_on_minus_log2():
    assert bits_lower(Fraction(1, 4)) == 2 and bits_lower(Fraction(1)) == 0 and bits_lower(Fraction(3, 2)) == 0
    with mpmath.workdps(80):
        for g in (Fraction(1, 3), Fraction(4273837, 10**7), Fraction(999999, 10**6)):
            exact = -mpmath.log(mpmath.mpf(g.numerator) / g.denominator, 2)
            lower = mpmath.mpf(bits_lower(g).numerator) / bits_lower(g).denominator
            assert lower <= exact and exact - lower < mpmath.mpf(2) ** -100


def test_referee_guide_hand_check_runs_and_agrees_with_the_kernel():
    """The Fraction-only check in docs/referee-guide.md section 3 reproduces the kernel's value."""
    from certify.kernel.proofs import check_file

    with open(os.path.join(ROOT, "docs", "referee-guide.md"), encoding="utf-8") as handle:
        blocks = re.findall(r"```python\n(.*?)```", handle.read(), re.S)
    script = next(block for block in blocks if "A^T y >= c" in block)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lower, upper, claimed = map(Fraction, done.stdout.split())
    verdict = check_file(os.path.join(ROOT, "proofs", "pironio2010", "ns", "ab00_xy00.json"))
    assert verdict.ok and lower == upper == claimed == verdict.value


def test_markdown_figures_are_claimed_only_for_the_folder_they_come_from(tmp_path):
    """Audit #7, #8 (session 23): the repository's figures are linked only for the repository's proofs/ (the
    folder their commands draw from); the amplification figure, mpmath estimates, never passes as verified."""
    from certify.report import ESTIMATE_NOTE, _figures

    own = _figures(os.path.join(ROOT, "docs", "report.md"), os.path.join(ROOT, "proofs"))
    assert "](fig2.png)" in own and "](fig3.png)" in own and "](amplification.png)" in own
    amplification = next(line for line in own.splitlines() if line.startswith("**Gallego"))
    assert ESTIMATE_NOTE in amplification and "not from kernel-verified numbers" in amplification
    other = _figures(str(tmp_path / "r.md"), str(tmp_path / "mine"))
    assert "png" not in other and f"not from {tmp_path / 'mine'}" in other and "--html FILE" in other
