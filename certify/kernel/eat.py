"""Claim kind "eat.bits": smooth min-entropy of a CHSH spot-checking protocol by entropy accumulation.

Trusted. EAT (Dupuis-Fawzi-Renner 2020, Thm 4.4; Arnon-Friedman-Renner-Vidick 2019, Sec. 4): for an affine
min-tradeoff function f and an event Omega (at least w test rounds won) with f(freq(c)) >= t on Omega,
  H_min^{eps_s}(O^n|S^n E) > n t - v sqrt(n),  v = 2 (log2(1 + 2 d_O) + ceil(||grad f||_inf)) sqrt(1 - 2 log2 eps),
eps = eps_s eps_a, unless Pr[Omega] < eps_a. Lemmas (in full: appendix I of docs/referee-guide.md): (line) the
node duals of `kernel.vn` give H(A|X=0,E) >= a* + b* S with no constraint used; a claimed line below it at
S = +-3 is below it on [-3, 3], which holds the quantum range. (symmetry) x -> 1 - x, b -> b xor y swaps
H(A|X=0,E) and H(A|X=1,E), so f(q) = a + b (8 q(1)/gamma - 4) is a min-tradeoff function of every round.
(gradient) the larger of two readings of ||grad f||_inf (a larger v only lowers k). (clamp) t = min(f(w/n),
a + b sqrt8_lo) <= f(freq) on Omega.
"""

from dataclasses import replace
from fractions import Fraction
from math import ceil, floor

from certify.errors import CertifyError
from certify.kernel.bits import KEYS, read_counts
from certify.kernel.defs.scenario import chsh, parse_expression
from certify.kernel.format import Proven, Reject, expect, field, only, parse_int, parse_rational
from certify.kernel.intervals import log2_interval, sqrt_interval, up
from certify.kernel.npa import tangent_of
from certify.kernel.vn import chsh_scenario, gauss_radau, node_objective, parse_relaxation

D_O = 4  # O_i = A_i B_i
_FIELDS = {"counts", "p_xy", "rounds", "gamma", "eps_smooth", "eps_accept", "min_tradeoff"}


def tradeoff_line(problem, evidence, where: str):
    """(a*, b*): H(A|X=0,E) >= a* + b* S for every quantum strategy with CHSH = S (lemma (line))."""
    at = f"{where}.claim.problem.min_tradeoff"
    rel = parse_relaxation(problem, {"nodes", "line"}, at)
    if (rel.scenario != chsh_scenario or problem["entropy"] != {"parties": [0], "inputs": [0]}
            or rel.constraint is None or rel.statistics
            or parse_expression(problem["constraint"]["expression"], rel.scenario, at) != chsh()):
        raise CertifyError(f"{at}: expected H(A|X=0,E) in the CHSH scenario, the CHSH constraint, no statistics")
    a, b = Fraction(0), Fraction(0)
    for dual, lo, hi, spot, c_lo in gauss_radau(problem, evidence, at, f"{where}.evidence"):  # c_lo <= c_i
        goal = {k: -v for k, v in node_objective(rel, lo, hi, f"{at}.level").items()}
        nu, lam = tangent_of(replace(rel, blocks=(goal,)), dual, spot)  # no statistics, no constraints (above)
        a, b = a + c_lo * (1 - nu), b + c_lo * lam
    return a, b


def check(problem, relation, value, evidence, where: str) -> Proven:
    at = f"{where}.claim.problem"
    only(expect(problem, dict, at), _FIELDS, at)
    counts, p_xy = read_counts(problem, at)
    if set(p_xy.values()) != {Fraction(1, 4)}:
        raise CertifyError(f"{at}.p_xy: the spot-checking protocol tests with uniform inputs (1/4 each)")
    n = parse_int(problem.get("rounds"), f"{at}.rounds", 1, 10**13 - 1)
    gamma = parse_rational(problem.get("gamma"), f"{at}.gamma")
    eps_s, eps_a = (parse_rational(problem.get(k), f"{at}.{k}") for k in ("eps_smooth", "eps_accept"))
    if not (0 < gamma <= 1 and 0 < eps_s < 1 and 0 < eps_a <= 1):
        raise CertifyError(f"{at}: expected 0 < gamma <= 1, 0 < eps_smooth < 1, 0 < eps_accept <= 1")
    tests = sum(counts.values())
    if tests > n or (gamma == 1 and tests != n):
        raise CertifyError(f"{at}.rounds: {n} rounds cannot hold {tests} test rounds (all of them if gamma = 1)")
    if value.denominator != 1 or value < 0:
        raise CertifyError(f"{where}.claim.value: a number of bits is a non-negative integer, got {value}")
    mt = field(problem, "min_tradeoff", dict, at)
    line = field(mt, "line", list, f"{at}.min_tradeoff")
    if len(line) != 2:
        raise CertifyError(f"{at}.min_tradeoff.line: expected [a, b] (H >= a + b S)")
    a, b = (parse_rational(v, f"{at}.min_tradeoff.line[{j}]") for j, v in enumerate(line))
    a_star, b_star = tradeoff_line(mt, evidence, where)
    if b < 0 or any(a + b * s > a_star + b_star * s for s in (-3, 3)):
        raise Reject(f"{at}.min_tradeoff.line: a + b S is not below the certified line a* + b* S on [-3, 3], "
                     f"or b < 0")
    wins = sum(counts[k] for k in KEYS if k[2] ^ k[3] == k[0] * k[1])
    vertex = [a - 4 * b, a - 4 * b + 8 * b / gamma]  # f(delta_bottom) = f(delta_0), f(delta_1)
    grad = max(max(abs(v) for v in vertex), vertex[1] - vertex[0])
    t = min(a + b * (8 * Fraction(wins, n) / gamma - 4), a + b * sqrt_interval(Fraction(8))[0])
    root = sqrt_interval(1 - 2 * log2_interval(eps_s * eps_a)[0])[1]
    v_hi = up(2 * (log2_interval(Fraction(1 + 2 * D_O))[1] + ceil(grad)) * root)
    return Proven(low=Fraction(max(floor(n * t - v_hi * sqrt_interval(Fraction(n))[1]), 0)))
