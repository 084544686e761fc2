"""`certify check` on randomly mutated files of every claim kind: no crash, no hang, no false VERIFIED.

Each committed certificate below is mutated at random (any field, any JSON type:
replace, delete, insert). Two modes: the file as mutated (a changed problem then
fails its hash), and "rehashed", where the mutator also recomputes
problem_sha256 so the kernel's parsers and checks see the mutated problem.
Whatever happens, `check_file` must return a verdict, in bounded time, and a
VERIFIED verdict must be a true statement:
- on the original problem, by comparison with the known truth of that claim;
- on a mutated no-signalling LP, by an independent float LP solve (scipy HiGHS).
"""

import copy
import json
import math
import time
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certify.certificate import dumps
from certify.kernel import problem_sha256
from certify.kernel.proofs import check_file

PROOFS = Path(__file__).resolve().parents[2] / "proofs"
HANG_SECONDS = 30  # a guard against hangs, not a speed target (every real file checks in < 1 s)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.text(max_size=12)
    | st.sampled_from(["3/2", "1", "-1/4", "2", "1/0", "NaN", "1e9", "7/4", "3/4", "0", "43", "1+AB",
                       "-1", "99999999999999999999/7"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


def _tsirelson_true(relation, value):
    # max CHSH over the quantum set (and its NPA relaxations) is 2 sqrt 2: "<= v" holds iff v^2 >= 8.
    return relation == "<=" and value > 0 and value * value >= 8


def _bits_true(relation, value):
    # Level 1+AB cannot certify more than floor(3016 f(I_low)) = 42 bits (its optimum gives 42.46).
    return relation == ">=" and value <= 42


def _bell_true(relation, value):
    # The committed line gives 973.07 bits at level 1+AB; higher levels gain a few bits, not 27.
    return relation == ">=" and value <= 1000


def _pvalue_true(relation, value):
    # The exact Azuma bound is 7.6747e-4 (certified <= 12/15625 = 7.68e-4).
    return relation == "<=" and value >= Fraction(76747, 10**8)


def _ns_true(relation, value, truth=Fraction(3, 2)):
    return {"==": value == truth, "<=": value >= truth, ">=": value <= truth}[relation]


CASES = {
    "lp.ns": ("pironio2010/ns/ab00_xy00.json", _ns_true, 120),
    "npa.max": ("pironio2010/npa/tsirelson-1.json", _tsirelson_true, 80),
    "bits.chsh": ("pironio2010/bits/table1-level-1+AB.json", _bits_true, 25),
    "pvalue.chsh": ("pironio2010/bits/table1-pvalue-local.json", _pvalue_true, 60),
    "bits.bell": ("bell/chsh_biased.json", _bell_true, 25),
}


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for k, item in enumerate(value[:8]):  # a few entries of each long list are enough
            yield from _paths(item, prefix + (k,))


def _mutate(cert, data):
    paths = [p for p in _paths(cert) if p]
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        path = data.draw(st.sampled_from(paths), label="path")
        parent = cert
        try:
            for key in path[:-1]:
                parent = parent[key]
            action = data.draw(st.sampled_from(["replace", "delete", "insert"]), label="action")
            if action == "delete" and isinstance(parent, dict):
                del parent[path[-1]]
            elif action == "delete" and isinstance(parent, list):
                del parent[path[-1]]
            elif action == "insert" and isinstance(parent, dict):
                parent[data.draw(st.text(max_size=8), label="key")] = data.draw(json_values, label="value")
            else:
                parent[path[-1]] = data.draw(json_values, label="value")
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path


def _independent_lp_optimum(problem):
    """The float optimum of a (mutated) lp.ns problem, or None if it does not build or solve."""
    import numpy as np
    import scipy.sparse as sp
    from scipy.optimize import linprog

    from certify.errors import CertifyError
    from certify.kernel.defs.ns_polytope import build

    try:
        lp = build(problem, "p")
    except CertifyError:
        return None
    rows = sorted(lp.row_b)
    index = {key: i for i, key in enumerate(rows)}
    triples = [(index[key], j, float(c)) for j, col in enumerate(lp.entries) for key, c in col]
    r, c, v = zip(*triples)
    a = sp.csr_matrix((v, (r, c)), shape=(len(rows), len(lp.columns)))
    cost = -np.array([float(lp.objective.get(col, 0)) for col in lp.columns])
    res = linprog(cost, A_eq=a, b_eq=[float(lp.row_b[k]) for k in rows], bounds=(0, None), method="highs")
    return -res.fun if res.status == 0 else None


@pytest.mark.parametrize("kind", sorted(CASES))
@pytest.mark.parametrize("rehash", [False, True], ids=["as-mutated", "rehashed"])
def test_mutated_certificate_never_crashes_hangs_or_lies(kind, rehash, tmp_path_factory):
    name, truth, examples = CASES[kind]
    original = json.loads((PROOFS / name).read_text())

    @settings(max_examples=examples, suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(data=st.data())
    def run(data):
        cert = copy.deepcopy(original)
        _mutate(cert, data)
        problem = cert.get("claim", {}).get("problem") if isinstance(cert.get("claim"), dict) else None
        if rehash and isinstance(cert, dict):
            try:
                cert["problem_sha256"] = problem_sha256(problem)
            except (TypeError, ValueError):
                pass  # not JSON-serialisable canonically: the file is malformed anyway
        target = tmp_path_factory.mktemp("fuzz") / "c.json"
        try:
            target.write_text(dumps(cert))
        except (TypeError, ValueError):
            target.write_text(json.dumps(cert, default=str))
        started = time.perf_counter()
        verdict = check_file(str(target))  # must return, never raise
        assert time.perf_counter() - started < HANG_SECONDS
        if not verdict.ok:
            assert verdict.reason and "\n" not in verdict.reason  # one line
            return
        if problem == original["claim"]["problem"]:
            assert truth(verdict.relation, verdict.claimed), (verdict.relation, verdict.claimed)
        elif kind == "lp.ns":
            optimum = _independent_lp_optimum(problem)
            assert optimum is not None, "a verified LP claim must be about a feasible LP"
            claimed = float(verdict.claimed)
            if verdict.relation in ("<=", "=="):
                assert optimum <= claimed + 1e-9
            if verdict.relation in (">=", "=="):
                assert optimum >= claimed - 1e-9
        else:
            # Another problem of this kind verified: only the kernel knows why; it must at least
            # be a problem the kernel can rebuild, i.e. the verdict carries a finite exact value.
            assert verdict.value is not None and math.isfinite(float(verdict.value))

    run()
