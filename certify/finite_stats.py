"""Finite statistics of a CHSH test (Pironio et al. 2010, eqs. (2) and (3)): estimates and floats.

Untrusted helpers for reporting and plotting. Exact quantities (I_hat, eps_hi,
the certified bits and the p-value bound) come from `certify.kernel.bits`;
this module adds the i.i.d. standard error, the P(a=b|xy) column, float
versions of eps and of n f(I_hat - eps), the analytic curves b and c of
Fig. 2, and rational tangent lines of curve b.

Conventions: counts keyed (x, y, a, b); P(xy) keyed (x, y), default uniform;
q = min P(xy); models "quantum" (I_max = 2 sqrt 2), "no-signalling" (4), "local" (2).
"""

import math
from fractions import Fraction

from certify.counts import CountTable, uniform_inputs
from certify.kernel import bits as kbits
from certify.kernel.intervals import sqrt_interval

I_MAX = {"quantum": 2 * math.sqrt(2), "no-signalling": 4.0, "local": 2.0}


def _parts(table, p_xy):
    counts = table.counts if isinstance(table, CountTable) else table
    if p_xy is None:
        p_xy = table.p_xy if isinstance(table, CountTable) and table.p_xy is not None else uniform_inputs()
    return counts, p_xy


def i_hat(table, p_xy=None) -> Fraction:
    """I_hat of eq. (2), exact (uniform inputs unless P(xy) is given or stored in the table)."""
    counts, p_xy = _parts(table, p_xy)
    return kbits.chsh_estimate(counts, p_xy)


def standard_error(table, p_xy=None) -> float:
    """i.i.d. standard error of I_hat: the per-trial estimator Z = (-1)^{xy+a+b} / P(xy)
    has mean I_hat; its sample variance (n - 1 in the denominator) over n gives the error."""
    counts, p_xy = _parts(table, p_xy)
    n, _ = kbits.validate(counts, p_xy)
    second = sum(Fraction(c) / p_xy[x, y] ** 2 for (x, y, a, b), c in counts.items()) / n
    mean = kbits.chsh_estimate(counts, p_xy)
    variance = (second - mean**2) * Fraction(n, n - 1) if n > 1 else Fraction(0)
    return math.sqrt(variance / n)


def agreement(table) -> dict:
    """P(a=b|xy) for each input pair, exact: the last column of Table 1."""
    counts, p_xy = _parts(table, None)
    kbits.validate(counts, p_xy)
    out = {}
    for x, y in kbits.PAIRS:
        total = sum(counts[x, y, a, b] for a in kbits.BITS for b in kbits.BITS)
        out[x, y] = Fraction(counts[x, y, 0, 0] + counts[x, y, 1, 1], total)
    return out


def epsilon(n, q, delta, model: str = "quantum") -> float:
    """eps of eq. (3) as a float: (1/q + I_max) sqrt(2 ln(1/delta) / n)."""
    return (1 / float(q) + I_MAX[model]) * math.sqrt(2 * math.log(1 / float(delta)) / float(n))


def p_value_local(n, i_hat_value, q) -> float:
    """exp(-n (I_hat - 2)^2 / (2 (1/q + 2)^2)) as a float (1 when I_hat <= 2)."""
    gap = max(float(i_hat_value) - 2, 0.0)
    return math.exp(-float(n) * gap**2 / (2 * (1 / float(q) + 2) ** 2))


def f_curve_b(i) -> float:
    """Curve b of Fig. 2: f(I) = 1 - log2(1 + sqrt(2 - I^2/4)) (0 below I = 2)."""
    i = min(max(float(i), 2.0), 2 * math.sqrt(2))
    return 1 - math.log2(1 + math.sqrt(max(2 - i * i / 4, 0.0)))


def f_no_signalling(i) -> float:
    """Curve c of Fig. 2: f_NS(I) = -log2(3/2 - I/4) (0 below I = 2)."""
    return -math.log2(1.5 - max(float(i), 2.0) / 4)


def entropy_bound(n, i_observed, q, delta, f, model: str = "quantum") -> float:
    """n f(I - eps(n)) as a float, 0 when I - eps <= 2 (eq. (3))."""
    i_low = float(i_observed) - epsilon(n, q, delta, model)
    return float(n) * f(i_low) if i_low > 2 else 0.0


def bits_from_tangent(n, i_low, nu, lam) -> float:
    """-n log2(nu - lam I_low): the float value a tangent line gives (the kernel proves its floor)."""
    g = float(nu) - float(lam) * float(i_low)
    return -float(n) * math.log2(g) if 0 < g < 1 else 0.0


def curve_b_tangent(lam: Fraction):
    """A rational line G_b(I) <= nu - lam I for all I, G_b = (1 + sqrt(2 - I^2/4))/2.

    max_I G_b(I) + lam I is attained at I = 8 lam s with s = sqrt(2/(1+16 lam^2)),
    where it equals (1 + sqrt(2 (1 + 16 lam^2)))/2; nu is a rational upper bound of it.
    """
    lam = Fraction(lam)
    return Fraction(1, 2) + sqrt_interval(2 * (1 + 16 * lam * lam))[1] / 2, lam


def curve_b_tangent_at(i0) -> tuple:
    """The curve b tangent touching near I = i0 (slope rounded to a rational)."""
    i0 = min(max(float(i0), 2.0), 2 * math.sqrt(2) - 1e-9)
    lam = Fraction(i0 / (8 * math.sqrt(2 - i0 * i0 / 4))).limit_denominator(10**12)
    return curve_b_tangent(lam)


def input_entropy(q) -> float:
    """H(1 - 3q, q, q, q) in bits: the entropy per round of the biased inputs."""
    q = float(q)
    terms = [1 - 3 * q, q, q, q]
    return -sum(t * math.log2(t) for t in terms if t > 0)
