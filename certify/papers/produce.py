"""The one producer loop: solve -> check -> write -> manifest entry.

Every claim family of both papers is a `Family`: a label, a worker and the worker's tasks. A
worker is a top-level function (it runs in a worker process) that takes one task and returns
[(file name relative to the output folder, certificate dict)]: it solves and builds the
certificates but writes nothing. `produce` runs the workers (in-process or on Dask,
`certify.executor`) and, for each certificate, as its task completes: has the kernel check its
canonical text here (`check_certificate` on `kernel.format.loads` of exactly the bytes to be
written), stops the run unless the verdict is verified, writes the file and keeps its manifest
entry. So nothing reaches the proofs folder unchecked, a writer bug cannot leave a file that
fails later, and a worker (remote, untrusted) sends text only: its own verdicts are never used.

Scheduling (never the output): all tasks of all families go to the engine at once, the longest
first (`Family.cost`, seconds per task measured at --jobs 1: longest-processing-time order, so
the 30 s tasks do not start last), tiny tasks in chunks of about `CHUNK_SECONDS` (a Dask task
costs ~7 ms of scheduling), and each certificate is checked as its task completes, while the
workers go on solving. Files and manifest depend only on the tasks, not on where or in which
order they ran.

Resuming (`resume=True`, `certify reproduce --resume`): a task whose files (`Family.outputs`,
the names it writes, known before solving) all exist and verify by the kernel here, and state
the claim id, statement and problem where the family knows them before solving, is not run;
its files are kept as they are. A missing, torn or failing file (a tampered claim fails the
kernel) makes its task run again. What the kernel cannot see is not compared: a verified file
of the right claim is kept even if its bytes are not the solvers' (producer notes edited, a
"<=" bound weakened); the default full run regenerates every byte. A family without `outputs`
(its file names depend on the solutions, e.g. a refined curve) always runs.

To add a family (a new claim kind, say): write its worker (e.g. in the paper's package), then
append `Family(label, worker, tasks)` to the paper's list in `certify.papers.families.FAMILIES`;
`certify reproduce <paper>` then produces, checks and lists it. `outputs` and `cost` are
optional: without them the family always runs under --resume and is scheduled as a cheap one.

Also here: the two certificate builders every family shares, `lp_certificate` (one "lp.ns"
claim solved by HiGHS and rounded exactly) and `npa_certificate` (a verified NPA tangent).
"""

import math
import os
import time
from dataclasses import dataclass
from fractions import Fraction

from certify.certificate import dumps, make_certificate, manifest_entry, rational_map
from certify.errors import CertifyError
from certify.executor import Verdicts, engine, write_text
from certify.kernel import problem_sha256
from certify.kernel.defs.ns_polytope import build
from certify.kernel.format import format_rational, read_json
from certify.kernel.npa import KIND as NPA_KIND
from lp_checks.ns_lp import solve_exact

CHUNK_SECONDS = 0.5  # tiny tasks travel in chunks of about this much solver time (~1.5% overhead)
DEFAULT_COST = 0.1  # seconds per task of a family that states no cost


@dataclass(frozen=True)
class Family:
    """A claim family: `worker(task)` -> [(relative file name, certificate)] for each task.

    `outputs(task)`, if given, lists what the task writes, known before it is solved (for
    --resume): file names, or (file name, {"id", "statement", "problem"}) with what is known of
    the claim (any of the three); `cost` is the
    seconds one task takes at --jobs 1, a number or a function of the task (for scheduling)."""

    label: str
    worker: object
    tasks: tuple
    outputs: object = None
    cost: object = DEFAULT_COST

    def cost_of(self, task) -> float:
        return float(self.cost(task) if callable(self.cost) else self.cost)


def produce(out_dir: str, families, jobs: int = 1, progress=None, scheduler=None, pool=None, resume=False,
            verdicts=None, seconds=None) -> list:
    """Run every family's worker, check and write what it returns; the manifest entries, by file.
    Workers run in this process (jobs 1), on an embedded Dask cluster of `jobs` processes, or
    on the Dask scheduler at `scheduler` (`certify.executor.engine`); the files and the manifest
    are the same wherever and in whichever order the workers ran. `verdicts` (a
    `certify.executor.Verdicts`) collects the kernel's verdicts; `seconds`, if a dict, gets each
    family's solver seconds (summed over its tasks, measured where they ran)."""
    verdicts = Verdicts() if verdicts is None else verdicts
    seconds = {} if seconds is None else seconds
    entries, todo, bars = [], [], {}
    for family in families:
        bars[family.label] = progress.add_task(family.label, total=len(family.tasks)) if progress else None
        seconds.setdefault(family.label, 0.0)
        for task in family.tasks:
            kept = _kept(family, task, out_dir, verdicts) if resume else None
            if kept is None:
                todo.append((family, task))
                continue
            entries += kept
            if progress:
                progress.advance(bars[family.label])
    if todo and pool is None:  # one engine (one Dask cluster) for all these families, if any task runs
        with engine(jobs, scheduler) as fresh:
            entries += _run(todo, out_dir, fresh, verdicts, seconds, progress, bars)
    elif todo:
        entries += _run(todo, out_dir, pool, verdicts, seconds, progress, bars)
    return sorted(entries, key=lambda entry: entry["file"])


def _run(todo, out_dir, pool, verdicts, seconds, progress, bars) -> list:
    """Solve the tasks on the engine; check and write each certificate as its task completes."""
    entries = []
    chunks = _chunks(todo)
    calls = [(family.worker, tasks) for family, tasks, _ in chunks]
    ranks = [int(1000 * cost) for _, _, cost in chunks]  # Dask priorities: the longest start first
    for index, results, error in pool.completed(run_chunk, calls, ranks):
        family, tasks, _ = chunks[index]
        if error is not None:
            raise CertifyError(f"{family.label}: task {tasks[0]!r}{' (and its chunk)' if len(tasks) > 1 else ''} "
                               f"failed twice: {error}")
        for written, spent in results:
            for name, text in written:
                path = os.path.join(out_dir, name)
                cert, verdict = verdicts.text(text, path)
                if not verdict.ok:
                    raise CertifyError(f"{path}: freshly made certificate fails the kernel: {verdict.reason}")
                write_text(text, path)
                entries.append(manifest_entry(cert, name))
            seconds[family.label] += spent
            if progress:
                progress.advance(bars[family.label])
    return entries


def run_chunk(call) -> list:
    """What a worker runs: [([(file name, certificate text)], seconds)] for each task of the chunk."""
    worker, tasks = call
    out = []
    for task in tasks:
        started = time.perf_counter()
        written = [(name, dumps(cert)) for name, cert in worker(task)]
        out.append((written, time.perf_counter() - started))
    return out


def _chunks(todo) -> list:
    """[(family, tasks, cost)]: each family's tasks, consecutive ones grouped up to CHUNK_SECONDS."""
    chunks = []
    for family, task in todo:
        cost = family.cost_of(task)
        last = chunks[-1] if chunks else None
        if last and last[0] is family and last[2] + cost <= CHUNK_SECONDS:
            chunks[-1] = (family, last[1] + (task,), last[2] + cost)
        else:
            chunks.append((family, (task,), cost))
    return chunks


def _kept(family, task, out_dir, verdicts):
    """The manifest entries of a task's existing files, if all of them verify (--resume); else None."""
    if family.outputs is None:
        return None
    entries = []
    for output in family.outputs(task):
        name, claim = output if isinstance(output, tuple) else (output, {})
        path = os.path.join(out_dir, name)
        if not os.path.isfile(path):
            return None
        verdict = verdicts.file(path)
        if not verdict.ok or not _states(verdict, claim):
            return None
        entries.append(manifest_entry(read_json(path), name))
    return entries


def _states(verdict, claim: dict) -> bool:
    """Whether a verified file is the claim the task would make (the parts known before solving)."""
    return (verdict.claim_id == claim.get("id", verdict.claim_id)
            and verdict.statement == claim.get("statement", verdict.statement)
            and ("problem" not in claim or verdict.problem_sha256 == problem_sha256(claim["problem"])))


def lp_certificate(claim_id, statement, problem, relation="=="):
    """Solve one "lp.ns" problem; (certificate, exact optimum). The evidence is what the
    relation needs: a dual for an upper bound, a primal box for a lower bound, both for "=="."""
    solution = solve_exact(build(problem, claim_id))
    evidence = {}
    if relation in ("<=", "=="):
        evidence["dual"] = rational_map(solution.dual)
    if relation in (">=", "=="):
        evidence["primal"] = rational_map(solution.primal)
    producer = {"solver": "HiGHS (simplex)", "status": solution.status,
                "float_optimum": f"{solution.float_value:.12g}",
                "rounding": "exact basis solve" if solution.repaired else "small-denominator rounding"}
    cert = make_certificate(claim_id, "lp.ns", statement, problem, relation, solution.value, evidence, producer)
    return cert, solution.value


def lp_outputs(claim):
    """What `lp_worker` writes for a claim, known before solving: its file, id, statement and problem."""
    claim_id, statement, problem, name = claim
    return [(name, {"id": claim_id, "statement": statement, "problem": problem})]


def lp_worker(claim):
    """Family worker for an "==" LP claim (claim id, statement, problem, file name): a dual and a primal box."""
    claim_id, statement, problem, name = claim
    return [(name, lp_certificate(claim_id, statement, problem)[0])]


def npa_certificate(claim_id: str, statement: str, problem: dict, result) -> dict:
    """An "npa.max" certificate of a `certify.npa.Certified`; the value is its bound rounded up to 1e-12, or
    to 9 significant digits below 1e-3 (a scaled objective: 1e-12 would claim 3e-12 for CHSH x 1e-12)."""
    digits = 12 + (max(0, -math.floor(math.log10(abs(result.bound))) - 3) if result.bound else 0)
    value = Fraction(math.ceil(result.bound * 10**digits), 10**digits)
    sol = result.solution
    producer = {"solver": sol.solver, "raw_status": sol.raw_status, "status": sol.status,
                "float_optimum": f"{result.primal:.12e}", "slack": f"{result.slack:.3e}",
                "delta": format_rational(result.delta)}
    return make_certificate(claim_id, NPA_KIND, statement, problem, "<=", value, result.evidence, producer)
