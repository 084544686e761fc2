"""Claim kind "npa.max": an upper bound on an NPA relaxation, from a dual certificate.

Trusted. The problem, rebuilt from its definition (never read as matrices): maximise sum_e g_e . y^e s.t.
Gamma(y^e) = sum_w y^e_w F_w >= 0 (one block, or one per guess e: P = sum_e P_e), sum_e y^e_1 = 1,
c . y >= I (a constraint), d_k . y = v_k (statistics), e_j . y r_j v_j ("constraints"), y = sum_e y^e.
Lemma (weak duality): if every Z_e is PSD, lambda >= 0, kappa_j >= 0 for ">=", <= 0 for "<=", and
  g_e[w] + <Z_e, F_w> + lambda c[w] + sum_k mu_k d_k[w] + sum_j kappa_j e_j[w] = [w = 1] nu  for all e, w,
the optimum is <= nu' - lambda I for EVERY I, nu' = nu - sum_k mu_k v_k - sum_j kappa_j v_j: a tangent
line. In full: appendix B of docs/referee-guide.md. "min" (Bell only) puts -f in the block: min f >= -bound.
"""

import importlib.util  # noqa: I001 -- the kernel wraps long imports (ruff would put one name a line)
import os
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from itertools import product
from math import prod

from certify.errors import CertifyError
from certify.kernel.defs.scenario import (MAX_TERMS, coefficients, make_expression, parse_expression, parse_guess,
                                          parse_rule, parse_rules, parse_scenario, products, to_words)
from certify.kernel.defs.words import ZERO, build, canonical, parse_level, reduce_word, spell
from certify.kernel.format import (Proven, Reject, brief, denominator, field, only, parse_rational, rational, rationals,
                                   sized)
from certify.kernel.psd import dominant, hint_size, hinted, integer_psd, scaled

KIND = "npa.max"
MAX_SIZE = 600  # words of a level (1,521 took 13 s and 520 MB to build; committed: <= 69)
MAX_BLOCKS = 256  # guesses of a guess objective (committed: <= 8); each block is a Z of the file
FIELDS = {"scenario", "level", "constraint", "statistics"}
_build = lru_cache(maxsize=8)(build)  # each check and pipeline step rebuilds its level; the result is frozen tuples


@dataclass(frozen=True)
class NpaProblem:
    structure: object
    blocks: tuple  # one {word index: coefficient} per block
    constraint: object  # {word index: coefficient} or None
    at: object  # the I of the claim (Fraction) or None
    statistics: tuple = ()  # ({word index: coefficient}, value) per observed statistic
    constraints: tuple = ()  # ({word index: coefficient}, relation, value) per constraint
    sign: int = 1  # -1 for "min": the blocks hold -f
    scenario: object = None
    eve: tuple = ()  # vn: the words {device word: coefficient} of each M_k (`kernel.vn`)


def parse_setting(problem, where: str, keys, most: int = MAX_TERMS, entropy: bool = False):
    """(scenario, sign, goal, constraint, statistics, constraints) of an npa.max problem without its level
    (quantum.strategy's too); rules are [(expression, relation, value)]. `entropy` (kinds vn.*): the goal
    is Eve's M_k, from an "entropy" guess."""
    only(problem, keys, where)
    sense = problem.get("sense", "max")  # absent: "max" (committed claims); a list or object is no key (exit 3)
    sign = {"max": 1, "min": -1}.get(sense) if isinstance(sense, str) else None
    if sign is None or (sign == -1 and "guess" in field(problem, "objective", dict, where)):
        raise CertifyError(f'{where}.sense: expected "max" (or "min" with a Bell objective), got '
                           f'{str(problem["sense"])[:20]!r}')
    scenario = parse_scenario(field(problem, "scenario", dict, where), f"{where}.scenario")
    at = f"{where}.entropy" if entropy else f"{where}.objective"
    goal = _guess(field(problem, "entropy", dict, where), scenario, at) if entropy else \
        _objective(field(problem, "objective", dict, where), scenario, at)
    pinned = problem.get("constraint")
    constraint = [] if pinned is None else [parse_rule(pinned, scenario, f"{where}.constraint", ">=", "at")]
    statistics, constraints = (parse_rules(problem.get(name, []), scenario, f"{where}.{name}", most, fixed)
                               for name, fixed in (("statistics", "=="), ("constraints", "")))
    rules = constraint + statistics + constraints  # the checks add these up: one common denominator (work bound)
    denominator(coefficients(goal + [r[0] for r in rules]) + [r[2] for r in rules], where)
    return scenario, sign, goal, constraint, statistics, constraints


def parse_problem(problem, where: str, entropy: bool = False, more=frozenset()) -> NpaProblem:
    """Rebuild the relaxation; malformed input is a CertifyError. Sizes are checked before anything
    is built. `entropy`: see `parse_setting` (the level has Z letters); `more`: the kind's extra fields."""
    keys = FIELDS | more | ({"entropy"} if entropy else {"objective", "sense", "constraints"})
    # work bound: 80,000 one-term constraints (9 MB) took 5.2 s to parse and check; quantum.strategy's bound
    scenario, sign, goal, constraint, statistics, constraints = parse_setting(problem, where, keys, 1000, entropy)
    if "level" not in problem:
        raise CertifyError(f"{where}: missing field 'level'")
    monomials = parse_level(problem["level"], scenario.inputs, scenario.outputs, f"{where}.level",
                            len(goal) if entropy else 0)
    if len(monomials) > MAX_SIZE:
        raise CertifyError(f"{where}.level: {len(monomials)} words, more than the kernel's limit of {MAX_SIZE}")
    # [(expression, where)] of the objective's blocks, the constraint, the statistics, the constraints
    groups = [[] if entropy else [(e, f"{where}.objective") for e in goal]] + [
        [(e, f"{where}.{name}{f'[{k}]' * (name != 'constraint')}.expression") for k, (e, _, _) in enumerate(rules)]
        for name, rules in (("constraint", constraint), ("statistics", statistics), ("constraints", constraints))]
    total = 0
    for e, spot in (item for group in groups for item in group):
        total += products(e, scenario)
        if total > MAX_TERMS:
            raise CertifyError(f"{spot}: expands to more than {MAX_TERMS} Collins-Gisin products (with the "
                               "expressions before it; work bound)")
    structure = _build(tuple(monomials))
    most = MAX_TERMS if entropy else len(structure.words)
    if "statistics" in problem and not 0 < len(statistics) <= most:
        raise CertifyError(f"{where}.statistics: expected 1 to {most} entries, got {len(statistics)}")
    table = {word: k for k, word in enumerate(structure.words)}  # canonical word -> entry index
    blocks, pins, stats, cons = ([index_words(to_words(e, scenario, spot), table, spot) for e, spot in group]
                                 for group in groups)
    return NpaProblem(structure, tuple({k: sign * v for k, v in g.items()} for g in blocks),
                      pins[0] if pins else None, constraint[0][2] if constraint else None,
                      tuple(zip(stats, (v for _, _, v in statistics))),
                      tuple((c, r, v) for c, (_, r, v) in zip(cons, constraints)), sign, scenario,
                      tuple(to_words(e, scenario) for e in goal) if entropy else ())


def _objective(objective, scenario, where):
    if len(objective) != 1 or not set(objective) <= {"bell", "guess"}:
        raise CertifyError(f'{where}: expected exactly one of "bell" or "guess"')
    if "bell" in objective:
        return [parse_expression(objective["bell"], scenario, f"{where}.bell")]
    return _guess(objective["guess"], scenario, f"{where}.guess")


def _guess(guess, scenario, at):
    """P(a_S = e | x_S), one expression per guess e of the outputs a_S of the parties S."""
    parties, inputs = parse_guess(guess, scenario.inputs, at)
    if prod(scenario.outputs[p] for p in parties) > MAX_BLOCKS:  # before building any block
        raise CertifyError(f"{at}: {prod(scenario.outputs[p] for p in parties)} guesses, more than {MAX_BLOCKS}")
    slots = lambda values: [dict(zip(parties, values)).get(i) for i in range(scenario.parties)]
    return [make_expression(scenario, [(slots(e), slots(inputs), 1)], 0, at)
            for e in product(*(range(scenario.outputs[p]) for p in parties))]


def index_words(words, table, where):
    """{entry index: coefficient} of {word: coefficient}; each word must be an entry of the matrix."""
    out = {}
    for word, coef in words.items():
        k = table.get(canonical(reduce_word(word)))
        if k is None:
            raise CertifyError(f"{where}: word {spell(word)} is not an entry of the moment matrix (raise the level)")
        out[k] = out.get(k, Fraction(0)) + coef
    return out


def parse_evidence(evidence, npa: NpaProblem, where: str):
    """(nu, lambda, [mu_k], [kappa_j], [Z_e], [L_e] or None): each Z_e a full symmetric Fraction matrix, each
    L_e (the optional "psd_hint") lower-triangle rows."""
    pins = (("mu", npa.statistics), ("kappa", npa.constraints))
    only(evidence, {"nu", "lambda", "Z", "psd_hint"} | {key for key, rules in pins if rules}, where)
    nu, lam = (rational(evidence, key, where) for key in ("nu", "lambda"))
    mu = [rationals(evidence, key, len(rules), where) if rules else [] for key, rules in pins]
    denominator(mu[0] + mu[1], where)  # the checks sum these (work bound; nu, lambda: one each)
    n, hinted_ = npa.structure.size, "psd_hint" in evidence
    if hinted_:
        hint_size(n, f"{where}.psd_hint")  # before Z and the hint are parsed
    mats = []
    for b, block in enumerate(sized(field(evidence, "Z", list, where), len(npa.blocks), f"{where}.Z", "blocks")):
        upper = _rows(block, n, f"{where}.Z[{b}]", "upper-triangle rows", lambda i: n - i)  # upper[i][k] = Z[i][i+k]
        mats.append([[upper[min(i, j)][abs(j - i)] for j in range(n)] for i in range(n)])
    if not hinted_:
        return nu, lam, *mu, mats, None
    hints = sized(field(evidence, "psd_hint", list, where), len(mats), f"{where}.psd_hint")
    return nu, lam, *mu, mats, [_rows(block, n, f"{where}.psd_hint[{b}]", "lower-triangle rows", lambda i: i + 1)
                                for b, block in enumerate(hints)]  # row i: L[i][0..i]


def _rows(raw, n: int, at: str, what: str, length) -> list:
    """n rows of rationals, row i of length(i)."""
    return [[parse_rational(v, f"{at}[{i}][{k}]") for k, v in enumerate(sized(row, length(i), f"{at}[{i}]"))]
            for i, row in enumerate(sized(raw, n, at, what))]


def verify_tangent(problem: dict, evidence: dict, where: str, spent=None):
    """(nu', lambda): optimum <= nu' - lambda * I for every I (see the module lemma). `spent`: see `tangent_of`."""
    npa = parse_problem(problem, f"{where}.problem" if where else "problem")
    return tangent_of(npa, evidence, f"{where}.evidence" if where else "evidence", spent)


def tangent_of(npa: NpaProblem, evidence, where: str, spent=None):
    nu, lam, mu, kappa, mats, hints = parse_evidence(evidence, npa, where)
    if lam < 0:
        raise Reject(f"{where}.lambda: negative ({brief(lam)})")
    for k, (m, (_, relation, _)) in enumerate(zip(kappa, npa.constraints)):
        if (relation == ">=" and m < 0) or (relation == "<=" and m > 0):
            raise Reject(f"{where}.kappa[{k}]: {brief(m)} has the wrong sign for a {relation!r} constraint")
    if npa.constraint is None and lam != 0:
        raise Reject(f"{where}.lambda: must be 0 when the problem has no constraint")
    pins = [(mu_k, d, v) for mu_k, (d, v) in zip(mu, npa.statistics)]
    pins += [(kappa_j, e, v) for kappa_j, (e, _, v) in zip(kappa, npa.constraints)]
    c = {k: lam * v for k, v in (npa.constraint or {}).items()}  # the multipliers' part of each identity
    for m, d, _ in pins:
        for k, v in d.items():
            c[k] = c.get(k, 0) + m * v
    entry, n = npa.structure.entry, npa.structure.size
    spent = [0] if spent is None else spent  # `psd`'s work bound over all blocks (<= 256), or all of a file's
    # a hint replaces the elimination (only the hint is used when present; `psd.dominant`); Z = M / D
    prepared = [scaled(z, f"{where}.Z[{b}]", spent, True) if hints is None else
                hinted(z, hints[b], f"{where}.Z[{b}]", spent) for b, z in enumerate(mats)]
    for b, (g, (d, m, *_)) in enumerate(zip(npa.blocks, prepared)):
        inner = [0] * len(npa.structure.words)  # D <Z_e, F_w>, in integers: one division per word
        for i, (row, words) in enumerate(zip(m, entry)):
            for j in range(i, n):
                if words[j] != ZERO:
                    inner[words[j]] += row[j] if i == j else 2 * row[j]
        for k, value in enumerate(inner):
            residual = g.get(k, 0) + Fraction(value, d) + c.get(k, 0) - (nu if k == 0 else 0)
            if residual:
                raise Reject(f"{where}.Z[{b}]: dual identity fails at word {spell(npa.structure.words[k])} "
                             f"(residual {brief(residual)})")
        if hints is None and not integer_psd(m, _backend(n)):
            raise Reject(f"{where}.Z[{b}]: not positive semidefinite (exact LDL^T)")
        if hints is not None and not dominant(prepared[b], _backend(n)):
            raise Reject(f"{where}.psd_hint[{b}]: Z - L L^T is not diagonally dominant (the hint proves nothing)")
    return nu - sum((m * v for m, _, v in pins), Fraction(0)), lam


def check(problem: dict, relation: str, value: Fraction, evidence: dict, where: str) -> Proven:
    """The certified upper bound nu - lambda * I (a dual proves no lower bound); for "min", -that
    as a lower bound."""
    npa = parse_problem(problem, f"{where}.claim.problem")
    nu, lam = tangent_of(npa, evidence, f"{where}.evidence")
    bound = nu if npa.at is None else nu - lam * npa.at
    if "guess" in problem["objective"] and bound < Fraction(1, len(npa.blocks)):
        # Lemma: a feasible relaxation's optimum is >= 1/k, k guesses (put the whole box in the block
        # of its likeliest guess): a smaller bound only proves the constraints infeasible (vacuous).
        raise Reject(f"{where}: certified bound {brief(bound)} is below 1/{len(npa.blocks)}: the "
                     f"constraints are infeasible at this level, so the bound says nothing")
    return Proven(high=bound) if npa.sign == 1 else Proven(low=-bound)


def _backend(n: int) -> str:
    """Python integers, or python-flint's fmpz where faster (n >= 30: 1.5x at 30 rows, 3x at 69);
    CERTIFY_PSD_BACKEND=int keeps compiled code out of the decision."""
    use = n >= 30 and os.environ.get("CERTIFY_PSD_BACKEND") != "int" and importlib.util.find_spec("flint")
    return "flint" if use else "int"
