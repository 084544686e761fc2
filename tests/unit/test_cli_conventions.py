"""Unix conventions of the command line: --version, documented exit codes, a reader that leaves."""

import json
import os
import re
import subprocess
import sys

import pytest

import certify
from certify.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"certify {certify.__version__}"


def test_help_documents_the_four_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for line in ("0  every claim verified", "1  a claim was checked and found false", "2  bad input",
                 "3  internal error"):
        assert line in text


def test_npa_help_has_a_description_and_examples(capsys):
    with pytest.raises(SystemExit):
        main(["npa", "--help"])
    text = capsys.readouterr().out
    assert "Solves one NPA relaxation" in text and "1 + AB" in text and "letters A, B, C" in text


def test_a_reader_that_leaves_ends_quietly_with_the_verdicts_exit_code():
    """`certify check ... | head -1` under `set -o pipefail`: exit 0, nothing on stderr (the 640
    lines, ~100 kB, overflow the pipe, so the writer does meet the closed pipe)."""
    files = " ".join(f"proofs/pironio2010/ns/ab{ab}_xy{xy}.json" for ab in ("00", "01", "10", "11")
                     for xy in ("00", "01", "10", "11")) + " "
    command = f"set -o pipefail; {sys.executable} -m certify.cli check {files * 40}| head -1"
    done = subprocess.run(["bash", "-c", command],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and done.stdout.count("\n") == 1


def test_a_closed_pipe_before_the_first_write_is_quiet_too():
    argv = [sys.executable, "-m", "certify.cli", "check", "proofs/pironio2010/ns/ab00_xy00.json"]
    child = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()  # the reader is gone before the command prints anything
    assert child.wait(timeout=300) == 0
    assert child.stderr.read() == b""


def test_the_readme_box_example_is_shipped_and_certifies(capsys):
    """README's `--behaviour certify/data/examples/box.json` runs from the package data."""
    import json
    from importlib.resources import files

    box = files("certify") / "data" / "examples" / "box.json"
    assert main(["npa", "--expr", "chsh", "--level", "2", "--guess", "global", "--behaviour", str(box), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    num, den = map(int, data["claims"][0]["value"].split("/"))
    assert data["ok"] and 0.5162 < num / den < 0.5163  # G given the full noisy Tsirelson box (CHSH 2.8)


def test_install_metadata_fits_its_users():
    import tomllib

    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
        project = tomllib.load(handle)["project"]
    extras = project["optional-dependencies"]
    assert {"solve", "plots", "dask", "all", "test"} <= set(extras) and "ruff>=0.5" in extras["test"]
    assert project["dependencies"] == []  # `pip install certify` is the kernel alone
    assert extras["all"] == ["certify[solve,plots,dask]"] and "certify[all]" in extras["test"]
    # the solvers whose floats land in committed certificates are pinned to the tested minor version
    assert any(re.fullmatch(r"highspy>=1\.\d+,<1\.\d+", d) for d in extras["solve"])
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    for link in re.findall(r"\]\(([^)#]+)\)", readme):
        assert os.path.exists(os.path.join(ROOT, link)), link
    assert "docs/referee-guide.md" in readme and "docs/certificate-format.md" in readme
    assert "`mpmath`, no numpy" not in readme and "no mpmath" in readme
    assert open(os.path.join(ROOT, "LICENSE")).read().startswith("MIT License")
    assert "cff-version" in open(os.path.join(ROOT, "CITATION.cff")).read()


def test_a_closed_pipe_is_quiet_for_a_producing_command_too():
    """Not only `check`: every command writes through the same guarded stdout."""
    argv = [sys.executable, "-m", "certify.cli", "lp", "chsh-ns", "--json"]
    child = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()
    assert child.wait(timeout=300) == 0 and child.stderr.read() == b""


# What `pip install certify` (no extras) leaves out: none of it may be needed to check, show or report.
NUMERICAL = ("numpy", "scipy", "cvxpy", "clarabel", "highspy", "sympy", "mpmath", "matplotlib", "dask",
             "distributed", "psutil", "rich", "flint", "mosek", "scs")
_BLOCKED_RUN = """
import sys
class Missing:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (kernel-only install)", name=name)
sys.meta_path.insert(0, Missing())
from certify.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _kernel_only(*argv, blocked=NUMERICAL):
    code = f"BLOCKED = {tuple(blocked)!r}\n" + _BLOCKED_RUN
    return subprocess.run([sys.executable, "-c", code, *argv], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_a_kernel_only_install_checks_and_shows(tmp_path):
    done = _kernel_only("check", "--json", "proofs/pironio2010/bits")
    assert done.returncode == 0, done.stderr
    assert '"verified": 4' in done.stdout
    done = _kernel_only("show", "proofs/pironio2010/npa/tsirelson-2.json")
    assert done.returncode == 0 and "kernel verdict: VERIFIED" in done.stdout, done.stderr


def test_a_kernel_only_install_writes_the_html_report(tmp_path):
    done = _kernel_only("report", "--proofs", "proofs/pironio2010/ns", "--out", str(tmp_path / "r.md"),
                        "--html", str(tmp_path / "r.html"))
    assert done.returncode == 0, done.stderr
    assert "matplotlib is not installed" in (tmp_path / "r.html").read_text()


# --quiet and --verbose: every command takes them (and `lp`'s own subcommands).
def _help(*argv):
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main([*argv, "--help"])
    return out.getvalue()


def test_every_command_documents_quiet_and_verbose():
    from cli_cases import EVERY_COMMAND

    from certify.cli import COMMANDS

    assert set(EVERY_COMMAND) == set(COMMANDS)
    for argv in [[name] for name in COMMANDS] + [["lp", sub] for sub in ("lemma", "ghz3", "chsh-ns", "sweep")]:
        text = _help(*argv)
        assert "-q, --quiet" in text and "-v, --verbose" in text, argv
    assert "--quiet (verdict lines only)" in _help()


@pytest.mark.parametrize("command", ["check", "show", "lp", "npa", "bits", "amplify", "report", "reproduce", "sweep",
                                     "solve", "vn"])
def test_quiet_prints_only_verdict_lines_and_verbose_adds_timings_on_stderr(command, tmp_path, capsys, monkeypatch):
    from cli_cases import EVERY_COMMAND, small_families

    from certify.printing import VERDICT_LINE

    small_families(monkeypatch)
    argv, code = EVERY_COMMAND[command](tmp_path)
    assert main([*argv, "--quiet"]) == code
    quiet = capsys.readouterr()
    lines = quiet.out.splitlines()
    assert lines, "--quiet must still say the verdict"
    if command in ("check", "report"):  # their own --quiet: the failures and the one summary line
        assert len(lines) == 1 and re.search(r"\b(\d+) verified, 0 failed, 0 malformed, of \1 claims$", lines[0])
    else:
        assert all(VERDICT_LINE.search(line) for line in lines), lines
    assert "-- node" not in quiet.err and "certify report: [" not in quiet.err  # no progress
    assert main([*argv, "--verbose"]) == code
    verbose = capsys.readouterr()
    assert set(lines) <= set(verbose.out.splitlines()) or command in ("check", "report")  # quiet keeps a subset of the lines
    assert f"certify {command}: exit {code} after " in verbose.err


def test_verbose_names_the_solver_status(capsys):
    assert main(["npa", "--expr", "chsh", "--level", "1", "--verbose"]) == 0
    err = capsys.readouterr().err
    assert "status solved" in err.lower() or "status" in err and "float optimum" in err
    assert main(["lp", "chsh-ns", "--verbose"]) == 0
    assert "HiGHS" in capsys.readouterr().err


def test_quiet_and_verbose_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as done:
        main(["lp", "chsh-ns", "--quiet", "--verbose"])
    assert done.value.code == 2 and "not allowed with" in capsys.readouterr().err


def test_quiet_after_the_command_or_before_its_subcommand():
    done = subprocess.run([sys.executable, "-m", "certify.cli", "lp", "--quiet", "chsh-ns"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.splitlines() == ["  == 3/2 VERIFIED  (float optimum 1.5)"]


@pytest.mark.parametrize("blocked, argv, line", [
    (NUMERICAL, ["npa", "--expr", "chsh", "--level", "1"],
     "certify npa needs the solver stack (numpy is not installed): pip install 'certify[solve]'"),
    (NUMERICAL, ["lp", "--help"], "certify lp needs the solver stack (rich is not installed): pip install 'certify[solve]'"),
    (("matplotlib",), ["amplify", "--eps", "0.1", "--alpha", "0.9", "--beta", "2", "--plot", "PLOT.png"],
     "certify amplify needs matplotlib (matplotlib is not installed): pip install 'certify[plots]'"),
    (("dask", "distributed"), ["sweep", os.path.join(ROOT, "certify", "data", "examples", "sweep_chsh_guess.json"),
                               "--out", "OUT", "--jobs", "2"],
     "certify sweep needs Dask (dask is not installed): pip install 'certify[dask]'"),
])
def test_a_missing_extra_is_one_line_naming_it_and_exit_2(blocked, argv, line, tmp_path):
    argv = [str(tmp_path / a) if a in ("PLOT.png", "OUT") else a for a in argv]
    done = _kernel_only(*argv, blocked=blocked)
    assert done.returncode == 2 and done.stderr == line + "\n", done.stderr


def test_amplify_sympy_disagreement_is_a_warning_not_the_exit_code(capsys, monkeypatch):
    """Only kernel verdicts and bad input set the exit code (one-door audit, session 23): a sympy check that
    does not agree is printed as a warning; the kernel's VERIFIED still exits 0."""
    from certify import amplification

    argv = ["amplify", "--eps", "0.1", "--alpha", "0.9", "--beta", "2", "--prove"]
    assert main(argv) == 0
    assert "warning" not in capsys.readouterr().err
    monkeypatch.setattr(amplification, "symbolic_proof", lambda: {"limit": "0", "decided": False})
    assert main(argv) == 0
    done = capsys.readouterr()
    assert "VERIFIED" in done.out and "sympy: decided: False" in done.out
    assert "warning: the sympy check of the paper's N_b choice does not agree; this is not a kernel verdict" in done.err
    assert main([*argv, "--json"]) == 0
    assert "not a kernel verdict" in json.loads(capsys.readouterr().out)["proof_warning"]


def test_vn_says_what_was_bounded_and_lp_help_names_json(capsys):
    assert main(["vn", "--chsh", "2.7", "--nodes", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("H(A|X=0,E) >= value for every quantum strategy with CHSH >= 27/10")
    assert re.fullmatch(r">= \d+/\d+ VERIFIED", lines[1]) and len(lines) == 2
    assert "Every CLAIM takes --json" in _help("lp")
