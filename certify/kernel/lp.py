"""Exact check of "lp.ns" claims: no-signalling LPs  max c.p  s.t.  A p = b, p >= 0.

Trusted. The LP is rebuilt by `defs.ns_polytope.build`; the certificate supplies a dual y, a
primal p, or both. Lemma (weak duality): A^T y >= c and p >= 0 give c.p <= (A^T y).p = b.y for
every feasible p, so b.y bounds the maximum; a p >= 0 with A p = b attains c.p. "min" (sign -1)
maximises -c: [low, high] = [-b.y, c.p]. A dual bound below the least possible value (0 for a
probability, 1/k for a guess over k sub-boxes) only proves the LP infeasible: refused as vacuous.
"""

from fractions import Fraction

from certify.errors import CertifyError
from certify.kernel.defs.ns_polytope import build, column_key
from certify.kernel.format import Proven, Reject, brief, denominator, expect, format_rational, parse_rational


def check(problem: dict, relation: str, value: Fraction, evidence: dict, where: str) -> Proven:
    """[c.p, b.y]: the primal's value is attained, the dual's bound holds (either may be absent)."""
    lp = build(problem, f"{where}.claim.problem", extended=True)
    if not evidence or not set(evidence) <= {"dual", "primal"}:
        raise CertifyError(f"{where}.evidence: expected a dual, a primal or both, got {sorted(evidence)}")
    high = dual_bound(lp, evidence["dual"], f"{where}.evidence.dual") if "dual" in evidence else None
    low = primal_value(lp, evidence["primal"], f"{where}.evidence.primal") if "primal" in evidence else None
    floor = {"function": 0, "guess": Fraction(1, lp.guesses or 1)}.get(problem["objective"]["kind"])
    # "max" proves max <= b.y, vacuous below the floor; "min" proves min >= -b.y, vacuous above 1
    if high is not None and floor is not None and (high < floor if lp.sign == 1 else -high > 1):
        shown = f"{brief(high)} < {brief(floor)}" if lp.sign == 1 else f"{brief(-high)} > 1"
        raise Reject(f"{where}.evidence.dual: bound {shown} on a probability: the constraints are "
                     "infeasible, so the bound says nothing")
    return Proven(low, high) if lp.sign == 1 else Proven(None if high is None else -high, None if low is None else -low)


def dual_bound(lp, dual, where: str) -> Fraction:
    """b.y, after checking A^T y >= c on every column (weak duality). In integers: with D the
    common denominator of y, (A^T y)_j >= c_j iff (A^T (D y))_j >= D c_j (D > 0, A integral)."""
    y = _sparse(dual, lp.row_b, where)
    scale = denominator(y.values(), where)
    scaled = {key: v.numerator * (scale // v.denominator) for key, v in y.items()}
    for col, column in zip(lp.columns, lp.entries):
        reduced = sum(coef * scaled[key] for key, coef in column if key in scaled)
        c = Fraction(lp.objective.get(col, 0))
        if reduced * c.denominator < c.numerator * scale:
            raise Reject(f"dual infeasible at column {column_key(*col)}: (A^T y) = "
                         f"{brief(Fraction(reduced, scale))} < c = {brief(c)}")
    return sum((lp.row_b[key] * v for key, v in y.items()), Fraction(0))


def primal_value(lp, primal, where: str) -> Fraction:
    """c.p, after checking p >= 0 and A p = b exactly."""
    allowed = {column_key(*col): j for j, col in enumerate(lp.columns)}
    p = _sparse(primal, allowed, where)
    # Exact in integers, as in dual_bound: (A p)_r = b_r iff (A (D p))_r = D b_r.
    scale = denominator(p.values(), where)
    totals = dict.fromkeys(lp.row_b, 0)
    for key, weight in p.items():
        if weight < 0:
            raise Reject(f"primal entry {key} is negative: {format_rational(weight)}")
        scaled = weight.numerator * (scale // weight.denominator)
        for row, coef in lp.entries[allowed[key]]:
            totals[row] += coef * scaled
    for row, total in totals.items():
        b = lp.row_b[row]
        if total * b.denominator != b.numerator * scale:
            raise Reject(f"primal violates row {row}: {brief(Fraction(total, scale))} "
                         f"!= {format_rational(b)}")
    return sum((lp.objective.get(lp.columns[allowed[key]], 0) * w for key, w in p.items()), Fraction(0))


def _sparse(entries, names, where: str) -> dict:
    """A {name: "p/q"} object whose names must all be known; zeros dropped."""
    if len(expect(entries, dict, where)) > len(names):
        raise CertifyError(f"{where}: {len(entries)} entries, but the problem has only {len(names)}")
    out = {}
    for key, text in entries.items():
        if key not in names:
            raise CertifyError(f"{where}: unknown entry {key!r} (not in the rebuilt problem)"[:200])
        value = parse_rational(text, f"{where}[{key!r}]")
        if value:
            out[key] = value
    return out
