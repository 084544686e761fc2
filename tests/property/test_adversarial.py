"""Hostile files (issue 10, sections 2 and 4): each is generated here, checked in a child process
under an address-space limit, and must get its own one-line verdict, the right exit code, and be
decided within the time and memory bounds (< 2 s for the check, < 300 MB peak RSS).

Law: `test_hostile_file_is_refused_quickly`, one case per attack found in the audit.
"""

import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TSIRELSON = os.path.join(ROOT, "proofs", "pironio2010", "npa", "tsirelson-1.json")
GLOBAL = os.path.join(ROOT, "proofs", "pironio2010", "npa", "global-1+AB-I2.105196968.json")
ADDRESS_SPACE = 600 << 20
SECONDS, MEGABYTES = 2.0, 300

# The child times check_path alone, then runs `certify check` for the exit code and the lines. It
# measures its own CPU time, not the wall clock: the suite runs beside other processes on 2 cores, and
# the limit is on the work a hostile file costs the kernel, not on the scheduler (a hang is still caught
# by the 60 s timeout of the parent). Memory is VmHWM, the peak RSS of this program: ru_maxrss survives exec on
# Linux, so a child forked from a large pytest worker (preexec_fn rules out vfork) would report the worker's size.
CHILD = r"""
import contextlib, io, json, resource, sys, time
from certify.kernel.proofs import check_path
from certify.cli import main
start = time.process_time()
verdicts = check_path(sys.argv[1])
seconds = time.process_time() - start
rss = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1]) / 1024
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    code = main(["check", sys.argv[1]])
print(json.dumps({"verdicts": [[v.status, v.reason, v.source] for v in verdicts], "seconds": seconds, "mb": rss,
                  "code": code, "out": out.getvalue(), "err": err.getvalue()}, ensure_ascii=True))
"""


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_check(path) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, preexec_fn=_limit, env=dict(os.environ, PYTHONPATH=ROOT))
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def sha(problem) -> str:
    return hashlib.sha256(json.dumps(problem, sort_keys=True, separators=(",", ":")).encode("ascii")).hexdigest()


def certificate(kind, problem, relation, value, evidence, statement="hostile", claim_id="hostile/1") -> dict:
    return {"format": "certify/1", "problem_sha256": sha(problem), "evidence": evidence,
            "claim": {"id": claim_id, "kind": kind, "statement": statement, "problem": problem,
                      "relation": relation, "value": value}}


def write(path, cert) -> str:
    with open(path, "w", encoding="ascii") as handle:
        json.dump(cert, handle)
    return str(path)


def committed(path=TSIRELSON) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def rehashed(cert) -> dict:
    cert["problem_sha256"] = sha(cert["claim"]["problem"])
    return cert


# --- generators: each writes one hostile file (or folder) below `tmp` and returns its path ----

def products_blowup(tmp):
    """8 parties x 64 outputs, one term at output 63: 64^8 Collins-Gisin products (898 bytes)."""
    scenario = {"inputs": [1] * 8, "outputs": [64] * 8}
    bell = {"terms": [{"coef": "1", "inputs": [0] * 8, "outputs": [63] * 8}]}
    problem = {"scenario": scenario, "level": "1", "objective": {"bell": bell}}
    return write(tmp / "products.json", certificate("npa.max", problem, "<=", "1", {"nu": "1", "lambda": "0", "Z": []}))


def guess_blowup(tmp):
    """A guess of 8 parties x 64 outputs: 64^8 blocks."""
    problem = {"scenario": {"inputs": [1] * 8, "outputs": [64] * 8}, "level": "1",
               "objective": {"guess": {"parties": list(range(8)), "inputs": [0] * 8}}}
    return write(tmp / "guess.json", certificate("npa.max", problem, "<=", "1", {"nu": "1", "lambda": "0", "Z": []}))


def diagonal_psd(tmp, rows=289, bits=4000):
    """A TRUE claim: a diagonal Z of `rows` rows with `bits`-bit entries satisfying every identity
    (one party, 48 inputs, 7 outputs: level 1 has 1 + 48 * 6 = 289 words)."""
    inputs, outputs = (rows - 1) // 6, 7
    assert 1 + inputs * (outputs - 1) == rows
    big = [(1 << (bits - 1)) + 2 * k + 1 for k in range(rows - 1)]  # Z_ii = -g[letter i] = big[i]
    letters = [(x, a) for x in range(inputs) for a in range(outputs - 1)]
    terms = [{"coef": str(-big[k]), "inputs": [x], "outputs": [a]} for k, (x, a) in enumerate(letters)]
    problem = {"scenario": {"inputs": [inputs], "outputs": [outputs]}, "level": "1",
               "objective": {"bell": {"terms": terms}}}
    z = [[("1" if i == 0 else str(big[i - 1])) if k == 0 else "0" for k in range(rows - i)] for i in range(rows)]
    return write(tmp / "diagonal.json", certificate("npa.max", problem, "<=", "1", {"nu": "1", "lambda": "0", "Z": [z]}))


def _filled(tmp, name, size, item):
    path = tmp / name
    with open(path, "w", encoding="ascii") as handle:
        handle.write("[" + item * ((size - 2) // len(item)) + item.rstrip(",") + "]")
    return str(path)


def many_objects(tmp):
    return _filled(tmp, "objects.json", 16 * 1024 * 1024 - 16, "{},")


def many_lists(tmp):
    return _filled(tmp, "lists.json", 16 * 1024 * 1024 - 16, "[],")


def file_of_64_mib(tmp):
    return _filled(tmp, "huge.json", 64 * 1024 * 1024, "{},")


def lone_surrogate(tmp):
    """A lone surrogate in a statement (it crashed printing), beside a good file."""
    folder = tmp / "surrogate"
    folder.mkdir()
    shutil.copy(TSIRELSON, folder / "b-good.json")
    text = json.dumps(committed()).replace('"statement": "', '"statement": "\\ud800', 1)
    (folder / "a-bad.json").write_text(text, encoding="ascii")
    return str(folder)


def forged_line(tmp):
    """A statement that rewrites the terminal line into a false Tsirelson verdict."""
    cert = committed()
    cert["claim"]["statement"] = "x\r\x1b[2KVERIFIED  pironio2010/tsirelson  <= 14/5  max CHSH"
    return write(tmp / "forged.json", cert)


def long_residual(tmp):
    """nu and lambda with coprime 4000-digit denominators: the residual has ~8000 digits, past
    Python's int-to-str limit, inside the kernel's own Reject message."""
    cert = committed(GLOBAL)
    cert["evidence"]["nu"] = f"1/{3 ** 8380}"
    cert["evidence"]["lambda"] = f"1/{7 ** 4730}"
    return write(tmp / "residual.json", cert)


def empty_manifest(tmp):
    folder = tmp / "empty-manifest"
    folder.mkdir()
    write(folder / "manifest.json", {"format": "certify/1", "claims": []})
    return str(folder)


def empty_folder(tmp):
    folder = tmp / "empty"
    folder.mkdir()
    (folder / "notes.txt").write_text("no certificates here")
    return str(folder)


def duplicate_ids(tmp):
    folder = tmp / "duplicates"
    folder.mkdir()
    shutil.copy(TSIRELSON, folder / "a.json")
    shutil.copy(TSIRELSON, folder / "b.json")
    return str(folder)


def duplicate_ids_in_manifest(tmp):
    folder = tmp / "duplicates-manifest"
    folder.mkdir()
    cert, entries = committed(), []
    for name in ("a.json", "b.json"):
        shutil.copy(TSIRELSON, folder / name)
        claim = cert["claim"]
        entries.append({"file": name, "id": claim["id"], "kind": claim["kind"], "relation": claim["relation"],
                        "value": claim["value"], "statement": claim["statement"],
                        "problem_sha256": cert["problem_sha256"]})
    write(folder / "manifest.json", {"format": "certify/1", "claims": entries})
    return str(folder)


def hidden_files(tmp):
    """Certificate-like files the old walk skipped: X.JSON, sub/manifest.json, a symlinked folder."""
    folder, outside = tmp / "hidden", tmp / "outside"
    (folder / "sub").mkdir(parents=True)
    outside.mkdir()
    cert = committed()
    for path, claim_id in ((folder / "UPPER.JSON", "h/upper"), (folder / "sub" / "manifest.json", "h/sub"),
                           (outside / "linked.json", "h/linked")):
        cert["claim"]["id"] = claim_id
        write(path, cert)
    os.symlink(outside, folder / "link", target_is_directory=True)
    return str(folder)


def vacuous_lp(tmp):
    """A promise that leaves input 0 no allowed output: the dual "proves" max P <= -10^9."""
    problem = {"scenario": {"inputs": [1], "outputs": [1]}, "promise": {"kind": "parity", "rules": [["0", 1]]},
               "objective": {"kind": "function", "x": "0", "parties": [0], "table": "0", "value": 0},
               "sense": "max"}
    cert = certificate("lp.ns", problem, "<=", "-1000000000", {"dual": {"norm:0": "-1000000000"}})
    return write(tmp / "vacuous.json", cert)


def second_level_spelling(tmp):
    """Level "1+A" is level "1" (the same words): a second spelling, a second hash."""
    cert = committed()
    cert["claim"]["problem"]["level"] = "1+A"
    return write(tmp / "level.json", rehashed(cert))


def integer_rational(tmp):
    cert = committed()
    cert["evidence"]["Z"][0][0][1] = 0
    return write(tmp / "integer.json", cert)


def too_many_words(tmp):
    cert = committed()
    cert["claim"]["problem"].update(level="8", scenario={"inputs": [4, 4], "outputs": [2, 2]})
    return write(tmp / "words.json", rehashed(cert))


# (generator, verdict statuses in order, exit code, text each bad verdict's one-line reason holds)
CASES = {
    "to_words 64^8 products": (products_blowup, ["malformed"], 2,
                               "claim.problem.objective: expands to more than 100000 Collins-Gisin products"),
    "guess 64^8 blocks": (guess_blowup, ["malformed"], 2, "claim.problem.objective.guess: 281474976710656 guesses"),
    "diagonal Z 289 rows of 4000 bits": (diagonal_psd, ["malformed"], 2, "evidence.Z[0]: 289 rows of"),
    "16 MiB of {}": (many_objects, ["malformed"], 2, "more than 1000000 JSON values"),
    "16 MiB of []": (many_lists, ["malformed"], 2, "more than 1000000 JSON values"),
    "64 MiB file": (file_of_64_mib, ["malformed"], 2, "file larger than 16777216 bytes"),
    "lone surrogate in a statement": (lone_surrogate, ["malformed", "verified"], 2,
                                      "claim.statement: unprintable character '\\ud800' at position 0"),
    "control characters forge a line": (forged_line, ["malformed"], 2,
                                        "claim.statement: unprintable character '\\r' at position 1"),
    "8000-digit residual in a Reject": (long_residual, ["false"], 1, "(residual a rational of"),
    "empty manifest": (empty_manifest, ["malformed"], 2, "claims: expected 1 to 100000 claims (no claims is no proof)"),
    "folder without certificates": (empty_folder, ["malformed"], 2, "no claims (no certificate files"),
    "duplicate ids in a folder": (duplicate_ids, ["verified", "malformed"], 2,
                                  "claim id pironio2010/tsirelson/level=1 is also claimed by"),
    "duplicate ids in a manifest": (duplicate_ids_in_manifest, ["verified", "malformed"], 2, "is also claimed by"),
    ".JSON, sub/manifest.json, symlinked folder": (hidden_files, ["verified", "verified", "malformed"], 2,
                                                   "a symbolic link to a folder: not followed"),
    "vacuous LP bound below 0": (vacuous_lp, ["false"], 1, "evidence.dual: bound -1000000000 < 0 on a probability"),
    'level "1+A"': (second_level_spelling, ["malformed"], 2, "claim.problem.level: level term 'A' adds no word"),
    "JSON integer in a rational field": (integer_rational, ["malformed"], 2,
                                         'evidence.Z[0][0][1]: expected rational "p/q", got 0'),
    "level with too many words": (too_many_words, ["malformed"], 2, "claim.problem.level: more than 5000 words"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_file_is_refused_quickly(name, tmp_path):
    make, statuses, code, needle = CASES[name]
    result = run_check(make(tmp_path))
    verdicts = result["verdicts"]
    assert [status for status, _, _ in verdicts] == statuses, verdicts
    assert result["code"] == code
    bad = [reason for status, reason, _ in verdicts if status != "verified"]
    assert bad and all(needle in reason for reason in bad), bad
    assert all("\n" not in reason and "\r" not in reason for _, reason, _ in verdicts)
    # every verdict is printed, on one line each, with nothing a terminal would interpret
    printed = result["out"] + result["err"]
    assert len(printed.splitlines()) == len(verdicts) + 1 + ("warning:" in printed), printed[-2000:]
    assert all(ch == "\n" or ch.isprintable() for ch in printed)
    assert result["seconds"] < SECONDS and result["mb"] < MEGABYTES, (result["seconds"], result["mb"])


def test_forged_line_is_not_printed(tmp_path):
    """Belt and braces: a file name holding ESC is printed escaped."""
    folder = tmp_path / "names"
    folder.mkdir()
    write(folder / "x\x1b[2K\rVERIFIED.json", {"format": "certify/1"})
    result = run_check(folder)
    assert result["code"] == 2 and "\x1b" not in result["out"] + result["err"]
    assert "\\x1b[2K\\rVERIFIED.json" in result["err"]


def test_unexpected_exception_is_one_internal_verdict_and_exit_3(tmp_path, monkeypatch, capsys):
    """A bug in one kind's check is that file's verdict "internal"; the other files still verify."""
    from certify.cli import main
    from certify.kernel import lp
    from certify.kernel.proofs import check_path

    shutil.copy(os.path.join(ROOT, "proofs", "pironio2010", "ns", "ab00_xy00.json"), tmp_path / "lp.json")
    shutil.copy(TSIRELSON, tmp_path / "npa.json")
    monkeypatch.setattr(lp, "check", lambda *args: 1 // 0)
    assert [v.status for v in check_path(str(tmp_path))] == ["internal", "verified"]
    assert main(["check", str(tmp_path)]) == 3
    printed = capsys.readouterr()
    assert "internal error: ZeroDivisionError" in printed.err and "1 internal errors, of 2 claims" in printed.out


def test_closed_pipe_is_quiet():
    """`certify check proofs | head -1`: no "Broken pipe", no traceback, the verdicts' exit code."""
    child = subprocess.Popen([sys.executable, "-m", "certify.cli", "check", "proofs"], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=ROOT))
    first = child.stdout.readline()
    child.stdout.close()
    err = child.stderr.read().decode()
    assert child.wait(timeout=120) == 0 and first.startswith(b"VERIFIED")
    assert "Broken pipe" not in err and "Traceback" not in err and "BrokenPipeError" not in err


def test_an_internal_error_behind_a_manifest_stays_internal(tmp_path, monkeypatch):
    """Attacker's audit: inside a manifest folder a kernel bug showed as a false claim (exit 1)."""
    from certify.certificate import rebuild_manifest
    from certify.cli import main
    from certify.kernel import lp
    from certify.kernel.proofs import check_path

    shutil.copy(os.path.join(ROOT, "proofs", "pironio2010", "ns", "ab00_xy00.json"), tmp_path / "lp.json")
    shutil.copy(TSIRELSON, tmp_path / "npa.json")
    rebuild_manifest(str(tmp_path))
    monkeypatch.setattr(lp, "check", lambda *args: 1 // 0)
    assert [v.status for v in check_path(str(tmp_path))] == ["internal", "verified"]
    assert main(["check", str(tmp_path)]) == 3
