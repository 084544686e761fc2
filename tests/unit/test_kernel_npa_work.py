"""The NPA elimination work bound holds per file, not per block (attacker's audit: 256 blocks each
just inside the per-block bound would have taken minutes)."""

import time

import pytest

from certify.errors import CertifyError
from certify.kernel import check_certificate, problem_sha256
from certify.kernel.npa import parse_problem


def test_many_blocks_each_within_the_bound_are_refused_in_total():
    problem = {"scenario": {"inputs": [2, 2, 2], "outputs": [2, 2, 2]}, "level": "2",
               "objective": {"guess": {"parties": [0, 1, 2], "inputs": [0, 0, 0]}}, "constraint": None}
    n = parse_problem(problem, "p").structure.size
    big = str(1 << 850)  # 851-bit diagonal entries: each block alone is within n^5 (b + 8)^2 <= 5e13
    block = [[big if k == 0 else "0" for k in range(n - i)] for i in range(n)]
    cert = {"format": "certify/1",
            "claim": {"id": "work", "kind": "npa.max", "statement": "s", "problem": problem, "relation": "<=",
                      "value": "1"},
            "problem_sha256": problem_sha256(problem),
            "evidence": {"nu": "1", "lambda": "0", "Z": [block] * 8}}
    started = time.perf_counter()
    with pytest.raises(CertifyError, match=r"in total \(work bound\)"):
        check_certificate(cert, "c.json")
    assert n**5 * (851 + 8) ** 2 < 5 * 10**13 < 8 * n**5 * (851 + 8) ** 2
    assert time.perf_counter() - started < 2

