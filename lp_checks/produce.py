"""Generate the no-signalling certificates of both papers (the untrusted side).

Each claim is solved by HiGHS, rounded to exact evidence (`lp_checks.ns_lp`),
written as a certificate, and immediately re-read and re-checked by the kernel
from the written bytes, so a writer bug cannot leave a file that fails later.
"""

import os
from concurrent.futures import ProcessPoolExecutor

from certify.certificate import dumps, make_certificate, manifest_entry, rational_map, write
from certify.errors import CertifyError
from certify.kernel import check_certificate
from certify.kernel.format import loads
from certify.kernel.defs.ns_polytope import build
from lp_checks import claims
from lp_checks.ns_lp import solve_exact


def certify_lp_claim(claim_id, statement, problem, relation="=="):
    """Solve one "lp.ns" problem and return (certificate, exact optimum)."""
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


def certify_ghz3(table, x0):
    """A witness that g(a) can be made certain at x0: try v = 0, then v = 1."""
    for v in (0, 1):
        claim_id, statement, problem, name = claims.ghz3_claim(table, x0, v)
        cert, value = certify_lp_claim(claim_id, statement, problem, relation=">=")
        if value == 1:
            return cert, name, v
    raise CertifyError(f"no box makes g={table} deterministic at x={claims.spell(x0)}")


def _recheck(cert, path):
    verdict = check_certificate(loads(dumps(cert), path), path)
    if not verdict.ok:
        raise CertifyError(f"{path}: freshly written certificate fails: {verdict.reason}")
    return verdict


def _claim_task(args):
    claim_id, statement, problem, name = args
    cert, _ = certify_lp_claim(claim_id, statement, problem)
    return cert, name


def _ghz3_task(args):
    table, x0 = args
    cert, name, _ = certify_ghz3(table, x0)
    return cert, name


def tasks():
    """(label, worker, argument list) for every LP claim family."""
    from lp_checks.mermin import three_party_ghz_game

    ghz_inputs = [x for x, _ in sorted(three_party_ghz_game())]
    return [
        ("Gallego Lemma (5 parties)", _claim_task, claims.lemma_claims()),
        ("3-party balanced functions", _ghz3_task,
         [(table, x0) for table in claims.balanced_functions() for x0 in ghz_inputs]),
        ("Pironio curve c (NS)", _claim_task, claims.chsh_ns_claims()),
    ]


def produce_all(out_dir: str, jobs: int = 2, progress=None) -> list:
    """Write every LP certificate under out_dir; return manifest entries."""
    entries = []
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        for label, worker, arguments in tasks():
            chunk = max(1, len(arguments) // (8 * max(1, jobs)))
            for cert, name in _track(pool.map(worker, arguments, chunksize=chunk), label, len(arguments), progress):
                path = os.path.join(out_dir, name)
                _recheck(cert, path)
                write(cert, path)
                entries.append(manifest_entry(cert, name))
    return entries


def _track(iterable, label, total, progress):
    if progress is None:
        yield from iterable
        return
    task = progress.add_task(label, total=total)
    for item in iterable:
        yield item
        progress.advance(task)
