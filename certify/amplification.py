"""Gallego et al. 2013, eq. (13): how many devices full randomness amplification needs.

    P(guess) <= 1/2 + (3 sqrt(N_d) / 2) [alpha^N_d + 2 N_b^log2(1-eps) K^N_d],  K = 32 beta eps^-5,

with 0 < eps <= 1/2 (the source), 0 < alpha < 1 < beta. alpha and beta are
defined in the paper's Supplementary Note 2, which the seeds do not contain:
they are REQUIRED inputs here and nothing in certify presents a value as the
paper's. The protocol keeps N_b N_d quintuplets (N_b a power of two) out of
N > 3 N_d N_b, so the smallest admissible N is 3 N_d N_b + 1.

Untrusted numerics: mpmath at a stated precision (`digits`, default 50) inside
`mpmath.workdps`, nothing global is changed. N_b is carried as its exponent
m (N_b = 2^m) because it is astronomically large; N in scientific notation.

Conventions: inputs are Fractions (exact); `bound` returns an mpf; a decision
"bound <= 1/2 + tau" closer than 10^-(digits-10) to equality raises a
CertifyError instead of guessing (raise the precision).

Searches (`plan`): N_d is the smallest integer with (3 sqrt(N_d)/2) alpha^N_d
< tau (necessary and, for N_b large enough, sufficient, since the N_b term
tends to 0 from above); log(sqrt(N) alpha^N) is concave in N, so the set of
such N_d is an up-set beyond the peak N* = 1/(2 ln(1/alpha)) (plus N_d = 1 if
it qualifies). N_b = 2^m is then the smallest power of two meeting the target:
m = max(0, ceil(log2 R / log2(1-eps))) with R = (tau/(1.5 sqrt N_d) - alpha^N_d) / (2 K^N_d).
`symbolic_proof` is the sympy argument of the paper's choice of N_b.

Certificates (`certificate`, `amplification_certificates`): the claim "eq. (13) at
(N_d, 2^m) <= 1/2 + tau" as kind "amplify.bound", which `certify.kernel.amplify` checks
with directed-rounding intervals; only the kernel's verdict is ever shown as a bound.
"""

from dataclasses import dataclass
from fractions import Fraction

from certify.errors import CertifyError

DEFAULT_DIGITS = 50
ILLUSTRATIVE = {"eps": Fraction(1, 10), "alpha": Fraction(9, 10), "beta": Fraction(2), "tau": Fraction(1, 1000)}


@dataclass(frozen=True)
class Plan:
    """Protocol sizes for a target P(guess) <= 1/2 + tau (all exact but `bound`, `log10_n`)."""

    n_d: int
    nb_log2: int  # N_b = 2^nb_log2
    bound: object  # mpf: eq. (13) at (n_d, 2^nb_log2)
    log10_n: object  # mpf: log10 of the smallest N = 3 n_d 2^nb_log2 + 1
    digits: int

    @property
    def n_b(self) -> int:
        return 2**self.nb_log2

    @property
    def n_min(self) -> int:
        """The smallest number of quintuplets with N > 3 N_d N_b (an exact, huge int)."""
        return 3 * self.n_d * 2**self.nb_log2 + 1


def validate(eps, alpha, beta, n_d=None, tau=None, digits=DEFAULT_DIGITS) -> None:
    """One-line CertifyError naming the first parameter outside its range."""
    for name, value in (("eps", eps), ("alpha", alpha), ("beta", beta), ("tau", tau)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, Fraction))):
            raise CertifyError(f"{name}: expected an exact rational (int or Fraction), got {value!r}")
    if not 0 < eps <= Fraction(1, 2):
        raise CertifyError(f"eps: expected 0 < eps <= 1/2, got {eps}")
    if not 0 < alpha < 1:
        raise CertifyError(f"alpha: expected 0 < alpha < 1, got {alpha}")
    if not beta > 1:
        raise CertifyError(f"beta: expected beta > 1, got {beta}")
    if n_d is not None and (isinstance(n_d, bool) or not isinstance(n_d, int) or n_d < 1):
        raise CertifyError(f"N_d: expected an integer >= 1, got {n_d}")
    if tau is not None and not tau > 0:
        raise CertifyError(f"tau: expected tau > 0, got {tau}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 15 <= digits <= 10000:
        raise CertifyError(f"digits: expected an integer in [15, 10000], got {digits}")


def _mp(value):
    import mpmath

    value = Fraction(value)
    return mpmath.mpf(value.numerator) / value.denominator


def _log_terms(eps, alpha, beta, n_d):
    """(ln alpha^N_d, ln K^N_d, log2(1 - eps)) at the current precision."""
    import mpmath

    log_k = mpmath.log(32 * _mp(beta)) - 5 * mpmath.log(_mp(eps))
    return n_d * mpmath.log(_mp(alpha)), n_d * log_k, mpmath.log1p(-_mp(eps)) / mpmath.log(2)


def excess(eps, alpha, beta, n_d: int, nb_log2, digits: int = DEFAULT_DIGITS):
    """Eq. (13) minus 1/2, with N_b = 2^nb_log2 (nb_log2 any real >= 0); computed without cancellation."""
    import mpmath

    validate(eps, alpha, beta, n_d, digits=digits)
    with mpmath.workdps(digits):
        log_alpha, log_k, slope = _log_terms(eps, alpha, beta, n_d)
        nb_term = 2 * mpmath.exp(mpmath.mpf(nb_log2) * slope * mpmath.log(2) + log_k)
        return 3 * mpmath.sqrt(n_d) / 2 * (mpmath.exp(log_alpha) + nb_term)


def bound(eps, alpha, beta, n_d: int, nb_log2, digits: int = DEFAULT_DIGITS):
    """Right-hand side of eq. (13) with N_b = 2^nb_log2."""
    import mpmath

    with mpmath.workdps(digits):
        return mpmath.mpf(1) / 2 + excess(eps, alpha, beta, n_d, nb_log2, digits)


def paper_choice(eps, alpha, beta, n_d: int, digits: int = DEFAULT_DIGITS):
    """(log2 N_b, bound) for the paper's N_b = K^(2 N_d / |log2(1-eps)|): 1/2 + 1.5 sqrt(N_d)[alpha^N_d + 2 K^-N_d]."""
    import mpmath

    validate(eps, alpha, beta, n_d, digits=digits)
    with mpmath.workdps(digits):
        log_alpha, log_k, slope = _log_terms(eps, alpha, beta, n_d)
        nb_log2 = 2 * log_k / mpmath.log(2) / abs(slope)
        value = mpmath.mpf(1) / 2 + 3 * mpmath.sqrt(n_d) / 2 * (mpmath.exp(log_alpha) + 2 * mpmath.exp(-log_k))
        return nb_log2, value


def alpha_term_log(alpha, n_d: int):
    """ln((3 sqrt(N_d)/2) alpha^N_d): the part of eq. (13) no N_b can reduce."""
    import mpmath

    return mpmath.log(mpmath.mpf(3) / 2) + mpmath.log(n_d) / 2 + n_d * mpmath.log(_mp(alpha))


def smallest_nd(alpha, tau, digits: int = DEFAULT_DIGITS) -> int:
    """The smallest N_d >= 1 with (3 sqrt(N_d)/2) alpha^N_d < tau (see the module note)."""
    import mpmath

    with mpmath.workdps(digits):
        target = mpmath.log(_mp(tau))

        def below(n):
            return _decide(target - alpha_term_log(alpha, n), digits, f"N_d = {n}")

        if below(1):
            return 1
        low = max(1, int(mpmath.floor(1 / (2 * mpmath.log(1 / _mp(alpha))))))
        high = low + 1
        while not below(high):  # past the peak the term decreases to 0
            low, high = high, 2 * high
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (low, middle) if below(middle) else (middle, high)
        return high


def smallest_nb_log2(eps, alpha, beta, n_d: int, tau, digits: int = DEFAULT_DIGITS) -> int:
    """The smallest m >= 0 with eq. (13) at (N_d, 2^m) <= 1/2 + tau; CertifyError if none exists."""
    import mpmath

    validate(eps, alpha, beta, n_d, tau, digits)
    with mpmath.workdps(digits):
        log_tau = mpmath.log(_mp(tau))
        if not _decide(log_tau - alpha_term_log(alpha, n_d), digits, f"N_d = {n_d}"):
            raise CertifyError(f"N_d: {n_d} is too small, (3 sqrt(N_d)/2) alpha^N_d >= tau for every N_b")
        log_alpha, log_k, slope = _log_terms(eps, alpha, beta, n_d)
        slack = _mp(tau) / (3 * mpmath.sqrt(n_d) / 2) - mpmath.exp(log_alpha)
        log2_r = (mpmath.log(slack) - mpmath.log(2) - log_k) / mpmath.log(2)
        m = max(0, int(mpmath.ceil(log2_r / slope)))
    while not meets_target(eps, alpha, beta, n_d, m, tau, digits):  # guards the closed form against rounding
        m += 1
    while m > 0 and meets_target(eps, alpha, beta, n_d, m - 1, tau, digits):
        m -= 1
    return m


def meets_target(eps, alpha, beta, n_d: int, nb_log2, tau, digits: int = DEFAULT_DIGITS) -> bool:
    """Eq. (13) at (N_d, 2^nb_log2) <= 1/2 + tau (CertifyError when too close to decide)."""
    import mpmath

    validate(eps, alpha, beta, n_d, tau, digits)
    with mpmath.workdps(digits):
        margin = mpmath.log(_mp(tau)) - mpmath.log(excess(eps, alpha, beta, n_d, nb_log2, digits))
        return _decide(margin, digits, f"N_b = 2^{nb_log2}")


def exact_meets_target(eps, alpha, beta, n_d: int, nb_log2: int, tau, max_log2: int = 200000) -> bool:
    """The same decision in exact rationals (independent of mpmath), for rational inputs and m <= max_log2.

    With N_b = 2^m, N_b^log2(1-eps) = (1-eps)^m, and all terms are positive, so
    1.5 sqrt(N_d) (alpha^N_d + 2 (1-eps)^m K^N_d) <= tau  iff  9 N_d (alpha^N_d + 2 (1-eps)^m K^N_d)^2 <= 4 tau^2.
    """
    validate(eps, alpha, beta, n_d, tau)
    if isinstance(nb_log2, bool) or not isinstance(nb_log2, int) or not 0 <= nb_log2 <= max_log2:
        raise CertifyError(f"N_b: expected 2^m with 0 <= m <= {max_log2} for the exact check, got m = {nb_log2}")
    eps, alpha, beta, tau = (Fraction(v) for v in (eps, alpha, beta, tau))
    k = 32 * beta / eps**5
    inner = alpha**n_d + 2 * (1 - eps) ** nb_log2 * k**n_d
    return 9 * n_d * inner * inner <= 4 * tau * tau


def certificate(eps, alpha, beta, n_d: int, nb_log2: int, tau) -> dict:
    """An "amplify.bound" certificate: eq. (13) at (N_d, N_b = 2^nb_log2) <= 1/2 + tau (no evidence:
    the kernel evaluates the formula itself). alpha, beta are the caller's inputs, said so in the statement."""
    from certify.certificate import make_certificate
    from certify.kernel.format import format_rational as fr

    validate(eps, alpha, beta, n_d, tau)
    if isinstance(nb_log2, bool) or not isinstance(nb_log2, int) or nb_log2 < 0:
        raise CertifyError(f"N_b: expected 2^m with an integer m >= 0, got m = {nb_log2!r}")
    problem = {"eps": fr(eps), "alpha": fr(alpha), "beta": fr(beta), "n_d": n_d, "n_b_log2": str(nb_log2)}
    statement = (f"Gallego et al. 2013 eq. (13) at eps = {fr(eps)}, alpha = {fr(alpha)}, beta = {fr(beta)} (inputs, "
                 f"not constants of the paper), N_d = {n_d}, N_b = 2^{nb_log2}: the bound on P(guess) is <= value "
                 f"= 1/2 + tau, tau = {fr(tau)}")
    claim_id = f"gallego2013/amplification/eq13/nd={n_d}/nb_log2={nb_log2}"
    return make_certificate(claim_id, "amplify.bound", statement, problem, "<=", Fraction(1, 2) + Fraction(tau), {},
                            {"tau": fr(tau), "alpha_beta": "illustrative, not the paper's (Supplementary Note 2)"
                             if (eps, alpha, beta) == tuple(ILLUSTRATIVE[k] for k in ("eps", "alpha", "beta"))
                             else "user inputs"})


def amplification_certificates():
    """(path relative to proofs/gallego2013/, certificate) of the committed example: the plan for
    the ILLUSTRATIVE inputs (eps = 1/10, alpha = 9/10, beta = 2, tau = 1/1000): N_d = 91, N_b = 2^13671."""
    e, a, b, tau = (ILLUSTRATIVE[k] for k in ("eps", "alpha", "beta", "tau"))
    chosen = plan(e, a, b, tau)
    yield "amplification/illustrative-tau-1e-3.json", certificate(e, a, b, chosen.n_d, chosen.nb_log2, tau)


def plan(eps, alpha, beta, tau, n_d=None, digits: int = DEFAULT_DIGITS) -> Plan:
    """Smallest N_d (unless given), then smallest power of two N_b, then the smallest N."""
    import mpmath

    validate(eps, alpha, beta, n_d, tau, digits)
    n_d = smallest_nd(alpha, tau, digits) if n_d is None else n_d
    m = smallest_nb_log2(eps, alpha, beta, n_d, tau, digits)
    with mpmath.workdps(digits):
        log10_n = mpmath.log10(3 * n_d) + m * mpmath.log10(2) + mpmath.log10(1 + 1 / (3 * n_d * mpmath.mpf(2) ** m))
    return Plan(n_d, m, bound(eps, alpha, beta, n_d, m, digits), log10_n, digits)


def cheapest_plan(eps, alpha, beta, tau, digits: int = DEFAULT_DIGITS) -> Plan:
    """The N_d >= smallest_nd minimising N = 3 N_d 2^m(N_d) + 1 (ties: smaller N_d).

    Stops once the lower bound log2(3 N_d) + (N_d log2 K + 1 - log2(tau/(1.5 sqrt N_d))) / |log2(1-eps)|,
    valid because the slack is at most tau/(1.5 sqrt N_d) and increasing in N_d, exceeds the best.
    """
    import mpmath

    best = plan(eps, alpha, beta, tau, None, digits)
    n_d = best.n_d
    with mpmath.workdps(digits):
        while True:
            n_d += 1
            _, log_k, slope = _log_terms(eps, alpha, beta, n_d)
            floor_m = (log_k / mpmath.log(2) + 1 - mpmath.log(_mp(tau) / (1.5 * mpmath.sqrt(n_d)), 2)) / abs(slope)
            if mpmath.log10(3 * n_d) + floor_m * mpmath.log10(2) > best.log10_n:
                return best
            candidate = plan(eps, alpha, beta, tau, n_d, digits)
            if candidate.log10_n < best.log10_n:
                best = candidate


def growth(alpha, beta, taus, eps_values, digits: int = DEFAULT_DIGITS) -> list:
    """Rows (tau, eps, plan) of `plan` over a grid: how N grows as eps -> 0 (N_d depends on tau only)."""
    return [(tau, eps, plan(eps, alpha, beta, tau, None, digits)) for tau in taus for eps in eps_values]


def symbolic_proof() -> dict:
    """Sympy: the paper's N_b = K^(2 N_d/|log2(1-eps)|) gives 1/2 + 1.5 sqrt(N_d)[alpha^N_d + 2 K^-N_d] -> 1/2.

    The ranges are parametrised, not assumed: alpha = 1/(1+a), beta = 1+b (a, b > 0),
    eps = 1/(2+e) (e >= 0) cover exactly 0 < alpha < 1 < beta and 0 < eps <= 1/2.
    Each step is a sympy fact (True means sympy decided it, never "not disproved"):
    log2(1-eps) < 0, so |log2(1-eps)| = -log2(1-eps) and N_b^log2(1-eps) = K^(-2 N_d);
    s = ln(1/alpha) > 0 and c = ln K > 0 with alpha^N_d = e^(-s N_d), K^-N_d = e^(-c N_d);
    for symbolic s, c > 0 the limit of 1/2 + 1.5 sqrt(N_d)(e^(-s N_d) + 2 e^(-c N_d)) is 1/2.
    """
    import sympy as sp

    a, b, s, c, n_d = sp.symbols("a b s c N_d", positive=True)
    e = sp.Symbol("e", nonnegative=True)
    alpha, beta, eps = 1 / (1 + a), 1 + b, 1 / (2 + e)
    slope, k = sp.log(1 - eps, 2), 32 * beta * eps**-5
    n_b = k ** (2 * n_d / sp.Abs(slope))
    half = sp.Rational(1, 2)
    eq13 = half + 3 * sp.sqrt(n_d) / 2 * (alpha**n_d + 2 * n_b**slope * k**n_d)
    closed = half + 3 * sp.sqrt(n_d) / 2 * (alpha**n_d + 2 * k**-n_d)
    log_alpha, log_k = sp.expand_log(sp.log(1 + a)), sp.expand_log(sp.log(k), force=True)
    limit = sp.limit(half + 3 * sp.sqrt(n_d) / 2 * (sp.exp(-s * n_d) + 2 * sp.exp(-c * n_d)), n_d, sp.oo)
    return {
        "ranges": bool(alpha.is_positive and (1 - alpha).is_positive and (beta - 1).is_positive
                       and eps.is_positive and sp.together(half - eps).is_nonnegative),
        "log2(1-eps) < 0": bool(slope.is_negative),
        "identity": sp.simplify(eq13 - closed) == 0,
        "ln(1/alpha) > 0 and ln K > 0": bool(log_alpha.is_positive and log_k.is_positive),
        "exponential form": sp.simplify(alpha**n_d - sp.exp(-log_alpha * n_d)) == 0
        and sp.simplify(k**-n_d - sp.exp(-log_k * n_d)) == 0,
        "limit": limit,
        "closed form": closed,
    }


def scientific(log10_value, significant: int = 6) -> str:
    """10^log10_value as "d.ddddde+X" (mantissa rounded half-even at `significant` digits)."""
    import mpmath

    with mpmath.workdps(max(30, int(abs(log10_value)).bit_length() + 30)):
        exponent = int(mpmath.floor(log10_value))
        mantissa = mpmath.power(10, log10_value - exponent)
        text = mpmath.nstr(mantissa, significant, strip_zeros=False)
        if text.startswith("10"):
            exponent, text = exponent + 1, mpmath.nstr(mantissa / 10, significant, strip_zeros=False)
    return f"{text}e{exponent:+d}"


def _decide(log_margin, digits: int, what: str) -> bool:
    """True if log_margin > 0 (a log ratio); refuse when it is below the precision 10^-(digits-10)."""
    import mpmath

    if abs(log_margin) <= mpmath.mpf(10) ** (10 - digits):
        raise CertifyError(f"{what}: too close to the target to decide at {digits} digits (raise --digits)")
    return log_margin > 0
