"""NPA problems: JSON definitions, and the sparse conic data a solver needs.

Untrusted. A problem definition is the dict the kernel rebuilds from
(`certify.kernel.npa.parse_problem`); this module writes such dicts and turns
the rebuilt, exact problem into float arrays. Conventions: words are indexed as
in `MomentStructure.words` (0 = identity); matrix positions are the upper
triangle (i <= j) in row-major order; one block per guess.
"""

from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from certify.errors import CertifyError
from certify.expressions import expression_to_json, scenario_to_json
from certify.kernel.defs.scenario import Scenario, chsh
from certify.kernel.format import Reject, format_rational
from certify.kernel.npa import parse_problem, tangent_of
from certify.rounding import interior_direction, round_certificate
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
    npa = parse_problem(definition, "problem")
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


LADDER = (("lmi", None), ("tied", None), ("lmi", 1e-10), ("tied", 1e-10), ("tied", 1e-9), ("lmi", 1e-7))
DELTAS = tuple(Fraction(k, 10**e) for e in range(11, 5, -1) for k in (1, 3))
DENOMINATOR = 10**12


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
    delta: Fraction  # the margin added along the interior direction


def trace_problem(data: ConicData) -> ConicData:
    """max tr Gamma(y) over one block, no Bell constraint (its dual gives Z0)."""
    return replace(data, g=data.diag[None, :].copy(), c=None, d=None, v=None)


def interior(definition: dict, solver=None):
    """The exact interior direction Z0 of `certify.rounding` for this level."""
    npa = parse_problem(definition, "problem")
    sol = solve(trace_problem(conic_data(definition)), None, solver, None)
    if sol.duals is None:
        return None
    return interior_direction(npa.structure, sol.duals[0])


def certify_problem(definition: dict, solver=None, target: float = 1e-6, ladder=LADDER, z0=None):
    """Solve, round and verify; return the tightest verified Certified, or None.

    Ladder: for each (formulation, solver tolerance), try margins delta from small to large
    and keep the first that the kernel accepts; stop once the slack against the
    float optimum is <= target. `z0` (from `interior`) may be passed to reuse it.
    """
    npa = parse_problem(definition, "problem")
    data = conic_data(definition)
    z0 = z0 if z0 is not None else interior(definition, solver)
    at = None if npa.at is None else float(npa.at)
    best, reference = None, None
    for form, tol in ladder:
        sol = solve(data, at, solver, tol, form)
        if sol.duals is None or sol.primal is None:
            continue
        if reference is None or (sol.status == "solved" and reference.status != "solved"):
            reference = sol
        for delta in DELTAS:
            evidence = round_certificate(npa, sol.duals, sol.lam, DENOMINATOR, z0, delta, sol.mu)
            try:
                nu, lam = tangent_of(npa, evidence, "evidence")
            except Reject:
                continue
            bound = nu if npa.at is None else nu - lam * npa.at
            if best is None or bound < best.bound:
                best = Certified(evidence, nu, lam, bound, 0.0, 0.0, sol, delta)
            break
        if best is not None:
            best.primal = reference.primal
            best.slack = float(best.bound) - reference.primal
            if reference.status == "solved" and best.slack <= target:
                break
    return best
