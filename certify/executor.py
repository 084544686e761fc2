"""Running a sweep's tasks: in-process, on an embedded Dask cluster, or on a cluster of yours.

Untrusted. A `Task` is a relative output path, a producer function and its payload. The
producer is a top-level function of an importable module and the payload plain JSON-like
data (a problem description), so a task can run on any machine that has `certify`
installed and gives the same bytes wherever it runs. Workers return certificate TEXT only;
the coordinator writes each file and has the kernel check it here, from the written bytes:
a worker is as untrusted as a solver, and no number it sends is shown unchecked.

Engines: `jobs == 1` and no scheduler runs in this process (for debugging, and where Dask
is not wanted); otherwise Dask (`dask.distributed`): an embedded `LocalCluster` of `jobs`
single-threaded worker processes, or the scheduler at `scheduler` (or in the environment
variable DASK_SCHEDULER_ADDRESS). An engine's `completed(function, items, priorities)` yields
results as they complete; on Dask every call is submitted at once, the highest priority
first. Dask reschedules the tasks of a worker that dies; a task that raises is retried once
(`retries=1`) and then reported by its path without losing the others. A task whose file
already exists, verifies and states the same problem is not run again, so an interrupted
sweep resumes where it stopped (`certify reproduce --resume`: `certify.papers.produce`).

`Verdicts` keeps the kernel's verdicts of one run by file content, so that a certificate the
coordinator checked before writing it is not checked a second time when the folder is read
back through its manifest.
"""

import hashlib
import logging
import os
import time
import uuid
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Callable, Optional

from rich.progress import Progress

from certify.certificate import dumps
from certify.errors import CertifyError
from certify.kernel import Verdict, check_certificate, problem_sha256
from certify.kernel.format import loads
from certify.kernel.proofs import check_file, error_verdict


@dataclass(frozen=True)
class Task:
    path: str  # relative to the output folder
    produce: Callable  # payload -> certificate dict
    payload: object
    problem: Optional[dict] = None  # the claim's problem, when known before solving (for resuming)


@dataclass(frozen=True)
class Outcome:
    path: str
    verdict: Optional[Verdict]  # the kernel's, on the written file; None when the task failed
    error: Optional[str] = None  # why the task produced no file
    reused: bool = False  # the file was already there and verified


def produce_text(produce: Callable, payload) -> str:
    """What a worker runs: the certificate's canonical text."""
    return dumps(produce(payload))


def run(tasks, out_dir: str, jobs: int = 1, scheduler: Optional[str] = None, label: str = "tasks",
        progress: bool = True) -> list:
    """Outcomes in the order of `tasks`; every written file has been checked by the kernel."""
    tasks = list(tasks)
    outcomes = {}
    pending = []
    for task in tasks:
        reused = _reusable(task, out_dir)
        if reused is not None:
            outcomes[task.path] = Outcome(task.path, reused, reused=True)
        else:
            pending.append(task)
    with Progress(disable=not progress, transient=True) as bar, engine(jobs if pending else 1, scheduler) as pool:
        tick = bar.add_task(label, total=len(tasks), completed=len(tasks) - len(pending))
        for index, text, error in pool.completed(_task_text, pending):
            task = pending[index]
            outcomes[task.path] = _record(task, out_dir, text, error)
            bar.advance(tick)
    return [outcomes[task.path] for task in tasks]


def _task_text(task: Task) -> str:
    return produce_text(task.produce, task.payload)


@contextmanager
def engine(jobs: int = 1, scheduler: Optional[str] = None):
    """An `InProcess` or `OnDask` engine for one sweep (one cluster for all its families)."""
    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    if jobs == 1 and not address:
        yield InProcess()
        return
    # Imported here: `certify check` and the in-process path must not pay Dask's import time.
    from dask.distributed import Client, LocalCluster

    if address:
        client, cluster = Client(address, timeout="30s"), None
    else:
        with warnings.catch_warnings():  # another cluster's dashboard on 8787: ours has none, say nothing
            warnings.filterwarnings("ignore", message="Port .* is already in use")
            cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                                   silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        yield OnDask(client)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class InProcess:
    """Runs calls here, one after another in the order given, each retried once."""

    def completed(self, function, items, priorities=None):
        """Yield (index, function(items[index]), None), or (index, None, reason) after a retry."""
        for index, item in enumerate(items):
            yield (index, *_twice(function, item))


class OnDask:
    """Submits to a Dask client: calls retried once, a dead worker's calls rescheduled."""

    def __init__(self, client):
        self.client = client

    def completed(self, function, items, priorities=None):
        """Yield (index, result, error) as the futures complete. All calls are submitted at once,
        the highest `priorities[index]` first (Dask queues them on the scheduler and hands one to each
        free worker), so the longest start first and no worker idles between families."""
        from dask.distributed import as_completed

        token = uuid.uuid4().hex[:12]  # keys unique even when several runs share a scheduler
        ranks = priorities or [0] * len(items)
        futures = {}
        # Submitted in priority order too: the scheduler starts the first calls it receives before
        # later ones of higher priority have arrived.
        for index in sorted(range(len(items)), key=lambda i: -ranks[i]):
            futures[self.client.submit(function, items[index], key=f"certify-{token}-{index}", retries=1,
                                       pure=False, priority=ranks[index])] = index
        for future in as_completed(futures):
            index = futures.pop(future)
            try:
                result = future.result()
            except Exception as err:  # the call failed twice (or its worker kept dying): report it
                result, error = None, f"{type(err).__name__}: {err}"
            else:
                error = None
            future.release()  # the coordinator keeps what it needs; free the worker's copy
            yield index, result, error


class Verdicts:
    """The kernel's verdicts on the certificates this coordinator checked in this run, by content.

    Each certificate is checked once, here, by `check_certificate` on the exact bytes that are
    then written (or, resuming, on the bytes of the file found). A later look at the same file
    (the final pass through the manifest) re-reads its bytes and reuses the verdict only when
    their SHA-256 is the one checked; any other file is checked afresh (`check_file`)."""

    def __init__(self):
        self._seen = {}  # (normalised path, sha256 of the bytes) -> Verdict
        self.seconds = {}  # normalised path -> kernel seconds spent on it

    def text(self, text: str, path: str):
        """(certificate dict, the kernel's verdict) of certificate text about to be written at `path`."""
        started = time.perf_counter()
        try:
            cert = loads(text, path)
            verdict = check_certificate(cert, path)
        except CertifyError as err:
            cert, verdict = None, error_verdict(path, str(err))
        except Exception as err:  # noqa: BLE001 -- a kernel bug is this file's verdict, as in check_file
            cert, verdict = None, error_verdict(path, f"{path}: internal error: {type(err).__name__}: {err}"[:300],
                                                "internal")
        self._note(path, _sha256(text.encode("utf-8")), verdict, started)
        return cert, verdict

    def file(self, path: str) -> Verdict:
        """The kernel's verdict on the file as it is now (`check_file`), computed once per content."""
        before = _digest(path)
        hit = self._seen.get((os.path.normpath(path), before))
        if hit is not None:
            return replace(hit, source=path)
        started = time.perf_counter()
        verdict = check_file(path)
        if before is not None and _digest(path) == before:  # not rewritten while it was checked
            self._note(path, before, verdict, started)
        return verdict

    def _note(self, path, digest, verdict, started):
        key = os.path.normpath(path)
        self._seen[(key, digest)] = verdict
        self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - started


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _digest(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as handle:
            return _sha256(handle.read())
    except OSError:
        return None


def write_text(text: str, path: str) -> None:
    """Write a certificate's text, only on change (a rerun leaves files and mtimes alone).
    The text goes to a temporary file in the same folder, renamed over the target: a Ctrl-C or a
    lost machine mid-write leaves the old file or the new one, never a torn one (os.replace is
    atomic on POSIX and Windows)."""
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    if _read(path) == text:
        return
    partial = os.path.join(folder, f".{os.path.basename(path)}.{uuid.uuid4().hex}.partial")
    try:
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _reusable(task: Task, out_dir: str) -> Optional[Verdict]:
    """The kernel's verdict on an existing file, if it verifies and claims the task's problem."""
    path = os.path.join(out_dir, task.path)
    if not os.path.isfile(path):
        return None
    verdict = check_file(path)
    if not verdict.ok:
        return None
    if task.problem is not None and verdict.problem_sha256 != problem_sha256(task.problem):
        return None
    return verdict


def _twice(function, item):
    """(result, None) or (None, reason) after one retry, as on Dask."""
    for _attempt in (1, 2):
        try:
            return function(item), None
        except Exception as err:  # a producer failure is reported by task, never fatal to the sweep
            reason = f"{type(err).__name__}: {err}"
    return None, reason


def _record(task: Task, out_dir: str, text, error) -> Outcome:
    if error is not None:
        return Outcome(task.path, None, error)
    path = os.path.join(out_dir, task.path)
    write_text(text, path)
    return Outcome(task.path, check_file(path))


def _read(path: str) -> Optional[str]:
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return handle.read()
