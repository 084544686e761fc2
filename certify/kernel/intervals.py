"""Rational enclosures of sqrt, ln, log2 and exp: each returns (lo, hi) with lo <= f(x) <= hi (trusted).

Pure Python; every endpoint follows from an elementary inequality stated beside the code, so no rounding
mode is trusted. `prec` is a RELATIVE precision in bits: intermediate values are rounded outward to `prec`
significant bits (`down`, `up`), which keeps the integers small and never loses containment.
"""

from fractions import Fraction
from math import floor, isqrt

PREC = 160
# exp(-11356) < 2**-16383 < 10**-4000 <= every positive rational the format can spell
EXP_FLOOR = -11356


def down(v: Fraction, prec: int = PREC) -> Fraction:
    """The largest m / 2**s <= v with m of about `prec` bits (v itself when shorter)."""
    v = Fraction(v)
    if v == 0 or v.denominator & (v.denominator - 1) == 0 and abs(v.numerator).bit_length() <= prec:
        return v
    s = prec - (abs(v.numerator).bit_length() - v.denominator.bit_length())
    return Fraction((v.numerator << max(s, 0)) // (v.denominator << max(-s, 0)), 1) / Fraction(2) ** s


def up(v: Fraction, prec: int = PREC) -> Fraction:
    """The smallest m / 2**s >= v (by symmetry: up(v) = -down(-v))."""
    return -down(-Fraction(v), prec)


def sqrt_interval(x: Fraction, prec: int = PREC):
    """Enclosure of sqrt(x), x >= 0, exact when x is the square of a rational. Lemma: for
    integers N >= 0, r = isqrt(N) has r**2 <= N < (r+1)**2, so r / 2**s <= sqrt(N) / 2**s,
    and with N = floor / ceil of x * 4**s the bounds carry over to sqrt(x) by monotonicity."""
    x = Fraction(x)
    if x < 0:
        raise ValueError("sqrt_interval: negative argument")
    p, q = x.numerator, x.denominator
    rp, rq = isqrt(p), isqrt(q)
    if rp * rp == p and rq * rq == q:
        return Fraction(rp, rq), Fraction(rp, rq)
    s = max(prec - (p.bit_length() - q.bit_length()) // 2, 0)
    low = isqrt((p << 2 * s) // q)
    n_hi = -((-p << 2 * s) // q)  # ceil(x * 4**s) >= 1, as x > 0 here
    high = isqrt(n_hi - 1) + 1  # ceil(sqrt(n_hi)): isqrt(N - 1)**2 <= N - 1 < (isqrt(N - 1) + 1)**2
    return Fraction(low, 1 << s), Fraction(high, 1 << s)


def _atanh_sum(t: Fraction, prec: int):
    """Enclosure of atanh(t) = sum_k t**(2k+1)/(2k+1) for 0 <= t <= 1/2. All terms are
    non-negative, so a partial sum is a lower bound; the tail after N terms is at most
    t**(2N+1) sum_j t**(2j) = t**(2N+1) / (1 - t**2) <= t**(2N+1) 4/3. Powers: [p_lo, p_hi]."""
    p_lo, p_hi, s_lo, s_hi = t, t, Fraction(0), Fraction(0)
    bound, k = Fraction(1, 1 << (prec + 4)), 0
    while True:
        s_lo = down(s_lo + down(p_lo / (2 * k + 1), prec + 8), prec + 8)
        s_hi = up(s_hi + up(p_hi / (2 * k + 1), prec + 8), prec + 8)
        p_lo, p_hi = down(p_lo * t * t, prec + 8), up(p_hi * t * t, prec + 8)
        k += 1
        tail = p_hi * Fraction(4, 3)
        if tail <= bound:
            return s_lo, up(s_hi + tail, prec + 8)


def ln2_interval(prec: int = PREC):
    """ln 2 = 2 atanh(1/3)."""
    return tuple(2 * v for v in _atanh_sum(Fraction(1, 3), prec))


def ln_interval(x: Fraction, prec: int = PREC):
    """Enclosure of ln(x), x > 0. Write x = m * 2**e with 1/sqrt(2) < m < sqrt(2) (checked
    exactly by squaring); then ln x = e ln 2 + 2 atanh(t), t = (m-1)/(m+1), |t| < 0.172,
    and atanh is odd, so a negative t uses the enclosure of -t reflected."""
    x = Fraction(x)
    if x <= 0:
        raise ValueError("ln_interval: argument must be positive")
    if x == 1:
        return Fraction(0), Fraction(0)
    e = x.numerator.bit_length() - x.denominator.bit_length()
    m = x / Fraction(2) ** e
    while 2 * m * m > 4:
        m, e = m / 2, e + 1
    while 2 * m * m < 1:
        m, e = m * 2, e - 1
    t = (m - 1) / (m + 1)
    lo, hi = _atanh_sum(abs(t), prec + 8)
    if t < 0:
        lo, hi = -hi, -lo
    l2lo, l2hi = ln2_interval(prec + 8 + max(e.bit_length(), 1))
    elo, ehi = (e * l2lo, e * l2hi) if e >= 0 else (e * l2hi, e * l2lo)
    return down(2 * lo + elo, prec), up(2 * hi + ehi, prec)


def log2_interval(x: Fraction, prec: int = PREC):
    """Enclosure of log2(x) = ln(x) / ln(2), x > 0, exact (a point) for powers of two. Dividing
    by the positive [l, h] ∋ ln 2, each endpoint's extreme quotients use l or h."""
    x = Fraction(x)
    if x > 0 and x.numerator & (x.numerator - 1) == 0 and x.denominator & (x.denominator - 1) == 0:
        return (Fraction(x.numerator.bit_length() - x.denominator.bit_length()),) * 2
    (lo, hi), (l2lo, l2hi) = ln_interval(x, prec + 8), ln2_interval(prec + 8)
    return down(min(lo / l2lo, lo / l2hi), prec), up(max(hi / l2lo, hi / l2hi), prec)


def exp_upper(x: Fraction, prec: int = PREC) -> Fraction:
    """A rational >= exp(x), for x <= 64: exp is increasing, so exp(x) <= exp(max(x, EXP_FLOOR)),
    which keeps exp(-|x|) for |x| ~ 10^10 from being built (a weaker bound, but below every
    positive rational a claim can state)."""
    if x > 64:
        raise ValueError("exp_upper: argument above 64")
    return exp_interval(max(Fraction(x), Fraction(EXP_FLOOR)), prec)[1]


def _exp_small(y: Fraction, prec: int):
    """Enclosure of exp(y) for 0 <= y <= 1/2 by Taylor series. Terms y**k/k! are non-negative,
    so a partial sum is a lower bound; after the term k = N the remainder is at most
    y**(N+1)/(N+1)! * 2 (consecutive terms shrink by <= 1/2). Terms are carried as [t_lo, t_hi]."""
    t_lo = t_hi = s_lo = s_hi = Fraction(1)
    bound, k = Fraction(1, 1 << (prec + 4)), 0
    while True:
        k += 1
        t_lo, t_hi = down(t_lo * y / k, prec + 8), up(t_hi * y / k, prec + 8)
        s_lo, s_hi = down(s_lo + t_lo, prec + 8), up(s_hi + t_hi, prec + 8)
        tail = 2 * up(t_hi * y / (k + 1), prec + 8)
        if tail <= bound:
            return s_lo, up(s_hi + tail, prec + 8)


def exp_interval(x: Fraction, prec: int = PREC):
    """Enclosure of exp(x): exp(x) = exp(y)**(2**r) with y = |x| / 2**r <= 1/2; powers of positive
    enclosures enclose the power (monotone), rounded outward at each squaring. For x < 0,
    exp(x) = 1 / exp(-x) swaps the endpoints."""
    x = Fraction(x)
    if x == 0:
        return Fraction(1), Fraction(1)
    a, r = abs(x), 0
    while a > Fraction(1, 2) * 2**r:
        r += 1
    work = prec + 8 + 2 * r
    lo, hi = _exp_small(a / 2**r, work)
    for _ in range(r):
        lo, hi = down(lo * lo, work), up(hi * hi, work)
    if x < 0:
        lo, hi = 1 / hi, 1 / lo
    return down(lo, prec), up(hi, prec)


def largest_k(g: Fraction, n: int) -> int:
    """The largest k >= 0 with g^n 2^k <= 1 (0 < g < 1), never building g^n. Lemma: L_lo <= log2(1/g)
    <= L_hi gives floor(n L_lo) <= floor(n log2(1/g)) <= floor(n L_hi): equal ends decide; if a
    finer enclosure does not, floor(n L_lo) still holds (at most one below; appendix E)."""
    for prec in (PREC + 2 * n.bit_length(), 1024):
        lo, hi = log2_interval(g, prec)
        k_lo, k_hi = floor(-hi * n), floor(-lo * n)  # log2(1/g) = -log2(g) lies in [-hi, -lo]
        if k_lo == k_hi:
            break
    return max(k_lo, 0)
