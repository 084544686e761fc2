"""The quantum-majority family before/after symmetry (issue 14, item 3), paired runs (not asserted).

    python benchmarks/bench_symmetry.py --before /tmp/old-checkout --repeats 3
    python benchmarks/bench_symmetry.py --mapping        # the mapping alone: orbit, 31 maps, 32 checks
    python benchmarks/bench_symmetry.py --compare        # full pipeline vs symmetrised solve

Each run is a fresh process running `certify reproduce gallego2013` restricted to the family
"Gallego quantum majority" into a new temporary folder, from this checkout ("after") or from the
tree given by --before (e.g. `git archive <commit> | tar -x -C DIR`; it must import with this
venv); the two alternate (the machines are shared, so drift hits both). Printed per run: wall,
the family's solver seconds (worker side: solve + mapping), the kernel seconds (the coordinator's
checks) and the number of claims; then the medians.

--mapping times the parts of the symmetry step in-process on the committed representative:
the orbit search, one `map_evidence` (31 in all) and one kernel check of a mapped certificate.

--compare certifies each of CASES, each in a fresh process: the full pipeline
(`certify.npa.certify_problem`), `certify npa`'s default (`certify.symmetry.certify_npa`: the group
detected from the problem) and the symmetrised solve (`certify.symmetry.certify_symmetric`;
candidates: for Mermin-5 `mermin5_candidates` (party swaps, output flips of two parties, the
paired quarter turns), for I3322 all 4608 relabellings): max Mermin-5 (quantum value 16) at
1+pairs+ABC (59 rows) and 2+ABC (69; level 2 alone lacks the five-party words), max I3322 at
level 3 (88 rows); printed: wall, the kernel-verified bound, peak RSS.

Measured (2026-12-06, 2 shared cores, load ~3):
  quantum majority family: before (one claim) wall 20.5 s median of 4, after (32 claims) 26.4 s;
    solver seconds 18.1 -> 19.6 (the orbit search 1.3 s, 31 maps at 0.06 s), kernel 0.2 -> 4.6 s
    (32 full checks at ~0.2 s); solving each claim instead would cost ~32 x 20 s.
  --compare (the symmetrised solve with its own interior direction, so no full-size cone at all):
    Mermin-5 1+pairs+ABC: full  7.9 s, 279 MiB, <= 16.000141992 | symmetrised 1.6 s,  87 MiB,
      <= 16.000000057 (|G| = 3072, 6 invariant moments, 59 rows -> blocks of size <= 4)
    Mermin-5 2+ABC:       full 19.6 s, 422 MiB, <= 16.000000431 | symmetrised 2.7 s,  89 MiB,
      <= 16.000000013 (8 invariant moments, blocks <= 4)
    I3322 level 3 (88):   full 64.2 s, 851 MiB, <= 0.250880022  | symmetrised 4.5 s, 185 MiB,
      <= 0.250876510 (|G| = 8 of 4608 relabellings, 125 moments, blocks 44, 13, 11, 11, 9, ...)
    default (certify_npa, group detected; 2026-12-07 01:42, load ~3.5): Mermin-5 1+pairs+ABC 0.76 s,
      94 MiB, <= 16.000000005 (|G| = 6144); 2+ABC 0.90 s, 103 MiB, <= 16.000000033 (6144, 7 moments);
      I3322 level 3 2.15 s, 160 MiB, <= 0.250876350 (8, 125 moments)
    I3322 level 4 (244 rows, 4492 words): the symmetrised float solve runs (peak ~3.9 GiB, not yet
      traced), but the kernel refuses the certificate: 244 rows of 68-bit entries exceed its
      elimination work bound n^5 (b + 8)^2 <= 5e13, so it is not among the cases.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LABEL = "Gallego quantum majority"


def child(tree: str, out: str) -> None:
    sys.path.insert(0, tree)
    from certify.cli import main  # first: BLAS pinned before numpy loads
    from certify.commands import reproduce

    reproduce.FAMILIES = {name: [f for f in group if LABEL in f.label] for name, group in reproduce.FAMILIES.items()}
    sys.exit(main(["reproduce", "gallego2013", "--jobs", "1", "--out", out, "--json"]))


def one_run(tree: str) -> dict:
    with tempfile.TemporaryDirectory() as out:
        load = os.getloadavg()[0]
        started = time.perf_counter()
        done = subprocess.run([sys.executable, __file__, "--child", tree, out], capture_output=True, text=True,
                              cwd=tree)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{tree}: exit {done.returncode}: {done.stderr[-2000:]}")
        doc = json.loads(done.stdout)
        solver = sum(v for k, v in doc["solver_seconds"].items() if LABEL in k)
        return {"wall": wall, "solver": solver, "kernel": doc["kernel_seconds"],
                "claims": doc["summary"]["verified"], "load": load}


def mapping() -> None:
    sys.path.insert(0, ROOT)
    import certify.cli  # noqa: F401 -- BLAS pinned
    from certify.kernel import check_certificate
    from certify.kernel.format import read_json
    from certify.papers.gallego2013 import quantum
    from certify.symmetry import map_evidence

    cert = read_json(os.path.join(ROOT, "proofs", quantum.file_name(quantum.FIRST[0])))
    started = time.perf_counter()
    orbits = quantum.claim_orbits()
    print(f"orbit search over {len(quantum.CLAIMS)} claims, {len(quantum.generators())} generators: "
          f"{time.perf_counter() - started:.2f} s, {len(orbits)} orbit(s)")
    members = orbits[quantum.FIRST]
    (x0, v), g = members[-1]
    target = quantum.quantum_problem(x0, v=v)
    started = time.perf_counter()
    evidence = map_evidence(cert["claim"]["problem"], cert["evidence"], g, target)
    print(f"one map_evidence (69 x 69, x{''.join(map(str, x0))} v={v}): {time.perf_counter() - started:.3f} s")
    mapped = dict(cert, evidence=evidence)
    mapped["claim"] = dict(cert["claim"], problem=target)
    from certify.kernel import problem_sha256

    mapped["problem_sha256"] = problem_sha256(target)
    started = time.perf_counter()
    verdict = check_certificate(mapped, "mapped")
    print(f"one kernel check of a mapped certificate: {time.perf_counter() - started:.3f} s ({verdict.status})")


def mermin5_candidates(scenario) -> list:
    from certify.symmetry import relabelling

    swap = lambda i, j: [j if k == i else i if k == j else k for k in range(5)]  # noqa: E731
    out = []
    for i in range(4):
        for j in range(i + 1, 5):
            out.append(relabelling(scenario, parties=swap(i, j)))
            out.append(relabelling(scenario, outputs={(k, x): (1, 0) for k in (i, j) for x in (0, 1)}))
            for alpha in (0, 1):
                out.append(relabelling(scenario, inputs={i: (1, 0), j: (1, 0)},
                                       outputs={(i, alpha): (1, 0), (j, 1 - alpha): (1, 0)}))
    return out


def _case(name: str, level: str):
    """(definition, candidate relabellings) of a comparison case."""
    sys.path.insert(0, ROOT)
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    from certify.kernel.defs.scenario import Scenario
    from certify.npa import bell_objective, problem
    from certify.symmetry import all_relabellings

    if name == "mermin5":
        from lp_checks.mermin import mermin_operator

        scenario = Scenario((2,) * 5, (2,) * 5)
        return problem(scenario, level, bell_objective(mermin_operator(5))), mermin5_candidates(scenario)
    from certify.expressions import i3322

    scenario, expr = i3322()
    return problem(scenario, level, bell_objective(expr)), all_relabellings(scenario)


def compare_child(name: str, level: str, how: str) -> None:
    import resource

    import certify.cli  # noqa: F401 -- BLAS pinned
    from certify.npa import certify_problem
    from certify.symmetry import certify_npa, certify_symmetric

    definition, candidates = _case(name, level)
    started = time.perf_counter()
    if how == "full":
        found = certify_problem(definition, target=1e-6)
        note = ""
    elif how == "default":  # `certify npa`'s pipeline: the group detected from the problem itself
        pipeline = certify_npa(definition)
        found, note = pipeline.result, f"{pipeline.path}: {pipeline.describe()}"
    else:
        found = certify_symmetric(definition, candidates)
        note = found and f"|G| {found.group}, {found.invariant} invariant moments, blocks {list(found.blocks[:4])}..., " \
                         f"solve {found.seconds * 1e3:.1f} ms"
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    bound = "none" if found is None else f"{float(found.bound):.12f}"
    print(f"{name} {level[:8]:8s} {how:9s} wall {wall:6.2f} s  bound {bound}  peak RSS {peak:6.0f} MiB  {note or ''}")


def compare(cases) -> None:
    for name, level, hows in cases:
        for how in hows:
            done = subprocess.run([sys.executable, __file__, "--compare-child", name, level, how], capture_output=True,
                                  text=True, cwd=ROOT)
            print(done.stdout.strip() or done.stderr[-1000:], flush=True)


PAIRS = "+".join(a + b for k, a in enumerate("ABCDE") for b in "ABCDE"[k + 1:])
CASES = [("mermin5", f"1+{PAIRS}+ABC", ("full", "symmetric", "default")),
         ("mermin5", "2+ABC", ("full", "symmetric", "default")), ("i3322", "3", ("full", "symmetric", "default"))]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    if len(sys.argv) > 1 and sys.argv[1] == "--compare-child":
        compare_child(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="an older checkout to compare with (omit: this checkout only)")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--mapping", action="store_true")
    parser.add_argument("--compare", action="store_true", help="full pipeline vs symmetrised solve (CASES)")
    args = parser.parse_args()
    if args.mapping:
        mapping()
        return
    if args.compare:
        compare(CASES)
        return
    trees = [("after", ROOT)] + ([("before", os.path.abspath(args.before))] if args.before else [])
    runs = {name: [] for name, _ in trees}
    for k in range(args.repeats):
        for name, tree in (trees if k % 2 == 0 else trees[::-1]):
            run = one_run(tree)
            runs[name].append(run)
            print(f"{name:6s} wall {run['wall']:6.1f} s  solver {run['solver']:6.1f} s  kernel {run['kernel']:5.1f} s  "
                  f"claims {run['claims']:3d}  load {run['load']:.1f}", flush=True)
    for name, rows in runs.items():
        print(f"median {name}: wall {statistics.median(r['wall'] for r in rows):.1f} s, solver "
              f"{statistics.median(r['solver'] for r in rows):.1f} s, kernel "
              f"{statistics.median(r['kernel'] for r in rows):.1f} s, {rows[0]['claims']} claims")


if __name__ == "__main__":
    main()
