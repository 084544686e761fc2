"""Session-22 attacks on the PSD guess (`kernel.psd._guess`): before the elimination, `integer_psd` tries the
hint lemma (`dominant`) on a factor L it guesses in floats. A pass must be a proof whatever the floats did.

Attacks: the least bound improvement past PSD (Z[0][0] and nu lowered by t, t* = 1/(Z^-1)_00 exactly
between t - 10^-40 and t: floats cannot tell them apart), hostile guessers in place of the float Cholesky (L L^T above Z,
random, the true factor a hair too large, zero, 2^500 entries), `_cholesky`'s contract that `_guess` relies on
(finite, a positive diagonal, or None: no infinity or NaN ever reaches `round`), random matrices at the PSD boundary against the
elimination alone, and entries no float can hold (4000 bits, a dynamic range of 2^3000).
"""

import copy
import math
import random
from fractions import Fraction as F

import pytest

import certify.kernel.npa as kernel_npa
import certify.kernel.psd as psd
import certify.npa as pipeline
from certify.kernel.format import Reject, format_rational
from certify.kernel.npa import parse_evidence, parse_problem, tangent_of
from certify.kernel.psd import integer_psd, scaled

BACKENDS = ["int", "flint"]


@pytest.fixture(scope="module")
def certificate():
    """A pipeline certificate of 25 rows (CHSH level 3: past `psd.GUESS`, so the guess runs first) and
    t = t* rounded up to 10^-40, t* = 1/(Z^-1)_00: Z - s e_0 e_0^T is PSD iff s <= t*."""
    definition = pipeline.chsh_max_problem("3")
    evidence = pipeline.certify_problem(definition).evidence
    npa = parse_problem(definition, "problem")
    z = parse_evidence(evidence, npa, "evidence")[4][0]
    assert npa.structure.size >= psd.GUESS
    import flint

    inverse = flint.fmpq_mat([[flint.fmpq(v.numerator, v.denominator) for v in row] for row in z]).inv()
    entry = inverse[0, 0]
    exact = 1 / F(int(entry.p), int(entry.q))
    t = F(math.ceil(exact * 10**40), 10**40)
    assert t - F(1, 10**40) <= exact < t
    return npa, evidence, t


def lowered(npa, evidence, t):
    """Z[0][0] and nu both lowered by t: every identity still holds (F_1 = e_0 e_0^T), the bound improves by t."""
    out = copy.deepcopy(evidence)
    out["Z"][0][0][0] = format_rational(F(out["Z"][0][0][0]) - t)
    out["nu"] = format_rational(F(out["nu"]) - t)
    return out


@pytest.fixture(params=BACKENDS)
def backend(request, monkeypatch):
    monkeypatch.setattr(kernel_npa, "_backend", lambda n: request.param)
    return request.param


def test_the_least_improvement_past_psd_is_rejected(certificate, backend):
    npa, evidence, t = certificate
    nu, _ = tangent_of(npa, evidence, "evidence")
    assert psd._guess(scaled(parse_evidence(evidence, npa, "evidence")[4][0], "z"), backend)  # the guess proves it
    assert tangent_of(npa, lowered(npa, evidence, t - F(1, 10**40)), "evidence")[0] == nu - t + F(1, 10**40)
    for eps in (0, F(1, 10**12), F(1, 10**6)):
        with pytest.raises(Reject, match=r"Z\[0\]: not positive semidefinite"):
            tangent_of(npa, lowered(npa, evidence, t + eps), "evidence")


def _hostile(kind):
    """A replacement for `psd._cholesky` that returns a wrong factor of the kind named."""
    honest, rng = psd._cholesky, random.Random(kind)

    def guess(a, shift):
        factor = honest(a, 0.0)
        if factor is None:  # a non-PSD matrix: still offer a factor
            factor = honest([[v + (i == j) * 2 * max(map(abs, row)) * len(a) for j, v in enumerate(row)]
                             for i, row in enumerate(a)], 0.0)
        n = len(factor)
        return {"above": lambda: honest([[v + (i == j) for j, v in enumerate(row)] for i, row in enumerate(a)], 0),
                "unshifted": lambda: factor,
                "a hair large": lambda: [[v * (1 + 2.0 ** -40) for v in row] for row in factor],
                "random": lambda: [[rng.uniform(-1, 1) * math.sqrt(abs(a[i][i])) for _ in range(i + 1)]
                                   for i in range(n)],
                "zero": lambda: [[0.0] * (i + 1) for i in range(n)],
                "huge": lambda: [[2.0 ** 500] * (i + 1) for i in range(n)]}[kind]()
    return guess


@pytest.mark.parametrize("kind", ["above", "unshifted", "a hair large", "random", "zero", "huge"])
def test_a_hostile_guesser_changes_no_verdict(certificate, backend, kind, monkeypatch):
    npa, evidence, t = certificate
    monkeypatch.setattr(psd, "_cholesky", _hostile(kind))
    nu = F(evidence["nu"])
    assert tangent_of(npa, evidence, "evidence") == (nu, 0)  # PSD: the guess or the elimination accepts
    assert tangent_of(npa, lowered(npa, evidence, t - F(1, 10**40)), "evidence") == (nu - t + F(1, 10**40), 0)
    for eps in (0, F(1, 10**3)):
        with pytest.raises(Reject, match="not positive semidefinite"):
            tangent_of(npa, lowered(npa, evidence, t + eps), "evidence")


def _elimination(rows, backend):
    """The decision without the guess."""
    saved, psd.GUESS = psd.GUESS, 10**9
    try:
        return integer_psd([row[:] for row in rows], backend)
    finally:
        psd.GUESS = saved


def test_random_boundary_matrices_agree_with_the_elimination():
    """Grams of rank n-1 (singular PSD) plus s e_i e_i^T, s from -10^-6 to +10^-6 relative and 0, in 20-30
    rows of 20-70 bits: the guess never accepts what the elimination rejects."""
    rng, seen, guessed = random.Random(22), {True: 0, False: 0}, 0
    for trial in range(60):
        n, bits = rng.randint(psd.GUESS, 30), rng.randint(20, 70)
        vecs = [[rng.randint(-2 ** bits, 2 ** bits) for _ in range(n - 1)] for _ in range(n)]
        g = [[sum(map(int.__mul__, u, v)) for v in vecs] for u in vecs]
        top = max(g[i][i] for i in range(n))
        i, size = rng.randrange(n), rng.choice([0, 1, 10**3, 10**9, 10**15])
        g[i][i] += rng.choice([-1, 1]) * (top // size if size else 0)
        if trial % 3 == 0:  # PD with a visible margin: the guess should prove these
            for k in range(n):
                g[k][k] += top // 10**4
        for backend in BACKENDS:
            expected = _elimination(g, backend)
            assert integer_psd([row[:] for row in g], backend) is expected
        seen[expected] += 1
        guessed += psd._guess(g, "int")
    assert min(seen.values()) >= 10 and guessed >= 10


def test_entries_no_float_holds_fall_back_to_the_elimination():
    huge = [[F(2 ** 3999 + i * (i == j)) for j in range(psd.GUESS)] for i in range(psd.GUESS)]  # rank 1 plus diag
    spread = [[F(2 ** 3000) if i == j == 0 else F(int(i == j)) for j in range(psd.GUESS)] for i in range(psd.GUESS)]
    skewed = [row[:] for row in spread]
    skewed[1][2] = skewed[2][1] = F(2)  # a 2x2 minor 1 - 4 < 0, invisible next to 2^3000
    for matrix, expected in ((huge, True), (spread, True), (skewed, False)):
        rows = scaled(matrix, "m")
        for backend in BACKENDS:
            assert integer_psd([row[:] for row in rows], backend) is expected
            assert _elimination(rows, backend) is expected


def test_the_float_factor_is_finite_or_none():
    """`_guess` converts entries of < 2^61 to floats and rounds the factor: `_cholesky` must return None or finite
    rows with a positive diagonal, whatever the (finite) input: overflowing products, underflowing pivots, huge
    shifts, near-singular and indefinite matrices."""
    rng = random.Random(2022)
    for trial in range(400):
        n = rng.randint(1, 12)
        scale = 2.0 ** rng.choice([-1074, -600, -60, 0, 30, 60])  # `_guess`'s entries: integers below 2^61
        a = [[rng.uniform(-1, 1) * scale for _ in range(n)] for _ in range(n)]
        a = [[(a[i][j] + a[j][i]) / 2 if trial % 2 else a[i][j] for j in range(n)] for i in range(n)]
        for i in range(n):
            a[i][i] = min(2.0 ** 61, abs(a[i][i]) * rng.choice([1, n, 1e-300, 1e300]))
        for shift in (0.0, scale * 1e-20, scale, 1e308):
            factor = psd._cholesky(a, shift)
            assert factor is None or (all(math.isfinite(v) for row in factor for v in row)
                                      and all(row[-1] > 0 for row in factor) and len(factor) == n)
