"""Entropy accumulation for CHSH counts: "eat.bits" certificates (untrusted producer).

The kernel (`certify.kernel.eat`) checks DFR's EAT (Thm 4.4 of arXiv:1607.01796) for ARV's
spot-checking protocol with a min-tradeoff line H(A|X=0,E) >= a + b S that it derives itself from
Brown-Fawzi-Fawzi node duals. This module chooses the free parameter (the tangent point S0 of the
line: a steeper line gains first order but pays in ceil(||grad f||) in the second-order term),
solves the BFF nodes at S0 (`certify.vn.produce.chsh_bound`), rounds the line down, and writes the
claim with the number of bits the kernel proves. Floats here only choose; the kernel decides.
"""

import math
from fractions import Fraction

from certify.certificate import checked, make_certificate, statement_number
from certify.errors import CertifyError
from certify.kernel.bits import KEYS
from certify.kernel.eat import D_O, tradeoff_line
from certify.kernel.format import format_rational
from certify.vn import produce

EPS = Fraction(1, 100)  # eps_smooth = eps_accept = 1/100 beside Pironio's delta = 1/100 (Table 1)
GRID = 10**9  # the line is rounded down to multiples of 1e-9


def analytic_h(s: float) -> float:
    return produce.analytic_chsh(min(max(s, 2.0), 2 * math.sqrt(2)))


def analytic_line(s0: float):
    """(a, b) of the tangent of the tight curve at s0 (a float model of the certified line)."""
    d = 1e-6
    b = (analytic_h(s0 + d) - analytic_h(s0 - d)) / (2 * d)
    return analytic_h(s0) - b * s0, b


def wins_of(counts) -> int:
    return sum(counts[k] for k in KEYS if k[2] ^ k[3] == k[0] * k[1])


def float_bits(n, wins, gamma, a, b, eps_s=EPS, eps_a=EPS) -> float:
    """The kernel's formula in floats: n t - v sqrt(n) (a model for choosing S0, never a bound)."""
    gamma = float(gamma)
    t = min(a + b * (8 * wins / n / gamma - 4), a + b * 2 * math.sqrt(2))
    vertex = (a - 4 * b, a - 4 * b + 8 * b / gamma)
    grad = max(max(abs(v) for v in vertex), vertex[1] - vertex[0])
    v = 2 * (math.log2(1 + 2 * D_O) + math.ceil(grad)) * math.sqrt(1 - 2 * math.log2(float(eps_s) * float(eps_a)))
    return max(n * t - v * math.sqrt(n), 0.0)


def best_tangent(n, wins, gamma, eps_s=EPS, eps_a=EPS, step=Fraction(1, 100)) -> Fraction:
    """S0 on a grid of `step` in [2.02, 2.82] maximising the float model (the free parameter)."""
    grid = [Fraction(202, 100) + k * step for k in range(int((Fraction(282, 100) - Fraction(202, 100)) / step) + 1)]
    return max(grid, key=lambda s: float_bits(n, wins, gamma, *analytic_line(float(s)), eps_s, eps_a))


def certified_line(s0: Fraction, m: int = 8):
    """(min_tradeoff problem, evidence, a, b): the BFF node duals at CHSH >= s0 and the kernel's line
    (a*, b*) rounded down (b to 1e-9; a by 3 (b* - b) more, so a + b s <= a* + b* s on [-3, 3])."""
    cert, _ = produce.chsh_bound(s0, m)
    if cert is None:
        raise CertifyError(f"S0 = {float(s0)}: a BFF node was not certified")
    base = {k: v for k, v in cert["claim"]["problem"].items()}
    evidence = cert["evidence"]
    a_star, b_star = tradeoff_line(dict(base, line=["0", "0"]), evidence, "draft")
    b = Fraction(math.floor(b_star * GRID), GRID)
    a = Fraction(math.floor((a_star - 3 * (b_star - b)) * GRID), GRID)
    return dict(base, line=[format_rational(a), format_rational(b)]), evidence, a, b


def problem_json(counts, rounds: int, gamma, mt: dict, eps_s=EPS, eps_a=EPS) -> dict:
    rows = [[x, y, *(counts[x, y, a, b] for a in (0, 1) for b in (0, 1))] for x in (0, 1) for y in (0, 1)]
    return {"counts": rows, "p_xy": {f"{x}{y}": "1/4" for x in (0, 1) for y in (0, 1)}, "rounds": rounds,
            "gamma": format_rational(Fraction(gamma)), "eps_smooth": format_rational(Fraction(eps_s)),
            "eps_accept": format_rational(Fraction(eps_a)), "min_tradeoff": mt}


def eat_certificate(counts, rounds, gamma, line, claim_id, label, eps_s=EPS, eps_a=EPS) -> dict:
    """The "eat.bits" certificate with the bits the kernel proves (a draft is checked first)."""
    mt, evidence, a, b = line
    problem = problem_json(counts, rounds, gamma, mt, eps_s, eps_a)
    draft = make_certificate(claim_id, "eat.bits", "draft", problem, ">=", 0, evidence)
    verdict = checked(draft, claim_id)
    if not verdict.ok:
        raise CertifyError(f"{claim_id}: the kernel refused the draft ({verdict.reason})")
    bits = int(verdict.low)
    statement = (f"{label}: either the protocol (n = {rounds}, test probability {format_rational(Fraction(gamma))}, "
                 f"accept iff >= {wins_of(counts)} wins) accepts with probability < {statement_number(eps_a)}, or "
                 f"H_min^eps(AB|XYT E) >= value bits given acceptance, eps = {statement_number(eps_s)} "
                 f"(EAT, DFR Thm 4.4; "
                 f"min-tradeoff {float(a):.6f} + {float(b):.6f} S from BFF m = {mt['nodes']})")
    model = float_bits(rounds, wins_of(counts), gamma, float(a), float(b), eps_s, eps_a)
    producer = {"tangent_at": mt["constraint"]["at"], "float_model_bits": f"{model:.3f}"}
    return make_certificate(claim_id, "eat.bits", statement, problem, ">=", bits, evidence, producer)


def table1_counts() -> dict:
    """Table 1 of Pironio et al. (the packaged count table; uniform inputs)."""
    from importlib import resources

    from certify.counts import read_counts
    return read_counts(str(resources.files("certify") / "data" / "pironio2010_table1.csv")).counts


def scaled(counts, factor: int) -> dict:
    """The same frequencies over factor times as many rounds (a hypothetical larger run)."""
    return {k: v * factor for k, v in counts.items()}


# Committed claims: Table 1 as measured (n = 3016), and the same frequencies over 100, 265, 280 and
# 1000 times as many rounds (hypothetical runs on both sides of the crossover with Pironio's chain,
# between 265 x and 280 x). (file stem, factor, S0): S0 is `best_tangent`'s choice at that n, except at
# n = 3016 (every S0 gives 0 bits; 2.4, the observed value, is kept) and at 265 x and 280 x, where the
# kernel's verdicts on S0 = 2.29 ... 2.35 chose 2.35 (the model's 2.36 has 8 b* just above 8).
PROOF_TASKS = (("table1", 1, Fraction(12, 5)), ("table1-x100", 100, Fraction(222, 100)),
               ("table1-x265", 265, Fraction(235, 100)), ("table1-x280", 280, Fraction(235, 100)),
               ("table1-x1000", 1000, Fraction(236, 100)))


def worker(task):
    """Family worker: one "eat.bits" claim on (scaled) Table 1 counts, gamma = 1 (every round a test)."""
    stem, factor, s0 = task
    counts = scaled(table1_counts(), factor)
    rounds = sum(counts.values())
    label = "Pironio et al. Table 1 (n = 3016)" if factor == 1 else \
        f"Table 1 frequencies over {factor} x 3016 = {rounds} rounds (hypothetical)"
    cert = eat_certificate(counts, rounds, 1, certified_line(s0), f"vn/eat/{stem}", label)
    return [(f"vn/eat/{stem}.json", cert)]
