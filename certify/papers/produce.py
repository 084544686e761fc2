"""The one producer loop: solve -> write -> re-read -> `check_certificate` -> manifest entry.

Every claim family of both papers is a `Family`: a label, a worker and the worker's tasks. A
worker is a top-level function (it runs in a worker process) that takes one task and returns
[(file name relative to the output folder, certificate dict)]: it solves and builds the
certificates but writes nothing. `produce` runs the workers (in-process or on Dask, `certify.executor`) and, for each
certificate: re-reads its canonical bytes (`certificate.dumps` -> `kernel.format.loads`),
checks them with `certify.kernel.check_certificate`, stops the run unless the verdict is
verified, writes the file and keeps its manifest entry. So nothing reaches the proofs folder
unchecked, and a writer bug cannot leave a file that fails later.

To add a family (a new claim kind, say): write its worker (e.g. in the paper's package), then
append `Family(label, worker, tasks)` to the paper's list in `certify.papers.families.FAMILIES`;
`certify reproduce <paper>` then produces, checks and lists it. Nothing else changes.

Also here: the two certificate builders every family shares, `lp_certificate` (one "lp.ns"
claim solved by HiGHS and rounded exactly) and `npa_certificate` (a verified NPA tangent).
"""

import math
import os
from dataclasses import dataclass
from fractions import Fraction

from certify.certificate import checked, make_certificate, manifest_entry, rational_map, write
from certify.errors import CertifyError
from certify.executor import engine
from certify.kernel.defs.ns_polytope import build
from certify.kernel.format import format_rational
from certify.kernel.npa import KIND as NPA_KIND
from lp_checks.ns_lp import solve_exact


@dataclass(frozen=True)
class Family:
    """A claim family: `worker(task)` -> [(relative file name, certificate)] for each task."""

    label: str
    worker: object
    tasks: tuple


def produce(out_dir: str, families, jobs: int = 1, progress=None, scheduler=None, pool=None) -> list:
    """Run every family's worker, check and write what it returns; the manifest entries.
    Workers run in this process (jobs 1), on an embedded Dask cluster of `jobs` processes, or
    on the Dask scheduler at `scheduler` (`certify.executor.engine`); results come back in
    task order, so the files and the manifest are the same wherever the workers ran."""
    if pool is None:  # one engine (one Dask cluster) for all these families
        with engine(jobs, scheduler) as fresh:
            return produce(out_dir, families, progress=progress, pool=fresh)
    entries = []
    for family in families:
        bar = progress.add_task(family.label, total=len(family.tasks)) if progress else None
        for written in pool.map(family.worker, family.tasks):
            for name, cert in written:
                path = os.path.join(out_dir, name)
                verdict = checked(cert, path)
                if not verdict.ok:
                    raise CertifyError(f"{path}: freshly made certificate fails the kernel: {verdict.reason}")
                write(cert, path)
                entries.append(manifest_entry(cert, name))
            if progress:
                progress.advance(bar)
    return entries


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


def lp_worker(claim):
    """Family worker for an "==" LP claim (claim id, statement, problem, file name): a dual and a primal box."""
    claim_id, statement, problem, name = claim
    return [(name, lp_certificate(claim_id, statement, problem)[0])]


def npa_certificate(claim_id: str, statement: str, problem: dict, result) -> dict:
    """An "npa.max" certificate of a `certify.npa.Certified`; the value is its bound rounded up to 1e-12."""
    value = Fraction(math.ceil(result.bound * 10**12), 10**12)
    sol = result.solution
    producer = {"solver": sol.solver, "raw_status": sol.raw_status, "status": sol.status,
                "float_optimum": f"{result.primal:.12e}", "slack": f"{result.slack:.3e}",
                "delta": format_rational(result.delta)}
    return make_certificate(claim_id, NPA_KIND, statement, problem, "<=", value, result.evidence, producer)
