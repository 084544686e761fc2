"""Why a problem's constraints admit no behaviour: a kernel verdict where one proves it.

Untrusted producer. The kernel has no claim kind for infeasibility, so the reason is built from a
kind it has. Lemma: if the set's optimum of one constraint's expression e alone is certified
(max e <= U by an lp.ns or npa.max verdict) and U < v, no behaviour of the set has e >= v; likewise
min e >= L > v refutes e <= v, and either refutes e == v. The one comparison U < v is exact
arithmetic done here (printed with the verdict, so a reader redoes it at a glance). When no single
constraint is refuted alone (only a combination is), the solver's status is reported, labelled as
not a verdict (a Farkas combination as one kernel claim is left to do).
"""

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
    text = str(failure)
    if "infeasible" in text:  # HiGHS's status (an NPA ladder failure says nothing about feasibility)
        return (f"problem.constraints: the solver finds no behaviour satisfying the constraints together ({text}); "
                "this is the solver's status, NOT a kernel verdict (no single constraint is refuted alone)")
    return None


def _decimal(x) -> str:
    return format_rational(x) if x.denominator == 1 else f"{format_rational(x)} (~{float(x):.10g})"
