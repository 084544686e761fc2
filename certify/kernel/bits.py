"""From CHSH counts to "H_min >= k bits": Pironio et al. 2010, eqs. (2) and (3).

Trusted. Exact inputs: counts N(a,b;x,y), P(xy), delta, and a tangent G(I) <= nu - lam I already
proven (`kernel.chain`: NPA tangents, the quantum set; `kernel.nsbits`: LP tangents, no-signalling).
The chain (Supplementary Information A; in full: appendix E of docs/referee-guide.md): 1. I_hat of
eq. (2), exact. 2. Azuma-Hoeffding: w.p. >= 1 - delta the rounds' mean CHSH value Ibar >= I_low =
I_hat - eps_hi, eps_hi >= (1/q + I_max) sqrt(2 ln(1/delta)/n).
3. P(r|s) <= prod_i (nu - lam I_i) <= (nu - lam Ibar)^n (AM-GM) <= G_hi^n (lam >= 0).
4. "H_min >= k" iff G_hi^n 2^k <= 1, decided with interval logs. The local p-value is the same
Azuma bound with I_max = 2: P(I_hat >= observed) <= exp(-n (I_hat-2)^2 / (2 (1/q+2)^2)).
"""

from fractions import Fraction

from certify.errors import CertifyError
from certify.kernel.format import Reject, brief, field, format_rational, parse_int, parse_rational
from certify.kernel.intervals import exp_upper, largest_k, ln_interval, sqrt_interval, up

BITS = (0, 1)
PAIRS = tuple((x, y) for x in BITS for y in BITS)
KEYS = tuple((x, y, a, b) for x in BITS for y in BITS for a in BITS for b in BITS)


def validate(counts, p_xy):
    """Check counts and P(xy); return (n, q = min P(xy)). Bad input is a CertifyError naming the field."""
    missing = sorted(set(KEYS) - set(counts))
    if missing:
        raise CertifyError("counts[x={},y={},a={},b={}]: missing".format(*missing[0]))
    if set(counts) != set(KEYS):
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
            shown = format_rational(p) if isinstance(p, (int, Fraction)) and not isinstance(p, bool) else repr(p)
            raise CertifyError(f"p_xy[{x}{y}]: expected a rational in (0, 1], got {shown[:40]}")
    if sum(p_xy.values()) != 1:
        raise CertifyError(f"p_xy: probabilities sum to {brief(sum(p_xy.values()))}, not 1")
    return sum(counts.values()), Fraction(min(p_xy.values()))


def read_counts(problem: dict, where: str):
    """(counts {(x,y,a,b): int}, p_xy {(x,y): Fraction}) from a claim's problem."""
    counts = {}
    for j, row in enumerate(field(problem, "counts", list, where)):
        spot = f"{where}.counts[{j}]"
        if not isinstance(row, list) or len(row) != 6:
            raise CertifyError(f"{spot}: expected [x, y, N00, N01, N10, N11]")
        x, y = parse_int(row[0], f"{spot}[0]", 0, 1), parse_int(row[1], f"{spot}[1]", 0, 1)
        if (x, y, 0, 0) in counts:
            raise CertifyError(f"{spot}: input pair x={x}, y={y} listed twice")
        for k, (a, b) in enumerate(PAIRS):  # (0, 0), (0, 1), (1, 0), (1, 1)
            counts[x, y, a, b] = parse_int(row[2 + k], f"{spot}[{2 + k}]", 0, 10**12)
    p_xy_field = field(problem, "p_xy", dict, where)
    if set(p_xy_field) != {"00", "01", "10", "11"}:
        raise CertifyError(f'{where}.p_xy: expected the keys "00", "01", "10", "11"')
    p_xy = {(int(k[0]), int(k[1])): parse_rational(v, f"{where}.p_xy.{k}") for k, v in p_xy_field.items()}
    validate(counts, p_xy)
    return counts, p_xy


def check_delta(delta) -> Fraction:
    if not isinstance(delta, (int, Fraction)) or isinstance(delta, bool) or not 0 < delta < 1:
        shown = format_rational(delta) if isinstance(delta, Fraction) else repr(delta)[:40]
        raise CertifyError(f"delta: expected a rational in (0, 1), got {shown}")
    return Fraction(delta)


def chsh_estimate(counts, p_xy) -> Fraction:
    """I_hat of eq. (2), exact."""
    n, _ = validate(counts, p_xy)  # (-1)^(a+b) is +1 on N(a=b,xy) and -1 on N(a!=b,xy)
    return sum((-1) ** (x * y + a + b) * Fraction(counts[x, y, a, b]) / p_xy[x, y] for x, y, a, b in KEYS) / n


def epsilon_upper(n: int, q: Fraction, delta: Fraction, i_max=None) -> Fraction:
    """eps_hi >= eps = (1/q + I_max) sqrt(2 ln(1/delta) / n), a product of positive upper bounds;
    I_max: by default 2 sqrt 2 rounded up (quantum), else the model's exact maximum (4: `kernel.nsbits`)."""
    delta = check_delta(delta)
    if n <= 0:
        raise CertifyError(f"n: expected a positive number of trials, got {n}")
    root_hi = sqrt_interval(2 * ln_interval(1 / delta)[1] / n)[1]
    return up((1 / Fraction(q) + (sqrt_interval(Fraction(8))[1] if i_max is None else i_max)) * root_hi)


def check_bits(counts, delta, p_xy, nu, lam, i_max=None) -> int:
    """The largest k with H_min >= k bits, w.p. >= 1 - delta (steps 1-4 above), for a tangent
    (nu, lam) already proven: G(I) <= nu - lam I for all I, lam >= 0. `i_max`: the largest CHSH value of
    the adversary's set, exact (4: no-signalling), or None for the quantum 2 sqrt 2 (enclosed: its upper
    end in eps, its lower end in the clamp)."""
    n, q_min = validate(counts, p_xy)
    nu, lam = Fraction(nu), Fraction(lam)
    if lam < 0:
        raise Reject(f"tangent: lambda = {format_rational(lam)} is negative, the bound would grow with I")
    # Clamp lemma: Ibar <= I_max, so on Ibar >= I_low also Ibar >= min(I_low, I_top) for I_top <= I_max
    # (the LOWER enclosure of 2 sqrt 2), and lam >= 0 gives nu - lam Ibar <= nu - lam min(I_low, I_top).
    # Never read the line above I_max: there it is unconstrained (it once "proved" 10^6 bits; appendix E).
    i_top = sqrt_interval(Fraction(8))[0] if i_max is None else i_max
    i_low = min(chsh_estimate(counts, p_xy) - epsilon_upper(n, q_min, delta, i_max), i_top)
    g_hi = up(nu - lam * i_low, 256)
    if i_low < 2:
        return 0  # no violation survives eps: only the trivial H_min >= 0 (a guess is <= 1)
    if g_hi <= 0:
        raise Reject(f"tangent: nu - lambda I_low = {brief(g_hi)} <= 0, not a bound on a probability")
    return 0 if g_hi >= 1 else largest_k(g_hi, n)


def p_value_upper(counts, p_xy) -> Fraction:
    """A proven upper bound on P(I_hat >= observed | local model, with memory)."""
    n, q_min = validate(counts, p_xy)
    i_hat = chsh_estimate(counts, p_xy)
    if i_hat <= 2:
        return Fraction(1)
    exponent = -n * (i_hat - 2) ** 2 / (2 * (1 / q_min + 2) ** 2)
    return min(Fraction(1), exp_upper(exponent))
