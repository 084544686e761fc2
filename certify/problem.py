"""One problem description for local, no-signalling and quantum optimisation (docs/problem-format.md).

Untrusted producer. A problem (JSON, or the `Problem` twin) names a scenario, an objective (a Bell
expression, or a guessing probability of parties S at inputs x_S), a sense, constraints and
observed statistics, and the set. `certify_problem` turns it into the kernel's claim of one kind,
solves it, writes the certificate and returns it with the kernel's Verdict:
  local          -> "local.bound" (==, the kernel enumerates the deterministic strategies);
  no-signalling  -> "lp.ns" (==: an exact dual and a primal box, HiGHS then exact repair);
  quantum        -> "npa.max" (<= for max, >= for min: a rational dual of the NPA level), and with
                    `certify_interval` also "quantum.strategy" (>= for max, <= for min: an explicit
                    strategy from certify/solve/seesaw.py, rounded by certify/strategy_rounding.py),
                    the two ends of a certified interval [L, U] (`Interval`). Under an equality or observed
                    statistics (and to improve on one inequality) the strategy is an exact mixture of rounded
                    components and deterministic strategies (`_mixture_certificate`); none found: the side
                    is missing and `Interval.reason` says "no lower witness: ..." ("no upper ..." for a min).
Conventions: parties are 0-based; rationals are "p/q" strings (ints, Fractions and numpy integers
are accepted in Python); a "<=" constraint of a quantum problem is sent as "-e >= -v".
"""

import hashlib
import math
import operator
from dataclasses import dataclass
from dataclasses import field as dc_field
from fractions import Fraction

from certify.errors import CertifyError
from certify.exceptions import InfeasibleError, NotProvenError, ProblemError, SolverError
from certify.expressions import expression_to_json, read_expression, scenario_to_json
from certify.kernel.defs.scenario import Expression, Scenario, make_expression, parse_scenario
from certify.kernel.format import canonical_json, format_rational, parse_rational
from certify.kernel.local import optimum as local_optimum  # the kernel's enumeration, with its argmax

SETS = ("local", "no-signalling", "quantum")
RELATIONS = ("<=", ">=", "==")
FIELDS = {"scenario", "objective", "sense", "constraints", "statistics", "set", "level"}
TIGHT_TOL = Fraction(1, 10**6)  # "tight": certified gap U - L at most this (issue 12: 1e-6 for G(2.414))
FLOAT_OPTIMUM_ERROR = 1e-6  # how far an SDP's float optimum may sit from the level's optimum (the solvers' accuracy)


@dataclass(frozen=True)
class Problem:
    """The Python twin of a problem file; `Problem.from_json(obj)` / `.to_json()` convert."""

    scenario: dict
    objective: dict  # {"bell": expression} or {"guess": {"parties": [...], "inputs": [...]}}
    set: str = "quantum"
    sense: str = "max"
    constraints: tuple = ()  # ({"expression": e, "relation": r, "value": v}, ...)
    statistics: object = None  # {"p": [{"outputs", "inputs", "p"}, ...]}: the full observed behaviour
    level: object = None  # NPA level ("2", "1+AB"), quantum only

    @classmethod
    def from_json(cls, obj, where: str = "problem") -> "Problem":
        if not isinstance(obj, dict):
            raise CertifyError(f"{where}: expected an object")
        extra = sorted(set(obj) - FIELDS)
        if extra:
            raise CertifyError(f"{where}: unknown field {extra[0]!r} (known: {', '.join(sorted(FIELDS))})")
        for key in ("scenario", "objective", "set"):
            if key not in obj:
                raise CertifyError(f"{where}: missing field {key!r}")
        return cls(obj["scenario"], obj["objective"], obj["set"], obj.get("sense", "max"),
                   tuple(obj.get("constraints", ())), obj.get("statistics"), obj.get("level"))

    def to_json(self) -> dict:
        out = {"scenario": self.scenario, "objective": self.objective, "set": self.set, "sense": self.sense,
               "constraints": list(self.constraints)}
        if self.statistics is not None:
            out["statistics"] = self.statistics
        if self.level is not None:
            out["level"] = self.level
        return out


@dataclass(frozen=True)
class Parsed:
    scenario: Scenario
    objective: object  # Expression, or ("guess", parties, inputs)
    sense: str
    set: str
    constraints: list = dc_field(default_factory=list)  # [(Expression, relation, Fraction)]
    table: object = None  # {(outputs, inputs): Fraction} or None
    level: object = None


def parse(problem, where: str = "problem") -> Parsed:
    """Validate a Problem (or its JSON) fully; every error names the field."""
    p = problem if isinstance(problem, Problem) else Problem.from_json(problem, where)
    scenario = parse_scenario(_sizes(p.scenario, f"{where}.scenario"), f"{where}.scenario")
    if p.set not in SETS:
        raise CertifyError(f"{where}.set: expected one of {', '.join(SETS)}, got {str(p.set)[:30]!r}")
    if p.sense not in ("max", "min"):
        raise CertifyError(f'{where}.sense: expected "max" or "min", got {str(p.sense)[:20]!r}')
    objective = _objective(p.objective, scenario, f"{where}.objective")
    constraints = []
    for k, item in enumerate(p.constraints):
        at = f"{where}.constraints[{k}]"
        if not isinstance(item, dict) or set(item) != {"expression", "relation", "value"}:
            raise CertifyError(f'{at}: expected {{"expression", "relation", "value"}}')
        if item["relation"] not in RELATIONS:
            raise CertifyError(f"{at}.relation: expected one of {', '.join(RELATIONS)}, "
                               f"got {str(item['relation'])[:10]!r}")
        constraints.append((_expression(item["expression"], scenario, f"{at}.expression"), item["relation"],
                            _rational(item["value"], f"{at}.value")))
    table = None if p.statistics is None else _behaviour(p.statistics, scenario, f"{where}.statistics")
    if p.set == "quantum":
        if p.level is None:
            raise CertifyError(f'{where}.level: required for the quantum set (e.g. "2" or "1+AB")')
    elif p.level is not None:
        raise CertifyError(f"{where}.level: only the quantum set has an NPA level")
    if p.set == "local" and (table is not None or isinstance(objective, tuple)):
        raise CertifyError(f"{where}: the local set takes a Bell objective and no statistics (pose observed statistics "
                           "as == constraints; an unconstrained local guess is 1)")
    if p.sense == "min" and isinstance(objective, tuple):
        raise CertifyError(f"{where}.sense: a guessing probability is maximised (the adversary's best guess)")
    return Parsed(scenario, objective, p.sense, p.set, constraints, table, p.level)


def definition(parsed: Parsed):
    """(kernel kind, claim problem) for a parsed problem."""
    sc = scenario_to_json(parsed.scenario)
    if parsed.set == "local":
        return "local.bound", {"scenario": sc, "objective": {"bell": expression_to_json(parsed.objective)},
                               "sense": parsed.sense, **({"constraints": [_row(*c) for c in parsed.constraints]}
                                                         if parsed.constraints else {})}
    equalities = [(e, "==", v) for e, v in _observed(parsed)]
    if parsed.set == "no-signalling":
        goal = parsed.objective
        objective = ({"kind": "bell", "expression": expression_to_json(goal)} if isinstance(goal, Expression)
                     else {"kind": "guess", "parties": goal[1], "inputs": goal[2]})
        out = {"scenario": sc, "promise": None, "objective": objective, "sense": parsed.sense}
        rows = parsed.constraints + equalities
        if rows:
            out["constraints"] = [_row(e, r, v) for e, r, v in rows]
        return "lp.ns", out
    goal = parsed.objective
    objective = ({"bell": expression_to_json(goal)} if isinstance(goal, Expression)
                 else {"guess": {"parties": goal[1], "inputs": goal[2]}})
    out = {"scenario": sc, "level": parsed.level, "objective": objective, "constraint": None}
    inequalities = [(e, r, v) for e, r, v in parsed.constraints if r != "=="]
    stats = [(e, v) for e, r, v in parsed.constraints if r == "=="] + _observed(parsed)
    if len(inequalities) == 1:  # the committed claims' form: one "expression >= at"
        e, r, v = inequalities[0]
        e, v = (e, v) if r == ">=" else (_negated(e, parsed.scenario), -v)
        out["constraint"] = {"expression": expression_to_json(e), "at": format_rational(v)}
    elif inequalities:
        out["constraints"] = [_row(e, r, v) for e, r, v in inequalities]
    if stats:
        out["statistics"] = [{"expression": expression_to_json(e), "value": format_rational(v)} for e, v in stats]
    if parsed.sense == "min":
        out["sense"] = "min"
    return "npa.max", out


def certify_problem(problem, claim_id=None, solver=None, target: float = 1e-6):
    """(certificate, Verdict) of a problem: solved, written as a certificate, checked by the kernel.
    Raises CertifyError when no certificate could be produced (infeasible, solver failure)."""
    from certify.certificate import checked, make_certificate

    parsed = parse(problem)
    kind, claim_problem = definition(parsed)
    digest = hashlib.sha256(canonical_json(claim_problem).encode()).hexdigest()[:12]
    claim_id = claim_id or f"solve/{parsed.set}/{digest}"
    if kind == "local.bound" and parsed.constraints:  # the LP over the deterministic strategies: a dual and a mixture
        from lp_checks.local_bound import constrained_optimum

        try:
            relation, value, evidence, producer = constrained_optimum(parsed.scenario, parsed.objective, parsed.sense,
                                                                      parsed.constraints)
        except CertifyError as err:
            raise (InfeasibleError if "infeasible" in str(err) else ProblemError)(str(err)) from None
    elif kind == "local.bound":
        try:
            value, strategy = local_optimum(parsed.scenario, parsed.objective, parsed.sense == "max", "problem")
        except CertifyError as err:  # the kernel's work bound: a scenario too large to enumerate here
            raise ProblemError(f"{err}: too large to enumerate locally (pose it as no-signalling or quantum)") from None
        relation, evidence, producer = "==", {"strategy": strategy}, {"method": "enumeration"}
    else:
        try:
            relation, value, evidence, producer = (_lp(claim_problem, claim_id) if kind == "lp.ns"
                                                   else _npa(claim_problem, solver, target))
        except CertifyError as failure:  # infeasible constraints: say why, with a kernel verdict where one proves it
            if isinstance(failure, ProblemError):
                raise
            from certify.infeasible import diagnose

            reason = diagnose(parsed, failure) if parsed.constraints or parsed.table is not None else None
            if reason:
                raise InfeasibleError(reason) from None
            raise
    cert = make_certificate(claim_id, kind, statement(parsed, relation), claim_problem, relation, value, evidence,
                            producer)
    verdict = checked(cert, "certificate")
    if not verdict.ok:
        raise NotProvenError(f"{claim_id}: the produced certificate fails the kernel: {verdict.reason}")
    return cert, verdict


def solve(problem, out=None, claim_id=None, solver=None, two_sided=False, tight_tol=TIGHT_TOL):
    """The kernel's Verdict of a freshly certified problem; the certificate is written to `out` if given.
    With `two_sided`, an `Interval` instead: for a quantum problem both certificates (the NPA bound
    to `out`, the strategy to `strategy_path(out)`); for the other sets the one "==" verdict."""
    if two_sided:
        result = certify_interval(problem, claim_id, solver, tight_tol)
        if out:
            result.write(out)
        return result
    cert, verdict = certify_problem(problem, claim_id, solver)
    if out:
        from certify.certificate import write

        write(cert, out)
    return verdict


@dataclass(frozen=True)
class Interval:
    """A certified interval [L, U] for the optimum: `low` the Verdict proving "optimum >= L", `high` the one
    proving "optimum <= U" (either may be None: no certificate on that side). For a quantum max, `low`
    is the quantum.strategy claim (an explicit strategy attains L) and `high` the npa.max claim (the
    level's relaxation, which contains the quantum set, is at most U); for a min the other way round.
    The ends are the claimed values of verified verdicts only. `reason` says why a side is missing."""

    low: object
    high: object
    certificates: tuple  # the certificates as produced: the set's own (npa.max for quantum), then the strategy
    tight_tol: Fraction = TIGHT_TOL
    reason: str = ""

    @property
    def lower(self):
        return self.low.claimed if self.low is not None and self.low.ok else None

    @property
    def upper(self):
        return self.high.claimed if self.high is not None and self.high.ok else None

    @property
    def gap(self):
        return None if self.lower is None or self.upper is None else self.upper - self.lower

    @property
    def tight(self) -> bool:
        return self.gap is not None and self.gap <= self.tight_tol

    @property
    def verdicts(self) -> tuple:
        """The distinct verdicts, upper side first (one for local and no-signalling: "==" is both ends)."""
        out = [v for v in (self.high, self.low) if v is not None]
        return tuple(out[:1] if len(out) == 2 and out[0] is out[1] else out)

    def write(self, out: str) -> list:
        """The certificates: the first to `out`, a strategy to `strategy_path(out)`; returns the paths."""
        from certify.certificate import write

        paths = [out if k == 0 else strategy_path(out) for k in range(len(self.certificates))]
        for cert, path in zip(self.certificates, paths):
            write(cert, path)
        return paths


def strategy_path(out: str) -> str:
    """Where the strategy certificate goes beside `out`: a.json -> a.strategy.json."""
    return (out[:-5] if out.endswith(".json") else out) + ".strategy.json"


def certify_interval(problem, claim_id=None, solver=None, tight_tol=TIGHT_TOL) -> Interval:
    """Both sides of a problem. Local and no-signalling: the one "==" verdict is both ends. Quantum: the
    npa.max bound (retried with a tighter solver target when the gap exceeds `tight_tol`) and a
    quantum.strategy lower side from `certify.solve.seesaw` rounded by `certify.strategy_rounding`."""
    parsed = parse(problem)
    cert, verdict = certify_problem(problem, claim_id, solver)
    if parsed.set != "quantum":
        return Interval(verdict, verdict, (cert,), Fraction(tight_tol))
    found, reason = strategy_certificate(parsed, cert["claim"]["id"] + "/strategy", cert["evidence"], verdict.claimed,
                                         Fraction(tight_tol))
    side = None if found is None else found[1]
    low, high = (side, verdict) if parsed.sense == "max" else (verdict, side)
    result = Interval(low, high, (cert,) + (() if found is None else (found[0],)), Fraction(tight_tol), reason)
    slack = abs(float(cert["producer"].get("slack", "inf")))  # the NPA bound above its own float optimum
    # One more NPA attempt only when it can make the interval tight: the slack is a real part of the gap and
    # the rest (the strategy below the level's float optimum: a dimension or level gap, e.g. I3322 at level 2,
    # whose qubit strategies stop at 1/4 while the level says 0.25094) is within the tolerance, up to the float
    # optimum's own error (CHSH at level 1: 1.2e-8 above 2 sqrt 2). A retry that cannot help costs a second
    # SDP solve (I3322 level 2: 0.3-0.7 s of `certify solve`'s ~1 s).
    if (result.gap is not None and not result.tight and slack > float(tight_tol) / 4
            and float(result.gap) - slack <= 0.75 * float(tight_tol) + FLOAT_OPTIMUM_ERROR):
        cert, verdict = certify_problem(problem, claim_id, solver, target=float(tight_tol) / 4)
        low, high = (side, verdict) if parsed.sense == "max" else (verdict, side)
        better = Interval(low, high, (cert,) + result.certificates[1:], Fraction(tight_tol), reason)
        result = better if better.gap is not None and better.gap < result.gap else result
    return result


def strategy_certificate(parsed: Parsed, claim_id: str, dual=None, bound=None, tight_tol=TIGHT_TOL):
    """((cert, Verdict), "") of a quantum.strategy claim for a quantum problem, or (None, reason). `dual`: the
    npa.max evidence (its multipliers guide the search under statistics); `bound`: the NPA end, so that a
    strategy already within `tight_tol` of it is not improved further (one inequality: no mixture search)."""
    from certify.certificate import checked, make_certificate
    from certify.kernel.format import Reject
    from certify.kernel.npa import _objective
    from certify.kernel.strategy import MAX_DIM
    from certify.kernel.strategy import check as evaluate  # the kernel's exact evaluation of the strategy
    from certify.solve.seesaw import search
    from certify.strategy_rounding import exact_weights, to_evidence

    if math.prod(parsed.scenario.outputs) > MAX_DIM:  # the producer gives party i dimension outputs[i]
        return None, f"no strategy search: the product of the outputs exceeds the kernel's dimension bound {MAX_DIM}"
    claim_problem = {k: v for k, v in definition(parsed)[1].items() if k != "level"}
    goals = _objective(claim_problem["objective"], parsed.scenario, "problem.objective")
    guess, rules = isinstance(parsed.objective, tuple), parsed.constraints
    pinned = list(rules) + [(e, "==", v) for e, v in _observed(parsed)]  # what the kernel checks on the strategy

    def certificate(evidence, producer, rival=None):
        """((cert, Verdict), "") when the kernel proves the evidence's value, else None. `rival`: (evidence,
        exact value, producer) used instead when its value is at least as good (a deterministic strategy)."""
        try:
            proven = evaluate(claim_problem, ">=", Fraction(0), evidence, "strategy")
        except Reject:  # a constraint lost to rounding
            return None
        except CertifyError as error:  # a work bound of the kernel: no lower side, said in one line
            return None, f"the strategy exceeds a kernel bound: {error}"
        exact, grid = (proven.low, math.floor) if parsed.sense == "max" else (proven.high, math.ceil)
        if rival is not None and (rival[1] - exact) * (1 if parsed.sense == "max" else -1) >= 0:
            evidence, exact, producer = rival
        value = exact if exact.denominator <= 10**15 else Fraction(grid(exact * 10**15), 10**15)  # short claims
        relation = ">=" if parsed.sense == "max" else "<="
        cert = make_certificate(claim_id, "quantum.strategy", strategy_statement(parsed, relation), claim_problem,
                                relation, value, evidence, dict(producer, float_value=f"{float(exact):.15g}"))
        verdict = checked(cert, "certificate")
        return ((cert, verdict), "") if verdict.ok else None

    if len(pinned) <= 1 and all(r != "==" for _, r, _ in pinned):  # none, or one inequality: see-saw, Lagrangian
        rival = None
        if not rules:  # the best deterministic strategy, exact: where the quantum optimum is local (a random
            # expression's often is) the rounded see-saw strategy ends 1e-15 below it, and L >= local holds anyway
            from certify.strategy_rounding import deterministic_component, exact_mixture

            sc = parsed.scenario
            try:  # the kernel's enumeration (its work bound applies); a guess: any deterministic strategy scores 1
                choice = ([[0] * m for m in sc.inputs] if guess else
                          local_optimum(sc, goals[0], parsed.sense == "max", "problem.objective")[1])
                best = exact_mixture([deterministic_component(choice, sc, guess)], sc, goals, [], parsed.sense, guess)
            except CertifyError:
                best = None
            rival = None if best is None else (*best, {"method": "the best deterministic strategy"})
        for margin in (1e-9, 1e-7, 1e-5):
            strategy = search(parsed.scenario, goals, guess, parsed.sense, rules, margin)
            if strategy is None:
                continue
            evidence = to_evidence(strategy, guess)
            if len(rules) == 1:
                evidence = exact_weights(evidence, parsed.scenario, goals, rules[0], parsed.sense)
            found = certificate(evidence, {"method": "see-saw", "margin": f"{margin:g}"}, rival)
            if found is not None:  # a verified certificate, or a kernel work bound's reason
                break
        else:
            found = None
        if not rules:
            return found or (None, "the strategy search found no strategy the kernel verifies")
        if found is not None and found[0] is not None and bound is not None and \
                abs(bound - found[0][1].claimed) <= tight_tol:  # tight already (CHSH guess at 2.414: 1.2 s less)
            return found
        # one inequality: the exact mixture of both sides' strategies and the deterministic ones may do better
        # than the Lagrangian's two points (a guess of A under Mermin >= 3: 0.957107 against 0.944952)
        mixed = _mixture_certificate(parsed, goals, guess, pinned, certificate, claim_problem, None,
                                     [] if strategy is None else to_evidence(strategy, guess)["components"])
        if found is None or found[0] is None:
            return mixed if mixed[0] is not None else found or mixed
        if mixed[0] is None:
            return found
        better = (mixed[0][1].claimed - found[0][1].claimed) * (1 if parsed.sense == "max" else -1) > 0
        return mixed if better else found
    return _mixture_certificate(parsed, goals, guess, pinned, certificate, claim_problem, dual, None, bound, tight_tol)


PERTURBATIONS = (1e-3, 1e-2)  # sizes of the random tilts of the Lagrangians (see `_mixture_certificate`)
COLUMN_ROUNDS = 24  # then column generation: at most this many separating directions (each one see-saw)
PRICING_ROUNDS = 12  # then priced columns (objective): a guess under CHSH statistics converges in ~13 rounds of
# 0.75 s; a three-input one still gains 1e-5 per round after 12 (gap 0.0039 -> 0.0009 in 22 rounds, 27 s)
STALL = Fraction(1, 10**9)  # priced columns stop when a round improves the exact value by no more than this


def _mixture_certificate(parsed, goals, guess, pinned, certificate, claim_problem, dual, searched=None, bound=None,
                         tight_tol=TIGHT_TOL):
    """The lower witness under equalities (or several inequalities): an exact mixture of a pool of rounded
    quantum components and the deterministic strategies (certify.strategy_rounding.exact_mixture).
    The pool: for ONE constraint e r v, the Lagrangian see-saw's strategies for e >= v and for e <= v (the
    target lies between them). Otherwise, from the NPA dual (`dual`, the npa.max evidence): its multipliers
    give the Lagrangian L_g = sign f_g + lambda c + sum_k mu_k d_k, whose best responses (one per guess g) are
    the optimal decomposition's components where the level is tight; best responses to L_g tilted by small
    random combinations of the pinned expressions surround the target, and the deterministic strategies
    supply the inward direction (towards the local polytope). With observed statistics P, then also the best
    responses to "towards P" (sum (P - U) p, U uniform), tilted: the boundary point beyond P, so that P lies
    between it and the local polytope. `searched`: the components the see-saw already found for the one
    inequality as posed (that side is not searched again)."""
    from certify.kernel.defs.scenario import make_expression, parse_expression
    from certify.solve.seesaw import search
    from certify.strategy_rounding import deterministic_components, exact_mixture, to_evidence

    sc, sign = parsed.scenario, 1 if parsed.sense == "max" else -1
    local = deterministic_components(sc, guess)
    equalities, side = sum(r == "==" for _, r, _ in pinned), "lower" if parsed.sense == "max" else "upper"
    what = ((f"{equalities} equality constraint{'s' if equalities > 1 else ''}" if parsed.table is None
             else "the observed statistics") if equalities
            else f"{len(pinned)} inequality constraint{'s' if len(pinned) > 1 else ''}")

    def attempt(pool, producer, local=local):
        for columns in ((pool + local, local) if local else (pool,)):  # local alone: a target on the local
            mixed = exact_mixture(columns, sc, goals, pinned, parsed.sense, guess)  # polytope's boundary, where
            if mixed is not None:  # the float LP mixes in quantum columns within its tolerance that no exact
                return certificate(mixed[0], dict(producer, components=str(len(columns))))  # solution can use
        return None

    if len(pinned) == 1:  # one constraint: the Lagrangian method on each side
        e, posed, v = pinned[0]
        pool = list(searched or [])
        for relation in (">=", "<="):
            if searched is not None and relation == posed:
                continue
            strategy = search(sc, goals, guess, parsed.sense, [(e, relation, v)], 1e-7)
            pool += [] if strategy is None else to_evidence(strategy, guess)["components"]
        found = attempt(pool, {"method": "exact mixture of see-saw strategies on both sides of the constraint"})
        if found is not None:
            return found
    if dual is None:
        return None, f"no {side} witness: {what} (no exact mixture of rational strategies found)"
    parts = []  # (multiplier, expression) of the dual's Lagrangian
    if claim_problem.get("constraint") is not None:
        parts.append((Fraction(dual["lambda"]), parse_expression(claim_problem["constraint"]["expression"], sc, "c")))
    for m, row in zip(dual.get("mu", []), claim_problem.get("statistics", [])):
        parts.append((Fraction(m), parse_expression(row["expression"], sc, "d")))
    for m, row in zip(dual.get("kappa", []), claim_problem.get("constraints", [])):
        parts.append((Fraction(m), parse_expression(row["expression"], sc, "e")))
    families = []  # (name, the objective's sign, [(multiplier, expression)], goals): each family's responses
    if parsed.table is None or guess:  # (a Bell objective fixed by the statistics has a Lagrangian ~0)
        families.append(("best responses to the NPA dual's Lagrangian", sign, parts, goals))
    if parsed.table is not None:  # the boundary point beyond P seen from the uniform behaviour U: max sum_{a,x}
        # (P - U)(a|x) Q(a|x) over Q; P lies between it and U (inside the local polytope), which the deterministic
        # strategies supply; any decomposition of P is a witness of a Bell objective the statistics fix
        uniform = Fraction(1, math.prod(sc.outputs))
        toward = make_expression(sc, [(o, i, p - uniform) for (o, i), p in parsed.table.items()])
        families.append(("best responses towards the observed behaviour", 0, [(Fraction(1), toward)], goals[:1]))

    def combined(goal, sign_f, pieces, tilt):
        pieces = [(Fraction(sign_f), goal)] + pieces + [(Fraction(t), e) for t, (e, _, _) in zip(tilt, pinned)]
        terms = [(o, i, t * c) for t, e in pieces for o, i, c in e.terms]
        return make_expression(sc, terms, sum((t * e.constant for t, e in pieces), Fraction(0)))

    rng, pool, used, best = __import__("random").Random(0), [], [], None  # reproducible tilts: the certificate
    for size in PERTURBATIONS:  # is a function of the problem
        for name, sign_f, pieces, family_goals in families:
            for j in range(2 * len(pinned) + 3):  # the family's base response (untilted) first
                tilt = [Fraction(round(size * rng.gauss(0, 1) * 10**6), 10**6) if j else 0
                        for _ in pinned]
                for goal in family_goals:
                    strategy = search(sc, [combined(goal, sign_f, pieces, tilt)], False, "max", [],
                                      starts=6 if not j else 2, seed=j)
                    pool += [] if strategy is None else to_evidence(strategy, False)["components"]
            used.append(name)
            best = attempt(pool, {"method": f"exact mixture of {' and '.join(dict.fromkeys(used))}, tilted",
                                  "tilt": f"{size:g}"})
            if best is not None:
                break
        if best is not None:
            break
    if best is None and equalities:  # column generation: a direction the pool's hull misses, and the see-saw's
        from certify.strategy_rounding import separation  # best response to it

        for k in range(COLUMN_ROUNDS):
            direction = separation(pool + local, sc, pinned)
            if direction is None:
                break
            target = make_expression(sc, [(o, i, Fraction(round(g * 10**6), 10**6) * c)
                                          for g, (e, _, _) in zip(direction, pinned) for o, i, c in e.terms])
            strategy = search(sc, [target], False, "max", [], starts=4, seed=k)
            pool += [] if strategy is None else to_evidence(strategy, False)["components"]
            best = attempt(pool, {"method": f"exact mixture of {' and '.join(dict.fromkeys(used))}, tilted, and "
                                            "column generation", "columns": str(k + 1)})
            if best is not None:
                break
    if best is None or best[0] is None:
        return best or (None, f"no {side} witness: {what} (no exact mixture of rational strategies meets them; an "
                              "exact rational strategy generally cannot)")
    return _priced(parsed, goals, guess, pinned, pool + local, best, bound, tight_tol, attempt)


def _priced(parsed, goals, guess, pinned, pool, best, bound, tight_tol, attempt):
    """Column generation on the objective, from a first exact mixture `best` not yet within `tight_tol` of the
    NPA end `bound`: HiGHS's duals of the pool's LP price a new component (its reduced cost is sign f_g +
    sum_k t_k e_k + t_0 for guess g, `strategy_rounding.prices`); the see-saw maximises that per guess, and a
    response with a positive reduced cost enters. Stops when none does, when a round gains at most STALL, after
    PRICING_ROUNDS, or when tight."""
    from certify.kernel.defs.scenario import make_expression
    from certify.solve.seesaw import search
    from certify.strategy_rounding import _values, prices, to_evidence

    sc, sign = parsed.scenario, 1 if parsed.sense == "max" else -1

    def tight(found):
        return bound is not None and abs(bound - found[0][1].claimed) <= tight_tol

    method = best[0][0]["producer"]["method"]
    for k in range(PRICING_ROUNDS if bound is not None else 0):
        if tight(best):
            break
        priced = prices(pool, sc, goals, pinned, parsed.sense, guess)
        if priced is None:
            break
        t, t0 = priced
        entering = []
        for goal in goals:
            terms = [(o, i, sign * c) for o, i, c in goal.terms]
            terms += [(o, i, Fraction(round(w * 10**9), 10**9) * c) for w, (e, _, _) in zip(t, pinned)
                      for o, i, c in e.terms]
            strategy = search(sc, [make_expression(sc, terms)], False, "max", [], starts=4, seed=k)
            comps = [] if strategy is None else to_evidence(strategy, False)["components"]
            _, f, rows = _values(comps, sc, goals, pinned, parsed.sense, guess)
            entering += [c for c, fc, rc in zip(comps, f, rows)
                         if float(fc) + sum(w * float(r) for w, r in zip(t, rc)) + t0 > 1e-9]
        if not entering:
            break
        pool = pool + entering
        found = attempt(pool, {"method": f"{method}; then priced columns", "columns": str(k + 1)}, local=False)
        if found is None or found[0] is None or (found[0][1].claimed - best[0][1].claimed) * sign <= STALL:
            break  # converged to the see-saw's precision (a guess under noisy CHSH statistics: 13 rounds, 0.75 s each)
        best = found
    return best


def strategy_statement(parsed: Parsed, relation: str) -> str:
    return f"quantum strategies: {describe_problem(parsed)} {relation} value (attained by an explicit real strategy)"


def statement(parsed: Parsed, relation: str) -> str:
    """The claim in words, generated from the problem, e.g. "NPA level 2 (an outer relaxation of the
    quantum set): max P_guess(ab|xy=00) s.t. CHSH >= 5/2 <= value" (issue 12, names)."""
    where = {"local": "local behaviours", "no-signalling": "no-signalling boxes",
             "quantum": f"NPA level {parsed.level} (an outer relaxation of the quantum set)"}[parsed.set]
    return f"{where}: {describe_problem(parsed)} {relation} value"


def describe_problem(parsed: Parsed) -> str:
    """"max OBJECTIVE s.t. C1 >= v1, ..." (the observed behaviour, if fixed, is named, not listed)."""
    sc, goal = parsed.scenario, parsed.objective
    what = describe(goal, sc) if isinstance(goal, Expression) else _guess_text(goal[1], goal[2])
    rows = [f"{describe(e, sc)} {r} {format_rational(v)}" for e, r, v in parsed.constraints]
    rows += ["the observed behaviour"] if parsed.table is not None else []
    return f"{parsed.sense} {what}" + (f" s.t. {', '.join(rows)}" if rows else "")


_OUT, _IN = "abcdefgh", "xyzuvwst"  # output and input letters of parties A, B, C, ...
MAX_NAMED_TERMS = 3  # a longer expression is named by its size (the problem hash pins it exactly)


def describe(expr: Expression, scenario) -> str:
    """A short exact name: "CHSH" (Pironio et al.'s form, or its negation), up to three terms written
    out ("P(ab=00|xy=00) - 1/2 P(a=1|x=0)"), else "a Bell expression (16 terms)"."""
    from certify.kernel.defs.scenario import chsh

    if scenario.parties > len(_OUT):
        return f"a Bell expression ({len(expr.terms)} terms)"
    if scenario.inputs == (2, 2) and scenario.outputs == (2, 2) and expr.terms:
        for sign, name in ((1, "CHSH"), (-1, "-CHSH")):
            shifted = make_expression(scenario, [(o, i, sign * c) for o, i, c in chsh().terms])
            if shifted.terms == expr.terms:
                return name + (f" + {format_rational(expr.constant)}" if expr.constant else "")
    if len(expr.terms) > MAX_NAMED_TERMS:
        return f"a Bell expression ({len(expr.terms)} terms)"
    parts = []
    for outs, ins, coef in expr.terms:
        parties = [i for i, a in enumerate(outs) if a is not None]
        p = (f"P({''.join(_OUT[i] for i in parties)}={''.join(str(outs[i]) for i in parties)}|"
             f"{''.join(_IN[i] for i in parties)}={''.join(str(ins[i]) for i in parties)})")
        size = abs(coef)
        parts.append(("- " if coef < 0 else "+ ") + (p if size == 1 else f"{format_rational(size)} {p}"))
    if expr.constant:
        parts.append(("- " if expr.constant < 0 else "+ ") + format_rational(abs(expr.constant)))
    text = " ".join(parts) or "0"
    return text[2:] if text.startswith("+ ") else "-" + text[2:] if text.startswith("- ") else text


def _guess_text(parties, inputs) -> str:
    if parties[-1] >= len(_OUT):
        return f"the guessing probability of parties {parties} at inputs {inputs}"
    return (f"P_guess({''.join(_OUT[i] for i in parties)}|{''.join(_IN[i] for i in parties)}="
            f"{''.join(map(str, inputs))})")


def _lp(claim_problem, claim_id):
    from certify.certificate import rational_map
    from certify.kernel.defs.ns_polytope import build
    from lp_checks.ns_lp import solve_exact

    lp = build(claim_problem, claim_id, extended=True)
    solution = solve_exact(lp)
    evidence = {"dual": rational_map(solution.dual), "primal": rational_map(solution.primal)}
    producer = {"solver": "HiGHS (simplex)", "status": solution.status,
                "float_optimum": f"{lp.sign * solution.float_value:.12g}"}
    return "==", lp.sign * solution.value, evidence, producer


def _npa(claim_problem, solver, target=1e-6):
    if "constraints" in claim_problem:
        raise ProblemError("problem.constraints: a quantum problem with more than one inequality constraint is "
                           "accepted by the kernel (npa.max constraints) but not yet by the producer; pose "
                           "equalities as statistics or keep one inequality")
    from certify.symmetry import certify_npa  # symmetry-reduced where the problem has symmetries

    result = certify_npa(claim_problem, solver, target=target).result
    if result is None:
        raise SolverError("problem: no NPA certificate verified (the relaxation may be infeasible, or the solver "
                           "failed at every rung of the ladder)")
    sol = result.solution
    producer = {"solver": sol.solver, "raw_status": sol.raw_status, "status": sol.status,
                "float_optimum": f"{result.primal:.12e}", "slack": f"{result.slack:.3e}"}
    if claim_problem.get("sense") == "min":  # the bound B is on max(-f): min f >= -B, rounded down
        return ">=", Fraction(math.floor(-result.bound * 10**12), 10**12), result.evidence, producer
    return "<=", Fraction(math.ceil(result.bound * 10**12), 10**12), result.evidence, producer


def _observed(parsed):
    """The observed behaviour as equalities: its Collins-Gisin probabilities (which fix a no-signalling box)."""
    if parsed.table is None:
        return []
    from certify.behaviour import full_statistics

    return full_statistics(parsed.scenario, parsed.table)


def _row(e, r, v):
    return {"expression": expression_to_json(e), "relation": r, "value": format_rational(v)}


def _negated(e: Expression, scenario) -> Expression:
    return make_expression(scenario, [(o, i, -c) for o, i, c in e.terms], -e.constant)


def _objective(obj, scenario, where):
    if not isinstance(obj, dict) or len(obj) != 1 or not set(obj) <= {"bell", "guess"}:
        raise CertifyError(f'{where}: expected exactly one of "bell" or "guess"')
    if "bell" in obj:
        return _expression(obj["bell"], scenario, f"{where}.bell")
    guess, at = obj["guess"], f"{where}.guess"
    if not isinstance(guess, dict) or set(guess) != {"parties", "inputs"}:
        raise CertifyError(f'{at}: expected {{"parties": [...], "inputs": [...]}}')
    parties = [_int(p, f"{at}.parties[{k}]") for k, p in enumerate(guess["parties"])]
    inputs = [_int(x, f"{at}.inputs[{k}]") for k, x in enumerate(guess["inputs"])]
    if not parties or parties != sorted(set(parties)) or parties[-1] >= scenario.parties:
        raise CertifyError(f"{at}.parties: expected distinct parties in increasing order, 0..{scenario.parties - 1}")
    if len(inputs) != len(parties) or any(x >= scenario.inputs[p] for p, x in zip(parties, inputs)):
        raise CertifyError(f"{at}.inputs: expected one input per guessed party, within its range")
    return ("guess", parties, inputs)


def _expression(obj, scenario, where) -> Expression:
    if isinstance(obj, Expression):
        obj = expression_to_json(obj)
    return read_expression(obj, scenario, where)


def _behaviour(obj, scenario, where):
    from certify.behaviour import _full_pairs, check_no_signalling

    rows = obj.get("p") if isinstance(obj, dict) and set(obj) == {"p"} else None
    if not isinstance(rows, list):
        raise CertifyError(f'{where}: expected {{"p": [{{"outputs", "inputs", "p"}}, ...]}}')
    full, table = _full_pairs(scenario), {}
    for k, row in enumerate(rows):
        at = f"{where}.p[{k}]"
        if not isinstance(row, dict) or set(row) != {"outputs", "inputs", "p"}:
            raise CertifyError(f'{at}: expected {{"outputs", "inputs", "p"}}')
        key = (tuple(_int(v, f"{at}.outputs") for v in row["outputs"]),
               tuple(_int(v, f"{at}.inputs") for v in row["inputs"]))
        if key not in full or key in table:
            raise CertifyError(f"{at}: outputs {list(key[0])}, inputs {list(key[1])} not in the scenario or repeated")
        table[key] = _rational(row["p"], f"{at}.p")
        if table[key] < 0:
            raise CertifyError(f"{at}.p: negative probability")
    if len(table) != len(full):
        raise CertifyError(f"{where}.p: expected {len(full)} entries (every outputs, inputs), got {len(table)}")
    check_no_signalling(scenario, table, where)
    return table


def _sizes(obj, where):
    if not isinstance(obj, dict) or set(obj) != {"inputs", "outputs"}:
        raise CertifyError(f'{where}: expected {{"inputs": [...], "outputs": [...]}}')
    return {key: [_int(v, f"{where}.{key}[{i}]") for i, v in enumerate(obj[key])] for key in ("inputs", "outputs")}


def _int(value, where) -> int:
    """An integer (numpy integers included; bools and floats refused)."""
    if isinstance(value, bool):
        raise CertifyError(f"{where}: expected an integer, got {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise CertifyError(f"{where}: expected an integer, got {str(value)[:30]!r}") from None


def _rational(value, where) -> Fraction:
    """A canonical "p/q" string, or an int / Fraction / numpy integer (never a float)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str):
        return parse_rational(value, where)
    return Fraction(_int(value, where))
