"""DIQKD with depolarising noise: the certified rate r = H(A|X=0,E) - h(Q) and its threshold Q*.

Untrusted. Honest devices: the Tsirelson strategy mixed with white noise, CHSH = 2 sqrt 2 (1 - 2Q)
and quantum bit error rate Q between A (x = 0) and Bob's key input, so H(A|B) = h(Q). A certificate
at Q is a "vn.bound" with "depolarising": Q: the kernel checks CHSH >= S with S^2 <= 8 (1 - 2Q)^2 (and no
statistics, which those devices need not meet) and subtracts an upper enclosure of h(Q). It proves r >= value
at Q, hence (H grows with S, h with Q on [0, 1/2]) r > 0 on all of [0, Q] when value > 0: so the certified
threshold is a lower bound on Q*.
"""

import math
from fractions import Fraction

import mpmath

from certify.certificate import checked
from certify.kernel.defs.scenario import Scenario, chsh
from certify.kernel.format import format_rational
from certify.vn.produce import LEVEL, certify_bound, definition


def analytic_threshold() -> float:
    """Q* with 1 - h(1/2 + 1/2 sqrt(S^2/4 - 1)) = h(Q), S = 2 sqrt 2 (1 - 2Q) (Pironio et al. NJP 2009)."""
    h = lambda p: -p * mpmath.log(p, 2) - (1 - p) * mpmath.log(1 - p, 2)
    s = lambda q: 2 * mpmath.sqrt(2) * (1 - 2 * q)
    rate = lambda q: 1 - h((1 + mpmath.sqrt(s(q) ** 2 / 4 - 1)) / 2) - h(q)
    return float(mpmath.findroot(rate, (0.06, 0.08), solver="illinois"))


def chsh_at(q: Fraction) -> Fraction:
    """The largest k / 10^9 with (k / 10^9)^2 <= 8 (1 - 2Q)^2, i.e. <= 2 sqrt 2 (1 - 2Q)."""
    k = math.isqrt(8 * (1 - 2 * q) ** 2 * 10**18 // 1)
    while Fraction(k, 10**9) ** 2 > 8 * (1 - 2 * q) ** 2:
        k -= 1
    return Fraction(k, 10**9)


def rate_certificate(q: Fraction, m: int = 8, level: str = LEVEL):
    """A "vn.bound" certificate of r(Q) = H(A|X=0,E) - h(Q) >= value, or None."""
    s = chsh_at(q)
    base = definition(Scenario((2, 2), (2, 2)), [0], [0], chsh(), s, level=level)
    cert, _ = certify_bound(base, m, f"vn/diqkd/depolarising/Q={format_rational(q)}/m={m}",
                            f"DIQKD rate H(A|X=0,E) - h(Q) >= value for depolarised CHSH devices, "
                            f"Q = {format_rational(q)} (CHSH >= {format_rational(s)}; Brown-Fawzi-Fawzi, m = {m})",
                            depolarising=format_rational(q))
    return cert


def certified_threshold(low=Fraction(6, 100), high=Fraction(72, 1000), step=Fraction(1, 10**4), m=8, progress=None):
    """Bisection on Q: (Q_c, certificate) with Q_c the largest point found whose rate is certified > 0."""
    best = None
    while high - low > step:
        mid = (low + high) / 2
        cert = rate_certificate(mid, m)
        verdict = None if cert is None else checked(cert, "rate")
        positive = verdict is not None and verdict.ok and verdict.low > 0
        if progress:
            progress(mid, None if verdict is None else verdict.low)
        if positive:
            low, best = mid, cert
        else:
            high = mid
    return low, best
