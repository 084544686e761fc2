"""Tampering laws on committed certificates (issue 2): what must ALWAYS be rejected.

- A changed claimed value of an "==" claim (either direction): rejected.
- A problem hash that does not match the problem: rejected, with that reason.
- A dropped positive primal entry: rejected (the box is no longer normalised).
- A changed claim id, or any change behind the manifest: the folder check fails and names it.
- A dropped or altered dual entry may still prove the claim; then an independent
  exact recomputation of A^T y >= c and b.y (plain Fractions, no kernel code) agrees.
"""

import copy
import json
import random
from fractions import Fraction
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from certify.certificate import rebuild_manifest, write
from certify.kernel import check_certificate
from certify.kernel.defs.ns_polytope import build
from certify.kernel.proofs import check_manifest

PROOFS = Path(__file__).resolve().parents[2] / "proofs"
FILES = sorted(str(p.relative_to(PROOFS)) for p in (PROOFS / "pironio2010" / "ns").glob("*.json")) + \
    sorted(str(p.relative_to(PROOFS)) for p in (PROOFS / "gallego2013" / "lemma").glob("x0000*_maj12*.json"))
CACHE = {}


def load(name):
    if name not in CACHE:
        CACHE[name] = json.loads((PROOFS / name).read_text())
    return copy.deepcopy(CACHE[name])


nonzero_rationals = st.fractions(min_value=-10, max_value=10, max_denominator=1000).filter(lambda q: q != 0)


@settings(max_examples=40)
@given(name=st.sampled_from(FILES), change=nonzero_rationals)
def test_changed_value_of_an_equality_claim_is_always_rejected(name, change):
    cert = load(name)
    value = Fraction(cert["claim"]["value"]) + change
    cert["claim"]["value"] = f"{value.numerator}/{value.denominator}" if value.denominator > 1 else str(value)
    verdict = check_certificate(cert, name)
    assert not verdict.ok and "the evidence proves" in verdict.reason


@settings(max_examples=40)
@given(name=st.sampled_from(FILES), position=st.integers(0, 63), digit=st.sampled_from("0123456789abcdef"))
def test_mismatched_problem_hash_is_always_rejected(name, position, digit):
    cert = load(name)
    digest = cert["problem_sha256"]
    if digest[position] == digit:
        return
    cert["problem_sha256"] = digest[:position] + digit + digest[position + 1:]
    verdict = check_certificate(cert, name)
    assert not verdict.ok and verdict.reason.startswith("problem_sha256 does not match")


@settings(max_examples=40)
@given(name=st.sampled_from(FILES), pick=st.randoms(use_true_random=False))
def test_dropped_primal_entry_is_always_rejected(name, pick):
    cert = load(name)
    primal = cert["evidence"]["primal"]
    del primal[pick.choice(sorted(primal))]
    verdict = check_certificate(cert, name)
    assert not verdict.ok and "primal violates row" in verdict.reason


def independent_dual_bound(problem, dual):
    """b.y if A^T y >= c holds, else None: recomputed with plain Fractions from the rows."""
    lp = build(problem, "p")
    y = {k: Fraction(v) for k, v in dual.items()}
    for col, entries in zip(lp.columns, lp.entries):
        if sum((c * y.get(k, 0) for k, c in entries), Fraction(0)) < lp.objective.get(col, 0):
            return None
    return sum((lp.row_b[k] * v for k, v in y.items()), Fraction(0))


@settings(max_examples=30)
@given(name=st.sampled_from(FILES), pick=st.randoms(use_true_random=False),
       delta=st.fractions(min_value=-1, max_value=1, max_denominator=64))
def test_altered_dual_verifies_only_if_an_independent_recomputation_agrees(name, pick, delta):
    cert = load(name)
    dual = cert["evidence"]["dual"]
    key = pick.choice(sorted(dual))
    if delta == 0:
        del dual[key]
    else:
        value = Fraction(dual[key]) + delta
        dual[key] = f"{value.numerator}/{value.denominator}" if value.denominator > 1 else str(value)
    verdict = check_certificate(cert, name)
    bound = independent_dual_bound(cert["claim"]["problem"], dual)
    if verdict.ok:
        assert bound is not None and bound <= Fraction(cert["claim"]["value"])
    else:
        assert bound is None or bound > Fraction(cert["claim"]["value"])


def test_changed_claim_id_or_statement_fails_the_folder_check(tmp_path):
    rng = random.Random(5)
    names = rng.sample(FILES, 3)
    for name in names:
        write(load(name), str(tmp_path / name))
    rebuild_manifest(str(tmp_path))
    assert all(v.ok for v in check_manifest(str(tmp_path)))
    target = tmp_path / names[0]
    cert = json.loads(target.read_text())
    cert["claim"]["id"] = cert["claim"]["id"] + "-edited"
    write(cert, str(target))
    bad = [v for v in check_manifest(str(tmp_path)) if not v.ok]
    assert len(bad) == 1 and "manifest says id" in bad[0].reason
