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
variable DASK_SCHEDULER_ADDRESS). Dask reschedules the tasks of a worker that dies; a task
that raises is retried once (`retries=1`) and then reported by its path without losing the
others. A task whose file already exists, verifies and states the same problem is not run
again, so an interrupted sweep resumes where it stopped.
"""

import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Optional

from rich.progress import Progress

from certify.certificate import dumps
from certify.kernel import Verdict, problem_sha256
from certify.kernel.proofs import check_file


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
        for task, (text, error) in pool.completed(pending):
            outcomes[task.path] = _record(task, out_dir, text, error)
            bar.advance(tick)
    return [outcomes[task.path] for task in tasks]


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
    """Runs tasks here, one after another, each retried once."""

    def completed(self, tasks):
        for task in tasks:
            yield task, _in_process(task)

    def map(self, function, items):
        """function(item) for each item, in order (a failure raises)."""
        return map(function, items)


class OnDask:
    """Submits to a Dask client: tasks retried once, a dead worker's tasks rescheduled."""

    def __init__(self, client):
        self.client = client

    def completed(self, tasks):
        """Yield (task, (text, error)) as the futures complete."""
        from dask.distributed import as_completed

        futures = {self.client.submit(produce_text, task.produce, task.payload, key=f"certify-{i}-{task.path}",
                                      retries=1, pure=False): task for i, task in enumerate(tasks)}
        for future in as_completed(futures):
            try:
                yield futures[future], (future.result(), None)
            except Exception as err:  # the task failed twice (or its worker kept dying): report it
                yield futures[future], (None, f"{type(err).__name__}: {err}")

    def map(self, function, items):
        """function(item) for each item, in order (a task that fails twice raises)."""
        futures = self.client.map(function, list(items), retries=1, pure=False)
        for future in futures:
            yield future.result()


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


def _in_process(task: Task):
    """(text, None) or (None, reason) after one retry, as on Dask."""
    for _attempt in (1, 2):
        try:
            return produce_text(task.produce, task.payload), None
        except Exception as err:  # a producer failure is reported by task, never fatal to the sweep
            reason = f"{type(err).__name__}: {err}"
    return None, reason


def _record(task: Task, out_dir: str, text, error) -> Outcome:
    if error is not None:
        return Outcome(task.path, None, error)
    path = os.path.join(out_dir, task.path)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    if _read(path) != text:  # write only on change: a rerun leaves files and mtimes alone
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    return Outcome(task.path, check_file(path))


def _read(path: str) -> Optional[str]:
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return handle.read()
