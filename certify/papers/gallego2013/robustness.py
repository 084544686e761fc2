"""Robustness of Gallego et al.'s Lemma: the smallest c with P(maj = 0 | x0) <= 3/4 + c B(P).

Untrusted producer (the kernel checks every number through "lp.ns" and "lp.threshold" claims).
Over all five-party no-signalling boxes, with no promise, write
  M(P) = P(maj(a1, a2, a3) = 0 | x0)   and   B(P) = sum_{x in X} sum_a I(a, x) P(a|x),
B the Mermin expression of eq. (3) (the expected number of lost rounds over
the 16 inputs X; B = 0 is maximal violation, the Lemma's promise). The value
function  f(c) = max_P [M(P) - c B(P)]  is convex (a maximum of affine
functions of c) and nonincreasing (B >= 0), and c works iff f(c) <= 3/4.

Finding c*. Boxes with B = 0 have M <= 3/4 (the Lemma), so c* is the largest
ratio (M(P) - 3/4) / B(P) over boxes with B > 0. With q = P / B(P) and
s = 1 / B(P) (Charnes-Cooper) this is one LP: max M(q) - 3/4 s over the
no-signalling cone, sum_a q(a|x) = s for every x, B(q) = 1. Its float optimum
is rounded to a small-denominator rational, which the exact claims confirm.

Certifying c* exactly: three "==" claims
  f(c*) = 3/4,   f(c* - delta) = 3/4 + delta beta,   f(c* - 2 delta) = 3/4 + 2 delta beta,
with beta > 0. The first proves c* works (its dual: M - c* B <= 3/4 on every
box). Minimality, lemma: a convex function through three collinear points is
affine between the outer two and lies on or above that line outside them, so
f(c) >= 3/4 + (c* - c) beta > 3/4 for every c < c*. No other argument is
needed: "lp.ns" cannot tie two objectives to one box, but convexity of f can.

Certified by the kernel as one claim (issue 11): "lp.threshold" states c* == 5/16 itself,
with the c claim's dual (c* <= 5/16) and the c-delta claim's box, which has B = beta > 0
and (M - 3/4) / B = c* (c* >= 5/16); see `threshold_certificate`.
"""

from dataclasses import dataclass
from fractions import Fraction
from itertools import product

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from certify.certificate import make_certificate
from certify.errors import CertifyError
from certify.kernel.defs.ns_polytope import build
from certify.kernel.format import format_rational
from certify.papers.produce import lp_certificate
from lp_checks.claims import MAJORITY_TABLE, binary_scenario, spell
from lp_checks.mermin import five_party_game, game_expression

THREE_QUARTERS = Fraction(3, 4)
TAGS = ("c", "c-delta", "c-2delta")  # claims at c*, c* - delta, c* - 2 delta


@dataclass(frozen=True)
class Robustness:
    """The certified smallest c at one input x0, and the line f(c) = 3/4 + (c* - c) beta."""

    x0: tuple
    c: Fraction
    beta: Fraction  # -slope of f just below c*: B of a box on the optimal face
    delta: Fraction
    certificates: tuple  # ((certificate, relative file name), ...), one per tag
    float_c: float  # the Charnes-Cooper LP's float optimum


def game_inputs() -> list:
    """The 16 inputs of eqs. (4)-(5), sorted."""
    return [x for x, _ in sorted(five_party_game())]


def majority_zero(a) -> bool:
    return MAJORITY_TABLE[4 * a[0] + 2 * a[1] + a[2]] == "0"


def coefficients(x0, c) -> dict:
    """{(x, a): coefficient} of M(P) - c B(P)."""
    out = {}
    for (a, x), lost in game_expression(five_party_game()).items():
        if lost:
            out[(x, a)] = -Fraction(c)
    for a in product((0, 1), repeat=5):
        if majority_zero(a):
            out[(x0, a)] = out.get((x0, a), Fraction(0)) + 1
    return {key: v for key, v in out.items() if v}


def robustness_problem(x0, c) -> dict:
    """The "lp.ns" problem max [P(maj(a1,a2,a3) = 0 | x0) - c B(P)] over all NS boxes."""
    terms = [[spell(x), spell(a), format_rational(v)] for (x, a), v in sorted(coefficients(x0, c).items())]
    return {"scenario": binary_scenario(5), "promise": None,
            "objective": {"kind": "linear", "terms": terms}, "sense": "max"}


def robustness_claim(x0, c, tag, c_star):
    """(claim id, statement, problem, file name) for f(c) at x0; `tag` names c relative to c*."""
    x = spell(x0)
    role = (f"so P(maj = 0 | x) <= 3/4 + {format_rational(c)} B(P) on every box" if tag == "c" else
            f"with the claims tagged {', '.join(TAGS)} at this x: three collinear values of the convex "
            f"f(c) = max [P(maj = 0 | x) - c B(P)], so no c < c* = {format_rational(c_star)} works")
    statement = (f"max over 5-party no-signalling boxes (no promise) of P(maj(a1,a2,a3) = 0 | x = {x}) "
                 f"- {format_rational(c)} B(P), B the Mermin expression (lost rounds over X); {role}")
    return (f"gallego2013/robustness/x={x}/{tag}", statement, robustness_problem(x0, c),
            f"gallego2013/robustness/x{x}_{tag}.json")


def smallest_c_float(x0) -> float:
    """max (M - 3/4) / B over boxes with B > 0, by the Charnes-Cooper LP (HiGHS, floats)."""
    lp = build(robustness_problem(x0, 0), "robustness")
    rows = sorted(lp.row_b)
    index = {key: i for i, key in enumerate(rows)}
    n, lost = len(lp.columns), game_expression(five_party_game())
    triples = [(index[key], j, float(coef)) for j, column in enumerate(lp.entries) for key, coef in column]
    triples += [(index[key], n, -1.0) for key in rows if key.startswith("norm:")]  # sum_a q = s
    triples += [(len(rows), j, 1.0) for j, (x, a) in enumerate(lp.columns) if lost.get((a, x))]  # B(q) = 1
    r, col, v = zip(*triples)
    matrix = sp.csr_matrix((v, (r, col)), shape=(len(rows) + 1, n + 1))
    rhs = np.zeros(len(rows) + 1)
    rhs[-1] = 1.0
    cost = np.zeros(n + 1)
    for j, (x, a) in enumerate(lp.columns):
        cost[j] = -1.0 if x == tuple(x0) and majority_zero(a) else 0.0
    cost[n] = 0.75
    result = linprog(cost, A_eq=matrix, b_eq=rhs, bounds=(0, None), method="highs")
    if result.status != 0:
        raise CertifyError(f"x0={spell(x0)}: Charnes-Cooper LP failed: {result.message}")
    return -result.fun


def certify_smallest_c(x0, max_halvings: int = 20) -> Robustness:
    """Find c* and certify it (see the module lemma); raises if the exact claims disagree."""
    float_c = smallest_c_float(x0)
    c_star = Fraction(float_c).limit_denominator(10**4)
    top, value = _claim(lp_certificate, x0, c_star, "c", c_star)
    if value != THREE_QUARTERS:
        raise CertifyError(f"x0={spell(x0)}: f({format_rational(c_star)}) = {format_rational(value)}, not 3/4")
    delta = c_star / 5
    for _ in range(max_halvings):
        mid, f1 = _claim(lp_certificate, x0, c_star - delta, "c-delta", c_star)
        low, f2 = _claim(lp_certificate, x0, c_star - 2 * delta, "c-2delta", c_star)
        beta = (f1 - THREE_QUARTERS) / delta
        if beta > 0 and f2 - THREE_QUARTERS == 2 * delta * beta:
            return Robustness(tuple(x0), c_star, beta, delta, (top, mid, low), float_c)
        delta /= 2
    raise CertifyError(f"x0={spell(x0)}: no collinear triple below c* = {format_rational(c_star)}")


def threshold_problem(x0) -> dict:
    """The "lp.threshold" problem: f = P(maj(a1,a2,a3) = 0 | x0), B = the Mermin expression, v = 3/4."""
    f = {"kind": "function", "x": spell(x0), "parties": [0, 1, 2], "table": MAJORITY_TABLE, "value": 0}
    lost = sorted((x, a) for (a, x), bit in game_expression(five_party_game()).items() if bit)
    return {"lp": {"scenario": binary_scenario(5), "promise": None, "objective": f, "sense": "max"},
            "penalty": {"kind": "linear", "terms": [[spell(x), spell(a), "1"] for x, a in lost]},
            "target": format_rational(THREE_QUARTERS)}


def threshold_certificate(result: Robustness):
    """(file name, certificate) of "c* == result.c" at result.x0, from the exact LP solutions
    `certify_smallest_c` found: the dual of f(c*) = 3/4 (the c claim: max M - c* B <= 3/4), and
    the box optimal at c* - delta (the c-delta claim), which lies on the face M - c* B = 3/4
    with B = beta > 0 (f is affine with slope -beta there). Raises unless the box's ratio
    (M - 3/4) / B is exactly c*, so a box off the face is never written."""
    (top, _), (mid, _) = result.certificates[:2]
    box = mid["evidence"]["primal"]
    m, b = box_values(box, result.x0)
    if b != result.beta or (m - THREE_QUARTERS) / b != result.c:
        raise CertifyError(f"x0={spell(result.x0)}: the c-delta box has B = {format_rational(b)}, "
                           f"M = {format_rational(m)}: not on the face of c* = {format_rational(result.c)}")
    x = spell(result.x0)
    statement = (f"min {{c : P(maj(a1,a2,a3) = 0 | x = {x}) <= 3/4 + c B(P) on every 5-party no-signalling "
                 f"box (no promise)}}, B the Mermin expression (lost rounds over X)")
    producer = {"dual": f"the c claim's dual (lp.ns, max M - {format_rational(result.c)} B = 3/4)",
                "box": f"the c-delta claim's primal box: B = {format_rational(b)}, M = {format_rational(m)}"}
    cert = make_certificate(f"gallego2013/robustness/x={x}/smallest-c", "lp.threshold", statement,
                            threshold_problem(result.x0), "==", result.c,
                            {"dual": top["evidence"]["dual"], "box": box}, producer)
    return f"gallego2013/robustness/x{x}_smallest-c.json", cert


def box_values(box: dict, x0) -> tuple:
    """(M, B) of a box {"x|a": "p/q"}: P(maj(a1,a2,a3) = 0 | x0) and the Mermin expression."""
    lost, m, b = game_expression(five_party_game()), Fraction(0), Fraction(0)
    for key, text in box.items():
        x, a = (tuple(int(d) for d in part) for part in key.split("|"))
        m += Fraction(text) if x == tuple(x0) and majority_zero(a) else 0
        b += Fraction(text) if lost.get((a, x)) else 0
    return m, b


def robustness_certificates(x0) -> list:
    """Family worker: [(file name, certificate)] at x0, the three "lp.ns" claims and the
    "lp.threshold" claim c* == 5/16 built from them (one solve)."""
    result = certify_smallest_c(x0)
    return [(name, cert) for cert, name in result.certificates] + [threshold_certificate(result)]


def threshold_worker(x0) -> list:
    """Family worker: [(file name, certificate)] of the "lp.threshold" claim c* == 5/16 at x0."""
    return [threshold_certificate(certify_smallest_c(x0))]


def _claim(certify, x0, c, tag, c_star):
    claim_id, statement, problem, name = robustness_claim(x0, c, tag, c_star)
    cert, value = certify(claim_id, statement, problem, "==")
    return (cert, name), value
