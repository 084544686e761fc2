"""`certify reproduce --resume`: only missing or failing tasks are solved again, on a real cluster.

The families here are the committed LP claims (Pironio et al.'s curve c, 16 LPs, and 8 claims of
Gallego et al.'s Lemma) behind a worker that logs every solve to a file (workers are separate
processes), so "no solver work" is counted, not assumed.
"""

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import cloudpickle
import pytest

from certify.commands import reproduce
from certify.papers import families as registered
from certify.papers.gallego2013 import lemma
from certify.papers.pironio2010 import curve_c
from certify.papers.produce import Family, lp_outputs, lp_worker

ROOT = Path(__file__).resolve().parents[2]
cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import the tests


def counted(task):
    """lp_worker, logging the file it solves for (one line per solve, from any process)."""
    log, claim, delay = task
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(claim[3] + "\n")
    time.sleep(delay)
    return lp_worker(claim)


def counted_outputs(task):
    return lp_outputs(task[1])


def small_families(log, delay=0.0) -> dict:
    ns = tuple((str(log), claim, delay) for claim in curve_c.chsh_ns_claims())
    lemmas = tuple((str(log), claim, delay) for claim in lemma.lemma_claims()[:8])
    return {"pironio2010": [Family("curve c", counted, ns, counted_outputs, 0.002)],
            "gallego2013": [Family("Lemma (8 of 320)", counted, lemmas, counted_outputs, 0.08)]}


def args(out, jobs=1, resume=False, scheduler=None):
    return type("Args", (), {"paper": "all", "jobs": jobs, "out": str(out), "scheduler": scheduler,
                             "json": True, "resume": resume})()


def files(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def solves(log: Path) -> list:
    return sorted(log.read_text().split()) if log.exists() else []


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """A full run at --jobs 1, and its files."""
    base = tmp_path_factory.mktemp("full")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reproduce, "FAMILIES", small_families(base / "log"))
        assert reproduce.run(args(base / "out")) == 0
    assert len(solves(base / "log")) == 24
    return base / "out"


def test_resume_solves_only_missing_torn_and_tampered_files_on_a_2_worker_cluster(reference, tmp_path, monkeypatch,
                                                                                   capsys):
    from dask.distributed import LocalCluster

    out, log = tmp_path / "out", tmp_path / "log"
    shutil.copytree(reference, out)
    missing = ["pironio2010/ns/ab00_xy00.json", "gallego2013/lemma/x00001_maj123_v1.json"]
    for name in missing:
        (out / name).unlink()
    torn = "pironio2010/ns/ab01_xy10.json"
    (out / torn).write_bytes((out / torn).read_bytes()[:300])  # a write cut short
    false = "pironio2010/ns/ab11_xy11.json"  # "== 3/2" claimed as "== 1": the kernel refuses it
    cert = json.loads((out / false).read_text())
    cert["claim"]["value"] = "1"
    (out / false).write_text(json.dumps(cert))
    other = "gallego2013/lemma/x00001_maj123_v0.json"  # a verified certificate of another claim
    shutil.copy(out / "gallego2013/lemma/x00001_maj124_v0.json", out / other)
    capsys.readouterr()
    monkeypatch.setattr(reproduce, "FAMILIES", small_families(log))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        assert reproduce.run(args(out, jobs=2, resume=True, scheduler=cluster.scheduler_address)) == 0
    assert solves(log) == sorted(missing + [torn, false, other])  # nothing else was solved
    assert files(out) == files(reference)  # the manifest included
    report = json.loads(capsys.readouterr().out)
    assert report["resumed"] is True and report["summary"]["verified"] == 24


def test_resuming_a_finished_folder_solves_nothing_and_changes_no_byte(reference, tmp_path, monkeypatch):
    out, log = tmp_path / "out", tmp_path / "log"
    shutil.copytree(reference, out)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.json")}
    monkeypatch.setattr(reproduce, "FAMILIES", small_families(log))
    assert reproduce.run(args(out, jobs=2, resume=True)) == 0
    assert solves(log) == [] and files(out) == files(reference)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.json")} == mtimes  # not even rewritten


def test_without_resume_every_task_is_solved_again(reference, tmp_path, monkeypatch):
    out, log = tmp_path / "out", tmp_path / "log"
    shutil.copytree(reference, out)
    monkeypatch.setattr(reproduce, "FAMILIES", small_families(log))
    assert reproduce.run(args(out, jobs=1)) == 0
    assert len(solves(log)) == 24 and files(out) == files(reference)


SCRIPT = """
import signal
import sys

if __name__ == "__main__":  # Dask's worker processes import this file again
    # A user's Ctrl-C: pytest-xdist's workers ignore SIGINT, and a child inherits an ignored signal
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.path.insert(0, {tests!r})
    from test_reproduce_resume import small_families
    from certify.commands import reproduce
    from certify.cli import main

    reproduce.FAMILIES = small_families({log!r}, delay={delay})
    sys.exit(main(["reproduce", "all", "--jobs", "2", "--out", {out!r}] + sys.argv[1:]))
"""


def test_a_run_interrupted_by_ctrl_c_resumes_where_it_stopped(reference, tmp_path):
    """Ctrl-C (SIGINT) to `certify reproduce --jobs 2` once some files exist; then --resume."""
    out, log = tmp_path / "out", tmp_path / "log"
    script = tmp_path / "run.py"
    script.write_text(SCRIPT.format(tests=str(Path(__file__).parent), log=str(log), delay=0.3, out=str(out)))
    run = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           cwd=ROOT)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(out.rglob("*.json"))) < 6 and run.poll() is None:
        time.sleep(0.02)
    for _ in range(300):  # Ctrl-C again while it runs: a SIGINT that lands while Dask starts can be swallowed
        run.send_signal(signal.SIGINT)
        try:
            run.wait(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            pass
    assert run.wait(timeout=60) != 0, "the run finished before the interrupt: the test tested nothing"
    kept = {str(p.relative_to(out)) for p in out.rglob("*.json")}
    assert 6 <= len(kept) < 24 and not (out / "manifest.json").exists()
    # The resumed run logs to its own file: worker processes of the interrupted run may still finish a
    # task after the coordinator has gone (seen under load), and their solves are not the resume's.
    log = tmp_path / "log-resumed"
    script.write_text(SCRIPT.format(tests=str(Path(__file__).parent), log=str(log), delay=0.0, out=str(out)))
    assert subprocess.run([sys.executable, str(script), "--resume"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, cwd=ROOT, timeout=300).returncode == 0
    again = solves(log)
    assert not set(again) & kept  # no file written before the interrupt was solved again
    assert set(again) | kept == set(files(reference)) - {"manifest.json"}
    assert len(again) == len(set(again)) == 24 - len(kept)  # each missing file solved once, nothing else
    assert files(out) == files(reference)


def test_declared_outputs_are_the_committed_files():
    """Each family's `outputs` names files the committed manifest lists, with the claims it states;
    the refined NPA curves (their points depend on the solutions) declare none."""
    manifest = json.loads((ROOT / "proofs/manifest.json").read_text())
    entries = {entry["file"]: entry for entry in manifest["claims"]}
    undeclared = []
    for family in (f for paper in registered.FAMILIES.values() for f in paper):
        if family.outputs is None:
            undeclared.append(family.label)
            continue
        for task in family.tasks:
            for output in family.outputs(task):
                name, claim = output if isinstance(output, tuple) else (output, {})
                assert name in entries, f"{family.label}: {name} is not a committed file"
                assert claim.get("id", entries[name]["id"]) == entries[name]["id"]
                assert claim.get("statement", entries[name]["statement"]) == entries[name]["statement"]
    assert "Pironio NPA curves (a, b)" in undeclared
