"""The bits chain under other CHSH models, with readable reasons (log2 enclosures: the kernel's).

Untrusted conveniences around `certify.kernel.bits`: the kernel's claims use the
quantum model only, while `certify bits --model` and the paper's comparisons
also run the no-signalling (I_max = 4) and local (I_max = 2) models. The bits
themselves always come from the kernel's `check_bits`; this module adds the
intermediate numbers and a one-line reason for printing.
"""

from dataclasses import dataclass
from fractions import Fraction

from certify.errors import CertifyError
from certify.kernel import bits as kbits
from certify.kernel.format import format_rational
from certify.kernel.intervals import log2_interval, sqrt_interval, up  # noqa: F401  (log2_interval: for reports)

MODELS = ("quantum", "no-signalling", "local")


@dataclass(frozen=True)
class BitsResult:
    """What `check_bits` proved. `bits` is the largest k with G_hi^n 2^k <= 1."""

    bits: int
    n: int
    i_hat: Fraction
    eps_hi: Fraction
    i_low: Fraction
    g_hi: Fraction
    reason: str


def i_max_upper(model: str) -> Fraction:
    """A rational upper bound on the largest CHSH value of the model."""
    if model == "quantum":
        return sqrt_interval(Fraction(8))[1]  # 2 sqrt(2) = sqrt(8)
    if model == "no-signalling":
        return Fraction(4)
    if model == "local":
        return Fraction(2)
    raise CertifyError(f"model: expected one of {', '.join(MODELS)}, got {model!r}")


def exact_i_max(model: str):
    """The model's I_max as the kernel takes it: None for quantum (2 sqrt 2, which the kernel
    encloses itself: upper end in eps, lower end for the clamp), else the exact rational."""
    return None if model == "quantum" else i_max_upper(model)


def i_max_lower(model: str) -> Fraction:
    """A rational lower bound on the model's largest CHSH value: where the kernel clamps I_low."""
    return sqrt_interval(Fraction(8))[0] if model == "quantum" else i_max_upper(model)


def epsilon_upper(n: int, q: Fraction, delta: Fraction, model: str = "quantum") -> Fraction:
    """eps_hi >= (1/q + I_max) sqrt(2 ln(1/delta) / n) for the model's I_max (`kbits.epsilon_upper`)."""
    return kbits.epsilon_upper(n, q, delta, i_max_upper(model))


def validate(counts, p_xy, q=None):
    """`kbits.validate` (n, min P(xy)), and the given q, if any, must be that minimum."""
    n, q_min = kbits.validate(counts, p_xy)
    if q is not None and Fraction(q) != q_min:
        raise CertifyError(f"q: {format_rational(q)} disagrees with min P(xy) = {format_rational(q_min)}")
    return n, q_min


def check_bits(counts, delta, p_xy, nu, lam, model="quantum", q=None) -> BitsResult:
    """The kernel's bits for the model, with I_hat, eps_hi, I_low, G_hi and a reason."""
    n, q_min = validate(counts, p_xy, q)
    bits = kbits.check_bits(counts, delta, p_xy, nu, lam, exact_i_max(model))
    i_hat = kbits.chsh_estimate(counts, p_xy)
    eps_hi = epsilon_upper(n, q_min, delta, model)
    i_low = min(i_hat - eps_hi, i_max_lower(model))  # the kernel's clamp (`kbits.check_bits`)
    g_hi = up(Fraction(nu) - Fraction(lam) * i_low, 256)
    if i_low < 2:
        reason = f"I_hat - eps <= {float(i_low):.5f} < 2: no randomness certified (0 bits)"
    elif g_hi >= 1:
        reason = "G_hi >= 1: the tangent certifies 0 bits"
    else:
        reason = f"G_hi^{n} * 2^{bits} <= 1 verified (n log2(1/G_hi) >= {bits} by interval logs)"
    return BitsResult(bits, n, i_hat, eps_hi, i_low, g_hi, reason)
