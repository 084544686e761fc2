"""Exact check of "bits.chsh" and "pvalue.chsh" claims: from counts to certified bits.

Trusted. "bits.chsh": w.p. >= 1 - delta the n recorded rounds hold H_min >= value bits (Pironio
et al. 2010, eq. (3)). Evidence: NPA tangents G_xy(I) <= nu - lam I for one or more input pairs xy,
each required to be exactly the CHSH guessing problem at its pair and the claim's level, then verified
by `kernel.npa`. Lemma: the relabellings x -> 1-x, b -> b xor y and y -> 1-y, a -> a xor x keep
the quantum set and CHSH and move a guess between input pairs, so the four quantum G_xy are one
function and each verified line bounds every round; being affine it passes Jensen's step. The
fewest bits over the lines given are kept (conservative). The chain: `kernel.bits.check_bits`.
"pvalue.chsh": a local model (with memory) reaches the observed estimate w.p. <= value.
"""

from fractions import Fraction

from certify.errors import CertifyError
from certify.kernel.bits import PAIRS, check_bits, check_delta, p_value_upper, read_counts
from certify.kernel.defs.scenario import Scenario, chsh, parse_expression, to_words
from certify.kernel.defs.words import parse_level
from certify.kernel.format import Proven, Reject, expect, field, only, parse_rational
from certify.kernel.npa import verify_tangent


def check_bits_claim(problem: dict, relation: str, value: Fraction, evidence: dict, where: str) -> Proven:
    where_p = f"{where}.claim.problem"
    if set(problem) != {"counts", "p_xy", "delta", "model", "level"}:  # a dict: `read_claim` checked it
        raise CertifyError(f"{where_p}: expected exactly counts, p_xy, delta, model, level")
    counts, p_xy = read_counts(problem, where_p)
    delta = check_delta(parse_rational(problem["delta"], f"{where_p}.delta"))
    if problem["model"] != "quantum":
        raise CertifyError(f'{where_p}.model: expected "quantum" (the tangents are NPA bounds)')
    level = field(problem, "level", str, where_p)
    parse_level(level, (2, 2), (2, 2), f"{where_p}.level")  # a level that does not parse is malformed
    if value.denominator != 1 or value < 0:
        raise CertifyError(f"{where}.claim.value: a number of bits is a non-negative integer, got {value}")
    tangents = field(only(evidence, {"tangents"}, f"{where}.evidence"), "tangents", dict, f"{where}.evidence")
    if not tangents and value <= 0:
        # Lemma: H_min >= 0 always (a guessing probability is <= 1): no tangent needed.
        return Proven(low=Fraction(0))
    if not tangents or not set(tangents) <= {"00", "01", "10", "11"}:  # any line bounds every round (lemma)
        raise CertifyError(f'{where}.evidence.tangents: expected tangents for one or more of "00", "01", "10", "11"')
    proven, spent = [], [0]  # bits per tangent line (the fewest are kept); one PSD work budget for all
    # (not 4x it: session 22; committed totals <= 1.1e12, proofs/pironio2010/bits/table1-level-3.json)
    for x, y in (pair for pair in PAIRS if f"{pair[0]}{pair[1]}" in tangents):
        spot = f"{where}.evidence.tangents.{x}{y}"
        tangent = tangents[f"{x}{y}"]
        if set(expect(tangent, dict, spot)) != {"problem", "evidence"}:
            raise CertifyError(f"{spot}: expected exactly problem and evidence")
        _require_chsh_guess(field(tangent, "problem", dict, spot), level, (x, y), f"{spot}.problem")
        nu, lam = verify_tangent(tangent["problem"], field(tangent, "evidence", dict, spot), spot, spent)
        proven.append(check_bits(counts, delta, p_xy, nu, lam))
    return Proven(low=Fraction(min(proven)))


def _require_chsh_guess(problem: dict, level: str, inputs, where: str) -> None:
    """The tangent must bound the guess of (a, b) at `inputs`, given CHSH >= I, at `level`."""
    expected = {"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, "level": level,
                "objective": {"guess": {"inputs": list(inputs), "parties": [0, 1]}}}
    if set(problem) != {*expected, "constraint"}:  # e.g. "statistics" would make the line conditional
        raise Reject(f"{where}: expected exactly scenario, level, objective, constraint")
    for key, want in expected.items():
        if problem.get(key) != want:
            raise Reject(f"{where}.{key}: expected {want}, got {str(problem.get(key))[:80]}")
    constraint, scenario = field(problem, "constraint", dict, where), Scenario((2, 2), (2, 2))
    expression = parse_expression(field(constraint, "expression", dict, f"{where}.constraint"), scenario,
                                  f"{where}.constraint.expression")
    if to_words(expression, scenario) != to_words(chsh(), scenario):
        raise Reject(f"{where}.constraint.expression: not the CHSH expression")


def check_pvalue_claim(problem: dict, relation: str, value: Fraction, evidence: dict, where: str) -> Proven:
    where_p = f"{where}.claim.problem"
    if set(problem) != {"counts", "p_xy"} or evidence:
        raise CertifyError(f"{where_p}: expected exactly counts and p_xy, and empty evidence")
    counts, p_xy = read_counts(problem, where_p)
    return Proven(high=p_value_upper(counts, p_xy))
