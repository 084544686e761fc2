"""Claim kind "bits.ns": certified min-entropy of a CHSH experiment against no-signalling adversaries.

Trusted. Pironio et al. 2010, eq. (3) against the no-signalling set (that of their curve c). Problem {"counts",
"p_xy", "delta"} as "bits.chsh" (`bits.read_counts`); evidence {"lambda": lam >= 0, "tangents": {"ab|xy":
{"problem", "evidence": {"dual"}}} for all 16 (ab, xy)}, each problem exactly "max P(ab|xy) + lam CHSH" over
two-party binary no-signalling boxes (an "lp.ns" problem: no promise, no constraint), its dual proving max <= nu_k
(`lp.dual_bound`). Lemma: a box with CHSH = I then has P(ab|xy) <= nu_k - lam I <= nu - lam I (nu = max_k nu_k)
for every guess ab at every input pair xy, so G_NS(I) <= nu - lam I bounds every round; the chain is
`bits.check_bits` with I_max = 4, the no-signalling maximum (in eps's range and the clamp). In full:
docs/referee-guide.md, appendix E.
"""

from fractions import Fraction
from itertools import product

from certify.errors import CertifyError
from certify.kernel.bits import check_bits, check_delta, read_counts
from certify.kernel.defs.ns_polytope import build
from certify.kernel.defs.scenario import chsh
from certify.kernel.format import Proven, Reject, brief, field, only, parse_rational
from certify.kernel.lp import dual_bound

SCENARIO = {"inputs": [2, 2], "outputs": [2, 2]}
KEYS = tuple(f"{a}{b}|{x}{y}" for a, b, x, y in product(range(2), repeat=4))


def check(problem: dict, relation: str, value: Fraction, evidence: dict, where: str) -> Proven:
    at, ev = f"{where}.claim.problem", f"{where}.evidence"
    if set(problem) != {"counts", "p_xy", "delta"}:  # a dict: `read_claim` checked it
        raise CertifyError(f"{at}: expected exactly counts, p_xy, delta")
    counts, p_xy = read_counts(problem, at)
    delta = check_delta(parse_rational(problem["delta"], f"{at}.delta"))
    if value.denominator != 1 or value < 0:
        raise CertifyError(f"{where}.claim.value: a number of bits is a non-negative integer, got {value}")
    lam = parse_rational(field(only(evidence, {"lambda", "tangents"}, ev), "lambda", str, ev), f"{ev}.lambda")
    tangents = field(evidence, "tangents", dict, ev)
    if set(tangents) != set(KEYS):
        raise CertifyError(f'{ev}.tangents: expected one lp.ns certificate for each "ab|xy" (16)')
    if lam < 0:
        raise Reject(f"{ev}.lambda: {brief(lam)} < 0 (the bound would grow with CHSH)")
    nu = None
    for key in KEYS:
        spot, (ab, xy) = f"{ev}.tangents.{key}", key.split("|")
        tangent = only(field(tangents, key, dict, ev), {"problem", "evidence"}, spot)
        shape = field(tangent, "problem", dict, spot)
        # the objective lam CHSH + P(ab|xy) on the columns (x, a): CHSH has a term on every column
        wanted = {((x, y), (a, b)): lam * c for (a, b), (x, y), c in chsh().terms}
        wanted[tuple(map(int, xy)), tuple(map(int, ab))] += 1
        lp = build(shape, f"{spot}.problem")  # not `extended`: refuses "min", constraints, guess and bell objectives
        if (shape["scenario"], shape.get("promise")) != (SCENARIO, None) or lp.objective != {
                k: c for k, c in wanted.items() if c}:  # a missing promise is none (as `build` reads it)
            raise Reject(f"{spot}.problem: not max P({ab}|{xy}) + {brief(lam)} CHSH over no-signalling boxes")
        dual = field(only(field(tangent, "evidence", dict, spot), {"dual"}, f"{spot}.evidence"), "dual", dict, spot)
        bound = dual_bound(lp, dual, f"{spot}.evidence.dual")
        nu = bound if nu is None else max(nu, bound)
    return Proven(low=Fraction(check_bits(counts, delta, p_xy, nu, lam, Fraction(4))))
