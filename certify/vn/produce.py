"""Solve, round and assemble Brown-Fawzi-Fawzi certificates ("vn.node", "vn.bound").

Untrusted: every certificate is re-checked by `certify.kernel.vn`. One node is the SDP
  minimise <O'>  over the real moment matrix of `certify.kernel.defs.bff` at the problem's level,
with O' the node objective of `kernel.vn.node_objective` (BFF's objective at the rational
interval [lo, hi] around t_i). The solver maximises -<O'> (`certify.solve`, cvxpy + Clarabel).

Rounding (no interior direction exists here: Eve's moments are unbounded without norm bounds,
so the `certify.rounding` trick of adding delta Z0 has no Z0). Instead:
 1. solve once; rows whose dual diagonal is ~0 (< 1e-4 of the largest; measured: 1e-8..1e-6
    against >= 0.05 for the others) are "dead": every dual of the node vanishes there (their
    diagonal word has no objective weight, e.g. Z_0 for H(A|X=0,E)), so they are set to 0 exactly;
 2. solve again with the objective lowered by delta * (trace of the live rows): its dual plus
    delta * I_live satisfies the true identities with a margin delta of positive definiteness
    on the live rows, at a cost delta * tr_live(Gamma) in the bound;
 3. round to k / 10^12, restore each word identity exactly over the word's live positions (the
    orthogonal projection, as in `certify.rounding`), set nu from the identity of the empty word,
    and let the kernel decide (exact LDL^T).
"""

import math
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from certify.certificate import checked, make_certificate
from certify.expressions import expression_to_json, scenario_to_json
from certify.kernel.defs.moment_matrix import ZERO
from certify.kernel.format import Reject, format_rational
from certify.kernel.vn import node_bound, node_objective, parse_relaxation
from certify.npa import ConicData
from certify.solve import solve
from certify.vn.face import Face, detect
from certify.vn.quadrature import gauss_radau, node_intervals

LEVEL = "1+AB+AZ+BZ+ABZ"  # 45 rows for CHSH; BFF's 2+ABZ (65 rows) gives the same bound to 1e-6, 8x slower
DENOMINATOR = 10**12
DELTAS = (1e-8, 1e-7, 1e-6, 1e-5)
DEAD = 1e-4


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


def conic_data(rel, lo: Fraction, hi: Fraction, live=None, delta: float = 0.0):
    """(data, rows): max -<O'> (+ delta * trace) on the principal submatrix of the `live` rows
    (all rows by default) as `certify.npa.ConicData`, words renumbered; `rows` maps back."""
    st = rel.structure
    rows = [i for i in range(st.size) if live is None or live[i]]
    n = len(rows)
    iu, ju = np.triu_indices(n)
    full = [st.entry[rows[i]][rows[j]] for i, j in zip(iu, ju)]
    used = sorted({w for w in full if w != ZERO})
    index = {w: k for k, w in enumerate(used)}
    word = np.array([index.get(w, -1) for w in full], dtype=int)

    def vector(coefficients, where):
        out = np.zeros(len(used))
        for k, v in coefficients.items():
            if k not in index:
                if v:
                    raise ValueError(f"{where}: a word outside the live rows has weight {float(v)}")
                continue
            out[index[k]] = float(v)
        return out

    g = -vector(node_objective(rel, lo, hi, "objective"), "objective")[None, :]
    diag = np.zeros(len(used))
    for i in range(n):
        diag[index[st.entry[rows[i]][rows[i]]]] += 1
    g = g + delta * diag[None, :]
    c = None if rel.constraint is None else vector(rel.constraint, "constraint")
    d = v = None
    if rel.statistics:
        d = np.array([vector(expr, "statistics") for expr, _ in rel.statistics])
        v = np.array([float(value) for _, value in rel.statistics])
    return ConicData(n, len(used), iu, ju, word, g, c, diag, d, v), rows


def embed(z, rows, size: int):
    """The dual of the live submatrix as a full matrix, zero on the dead rows."""
    out = np.zeros((size, size))
    out[np.ix_(rows, rows)] = z
    return out


def polish(rel, lo, hi, z, lam, mu, live, delta: float, rounds: int = 60):
    """Alternating projections in floats: the word identities (over live positions, lambda and mu
    as given) and eigenvalues >= delta / 2 on the live rows, so that the exact restoration after
    rounding moves the matrix by far less than its margin."""
    st = rel.structure
    rows = np.flatnonzero(live)
    m = {k: lam * float(v) for k, v in (rel.constraint or {}).items()} if rel.constraint is not None else {}
    for mk, (dk, _) in zip([-float(x) for x in mu] if rel.statistics else [], rel.statistics):
        for k, v in dk.items():
            m[k] = m.get(k, 0.0) + mk * float(v)
    g = {k: -float(v) for k, v in node_objective(rel, lo, hi, "objective").items()}
    groups = {}
    for a, i in enumerate(rows):
        for j in rows[a:]:
            w = st.entry[i][j]
            if w not in (ZERO, 0):
                groups.setdefault(w, []).append((i, j))
    index = {w: (np.array([p[0] for p in ps]), np.array([p[1] for p in ps]),
                 np.array([1.0 if p[0] == p[1] else 2.0 for p in ps])) for w, ps in groups.items()}
    for _ in range(rounds):
        for w, (ii, jj, mult) in index.items():
            residual = g.get(w, 0.0) + m.get(w, 0.0) + float(mult @ z[ii, jj])
            z[ii, jj] -= residual / mult.sum()
            z[jj, ii] = z[ii, jj]
        block = z[np.ix_(rows, rows)]
        vals, vecs = np.linalg.eigh(block)
        if vals.min() >= delta / 2:
            break
        z[np.ix_(rows, rows)] = (vecs * np.maximum(vals, delta / 2)) @ vecs.T
    return z


def round_node(rel, lo, hi, z, lam, mu, live, delta: float) -> dict:
    """Evidence {"nu", "lambda", "Z"(, "mu")} from the shifted solve's float dual z."""
    st, n = rel.structure, rel.structure.size
    z = polish(rel, lo, hi, np.array(z, dtype=float) + delta * np.diag(live.astype(float)), lam, mu, live, delta)
    q = [[Fraction(round(float(z[i][j]) * DENOMINATOR), DENOMINATOR)
          if live[i] and live[j] else Fraction(0) for j in range(n)] for i in range(n)]
    lam_q = Fraction(0) if rel.constraint is None else max(Fraction(0), Fraction(round(lam * DENOMINATOR), DENOMINATOR))
    mu_q = [Fraction(round(-float(x) * DENOMINATOR), DENOMINATOR) for x in mu] if rel.statistics else []
    m = {k: lam_q * v for k, v in (rel.constraint or {}).items()}
    for mk, (dk, _) in zip(mu_q, rel.statistics):
        for k, v in dk.items():
            m[k] = m.get(k, 0) + mk * v
    g = {k: -v for k, v in node_objective(rel, lo, hi, "objective").items()}
    support = [[] for _ in st.words]
    for i in range(n):
        for j in range(i, n):
            if st.entry[i][j] != ZERO and live[i] and live[j]:
                support[st.entry[i][j]].append((i, j))
    for k in range(1, len(st.words)):
        residual = g.get(k, 0) + m.get(k, 0) + sum(q[i][j] * (1 if i == j else 2) for i, j in support[k])
        if residual and support[k]:
            shift = residual / sum(1 if i == j else 2 for i, j in support[k])
            for i, j in support[k]:
                q[i][j] -= shift
                q[j][i] = q[i][j]
    nu = g.get(0, 0) + q[0][0] + m.get(0, 0)
    out = {"nu": format_rational(nu), "lambda": format_rational(lam_q),
           "Z": [[[format_rational(q[i][j]) for j in range(i, n)] for i in range(n)]]}
    if rel.statistics:
        out["mu"] = [format_rational(x) for x in mu_q]
    return out


@dataclass
class Node:
    lo: Fraction
    hi: Fraction
    evidence: dict
    bound: Fraction  # the kernel-verified lower bound on P(t), t in [lo, hi]
    primal: float  # the solver's float infimum (unshifted)
    seconds: float
    delta: float


def certify_node(rel, lo: Fraction, hi: Fraction, solver=None):
    """The first kernel-verified node certificate over the delta ladder (`certify.vn.face`), or None."""
    start = time.perf_counter()
    at = None if rel.at is None else float(rel.at)
    first = solve(conic_data(rel, lo, hi)[0], at, solver, None)
    if first.duals is None or first.primal is None:
        return None
    face = Face(rel, detect(np.asarray(first.duals[0])))
    for delta in DELTAS:
        found = face.solve(lo, hi, delta)
        if found is None:
            continue
        try:
            evidence = face.exact(lo, hi, found[0], found[1], found[2])
            bound = node_bound(rel, lo, hi, evidence, "evidence", "t", "level")
        except (Reject, ArithmeticError):
            continue
        return Node(lo, hi, evidence, bound, -first.primal, time.perf_counter() - start, delta)
    return None


def bff_coefficients(m: int):
    """c_i = w_i / (t_i ln 2), i < m, as floats (for reports; the kernel encloses them itself)."""
    ts, ws = gauss_radau(m)
    return [float(w / t) / math.log(2) for t, w in zip(ts[:-1], ws[:-1])]


def certify_bound(base: dict, m: int, solver=None, claim_id="vn/bound", statement=None, progress=None):
    """A "vn.bound" certificate for the relaxation `base` with m Gauss-Radau nodes, or None."""
    problem = dict(base, nodes=m)
    rel = parse_relaxation(problem, {"nodes"}, "problem")
    nodes = []
    for i, (lo, hi) in enumerate(node_intervals(m)):
        node = certify_node(rel, lo, hi, solver)
        if node is None:
            return None, nodes
        nodes.append(node)
        if progress:
            progress(i, node)
    evidence = {"nodes": [dict(n.evidence, t=[format_rational(n.lo), format_rational(n.hi)]) for n in nodes]}
    producer = {"solver": solver or "clarabel", "deltas": [f"{n.delta:.0e}" for n in nodes],
                "float_node_infima": [f"{n.primal:.12e}" for n in nodes]}
    draft = make_certificate(claim_id, "vn.bound", "draft", problem, ">=", 0, evidence, producer)
    verdict = checked(draft, "draft")
    if not verdict.ok:
        return None, nodes
    value = Fraction(math.floor(verdict.low * 10**9), 10**9)  # the exact proven sum, rounded down
    statement = statement or f"H >= {float(value):.9f} (Brown-Fawzi-Fawzi, m = {m}, level {base['level']})"
    cert = make_certificate(claim_id, "vn.bound", statement, problem, ">=", value, evidence, producer)
    return cert, nodes


def analytic_chsh(s: float) -> float:
    """1 - h(1/2 + 1/2 sqrt(S^2/4 - 1)): the tight H(A|X=0,E) given CHSH = S (Pironio et al. NJP 2009)."""
    p = 0.5 + 0.5 * math.sqrt(max(s * s / 4 - 1, 0.0))
    return 1.0 if p >= 1 else 1 + p * math.log2(p) + (1 - p) * math.log2(1 - p)
