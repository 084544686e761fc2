"""Exact positive-semidefiniteness by fraction-free symmetric elimination (LDL^T).

Trusted. Lemma (Schur complement): for symmetric M = [[p, b^T], [b, C]]: p > 0: M >= 0 iff
C - b b^T / p >= 0;  p = 0: M >= 0 iff b = 0 and C >= 0;  p < 0: not PSD. The matrix is scaled to
integers (a positive scaling keeps PSD); after each pivot, entry (i, j) holds D_t S_ij (D_t > 0 the
product of the pivots, every division exact: Bareiss, Sylvester), so the signs of the Schur
complement S are read off integers. Work ~ n^5 (b + 8)^2 / 30 bit operations, refused above
MAX_WORK first. In full, with measurements: docs/referee-guide.md, appendix D.
"""

from certify.errors import CertifyError
from certify.kernel.format import denominator

MAX_WORK = 5 * 10**13  # n^5 (b + 8)^2; the committed maximum is 1.5e13


def scaled(matrix, where: str, spent=None) -> list:
    """The matrix times the common denominator of its entries, as integer rows, after the work bounds
    (n^5 (b + 8)^2 <= MAX_WORK: summed over the matrices of one check when they share `spent` = [work])."""
    scale = denominator((v for row in matrix for v in row), where)
    rows = [[v.numerator * (scale // v.denominator) for v in row] for row in matrix]
    bits = max((abs(v).bit_length() for row in rows for v in row), default=0)
    work = len(rows) ** 5 * (bits + 8) ** 2 + (spent[0] if spent else 0)
    if work > MAX_WORK:
        raise CertifyError(f"{where}: {len(rows)} rows of {bits}-bit scaled entries exceed the elimination "
                           f"work bound n^5 (b + 8)^2 <= {MAX_WORK:.0e}" + (" in total (work bound)" if spent else ""))
    if spent:
        spent[0] = work
    return rows


def integer_psd(rows, backend: str = "int") -> bool:
    """True iff the symmetric integer matrix (from `scaled`) is PSD, by fraction-free elimination.
    Symmetry is the caller's to guarantee (the NPA check builds Z from its upper triangle)."""
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
