"""Exact check of "lp.threshold" claims: the smallest penalty weight c that keeps f <= v.

Trusted. The quantity is c* = inf C, C = {c : f(P) - c B(P) <= v on every no-signalling box P};
B >= 0 (no negative coefficient, no constant), so C is an up-set. Lemmas:
- "dual": a dual of max f - w B (w the claimed value) with b.y <= v gives w in C: c* <= w.
- "box": a box with B(P) > 0 and r = (f(P) - v) / B(P): every c < r has f - c B > v, so c* >= r.
Both: r >= w forces c* = w. In full: docs/referee-guide.md, appendix C.
"""

from dataclasses import replace
from fractions import Fraction

from certify.errors import CertifyError
from certify.kernel.defs.ns_polytope import _objective, build, column_key
from certify.kernel.format import Proven, Reject, brief, denominator, field, only, parse_rational
from certify.kernel.lp import dual_bound, primal_value


def check(problem: dict, relation: str, value: Fraction, evidence: dict, where: str) -> Proven:
    """[r, w]: the box proves c* >= r, the dual (checked at w = the claimed value) c* <= w."""
    at = f"{where}.claim.problem"
    only(problem, {"lp", "penalty", "target"}, at)  # a dict: `read_claim` checked it
    lp = build(field(problem, "lp", dict, at), f"{at}.lp")
    penalty = _objective(field(problem, "penalty", dict, at), lp.inputs, lp.outputs, f"{at}.penalty")
    denominator(penalty.values(), f"{at}.penalty")  # the box's B(P) sums them (work bound)
    for key, coefficient in sorted(penalty.items()):
        if coefficient < 0:
            raise CertifyError(f"{at}.penalty: coefficient of P({column_key(*key)}) is "
                               f"{brief(coefficient)}; a penalty needs every coefficient >= 0")
    target = parse_rational(field(problem, "target", str, at), f"{at}.target")
    if not evidence or not set(evidence) <= {"dual", "box"}:
        raise CertifyError(f"{where}.evidence: expected a dual, a box or both, got {sorted(evidence)}")
    low = high = None
    if "dual" in evidence:
        shifted = {k: lp.objective.get(k, 0) - value * penalty.get(k, 0) for k in set(lp.objective) | set(penalty)}
        bound = dual_bound(replace(lp, objective=shifted), evidence["dual"], f"{where}.evidence.dual")
        if bound > target:
            raise Reject(f"the dual bounds f - {brief(value)} B by {brief(bound)}, "  # brief: sums may pass 4300 digits
                         f"above the target {brief(target)}")
        high = value
    if "box" in evidence:
        f_box = primal_value(lp, evidence["box"], f"{where}.evidence.box")
        b_box = primal_value(replace(lp, objective=penalty), evidence["box"], f"{where}.evidence.box")
        if b_box <= 0:
            raise Reject("the box has B(P) = 0, so it bounds no c from below")
        low = (f_box - target) / b_box
    return Proven(low, high)
