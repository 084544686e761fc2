"""Solve, round and assemble Brown-Fawzi-Fawzi certificates ("vn.node", "vn.bound").

Untrusted: every certificate is re-checked by `certify.kernel.vn`. One node is the SDP
  minimise <O'>  over the real moment matrix of `certify.kernel.defs.words` (Eve's Z letters) at the problem's level,
with O' the node objective of `kernel.vn.node_objective` (BFF's objective at the rational
interval [lo, hi] around t_i). The solver maximises -<O'> (cvxpy + Clarabel, `certify.vn.face`).

Rounding: no interior direction exists (Eve's moments are unbounded without norm bounds, and
every node dual is forced singular), so `certify.rounding`'s shift cannot work; `certify.vn.face`
solves on the face the identities force and restores them exactly. The first solve here (the full
matrix) only finds that face.
"""

import math
import os
import time
from dataclasses import dataclass
from fractions import Fraction

from certify.certificate import checked, make_certificate, write
from certify.errors import CertifyError
from certify.expressions import expression_to_json, scenario_to_json
from certify.kernel.defs.scenario import Scenario, chsh
from certify.kernel.format import Reject, format_rational
from certify.kernel.vn import node_bound, node_objective, parse_relaxation
from certify.vn.face import Face, detect, whole
from certify.vn.quadrature import gauss_radau, node_intervals

LEVEL = "1+AB+AZ+BZ+ABZ"  # 45 rows for CHSH; BFF's 2+ABZ (65 rows) gives the same bound to 1e-6, 8x slower
DELTAS = (1e-7, 1e-8, 1e-6, 1e-5)  # 1e-7 passes first at most nodes (measured)


def definition(scenario, parties, inputs, constraint=None, at=None, statistics=None, level=LEVEL) -> dict:
    """The relaxation part of a vn problem (add "t" for a node, "nodes" for a bound)."""
    out = {"scenario": scenario_to_json(scenario), "level": level,
           "entropy": {"parties": list(parties), "inputs": list(inputs)}, "constraint": None}
    if constraint is not None:
        out["constraint"] = {"expression": expression_to_json(constraint), "at": format_rational(Fraction(at))}
    if statistics:
        out["statistics"] = [{"expression": expression_to_json(e), "value": format_rational(Fraction(v))}
                             for e, v in statistics]
    return out


@dataclass
class Node:
    lo: Fraction
    hi: Fraction
    evidence: dict
    bound: Fraction  # the kernel-verified lower bound on P(t), t in [lo, hi]
    primal: float  # the solver's float optimum of the shifted face SDP, as an infimum (<= the true one)
    seconds: float
    delta: float


def find_face(rel, lo: Fraction, hi: Fraction):
    """The face of the node duals (`certify.vn.face.detect`) from one solve of the full matrix;
    it is structural (the same rows die and tie at every node: measured on all nodes of the grid)."""
    first = Face(rel, whole(rel)).solve(lo, hi, 0.0)
    return None if first is None else Face(rel, detect(first[0]))


def certify_node(rel, lo: Fraction, hi: Fraction, face=None):
    """The first kernel-verified node certificate over the delta ladder, or None."""
    start = time.perf_counter()
    face = face or find_face(rel, lo, hi)
    for delta in DELTAS if face is not None else ():
        found = face.solve(lo, hi, delta)
        if found is None:
            continue
        try:
            evidence = face.exact(lo, hi, found[0], found[1], found[2])
            bound = node_bound(rel, lo, hi, evidence, "evidence", "t", "level")
        except (Reject, ArithmeticError):
            continue
        return Node(lo, hi, evidence, bound, -found[4], time.perf_counter() - start, delta)
    return None


def bff_coefficients(m: int):
    """c_i = w_i / (t_i ln 2), i < m, as floats (for reports; the kernel encloses them itself)."""
    ts, ws = gauss_radau(m)
    return [float(w / t) / math.log(2) for t, w in zip(ts[:-1], ws[:-1])]


def certify_bound(base: dict, m: int, claim_id="vn/bound", statement=None, progress=None, **extra):
    """A "vn.bound" certificate for the relaxation `base` with m Gauss-Radau nodes, or None;
    `extra` problem fields (e.g. depolarising="1/20") are passed to the kernel unchanged."""
    problem = dict(base, nodes=m, **extra)
    rel = parse_relaxation(problem, {"nodes", *extra}, "problem")
    nodes, face = [], None
    for i, (lo, hi) in enumerate(node_intervals(m)):
        face = face or find_face(rel, lo, hi)
        node = certify_node(rel, lo, hi, face) or certify_node(rel, lo, hi)
        if node is None:
            return None, nodes
        nodes.append(node)
        if progress:
            progress(i, node)
    evidence = {"nodes": [dict(n.evidence, t=[format_rational(n.lo), format_rational(n.hi)]) for n in nodes]}
    producer = {"solver": "clarabel", "deltas": [f"{n.delta:.0e}" for n in nodes],
                "float_shifted_node_infima": [f"{n.primal:.12e}" for n in nodes]}
    draft = make_certificate(claim_id, "vn.bound", "draft", problem, ">=", -1, evidence, producer)  # r >= -h(Q) >= -1
    verdict = checked(draft, "draft")
    if not verdict.ok:
        return None, nodes
    value = Fraction(math.floor(verdict.low * 10**9), 10**9)  # the exact proven sum, rounded down
    statement = statement or f"H >= {float(value):.9f} (Brown-Fawzi-Fawzi, m = {m}, level {base['level']})"
    cert = make_certificate(claim_id, "vn.bound", statement, problem, ">=", value, evidence, producer)
    return cert, nodes


def chsh_bound(s: Fraction, m: int = 8, level: str = LEVEL, progress=None):
    """(certificate, nodes) for H(A|X=0,E) given CHSH >= s, or (None, nodes) when a node fails."""
    if not Fraction(2) <= s or s * s > 8:
        raise CertifyError(f"--chsh: expected 2 <= S <= 2 sqrt 2 (the quantum range), got {float(s)}")
    base = definition(Scenario((2, 2), (2, 2)), [0], [0], chsh(), s, level=level)
    rel = parse_relaxation(dict(base, nodes=m), {"nodes"}, "problem")  # bad levels fail before solving
    node_objective(rel, Fraction(1, 2), Fraction(1, 2), f"--level {level}")
    return certify_bound(base, m, f"vn/chsh/H_A_X0_E/S={format_rational(s)}/m={m}",
                         f"H(A|X=0,E) >= value for every quantum strategy with CHSH >= {format_rational(s)} "
                         f"(Brown-Fawzi-Fawzi, m = {m}, level {level})", progress)


def global_bound(s: Fraction, m: int = 8, level: str = LEVEL, progress=None):
    """(certificate, nodes) for H(AB|X=0,Y=0,E) given CHSH >= s (BFF user guide eq. (5): one Z per
    outcome pair; 81 rows at the default level)."""
    if not Fraction(2) <= s or s * s > 8:
        raise CertifyError(f"--chsh: expected 2 <= S <= 2 sqrt 2 (the quantum range), got {float(s)}")
    base = definition(Scenario((2, 2), (2, 2)), [0, 1], [0, 0], chsh(), s, level=level)
    rel = parse_relaxation(dict(base, nodes=m), {"nodes"}, "problem")  # bad levels fail before solving
    node_objective(rel, Fraction(1, 2), Fraction(1, 2), f"--level {level}")
    return certify_bound(base, m, f"vn/chsh/H_AB_X0Y0_E/S={format_rational(s)}/m={m}",
                         f"H(AB|X=0,Y=0,E) >= value for every quantum strategy with CHSH >= {format_rational(s)} "
                         f"(Brown-Fawzi-Fawzi, m = {m}, level {level})", progress)


# (S, m) of the committed certificates: the grid at m = 8, and m = 4, 12 at S = 2.8
PROOF_POINTS = tuple((Fraction(s), 8) for s in ("11/5", "12/5", "5/2", "13/5", "27/10", "14/5", "2827/1000")) + \
    ((Fraction(14, 5), 4), (Fraction(14, 5), 12))


GLOBAL_POINTS = ((Fraction(2827, 1000), 8), (Fraction(28284, 10000), 12), (Fraction(28284, 10000), 16))


def write_proofs(folder: str = "proofs/vn", points=PROOF_POINTS, global_points=GLOBAL_POINTS, diqkd=True,
                 progress=print) -> list:
    """Produce, verify and write the vn.bound certificates (CHSH grid, global, DIQKD threshold);
    returns the file paths. The manifest is not touched (`certify reproduce` wiring is its owner's)."""
    from certify.vn.diqkd import certified_threshold
    jobs = [(f"chsh_H_A_S{float(s):.4f}_m{m}.json", lambda s=s, m=m: chsh_bound(s, m)[0]) for s, m in points]
    jobs += [(f"chsh_H_AB_S{float(s):.4f}_m{m}.json", lambda s=s, m=m: global_bound(s, m)[0]) for s, m in global_points]
    if diqkd:
        jobs.append(("diqkd_depolarising_threshold_m8.json", lambda: certified_threshold()[1]))
    paths = []
    for name, make in jobs:
        cert = make()
        verdict = None if cert is None else checked(cert, name)
        if verdict is None or not verdict.ok:
            raise RuntimeError(f"{name}: not certified")
        path = os.path.join(folder, name)
        write(cert, path)
        paths.append(path)
        if progress:
            progress(f"{path}: {cert['claim']['statement']}: {float(verdict.low):.9f}")
    return paths


def analytic_chsh(s: float) -> float:
    """1 - h(1/2 + 1/2 sqrt(S^2/4 - 1)): the tight H(A|X=0,E) given CHSH = S (Pironio et al. NJP 2009)."""
    p = 0.5 + 0.5 * math.sqrt(max(s * s / 4 - 1, 0.0))
    return 1.0 if p >= 1 else 1 + p * math.log2(p) + (1 - p) * math.log2(1 - p)
