"""certify.executor and certify sweep on a real Dask cluster: identical bytes, lost workers, resuming.

The sweep is 16 LP claims (Gallego et al.'s Lemma at the 16 inputs of X) and 8 NPA points
(Pironio et al.'s G(I) at level 1+AB), small enough to run in seconds on 2 cores.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from fractions import Fraction
from pathlib import Path

import cloudpickle
import psutil
import pytest

from certify import executor, sweep
from certify.cli import main
from certify.errors import CertifyError
from certify.kernel.proofs import check_path

ROOT = Path(__file__).resolve().parents[2]
cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import the tests


def lp_spec() -> dict:
    cert = json.loads((ROOT / "proofs/gallego2013/lemma/x00001_maj123_v0.json").read_text())
    problem = cert["claim"]["problem"]
    return {"format": sweep.FORMAT, "id": "lemma", "relation": "==", "problem": problem,
            "statement": "max P(maj(a1,a2,a3) = 0 | x = {objective.x}) under maximal Mermin violation",
            "grid": {"objective.x": [rule[0] for rule in problem["promise"]["rules"]]}}


def npa_spec() -> dict:
    cert = json.loads((ROOT / "proofs/pironio2010/npa/global-1+AB-I2.052598484.json").read_text())
    return {"format": sweep.FORMAT, "id": "guess", "relation": "<=", "problem": cert["claim"]["problem"],
            "statement": "G(I) <= value at level {level}, I = {constraint.at}",
            "grid": {"constraint.at": {"from": "21/10", "to": "14/5", "points": 8}, "level": ["1+AB"]}}


def write_spec(folder: Path, spec: dict) -> str:
    path = folder / f"{spec['id']}.json"
    path.write_text(json.dumps(spec))
    return str(path)


def loaded(folder: Path, spec: dict) -> dict:
    return sweep.load(write_spec(folder, spec))


def files(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def in_process(tmp_path_factory):
    """The reference: both sweeps with --jobs 1 (no Dask)."""
    base = tmp_path_factory.mktemp("ref")
    rows = {}
    for spec in (lp_spec(), npa_spec()):
        rows[spec["id"]] = sweep.sweep(loaded(base, spec), str(base / spec["id"]), jobs=1, progress=False)
    return base, rows


def test_in_process_sweep_certifies_the_papers_values(in_process):
    base, rows = in_process
    assert [r.fields["value"] for r in rows["lemma"]] == ["3/4"] * 16  # the Lemma, at every x0 in X
    assert all(r.verdict.low == r.verdict.high == Fraction(3, 4) for r in rows["lemma"])
    values = [r.verdict.value for r in rows["guess"]]
    assert all(r.ok for r in rows["guess"]) and values == sorted(values, reverse=True)
    # Pironio et al. (spec P2): f(2.2) = 0.0959 and f(2.8) = 0.9105 bits at level 1+AB, G = 2^-f
    assert abs(float(values[1]) - 2**-0.0959) < 1e-4 and abs(float(values[-1]) - 2**-0.9105) < 1e-4
    for name in ("lemma", "guess"):
        verdicts = check_path(str(base / name / "proofs"))  # through the manifest the sweep wrote
        assert len(verdicts) == len(rows[name]) and all(v.ok for v in verdicts)
    assert (base / "guess" / "table.csv").read_text().count("VERIFIED") == 8


def test_embedded_cluster_gives_byte_identical_files(in_process, tmp_path):
    base, _ = in_process
    for spec in (lp_spec(), npa_spec()):
        sweep.sweep(loaded(tmp_path, spec), str(tmp_path / spec["id"]), jobs=2, progress=False)
        assert files(tmp_path / spec["id"]) == files(base / spec["id"])


def test_a_killed_worker_loses_no_result(in_process, tmp_path):
    from dask.distributed import LocalCluster

    base, _ = in_process
    spec = loaded(tmp_path, npa_spec())
    out = tmp_path / "guess"
    killed = []

    def kill_one_worker_once_results_arrive():
        deadline = time.time() + 60
        while time.time() < deadline and not list(out.glob("proofs/**/*.json")):
            time.sleep(0.005)
        workers = [p for p in psutil.Process().children(recursive=True)  # the spawned worker processes
                   if any("spawn_main" in part for part in p.cmdline())]
        if workers:
            victim = workers[-1]
            done = len(list(out.glob("proofs/**/*.json")))
            os.kill(victim.pid, signal.SIGKILL)
            killed.append((victim.pid, done))

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        thread = threading.Thread(target=kill_one_worker_once_results_arrive)
        thread.start()
        rows = sweep.sweep(spec, str(out), scheduler=cluster.scheduler_address, progress=False)
        thread.join()
    assert killed, "no worker was killed: the test did not test anything"
    pid, done = killed[0]
    assert done < 8, "the sweep had finished before the kill"
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert all(r.ok for r in rows)
    assert files(out) == files(base / "guess")


def _refuse_to_solve(payload):
    raise AssertionError("the solver ran on a finished sweep")


def test_rerunning_a_finished_sweep_does_no_solver_work(in_process, tmp_path):
    base, _ = in_process
    spec = loaded(tmp_path, lp_spec())
    tasks = [executor.Task(t.path, _refuse_to_solve, t.payload, t.problem) for t in sweep.tasks(spec)]
    outcomes = executor.run(tasks, str(base / "lemma" / "proofs"), jobs=1, progress=False)
    assert all(o.reused and o.verdict.ok for o in outcomes)


def test_a_file_for_another_problem_is_not_reused(in_process, tmp_path):
    base, _ = in_process
    spec = lp_spec()
    spec["problem"]["objective"]["value"] = 1  # P(maj = 1 | x): same files names, other problems
    tasks = [executor.Task(t.path, _refuse_to_solve, t.payload, t.problem) for t in sweep.tasks(loaded(tmp_path, spec))]
    outcomes = executor.run(tasks[:2], str(base / "lemma" / "proofs"), jobs=1, progress=False)
    assert [o.reused for o in outcomes] == [False, False] and all("the solver ran" in o.error for o in outcomes)


def _fails_once(payload):
    """Fails the first time it sees a payload (a marker file remembers, across processes)."""
    marker = Path(payload["marker"])
    if payload["flaky"] and not marker.exists():
        marker.write_text("failed once")
        raise RuntimeError("transient failure")
    if payload["broken"]:
        raise RuntimeError("permanent failure")
    return sweep.produce_lp(payload)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failed_task_is_retried_once_then_reported_by_path(tmp_path, jobs):
    spec = loaded(tmp_path, lp_spec())
    tasks = []
    for k, task in enumerate(sweep.tasks(spec)[:4]):
        payload = dict(task.payload, marker=str(tmp_path / f"marker{k}"), flaky=k == 1, broken=k == 2)
        tasks.append(executor.Task(task.path, _fails_once, payload, task.problem))
    outcomes = executor.run(tasks, str(tmp_path / "out"), jobs=jobs, progress=False)
    assert [o.verdict is not None and o.verdict.ok for o in outcomes] == [True, True, False, True]
    assert outcomes[2].path == tasks[2].path and "permanent failure" in outcomes[2].error
    assert (tmp_path / "marker1").exists()  # the flaky task did fail once, and the retry succeeded


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sweep_on_a_separate_scheduler_process(in_process, tmp_path):
    base, _ = in_process
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).parent / "dask")
    scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([dask, "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        spec_path = write_spec(tmp_path, npa_spec())
        assert main(["sweep", spec_path, "--out", str(tmp_path / "guess"), "--scheduler", address,
                     "--plot", str(tmp_path / "guess.png")]) == 0
    finally:
        for process in (worker, scheduler):
            process.terminate()
            process.wait(timeout=30)
    assert files(tmp_path / "guess") == files(base / "guess")
    assert (tmp_path / "guess.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("change,needle", [
    (lambda s: s.update(format="certify-sweep/0"), "format"),
    (lambda s: s["grid"].update({"constraint.nothing": ["1"]}), "grid.constraint.nothing"),
    (lambda s: s["grid"].update({"constraint.at": {"from": "2", "to": "3"}}), "grid.constraint.at"),
    (lambda s: s.update(relation="<"), "relation"),
    (lambda s: s.update(extra=1), "unknown field 'extra'"),
])
def test_bad_sweep_descriptions_are_one_line_errors(tmp_path, change, needle):
    spec = npa_spec()
    change(spec)
    with pytest.raises(CertifyError, match=needle.replace(".", r"\.")) as err:
        sweep.load(write_spec(tmp_path, spec))
    assert "\n" not in str(err.value)


def _started_at(item):
    started = time.time()
    time.sleep(item[1])
    return started


def test_on_dask_the_highest_priority_starts_first():
    """All calls are submitted at once, longest first: the two long ones start before any short one."""
    items = [(k, 0.05) for k in range(12)] + [("long", 1.0), ("longer", 1.5)] + [(k, 0.05) for k in range(12, 24)]
    with executor.engine(2) as pool:
        started = {items[i][0]: t for i, t, error in pool.completed(_started_at, items, [int(1000 * s) for _, s in items])}
    assert max(started["long"], started["longer"]) < min(t for name, t in started.items() if isinstance(name, int))


def test_a_kept_verdict_is_only_for_the_bytes_the_kernel_checked(tmp_path, monkeypatch):
    text = (ROOT / "proofs/pironio2010/ns/ab00_xy00.json").read_text()
    path = str(tmp_path / "c.json")
    verdicts = executor.Verdicts()
    cert, verdict = verdicts.text(text, path)
    assert verdict.ok and cert["claim"]["id"] == verdict.claim_id
    executor.write_text(text, path)
    calls = []
    monkeypatch.setattr(executor, "check_file", lambda p: calls.append(p) or check_path(p)[0])
    assert verdicts.file(path).ok and calls == []  # the same bytes: the verdict already computed
    tampered = json.loads(text)
    tampered["claim"]["value"] = "1"
    Path(path).write_text(json.dumps(tampered))
    again = verdicts.file(path)
    assert calls == [path] and not again.ok  # other bytes: checked again, and refused
    assert not verdicts.text(text[:200], path)[1].ok  # torn text is malformed, not an exception


def test_a_write_cut_short_leaves_the_old_file_whole_and_no_partial_behind(tmp_path, monkeypatch):
    """Ctrl-C mid-write (here: the write raises KeyboardInterrupt) never leaves a torn certificate:
    `--resume` keeps every file that exists, so a torn one would cost a solve, or worse, a wrong keep."""
    import builtins

    from certify.executor import write_text

    path = tmp_path / "sub" / "claim.json"
    write_text("old text\n", str(path))
    real_open = builtins.open

    class Interrupted:
        def __init__(self, *args, **kwargs):
            self.handle = real_open(*args, **kwargs)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, text):
            self.handle.write(text[:3])
            raise KeyboardInterrupt

    monkeypatch.setattr(builtins, "open", lambda *a, **k: Interrupted(*a, **k) if "w" in (a[1:2] or ("r",))[0] else
                        real_open(*a, **k))
    with pytest.raises(KeyboardInterrupt):
        write_text("new text\n", str(path))
    monkeypatch.undo()
    assert path.read_text() == "old text\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["claim.json"]
    write_text("new text\n", str(path))
    assert path.read_text() == "new text\n"
