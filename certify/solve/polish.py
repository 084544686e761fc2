"""Dual polishing: the high-precision step of the certification ladder (issue 14 item 4).

Untrusted; floats only choose the certificate, the kernel decides.

Why a certificate is looser than the float optimum. An interior-point solver stops with dual
matrices Z_e that are positive definite but satisfy the word identities

  r_e[w] = g_e[w] + <Z_e, F_w> + lambda c[w] - z_stat . d[w] = 0   (w != identity)

only to its feasibility tolerance (measured: 5e-8 .. 2e-7 on I3322 level 3, "AlmostSolved").
`certify.rounding` restores them exactly by the Frobenius-orthogonal projection: a correction
spread evenly over each word's support, which has components along Z's smallest eigenvectors
(eigenvalues ~1e-9 there: the directions complementary to the moment matrix) and makes Z
indefinite by about |r|. The margin that repairs that costs delta * max tr Gamma in the bound:
4e-6 at I3322 level 3 (88 rows), 2e-8 .. 1e-7 on the Pironio curve.

The polish. Correct Z inside its own Dikin ellipsoid instead: the least-norm correction in the
metric of Z,

  E_e = Z_e A*(alpha_e) Z_e,   A(E_e) = -r_e,   i.e.   M_e alpha_e = -r_e,
  M_e[v, w] = <F_v, Z_e F_w Z_e>   (the Schur complement matrix of an interior-point step),

has ||Z^-1/2 E Z^-1/2||_F^2 = alpha . M alpha = -r . alpha; when that is < 1, Z + E is still
positive definite (Z + E = Z^1/2 (I + Z^-1/2 E Z^-1/2) Z^1/2). Its small eigenvalues shrink in
proportion, they do not go negative: the correction lives where Z has room. A longer
correction is taken in damped steps (each step's Z is the next step's metric). Two or three
steps bring the residuals to ~1e-15, below the rounding grid (1e-12): then the exact projection
of `certify.rounding` moves Z by ~1e-12 only, and the margin (if any) is ~1e-11.

Two things no correction inside the ellipsoid can do (`polish` has the details): the residual's
part along each block's moment vector y_e is out of reach (for E on Z's face <Gamma(y_e), E> = 0)
and is fitted with the scalars nu, lambda and the statistics' multipliers, which moves the bound
to about the primal value plus the solver's complementarity gap <X, Z>; and that gap itself,
which `on_face` removes by dropping the eigen-directions of Z where the moment matrix dominates
(Z on its optimal face). Measured: the Pironio curves within 1e-8 of the float curve at 169 of
171 grid points of [2.05, 2.8] (worst 1.5e-8; 2e-8 .. 1e-7 before); I3322 level 3 3.9e-7 above
its float optimum (4.0e-6 before).

Why not an extended-precision solver. `sdpa-multiprecision` (SDPA-GMP on PyPI) forms an
m x m Schur complement of m ~ 10^3 words with n^2-sized GMP products every iteration: hours at
I3322 level 3 (88 rows, 868 words); Clarabel's generic-precision core is not exposed to Python.
A Schur-complement primal-dual method in doubles (HKM direction, Mehrotra) was written and tried
here first: it stalled at a gap of 5e-9 at CHSH level 2 (the normal matrix's conditioning), no
better than Clarabel, and was dropped. What limits the certificates is not the precision of a
double but where the solver stops; the dual can be finished in doubles.
"""

from dataclasses import replace

import numpy as np
import scipy.sparse as sp

STEPS = 6  # damped Dikin steps at most
RADIUS = 0.5  # a step's length in Z's own metric: Z + E keeps >= 1/2 of each eigenvalue
CUTOFF = 1e-13  # relative eigenvalue cutoff of the Schur matrix
SCALAR_RCOND = 1e-6  # relative singular-value cutoff of the scalars' least squares
SCALAR_CAP = 100.0  # a scalar step longer than this times the residual it cancels is refused
STALL = 0.9  # a step that leaves more than this fraction of the residual ends the polish
STOP = 1e-15  # residual (max |r|, relative to max |g| and 1) below which polishing stops


def word_basis(data):
    """F as a sparse (n*n, n_words) 0/1 matrix: column w is vec(F_w), row-major."""
    n = data.size
    rows, cols, word = (np.asarray(a) for a in (data.rows, data.cols, data.word))
    live = word >= 0
    pos = np.concatenate([rows[live] * n + cols[live], (cols[live] * n + rows[live])[rows[live] != cols[live]]])
    words = np.concatenate([word[live], word[live][rows[live] != cols[live]]])
    return sp.csc_matrix((np.ones(len(pos)), (pos, words)), shape=(n * n, data.n_words))


def multipliers(data, lam, z_stat):
    """m[w] = lambda c[w] - z_stat . d[w]: the multipliers' part of every identity."""
    m = np.zeros(data.n_words)
    if data.c is not None:
        m += lam * data.c
    if data.d is not None and z_stat is not None:
        m -= np.asarray(z_stat, dtype=float) @ data.d
    return m


def residuals(basis, z, g, m, nu):
    """r[w] = g[w] + <Z, F_w> + m[w] - [w = identity] nu for every word."""
    r = g + basis.T @ z.ravel() + m
    r[0] -= nu
    return r


def scalar_columns(data, free_lam):
    """d r / d (nu, lambda, z_stat_1..K): the same for every block."""
    cols = [-np.eye(data.n_words)[0]]
    if free_lam:
        cols.append(data.c)
    if data.d is not None:
        cols.extend(-data.d)
    return np.stack(cols, axis=1)


def on_face(z, x, ratio=1.0):
    """Z without its eigen-directions where the moment matrix X dominates (v' X v >= ratio v' Z v).

    At an interior-point iterate every eigenpair of Z has a partner in X with x_i z_i ~ mu; at
    the optimum (strict complementarity) one of the two vanishes. Dropping Z's vanishing part puts
    Z on its optimal face, orthogonal to X's range: then <X, Z> = 0 and the scalars that step (1)
    of `polish` fits give the dual value equal to the primal one, not the primal plus the solver's
    complementarity gap (1e-8 at G(2.7), level 2; 1e-6 at I3322 level 3, "tied"). Where the
    spectrum is blurred (I3322: no gap between the pairs) a larger `ratio` drops only the clear
    cases: measured there, ratio 1 drops 34 directions and the bound is 1.6e-5 above the primal,
    ratio 1000 drops 20 and it is 5.8e-7 above."""
    vals, vecs = np.linalg.eigh(z)
    keep = face_mask(vals, vecs, x, ratio)
    return (vecs[:, keep] * vals[keep]) @ vecs[:, keep].T


def face_mask(vals, vecs, x, ratio):
    """The eigen-directions of Z (vals, vecs from eigh) that `on_face` keeps at this ratio."""
    xq = np.einsum("ij,ik,kj->j", vecs, x, vecs)
    return ratio * vals > xq


def face_signature(data, sol, face):
    """Which eigen-directions of each block's Z `on_face` keeps at ratio `face` (a tuple of bytes), or
    None without moments: two ratios with one signature polish to the same duals, so
    `certify.npa.refinements` polishes once (measured: ratios 1 and 1000 keep the same directions
    on every Mermin case and at CHSH level 4; they differ on I3322 level 3)."""
    if getattr(sol, "moments", None) is None or sol.duals is None or not face:
        return None
    basis, n = word_basis(data), data.size
    out = []
    for z, y in zip(sol.duals, sol.moments):
        z = (np.asarray(z, dtype=float) + np.asarray(z, dtype=float).T) / 2
        vals, vecs = np.linalg.eigh(z)
        out.append(face_mask(vals, vecs, (basis @ np.asarray(y, dtype=float)).reshape(n, n), face).tobytes())
    return tuple(out)


def polish(data, sol, steps=STEPS, face=1.0, cutoff=CUTOFF):
    """A copy of `sol` whose duals meet every word identity to ~1e-15 and stay positive definite
    (up to what no correction inside Z's ellipsoid can reach), or None without duals.

    Each step: (1) the part of the residual along each block's moment vector y_e (from
    `Solution.moments`) cannot be reached from inside the ellipsoid at a near-optimal Z (for E
    on Z's face <Gamma(y_e), E> = 0, so y_e . A(E) = 0): it is cancelled by the scalars nu,
    lambda and the statistics' multipliers, by least squares over the blocks. Summed over the
    blocks it is (primal value) - (dual value) + sum_e <X_e, Z_e>, so the polished bound is the
    float optimum plus the solver's complementarity gap, whatever its feasibility residuals were;
    (2) the rest by the Dikin correction. Without (1), measured at G(2.7), level 2, where two of
    the four blocks have eigenvalues ~1e-10, the residual stalls at 5e-9. Without moments (the
    cvxpy adapters) step (1) is skipped and nu is pinned. `face`: the `on_face` ratio, or None for
    no face; `cutoff`: the Schur matrix's relative eigenvalue cutoff (CUTOFF; a smaller one reaches
    Z's flatter directions, measured: 1e-15 certifies G(2.1446), level 2, 1.3e-9 below the float
    optimum where 1e-13 leaves a margin of 5.5e-8 x max tr Gamma)."""
    if sol.duals is None:
        return None
    n, nw = data.size, data.n_words
    basis = word_basis(data)
    dense = basis.T.toarray().reshape(nw, n, n)
    lam = max(float(sol.lam), 0.0)
    z_stat = None if sol.mu is None else np.asarray(sol.mu, dtype=float).copy()
    zs = [(np.asarray(z, dtype=float) + np.asarray(z, dtype=float).T) / 2 for z in sol.duals]
    m = multipliers(data, lam, z_stat)
    tops = [float(g[0] + z[0, 0] + m[0]) for g, z in zip(data.g, zs)]
    nu = sol.nu if sol.nu is not None and np.isfinite(sol.nu) else float(np.mean(tops))
    free_lam = data.c is not None and lam > 0
    cols = scalar_columns(data, free_lam)
    scale = max(1.0, float(np.abs(data.g).max()))
    moments = None
    if getattr(sol, "moments", None) is not None:
        moments = [np.asarray(y, dtype=float) for y in sol.moments]
    if moments is not None and face:
        zs = [on_face(z, (basis @ y).reshape(n, n), face) for z, y in zip(zs, moments)]
    worst = np.inf
    for _ in range(steps):
        m = multipliers(data, lam, z_stat)
        r = [residuals(basis, z, g, m, nu) for g, z in zip(data.g, zs)]
        size = max(np.abs(x).max() for x in r)
        if size <= STOP * scale or size > STALL * worst:
            break  # done, or stalled (what is left goes to the exact projection and the margin)
        worst = size
        if moments is not None:
            live = [(y, res) for y, res in zip(moments, r) if abs(y[0]) > 1e-9]
            if live:
                a = np.stack([y @ cols / np.linalg.norm(y) for y, _ in live])
                rhs = np.array([-(y @ res) / np.linalg.norm(y) for y, res in live])
                # rcond: along nu = I lambda (the bound unchanged) two blocks can barely tell the
                # scalars apart; the cap refuses a step the moment directions cannot explain
                step = np.linalg.lstsq(a, rhs, rcond=SCALAR_RCOND)[0]
                if np.abs(step).max() <= SCALAR_CAP * max(np.abs(rhs).max(), STOP * scale):
                    nu += step[0]
                    k = 1
                    if free_lam:
                        lam = max(lam + step[k], 0.0)
                        k += 1
                    if z_stat is not None:
                        z_stat = z_stat + step[k:]
                    m = multipliers(data, lam, z_stat)
                    r = [residuals(basis, z, g, m, nu) for g, z in zip(data.g, zs)]
        for e, (z, res) in enumerate(zip(zs, r)):
            w = z @ dense @ z  # Z F_w Z, (nw, n, n)
            schur = basis.T @ w.reshape(nw, n * n).T  # M[v, w] = <F_v, Z F_w Z>
            vals, vecs = np.linalg.eigh((schur + schur.T) / 2)
            # M is as ill-conditioned as Z squared: below the cutoff a direction is out of reach
            keep = vals > cutoff * vals[-1]
            alpha = -(vecs[:, keep] @ ((vecs[:, keep].T @ res) / vals[keep]))
            length = float(np.sqrt(max(-res @ alpha, 0.0)))
            t = 1.0 if length <= RADIUS else RADIUS / length
            z = z + t * np.tensordot(alpha, w, axes=1)
            zs[e] = (z + z.T) / 2
    return replace(sol, duals=zs, lam=lam, mu=z_stat, nu=nu)

