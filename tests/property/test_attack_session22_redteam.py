"""Session-22 red team: independent attacks on the day's kernel speed-ups (79f5493, 0bdeb2a, 0776d8d, 808f9e6,
a1833d2), beyond the author's own tests (test_attack_session22_{psd_guess,parse_cache,parsing}.py).

(A) `psd._guess` + `dominant` against an independent exact reference: the sign pattern of the characteristic
    polynomial (python-flint, no elimination: Z >= 0 iff det(xI + Z) has no negative coefficient), on random
    Grams around the PSD boundary (rank deficient, +-1 on a diagonal or off-diagonal pair, margins, 2^+-200
    diagonal scalings, entries at the 2^60 float-shift edge, negative entries), sizes GUESS - 1 .. 34, int and
    flint; a rank-one boundary along a random direction (t* = 1/(v^T A^-1 v) +- 10^-30); `_guess` never raises.
(B) the same through the door: one-party "arrow" certificates whose PSD boundary nu* is known in closed form
    (nu* - 10^-30 rejected, nu* and nu* + 10^-30 verified) at 15, 16, 17, 29, 30, 31, 33 rows, flint and
    CERTIFY_PSD_BACKEND=int, diagonals from 1 to 2^+-200; a false claim 1 - 10^-30 whose float Cholesky succeeds.
(C) the `_build` cache: one structure checked against two objectives in turn, random interleavings of scenarios,
    levels and Eve letters past the eviction size against the uncached definition, monomials identifying their
    scenario, a check never mutating the certificate.
(D) integer identities: guess objectives with per-block prime denominators, one block nudged by one unit of its
    own common denominator (word 1 included), 32 blocks of 32 rows.
(E) parsing: spellings the digit-bound shortcut must still refuse, `denominator` with repeats, `to_words` with
    zero-sum and huge-denominator coefficients against a Fraction reference.
(F) hostile files in a child process (address-space and CPU limits): one error line and exit 2, in bounded time.
    Found here and fixed: `format.denominator` collected the denominators into a set before bounding the lcm,
    so distinct denominators of one hash (d = c + t (2^61 - 1): Python's int hash is d mod 2^61 - 1) cost a
    quadratic set build: 40,000 of them in a 3 MB Bell expression took ~11 s (0.5 s with distinct hashes).
    Now a running lcm again (a repeat costs one remainder): refused after ~34 of them.
"""

import copy
import json
import os
import random
import time
from fractions import Fraction as F

import flint
import pytest
from conftest import limited_check
from hypothesis import given, settings
from hypothesis import strategies as st

import certify.kernel.npa as kernel_npa
import certify.kernel.psd as psd
from certify.certificate import make_certificate
from certify.errors import CertifyError
from certify.kernel import check_certificate
from certify.kernel.defs import words
from certify.kernel.defs.scenario import Expression, Scenario, make_expression, to_words
from certify.kernel.format import MAX_DIGITS, denominator, format_rational, parse_rational
from certify.kernel.npa import parse_problem, tangent_of

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
P61 = (1 << 61) - 1  # hash(int) == int mod P61
BACKENDS = ["int", "flint"]


# --- references -------------------------------------------------------------------------------------------------

def charpoly_psd(rows) -> bool:
    """Independent exact PSD test of a symmetric integer matrix: all eigenvalues real, so Z >= 0 iff
    q(x) = det(xI + Z) = prod (x + l_i) has no negative coefficient (<=: q > 0 on x > 0, no root -l_i > 0)."""
    n = len(rows)
    coeffs = flint.fmpz_mat(rows).charpoly().coeffs()  # det(xI - Z), low to high
    return all(int(c) * (-1) ** (n - k) >= 0 for k, c in enumerate(coeffs))


def elimination(rows, backend) -> bool:
    """The kernel's decision with the guess switched off."""
    saved, psd.GUESS = psd.GUESS, 10**9
    try:
        return psd.integer_psd([row[:] for row in rows], backend)
    finally:
        psd.GUESS = saved


def gram(k):
    return [[sum(a * b for a, b in zip(u, v)) for v in k] for u in k]


def verdicts(rows) -> dict:
    out = {backend: psd.integer_psd([row[:] for row in rows], backend) for backend in BACKENDS}
    out.update({f"elim-{b}": elimination(rows, b) for b in BACKENDS})
    return out


# --- (A) the guess against an independent reference -----------------------------------------------------------

@st.composite
def boundary_matrices(draw):
    n = draw(st.integers(psd.GUESS - 1, 34))
    rank = draw(st.sampled_from([1, n // 2, n - 1, n]))
    bits = draw(st.sampled_from([1, 8, 29, 30, 31, 59, 60, 61, 62, 100]))
    rng = random.Random(draw(st.integers(0, 2**32)))
    k = [[rng.randint(-(2**bits), 2**bits) for _ in range(rank)] for _ in range(n)]
    z = gram(k)
    kind = draw(st.sampled_from(["plain", "diag-1", "pair+1", "margin", "margin-1", "spread", "negdiag", "edge"]))
    i, j = rng.sample(range(n), 2)
    top = max(z[t][t] for t in range(n)) or 1
    if kind == "diag-1":
        z[i][i] -= 1
    elif kind == "pair+1":
        z[i][j] += 1
        z[j][i] += 1
    elif kind in ("margin", "margin-1"):
        m = max(1, top >> draw(st.integers(0, 70)))
        for t in range(n):
            z[t][t] += m
        if kind == "margin-1":  # lowered by the whole margin and one unit more at one place: PSD or not
            z[i][i] -= m + 1
    elif kind == "spread":  # D Z D, D = diag(2^s_t), s_t up to 200: a dynamic range no float keeps
        s = [rng.randint(0, 200) for _ in range(n)]
        z = [[v << (s[a] + s[b]) for b, v in enumerate(row)] for a, row in enumerate(z)]
        z[i][i] -= 1
    elif kind == "negdiag":
        z[i][i] = -z[i][i] - 1
    elif kind == "edge":  # largest entry at the 2^60 edge of the float shift, negative off the diagonal
        e = draw(st.sampled_from([59, 60, 61]))
        z = [[v % (1 << e) - (1 << (e - 1)) if a != b else (1 << e) - 1 - (a % 3)
              for b, v in enumerate(row)] for a, row in enumerate(z)]
        for a in range(n):
            for b in range(a):
                z[a][b] = z[b][a]
    return z


@settings(max_examples=120, deadline=None)
@given(boundary_matrices())
def test_integer_psd_agrees_with_the_characteristic_polynomial(z):
    expected = charpoly_psd(z)
    assert verdicts(z) == {key: expected for key in ("int", "flint", "elim-int", "elim-flint")}


def test_the_guess_decides_many_and_never_wrongly():
    """Deterministic: singular Grams (rank n - 1) plus margins m = 2^-k of the top (least eigenvalue m), half of them
    then lowered by m + 1 or 2 m on the diagonal (least eigenvalue -1 or -m): the guess must prove a good share of the
    PD ones, and every pass must be PSD by the charpoly."""
    rng, passes, seen = random.Random(2207), 0, {True: 0, False: 0}
    for trial in range(40):
        n = rng.choice([16, 17, 20, 24, 30, 31])
        bits = rng.choice([10, 40, 62, 90])
        z = gram([[rng.randint(-(2**bits), 2**bits) for _ in range(n - 1)] for _ in range(n)])
        m = max(1, max(z[t][t] for t in range(n)) >> rng.randint(2, 40))
        lower = rng.choice([m + 1, 2 * m]) if trial % 2 else 0
        for t in range(n):
            z[t][t] += m - lower
        expected = charpoly_psd(z)
        seen[expected] += 1
        for backend in BACKENDS:
            guessed = psd._guess([row[:] for row in z], backend)
            assert not guessed or expected
            passes += guessed
            assert psd.integer_psd([row[:] for row in z], backend) is expected
    assert passes >= 20 and min(seen.values()) >= 5


@pytest.mark.parametrize("n", [15, 16, 17, 29, 30, 31])
def test_rank_one_boundary_along_a_random_direction(n):
    """Z = A - t v v^T is PSD iff t <= t* = 1/(v^T A^-1 v): t* - 10^-30 and t* (singular) pass, t* + 10^-30 fails,
    the boundary not aligned with any axis (the author's tests move Z[0][0])."""
    rng = random.Random(n)
    a = gram([[rng.randint(-3, 3) for _ in range(n)] for _ in range(n)])
    for t in range(n):
        a[t][t] += 1
    v = [rng.randint(-9, 9) or 1 for _ in range(n)]
    w = flint.fmpq_mat([[flint.fmpq(x) for x in row] for row in a]).solve(flint.fmpq_mat([[flint.fmpq(x)] for x in v]))
    q = sum(F(int(w[t, 0].p), int(w[t, 0].q)) * v[t] for t in range(n))
    star = 1 / q
    for delta, expected in ((F(-1, 10**30), True), (F(0), True), (F(1, 10**30), False)):
        matrix = [[F(a[i][j]) - (star + delta) * v[i] * v[j] for j in range(n)] for i in range(n)]
        rows = psd.scaled(matrix, "z")
        assert charpoly_psd(rows) is expected  # the construction itself
        assert verdicts(rows) == {key: expected for key in ("int", "flint", "elim-int", "elim-flint")}


def test_the_guess_never_raises_on_hostile_shapes():
    """Zero, negative, all-equal, 2^60-edge, +-2^3000 and alternating matrices of 16-40 rows: `_guess` returns a
    bool (no OverflowError, ValueError, ZeroDivisionError) and never True for a non-PSD matrix."""
    shapes = []
    for n in (16, 17, 31, 40):
        shapes += [[[0] * n for _ in range(n)],
                   [[-1 if i == j else 0 for j in range(n)] for i in range(n)],
                   [[7] * n for _ in range(n)],
                   [[(1 << 60) if i == j else -((1 << 60) // n) for j in range(n)] for i in range(n)],
                   [[(1 << 61) - 1 if i == j else -(1 << 59) for j in range(n)] for i in range(n)],
                   [[(-1) ** (i + j) * (1 << 3000) for j in range(n)] for i in range(n)],
                   [[(1 << 3000) if i == j == 0 else (1 if i == j else (i == 1 and j == 2) or (i == 2 and j == 1))
                     for j in range(n)] for i in range(n)],
                   [[(-1) ** (i + j) for j in range(n)] for i in range(n)],
                   [[1 << (4 * min(i, j)) for j in range(n)] for i in range(n)]]  # PD, cond ~ 2^4n
    for z in shapes:
        z = [[int(v) for v in row] for row in z]
        expected = charpoly_psd(z)
        for backend in BACKENDS:
            assert psd._guess([row[:] for row in z], backend) in (False, expected)
            assert psd.integer_psd([row[:] for row in z], backend) is expected


# --- (B) through the door: arrow certificates with a closed-form boundary ---------------------------------------

def arrow(inputs, outputs, diag, nu, value=None, objective_row=1):
    """One party, level 1: n = 1 + inputs (outputs - 1) rows; objective P(a = 0 | x = 0) (row 1, or the letter of
    `objective_row`). The only identities: Z00 = nu, 2 Z0r + Zrr = -g_r (products of two letters: zero or their
    own word, Z_rs = 0). Z = arrow(nu, Z0r = -(g_r + a_r)/2, Zrr = a_r) is PSD iff nu >= nu* = sum (g_r + a_r)^2/(4 a_r)
    (a_r > 0; a_r = 0 needs g_r = 0). A claim below 1 (the true maximum) is false."""
    n = 1 + inputs * (outputs - 1)
    letters = [(x, a) for x in range(inputs) for a in range(outputs - 1)]
    g = [0] * n
    g[objective_row] = 1
    x, a = letters[objective_row - 1]
    z = [[format_rational(nu)] + [format_rational(-(g[r] + diag[r]) / 2) for r in range(1, n)]]
    z += [[format_rational(diag[r])] + ["0"] * (n - 1 - r) for r in range(1, n)]
    problem = {"scenario": {"inputs": [inputs], "outputs": [outputs]}, "level": "1",
               "objective": {"bell": {"terms": [{"coef": "1", "inputs": [x], "outputs": [a]}]}}}
    evidence = {"nu": format_rational(nu), "lambda": "0", "Z": [z]}
    return make_certificate("redteam/arrow", "npa.max", "arrow", problem, "<=", nu if value is None else value,
                            evidence)


def boundary(diag, objective_row=1):
    return sum((F(r == objective_row) + d) ** 2 / (4 * d) for r, d in enumerate(diag) if r and d)


SIZES = {15: (14, 2), 16: (5, 4), 17: (16, 2), 29: (7, 5), 30: (29, 2), 31: (10, 4), 33: (8, 5)}


@pytest.mark.parametrize("env", ["flint", "int"])
@pytest.mark.parametrize("n", sorted(SIZES))
@pytest.mark.parametrize("spread", ["ones", "random", "wide"])
def test_arrow_certificates_at_their_boundary(n, spread, env, monkeypatch):
    if env == "int":
        monkeypatch.setenv("CERTIFY_PSD_BACKEND", "int")
    else:
        monkeypatch.delenv("CERTIFY_PSD_BACKEND", raising=False)
    rng = random.Random(f"{n}{spread}")
    inputs, outputs = SIZES[n]
    diag = [F(0)] + [{"ones": lambda: F(1), "random": lambda: F(rng.randint(1, 10**6), rng.randint(1, 10**6)),
                      "wide": lambda: F(2) ** rng.randint(-200, 200)}[spread]() for _ in range(n - 1)]
    star = boundary(diag)
    for delta, ok in ((F(1, 10**30), True), (F(0), True), (F(-1, 10**30), False)):
        verdict = check_certificate(arrow(inputs, outputs, diag, star + delta), "c")
        assert verdict.ok is ok, verdict.reason
        if not ok:
            assert "not positive semidefinite" in verdict.reason


@pytest.mark.parametrize("env", ["flint", "int"])
def test_a_false_claim_whose_float_cholesky_succeeds(env, monkeypatch):
    """max P(0|0) <= 1 - 10^-30 (false): Z = arrow with Z11 = 1 and small PD rows elsewhere; in floats the first 2x2
    minor is singular to 52 bits, the exact one is -10^-30 x (scale)."""
    if env == "int":
        monkeypatch.setenv("CERTIFY_PSD_BACKEND", "int")
    for n in (16, 31):
        inputs, outputs = SIZES[n]
        for small in (F(1, 2**40), F(1, 3), F(0)):
            diag = [F(0), F(1)] + [small] * (n - 2)
            nu = 1 - F(1, 10**30)
            cert = arrow(inputs, outputs, diag, nu)
            verdict = check_certificate(cert, "c")
            assert verdict.status == "false" and "not positive semidefinite" in verdict.reason
            npa = parse_problem(cert["claim"]["problem"], "p")
            mats = kernel_npa.parse_evidence(cert["evidence"], npa, "e")[4]
            rows = psd.scaled(mats[0], "z")
            assert not charpoly_psd(rows)
            assert psd._guess([r[:] for r in rows], "int") is False


# --- (C) the structure cache -------------------------------------------------------------------------------------

def test_one_cached_structure_two_objectives():
    """The same scenario and level (one cached structure) under another objective: the dual of P(0|0) <= 1 must not
    prove P(0|1) <= 1 (identities at A0|0 and A0|1 fail), before and after, in both orders."""
    diag = [F(0)] + [F(1)] * 15
    good = arrow(5, 4, diag, boundary(diag))
    other = copy.deepcopy(good)
    other["claim"]["problem"]["objective"]["bell"]["terms"][0]["outputs"] = [1]  # row 2: A1|0
    other = make_certificate("redteam/other", "npa.max", "x", other["claim"]["problem"], "<=", "1", other["evidence"])
    for _ in range(2):
        assert check_certificate(good, "g").ok
        bad = check_certificate(other, "o")
        assert bad.status == "false" and "dual identity fails" in bad.reason
    assert kernel_npa._build.cache_info().hits >= 1


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([(1,), (2,), (3,), (1, 1), (2, 1), (1, 2), (2, 2)]),
                          st.sampled_from([2, 3]), st.sampled_from(["1", "2", "1+AB", "1+AZ"]),
                          st.sampled_from([0, 1, 2])), min_size=10, max_size=30))
def test_cached_structures_equal_the_definition_in_any_order(seq):
    seen = {}
    for inputs, d, level, eve in seq:
        outputs = (d,) * len(inputs)
        try:
            monomials = words.parse_level(level, inputs, outputs, "l", eve)
        except CertifyError:
            continue
        got = kernel_npa._build(tuple(monomials))
        assert got == words.build(list(monomials)) and got.monomials == tuple(monomials)
        assert seen.setdefault(got.monomials, (inputs, outputs, eve)) == (inputs, outputs, eve)  # key complete
    assert kernel_npa._build.cache_info().currsize <= 8


@pytest.mark.parametrize("env", ["flint", "int"])
def test_checking_does_not_mutate_the_certificate(env, monkeypatch):
    """The elimination rewrites its integer rows in place: they must never be the certificate's own."""
    if env == "int":
        monkeypatch.setenv("CERTIFY_PSD_BACKEND", "int")
    diag = [F(0)] + [F(1, 2**100)] * 30  # PSD but singular to floats: the elimination runs
    cert = arrow(30, 2, diag, boundary(diag))
    before = json.dumps(cert, sort_keys=True)
    npa = parse_problem(cert["claim"]["problem"], "p")
    for _ in range(3):
        assert tangent_of(npa, cert["evidence"], "e")[0] == boundary(diag)
        assert check_certificate(cert, "c").ok
    assert json.dumps(cert, sort_keys=True) == before


# --- (D) integer identities over blocks of different denominators -----------------------------------------------

PRIMES = [3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47]


def guess_arrows(d, exponents, rng):
    """max_e P(a = e | x = 0) of one party (1 input, d outputs), level 1: d blocks of d rows. Block e < d - 1
    (word A_e|0): arrow(nu, -(g_r + a_r)/2, a_r); block d - 1 (1 - sum_a A_a|0): Z00 = nu - 1, Z0r = (1 - a_r)/2.
    Block b's a_r have denominators powers of its own prime. nu: the largest need + 10^-20 (a true claim)."""
    blocks = []
    for b in range(d):
        p = PRIMES[b % len(PRIMES)]
        blocks.append([F(0)] + [1 + F(rng.randint(1, 9), p ** rng.randint(1, exponents)) for _ in range(d - 1)])
    need = [sum((F(r == b + 1) + a) ** 2 / (4 * a) for r, a in enumerate(diag) if r) for b, diag in
            enumerate(blocks[:-1])] + [1 + sum((1 - a) ** 2 / (4 * a) for a in blocks[-1][1:])]
    nu = max(need) + F(1, 10**20)
    zs = []
    for b, diag in enumerate(blocks):
        last = b == d - 1
        head = [nu - 1 if last else nu] + [(1 - a) / 2 if last else -(F(r == b + 1) + a) / 2
                                           for r, a in enumerate(diag) if r]
        zs.append([[format_rational(v) for v in head]] + [[format_rational(diag[r])] + ["0"] * (d - 1 - r)
                                                          for r in range(1, d)])
    problem = {"scenario": {"inputs": [1], "outputs": [d]}, "level": "1",
               "objective": {"guess": {"parties": [0], "inputs": [0]}}}
    return make_certificate("redteam/guess", "npa.max", "g", problem, "<=", nu,
                            {"nu": format_rational(nu), "lambda": "0", "Z": zs})


@settings(max_examples=15, deadline=None)
@given(st.integers(2, 7), st.integers(1, 30), st.integers(0, 2**32), st.data())
def test_one_unit_of_one_blocks_denominator_breaks_its_identity(d, exponents, seed, data):
    cert = guess_arrows(d, exponents, random.Random(seed))
    assert check_certificate(cert, "c").ok
    b = data.draw(st.integers(0, d - 1))
    r = data.draw(st.integers(0, d - 1))
    z = cert["evidence"]["Z"][b]
    unit = F(1, denominator([F(v) for row in z for v in row], "z"))  # one unit of this block's scale
    for eps in (unit, -unit):
        bad = copy.deepcopy(cert)
        bad["evidence"]["Z"][b][r][0] = format_rational(F(z[r][0]) + eps)  # a diagonal entry: word 1 or A_r-1|0
        verdict = check_certificate(bad, "c")
        assert verdict.status == "false" and f"Z[{b}]: dual identity fails" in verdict.reason


def test_thirty_two_blocks_of_thirty_two_rows():
    """The guess path, 32 blocks of 32 rows (flint backend; 64 x 64 exceeds the work bound): the true bound verifies;
    nu lowered below 1 in every block (identities kept) is refused at block 0 as not PSD."""
    cert = guess_arrows(32, 2, random.Random(32))
    started = time.perf_counter()
    assert check_certificate(cert, "c").ok
    assert time.perf_counter() - started < 20
    bad = copy.deepcopy(cert)
    nu = 1 - F(1, 10**30)
    shift = F(bad["evidence"]["nu"]) - nu
    for z in bad["evidence"]["Z"]:
        z[0][0] = format_rational(F(z[0][0]) - shift)
    bad["evidence"]["nu"] = format_rational(nu)
    bad["claim"]["value"] = format_rational(nu)
    verdict = check_certificate(bad, "c")
    assert verdict.status == "false" and "Z[0]: not positive semidefinite" in verdict.reason


# --- (E) parsing -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["\u0663", "1\u0663", "\uff11", "1/3\n", "\n1", "-1/3 ", "--1", "-/3", "0/" + "7" * 10,
                                  "00", "-00/3", "1//3", "1/3/5", "0" + "1" * (MAX_DIGITS - 1),
                                  "-" + "1" * (MAX_DIGITS + 1) + "/3", "1" * MAX_DIGITS + "0/" + "3",
                                  "2" + "0" * (MAX_DIGITS - 1) + "/" + "4" + "0" * (MAX_DIGITS - 1)])
def test_more_spellings_the_shortcut_must_refuse(text):
    with pytest.raises(CertifyError):
        parse_rational(text, "x")


def test_boundary_spellings_that_are_read():
    assert parse_rational("-" + "9" * MAX_DIGITS + "/" + "8" * (MAX_DIGITS - 1) + "7", "x") == \
        F(-int("9" * MAX_DIGITS), int("8" * (MAX_DIGITS - 1) + "7"))
    assert parse_rational("-1/" + "9" * MAX_DIGITS, "x") == F(-1, int("9" * MAX_DIGITS))
    assert parse_rational("0", "x") == 0


def test_denominator_repeats_are_free_and_refusals_kept():
    many = [F(1, 3)] * 200_000 + [F(2, 3), F(5)]
    started = time.perf_counter()
    assert denominator(many, "x") == 3
    assert denominator(iter(many), "x") == 3  # a generator, as `psd._integers` passes
    assert time.perf_counter() - started < 2
    with pytest.raises(CertifyError, match="exceeds 2048 bits"):
        denominator([F(1, 2**2048)] * 1000, "x")
    assert denominator([F(1, 2**2047)] * 1000 + [F(1, 2**k) for k in range(2048)], "x") == 2**2047


def _reference_to_words(expr, scenario):
    """Independent expansion: a last outcome is 1 - sum_b E_b, each factor a list of (letters, sign)."""
    out = {(): F(expr.constant)}
    for outs, ins, coef in expr.terms:
        partial = [((), 1)]
        for i, (a, x) in enumerate(zip(outs, ins)):
            if a is None:
                continue
            last = a == scenario.outputs[i] - 1
            factor = [((), 1)] + [(((i, x, b),), -1) for b in range(a)] if last else [(((i, x, a),), 1)]
            partial = [(w + f, s * t) for w, s in partial for f, t in factor]
        for word, sign in partial:
            out[word] = out.get(word, F(0)) + sign * coef
    return {w: c for w, c in out.items() if c != 0 or w == ()}


def test_to_words_zero_sums_duplicates_and_huge_denominators():
    scenario = Scenario((2, 3), (3, 2))
    big = 2**2000 + 1  # odd: its own lcm with small denominators stays < 2048 bits
    terms = [((0, 1), (1, 2), F(1, big)), ((0, 1), (1, 2), F(-1, big)),  # cancel: the term disappears
             ((2, None), (0, None), F(3, 7)), ((2, None), (0, None), F(4, 7)),  # sum 1: denominator 1
             ((2, 1), (1, 0), F(5, big)), ((1, 0), (0, 2), F(-2, 3)), ((2, 1), (1, 0), F(-5, big))]
    expr = make_expression(scenario, terms, F(-1, big))
    assert all(c.denominator in (1, 3) for _, _, c in expr.terms)
    got = to_words(expr, scenario)
    assert got == _reference_to_words(expr, scenario) and all(type(c) is F for c in got.values())
    assert got[()] == F(-1, big) + 1  # the constant and the last outcome's "1"
    zero = make_expression(scenario, terms[:2])  # every term cancels: only the identity, 0
    assert to_words(zero, scenario) == {(): F(0)}
    raw = Expression(tuple(((0, None), (x, None), F(1, 2**1500 + 2 * x + 1)) for x in range(2)), F(0))
    with pytest.raises(CertifyError, match="common denominator exceeds"):
        to_words(raw, scenario)  # two coprime 1500-bit denominators: 3000 bits


# --- (F) hostile files in a child process -----------------------------------------------------------------------

run_check = limited_check  # tests/conftest.py: `certify check` in a child under memory and CPU limits


def assert_one_line_refusal(result, code, pattern):
    rc, out, err, seconds = result
    assert rc == code, f"exit {rc} after {seconds:.1f} s: {err[-500:]}"
    assert "Traceback" not in out + err and "internal error" not in out + err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and pattern in lines[0], err[-500:]


def write(tmp_path, name, cert) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(cert, separators=(",", ":")))
    return path


def bell_with_denominators(dens):
    terms = [{"coef": f"1/{d}", "inputs": [0, 0], "outputs": [0, 0]} for d in dens]
    problem = {"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, "level": "1", "objective": {"bell": {"terms": terms}}}
    return make_certificate("redteam/hash", "npa.max", "h", problem, "<=", "1", {"nu": "1", "lambda": "0", "Z": []})


COLLIDING = 40_000  # 3 MB of terms; MAX_TERMS = 100,000 (7.6 MB) would take ~70 s


def test_distinct_hash_denominators_are_refused_quickly(tmp_path):
    """Control: 40,000 distinct 61-bit-step denominators of distinct hashes: one line, exit 2, well under 5 s."""
    path = write(tmp_path, "spread.json", bell_with_denominators(3 + t * 1000003 for t in range(1, COLLIDING + 1)))
    assert_one_line_refusal(run_check(path, 5), 2, "common denominator exceeds 2048 bits")


def test_colliding_hash_denominators_are_refused_quickly(tmp_path):
    dens = [3 + t * P61 for t in range(1, COLLIDING + 1)]
    assert len({hash(d) for d in dens}) == 1
    path = write(tmp_path, "collide.json", bell_with_denominators(dens))
    assert_one_line_refusal(run_check(path, 5), 2, "common denominator exceeds 2048 bits")


def level2_z(dens_of):
    """One party, 20 inputs, 2 outputs, level 2: 401 rows; Z's upper triangle from dens_of(k) (80,601 entries)."""
    inputs, n = 20, 401
    problem = {"scenario": {"inputs": [inputs], "outputs": [2]}, "level": "2",
               "objective": {"bell": {"terms": [{"coef": "1", "inputs": [0], "outputs": [0]}]}}}
    counter = iter(range(1, n * n))
    z = [[f"1/{dens_of(next(counter))}" for _ in range(n - i)] for i in range(n)]
    return make_certificate("redteam/z", "npa.max", "z", problem, "<=", "1", {"nu": "1", "lambda": "0", "Z": [z]})


def test_a_large_z_of_one_repeated_denominator_is_refused_by_the_work_bound(tmp_path):
    path = write(tmp_path, "same.json", level2_z(lambda k: 3))
    assert_one_line_refusal(run_check(path, 8), 2, "exceed the elimination work bound")


def test_a_large_z_of_colliding_denominators_is_refused_quickly(tmp_path):
    path = write(tmp_path, "zcollide.json", level2_z(lambda k: 3 + k * P61))
    assert_one_line_refusal(run_check(path, 5), 2, "common denominator exceeds 2048 bits")


def test_max_digit_entries_in_a_guess_sized_z_are_bounded(tmp_path):
    """16 rows (the guess runs) of 4000-digit integers: refused by the work bound; 12 rows (no guess): decided."""
    for n, (inputs, outputs), code, pattern in ((16, (5, 4), 2, "work bound"), (12, (11, 2), 1, "")):
        big = "9" * MAX_DIGITS
        z = [[big if k == 0 else "0" for k in range(n - i)] for i in range(n)]
        problem = {"scenario": {"inputs": [inputs], "outputs": [outputs]}, "level": "1",
                   "objective": {"bell": {"terms": [{"coef": "1", "inputs": [0], "outputs": [0]}]}}}
        cert = make_certificate("redteam/digits", "npa.max", "d", problem, "<=", "1",
                                {"nu": big, "lambda": "0", "Z": [z]})
        result = run_check(write(tmp_path, f"d{n}.json", cert), 8)
        if code == 2:
            assert_one_line_refusal(result, 2, pattern)
        else:  # identities fail (Z0r = 0): a one-line false verdict, exit 1
            assert result[0] == 1 and "Traceback" not in result[1] + result[2], result


def test_a_to_words_expression_of_huge_power_of_two_denominators_is_decided_quickly(tmp_path):
    """12,000 terms with denominators 2^k, k <= 2047 (lcm 2^2047: accepted), spread over every letter and the last
    outcomes of a 3-output scenario: to_words sums 2048-bit integers; the certificate fails its identities (exit 1)."""
    rng = random.Random(12)
    terms = [{"coef": f"{2 * rng.randint(0, 10**6) + 1}/{2 ** rng.randint(1, 2047)}", "inputs": [rng.randrange(3)],
              "outputs": [rng.randrange(3)]} for _ in range(12_000)]
    problem = {"scenario": {"inputs": [3], "outputs": [3]}, "level": "1", "objective": {"bell": {"terms": terms}}}
    z = [["1"] + ["0"] * 6] + [["0"] * (7 - i) for i in range(1, 7)]
    cert = make_certificate("redteam/pow2", "npa.max", "p", problem, "<=", "1", {"nu": "1", "lambda": "0", "Z": [z]})
    rc, out, err, seconds = run_check(write(tmp_path, "pow2.json", cert), 10)
    assert rc == 1 and "dual identity fails" in out + err and "Traceback" not in out + err, (rc, err[-300:])
