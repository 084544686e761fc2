"""Claim kind "amplify.bound": an upper bound on eq. (13) of Gallego et al. 2013.

Trusted. For rational 0 < eps <= 1/2, 0 < alpha < 1 < beta, N_d >= 1, N_b = 2^k (never expanded):
  B = 1/2 + (3 sqrt(N_d) / 2) [alpha^N_d + 2 N_b^log2(1-eps) (32 beta eps^-5)^N_d],
N_b^log2(1-eps) = (1-eps)^k; alpha, beta are inputs, not the paper's constants. Evidence: {}.
Lemma: the terms are exp(x1), exp(x2), x1 = N_d ln alpha, x2 = k ln(1-eps) + N_d ln(32 beta eps^-5);
upper enclosures of the logs bound x1, x2 above (k, N_d >= 0), exp is increasing and all factors
are positive, so B <= 1/2 + (3/2) sqrt_hi(N_d) (exp_upper(x1_hi) + 2 exp_upper(x2_hi)) =: high.
"""

from fractions import Fraction

from certify.errors import CertifyError
from certify.kernel.format import Proven, Reject, field, only, parse_int, parse_rational
from certify.kernel.intervals import PREC, exp_upper, ln_interval, sqrt_interval, up

RATIONALS = ("eps", "alpha", "beta")
MAX_ND, MAX_K = 10**9, 10**100  # k as a decimal string: eps = 1e-60 needs k ~ 6e64, beyond JSON integers


def read_problem(problem: dict, where: str):
    """(eps, alpha, beta, N_d, k) with every range checked; bad input is a CertifyError."""
    only(problem, {*RATIONALS, "n_d", "n_b_log2"}, where)
    eps, alpha, beta = (parse_rational(field(problem, key, str, where), f"{where}.{key}") for key in RATIONALS)
    if not 0 < eps <= Fraction(1, 2):
        raise CertifyError(f"{where}.eps: expected 0 < eps <= 1/2, got {eps}")
    if not 0 < alpha < 1 < beta:
        raise CertifyError(f"{where}: expected 0 < alpha < 1 < beta, got alpha = {alpha}, beta = {beta}")
    n_d = parse_int(field(problem, "n_d", int, where), f"{where}.n_d", 1, MAX_ND)
    k = parse_rational(field(problem, "n_b_log2", str, where), f"{where}.n_b_log2")
    if k.denominator != 1 or not 0 <= k <= MAX_K:
        raise CertifyError(f'{where}.n_b_log2: expected an integer string "k", 0 <= k <= 10^100, got {k}'[:160])
    return eps, alpha, beta, n_d, int(k)


def bound_upper(eps, alpha, beta, n_d: int, k: int) -> Fraction:
    """The rational `high` of the module lemma; the logs' precision grows with k and N_d (their factors)."""
    prec = PREC + k.bit_length() + n_d.bit_length()
    x1 = n_d * ln_interval(alpha, prec)[1]
    x2 = k * ln_interval(1 - eps, prec)[1] + n_d * ln_interval(32 * beta / eps**5, prec)[1]
    if x2 > 64:  # x2 is within 2^-100 of its bound, so B > e^63: vacuous for a probability, not evaluated
        raise Reject(f"eq. (13): the N_b term's exponent is not proven below 64 (N_b = 2^{k} is too small)")
    terms = exp_upper(x1, prec) + 2 * exp_upper(x2, prec)
    return Fraction(1, 2) + up(Fraction(3, 2) * sqrt_interval(Fraction(n_d), prec)[1] * terms, prec)


def check(problem: dict, relation: str, value: Fraction, evidence: dict, where: str) -> Proven:
    """The proven upper bound on eq. (13) (no lower bound: "<=" claims only)."""
    params = read_problem(problem, f"{where}.claim.problem")
    only(evidence, (), f"{where}.evidence")
    return Proven(high=bound_upper(*params))
