"""NPA problems: JSON definitions, and the sparse conic data a solver needs.

Untrusted. A problem definition is the dict the kernel rebuilds from
(`certify.kernel.npa.parse_problem`); this module writes such dicts and turns
the rebuilt, exact problem into float arrays. Conventions: words are indexed as
in `MomentStructure.words` (0 = identity); matrix positions are the upper
triangle (i <= j) in row-major order; one block per guess.
"""

import itertools
import json
import math
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache

import numpy as np

from certify.errors import CertifyError
from certify.expressions import expression_to_json, scenario_to_json
from certify.kernel.defs.scenario import Scenario, chsh
from certify.kernel.format import Reject, format_rational
from certify.kernel.npa import parse_problem, tangent_of
from certify.rounding import (
    add_psd_hints,
    assemble,
    float_margin,
    float_matrix,
    interior_direction,
    round_duals,
    whitener,
)
from certify.solve import solve
from lp_checks.mermin import mermin_operator

BUILTIN = {"chsh": chsh, "mermin3": lambda: mermin_operator(3), "mermin4": lambda: mermin_operator(4)}


def problem(scenario: Scenario, level, objective: dict, constraint=None, at=None, statistics=None) -> dict:
    """A problem definition; `constraint` is an Expression, `at` the I of "expr >= I";
    `statistics` a list of (Expression, value) held fixed ("expr = value")."""
    out = {"scenario": scenario_to_json(scenario), "level": level, "objective": objective, "constraint": None}
    if constraint is not None:
        out["constraint"] = {"expression": expression_to_json(constraint),
                             "at": format_rational(Fraction(at))}
    if statistics:
        out["statistics"] = [{"expression": expression_to_json(e), "value": format_rational(Fraction(v))}
                             for e, v in statistics]
    return out


def bell_objective(expr) -> dict:
    return {"bell": expression_to_json(expr)}


def guess_objective(parties, inputs) -> dict:
    return {"guess": {"parties": list(parties), "inputs": list(inputs)}}


def chsh_guess_problem(level, at, guess="global") -> dict:
    """G(I) of Pironio et al.: guess at inputs (0, 0), subject to CHSH >= at."""
    parties = {"global": [0, 1], "local": [0]}[guess]
    return problem(Scenario((2, 2), (2, 2)), level, guess_objective(parties, [0] * len(parties)),
                   chsh(), at)


def chsh_max_problem(level) -> dict:
    return problem(Scenario((2, 2), (2, 2)), level, bell_objective(chsh()))


@dataclass(frozen=True)
class ConicData:
    """max sum_e g[e] . y_e  s.t.  X_e[pos] = y_e[word[pos]] (0 on zeros), X_e PSD,
    sum_e y_e[0] = 1, c . sum_e y_e >= I, d . sum_e y_e = v."""

    size: int
    n_words: int
    rows: object  # numpy int array: i of each upper-triangle position
    cols: object  # numpy int array: j
    word: object  # numpy int array: word index, -1 for a zero entry
    g: object  # (blocks, n_words) float array
    c: object  # (n_words,) float array, or None
    diag: object  # (n_words,) float array: how many diagonal entries hold each word
    d: object = None  # (K, n_words) float array of the statistics, or None
    v: object = None  # (K,) float array: their observed values


def _float(value: Fraction, where: str) -> float:
    """A coefficient for the floating-point solver; one beyond its range is bad input."""
    if value and not Fraction(1, 10**200) < abs(value) < 10**200:
        digits = len(str(abs(value.numerator))) - len(str(value.denominator))
        raise CertifyError(f"{where}: a coefficient of about 1e{digits} is outside the range "
                           "a floating-point solver can use (1e-200 to 1e200)")
    return float(value)


def conic_data(definition: dict) -> ConicData:
    return conic_data_of(parse_problem(definition, "problem"))


def canonical_text(definition: dict):
    """The definition's canonical JSON text (a cache key), or None when that text is not the definition
    (tuples, integer keys, Fractions inside): such definitions are never cached."""
    try:
        text = json.dumps(definition, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    return text if json.loads(text) == definition else None


def parsed(definition: dict):
    """(NpaProblem, ConicData) of a definition, cached by its canonical JSON text (the last 32): a
    producer of many claims, or a caller that just built the same definition, rebuilds it once per
    process. Untrusted convenience only: the kernel's check of the written certificate parses it again.
    The data is the problem's own (unscaled); the producers solve `normalised(definition).data`."""
    found = normalised(definition)
    return found.npa, (found.data if found.scaling.unit else conic_data_of(found.npa))


def normalised(definition: dict) -> "Normalised":
    """The definition rebuilt (`parse_problem`) with its float problem scaled to O(1) (`Normalised`),
    cached as `parsed` says."""
    text = canonical_text(definition)
    if text is None:
        return _normalised_of(parse_problem(definition, "problem"))
    return _parsed_text(text)


@lru_cache(maxsize=32)
def _parsed_text(text: str):
    return _normalised_of(parse_problem(json.loads(text), "problem"))


# Scale robustness. The float problem is solved with each of its rows (the objective, the Bell constraint,
# each statistic) divided by a power of two near its largest |coefficient|. Measured unscaled, level 2:
# Clarabel reported CHSH x 10^10 and x 10^20 dual infeasible on both paths (no certificate); CHSH x 10^-12 was
# certified at 48 x its optimum 2.8e-12 (symmetric path; 1400 x on the full path), within the absolute target
# 1e-6; and P(00|00) subject to 10^15 CHSH >= 10^15 5/2 got no certificate. Normalised, each is certified on
# both paths with a bound at most 4.4e-7 above the optimum, relative (tests/unit/test_scale_robust.py). The
# rounding then runs on the normalised exact problem, where DENOMINATOR, GRAIN, MAX_DELTA, FLOOR and
# `nice_margin` mean what they were calibrated for (O(1) duals), and the evidence is multiplied back exactly
# (a power of two) before the kernel checks it against the ORIGINAL definition. So the rounding grid, the
# margins and the slack target are all relative to the objective's factor F: a target of 1e-6 is 1e-6 F
# (absolute for F = 1). A row whose largest |coefficient| lies in [1 / SCALE_BAND, SCALE_BAND] keeps the
# factor 1, so every O(1) problem (the committed ones: largest |coefficient| 1 .. 16 in every row) is solved,
# rounded and certified exactly as before, byte for byte.
SCALE_BAND = 2**10


def row_factor(coefficients) -> Fraction:
    """2^e with 2^e within a factor 2 of the largest |coefficient| (e from the bit lengths: exact for any
    rational, no float overflow), or 1 when that lies in [1 / SCALE_BAND, SCALE_BAND] (or there is none)."""
    top = max((abs(Fraction(v)) for v in coefficients if v), default=Fraction(0))
    if not top or Fraction(1, SCALE_BAND) <= top <= SCALE_BAND:
        return Fraction(1)
    return Fraction(2) ** (top.numerator.bit_length() - top.denominator.bit_length())


@dataclass(frozen=True)
class Scaling:
    """The factors of `normalised`: the original problem's objective is `objective` x the normalised one,
    its Bell constraint row (with its I) `constraint` x, its k-th statistic (with its value) `statistics[k]` x.
    A dual (Z, nu, lambda, mu) of the normalised problem is one of the original with Z and nu times F =
    `objective`, lambda times F / `constraint`, mu_k times F / `statistics[k]` (its identities times F)."""

    objective: Fraction = Fraction(1)
    constraint: Fraction = Fraction(1)
    statistics: tuple = ()

    @property
    def unit(self) -> bool:
        return self.objective == 1 and self.constraint == 1 and all(f == 1 for f in self.statistics)

    def evidence(self, evidence: dict) -> dict:
        """Evidence of the normalised problem as evidence of the original (exact; unchanged when unit)."""
        if self.unit:
            return evidence
        from certify.kernel.format import parse_rational

        f = self.objective

        def times(text, factor):
            return format_rational(parse_rational(text, "evidence") * factor)

        out = {**evidence, "nu": times(evidence["nu"], f), "lambda": times(evidence["lambda"], f / self.constraint),
               "Z": [[[times(v, f) for v in row] for row in block] for block in evidence["Z"]]}
        if "mu" in evidence:
            out["mu"] = [times(m, f / s) for m, s in zip(evidence["mu"], self.statistics)]
        return out

    def solution(self, sol):
        """A float solution of the normalised problem as one of the original (the moments are the same)."""
        if self.unit or sol is None:
            return sol
        f = float(self.objective)
        mu = sol.mu
        if mu is not None:
            mu = np.asarray(mu, dtype=float) * np.array([f / float(s) for s in self.statistics])
        return replace(sol, primal=None if sol.primal is None else sol.primal * f,
                       duals=None if sol.duals is None else [np.asarray(z) * f for z in sol.duals],
                       lam=sol.lam * f / float(self.constraint), mu=mu, nu=None if sol.nu is None else sol.nu * f)


UNIT = Scaling()


@dataclass(frozen=True)
class Normalised:
    """A rebuilt problem `npa`, its normalised exact problem `scaled` (`npa` itself when `scaling` is unit),
    and the float conic data of `scaled`, which the producers solve."""

    npa: object
    scaled: object
    data: ConicData
    scaling: Scaling

    @property
    def factor(self) -> float:
        """F: the objective's factor, the unit of the slack target."""
        return float(self.scaling.objective)


def _normalised_of(npa) -> Normalised:
    objective = row_factor(v for block in npa.blocks for v in block.values())
    constraint = Fraction(1) if npa.constraint is None else row_factor(npa.constraint.values())
    statistics = tuple(row_factor(d.values()) for d, _ in npa.statistics)
    scaling = Scaling(objective, constraint, statistics)
    if scaling.unit:
        return Normalised(npa, npa, conic_data_of(npa), UNIT)
    scaled = replace(
        npa, blocks=tuple({k: v / objective for k, v in block.items()} for block in npa.blocks),
        constraint=None if npa.constraint is None else {k: v / constraint for k, v in npa.constraint.items()},
        at=None if npa.at is None else npa.at / constraint,
        statistics=tuple(({k: v / f for k, v in d.items()}, value / f)
                         for (d, value), f in zip(npa.statistics, statistics)))
    return Normalised(npa, scaled, conic_data_of(scaled), scaling)


def conic_data_of(npa) -> ConicData:
    """The float conic data of a rebuilt problem (`certify.kernel.npa.NpaProblem`)."""
    st = npa.structure
    n, nw = st.size, len(st.words)
    iu, ju = np.triu_indices(n)
    word = np.array([st.entry[i][j] for i, j in zip(iu, ju)], dtype=int)
    g = np.zeros((len(npa.blocks), nw))
    for b, block in enumerate(npa.blocks):
        for k, v in block.items():
            g[b, k] = _float(v, "objective")
    c = None
    if npa.constraint is not None:
        c = np.zeros(nw)
        for k, v in npa.constraint.items():
            c[k] = _float(v, "constraint")
    diag = np.zeros(nw)
    for i in range(n):
        diag[st.entry[i][i]] += 1
    d = v = None
    if npa.statistics:
        d = np.zeros((len(npa.statistics), nw))
        for row, (expr, _) in enumerate(npa.statistics):
            for k, coef in expr.items():
                d[row, k] = _float(coef, "statistics")
        v = np.array([_float(value, "statistics") for _, value in npa.statistics])
    return ConicData(n, nw, iu, ju, word, g, c, diag, d, v)


def shifted(data: ConicData, delta: float) -> ConicData:
    """The same relaxation with objective g + delta * tr(Gamma).

    Its dual Z' satisfies the identities of g' = g + delta * diag, so
    Z' + delta * I satisfies those of g with a margin delta of positive
    definiteness, at a cost of at most delta * tr(Gamma) in the bound.
    """
    return replace(data, g=data.g + delta * data.diag[None, :])


# "tied" first (issue 14): on the benchmark cases it ends "Solved" where "lmi" ends "AlmostSolved" with a
# primal 2e-7 .. 3e-5 off (Mermin-3/4, CHSH levels 4-5), so one solve (+ the polish) meets the target
# where "lmi" first needed two; measured 1.1-1.4x an "lmi" solve's time (docs/benchmarks.md section 3)
LADDER = (("tied", None), ("lmi", None), ("tied", 1e-10), ("lmi", 1e-10), ("tied", 1e-9), ("lmi", 1e-7))
# DENOMINATOR, GRAIN, MAX_DELTA, FLOOR and RETRIES' step apply to the normalised problem (`normalised`), so in
# the original problem's units they are relative to the objective's factor F (absolute for O(1) problems, F = 1)
DENOMINATOR = 10**12
# Margins delta_e are k 10^p with two-digit k and 10^p >= 10^-11, the finest step of the former
# fixed grid (1e-11 .. 3e-6), so a certificate's denominators grow no more than they did; a
# block needing more than MAX_DELTA (the grid's top) is not worth an exact check.
GRAIN = 11
MAX_DELTA = 3e-6
SAFETY = 1.25  # delta_e = SAFETY * (float least margin) + FLOOR, rounded up to two digits
FLOOR = 1e-12
RETRIES = 3  # a rejected attempt is retried with every margin doubled (+ 1e-11)


@dataclass
class Certified:
    """A verified tangent: optimum <= nu - lam * I for every I."""

    evidence: dict
    nu: Fraction
    lam: Fraction
    bound: Fraction  # nu - lam * at (nu without a constraint)
    primal: float  # the solver's float optimum (from a "solved" run when there is one)
    slack: float  # float(bound) - primal
    solution: object  # certify.solve.Solution of the attempt used
    delta: Fraction  # the largest margin added along the interior direction (one per block)
    scale: float = 1.0  # F, the objective's factor (`normalised`): the slack target is relative to it


def trace_problem(data: ConicData) -> ConicData:
    """max tr Gamma(y) over one block, no Bell constraint (its dual gives Z0)."""
    return replace(data, g=data.diag[None, :].copy(), c=None, d=None, v=None)


def interior(definition: dict, solver=None):
    """The exact interior direction Z0 of `certify.rounding` for this level (it depends on the
    scenario and level only, so it is computed once per (scenario, level, solver) and reused, in
    memory and across processes through the checked on-disk cache below)."""
    key = json.dumps([definition["scenario"], definition["level"]], sort_keys=True)
    return _interior(key, solver)


@lru_cache(maxsize=16)
def _interior(key: str, solver):
    scenario, level = json.loads(key)
    definition = {"scenario": scenario, "level": level, "objective": None, "constraint": None}
    npa = parse_problem(definition | {"objective": {"guess": {"parties": [0], "inputs": [0]}}}, "problem")
    path = _z0_path(key, solver)
    cached = _read_z0(path, key, npa.structure)
    if cached is not None:
        return cached
    data = conic_data_of(npa)
    sol = solve(trace_problem(data), None, solver, None)
    if sol.duals is None:
        return None
    z0 = interior_direction(npa.structure, sol.duals[0])
    _write_z0(path, key, z0)
    return z0


# The on-disk cache of Z0 (issue 14 item 1: a one-off `certify npa` otherwise pays Z0's trace solve, about
# one more solve). Untrusted like everything here: an entry is used only if it parses, has Z0's shape,
# satisfies <Z0, F_w> = 0 for every word w != 1 exactly and is positive definite in floats; otherwise it
# is recomputed and rewritten. A wrong but valid entry could only change which certificate is written,
# never a verdict (the kernel checks the certificate). Off unless CERTIFY_CACHE_DIR names a folder
# (CERTIFY_NO_CACHE=1 overrides it); the test suite's conftest sets CERTIFY_NO_CACHE=1.
Z0_FORMAT = 1  # bump when interior_direction's rationals change (its denominator, its restoration)


def cache_dir():
    """The directory of certify's on-disk Z0 cache, or None when caching is off (the default).

    Opt-in only: a cached Z0 is whatever the float solve gave in the process that wrote it (its BLAS
    threads, its load), so a shared default cache made `certify reproduce` depend on the machine's
    history (measured: 205 Pironio certificates differed from a cache-free run, all still verifying)."""
    import os
    from pathlib import Path

    if os.environ.get("CERTIFY_NO_CACHE", "") not in ("", "0") or not os.environ.get("CERTIFY_CACHE_DIR"):
        return None
    return Path(os.environ["CERTIFY_CACHE_DIR"])


def _z0_path(key: str, solver):
    import hashlib

    root = cache_dir()
    if root is None or not (solver is None or isinstance(solver, str)):
        return None
    digest = hashlib.sha256(json.dumps([Z0_FORMAT, key, solver]).encode()).hexdigest()[:32]
    return root / f"z0-{digest}.json"


def _read_z0(path, key: str, structure):
    """The cached Z0 at `path` if it passes the checks above, else None (missing, corrupt or stale)."""
    from certify.kernel.format import parse_rational
    from certify.supports import supports

    if path is None:
        return None
    try:
        entry = json.loads(path.read_text())
        n = structure.size
        rows = entry["z0"]
        if entry.get("format") != Z0_FORMAT or entry.get("key") != key or len(rows) != n:
            return None
        z0 = [[None] * i + [parse_rational(v, "z0") for v in row] for i, row in enumerate(rows)]
        if any(len(row) != n for row in z0):
            return None
        for k, support in enumerate(supports(structure)):
            if k and sum((z0[i][j] if i == j else 2 * z0[i][j]) for i, j in support) != 0:
                return None
        if whitener(z0) is None:
            return None
        return z0
    except Exception:  # any unreadable entry costs a recomputation, nothing else
        return None


def _write_z0(path, key: str, z0):
    import os

    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"format": Z0_FORMAT, "key": key,
                           "z0": [[format_rational(v) for v in row[i:]] for i, row in enumerate(z0)]})
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
    except OSError:
        pass


_WHITENED = [None, None]  # the last Z0 (strong reference: its id stays unique) and its whitener


def _whitener(z0):
    """`whitener(z0)`, reused while the same Z0 object comes back (it is cached per level)."""
    if _WHITENED[0] is not z0:
        _WHITENED[:] = [z0, whitener(z0)]
    return _WHITENED[1]


def nice_margin(x: float) -> Fraction:
    """The least k 10^p >= x with k < 100 and p >= -GRAIN (0 for x <= 0)."""
    if x <= 0:
        return Fraction(0)
    p = max(math.floor(math.log10(x)) - 1, -GRAIN)
    unit = Fraction(10) ** p
    return math.ceil(Fraction(x) / unit) * unit


def margins(rounded, whiten):
    """Per-block margins from the float spectrum, or None when some block needs more than MAX_DELTA.
    Without Z0 (whiten None) only delta = 0 is possible: None unless every Q_e looks PSD."""
    out = []
    for q in rounded[0]:
        if whiten is None:
            if np.linalg.eigvalsh(float_matrix(q))[0] < 0:
                return None
            out.append(Fraction(0))
            continue
        need = float_margin(q, whiten)
        if not np.isfinite(need) or need > MAX_DELTA:
            return None
        out.append(nice_margin(SAFETY * need + FLOOR) if need > -FLOOR else Fraction(0))
    return out


class TooLargeForKernel(CertifyError):
    """The rounded dual exceeds the kernel's work bound (`kernel.psd.scaled`): no rung or margin makes
    such a certificate checkable, so the ladder stops and says so (no certificate, exit 1 at the CLI)."""


# A rounded block is "clearly" positive definite when its least float eigenvalue exceeds CLEAR n eps |Q|_2
# (well above eigvalsh's backward error). These ratios are float facts of the BLAS; measured on the
# symmetric path with the CLI's settings (one thread, OPENBLAS_CORETYPE=Haswell): Mermin-4 1+AB 14.6 and
# CHSH L5 285 (the margins give delta = 0, so Z0 is skipped); Mermin-4 L2 0.24, CHSH L2 -58, P(00|00)
# -7.7e4, Mermin-3 L2 -3.6e4 (the margins give 1e-11, 1e-11, 4.2e-9, 2e-10: Z0 is computed)
CLEAR = 4.0


def clearly_positive(rounded) -> bool:
    """Every rounded block Q_e is positive definite in floats with room to spare (`CLEAR`)."""
    for q in rounded[0]:
        values = np.linalg.eigvalsh(float_matrix(q))
        if not values[0] > CLEAR * len(q) * np.finfo(float).eps * max(abs(values[-1]), abs(values[0])):
            return False
    return True


def certify_attempt(npa, sol, z0, whiten, lazy=None, normal=None):
    """The kernel-verified (evidence, nu, lambda, deltas) of one solution, or None.

    `normal`: the `Normalised` form of `npa` when `sol` solves its scaled float problem: the duals are
    rounded against `normal.scaled` (the margins in its O(1) units), and the evidence is multiplied back
    (`Scaling.evidence`) before the kernel checks it against `npa`; the deltas returned are in `npa`'s units.

    The float spectrum picks each block's margin (the prefilter: a block whose rounded Z is
    clearly far from PSD costs no exact check); acceptance is the kernel's exact `tangent_of`.

    `lazy` (with z0 and whiten None): a callable giving (z0, whiten), called only when needed. When
    every rounded block is clearly positive definite in floats (`clearly_positive`), the kernel first
    checks the certificate without margins (delta = 0: the evidence the margins give whenever they
    choose 0, and no looser otherwise); Z0 is computed only when that is refused or the blocks are not
    clearly positive (a one-off run then skips Z0's trace solve)."""
    rounding, scaling = (npa, UNIT) if normal is None else (normal.scaled, normal.scaling)
    found = _certify_rounded(npa, rounding, scaling.evidence, sol, z0, whiten, lazy)
    if found is None or scaling.unit:
        return found
    evidence, nu, lam, deltas = found
    return evidence, nu, lam, [d * scaling.objective for d in deltas]


def _certify_rounded(npa, rounding, scaled_back, sol, z0, whiten, lazy):
    """`certify_attempt`: round against `rounding` (npa or its normalised form), map each evidence back to
    `npa` with `scaled_back`, and let the kernel check it there; deltas in `rounding`'s units."""
    rounded = round_duals(rounding, sol.duals, sol.lam, DENOMINATOR, sol.mu)
    if lazy is not None and z0 is None:
        if clearly_positive(rounded):
            deltas = [Fraction(0)] * len(rounded[0])
            evidence = scaled_back(assemble(rounding, rounded, None, deltas))
            try:
                nu, lam = tangent_of(npa, evidence, "evidence")
                return evidence, nu, lam, deltas
            except Reject:
                pass
            except CertifyError as err:  # the work bound: the eager path below adds the hints
                if "work bound" not in str(err):
                    raise
        z0, whiten = lazy()
    deltas = margins(rounded, whiten)
    if deltas is None:
        return None
    for _ in range(RETRIES + 1):
        evidence = scaled_back(assemble(rounding, rounded, z0, deltas))
        try:
            nu, lam = tangent_of(npa, evidence, "evidence")
            return evidence, nu, lam, deltas
        except Reject:
            if z0 is None:
                return None
            deltas = [nice_margin(float(2 * d) + 10.0**-GRAIN) for d in deltas]
            if max(deltas) > MAX_DELTA:
                return None
        except CertifyError as err:  # not a Reject: the kernel refuses to eliminate Z at this size
            if "work bound" not in str(err):
                raise
            hinted = add_psd_hints(npa, evidence)  # Z = L L^T + R, R diagonally dominant: ~n^3 small products
            if hinted is not evidence:
                try:
                    nu, lam = tangent_of(npa, hinted, "evidence")
                    return hinted, nu, lam, deltas
                except Reject:
                    deltas = [nice_margin(float(2 * d) + 10.0**-GRAIN) for d in deltas]
                    if z0 is None or max(deltas) > MAX_DELTA:
                        return None
                    continue
            raise TooLargeForKernel(f"the kernel refuses to check a certificate of this size ({err}); "
                                    "try a lower level or a symmetry-reduced solve") from None
    return None


FACES = (1.0, 1e3)  # `certify.solve.polish.on_face` ratios tried, then no face
# (face ratio, Schur cutoff) of each polished candidate, in the order tried: the faces at the default
# cutoff, no face, then ratio 1 with the finer cutoff 1e-15 (measured on the Pironio curve, level 2:
# the last one certifies G(2.1446) within 1e-8 of the float optimum, where the others leave 1.5e-8)
CANDIDATES = ((1.0, 1e-13), (1e3, 1e-13), (None, 1e-13), (1.0, 1e-15))


def refinements(data, sol):
    """The high-precision rung's candidates from one float solution (`certify.solve.polish`), in
    the order of CANDIDATES: its duals polished on their optimal face (complementarity gap removed:
    the bound becomes the primal value), read off the spectrum at each ratio of FACES; then polished
    in place (feasibility only); then ratio 1 again with a finer Schur cutoff. All are tried because
    a face read off a blurred spectrum can cost more than it saves (measured: ratio 1 wins near
    I = 2.7 on the Pironio curve and loses near 2.05; I3322 level 3 needs ratio 1000). A ratio that
    keeps the same eigen-directions as an earlier one would polish to the same duals and is skipped
    (`face_signature`)."""
    from certify.solve.polish import face_signature, polish

    seen = set()
    for face, cutoff in CANDIDATES:
        signature = face_signature(data, sol, face)
        if signature is not None:
            if (signature, cutoff) in seen:
                continue
            seen.add((signature, cutoff))
        out = polish(data, sol, face=face, cutoff=cutoff)
        if out is not None:
            yield out


RESOLVE = 1000  # a "solved" run is re-solved only for a target below RESOLVE x its tolerance
SOLVER_TOL = 1e-8  # the solvers' default gap and feasibility tolerances (tol None)
PRECISE = 10  # below PRECISE x its tolerance, only a "solved" run's primal can accept a certificate
MATERIAL = 0.5  # a re-solve whose best |slack| is not below this fraction of the previous one stops the ladder


def certify_problem(definition: dict, solver=None, target: float = 1e-6, ladder=LADDER, z0=None, refine=True):
    """Solve, round and verify; return the tightest verified Certified, or None.

    The ladder (issue 14 items 1 and 4): for each (formulation, solver tolerance) of `ladder`,
    solve, choose per-block margins from the float spectrum and let the kernel check the rounded
    certificate; stop at the first attempt whose verified bound is within `target` of the float
    optimum, whatever the solver's status (the kernel, not the label, decides). On a miss:

    - `refine` (the high-precision rung, on by default): the same solution's duals are polished
      (`refinements`: no re-solve) and each polished candidate is rounded and checked, before any
      re-solve;
    - a re-solve (the next rung) runs only on evidence that it can help: no certificate yet, or
      the last solve did not end "solved" (the solver stopped early or inaccurately: measured, the
      "lmi" form ends "AlmostSolved" 3e-5 above Mermin-4's optimum where "tied" ends "Solved");
      a solve that ended "solved" and whose polished certificate still misses is as good as that
      formulation gets (measured: I3322 level 3, six re-solves left the bound within 3% of the
      second one), unless the target is finer than RESOLVE times its tolerance (then the tighter
      rungs are the point: the Pironio curves at 1e-8);
    - a re-solve that does not bring the best |slack| below MATERIAL times the previous one ends the
      ladder.

    No attempt is accepted at a target finer than PRECISE times the tightest tolerance run so far,
    so `target` <= 0 (the tightest certificate the ladder can give: the Pironio producers) runs
    every rung. The slack is measured from the largest float primal value of a "solved" run (or of
    an "inaccurate" one within the target above it; of any run when none is "solved") that the
    verified bound does not contradict: interior-point primals scatter by 1e-7 .. 1e-6 across
    formulations (measured: max CHSH level 4, "lmi" 1.4e-6 below 2 sqrt 2, "tied" 1.6e-7), and one
    above a verified bound is infeasible. `z0` (from `interior`) may be passed; it is cached per
    level anyway. `refine=False` is the ladder without the polish. Measurements:
    docs/benchmarks.md section 3.

    The float problem solved is the normalised one (`normalised`): `target` is relative to the
    objective's factor F (absolute when F = 1, every O(1) problem), the returned bound, primal, slack,
    margin and solution are the original problem's (the slack target met is `target` x F).
    """
    normal = normalised(definition)
    npa, data, unit = normal.npa, normal.data, normal.factor
    z0 = z0 if z0 is not None else interior(definition, solver)
    whiten = None if z0 is None else _whitener(z0)
    at = None if npa.at is None else float(normal.scaled.at)
    best, reference, reference_tol, answered, primals = None, None, None, set(), []
    last, last_tol, slack_before = None, None, None  # the last solve, its tolerance, the best |slack| before it
    tols_used = [SOLVER_TOL]

    def within(candidate):
        # stop whatever the label, but not on a float optimum above the verified bound unless it is
        # a "solved" one within the target: such a primal is infeasible, so the slack it gives says
        # nothing (measured: "AlmostSolved" 3e-5 above the bound near CHSH = 2 sqrt 2, and 4e-8
        # above the true value at G(2.3945), level 2, where the bound then stopped 3.6e-8 looser)
        if candidate is None or candidate.slack > target * unit:
            return False
        if target < PRECISE * min(tols_used):
            # no run so far resolves the target: no primal can vouch for it (measured: CHSH level 1 at
            # target 2.5e-10, a "solved" primal at tolerance 1e-8 4e-9 above 2 sqrt 2 accepted a bound
            # 4.3e-9 loose); the tighter rungs run and the tightest certificate is kept
            return False
        if reference.status != "solved" and target < PRECISE * (reference_tol or SOLVER_TOL):
            # a target within a decade of the solver's tolerance: an "inaccurate" primal cannot vouch
            # for it (measured: G(2.4734), level 2, "lmi" 6e-8 above the "solved" "tied" optimum and
            # its polished bound 9e-9 above that: accepted at 1e-8, 7e-8 looser than needed)
            return False
        return candidate.slack >= 0 or (candidate.slack >= -max(target, 1e-9) * unit and reference.status == "solved")

    def worth_resolving():
        if target <= 0 or last is None or best is None:
            return True
        if target < RESOLVE * (last_tol or SOLVER_TOL):
            return True  # the target is finer than this tolerance resolves: a tighter rung is the point
        if last.status == "solved" and last.duals is not None:
            return False
        return slack_before is None or abs(best.slack) < MATERIAL * slack_before

    for k, (form, tol) in enumerate(ladder):
        if form in answered and tol is not None and any(f == form and t is not None and t < tol
                                                        for f, t in ladder[:k]):
            # a looser tolerance of a form that already gave duals at a tighter one is only a
            # fallback (measured: "tied" 1e-9 repeats the 1e-10 iterate exactly, "lmi" 1e-7 the 1e-10 one)
            continue
        if not worth_resolving():
            break
        if last is not None and best is not None:
            slack_before = abs(best.slack)
        last = sol = solve(data, at, solver, tol, form)
        last_tol = tol
        tols_used.append(tol or SOLVER_TOL)
        if sol.duals is not None:
            answered.add(form)
        if sol.duals is None or sol.primal is None:
            continue
        if reference is None or (sol.status == "solved" and reference.status != "solved"):
            reference, reference_tol = sol, tol
        primals.append((sol.primal * unit, sol.status == "solved"))  # the original problem's units
        attempts = itertools.chain([sol], refinements(data, sol) if refine else ())  # lazy: polished only on a miss
        for attempt in attempts:
            found = certify_attempt(npa, attempt, z0, whiten, normal=normal)
            if found is not None:
                evidence, nu, lam, deltas = found
                bound = nu if npa.at is None else nu - lam * npa.at
                if best is None or bound < best.bound:
                    best = Certified(evidence, nu, lam, bound, 0.0, 0.0, normal.scaling.solution(attempt),
                                     max(deltas), unit)
            if best is not None:
                # the primals of "solved" runs when there is one, and those of "inaccurate" runs within the
                # target above them: an "inaccurate" primal can be infeasible (measured: G(2.4734), level 2,
                # "lmi" 6e-8 above the "solved" optimum), but one a tighter rung corroborates is the better
                # estimate (G(2.1315): "tied" at 1e-10 ends "inaccurate" 3e-9 above "tied" "solved" at 1e-8)
                solved = [p for p, ok in primals if ok]
                trusted = [p for p, ok in primals if ok or not solved or p <= max(solved) + max(target, 0.0) * unit]
                consistent = [p for p in trusted if p <= float(best.bound)]
                best.primal = max(consistent, default=reference.primal * unit)
                best.slack = float(best.bound) - best.primal
            if within(best):
                break
        if within(best):
            break
    return best
