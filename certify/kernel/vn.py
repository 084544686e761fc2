"""Claim kinds "vn.node" and "vn.bound": von Neumann entropy lower bounds (Brown-Fawzi-Fawzi).

Trusted. BFF (arXiv:2106.13692, Theorem 1, norm bounds dropped), m-point Gauss-Radau rule (t_i, w_i), t_m = 1:
  H(S|X_S = x_S, E) >= sum_{i<m} c_i (1 + P(t_i)),  c_i = w_i / (t_i ln 2),
  P(t) = inf sum_k <M_k (Z_k + Z_k^* + (1 - t) Z_k^* Z_k) + t Z_k Z_k^*>,  M_k = prod_{i in S} E^i_{k_i|x_i}.
Lemmas (in full: appendix F of docs/referee-guide.md): (node) one dual of max -O', O' with (1 - hi) and lo,
bounds P(t) on all of [lo, hi]; a bound > 0 is vacuous (Z = 0 has value 0) and refused. (clamp) P(t) >= -1,
so a term is >= c_i max(0, 1 + L_i). (nodes) t_i = (x_i + 1)/2, x_i the roots != 1 of P_{m-1} - P_m
(Legendre), c_i = 1 / (m^2 P_{m-1}(x_i)^2 ln 2); an interval where q(t) = P_{m-1}(2t-1) - P_m(2t-1) changes
sign holds one, and |P_n(x)| <= |P_n(a)| + n (n+1)/2 (b - a) on [a, b].
"""

from dataclasses import replace
from fractions import Fraction

from certify.errors import CertifyError
from certify.kernel.defs.scenario import Scenario, chsh, parse_expression
from certify.kernel.defs.words import EVE
from certify.kernel.format import Proven, Reject, brief, field, only, parse_int, parse_rational, rationals, sized
from certify.kernel.intervals import down, ln2_interval, log2_interval
from certify.kernel.npa import NpaProblem, index_words, parse_problem, tangent_of

chsh_scenario = Scenario((2, 2), (2, 2))
MAX_NODES = 16  # worst case: 15 node matrices, each within the PSD work bound of `psd` (a hostile file:
# 15 x ~3 s; the committed 81-row global bounds need ~4e13 per node, so no tighter per-file bound fits)
MAX_T_BITS = 512  # node endpoints: committed <= 101 bits; 4000 digits took 22 s in `legendre` (Fraction
# denominators 16 x 13,000 bits, a gcd per step; red team session 22)
Relaxation = NpaProblem  # blocks empty; eve: the M_k


def parse_relaxation(problem, extra: set, where: str) -> Relaxation:
    """The real relaxation with Eve's letters (`defs.words`), its constraint and statistics."""
    return parse_problem(problem, where, entropy=True, more=extra)


def node_objective(rel: Relaxation, lo: Fraction, hi: Fraction, where: str) -> dict:
    """{entry index: coefficient} of O' = sum_k M_k (Z_k + Z_k^* + (1 - hi) Z_k^* Z_k) + lo Z_k Z_k^*."""
    terms = {}
    for k, m_k in enumerate(rel.eve):
        z, zs = (EVE, 0, k), (EVE, 1, k)
        for device, coef in m_k.items():
            for tail, weight in (((z,), 1), ((zs,), 1), ((zs, z), 1 - hi)):
                terms[device + tail] = terms.get(device + tail, 0) + coef * weight
        terms[(z, zs)] = terms.get((z, zs), 0) + lo
    return index_words(terms, {w: k for k, w in enumerate(rel.structure.words)}, where)


def node_bound(rel: Relaxation, lo: Fraction, hi: Fraction, evidence, where: str, t_at: str, level_at: str) -> Fraction:
    """L with P(t) >= L for all t in [lo, hi] (lemma (node))."""
    if not 0 < lo <= hi <= 1:
        raise CertifyError(f"{t_at}: expected 0 < lo <= hi <= 1, got [{brief(lo)}, {brief(hi)}]")
    goal = {k: -v for k, v in node_objective(rel, lo, hi, f"{level_at} (node objective)").items()}
    nu, lam = tangent_of(replace(rel, blocks=(goal,)), evidence, where)
    bound = (lam * rel.at if rel.at is not None else 0) - nu
    if bound > 0:
        raise Reject(f"{where}: node bound {brief(bound)} > 0 proves the constraints infeasible (vacuous)")
    return bound


def _t(obj, where: str):
    return tuple(rationals(obj, "t", 2, where))


def check_node(problem, relation, value, evidence, where: str) -> Proven:
    at = f"{where}.claim.problem"
    rel, (lo, hi) = parse_relaxation(problem, {"t"}, at), _t(problem, at)
    return Proven(low=node_bound(rel, lo, hi, evidence, f"{where}.evidence", f"{at}.t", f"{at}.level"))


def legendre(n: int, x: Fraction):
    """(P_{n-1}(x), P_n(x)) exactly, by Bonnet's recursion (k+1) P_{k+1} = (2k+1) x P_k - k P_{k-1}."""
    before, now = Fraction(1), Fraction(x)
    for k in range(1, n):
        before, now = now, ((2 * k + 1) * x * now - k * before) / (k + 1)
    return before, now


def check_bound(problem, relation, value, evidence, where: str) -> Proven:
    """The BFF sum; with "depolarising": Q, the DIQKD rate H(A|X=0,E) - h(Q) of CHSH devices with
    CHSH = 2 sqrt 2 (1 - 2Q) (checked: the constraint is CHSH >= S with S <= 2 sqrt 2 (1 - 2Q),
    i.e. S^2 <= 8 (1 - 2Q)^2, so those devices meet it; and no statistics, which they need not meet: red team,
    session 23), h(Q) = H(A|B) enclosed from above."""
    at = f"{where}.claim.problem"
    rel = parse_relaxation(problem, {"nodes", "depolarising"}, at)
    noise = parse_rational(problem["depolarising"], f"{at}.depolarising") if "depolarising" in problem else None
    if noise is not None and (not 0 <= noise < Fraction(1, 2) or problem["entropy"] != {"parties": [0], "inputs": [0]}
                              or rel.constraint is None or rel.scenario != chsh_scenario or rel.statistics
                              or parse_expression(problem["constraint"]["expression"], rel.scenario, at) != chsh()):
        raise CertifyError(f"{at}.depolarising: expected 0 <= Q < 1/2, H(A|X=0,E), the CHSH constraint, no statistics")
    if noise is not None and not (0 <= rel.at and rel.at ** 2 <= 8 * (1 - 2 * noise) ** 2):
        raise Reject(f"{at}.constraint.at: {brief(rel.at)} exceeds 2 sqrt 2 (1 - 2Q) at Q = {brief(noise)}")
    total = sum((c * max(Fraction(0), 1 + node_bound(rel, lo, hi, dual, spot, f"{spot}.t", f"{at}.level"))
                 for dual, lo, hi, spot, c in gauss_radau(problem, evidence, at, f"{where}.evidence")), Fraction(0))
    if noise:  # h(Q) <= -Q lo(log2 Q) - (1-Q) lo(log2 (1-Q)), as log2 < 0 there
        total += noise * log2_interval(noise)[0] + (1 - noise) * log2_interval(1 - noise)[0]
    return Proven(low=down(total, 96))  # rounded down: a readable, still proven, lower bound


def gauss_radau(problem, evidence, at: str, where: str) -> list:
    """[(node dual, lo, hi, where, c_lo <= c_i)] of the m - 1 node certificates of {"nodes": [...]}, after
    checking, before any dual, that the [lo, hi] are the next Gauss-Radau node intervals (lemma (nodes))."""
    m = parse_int(field(problem, "nodes", int, at), f"{at}.nodes", 2, MAX_NODES)
    nodes = sized(field(only(evidence, {"nodes"}, where), "nodes", list, where), m - 1, f"{where}.nodes",
                  "node certificates")
    q = lambda t: (lambda p: p[0] - p[1])(legendre(m, 2 * t - 1))
    out, last, ln2_hi = [], Fraction(0), ln2_interval()[1]
    for i, node in enumerate(nodes):
        spot = f"{where}.nodes[{i}]"
        lo, hi = _t(node, spot)
        if max(lo.denominator, hi.denominator).bit_length() > MAX_T_BITS:  # before `legendre` (work bound)
            raise CertifyError(f"{spot}.t: a denominator exceeds {MAX_T_BITS} bits (work bound)")
        if not last < lo <= hi < 1 or q(lo) * q(hi) > 0:
            raise Reject(f"{spot}.t: [{brief(lo)}, {brief(hi)}] is not the next Gauss-Radau node interval "
                         f"(0 < lo <= hi < 1 above the previous one, q(lo) q(hi) <= 0)")
        top = abs(legendre(m - 1, 2 * lo - 1)[1]) + Fraction((m - 1) * m, 2) * 2 * (hi - lo)  # >= |P_{m-1}(x_i)|
        out.append(({key: node[key] for key in node if key != "t"}, lo, hi, spot, 1 / (m * m * ln2_hi * top * top)))
        last = hi
    return out
