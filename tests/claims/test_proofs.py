"""The committed certificates in proofs/ verify with the kernel alone (CI gate)."""

import math
import os
from collections import Counter
from fractions import Fraction

import pytest

from certify.kernel.proofs import check_path

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def verdicts():
    return check_path(os.path.join(ROOT, "proofs"))


def test_every_committed_claim_verifies(verdicts):
    failures = [f"{v.claim_id or v.source}: {v.reason}" for v in verdicts if not v.ok]
    assert not failures, failures[:5]


def test_gallego_lemma_is_three_quarters_for_all_320(verdicts):
    lemma = [v for v in verdicts if v.claim_id.startswith("gallego2013/lemma/")]
    assert len(lemma) == 320
    assert {(v.relation, v.value) for v in lemma} == {("==", Fraction(3, 4))}


def test_all_70_balanced_functions_at_all_4_inputs(verdicts):
    ghz = [v for v in verdicts if v.claim_id.startswith("gallego2013/ghz3/")]
    assert len(ghz) == 280 and {(v.relation, v.value) for v in ghz} == {(">=", 1)}
    tables = Counter(v.claim_id.split("/")[2] for v in ghz)
    assert len(tables) == 70 and set(tables.values()) == {4}
    fixed_to_zero = Counter(v.claim_id.split("/")[3] for v in ghz if "= 0 |" in v.statement)
    assert set(fixed_to_zero.values()) == {53}  # spec G4: v = 0 works for 53 of 70


def test_curve_c_tangent_is_three_halves_for_every_outcome_and_input(verdicts):
    ns = [v for v in verdicts if v.claim_id.startswith("pironio2010/ns/")]
    assert len(ns) == 16 and {(v.relation, v.value) for v in ns} == {("==", Fraction(3, 2))}


def test_readme_table_matches_the_certificates(verdicts):
    """The numbers typed in README.md are the ones the kernel verifies."""
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    by_id = {v.claim_id: v for v in verdicts}
    bits = [by_id[f"pironio2010/bits/table1/level={level}"].value for level in ("1+AB", "2", "3")]
    assert f"{bits[0]} (level 1+AB), {bits[1]} (level 2), {bits[2]} (level 3)" in readme
    p_value = by_id["pironio2010/pvalue/table1"].claimed  # the claim the kernel verified (value: the proven bound)
    assert f"<= {float(p_value):.6f}" in readme
    tsirelson = max(v.value for v in verdicts if v.claim_id.startswith("pironio2010/tsirelson/"))
    assert float(tsirelson) - 2 * 2**0.5 < 5e-9 and "<= 2 sqrt 2 + 5e-9" in readme
    assert "= 3/4 exactly" in readme and "= 3/2 exactly" in readme
    robust = [v for v in verdicts if v.claim_id.endswith("/smallest-c")]  # c* == 5/16 itself, kind lp.threshold
    assert len(robust) == 16 and all(v.kind == "lp.threshold" and v.low == v.high == Fraction(5, 16) for v in robust)
    assert "c* == 5/16 exactly (kind `lp.threshold`" in readme and "at each of the 16 x0" in readme
    quantum = by_id["gallego2013/quantum/x=10000/level=2+ABC"].value
    assert f"<= {float(quantum):.9f} (no-signalling: 3/4)" in readme


def test_readme_von_neumann_rows_are_the_kernels(verdicts):
    """The README's BFF rows: a floor of the proven bound, and the certified DIQKD noise level."""
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    by_id = {v.claim_id: v for v in verdicts}
    low = by_id["vn/chsh/H_A_X0_E/S=14/5/m=8"].low
    assert f">= {math.floor(low * 10**9) / 10**9:.9f} at S = 2.8, m = 8" in readme and low < 0.918531  # analytic
    diqkd = next(v for v in verdicts if v.claim_id.startswith("vn/diqkd/depolarising/Q="))
    q = Fraction(diqkd.claim_id.split("Q=")[1].split("/m=")[0])
    assert diqkd.ok and diqkd.low > 0 and f"positive for Q <= {float(q):.7f}" in readme
