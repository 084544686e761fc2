"""Laws of the no-signalling LP kernel, tested against simple independent models."""

import copy
from fractions import Fraction
from itertools import product

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from certify.kernel import check_certificate
from certify.kernel.defs.ns_polytope import build, column_key
from certify.kernel.format import Reject, format_rational
from certify.kernel.lp import primal_value


def _box_problem(n):
    return {"scenario": {"inputs": [2] * n, "outputs": [2] * n}, "promise": None,
            "objective": {"kind": "linear", "terms": []}, "sense": "max"}


def _deterministic(n, responses):
    """P(a|x) = 1 iff a_i = responses[i][x_i]."""
    return {(x, tuple(responses[i][x[i]] for i in range(n))): Fraction(1) for x in product(range(2), repeat=n)}


def _pr(n, i, j, others):
    """A PR box on parties i < j (a_i + a_j = x_i x_j mod 2), the rest deterministic."""
    box = {}
    for x in product(range(2), repeat=n):
        for ai in range(2):
            a = [others[k][x[k]] for k in range(n)]
            a[i], a[j] = ai, (ai + x[i] * x[j]) % 2
            box[(x, tuple(a))] = Fraction(1, 2)
    return box


responses = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=4, max_size=4)


@st.composite
def ns_boxes(draw):
    n = draw(st.integers(2, 4))
    parts = draw(st.lists(st.tuples(st.booleans(), responses, st.integers(1, 5)), min_size=1, max_size=4))
    total, box = sum(w for _, _, w in parts), {}
    for is_pr, resp, weight in parts:
        i, j = sorted(draw(st.sampled_from([(i, j) for i in range(n) for j in range(i + 1, n)])))
        part = _pr(n, i, j, resp) if is_pr else _deterministic(n, resp[:n])
        for key, p in part.items():
            box[key] = box.get(key, 0) + p * Fraction(weight, total)
    return n, box


@given(ns_boxes())
def test_no_signalling_mixtures_are_feasible(case):
    n, box = case
    lp = build(_box_problem(n), "p")
    entries = {column_key(x, a): format_rational(p) for (x, a), p in box.items() if p}
    assert primal_value(lp, entries, "primal") == 0  # feasible; the objective is empty


@given(ns_boxes(), st.integers(1, 9), st.data())
def test_signalling_boxes_are_caught(case, weight, data):
    n, box = case
    sender, receiver = data.draw(st.sampled_from([(s, r) for s in range(n) for r in range(n) if s != r]))
    # The receiver outputs the sender's input: its marginal depends on x_sender.
    lam = Fraction(weight, 10)
    signal = {(x, tuple(x[sender] if k == receiver else 0 for k in range(n))): Fraction(1)
              for x in product(range(2), repeat=n)}
    mixed = {key: (1 - lam) * box.get(key, 0) + lam * signal.get(key, 0) for key in set(box) | set(signal)}
    lp = build(_box_problem(n), "p")
    entries = {column_key(x, a): format_rational(p) for (x, a), p in mixed.items() if p}
    try:
        primal_value(lp, entries, "primal")
    except Reject as failure:
        assert "violates row ns:" in str(failure)
    else:
        raise AssertionError("a signalling box passed the no-signalling rows")


def _independent_ns_max(terms):
    """max c.p over 2-party NS boxes, built from scratch with numpy and scipy."""
    index = {(x, y, a, b): k for k, (x, y, a, b) in enumerate(product(range(2), repeat=4))}
    c = np.zeros(16)
    for x, a, coef in terms:
        c[index[(int(x[0]), int(x[1]), int(a[0]), int(a[1]))]] += float(Fraction(coef))
    rows = []
    for x, y in product(range(2), repeat=2):
        rows.append(([index[(x, y, a, b)] for a in range(2) for b in range(2)], [], 1))
    for y, b in product(range(2), repeat=2):  # Bob's marginal does not depend on x
        rows.append(([index[(0, y, a, b)] for a in range(2)], [index[(1, y, a, b)] for a in range(2)], 0))
    for x, a in product(range(2), repeat=2):  # Alice's marginal does not depend on y
        rows.append(([index[(x, 0, a, b)] for b in range(2)], [index[(x, 1, a, b)] for b in range(2)], 0))
    A = np.zeros((len(rows), 16))
    for r, (plus, minus, _) in enumerate(rows):
        A[r, plus], A[r, minus] = 1, -1
    result = linprog(-c, A_eq=A, b_eq=[rhs for *_, rhs in rows], bounds=(0, None), method="highs")
    return -result.fun


@settings(max_examples=60)
@given(st.data())
def test_tampered_certificate_is_rejected(chsh_ns_certificate, data):
    """No mutation of a certificate makes a false claim pass (checked independently)."""
    cert = copy.deepcopy(chsh_ns_certificate)
    choice = data.draw(st.sampled_from(["dual", "primal", "value", "drop"]))
    if choice == "value":
        cert["claim"]["value"] = format_rational(Fraction(data.draw(st.integers(-20, 20)), data.draw(st.integers(1, 8))))
    else:
        section = cert["evidence"]["dual" if choice != "primal" else "primal"]
        key = data.draw(st.sampled_from(sorted(section)))
        if choice == "drop":
            del section[key]
        else:
            section[key] = format_rational(Fraction(data.draw(st.integers(-9, 9)), data.draw(st.integers(1, 9))))
    verdict = check_certificate(cert, "c.json")
    truth = _independent_ns_max(cert["claim"]["problem"]["objective"]["terms"])
    if verdict.ok:
        assert abs(float(verdict.value) - truth) < 1e-9 and verdict.value == Fraction(cert["claim"]["value"])
    else:
        assert verdict.reason


@settings(max_examples=6, deadline=None)
@given(st.permutations(range(5)), st.integers(0, 15), st.integers(0, 1))
def test_relabelling_parties_preserves_the_optimum(perm, which, v):
    """Permuting the five parties maps the Lemma's LPs onto each other, optimum 3/4 included."""
    from certify.papers.gallego2013.lemma import lemma_claim
    from lp_checks.mermin import five_party_game
    from lp_checks.ns_lp import solve_exact

    x0 = sorted(five_party_game())[which][0]
    triple = (0, 1, 2)
    _, _, problem, _ = lemma_claim(x0, triple, v)
    moved_x0 = tuple(x0[perm.index(k)] for k in range(5))
    moved_triple = tuple(sorted(perm[i] for i in triple))
    _, _, moved, _ = lemma_claim(moved_x0, moved_triple, v)
    # The game is symmetric under permutations, so the promise is unchanged.
    assert moved["promise"] == problem["promise"]
    assert solve_exact(build(problem, "a")).value == solve_exact(build(moved, "b")).value == Fraction(3, 4)
