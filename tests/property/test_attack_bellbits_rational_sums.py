"""Session-20 red team, fixed: both attacks below are refused fast and as malformed (the fixes named in each).

1. bits.bell, `bellbits.read`: `sum(p.values()) != 1` adds the p_x of every input with no bound on their common
   denominator. Each rational may have 4000-digit parts, so n distinct denominators give a sum of ~13,000 n bits,
   each addition a gcd quadratic in that: 100 inputs (0.4 MB) take 1.9 s, 300 (1.2 MB) 17 s, and 16 MiB (4,000
   inputs of 4 parties) would take most of an hour. Fix: `format.denominator(p.values(), f"{where}.p_x")` (the
   common-denominator work bound the other kinds now use, 2048 bits) before the sum.
2. bits.chsh / pvalue.chsh, `bits.validate`: p_xy that do not sum to 1 are reported with
   `format_rational(sum(p_xy.values()))`; four 4000-digit denominators make a sum of ~16,000 digits, and str(int)
   refuses more than 4300: ValueError, an INTERNAL error (exit 3) instead of a malformed file (exit 2). Fix: `brief`.
"""

import hashlib
import json
import os
from itertools import product

from test_adversarial import MEGABYTES, ROOT, SECONDS, run_check, write

from certify.kernel.proofs import check_file


def _sha(problem):
    return hashlib.sha256(json.dumps(problem, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def bits_bell_with_huge_p_x(count):
    xs = ["".join(map(str, x)) for x in product(range(10), repeat=3)][:count]
    problem = {"scenario": {"inputs": [10, 10, 10], "outputs": [2, 2, 2]},
               "expression": {"terms": [{"coef": "1", "outputs": [0, 0, 0], "inputs": [0, 0, 0]}]},
               "p_x": {x: f"1/{10**3999 + 2 * k + 1}" for k, x in enumerate(xs)}, "counts": {"000|000": 1},
               "parties": [0], "delta": "1/100", "azuma": "range"}
    return {"format": "certify/1", "problem_sha256": _sha(problem),
            "evidence": {"tangents": [], "line": {"nu": "1", "lambda": "0"}},
            "claim": {"id": "hostile/p_x", "kind": "bits.bell", "statement": "hostile", "problem": problem,
                      "relation": ">=", "value": "1"}}


def test_bits_bell_p_x_of_distinct_huge_denominators_is_refused_quickly(tmp_path):
    """150 inputs (0.6 MB): must be malformed in < 2 s CPU; measured ~4 s (and 17 s for 300, quadratic)."""
    result = run_check(write(tmp_path / "p_x.json", bits_bell_with_huge_p_x(150)))
    assert [v[0] for v in result["verdicts"]] == ["malformed"], result["verdicts"]
    assert result["seconds"] < SECONDS and result["mb"] < MEGABYTES, (
        f"bits.bell p_x: 150 rationals of distinct 4000-digit denominators summed in {result['seconds']:.1f} s CPU")


def test_pvalue_p_xy_not_summing_to_one_with_huge_denominators_is_malformed_not_internal(tmp_path):
    with open(os.path.join(ROOT, "proofs", "pironio2010", "bits", "table1-pvalue-local.json"), encoding="utf-8") as f:
        cert = json.load(f)
    for k, key in enumerate(sorted(cert["claim"]["problem"]["p_xy"])):
        cert["claim"]["problem"]["p_xy"][key] = f"1/{10**3999 + 2 * k + 1}"
    cert["problem_sha256"] = _sha(cert["claim"]["problem"])
    verdict = check_file(write(tmp_path / "p_xy.json", cert))
    assert verdict.status == "malformed", (verdict.status, verdict.reason[:200])
