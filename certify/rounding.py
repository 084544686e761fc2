"""From a float dual solution to an exact NPA certificate (spec section 4).

Untrusted: whatever this produces is checked by `certify.kernel.npa`.
Per block e:
 1. round Z_e to rationals with a fixed denominator;
 2. restore each word identity g_e[w] + <Z_e, F_w> + lambda c[w] = 0 (w != 1)
    exactly by subtracting residual / |F_w| from every entry of Z_e in the
    support of F_w (|F_w| counts off-diagonal pairs twice). The supports are
    disjoint, so this is the orthogonal projection onto the affine space of
    exact identities and one word's fix never disturbs another;
 3. add delta * Z0, where Z0 ~ I + (dual of max tr Gamma) satisfies
    <Z0, F_w> = 0 for all w != 1 exactly (`interior_direction`). Adding it keeps
    every identity and buys a margin ~delta of positive definiteness, which
    absorbs the rounding and projection errors; it costs delta * Z0[0,0]
    (= delta * max tr Gamma) in the bound. This is the spec's "add a small
    multiple of the identity", made compatible with the exact identities;
 4. nu = max_e (g_e[1] + Z_e[0,0] + lambda c[1]); blocks below the max get the
    difference added at Z_e[0,0] (F_1 = e_0 e_0^T, and raising a diagonal
    entry keeps a PSD matrix PSD).
lambda is the solver's Bell-constraint dual, rounded and clipped at 0.
The margin delta may differ per block (`assemble`): `float_margin` reads the smallest delta_e
with Q_e + delta_e Z0 >= 0 off the float spectrum (a generalised eigenvalue), so each block pays
only what its own rounding error needs. Floats only choose delta_e; the kernel decides.
"""

from fractions import Fraction
from math import gcd

import numpy as np

from certify.kernel.format import format_rational
from certify.supports import supports


def rational_matrix(z, denominator: int):
    """Upper triangle of the float matrix z rounded to k / denominator (None below)."""
    n = len(z)
    return [[Fraction(round(float(z[i][j]) * denominator), denominator) if j >= i else None
             for j in range(n)] for i in range(n)]


def restore_identities(q, structure, g: dict, m: dict):
    """Make g[w] + <q, F_w> + m[w] = 0 exact for every word w != 1, in place
    (m: the multipliers' part, lambda c[w] + sum_k mu_k d_k[w])."""
    for k in range(1, len(structure.words)):
        support = supports(structure)[k]
        inner = sum((q[i][j] if i == j else 2 * q[i][j]) for i, j in support)
        residual = g.get(k, 0) + inner + m.get(k, 0)
        if residual:
            shift = residual / sum(1 if i == j else 2 for i, j in support)
            for i, j in support:
                q[i][j] -= shift


def rounded_restored(z, denominator: int, structure, g: dict, m: dict):
    """`rational_matrix` then `restore_identities`, the same exact rationals, computed in integers:
    each entry stays k / denominator until its word's single shift is known (one Fraction per word
    and one per entry instead of a Fraction sum per word and a subtraction per entry)."""
    n = len(z)
    # round(x * denominator) of each entry: np.rint rounds half to even as round() does, on the same
    # float products; int() of the rounded float is exact
    ints = [[int(v) for v in row] for row in np.rint(np.asarray(z, dtype=float) * denominator).tolist()]
    out = [[None] * n for _ in range(n)]
    sup = supports(structure)
    for k in range(1, len(structure.words)):
        support = sup[k]
        if not support:
            continue
        total = sum((ints[i][j] if i == j else 2 * ints[i][j]) for i, j in support)
        known = g.get(k, 0) + m.get(k, 0)
        # residual / |F_w| = (known + total / denominator) / count, reduced in integers (the Fraction it was)
        a = known.numerator * denominator + total * known.denominator
        if a:
            b = known.denominator * denominator * sum(1 if i == j else 2 for i, j in support)
            common = gcd(a, b)
            a, b = a // common, b // common
            ad, db = a * denominator, denominator * b
            for i, j in support:
                out[i][j] = Fraction(ints[i][j] * b - ad, db)
    for i in range(n):
        row, irow = out[i], ints[i]
        for j in range(i, n):
            if row[j] is None:
                row[j] = Fraction(irow[j], denominator)
    return out


def interior_direction(structure, trace_dual, denominator: int = 10**6):
    """Z0 = I + round(Z'), with Z' the float dual of max tr Gamma: <Z0, F_w> = 0 for w != 1."""
    n = structure.size
    diag = {}
    for i in range(n):
        k = structure.entry[i][i]
        diag[k] = diag.get(k, 0) + 1
    q = rounded_restored(trace_dual, denominator, structure, diag, {})
    for i in range(n):
        q[i][i] += 1
    return q


def round_certificate(npa, duals, lam: float, denominator: int, z0=None, delta=Fraction(0), mu=None) -> dict:
    """Evidence {"nu", "lambda", "Z"} (+ "mu" with statistics, strings) from float duals;
    `delta` is one margin for every block or a sequence of one per block."""
    rounded = round_duals(npa, duals, lam, denominator, mu)
    deltas = list(delta) if isinstance(delta, (list, tuple)) else [delta] * len(npa.blocks)
    return assemble(npa, rounded, z0, deltas)


def round_duals(npa, duals, lam: float, denominator: int, mu=None):
    """Steps 1-2 for every block, before any margin: (blocks, lambda, [mu_k], m).

    The multipliers are rounded first and folded into one vector
    m[w] = lambda c[w] + sum_k mu_k d_k[w] (mu_k of any sign), so the identities
    g_e[w] + <Z_e, F_w> + m[w] = [w = 1] nu are restored exactly as in step 2.
    """
    lam_q = Fraction(0)
    if npa.constraint is not None:
        lam_q = max(Fraction(0), Fraction(round(lam * denominator), denominator))
    m = {k: lam_q * v for k, v in (npa.constraint or {}).items()}
    mu_q = []
    if npa.statistics:
        # cvxpy's equality dual for a maximisation enters the identity with a minus sign
        # (pinned by tests/unit/test_npa.py::test_statistics_dual_sign_convention)
        mu_q = [Fraction(round(-float(x) * denominator), denominator) for x in mu]
        for mu_k, (d, _) in zip(mu_q, npa.statistics):
            for k, v in d.items():
                m[k] = m.get(k, 0) + mu_k * v
    blocks = []
    for g, z in zip(npa.blocks, duals):
        blocks.append(rounded_restored(z, denominator, npa.structure, g, m))
    return blocks, lam_q, mu_q, m


def assemble(npa, rounded, z0, deltas) -> dict:
    """Steps 3-4: Z_e = Q_e + delta_e Z0, then nu and the [0, 0] top-ups; the evidence dict. Each entry is
    spelled straight from integers (`_spelled_sum`); only Z_e[0, 0] stays a Fraction until nu is known."""
    blocks, lam_q, mu_q, m = rounded
    spelled, corners, tops = [], [], []
    for g, q, delta in zip(npa.blocks, blocks, deltas):
        if z0 is not None and delta:
            spelled.append([_spelled_sum(row[i:], delta, zrow[i:]) for i, (row, zrow) in enumerate(zip(q, z0))])
            corners.append(q[0][0] + delta * z0[0][0])
        else:
            spelled.append([[_spelled(v) for v in row[i:]] for i, row in enumerate(q)])
            corners.append(q[0][0])
        tops.append(g.get(0, 0) + corners[-1] + m.get(0, 0))
    nu = max(tops)
    for rows, corner, top in zip(spelled, corners, tops):
        rows[0][0] = _spelled(corner + (nu - top))
    out = {"nu": format_rational(nu), "lambda": format_rational(lam_q), "Z": spelled}
    if npa.statistics:
        out["mu"] = [format_rational(mu_k) for mu_k in mu_q]
    return out


def _spelled_sum(row, delta: Fraction, zrow) -> list:
    """`format_rational` of row[j] + delta * zrow[j] for each j, reduced once in integers (no Fraction):
    the same rational as the Fraction expression, so the same canonical spelling."""
    dn, dd = delta.numerator, delta.denominator
    out = []
    for a, z in zip(row, zrow):
        scale = dd * z.denominator
        num, den = a.numerator * scale + dn * z.numerator * a.denominator, a.denominator * scale
        common = gcd(num, den)  # den > 0: common > 0 and the sign stays on the numerator
        out.append(str(num // common) if den == common else f"{num // common}/{den // common}")
    return out


def _spelled(value) -> str:
    """`format_rational` of a Fraction (or int), without its copy."""
    if type(value) is not Fraction:
        return format_rational(value)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def float_matrix(q):
    """A full float copy of an upper-triangle rational matrix (None below the diagonal)."""
    n = len(q)
    out = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            out[i, j] = out[j, i] = float(q[i][j])
    return out


def whitener(z0):
    """L^-1 with Z0 = L L^T (float Cholesky), or None when Z0 is not (numerically) positive definite."""
    try:
        return np.linalg.inv(np.linalg.cholesky(float_matrix(z0)))
    except np.linalg.LinAlgError:
        return None


def float_margin(q, w) -> float:
    """-lambda_min(L^-1 Q L^-T) = the least t with Q + t Z0 >= 0, in floats (w = L^-1)."""
    m = w @ float_matrix(q) @ w.T
    return -float(np.linalg.eigvalsh((m + m.T) / 2)[0])


def psd_hint(z, most_bits: int = 120):
    """A factor hint for the kernel's `psd.dominant` (untrusted): lower-triangle rows of a rational L with
    Z - L L^T diagonally dominant, or None. L is the float Cholesky factor of Z - s I (s = half the least
    eigenvalue, so that Z - s I stays positive definite in floats), rounded to a common denominator 2^k;
    k grows until the exact residual R = Z - L L^T is dominant (the rounding error of L L^T must fit in s).
    Costs two float factorisations and a few exact n^3 products of small integers."""
    from certify.errors import CertifyError
    from certify.kernel.psd import dominant, hinted

    full = float_matrix(z)
    n = len(full)
    least = float(np.linalg.eigvalsh(full)[0])
    if not least > 0:
        return None
    try:
        chol = np.linalg.cholesky(full - (least / 2) * np.eye(n))
    except np.linalg.LinAlgError:
        return None
    matrix = [[Fraction(z[min(i, j)][max(i, j)]) for j in range(n)] for i in range(n)]
    top = float(np.abs(chol).max())
    bits = max(8, int(np.ceil(np.log2(max(n * top / (least / 2), 2.0)))) + 4)  # rounding error ~ n^2 top / 2^k
    while bits <= most_bits:
        factor = [[Fraction(round(chol[i, j] * 2.0**bits), 2**bits) for j in range(i + 1)] for i in range(n)]
        try:
            if dominant(hinted(matrix, factor, "psd_hint")):
                return factor
        except CertifyError:  # past the kernel's hint work bound: no hint that it would check
            return None
        bits += 8
    return None


def add_psd_hints(npa, evidence: dict) -> dict:
    """`evidence` unchanged when the kernel's exact elimination of its Z blocks is within the work bound
    (`kernel.psd.scaled`), so every certificate that verifies without a hint stays byte-identical; otherwise
    the evidence plus "psd_hint" (one `psd_hint` per block), or unchanged when some block has none or the hints
    would exceed the kernel's hint work bound (the kernel then refuses it as before, with the elimination's
    reason). The kernel uses only the hint when one is present."""
    from certify.errors import CertifyError
    from certify.kernel.npa import parse_evidence
    from certify.kernel.psd import hint_size, hinted, scaled

    mats = parse_evidence(evidence, npa, "evidence")[4]
    spent = [0]
    try:
        for z in mats:
            scaled(z, "evidence", spent)
        return evidence
    except CertifyError as err:
        if "work bound" not in str(err):
            raise
    try:
        hint_size(len(mats[0]), "evidence")
        factors = [psd_hint([row[:] for row in z]) for z in mats]
        if any(factor is None for factor in factors):
            return evidence
        spent = [0]
        for z, factor in zip(mats, factors):  # the kernel's hint budget, summed over the blocks
            hinted(z, factor, "evidence", spent)
    except CertifyError as err:
        if "work bound" not in str(err):
            raise
        return evidence
    return {**evidence, "psd_hint": [[[format_rational(v) for v in row] for row in factor] for factor in factors]}
