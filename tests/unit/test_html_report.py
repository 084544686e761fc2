"""The self-contained HTML report: opened in a real browser (headless Chromium), its numbers are
the kernel's verdicts, and it needs nothing outside the file (no repository link, no network)."""

import html
import json
import os
import re
import shutil
import subprocess

import pytest

from certify.cli import main
from certify.kernel.proofs import check_path
from certify.report import _html_block, render_html

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROOFS = os.path.join(ROOT, "proofs")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed "
                                    "(Debian: apt-get install -y chromium); the HTML is then checked as text only")
ROW = re.compile(r'<tr data-claim="([^"]+)" data-status="([a-z]+)" data-value="([^"]*)" data-relation="([^"]+)"')


def _copy(tmp_path, *folders):
    """A proofs folder outside the checkout holding only `folders` (no manifest: checked file by file)."""
    target = tmp_path / "copied-proofs"
    for folder in folders:
        shutil.copytree(os.path.join(PROOFS, folder), target / folder)
    return target


def _dom(path):
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", f"file://{path}"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    return done.stdout


def _rows(page):
    return {html.unescape(claim): (status, html.unescape(value), html.unescape(relation))
            for claim, status, value, relation in ROW.findall(page)}


def _check_json(capsys, folder):
    assert main(["check", "--json", str(folder)]) == 0
    claims = json.loads(capsys.readouterr().out)["claims"]
    return {c["id"]: (c["status"], c["value"], c["relation"]) for c in claims}


def test_markdown_subset_becomes_html():
    text = _html_block("## Title\n\nA `code` and **bold** <b>.\n\n| a | b |\n|---|---|\n| 1 \\| 2 | x |\n\n- item")
    assert "<h2>Title</h2>" in text and "<code>code</code>" in text and "<strong>bold</strong>" in text
    assert "&lt;b&gt;" in text and "<td>1 | 2</td>" in text and "<li>item</li>" in text


@needs_chromium
def test_html_of_a_copied_folder_renders_in_chromium_with_the_verdicts_numbers(tmp_path, capsys):
    folder = _copy(tmp_path, "pironio2010/ns", "pironio2010/bits")
    out = tmp_path / "report.html"
    assert main(["report", "--proofs", str(folder), "--out", str(tmp_path / "report.md"), "--html", str(out)]) == 0
    capsys.readouterr()
    page = _dom(out)
    assert "<h1>Referee's report</h1>" in page and "ALL VERIFIED" in page
    assert _rows(page) == _check_json(capsys, folder) and len(_rows(page)) == 16 + 4
    # the claim rebuilt in words sits in the page (the counts table of Table 1)
    assert "0 0 |    293     94     70    295 |  1/4" in page
    # self-contained: nothing loaded from elsewhere, no link into the repository
    assert not re.search(r'(src|href)="(?!data:)', page) and "docs/fig" not in page.replace("docs/fig2.png`", "")


@pytest.mark.slow
@needs_chromium
def test_html_of_the_committed_proofs_embeds_the_figures_drawn_from_a_copy(tmp_path, capsys):
    """Figures redrawn from a copied folder outside the checkout, embedded as PNG data; the page
    shows every claim of `certify check --json`, with the same values."""
    folder = _copy(tmp_path, "pironio2010", "gallego2013")
    out = tmp_path / "report.html"
    out.write_text(render_html(check_path(str(folder)), str(folder)))
    page = _dom(out)
    assert page.count('src="data:image/png;base64,') == 3 and "not drawn" not in page
    assert _rows(page) == _check_json(capsys, folder)
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,2400",
                    f"--screenshot={tmp_path / 'shot.png'}", f"file://{out}"], capture_output=True, timeout=120)
    assert (tmp_path / "shot.png").stat().st_size > 10_000


def test_report_json_lists_the_verdicts(tmp_path, capsys):
    folder = _copy(tmp_path, "pironio2010/ns")
    assert main(["report", "--proofs", str(folder), "--out", str(tmp_path / "r.md"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "certify-cli/1" and data["command"] == "report" and data["summary"]["verified"] == 16
    assert {c["value"] for c in data["claims"]} == {"3/2"} and data["written"] == [str(tmp_path / "r.md")]


def test_pdf_is_written_through_matplotlib(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    folder = _copy(tmp_path, "pironio2010/ns")
    pdf = tmp_path / "r.pdf"
    assert main(["report", "--proofs", str(folder), "--out", str(tmp_path / "r.md"), "--pdf", str(pdf)]) == 0
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") >= 4  # text pages + the three figure pages
