"""Certificates for Pironio et al. 2010 (Nature 464, 1021): Tsirelson and the G(I) curves.

Untrusted producer of, under <out>/pironio2010/npa/:
  tsirelson-<level>.json          max CHSH <= 2 sqrt 2 + ~1e-9, levels 1, 1+AB, 2;
  global-<level>-I<I>.json        G(I) <= v, guessing the output pair at (x, y) = (0, 0)
                                  subject to CHSH >= I, a tangent line G(I') <= nu - lam I'
                                  valid for every I' (spec section 4);
  local-2-I<I>.json               the same for Alice's output alone (curve b).
Grid: I_k = 2 + k (2 sqrt 2 - 1e-6 - 2) / 63, k = 0..63, floored to 1e-9, then
refined: where two neighbouring tangents meet, the envelope sags most; if there
the certified f is more than `SAG_BITS` below the float f, a tangent at the
meeting point is added (on [2, 2.8], where the paper's numbers live).
Output is deterministic (no timings in files; keys sorted).

Reading a curve back (`Curve`): every tangent file must get a verified "npa.max" verdict from
`check_certificate`, and every number the curve gives is again a verdict: the bound at I is
the kernel's verdict on the best tangent's evidence claimed at I (the tangent lemma of
`certify.kernel.npa`: the same evidence proves the bound nu - lambda I for every I). It is
given only for 2 <= I <= 2 sqrt 2: above Tsirelson's bound the relaxation is empty and a line
constrains nothing, below 2 no randomness is certified.
"""

import math
from dataclasses import dataclass
from fractions import Fraction

from certify.certificate import checked, make_certificate
from certify.errors import CertifyError
from certify.kernel import Verdict, check_certificate
from certify.kernel.defs.scenario import Scenario, chsh, parse_expression, to_words
from certify.kernel.format import format_rational, parse_rational, read_json
from certify.kernel.npa import KIND

# The producers import the solver stack when they run (`_solving`): the curve reader `Curve` is
# what the report and the figures use, and it must work on a kernel-only install (plain `pip install certify`).


def _solving():
    """(certify.npa, certify.papers.produce): numpy, cvxpy and the solvers, loaded only to produce."""
    from certify import npa as npa_pipeline
    from certify.papers import produce

    return npa_pipeline, produce

CURVE_LEVELS = ("1+AB", "2")
TSIRELSON_LEVELS = ("1", "1+AB", "2")
POINTS = 64
SAG_BITS = 5e-5
REFINE_UP_TO = Fraction(2801, 1000)


def grid(points: int = POINTS):
    top = 2 * math.sqrt(2) - 1e-6
    return [_floor9(2 + k * (top - 2) / (points - 1)) for k in range(points)]


def _floor9(x) -> Fraction:
    return Fraction(math.floor(x * 10**9), 10**9)


def tsirelson(level):
    """Family worker: max CHSH at one NPA level (Tsirelson: 2 sqrt 2)."""
    pipeline, produce = _solving()
    problem = pipeline.chsh_max_problem(level)
    result = pipeline.certify_problem(problem, None, target=0.0, ladder=(("lmi", 1e-10), ("tied", 1e-10)))
    if result is None:
        raise CertifyError(f"tsirelson {level}: no verified certificate")
    statement = f"NPA level {level}: max CHSH <= value (Tsirelson: 2 sqrt 2)"
    cert = produce.npa_certificate(f"pironio2010/tsirelson/level={level}", statement, problem, result)
    return [(f"pironio2010/npa/tsirelson-{level}.json", cert)]


def _curve_point(level, guess, at, solver, z0):
    pipeline, produce = _solving()
    problem = pipeline.chsh_guess_problem(level, at, guess)
    # target 0: the tightest certificate of every rung, polished (issue 14 item 4: the curve within
    # 1e-8 of the float curve on [2.05, 2.8]; measured 4e-12 .. 5e-10 where a stop at 1e-8 left
    # nine points up to 2.6e-8 looser than the previous certificates)
    result = pipeline.certify_problem(problem, solver, target=0.0, z0=z0)
    if result is None:
        raise CertifyError(f"{guess} {level} I={at}: no verified certificate")
    who = "the output pair (a,b)" if guess == "global" else "Alice's output a"
    statement = (f"NPA level {level}: guessing probability of {who} at (x,y)=(0,0) given "
                 f"CHSH >= {float(at):.9f} is <= value (a tangent line in I)")
    claim_id = f"pironio2010/G-{guess}/level={level}/I={float(at):.9f}"
    return produce.npa_certificate(claim_id, statement, problem, result), result


def produce_curve(level: str, guess: str = "global", solver=None, points=POINTS):
    """Certify G on the grid, then refine where the envelope sags; [(relative file name, cert)]."""
    pipeline, _ = _solving()
    z0 = pipeline.interior(pipeline.chsh_guess_problem(level, 2, guess), solver)
    done = {}
    for at in grid(points):
        done[at] = _curve_point(level, guess, at, solver, z0)
    checked = set()  # neighbour pairs whose meeting point is already within SAG_BITS
    while True:
        added = 0
        points_sorted = sorted(done)
        for left, right in zip(points_sorted, points_sorted[1:]):
            (_, r1), (_, r2) = done[left], done[right]
            if r1.lam == r2.lam or (left, right) in checked:
                continue
            checked.add((left, right))
            meet = _floor9((r1.nu - r2.nu) / (r1.lam - r2.lam))
            if not left < meet < right or meet > REFINE_UP_TO:
                continue
            cert, result = _curve_point(level, guess, meet, solver, z0)
            certified = min(r1.nu - r1.lam * meet, r2.nu - r2.lam * meet)
            if math.log2(float(certified)) + math.log2(1 / result.primal) > SAG_BITS:
                done[meet] = (cert, result)
                added += 1
        if not added:
            break
    return [(f"pironio2010/npa/{guess}-{level}-I{float(at):.9f}.json", cert) for at, (cert, _) in sorted(done.items())]


def curve(spec):
    """Family worker: one whole curve, spec = (level, guess)."""
    return produce_curve(*spec)


@dataclass(frozen=True)
class Tangent:
    """A verified tangent: its certificate, the verdict at its own I, and the line it states."""

    at: Fraction
    cert: dict
    verdict: Verdict
    nu: Fraction  # nu and lambda as written in the evidence: used only to pick a line, the
    lam: Fraction  # number shown is always a fresh verdict (`Curve.g_upper`)


class Curve:
    """The lower envelope min_k (nu_k - lambda_k I) of verified tangents of one problem up to I:
    a concave upper bound on G(I), each value of which is a kernel verdict."""

    def __init__(self, tangents):
        if not tangents:
            raise CertifyError("a curve needs at least one verified tangent")
        self.tangents = sorted(tangents, key=lambda t: t.at)
        self._cache = {}

    @classmethod
    def load(cls, paths) -> "Curve":
        """Check every file with `check_certificate`; all must be verified tangents of one problem."""
        tangents, family = [], None
        for path in paths:
            cert = read_json(path)
            tangent = tangent_of(cert, check_certificate(cert, str(path)), str(path))
            shape = _shape(cert["claim"]["problem"])
            if family is not None and shape != family:
                raise CertifyError(f"{path}: not the same problem (up to I) as the other tangents of this curve")
            family = shape
            tangents.append(tangent)
        return cls(tangents)

    @property
    def top(self) -> Fraction:
        return self.tangents[-1].at

    def verdict_at(self, at) -> Verdict:
        """The kernel's verdict on G(at) <= nu - lambda at for the line lowest at `at`."""
        at = Fraction(at)
        if at < 2 or at * at > 8:
            raise CertifyError(f"I = {float(at):.9g}: a tangent is read only for 2 <= I <= 2 sqrt 2")
        if at not in self._cache:
            best = min(self.tangents, key=lambda t: t.nu - t.lam * at)
            verdict = checked(claimed_at(best.cert, at), f"{best.verdict.source} at I = {format_rational(at)}")
            if not verdict.ok:
                raise CertifyError(f"{best.verdict.source}: the tangent does not verify at I = {float(at):.9g}: "
                                   f"{verdict.reason}")
            self._cache[at] = verdict
        return self._cache[at]

    def g_upper(self, at) -> Fraction:
        """The verified upper bound on G(at)."""
        return self.verdict_at(at).value

    def f_lower(self, at) -> float:
        """-log2 of `g_upper`, a float for plotting (0 below I = 2: no randomness certified)."""
        return 0.0 if at < 2 else max(0.0, -math.log2(float(self.g_upper(Fraction(at)))))


def tangent_of(cert: dict, verdict: Verdict, where: str) -> Tangent:
    """A `Tangent` from a certificate and its verdict, which must be a verified CHSH-guess bound."""
    if not verdict.ok:
        raise CertifyError(f"{where}: not verified: {verdict.reason}")
    problem = cert["claim"]["problem"]
    constraint = problem.get("constraint")
    if verdict.kind != KIND or verdict.relation != "<=" or "guess" not in problem["objective"] \
            or not isinstance(constraint, dict) or "statistics" in problem:
        raise CertifyError(f"{where}: not an npa.max upper bound on a guess subject to one constraint")
    scenario = Scenario((2, 2), (2, 2))
    words = to_words(parse_expression(constraint["expression"], scenario, where), scenario) \
        if problem["scenario"] == {"inputs": [2, 2], "outputs": [2, 2]} else None
    if words != to_words(chsh(), scenario):
        raise CertifyError(f"{where}: the constraint is not CHSH >= I")
    at = parse_rational(constraint["at"], f"{where}: claim.problem.constraint.at")
    nu = parse_rational(cert["evidence"]["nu"], f"{where}: evidence.nu")
    lam = parse_rational(cert["evidence"]["lambda"], f"{where}: evidence.lambda")
    if nu - lam * at != verdict.value:
        raise CertifyError(f"{where}: the evidence's line is not the bound the kernel verified")
    return Tangent(at, cert, verdict, nu, lam)


def claimed_at(cert: dict, at: Fraction) -> dict:
    """The same evidence claimed at I = at: "G(at) <= nu - lambda at" (the tangent lemma)."""
    claim, evidence = cert["claim"], cert["evidence"]
    problem = {**claim["problem"], "constraint": {**claim["problem"]["constraint"], "at": format_rational(at)}}
    value = parse_rational(evidence["nu"], "evidence.nu") - parse_rational(evidence["lambda"], "evidence.lambda") * at
    return make_certificate(f"{claim['id']}/at={format_rational(at)}"[:200], claim["kind"],
                            f"{claim['statement']} (the same tangent read at I = {format_rational(at)})",
                            problem, "<=", value, evidence)


def _shape(problem: dict) -> dict:
    """The problem up to I: the tangents of one curve must agree on it."""
    return {**problem, "constraint": {**(problem.get("constraint") or {}), "at": None}}
