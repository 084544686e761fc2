"""docs/your-experiment.md: every code block runs, prints exactly the lines shown after it, and every
number a result reports is the claimed value of a fresh kernel verdict.

Python blocks run in one namespace, shell blocks (`certify ...`) in a subprocess, all in one
temporary folder; the ```text block after a code block is its expected output (stdout, then stderr;
none: no output).
`python tests/unit/test_api_docs.py --write` regenerates those blocks after a deliberate change.
"""

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "your-experiment.md"
BLOCK = re.compile(r"```(python|sh)\n((?:(?!```).)*)```\n(?:\n```text\n((?:(?!```).)*)```\n)?", re.S)


def run_blocks(folder: Path):
    """[(code block, its expected text, its actual output)], and the Python namespace."""
    namespace, runs = {"__name__": "your_experiment"}, []
    bin_dir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        for match in BLOCK.finditer(DOC.read_text()):
            language, code, expected = match.groups()
            if language == "python":
                out = io.StringIO()
                with contextlib.redirect_stdout(out):
                    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 -- the documentation's own code
                actual = out.getvalue()
            else:
                done = subprocess.run(["bash", "-c", code], capture_output=True, text=True, env=env)
                actual = done.stdout + done.stderr
            runs.append((match, expected or "", actual))
    finally:
        os.chdir(cwd)
    return runs, namespace


def test_every_block_prints_what_the_page_shows(tmp_path):
    from certify.api import BitsResult, CheckResult, SolveResult
    from certify.certificate import checked

    runs, namespace = run_blocks(tmp_path)
    assert len(runs) >= 9
    for match, expected, actual in runs:
        assert actual == expected, f"block at offset {match.start()} of {DOC.name}:\n{match.group(2)}"
    results = [v for v in namespace.values() if isinstance(v, (SolveResult, BitsResult, CheckResult))]
    assert results
    for result in results:  # each number is the claim of a verified verdict, re-derived here
        for verdict, certificate in zip(result.verdicts, getattr(result, "certificates", (result.certificate,))):
            fresh = (checked(certificate, "doc") if isinstance(certificate, dict) else
                     __import__("certify").check(tmp_path / certificate)[0])
            assert fresh.ok and fresh.claimed == verdict.claimed
        if isinstance(result, SolveResult):
            claims = {v.claimed for v in result.verdicts}
            assert {result.lower, result.upper} - {None} <= claims
        if isinstance(result, BitsResult):
            assert result.bits == result.verdicts[0].claimed
    # the command line's own verdicts: the folder checks through the manifest the page wrote
    assert all(v.ok for v in __import__("certify").check(tmp_path / "mine"))


def write(folder: Path) -> None:
    runs, _ = run_blocks(folder)
    text = DOC.read_text()
    for match, expected, actual in reversed(runs):
        if match.group(3) is None:
            assert not actual, f"a block without a text block printed {actual!r}"
            continue
        start, end = match.span(3)
        text = text[:start] + actual + text[end:]
    DOC.write_text(text)


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        write(Path(folder))
