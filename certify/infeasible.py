"""Why a problem's constraints admit no behaviour: a kernel verdict where one proves it.

Untrusted producer. The kernel has no claim kind for infeasibility, so the reason is built from a
kind it has. Lemma: if the set's optimum of one constraint's expression e alone is certified
(max e <= U by an lp.ns or npa.max verdict) and U < v, no behaviour of the set has e >= v; likewise
min e >= L > v refutes e <= v, and either refutes e == v. The one comparison U < v is exact
arithmetic done here (printed with the verdict, so a reader redoes it at a glance).

Observed statistics P over the quantum set: G = sum_(a,x) (P(a|x) - U(a|x)) p(a|x), the direction from the
uniform behaviour U to P, is certified at the level (an npa.max verdict max G <= B); B < G(P) proves that no
behaviour of the level, hence no quantum behaviour, equals P (the PR box: G(P) = 1 > 1/sqrt 2).

When only a combination is infeasible (no-signalling set): Farkas. A phase-one LP (HiGHS, floats:
maximise s with e_k - v_k >= s for ">=", v_k - e_k >= s for "<=", e_k == v_k, over no-signalling
boxes) has s* < 0, and its dual gives weights mu_k (>= 0 on ">=", <= 0 on "<=", free on "==").
They are rounded to rationals; C = sum mu_k e_k then satisfies C >= T = sum mu_k v_k on every
feasible box, and a kernel verdict "max C == M" over the set with M < T refutes them all together.
Rounding can only lose the proof, never fake one: the kernel computes M exactly. If it is lost, or
for the quantum set, the solver's status is reported, labelled NOT a kernel verdict.
"""

from fractions import Fraction

from certify import printing
from certify.errors import CertifyError
from certify.expressions import expression_to_json
from certify.kernel.format import format_rational


def diagnose(parsed, failure) -> str:
    """One line: the constraint refuted by a kernel verdict, or the solver's reason marked NOT a verdict;
    None when `failure` does not look like infeasibility (the caller re-raises it)."""
    from certify.problem import Problem, certify_problem, describe

    sc = parsed.scenario
    scenario = {"inputs": list(sc.inputs), "outputs": list(sc.outputs)}
    where = {"no-signalling": "no-signalling box", "quantum": f"behaviour at NPA level {parsed.level}"}[parsed.set]
    if parsed.table is not None and parsed.set == "quantum":
        outside = _outside(parsed, scenario)
        if outside:
            return outside
    for k, (expr, relation, value) in enumerate(parsed.constraints):
        for sense in (("max",) if relation == ">=" else ("min",) if relation == "<=" else ("max", "min")):
            try:
                _, verdict = certify_problem(Problem(scenario, {"bell": expression_to_json(expr)}, parsed.set, sense,
                                                     level=parsed.level))
            except CertifyError:
                continue
            bound = verdict.claimed
            if verdict.ok and (bound < value if sense == "max" else bound > value):
                return (f"problem.constraints[{k}]: infeasible: no {where} has {describe(expr, sc)} {relation} "
                        f"{format_rational(value)}, since the kernel proves {sense} {describe(expr, sc)} "
                        f"{printing.proven(verdict, _decimal, claimed=True)} (claim {verdict.claim_id})")
    if parsed.set == "no-signalling":
        combined = _farkas(parsed)
        if combined:
            return combined
    text = str(failure)
    if "infeasible" in text:  # HiGHS's status (an NPA ladder failure says nothing about feasibility)
        return (f"problem.constraints: the solver finds no behaviour satisfying the constraints together ({text}); "
                "this is the solver's status, NOT a kernel verdict (no single constraint is refuted alone, nor a "
                "combination found by the phase-one LP)")
    return None


def _outside(parsed, scenario):
    """Observed statistics outside the NPA level: G = sum_{a,x} (P - U)(a|x) p(a|x), the direction from the
    uniform behaviour U to the observed P (for noise on a Bell violation, the violated expression), has
    G(P) above the kernel's bound on max G at the level, so no behaviour of the level equals P."""
    from math import prod

    from certify.kernel.defs.scenario import make_expression
    from certify.problem import Problem, certify_problem

    sc, uniform = parsed.scenario, Fraction(1, prod(parsed.scenario.outputs))
    toward = make_expression(sc, [(o, i, p - uniform) for (o, i), p in parsed.table.items()])
    observed = toward.constant + sum((c * parsed.table[(o, i)] for o, i, c in toward.terms), Fraction(0))
    try:
        _, verdict = certify_problem(Problem(scenario, {"bell": expression_to_json(toward)}, "quantum", "max",
                                             level=parsed.level))
    except CertifyError:
        return None
    if not (verdict.ok and verdict.claimed < observed):
        return None
    return (f"problem.statistics: infeasible: the observed behaviour P is outside NPA level {parsed.level} (so no "
            f"quantum behaviour equals it): G = sum_(a,x) (P(a|x) - {format_rational(uniform)}) p(a|x) has "
            f"G(P) = {_decimal(observed)}, while the kernel proves max G "
            f"{printing.proven(verdict, _decimal, claimed=True)} (claim {verdict.claim_id})")


def _decimal(x) -> str:
    return format_rational(x) if x.denominator == 1 else f"{format_rational(x)} (~{float(x):.10g})"


MAX_COLUMNS = 1 << 13  # the kernel's LP column cap: a larger phase-one LP is not attempted


def _farkas(parsed):
    """The one-line refutation by a weighted sum of the constraints (module docstring), or None."""
    from math import prod

    from certify.kernel.defs.scenario import make_expression
    from certify.problem import Problem, _observed, certify_problem, describe

    sc = parsed.scenario
    rows = list(parsed.constraints) + [(e, "==", v) for e, v in _observed(parsed)]
    if prod(sc.outputs) * prod(sc.inputs) > MAX_COLUMNS:
        return None
    weights = _phase_one(sc, rows)
    if weights is None:
        return None
    for scale in (1, -1):  # the dual's sign convention on equality rows: let the kernel decide
        mu = [w if r != "==" else scale * w for w, (_, r, _) in zip(weights, rows)]
        terms = [(o, i, m * c) for m, (e, _, _) in zip(mu, rows) for o, i, c in e.terms]
        combined = make_expression(sc, terms, sum(m * e.constant for m, (e, _, _) in zip(mu, rows)))
        target = sum(m * v for m, (_, _, v) in zip(mu, rows))
        used = ", ".join(f"{format_rational(m)} x constraints[{k}]" for k, m in enumerate(mu) if m)
        if not combined.terms:
            if combined.constant < target:
                return (f"problem.constraints: infeasible: the weighted sum {used} reads "
                        f"{format_rational(combined.constant)} >= {format_rational(target)}, which is false "
                        "(exact arithmetic; no behaviour needed)")
            continue
        try:
            _, verdict = certify_problem(Problem({"inputs": list(sc.inputs), "outputs": list(sc.outputs)},
                                                 {"bell": expression_to_json(combined)}, "no-signalling", "max"))
        except CertifyError:
            continue
        if verdict.ok and verdict.claimed < target:
            return (f"problem.constraints: infeasible together: every box satisfying them has C >= "
                    f"{format_rational(target)} for C = {used} (here {describe(combined, sc)}), since the kernel "
                    f"proves max C {printing.proven(verdict, _decimal, claimed=True)} (claim {verdict.claim_id})")
    return None


def _phase_one(sc, rows):
    """Rational Farkas weights from HiGHS's dual of the phase-one LP (module docstring), or None."""
    from fractions import Fraction
    from itertools import product

    import numpy as np
    from scipy.optimize import linprog

    outs = list(product(*(range(d) for d in sc.outputs)))
    ins = list(product(*(range(m) for m in sc.inputs)))
    column = {(a, x): k for k, (a, x) in enumerate((a, x) for x in ins for a in outs)}
    n = len(column) + 1  # the last column is s

    def row_of(expr):
        vec = np.zeros(n)
        for o, i, c in expr.terms:  # a marginal P(a_S|x_S): the others' outputs summed, their inputs at 0
            for a, x in column:
                if all((o[p] is None and x[p] == 0) or (o[p] == a[p] and i[p] == x[p]) for p in range(sc.parties)):
                    vec[column[a, x]] += float(c)
        return vec

    a_ub, b_ub, a_eq, b_eq, kinds = [], [], [], [], []
    for e, r, v in rows:
        vec, rhs = row_of(e), float(v - e.constant)
        if r == "==":
            a_eq.append(vec)
            b_eq.append(rhs)
            kinds.append(("eq", len(a_eq) - 1))
        else:
            sign = -1.0 if r == ">=" else 1.0  # ">=": s - e <= -v;  "<=": s + e <= v
            vec = sign * vec
            vec[-1] = 1.0
            a_ub.append(vec)
            b_ub.append(sign * rhs)
            kinds.append(("ub", len(a_ub) - 1))
    for x in ins:  # normalisation
        vec = np.zeros(n)
        for a in outs:
            vec[column[a, x]] = 1.0
        a_eq.append(vec)
        b_eq.append(1.0)
    for p in range(sc.parties):  # no-signalling: party p's input does not change the others' marginal
        for x in ins:
            if x[p] == 0:
                continue
            base = x[:p] + (0,) + x[p + 1:]
            for rest in product(*(range(d) for q, d in enumerate(sc.outputs) if q != p)):
                vec = np.zeros(n)
                for a_p in range(sc.outputs[p]):
                    a = rest[:p] + (a_p,) + rest[p:]
                    vec[column[a, x]] += 1.0
                    vec[column[a, base]] -= 1.0
                a_eq.append(vec)
                b_eq.append(0.0)
    cost = np.zeros(n)
    cost[-1] = -1.0  # maximise s
    bounds = [(0, 1)] * (n - 1) + [(-1e6, None)]
    result = linprog(cost, A_ub=np.array(a_ub) if a_ub else None, b_ub=b_ub or None, A_eq=np.array(a_eq),
                     b_eq=b_eq, bounds=bounds, method="highs")
    if result.status != 0 or -result.fun >= -1e-9:  # not solved, or feasible after all
        return None
    ub = -np.asarray(result.ineqlin.marginals) if a_ub else []
    eq = -np.asarray(result.eqlin.marginals)
    weights = []
    for kind, k in kinds:
        w = float(ub[k]) if kind == "ub" else float(eq[k])
        w = Fraction(w).limit_denominator(10**6)
        weights.append(max(w, Fraction(0)) if kind == "ub" else w)
    for j, (kind, _) in enumerate(kinds):  # a "<=" row enters the sum with a negative weight
        if kind == "ub" and rows[j][1] == "<=":
            weights[j] = -weights[j]
    return weights if any(weights) else None
