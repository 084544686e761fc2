"""Claim kind "npa.max": an upper bound on an NPA relaxation, from a dual certificate.

Trusted. The problem (rebuilt here from its definition, never read as matrices):

  maximise  sum_e g_e . y^e
  over      y^e (one moment vector per block e),
  s.t.      Gamma(y^e) = sum_w y^e_w F_w >= 0   for every block e,
            sum_e y^e_identity = 1,
            c . (sum_e y^e) >= I                 (only with a constraint).

A Bell objective has one block. A guessing probability of the outputs a_S of
parties S at inputs x_S has one block per guess e (the adversary's
decomposition P = sum_e P_e; block e scores P_e(a_S = e | x_S)).

Evidence: rationals nu, lambda >= 0 and one symmetric Z_e per block (upper
triangle, row by row). Lemma (weak duality): if every Z_e is PSD and

  g_e[w] + <Z_e, F_w> + lambda c[w] = [w = identity] nu   for all e, w,

then for every feasible y, since <Z_e, Gamma(y^e)> >= 0 and c . y >= I,
  sum_e g_e . y^e <= sum_e (g_e . y^e + <Z_e, Gamma(y^e)>) + lambda (c . y - I)
                   = nu sum_e y^e_identity - lambda I = nu - lambda I.
So the relaxation's optimum is <= nu - lambda I for EVERY I: a tangent line.
Entries of Z_e on zero entries of Gamma are unconstrained.
"""

from dataclasses import dataclass
from fractions import Fraction
from itertools import product

from certify.errors import CertifyError
from certify.kernel.format import Reject, expect, field, format_rational, parse_int, parse_rational
from certify.kernel.psd import is_psd
from certify.moment_matrix import ZERO, build, lookup, word_table
from certify.scenario import guess_expression, parse_expression, parse_scenario, to_words
from certify.words import parse_level, spell

KIND = "npa.max"


@dataclass(frozen=True)
class NpaProblem:
    scenario: object
    structure: object
    blocks: tuple  # one {word index: coefficient} per block
    labels: tuple  # the guess of each block (() for a Bell objective)
    constraint: object  # {word index: coefficient} or None
    at: object  # the I of the claim (Fraction) or None


def parse_problem(problem, where: str) -> NpaProblem:
    """Rebuild the relaxation from its definition; malformed input is a CertifyError."""
    expect(problem, dict, where)
    _only(problem, {"scenario", "level", "objective", "constraint"}, where)
    scenario = parse_scenario(field(problem, "scenario", dict, where), f"{where}.scenario")
    if "level" not in problem:
        raise CertifyError(f"{where}: missing field 'level'")
    monomials = parse_level(problem["level"], scenario.inputs, scenario.outputs, f"{where}.level")
    structure = build(monomials)
    table = word_table(structure)
    objective = field(problem, "objective", dict, where)
    labels, exprs = _objective(objective, scenario, f"{where}.objective")
    blocks = tuple(_indexed(e, scenario, table, f"{where}.objective") for e in exprs)
    constraint, at = None, None
    raw = problem.get("constraint")
    if raw is not None:
        at_where = f"{where}.constraint"
        expect(raw, dict, at_where)
        _only(raw, {"expression", "at"}, at_where)
        expr = parse_expression(field(raw, "expression", dict, at_where), scenario, f"{at_where}.expression")
        constraint = _indexed(expr, scenario, table, f"{at_where}.expression")
        at = parse_rational(field(raw, "at", str, at_where), f"{at_where}.at")
    return NpaProblem(scenario, structure, blocks, tuple(labels), constraint, at)


def _objective(objective, scenario, where):
    if len(objective) != 1 or not set(objective) <= {"bell", "guess"}:
        raise CertifyError(f'{where}: expected exactly one of "bell" or "guess"')
    if "bell" in objective:
        return [()], [parse_expression(objective["bell"], scenario, f"{where}.bell")]
    guess = expect(objective["guess"], dict, f"{where}.guess")
    _only(guess, {"parties", "inputs"}, f"{where}.guess")
    parties = field(guess, "parties", list, f"{where}.guess")
    inputs = field(guess, "inputs", list, f"{where}.guess")
    n = scenario.parties
    parties = [parse_int(p, f"{where}.guess.parties[{k}]", 0, n - 1) for k, p in enumerate(parties)]
    if not parties or len(set(parties)) != len(parties) or parties != sorted(parties):
        raise CertifyError(f"{where}.guess.parties: expected distinct parties in increasing order")
    if len(inputs) != len(parties):
        raise CertifyError(f"{where}.guess.inputs: expected {len(parties)} inputs, got {len(inputs)}")
    inputs = [parse_int(x, f"{where}.guess.inputs[{k}]", 0, scenario.inputs[p] - 1)
              for k, (p, x) in enumerate(zip(parties, inputs))]
    labels = list(product(*(range(scenario.outputs[p]) for p in parties)))
    return labels, [guess_expression(scenario, parties, inputs, e) for e in labels]


def _indexed(expr, scenario, table, where):
    out = {}
    for word, coef in to_words(expr, scenario).items():
        k = lookup(table, word, where)
        out[k] = out.get(k, Fraction(0)) + coef
    return out


def parse_evidence(evidence, npa: NpaProblem, where: str):
    """(nu, lambda, [Z_e]) with each Z_e a full symmetric Fraction matrix."""
    expect(evidence, dict, where)
    _only(evidence, {"nu", "lambda", "Z"}, where)
    nu = parse_rational(field(evidence, "nu", str, where), f"{where}.nu")
    lam = parse_rational(field(evidence, "lambda", str, where), f"{where}.lambda")
    raw = field(evidence, "Z", list, where)
    if len(raw) != len(npa.blocks):
        raise CertifyError(f"{where}.Z: expected {len(npa.blocks)} blocks, got {len(raw)}")
    n = npa.structure.size
    mats = []
    for b, block in enumerate(raw):
        at = f"{where}.Z[{b}]"
        expect(block, list, at)
        if len(block) != n:
            raise CertifyError(f"{at}: expected {n} upper-triangle rows, got {len(block)}")
        z = [[Fraction(0)] * n for _ in range(n)]
        for i, row in enumerate(block):
            expect(row, list, f"{at}[{i}]")
            if len(row) != n - i:
                raise CertifyError(f"{at}[{i}]: expected {n - i} entries, got {len(row)}")
            for k, text in enumerate(row):
                z[i][i + k] = z[i + k][i] = parse_rational(text, f"{at}[{i}][{k}]")
        mats.append(z)
    return nu, lam, mats


def verify_tangent(problem: dict, evidence: dict, where: str):
    """(nu, lambda): optimum <= nu - lambda * I for every I (see the module lemma)."""
    npa = parse_problem(problem, f"{where}.problem" if where else "problem")
    return tangent_of(npa, evidence, f"{where}.evidence" if where else "evidence")


def tangent_of(npa: NpaProblem, evidence, where: str):
    nu, lam, mats = parse_evidence(evidence, npa, where)
    if lam < 0:
        raise Reject(f"{where}.lambda: negative ({format_rational(lam)})")
    if npa.constraint is None and lam != 0:
        raise Reject(f"{where}.lambda: must be 0 when the problem has no constraint")
    c = npa.constraint or {}
    entry, n = npa.structure.entry, npa.structure.size
    for b, (g, z) in enumerate(zip(npa.blocks, mats)):
        inner = [Fraction(0)] * len(npa.structure.words)  # <Z_e, F_w>
        for i in range(n):
            for j in range(i, n):
                k = entry[i][j]
                if k != ZERO:
                    inner[k] += z[i][j] if i == j else 2 * z[i][j]
        for k, value in enumerate(inner):
            lhs = g.get(k, 0) + value + lam * c.get(k, 0)
            if lhs != (nu if k == 0 else 0):
                word = npa.structure.words[k]
                raise Reject(f"{where}.Z[{b}]: dual identity fails at word {spell(word)} "
                             f"(residual {format_rational(lhs - (nu if k == 0 else 0))})")
        if not is_psd(z, _backend()):
            raise Reject(f"{where}.Z[{b}]: not positive semidefinite (exact LDL^T)")
    return nu, lam


def check(problem: dict, relation: str, value: Fraction, evidence: dict, where: str) -> Fraction:
    """Verify "optimum <= value"; return the certified bound nu - lambda * I."""
    npa = parse_problem(problem, f"{where}.claim.problem")
    if relation != "<=":
        raise Reject(f'{where}.claim.relation: a dual certificate proves only "<=", got {relation!r}')
    nu, lam = tangent_of(npa, evidence, f"{where}.evidence")
    bound = nu if npa.at is None else nu - lam * npa.at
    if bound > value:
        raise Reject(f"{where}: certified bound {format_rational(bound)} exceeds the claimed value "
                     f"{format_rational(value)}")
    return bound


def _backend() -> str:
    try:
        import flint  # noqa: F401  (optional accelerator; tests compare with "int")
    except ImportError:
        return "int"
    return "flint"


def _only(obj, allowed, where):
    extra = sorted(set(obj) - allowed)
    if extra:
        raise CertifyError(f"{where}: unknown field {extra[0]!r}")
