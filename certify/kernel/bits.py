"""From CHSH counts to "H_min >= k bits": Pironio et al. 2010, eqs. (2) and (3).

Trusted. Inputs are exact: counts N(a,b;x,y) as ints keyed (x, y, a, b) with
x, y, a, b in {0, 1}; the input distribution P(xy) as Fractions keyed (x, y);
delta as a Fraction; and a tangent line (nu, lam) that the caller has ALREADY
proven (by the NPA or LP kernel) to satisfy G(I) <= nu - lam * I for every I,
where G is the guessing probability of the output pair of one round.

The chain (Supplementary Information A of the paper, with a tangent line):
  1. I_hat = (1/n) sum_{x,y} (-1)^{xy} [N(a=b,xy) - N(a!=b,xy)] / P(xy), exact.
  2. Azuma-Hoeffding on the martingale of per-round estimators (each in
     [-1/q, 1/q], conditional mean in [-I_max, I_max]): with probability
     >= 1 - delta the average conditional CHSH value Ibar of the n rounds
     satisfies Ibar >= I_hat - eps, eps = (1/q + I_max) sqrt(2 ln(1/delta)/n).
     We use a rational eps_hi >= eps (interval bounds), so I_low = I_hat -
     eps_hi <= I_hat - eps.
  3. P(r|s) <= prod_i G(I_i) <= prod_i (nu - lam I_i) <= (nu - lam Ibar)^n by
     AM-GM (every factor is >= G(I_i) >= 0), and with lam >= 0 this is
     <= (nu - lam I_low)^n =: G_hi^n.
  4. "H_min >= k" is "G_hi^n * 2^k <= 1", checked on integers.
The local-model p-value (P7) is the same Azuma bound with I_max = 2:
P(I_hat >= observed | local, with memory) <= exp(-n (I_hat-2)^2 / (2 (1/q+2)^2)).
"""

from dataclasses import dataclass
from fractions import Fraction

from certify.errors import CertifyError
from certify.kernel.format import Reject, format_rational
from certify.kernel.intervals import exp_interval, ln_interval, sqrt_interval, up

BITS = (0, 1)
PAIRS = tuple((x, y) for x in BITS for y in BITS)
KEYS = tuple((x, y, a, b) for x in BITS for y in BITS for a in BITS for b in BITS)
MODELS = ("quantum", "no-signalling", "local")
EXACT_POWER_LIMIT = 1 << 24  # bits of p**n, q**n computed exactly; beyond, rounded squaring


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


def validate(counts, p_xy, q=None):
    """Check counts and P(xy); return (n, q). Bad input is a CertifyError naming the field."""
    if set(counts) != set(KEYS):
        missing = sorted(set(KEYS) - set(counts))
        if missing:
            x, y, a, b = missing[0]
            raise CertifyError(f"counts[x={x},y={y},a={a},b={b}]: missing")
        raise CertifyError(f"counts: unknown key {sorted(set(counts) - set(KEYS), key=repr)[0]!r}")
    for (x, y, a, b), value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise CertifyError(f"counts[x={x},y={y},a={a},b={b}]: expected a non-negative integer, got {value!r}")
    for x, y in PAIRS:
        if sum(counts[x, y, a, b] for a in BITS for b in BITS) == 0:
            raise CertifyError(f"counts[x={x},y={y}]: input pair has no trials")
    if set(p_xy) != set(PAIRS):
        raise CertifyError("p_xy: expected probabilities for the input pairs 00, 01, 10, 11")
    for (x, y), p in p_xy.items():
        if not isinstance(p, (int, Fraction)) or isinstance(p, bool) or not 0 < p <= 1:
            raise CertifyError(f"p_xy[{x}{y}]: expected a rational in (0, 1], got {p!r}")
    total = sum(p_xy.values())
    if total != 1:
        raise CertifyError(f"p_xy: probabilities sum to {format_rational(total)}, not 1")
    q_min = Fraction(min(p_xy.values()))
    if q is not None and Fraction(q) != q_min:
        raise CertifyError(f"q: {format_rational(q)} disagrees with min P(xy) = {format_rational(q_min)}")
    return sum(counts.values()), q_min


def check_delta(delta) -> Fraction:
    if not isinstance(delta, (int, Fraction)) or isinstance(delta, bool) or not 0 < delta < 1:
        shown = format_rational(delta) if isinstance(delta, Fraction) else repr(delta)[:40]
        raise CertifyError(f"delta: expected a rational in (0, 1), got {shown}")
    return Fraction(delta)


def chsh_estimate(counts, p_xy) -> Fraction:
    """I_hat of eq. (2), exact."""
    n, _ = validate(counts, p_xy)
    total = Fraction(0)
    for x, y in PAIRS:
        same = counts[x, y, 0, 0] + counts[x, y, 1, 1]
        diff = counts[x, y, 0, 1] + counts[x, y, 1, 0]
        total += (-1) ** (x * y) * Fraction(same - diff) / p_xy[x, y]
    return total / n


def i_max_upper(model: str) -> Fraction:
    """A rational upper bound on the largest CHSH value of the model."""
    if model == "quantum":
        return sqrt_interval(Fraction(8))[1]  # 2 sqrt(2) = sqrt(8)
    if model == "no-signalling":
        return Fraction(4)
    if model == "local":
        return Fraction(2)
    raise CertifyError(f"model: expected one of {', '.join(MODELS)}, got {model!r}")


def epsilon_upper(n: int, q: Fraction, delta: Fraction, model: str) -> Fraction:
    """eps_hi >= eps = (1/q + I_max) sqrt(2 ln(1/delta) / n): each factor is bounded above
    and all are positive, so the product of upper bounds bounds the product."""
    delta = check_delta(delta)
    if n <= 0:
        raise CertifyError(f"n: expected a positive number of trials, got {n}")
    ln_hi = ln_interval(1 / delta)[1]
    root_hi = sqrt_interval(2 * ln_hi / n)[1]
    return up((1 / Fraction(q) + i_max_upper(model)) * root_hi)


def pow_upper(g: Fraction, n: int) -> Fraction:
    """A rational u >= g**n for 0 < g: exact when small, else squaring rounded up
    (each rounded-up factor bounds the exact one, and products of positive
    upper bounds are upper bounds)."""
    if n * (g.numerator.bit_length() + g.denominator.bit_length()) <= EXACT_POWER_LIMIT:
        return g**n
    result, base = Fraction(1), up(g, 256)
    while n:
        if n & 1:
            result = up(result * base, 256)
        base, n = up(base * base, 256), n >> 1
    return result


def largest_k(u: Fraction) -> int:
    """The largest k >= 0 with u * 2^k <= 1 (u > 0), verified on integers."""
    a, b = u.numerator, u.denominator
    if a > b:
        return 0
    k = max(b.bit_length() - a.bit_length(), 0)
    while k > 0 and a << k > b:
        k -= 1
    if a << k > b or (a << (k + 1)) <= b:
        raise Reject(f"internal: k = {k} is not the largest with u 2^k <= 1")
    return k


def check_bits(counts, delta, p_xy, nu, lam, model="quantum", q=None) -> BitsResult:
    """The largest k with H_min >= k bits, w.p. >= 1 - delta (see the module chain).

    (nu, lam) must already be proven: G(I) <= nu - lam I for all I, lam >= 0.
    """
    n, q_min = validate(counts, p_xy, q)
    delta = check_delta(delta)
    nu, lam = Fraction(nu), Fraction(lam)
    if lam < 0:
        raise Reject(f"tangent: lambda = {format_rational(lam)} is negative, the bound would grow with I")
    i_hat = chsh_estimate(counts, p_xy)
    eps_hi = epsilon_upper(n, q_min, delta, model)
    i_low = i_hat - eps_hi
    g_hi = up(nu - lam * i_low, 256)
    if i_low < 2:
        return BitsResult(0, n, i_hat, eps_hi, i_low, g_hi,
                          f"I_hat - eps <= {float(i_low):.5f} < 2: no randomness certified (0 bits)")
    if g_hi <= 0:
        raise Reject(f"tangent: nu - lambda I_low = {float(g_hi):.6g} <= 0, not a bound on a probability")
    if g_hi >= 1:
        return BitsResult(0, n, i_hat, eps_hi, i_low, g_hi, "G_hi >= 1: the tangent certifies 0 bits")
    k = largest_k(pow_upper(g_hi, n))
    return BitsResult(k, n, i_hat, eps_hi, i_low, g_hi, f"G_hi^{n} * 2^{k} <= 1 verified on integers")


def p_value_upper(counts, p_xy, q=None) -> Fraction:
    """A proven upper bound on P(I_hat >= observed | local model, with memory)."""
    n, q_min = validate(counts, p_xy, q)
    i_hat = chsh_estimate(counts, p_xy)
    if i_hat <= 2:
        return Fraction(1)
    exponent = -n * (i_hat - 2) ** 2 / (2 * (1 / q_min + 2) ** 2)
    return min(Fraction(1), exp_interval(exponent)[1])


def check_p_value(counts, p_xy, p, q=None) -> Fraction:
    """Verify "p-value <= p"; return the proven upper bound, or raise Reject."""
    bound = p_value_upper(counts, p_xy, q)
    if bound > Fraction(p):
        raise Reject(f"p-value bound {float(bound):.6g} exceeds the claimed {float(Fraction(p)):.6g}")
    return bound
