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
from dataclasses import dataclass
from fractions import Fraction
from itertools import product

from certify.certificate import make_certificate
from certify.errors import CertifyError
from certify.expressions import expression_to_json, scenario_to_json
from certify.kernel import bellbits as kbb
from certify.kernel.defs.words import party_name
from certify.kernel.format import format_rational
from certify.kernel.intervals import ln_interval, log2_interval, sqrt_interval, up
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


def estimator(sc, expr, p, where):
    """{x: [I(a, x) for a in product(outputs)]} and {a: index}: the kernel's `scaled_table` as rationals (for the
    summary and the tools; the kernel itself keeps the integers)."""
    table, scale, index = kbb.scaled_table(sc, expr, p, where)
    return {x: [Fraction(v, scale) for v in row] for x, row in table.items()}, index


def summary(problem: dict) -> dict:
    """The chain's exact numbers as the kernel computes them (before any NPA bound tightens L, U)."""
    sc, expr, p, counts, parties, delta, azuma = kbb.read(problem, "problem")
    table, index = estimator(sc, expr, p, "problem")
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
    clamp = low
    if s["i_hat"] - eps > low:  # the clamp T <= the quantum maximum: an explicit strategy's value (else L)
        found = strategy(scenario, expr, level)
        if found is not None:
            evidence["strategy"], clamp = found
    read_at = min(s["i_hat"] - eps, clamp)
    info = dict(s, low=low, top=top, eps=eps, read_at=read_at, level=level, tangent_at=None, clamp=clamp)
    if read_at <= low:
        cert = make_certificate(claim_id, KIND, _statement(label, s, level, azuma, None), definition, ">=", 0, {})
        return cert, dict(info, bits=0)
    at = min(_floor9(read_at), _floor9(top - Fraction(1, 10**6)))  # a tangent is valid everywhere
    inputs = sorted({tuple(x[i] for i in parties) for x in s["p"]})
    tangents = []
    for xs in inputs:
        target = problem(scenario, level, guess_objective(parties, xs), expr, at)
        tangents.append(_mapped(tangents, target) or _npa(target, f"tangent at inputs {digits(xs)}, E = "
                                                                  f"{float(at):.6f}", solver))
    lines = [verify_tangent(t["problem"], t["evidence"], "tangent") for t in tangents]
    nu, lam = chord(lines, low, top)
    evidence.update(tangents=tangents, line={"nu": format_rational(nu), "lambda": format_rational(lam)})
    bits = kbb.check(definition, ">=", Fraction(0), evidence, "producer").low
    statement = _statement(label, s, level, azuma, at)
    cert = make_certificate(claim_id, KIND, statement, definition, ">=", bits, evidence,
                            {"tangent_at": format_rational(at), "read_at": f"{float(read_at):.9f}"})
    return cert, dict(info, bits=int(bits), tangent_at=at, line=(nu, lam), lines=lines)


def strategy(scenario, expr, level):
    """({"problem", "evidence"} of a quantum.strategy claim max E >= T, T) for an explicit strategy the producer
    of `certify solve` finds (see-saw, rounded; `certify.problem.strategy_certificate`), or None."""
    from certify.kernel.strategy import check
    from certify.problem import parse, strategy_certificate

    parsed = parse({"scenario": scenario_to_json(scenario), "objective": {"bell": expression_to_json(expr)},
                    "set": "quantum", "level": level}, "strategy")
    found, _ = strategy_certificate(parsed, "producer/strategy")
    if found is None or not found[1].ok:
        return None
    problem = {k: v for k, v in found[0]["claim"]["problem"].items() if v is not None}
    return {"problem": problem, "evidence": found[0]["evidence"]}, check(problem, ">=", Fraction(0),
                                                                          found[0]["evidence"], "strategy").low


def _mapped(done, target):
    """The first tangent's certificate carried to `target` by a relabelling that keeps the expression and moves
    the guess's inputs there (`certify.symmetry.map_evidence`: the same line, checked again by the kernel), or
    None. Equal lines make the one dominating line the tangent itself (no chord loss)."""
    from certify import symmetry
    from certify.kernel.defs.scenario import parse_expression, parse_scenario, to_words

    if not done:
        return None
    source = done[0]["problem"]
    sc = parse_scenario(source["scenario"], "tangent")
    expr = parse_expression(source["constraint"]["expression"], sc, "tangent")
    parties, x0 = source["objective"]["guess"]["parties"], source["objective"]["guess"]["inputs"]
    xs, words = target["objective"]["guess"]["inputs"], to_words(expr, sc)
    try:
        candidates = symmetry.all_relabellings(sc, limit=20000)
    except CertifyError:
        return None
    for g in candidates:
        if any(g.parties[i] != i for i in parties) or any(g.inputs[i][x] != y for i, x, y in zip(parties, x0, xs)):
            continue
        if to_words(symmetry.relabel_expression(expr, g, sc), sc) != words:
            continue
        try:
            return {"problem": target, "evidence": symmetry.map_evidence(source, done[0]["evidence"], g, target)}
        except CertifyError:
            continue
    return None


GRID = 5  # tangents of the envelope's first pass, evenly spaced; refinement adds the rest


def envelope(scenario, expr, parties, inputs, level, start, stop, sag_bits=1e-3, max_points=24, solver=None):
    """The certified concave envelope of G (the guess of the parties' outputs at `inputs` given E >= I) on
    [start, stop], computed adaptively as Pironio's curve producer does (`papers.pironio2010.npa`): tangents on
    a grid of GRID points, then, where two neighbouring tangents meet, the envelope sags most; a tangent is added there
    when the certified f = -log2(envelope) is more than `sag_bits` below the solver's float f at that point.
    Returns [(I, npa.max certificate of G(I) <= value, (nu, lam))] sorted by I, each checked by the kernel."""
    from certify.certificate import checked
    from certify.npa import certify_problem, guess_objective, problem
    from certify.papers.produce import npa_certificate

    who = "".join(party_name(i) for i in parties)

    def tangent(at):
        definition = problem(scenario, level, guess_objective(parties, inputs), expr, at)
        result = certify_problem(definition, solver, target=1e-7)
        if result is None:
            raise CertifyError(f"envelope: no verified NPA tangent at E = {float(at):.6f}")
        statement = (f"NPA level {level}: guessing probability of {who} at inputs {digits(inputs)} given "
                     f"E >= {float(at):.9f} is <= value (a tangent line in E)")
        cert = npa_certificate(f"cli/bits/envelope/I={float(at):.9f}", statement, definition, result)
        if not checked(cert, "envelope").ok:
            raise CertifyError(f"envelope: the tangent at E = {float(at):.6f} does not verify")
        return cert, (result.nu, result.lam), result.primal

    grid = sorted({_floor9(start + (stop - start) * k / (GRID - 1)) for k in range(GRID)})
    done = {at: tangent(at) for at in grid}
    pending = list(zip(grid, grid[1:]))  # first in, first out: the whole range is refined level by level
    while pending and len(done) < max_points:
        left, right = pending.pop(0)
        (n1, l1), (n2, l2) = done[left][1], done[right][1]
        if l1 == l2:
            continue
        meet = _floor9((n1 - n2) / (l1 - l2))
        if not left < meet < right:
            continue
        found = tangent(meet)
        certified = min(n1 - l1 * meet, n2 - l2 * meet)
        if math.log2(float(certified)) - math.log2(max(found[2], 1e-300)) > sag_bits:
            done[meet] = found
            pending += [(left, meet), (meet, right)]
    return [(at, cert, line) for at, (cert, line, _) in sorted(done.items())]


def f_certified(tangents, at) -> Fraction:
    """A rational lower bound on -log2 of the envelope min_k (nu_k - lam_k I) at I (bits per round; 0 where the
    envelope is >= 1): the kernel's log2 enclosure read at its upper end, so a printed f never exceeds the proof."""
    g = min(nu - lam * Fraction(at) for _, _, (nu, lam) in tangents)
    return Fraction(0) if g >= 1 else -log2_interval(g)[1]


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
    where = "no tangent (the read point is not above the lower end L)" if at is None else \
        f"tangents at E = {float(at):.6f}, NPA level {level}"
    return (f"{label}: with probability >= 1 - {format_rational(s['delta'])}, H_min of the outputs of {who} in the "
            f"{s['n']} rounds >= value bits (any-Bell-test chain, Azuma {azuma}, {where})")


def uniform(scenario) -> dict:
    xs = list(product(*map(range, scenario.inputs)))
    return {x: Fraction(1, len(xs)) for x in xs}


@dataclass(frozen=True)
class BellBits:
    """What `bits` made: the kernel's verdict (bits = verdict.value when verdict.ok), the certificate, the chain's
    numbers (`certify_bits`' info), the read bits problem and the count table."""

    verdict: object
    certificate: dict
    info: dict
    spec: dict
    table: object

    @property
    def bits(self):
        return int(self.verdict.value) if self.verdict.ok else None


def bits(problem, counts, delta=Fraction(1, 100), level=None, azuma=None, parties=None, claim_id="api/bits/bell",
         out=None) -> BellBits:
    """The Python twin of `certify bits --problem P --counts C`: problem a bits-problem dict or JSON path; counts
    a count table path ("-": standard input) or a `counts.BellTable`; parties a list or letters ("AB"). p(x) is
    the problem's, else the table's, else uniform, and must fit the observed input totals (chi-square at
    10^-6, `counts.check_frequencies`). Builds the "bits.bell" certificate, asks the kernel, writes it to `out`
    when verified."""
    from certify.certificate import checked, write
    from certify.counts import BellTable, check_frequencies, read_bell_counts
    from certify.kernel.bits import check_delta
    from certify.kernel.format import read_json

    where = str(problem) if not isinstance(problem, dict) else "problem"
    spec = read_problem(problem if isinstance(problem, dict) else read_json(problem), where)
    sc = spec["scenario"]
    table = counts if isinstance(counts, BellTable) else read_bell_counts(counts)
    table.check(sc.inputs, sc.outputs, table.source)
    if spec["p_x"] is not None and table.p_x is not None and {k: v for k, v in spec["p_x"].items() if v} != {
            k: v for k, v in table.p_x.items() if v}:
        raise CertifyError(f"{table.source}: p_x differs from the one of {where}")
    p_x = spec["p_x"] or table.p_x or uniform(sc)
    check_frequencies(table.input_totals(), p_x, table.source)  # the protocol's p(x) must fit the counts
    if isinstance(parties, str):  # letters, as --parties AB
        letters = [party_name(i) for i in range(sc.parties)]
        if not parties or any(c not in letters for c in parties) or list(parties) != sorted(set(parties)):
            raise CertifyError(f"--parties: expected distinct party letters in order among {''.join(letters)}, got "
                               f"{parties[:20]!r}")
        parties = [letters.index(c) for c in parties]
    delta = check_delta(Fraction(delta))
    cert, info = certify_bits(sc, spec["expr"], p_x, table.counts, parties or spec["parties"], delta,
                              level or spec["level"], claim_id, table.source or "counts", azuma or spec["azuma"])
    verdict = checked(cert, out or "certificate")
    if out and verdict.ok:
        write(cert, out)
    return BellBits(verdict, cert, info, spec, table)


FIELDS = {"scenario", "expression", "direction", "p_x", "parties", "level", "azuma", "source"}


def read_problem(obj, where: str = "problem") -> dict:
    """A bits problem (docs/count-table-format.md, "Bits of any Bell test"): {"scenario", "expression" (kernel or
    correlator form), "direction" ("max": randomness grows with E, the default; "min": it grows as E falls, and the
    claim is made for -E), "p_x" ({"x digits": "p/q"}; default uniform over every input tuple), "parties" (whose
    outputs are the randomness; default all), "level" (NPA level of the tangents; default 1 plus every pair of
    parties), "azuma" ("range", the default, or "bounded": Pironio's eq. (3))}."""
    from certify.expressions import read_expression
    from certify.kernel.defs.scenario import Scenario, make_expression
    from certify.kernel.format import expect, field, only, parse_rational

    only(expect(obj, dict, where), FIELDS, where)
    sizes = field(obj, "scenario", dict, where)
    if set(sizes) != {"inputs", "outputs"}:
        raise CertifyError(f'{where}.scenario: expected {{"inputs": [...], "outputs": [...]}}')
    from certify.kernel.defs.scenario import parse_scenario

    scenario = parse_scenario(sizes, f"{where}.scenario")
    if any(v > 10 for v in scenario.inputs + scenario.outputs):
        raise CertifyError(f"{where}.scenario: at most 10 inputs and outputs per party")
    expr = read_expression(field(obj, "expression", dict, where), scenario, f"{where}.expression")
    direction = obj.get("direction", "max")
    if direction not in ("max", "min"):
        raise CertifyError(f'{where}.direction: expected "max" or "min", got {str(direction)[:20]!r}')
    if direction == "min":
        expr = make_expression(scenario, [(o, i, -c) for o, i, c in expr.terms], -expr.constant)
    p_x = None
    if "p_x" in obj:
        p_x = {}
        for key, value in field(obj, "p_x", dict, where).items():
            if not (len(key) == scenario.parties and key.isdigit() and all(
                    int(c) < m for c, m in zip(key, scenario.inputs))):
                raise CertifyError(f"{where}.p_x: {key[:20]!r} is not an input tuple of the scenario (digits, A first)")
            p_x[tuple(int(c) for c in key)] = parse_rational(value, f"{where}.p_x.{key}")
        if any(v < 0 for v in p_x.values()) or sum(p_x.values()) != 1:
            raise CertifyError(f"{where}.p_x: expected non-negative probabilities summing to 1 exactly")
    parties = obj.get("parties", list(range(scenario.parties)))
    if not isinstance(parties, list) or not parties or parties != sorted(set(parties)) or any(
            isinstance(s, bool) or not isinstance(s, int) or not 0 <= s < scenario.parties for s in parties):
        raise CertifyError(f"{where}.parties: expected distinct parties in increasing order, 0..{scenario.parties - 1}")
    level = obj.get("level", default_level(scenario.parties))
    azuma = obj.get("azuma", "range")
    if azuma not in ("range", "bounded"):
        raise CertifyError(f'{where}.azuma: expected "range" or "bounded", got {str(azuma)[:20]!r}')
    return {"scenario": scenario, "expr": expr, "direction": direction, "p_x": p_x, "parties": parties,
            "level": level, "azuma": azuma, "Scenario": Scenario}


def default_level(parties: int) -> str:
    """1 plus one letter of each pair of parties: "1+AB", "1+AB+AC+BC", ..."""
    names = [party_name(i) for i in range(parties)]
    pairs = [a + b for j, a in enumerate(names) for b in names[j + 1:]]
    return "+".join(["1"] + pairs)


# Committed examples (proofs/bell/, `certify reproduce bell`): task -> (bits problem, count table, azuma or None)
PROOF_TASKS = ("mermin3", "chsh_biased", "table1-eq3", "table1-range")
_SOURCES = {"mermin3": ("mermin3_bits.json", "mermin3_counts.csv", None),
            "chsh_biased": ("chsh_biased_bits.json", "chsh_biased_counts.csv", None),
            "table1-eq3": ("chsh_biased_bits.json", "../pironio2010_table1.csv", "bounded"),
            "table1-range": ("chsh_biased_bits.json", "../pironio2010_table1.csv", "range")}
LABELS = {"mermin3": "made-up three-party Mermin counts (certify/data/examples/mermin3_counts.csv)",
          "chsh_biased": "made-up biased-input CHSH counts (certify/data/examples/chsh_biased_counts.csv)",
          "table1-eq3": "Pironio et al. Table 1 through the general chain, eq. (3)'s Azuma constant",
          "table1-range": "Pironio et al. Table 1 through the general chain, Azuma from the estimator's range"}


def proof_outputs(task) -> list:
    return [f"bell/{task}.json"]


def worker(task) -> list:
    """Family worker: one committed "bits.bell" certificate (Table 1: uniform inputs, the file's CHSH)."""
    from importlib import resources

    from certify.counts import read_bell_counts
    from certify.kernel.format import read_json

    folder = resources.files("certify") / "data" / "examples"
    spec_file, counts_file, azuma = _SOURCES[task]
    spec = read_problem(read_json(str(folder / spec_file)), spec_file)
    table = read_bell_counts(str(folder / counts_file))
    p_x = uniform(spec["scenario"]) if task.startswith("table1") else spec["p_x"]
    cert, _ = certify_bits(spec["scenario"], spec["expr"], p_x, table.counts, spec["parties"], Fraction(1, 100),
                           spec["level"], f"bell/bits/{task}", LABELS[task], azuma or spec["azuma"])
    return [(proof_outputs(task)[0], cert)]
