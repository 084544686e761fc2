"""Exact node duals on the face the identities force (untrusted; the kernel re-checks everything).

Why: every dual of a BFF node is singular along known directions. A row whose diagonal word has
no weight is dead (Zd e_p = 0, e.g. Z_0 for H(A|X=0,E)); and with Collins-Gisin letters
M_last = 1 - sum_b E_b, rows (u Z_k, A0 u Z_k) carry only the rank-one form of
M_k Z_k^* Z_k, so Zd (e_p + s e_q) = 0 (measured: |Zd v| ~ 1e-4 against ~2 for the other sign;
a proof: the identities of Z_k^* Z_k and A0 Z_k^* Z_k pin that 2x2 block to c [[1,-1],[-1,1]]).
No margin exists, so `certify.rounding`'s shift cannot work. Instead the dual is parametrised
on the face, Zd = S^T W S (S keeps the independent rows R, maps a tied row p to -s times its
partner q, drops dead rows), and:
 1. the SDP is solved in W: max -<O'> + delta tr(S Gamma S^T) s.t. S Gamma S^T >= 0 (its dual
    plus delta I satisfies the identities with a margin delta inside the face);
 2. W is rounded, then the identities are restored exactly: words with a private entry of W
    (one that feeds no other word) through it; the few others by an exact linear solve first;
 3. Zd = S^T W S is exact, PSD when W is, and singular exactly where it must be.
"""

import warnings
from fractions import Fraction

import cvxpy as cp
import numpy as np
import scipy.sparse as sp
import sympy

from certify.kernel.defs.words import ZERO
from certify.kernel.format import format_rational
from certify.kernel.vn import node_objective

DEAD = 1e-4
TIED = 1e-3
DENOMINATOR = 2**40  # powers of two: with 10^12 the corrections made 128-bit common denominators (81 rows)


def whole(rel) -> dict:
    """The trivial face: every row independent (the full moment matrix)."""
    return {i: (i, 1) for i in range(rel.structure.size)}


def detect(z, tied: float = TIED, dead: float = DEAD):
    """{row: (independent row, sign)} for the live rows of a float dual z (dead rows absent)."""
    n, scale = len(z), float(np.abs(z).max())
    diag = np.diag(z)
    live = [i for i in range(n) if i == 0 or diag[i] > dead * diag.max()]
    face = {i: (i, 1) for i in live}
    for a in live:
        for b in live:
            if b <= a or face[a][0] != a or face[b][0] != b:
                continue
            for s in (1, -1):
                if np.linalg.norm(z[:, a] + s * z[:, b]) < tied * scale:
                    face[b] = (a, -s)  # column b = -s column a, i.e. Zd (e_a + s e_b) = 0 ... as b -> a
                    break
    return face


class Face:
    """The parametrisation Zd = S^T W S of a relaxation's dual, and the identity system in W."""

    def __init__(self, rel, face: dict):
        self.rel, self.face = rel, face
        self.rows = sorted({a for a, _ in face.values()})
        self.at = {r: k for k, r in enumerate(self.rows)}
        st = rel.structure
        self.coef = {}  # word -> {(a, b) W entry, a <= b: coefficient in <S^T W S, F_w>}
        for i in face:
            for j in face:
                if j < i or st.entry[i][j] == ZERO:
                    continue
                (a, si), (b, sj) = face[i], face[j]
                e = (min(self.at[a], self.at[b]), max(self.at[a], self.at[b]))
                mult = 1 if i == j else 2
                row = self.coef.setdefault(st.entry[i][j], {})
                row[e] = row.get(e, 0) + mult * si * sj
        self.coef = {word: {e: c for e, c in row.items() if c} for word, row in self.coef.items()}
        self.words = sorted(self.coef)

    def solve(self, lo, hi, delta: float, **options):
        """(W + delta I, lambda, mu, raw status, float optimum of max -<O'>) from the SDP in W
        coordinates (Clarabel through cvxpy, one thread), or None."""
        rel, n, words = self.rel, len(self.rows), self.words
        col = {w: k for k, w in enumerate(words)}
        rr, cc, vv = [], [], []
        for w, row in self.coef.items():
            for (a, b), v in row.items():
                weight = v if a == b else v / 2  # <W, G> with G symmetric: both triangles share v
                for x, y in {(a, b), (b, a)}:
                    rr.append(x * n + y)
                    cc.append(col[w])
                    vv.append(weight)
        lmi = sp.csr_matrix((vv, (rr, cc)), shape=(n * n, len(words)))
        y = cp.Variable(len(words))
        gram = cp.reshape(lmi @ y, (n, n), order="C")
        goal = np.zeros(len(words))
        for k, v in node_objective(rel, lo, hi, "objective").items():
            if k in col:
                goal[col[k]] = -float(v)
            elif v:
                return None
        psd = (gram + gram.T) / 2 >> 0
        cons = [psd, y[col[0]] == 1]
        bell = stats = None
        if rel.constraint is not None:
            bell = sum(float(v) * y[col[k]] for k, v in rel.constraint.items()) >= float(rel.at)
            cons.append(bell)
        if rel.statistics:
            stats = [sum(float(v) * y[col[k]] for k, v in d.items()) == float(value) for d, value in rel.statistics]
            cons += stats
        problem = cp.Problem(cp.Maximize(goal @ y + delta * cp.trace(gram)), cons)
        try:
            with warnings.catch_warnings():  # an inaccurate solve is fine: the kernel decides
                warnings.simplefilter("ignore")
                problem.solve(solver="CLARABEL", max_threads=1, **options)
        except cp.error.SolverError:
            return None
        if psd.dual_value is None:
            return None
        lam = float(bell.dual_value) if bell is not None else 0.0
        mu = [-float(s.dual_value) for s in stats] if stats else []
        return np.asarray(psd.dual_value) + delta * np.eye(n), lam, mu, problem.status, problem.value

    def exact(self, lo, hi, w_float, lam: float, mu) -> dict:
        """Evidence {"nu", "lambda", "Z"(, "mu")}: W rounded, identities restored exactly, Zd = S^T W S."""
        rel = self.rel
        rnd = lambda x: Fraction(round(float(x) * DENOMINATOR), DENOMINATOR)
        lam_q = Fraction(0) if rel.constraint is None else max(Fraction(0), rnd(lam))
        mu_q = [rnd(x) for x in mu]
        target = {k: -v for k, v in node_objective(rel, lo, hi, "objective").items()}  # -g' is the max objective
        for k, v in (rel.constraint or {}).items():
            target[k] = target.get(k, 0) + lam_q * v
        for m_k, (d, _) in zip(mu_q, rel.statistics):
            for k, v in d.items():
                target[k] = target.get(k, 0) + m_k * v
        n = len(self.rows)
        w = {(a, b): rnd(w_float[a][b]) for a in range(n) for b in range(a, n)}
        users = {}
        for word, row in self.coef.items():
            for e in row:
                users.setdefault(e, set()).add(word)
        private = {word: next((e for e in row if users[e] == {word}), None) for word, row in self.coef.items()}
        residual = lambda word: target.get(word, 0) + sum(c * w[e] for e, c in self.coef[word].items())
        hard = [word for word in self.words if word != 0 and private[word] is None]
        if hard:
            entries = sorted({e for word in hard for e in self.coef[word]})
            a = sympy.Matrix([[self.coef[word].get(e, 0) for e in entries] for word in hard])
            r = sympy.Matrix([-residual(word) for word in hard])
            # a basic solution (free entries 0): its denominators divide a minor of the 0/+-1/+-2
            # matrix a, where the minimum-norm a^T (a a^T)^-1 r made 130-bit ones (measured)
            delta, params = a.gauss_jordan_solve(r)
            delta = delta.subs({p: 0 for p in params})
            for e, d in zip(entries, delta):
                d = sympy.Rational(d)
                w[e] += Fraction(int(d.p), int(d.q))
        for word in self.words:
            if word != 0 and private[word] is not None:
                e = private[word]
                w[e] -= residual(word) / self.coef[word][e]
        for word in self.words:
            if word != 0 and residual(word) != 0:
                raise ArithmeticError(f"identity of word {word} not restored")
        size = rel.structure.size
        z = [[Fraction(0)] * size for _ in range(size)]
        for i, (a, si) in self.face.items():
            for j, (b, sj) in self.face.items():
                ka, kb = sorted((self.at[a], self.at[b]))
                z[i][j] = si * sj * w[(ka, kb)]
        nu = target.get(0, 0) + z[0][0]
        out = {"nu": format_rational(nu), "lambda": format_rational(lam_q),
               "Z": [[[format_rational(z[i][j]) for j in range(i, size)] for i in range(size)]]}
        if rel.statistics:
            out["mu"] = [format_rational(x) for x in mu_q]
        return out
