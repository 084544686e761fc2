"""Certified bits from the counts of any Bell test: the producer of "bits.bell" certificates.

Untrusted. Given a scenario, a Bell expression E (oriented so that randomness grows with E), the
protocol's input distribution p(x), counts N(x, a), the parties whose outputs are the randomness,
delta and an NPA level, it
  1. computes I_hat, the estimator range and eps with the kernel's own functions
     (`certify.kernel.bellbits`), so every point is placed where the kernel will evaluate it;
  2. certifies max E and min E at the level (npa.max): the proven range [L, U] of the per-round
     value, which tightens the clamp, the Azuma constant of the "bounded" form and the interval on
     which the one line must dominate the tangents;
  3. certifies one tangent G_x(I) <= nu_x - lam_x I per input x_S of the randomness parties in the
     support of p(x), all at the read point R = min(I_hat - eps, U) (the best single line for the
     chain is the envelope's tangent at R: it touches the concave envelope of G there);
  4. takes the chord of max_x (nu_x - lam_x I) over [L, U] (the lowest line above a convex function on
     an interval passes through its values at the ends; equal tangents give the tangent itself), and
  5. asks the kernel for the number of bits and writes it as the claimed value.
"""

import math
from fractions import Fraction
from itertools import product

from certify.certificate import make_certificate
from certify.errors import CertifyError
from certify.expressions import expression_to_json, scenario_to_json
from certify.kernel import bellbits as kbb
from certify.kernel.defs.words import party_name
from certify.kernel.format import format_rational
from certify.kernel.intervals import ln_interval, sqrt_interval, up
from certify.kernel.npa import verify_tangent

KIND = "bits.bell"


def digits(values) -> str:
    return "".join(str(v) for v in values)


def claim_problem(scenario, expr, p_x, counts, parties, delta, azuma="range") -> dict:
    """The claim's problem: p_x {x tuple: Fraction}, counts {(x tuple, a tuple): int} (zeros dropped)."""
    return {"scenario": scenario_to_json(scenario), "expression": expression_to_json(expr),
            "p_x": {digits(x): format_rational(Fraction(p)) for x, p in sorted(p_x.items()) if p},
            "counts": {f"{digits(x)}|{digits(a)}": int(c) for (x, a), c in sorted(counts.items()) if c},
            "parties": list(parties), "delta": format_rational(Fraction(delta)), "azuma": azuma}


def summary(problem: dict) -> dict:
    """The chain's exact numbers as the kernel computes them (before any NPA bound tightens L, U)."""
    sc, expr, p, counts, parties, delta, azuma = kbb.read(problem, "problem")
    table, index = kbb.estimator(sc, expr, p, "problem")
    n = sum(counts.values())
    i_hat = sum(c * table[x][index[a]] for (x, a), c in counts.items()) / n
    lo, hi = min(min(r) for r in table.values()), max(max(r) for r in table.values())
    low, top = (sum(p[x] * f(r) for x, r in table.items()) for f in (min, max))
    return {"n": n, "i_hat": i_hat, "lo": lo, "hi": hi, "low": low, "top": top, "azuma": azuma,
            "delta": delta, "parties": parties, "scenario": sc, "expr": expr, "p": p}


def epsilon(s: dict, low, top) -> Fraction:
    """eps_hi exactly as `kernel.bellbits.check` computes it."""
    ln_hi = ln_interval(1 / s["delta"])[1]
    if s["azuma"] == "range":
        return up((s["hi"] - s["lo"]) * sqrt_interval(ln_hi / (2 * s["n"]))[1])
    return up(max(s["hi"] - low, top - s["lo"]) * sqrt_interval(2 * ln_hi / s["n"])[1])


def seed_bits(p_x, n) -> float:
    """n H(p(x)) in bits: the input randomness the protocol consumes (arithmetic, not a certified claim)."""
    return -n * sum(float(p) * math.log2(float(p)) for p in p_x.values() if p)


def _npa(definition, what, solver):
    from certify.npa import certify_problem

    result = certify_problem(definition, solver, target=1e-7)
    if result is None:
        raise CertifyError(f"{what}: no verified NPA certificate")
    return {"problem": definition, "evidence": result.evidence}


def _floor9(x) -> Fraction:
    return Fraction(math.floor(x * 10**9), 10**9)


def certify_bits(scenario, expr, p_x, counts, parties, delta, level, claim_id, label, azuma="range",
                 solver=None):
    """(certificate, info): the "bits.bell" certificate for these counts and what it was built from."""
    from certify.npa import bell_objective, guess_objective, problem

    definition = claim_problem(scenario, expr, p_x, counts, parties, delta, azuma)
    s = summary(definition)
    low, top, evidence = s["low"], s["top"], {}
    upper = _npa(problem(scenario, level, bell_objective(expr)), "max E", solver)
    lower = _npa(dict(problem(scenario, level, bell_objective(expr)), sense="min"), "min E", solver)
    for key, cert, sign in (("max", upper, 1), ("min", lower, -1)):
        cert["problem"].pop("constraint", None)
        bound = sign * verify_tangent(cert["problem"], cert["evidence"], key)[0]
        if (bound < top) if sign == 1 else (bound > low):
            evidence[key] = cert
            low, top = (low, bound) if sign == 1 else (bound, top)
    eps = epsilon(s, low, top)
    read_at = min(s["i_hat"] - eps, top)
    info = dict(s, low=low, top=top, eps=eps, read_at=read_at, level=level, tangent_at=None)
    if read_at <= low:
        cert = make_certificate(claim_id, KIND, _statement(label, s, level, azuma, None), definition, ">=", 0, {})
        return cert, dict(info, bits=0)
    at = min(_floor9(read_at), _floor9(top - Fraction(1, 10**6)))  # a tangent is valid everywhere
    inputs = sorted({tuple(x[i] for i in parties) for x in s["p"]})
    tangents = [_npa(problem(scenario, level, guess_objective(parties, xs), expr, at),
                     f"tangent at inputs {digits(xs)}, E = {float(at):.6f}", solver) for xs in inputs]
    lines = [verify_tangent(t["problem"], t["evidence"], "tangent") for t in tangents]
    nu, lam = chord(lines, low, top)
    evidence.update(tangents=tangents, line={"nu": format_rational(nu), "lambda": format_rational(lam)})
    bits = kbb.check(definition, ">=", Fraction(0), evidence, "producer").low
    statement = _statement(label, s, level, azuma, at)
    cert = make_certificate(claim_id, KIND, statement, definition, ">=", bits, evidence,
                            {"tangent_at": format_rational(at), "read_at": f"{float(read_at):.9f}"})
    return cert, dict(info, bits=int(bits), tangent_at=at, line=(nu, lam), lines=lines)


def chord(lines, low, top):
    """A rational line nu - lam I >= every (nu_x - lam_x I) at I = low and I = top (so on [low, top])."""
    ends = [max(a - b * t for a, b in lines) for t in (low, top)]
    lam = (ends[0] - ends[1]) / (top - low)
    if len({line for line in lines}) > 1 or lam.denominator > 10**15:
        lam = max(Fraction(0), Fraction(math.floor(lam * 10**15), 10**15))
    nu = max(a - b * t + lam * t for a, b in lines for t in (low, top))
    if nu.denominator > 10**15:
        nu = Fraction(math.ceil(nu * 10**15), 10**15)
    return nu, lam


def _statement(label, s, level, azuma, at):
    who = "".join(party_name(i) for i in s["parties"])
    where = "no tangent (I_hat - eps is not above the minimum)" if at is None else \
        f"tangents at E = {float(at):.6f}, NPA level {level}"
    return (f"{label}: with probability >= 1 - {format_rational(s['delta'])}, H_min of the outputs of {who} in the "
            f"{s['n']} rounds >= value bits (any-Bell-test chain, Azuma {azuma}, {where})")


def uniform(scenario) -> dict:
    xs = list(product(*map(range, scenario.inputs)))
    return {x: Fraction(1, len(xs)) for x in xs}
