"""The peer benchmark's bookkeeping (benchmarks/bench_vs_peers.py), without timing anything.

Its tables are only as good as two pieces of logic: a peer's value is compared with certify's
(a difference is reported, never averaged away), and ratios are paired by repetition. The
polynomial handed to the peers must be certify's own objective (here: CHSH's Collins-Gisin form
gives 2 on a deterministic strategy and 4 on a PR box).
"""

import importlib.util
from itertools import product
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("bench_vs_peers", ROOT / "benchmarks" / "bench_vs_peers.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_agreement_flags_a_difference_and_a_missing_value():
    found = bench.agreement({"certify": 2.8284271, "ncpol2sdpa": 2.8284275, "toqito": 2.8285, "ncpolopt": None})
    assert found["certify"] == (0.0, "agree")
    assert found["ncpol2sdpa"][1] == "agree" and found["ncpol2sdpa"][0] < 1e-6
    assert found["toqito"][1] == "DIFFER"
    assert found["ncpolopt"] == (None, "no value")
    assert all(v[1] == "no value" for v in bench.agreement({"certify": None, "toqito": 1.0}).values())


def test_ratios_are_paired_by_repetition_and_skip_failed_runs():
    runs = {"certify": [{"total": 1.0}, {"total": 2.0}, {"error": "timeout"}],
            "peer": [{"total": 3.0}, {"error": "exit 1"}, {"total": 5.0}]}
    assert bench.paired_ratios(runs, "peer", "total") == [3.0]


def test_the_peers_get_certify_s_polynomial():
    _, inputs, poly, constraint, at = bench.certify_case("chsh-2")
    assert inputs == [2, 2] and constraint is None and at is None

    def value(expectation):  # a behaviour given by <word> for Collins-Gisin words
        return sum(coef * expectation(tuple(map(tuple, letters))) for letters, coef in poly)

    # deterministic: both parties always output 0, so every projector E_{0|x} is 1
    assert abs(value(lambda word: 1.0) - 2.0) < 1e-12
    # PR box: P(a=0|x) = 1/2, P(00|xy) = 1/2 if xy = 0 else 0 (a xor b = xy)
    pr = {(): 1.0} | {((0, x),): 0.5 for x in range(2)} | {((1, y),): 0.5 for y in range(2)}
    pr |= {((0, x), (1, y)): 0.5 * (x * y == 0) for x, y in product(range(2), repeat=2)}
    assert abs(value(pr.__getitem__) - 4.0) < 1e-12
    _, _, _, constraint, at = bench.certify_case("p00-2.5")
    assert at == 2.5 and constraint is not None
