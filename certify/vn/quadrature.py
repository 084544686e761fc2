"""Gauss-Radau quadrature on [0, 1] with the fixed node t_m = 1 (Brown-Fawzi-Fawzi's rule).

Untrusted. The m - 1 free nodes are t = (1 + x) / 2 for the roots x != 1 of P_{m-1}(x) - P_m(x)
and the weights w = t / (m^2 P_{m-1}(x)^2), the last w_m = 1 / m^2 (A&S 25.4.31 mirrored);
computed with mpmath at `dps` digits. `node_intervals` encloses each free node in a rational
interval of width 2^-bits whose endpoints the kernel can check by a sign change.
"""

from fractions import Fraction

import mpmath

from certify.kernel.vn import legendre


def _legendre_coefficients(n: int):
    """Coefficients (lowest degree first) of P_n, exactly."""
    before, now = [Fraction(1)], [Fraction(0), Fraction(1)]
    if n == 0:
        return before
    for k in range(1, n):
        shifted = [Fraction(0)] + [(2 * k + 1) * c for c in now]
        lower = [k * c for c in before] + [Fraction(0)] * (len(shifted) - len(before))
        before, now = now, [(a - b) / (k + 1) for a, b in zip(shifted, lower)]
    return now


def gauss_radau(m: int, dps: int = 60):
    """(nodes, weights) as mpmath numbers, increasing, the last node 1."""
    if m < 2:
        raise ValueError("Gauss-Radau needs m >= 2 nodes")
    with mpmath.workdps(dps):
        p_prev, p_m = _legendre_coefficients(m - 1), _legendre_coefficients(m)
        q = [a - b for a, b in zip(p_prev + [Fraction(0)], p_m)]
        roots = mpmath.polyroots([mpmath.mpf(c.numerator) / c.denominator for c in reversed(q)],
                                 maxsteps=400, extraprec=4 * dps)
        xs = sorted(mpmath.re(r) for r in roots if abs(mpmath.re(r) - 1) > mpmath.mpf(10) ** (-dps // 2))
        ts = [(1 + x) / 2 for x in xs] + [mpmath.mpf(1)]
        ws = [t / (m * m * mpmath.legendre(m - 1, 2 * t - 1) ** 2) for t in ts[:-1]] + [mpmath.mpf(1) / (m * m)]
    return ts, ws


def node_intervals(m: int, bits: int = 100):
    """[(lo, hi)] rational enclosures of the m - 1 free nodes, each with a checked sign change."""
    dps = max(60, bits // 3 + 20)
    ts, _ = gauss_radau(m, dps)
    q = lambda t: (lambda p: p[0] - p[1])(legendre(m, 2 * t - 1))
    out = []
    for t in ts[:-1]:
        with mpmath.workdps(dps):
            lo = Fraction(int(mpmath.floor(t * 2**bits)), 2**bits)
        hi = lo + Fraction(1, 2**bits)
        if q(lo) * q(hi) > 0:
            raise ArithmeticError(f"node {t}: no sign change on [{lo}, {hi}]")
        out.append((lo, hi))
    return out
