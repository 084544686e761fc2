"""Whole-chain certificates: counts -> I_hat -> eps -> tangents -> "at least k bits".

Untrusted producer. For a count table, a delta and an NPA level it computes
I_low = I_hat - eps_hi exactly (with the kernel's own functions, so the tangent
is placed where the kernel will evaluate it), certifies one NPA tangent per
input pair (x, y) at I_low, and writes a "bits.chsh" claim whose evidence is
those four tangents. The kernel re-derives everything from the counts.
"""

import math
from fractions import Fraction
from importlib import resources
from pathlib import Path

from certify.bits_models import check_bits, epsilon_upper
from certify.certificate import make_certificate, statement_number
from certify.counts import read_counts, uniform_inputs
from certify.errors import CertifyError
from certify.kernel.bits import chsh_estimate, p_value_upper, validate
from certify.kernel.defs.scenario import Scenario, chsh
from certify.kernel.format import format_rational
from certify.kernel.npa import verify_tangent
from certify.npa import certify_problem, guess_objective, problem

LEVELS = ("1+AB", "2", "3")
PAPER_BITS = 42  # what Pironio et al. claim for Table 1 (compared, never used)
DELTA = Fraction(1, 100)


def table1_path() -> Path:
    return Path(str(resources.files("certify") / "data" / "pironio2010_table1.csv"))


def problem_json(counts, p_xy, delta, level) -> dict:
    rows = [[x, y, *(counts[x, y, a, b] for a in (0, 1) for b in (0, 1))] for x in (0, 1) for y in (0, 1)]
    return {"counts": rows, "p_xy": {f"{x}{y}": format_rational(p_xy[x, y]) for x in (0, 1) for y in (0, 1)},
            "delta": format_rational(delta), "model": "quantum", "level": level}


def tangent_point(counts, p_xy, delta) -> Fraction:
    """I_low = I_hat - eps_hi, floored to 1e-9 (a tangent placed there is near-optimal)."""
    n, q = validate(counts, p_xy)
    i_low = chsh_estimate(counts, p_xy) - epsilon_upper(n, q, delta, "quantum")
    return Fraction(math.floor(i_low * 10**9), 10**9)


def certify_tangents(level, at, solver=None) -> dict:
    """One verified NPA tangent per input pair: {"xy": {"problem", "evidence"}}."""
    if at > 0 and at * at > 8:  # beyond Tsirelson's 2 sqrt 2: the relaxation is empty, no tangent to place
        raise CertifyError(f"I_hat - eps = {float(at):.6f} > 2 sqrt 2: no quantum device produces these counts "
                           "(at confidence 1 - delta); try --model no-signalling")
    tangents = {}
    for x in (0, 1):
        for y in (0, 1):
            definition = problem(Scenario((2, 2), (2, 2)), level, guess_objective([0, 1], [x, y]), chsh(), at)
            result = certify_problem(definition, solver, target=1e-7)
            if result is None:
                raise CertifyError(f"level {level}, inputs {x}{y}, I = {float(at):.6f}: no verified NPA tangent")
            tangents[f"{x}{y}"] = {"problem": definition, "evidence": result.evidence}
    return tangents


def bits_certificate(counts, p_xy, delta, level, claim_id, label, solver=None) -> dict:
    """The "bits.chsh" certificate for these counts, with the number of bits it proves."""
    if level not in LEVELS:
        raise CertifyError(f"--level: expected one of {', '.join(LEVELS)}, got {level!r}")
    at = tangent_point(counts, p_xy, delta)
    problem = problem_json(counts, p_xy, delta, level)
    if at < 2:
        tangents, bits = {}, 0
    else:
        tangents = certify_tangents(level, at, solver)
        bits = min(check_bits(counts, delta, p_xy, *verify_tangent(t["problem"], t["evidence"], key), "quantum").bits
                   for key, t in tangents.items())
    statement = (f"{label}: with probability >= {statement_number(1 - delta)}, H_min of the outputs >= value bits "
                 f"(eq. (3), NPA level {level}, tangents at I = {float(at):.6f})")
    producer = {"tangent_at": format_rational(at), "paper_claim_bits": PAPER_BITS}
    return make_certificate(claim_id, "bits.chsh", statement, problem, ">=", bits, {"tangents": tangents}, producer)


def pvalue_certificate(counts, p_xy, claim_id, label) -> dict:
    """"P(I_hat >= observed | local with memory) <= p", p the proven bound rounded up to 3 digits."""
    bound = p_value_upper(counts, p_xy)
    exponent = math.floor(math.log10(bound)) - 2
    value = Fraction(math.ceil(bound / Fraction(10) ** exponent)) * Fraction(10) ** exponent
    rows = problem_json(counts, p_xy, DELTA, "1+AB")
    problem = {"counts": rows["counts"], "p_xy": rows["p_xy"]}
    statement = f"{label}: a local model with memory reaches the observed CHSH estimate with probability <= value"
    return make_certificate(claim_id, "pvalue.chsh", statement, problem, "<=", value, {},
                            {"bound": f"{float(bound):.6e}", "paper": "0.00077"})


def table1():
    """Table 1's counts and input distribution (the file's, else uniform)."""
    table = read_counts(table1_path())
    return table.counts, table.p_xy or uniform_inputs()


def table1_bits(level):
    """Family worker: the certified bits of Table 1 at one NPA level."""
    counts, p_xy = table1()
    cert = bits_certificate(counts, p_xy, DELTA, level, f"pironio2010/bits/table1/level={level}",
                            "Pironio et al. Table 1 (n = 3016)")
    return [(f"pironio2010/bits/table1-level-{level}.json", cert)]


def table1_pvalue(_task=None):
    """Family worker: the local-model p-value of Table 1."""
    cert = pvalue_certificate(*table1(), "pironio2010/pvalue/table1", "Pironio et al. Table 1 (n = 3016)")
    return [("pironio2010/bits/table1-pvalue-local.json", cert)]
