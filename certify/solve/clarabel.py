"""Clarabel called directly on sparse conic data built from the moment structure (the default).

Untrusted. No cvxpy: the relaxation of `certify.npa.ConicData` is written in Clarabel's form

  minimise q . x  s.t.  A x + s = b,  s in K = {0}^z x R_+^l x PSD_n^blocks,

x = (y_0, .., y_{B-1}) (one moment vector per block; form "tied" appends the upper triangle
X_e[i, j] of a matrix per block, unscaled and tied to y_e by equalities, as cvxpy's symmetric
variable does: scaling the tie rows by 1/sqrt 2 instead made Clarabel stop "AlmostSolved" 3e-4
above the optimum at CHSH = 2 sqrt 2 - 1e-9, level 2, where cvxpy's model ends "Solved").
q = -g (a maximisation). Rows, in the cone order: sum_e y_e[0] = 1, then d . sum y = v (zero cone); c . sum y >= I as
-c . sum y + s = -I (nonnegative); then per block s = svec(Gamma(y_e)) (form "lmi", A = -svec F)
or s = svec(X_e) and X_e[i, j] = y_e[word] (form "tied"; the tie rows come first); form "lmi-reg" is
"lmi"'s data solved with a larger static regularisation (REGULARISED). Clarabel's PSD triangle is the
upper triangle column by column, off-diagonal entries times sqrt 2, so <svec A, svec B> =
<A, B>. Stationarity q + A^T z = 0 then reads, for every block e and word w,

  g_e[w] + <Z_e, F_w> + z_bell c[w] - z_stat . d[w] = [w = 1] z_norm,

with Z_e = smat(z_psd_e) (off-diagonals divided by sqrt 2): the certificate's identity with
nu = z_norm, lambda = z_bell >= 0 and mu = -z_stat (`Solution.mu` holds z_stat, as the cvxpy
path does; `certify.rounding` negates it). tests/unit/test_solve_clarabel.py checks both
forms against the cvxpy path.
"""

import math
import time

import numpy as np
import scipy.sparse as sp

from certify.errors import CertifyError
from certify.solve.common import FORMS, Solution, classify

# Raw `clarabel.SolverStatus` names -> certify statuses.
STATUS_MAP = {
    "Solved": "solved",
    "AlmostSolved": "inaccurate",
    "PrimalInfeasible": "infeasible",
    "AlmostPrimalInfeasible": "infeasible",
    "DualInfeasible": "unbounded",
    "AlmostDualInfeasible": "unbounded",
    "MaxIterations": "limit",
    "MaxTime": "limit",
    "NumericalError": "failed",
    "InsufficientProgress": "failed",
    "Unsolved": "failed",
    "CallbackTerminated": "failed",
}


def usable() -> bool:
    try:
        import clarabel  # noqa: F401
    except ImportError:
        return False
    return True


# One thread: certify runs one solver process per core (`reproduce --jobs`), so
# Clarabel's own threads would oversubscribe them; on the NPA sizes here its
# threaded factorisation is not faster anyway (2 cores, Mermin-4 level 2:
# 349 ms threaded, 299 ms single), and a single thread makes solves, hence the
# committed certificates, reproducible bit for bit.
THREADS = {"max_threads": 1}

# The first rung of the certification ladder (tol=None): Clarabel's default
# tolerances without iterative refinement. On NPA LMIs the refinement steps cost
# 30-45% of the solve (measured: Mermin-3 level 2 87 -> 46 ms, Mermin-4 level 2
# 541 -> 301 ms, 2 cores) and move the optimum by < 1e-8; the dense PSD block
# of the KKT system is factorised either way. The ladder's later rungs (an
# explicit tol) keep refinement on, so a point this rung leaves uncertified
# is retried at full accuracy.
FAST = {"iterative_refinement_enable": False}


# Form "lmi-reg": the "lmi" data with Clarabel's static KKT regularisation raised from its default 1e-8
# to 1e-7. Measured (issue 14, 2026-12-07, one thread, default tolerances, paired medians against "lmi"):
# it ends "Solved" on every benchmark case where "lmi" ends "AlmostSolved" 1.6e-7 .. 1.6e-4 off the
# optimum (Mermin-3 L2 +5.0e-9, Mermin-4 1+AB +6.5e-8, Mermin-4 L2 +3.6e-8, CHSH L4 -4.6e-8, CHSH L5
# -4.0e-8, Mermin-5 1+pairs+ABC +2.2e-7, where "tied" ends "AlmostSolved" +1.7e-5), in 0-3 more
# iterations: x0.99 .. x1.26 an "lmi" solve's time where "tied" takes x0.91 .. x1.69. Larger values
# (3e-7) were no more accurate and slower; a proportional term changed nothing. Not in the default
# ladder (`certify.npa.LADDER`): its duals need larger margins, so its first certificate is looser than
# "tied"'s on CHSH L2 (slack 2.3e-7 against 2.9e-8), Mermin-3 L2 and CHSH L4 (within 1e-6, but the
# committed certificates would get looser); `benchmarks/bench_ladder.py --reg-first` measures it.
REGULARISED = {"static_regularization_constant": 1e-7}


def options(tol, form="lmi"):
    extra = REGULARISED if form == "lmi-reg" else {}
    if tol is None:
        return {**THREADS, **FAST, **extra}
    return {**THREADS, "tol_gap_abs": tol, "tol_gap_rel": tol, "tol_feas": tol,
            "tol_ktratio": tol * 1e2, "max_iter": 400, **extra}


def svec_index(data):
    """(index in Clarabel's PSD triangle, scale) of each upper-triangle position of `data`."""
    rows, cols = np.asarray(data.rows), np.asarray(data.cols)
    return cols * (cols + 1) // 2 + rows, np.where(rows == cols, 1.0, math.sqrt(2.0))


def conic_form(data, at, form="lmi"):
    """(q, A, b, cones, (z rows, l rows)) of the relaxation; see the module docstring."""
    import clarabel

    blocks, nw, n = data.g.shape[0], data.n_words, data.size
    m = n * (n + 1) // 2
    width = nw + (m if form == "tied" else 0)  # columns per block
    idx, scale = svec_index(data)
    live = np.asarray(data.word) >= 0
    triplets = []  # (rows, cols, values) pieces of A

    def add(r, c, v):
        triplets.append((np.asarray(r, dtype=np.int64), np.asarray(c, dtype=np.int64), np.asarray(v, dtype=float)))

    starts = np.arange(blocks) * width
    add(np.zeros(blocks), starts, np.ones(blocks))  # row 0: sum_e y_e[0] = 1
    b = [1.0]
    row = 1
    if data.d is not None:
        for k in range(data.d.shape[0]):
            w = np.flatnonzero(data.d[k])
            add(np.full(blocks * len(w), row), (starts[:, None] + w[None, :]).ravel(), np.tile(data.d[k, w], blocks))
            b.append(float(data.v[k]))
            row += 1
    ties = form == "tied"
    if ties:
        for e in range(blocks):  # X_e[i, j] - y_e[word] = 0 (structural zeros: X_e[i, j] = 0)
            pos = np.arange(len(idx))
            add(row + pos, starts[e] + nw + idx, np.ones(len(idx)))
            add(row + pos[live], starts[e] + np.asarray(data.word)[live], -np.ones(int(live.sum())))
            row += len(idx)
            b.extend([0.0] * len(idx))
    zero_rows = row
    if data.c is not None:
        w = np.flatnonzero(data.c)
        add(np.full(blocks * len(w), row), (starts[:, None] + w[None, :]).ravel(), -np.tile(data.c[w], blocks))
        b.append(-float(at))
        row += 1
    nonneg_rows = row - zero_rows
    for e in range(blocks):
        if ties:
            add(row + idx, starts[e] + nw + idx, -scale)
        else:
            add(row + idx[live], starts[e] + np.asarray(data.word)[live], -scale[live])
        row += m
    b.extend([0.0] * (blocks * m))
    r = np.concatenate([t[0] for t in triplets])
    c = np.concatenate([t[1] for t in triplets])
    v = np.concatenate([t[2] for t in triplets])
    a = sp.csc_matrix((v, (r, c)), shape=(row, blocks * width))  # duplicates (diagonal pairs) are summed
    q = np.zeros(blocks * width)
    for e in range(blocks):
        q[starts[e]:starts[e] + nw] = -data.g[e]
    cones = [clarabel.ZeroConeT(zero_rows)]
    if nonneg_rows:
        cones.append(clarabel.NonnegativeConeT(nonneg_rows))
    cones += [clarabel.PSDTriangleConeT(n) for _ in range(blocks)]
    return q, a, np.array(b), cones, (zero_rows, nonneg_rows)


def run(data, at, tol, form="lmi"):
    import clarabel

    if form not in FORMS:
        raise CertifyError(f"solver clarabel: unknown formulation {form!r}")
    q, a, b, cones, (zero_rows, nonneg_rows) = conic_form(data, at, form)
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    for key, value in options(tol, form).items():
        setattr(settings, key, value)
    start = time.perf_counter()
    n = q.shape[0]
    solver = clarabel.DefaultSolver(sp.csc_matrix((n, n)), q, a, b, cones, settings)
    raw = solver.solve()
    seconds = time.perf_counter() - start
    status_text = str(raw.status)
    status = classify("clarabel", status_text, STATUS_MAP)
    z = np.asarray(raw.z, dtype=float)
    if status not in ("solved", "inaccurate") or not np.all(np.isfinite(z)):
        return Solution("clarabel", status, status_text, None, None, 0.0, seconds)
    size, blocks = data.size, data.g.shape[0]
    m = size * (size + 1) // 2
    iu, ju = np.triu_indices(size)
    tri = ju * (ju + 1) // 2 + iu  # Clarabel's index of upper-triangle (iu, ju), row-major order
    duals, base = [], zero_rows + nonneg_rows
    for e in range(blocks):
        piece = z[base + e * m: base + (e + 1) * m]
        mat = np.zeros((size, size))
        mat[iu, ju] = piece[tri] / np.where(iu == ju, 1.0, math.sqrt(2.0))
        mat[ju, iu] = mat[iu, ju]
        duals.append(mat)
    lam = float(z[zero_rows]) if data.c is not None else 0.0
    mu = None if data.d is None else z[1:1 + data.d.shape[0]].copy()
    x = np.asarray(raw.x, dtype=float)
    width = x.shape[0] // blocks
    moments = [x[e * width: e * width + data.n_words].copy() for e in range(blocks)]
    return Solution("clarabel", status, status_text, -float(raw.obj_val), duals, lam, seconds, mu, float(z[0]),
                    moments)
