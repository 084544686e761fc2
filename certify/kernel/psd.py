"""Exact positive-semidefiniteness: fraction-free symmetric elimination (LDL^T), or a checked factor hint.

Trusted. Lemma (Schur complement): for symmetric M = [[p, b^T], [b, C]]: p > 0: M >= 0 iff
C - b b^T / p >= 0;  p = 0: M >= 0 iff b = 0 and C >= 0;  p < 0: not PSD. The matrix is scaled to
integers (a positive scaling keeps PSD); after each pivot, entry (i, j) holds D_t S_ij (D_t > 0 the
product of the pivots, every division exact: Bareiss, Sylvester), so the signs of the Schur
complement S are read off integers. Work ~ n^5 (b + 8)^2 / 30 bit operations, refused above
MAX_WORK first. In full, with measurements: docs/referee-guide.md, appendix D.
Hint lemma (`dominant`): if R = Z - L L^T has R_ii >= sum_{j != i} |R_ij| for every i, then Z =
L L^T + R is PSD: x^T L L^T x = |L^T x|^2 >= 0 and x^T R x >= sum_{i<j} |R_ij| (|x_i| - |x_j|)^2 >= 0.
Sufficient only (a PSD Z may fail it); it costs ~n^3 small products instead of n^5 large ones.
"""

from math import ceil, log2, sqrt
from operator import mul

from certify.errors import CertifyError
from certify.kernel.format import denominator

GUESS = 16  # rows from which `_guess` goes first (13 rows: 0.3 ms either way; 41: 4 ms, not 15)
MAX_WORK = 5 * 10**13  # n^5 (b + 8)^2; the committed maximum is 1.5e13
HINT_COST = 200  # a hint's work n^3 (k + 64)^2 + n^2 (m + 2 k + 64)^2 counts 200 times: <= 0.4 s at the bound


def _integers(matrix, where):
    """(common denominator, integer rows, bits of the largest entry) of a list of rational rows."""
    scale = denominator((v for row in matrix for v in row), where)
    rows = [[v.numerator * (scale // v.denominator) for v in row] for row in matrix]
    return scale, rows, max((abs(v).bit_length() for row in rows for v in row), default=0)


def _charge(work, spent, message):
    """Refuse `work` (plus the `spent` = [work] of the same check's other matrices) above MAX_WORK."""
    work += spent[0] if spent else 0
    if work > MAX_WORK:
        raise CertifyError(f"{message} <= {MAX_WORK:.0e}" + (" in total (work bound)" if spent else ""))
    if spent:
        spent[0] = work


def scaled(matrix, where: str, spent=None, with_scale: bool = False):
    """The matrix times its entries' common denominator (first `with_scale`) as integer rows, after the work bound."""
    scale, rows, bits = _integers(matrix, where)
    _charge(len(rows) ** 5 * (bits + 8) ** 2, spent, f"{where}: {len(rows)} rows of {bits}-bit scaled entries "
            "exceed the elimination work bound n^5 (b + 8)^2")
    return (scale, rows) if with_scale else rows


def hint_size(n: int, where: str):
    """Refuse, before a hint is parsed, a size whose least hint work (1-bit entries) exceeds the bound."""
    _charge(HINT_COST * n ** 3 * 64 ** 2, None, f"{where}: a {n}-row hint exceeds the hint work bound at 1 bit")


def hinted(matrix, factor, where: str, spent=None) -> tuple:
    """(D, M, q, K): Z = M / D and L = K / q in integers, after the hint's work bound (same budget as `scaled`)."""
    (d, m, bits_m), (q, k, bits_k) = _integers(matrix, where), _integers(factor, f"{where} hint")
    n, bits_m = len(m), bits_m + d.bit_length() + 2 * q.bit_length()
    _charge(HINT_COST * (n ** 3 * (bits_k + 64) ** 2 + n ** 2 * (bits_m + 2 * bits_k + 64) ** 2), spent,
            f"{where}: a {n}-row hint of {bits_k}-bit entries ({bits_m}-bit Z) exceeds the hint work bound "
            f"{HINT_COST} (n^3 (k + 64)^2 + n^2 (m + 2 k + 64)^2)")
    return d, m, q, k


def dominant(prepared, backend: str = "int") -> bool:
    """True iff R = Z - L L^T (from `hinted`) is diagonally dominant with R_ii >= 0 (the hint lemma), in
    integers: D q^2 R = q^2 M - D K K^T, D q^2 > 0. Symmetry of Z is the caller's to guarantee."""
    d, m, q, k = prepared
    n, qq = len(m), q * q
    if backend == "flint":  # optional accelerator: the same products (any other backend: Python ints)
        import flint
        square = flint.fmpz_mat([row + [0] * (n - len(row)) for row in k])
        square = square * square.transpose()
        gram = [[int(square[i, j]) for j in range(i + 1)] for i in range(n)]
    else:
        gram = [[sum(map(mul, k[i], k[j])) for j in range(i + 1)] for i in range(n)]  # zip stops at j + 1
    r = [[qq * m[i][j] - d * gram[i][j] for j in range(i + 1)] for i in range(n)]
    off = [sum(map(abs, r[i][:i])) + sum(abs(r[j][i]) for j in range(i + 1, n)) for i in range(n)]  # j != i
    return all(r[i][i] >= off[i] for i in range(n))


def integer_psd(rows, backend: str = "int") -> bool:
    """True iff the symmetric integer matrix (from `scaled`) is PSD: by the hint lemma on a float-guessed factor (a
    pass proves it whatever the floats did), else by fraction-free elimination. Symmetry is the caller's to
    guarantee (the NPA check builds Z from its upper triangle)."""
    if len(rows) >= GUESS and _guess(rows, backend):
        return True
    if backend == "flint":  # optional accelerator, same algorithm (any other backend: Python ints)
        import flint
        rows = [[flint.fmpz(v) for v in row] for row in rows]
    alive, previous = list(range(len(rows))), 1
    while alive:
        k = alive.pop(0)
        pivot = rows[k][k]
        if pivot < 0:
            return False
        if pivot == 0:
            if any(rows[k][j] != 0 for j in alive):
                return False
            continue  # zero row of the Schur complement: drop it
        row_k = rows[k]
        for pos, i in enumerate(alive):  # alive increases: update j >= i, mirror to (j, i)
            rik, row_i = row_k[i], rows[i]
            for j in alive[pos:]:
                # exact: D_{t+1} S'_ij = (p S_ij - S_ik S_kj) D_t / D_t
                row_i[j] = (pivot * row_i[j] - rik * row_k[j]) // previous
                rows[j][i] = row_i[j]
        previous = pivot
    return True


def _guess(rows, backend: str) -> bool:
    """`dominant` on a guessed L: the float Cholesky factor of Z - s I rounded to 2^-k, s = p/4, p/32, ... (p the
    least pivot of Z's, >= its least eigenvalue) until the factorisation succeeds. Floats only choose L."""
    n, e = len(rows), max(max(map(abs, row)) for row in rows).bit_length() - 60
    a = [[float(v >> e if e > 0 else v) for v in row] for row in rows]  # Z / 2^max(e, 0): 60 bits suffice
    top, chol = max(a[i][i] for i in range(n)), _cholesky(a, 0.0)  # all finite (`_cholesky`): nothing raises
    for shift in [min(row[-1] for row in chol) ** 2 / 4 / 8 ** t for t in range(4 if chol else 0)]:
        if shift > 64 * n * top * 2.0 ** -52 and (chol := _cholesky(a, shift)):  # s above the float errors
            k = max(0, ceil(log2(4 * n * n * sqrt(top) / shift)))  # R = s I + < n^2 sqrt(top) 2^-k per row
            return dominant((1 << max(e, 0), rows, 1 << k, [[round(v * 2.0**k) for v in r] for r in chol]), backend)
    return False


def _cholesky(a, shift):
    """Lower rows of the float Cholesky factor of a - shift I (finite: an infinity or NaN ends at a pivot), or None."""
    out = []
    for i, row in enumerate(a):
        li = []
        for j in range(i):
            li.append((row[j] - sum(map(mul, li, out[j]))) / out[j][j])
        if not (p := row[i] - shift - sum(map(mul, li, li))) > 0:
            return None
        out.append(li + [sqrt(p)])
    return out
