"""Exact positive-semidefiniteness by symmetric elimination (LDL^T).

Trusted. Lemma (Schur complement): for a symmetric M = [[p, b^T], [b, C]],
  - if p > 0:  M >= 0  iff  C - b b^T / p >= 0;
  - if p = 0:  M >= 0  iff  b = 0 and C >= 0  (a PSD matrix with a zero
    diagonal entry has a zero row: take v = t e_1 - e_j, v^T M v = -2 t b_j + C_jj);
  - if p < 0:  M is not PSD (e_1^T M e_1 < 0).
Applied n times this decides PSD exactly, with no tolerance.

The matrix is first scaled by the common denominator of its entries (a positive scaling
keeps the PSD property), and the elimination runs fraction-free (Bareiss): after
eliminating the pivots k_1..k_t, entry (i, j) holds D_t * S_ij, where S is the Schur
complement and D_t > 0 the product of the pivots so far (a principal minor), and every
division is exact (Sylvester's identity). Signs and zero tests of S are therefore read off
the integers. Indices whose pivot and remaining row are zero are skipped (case p = 0).
The integers are Python ints ("int") or python-flint fmpz ("flint", optional, faster on
large entries); tests/unit/test_psd.py compares both with a textbook Fraction LDL^T.
"""

from math import lcm

from certify.errors import CertifyError

# Work bound: a file of huge (cancelling) denominators or numerators could make even a
# small elimination take minutes; committed certificates need at most ~150 bits.
MAX_SCALE_BITS = 2048


def is_psd(matrix, backend: str = "int", where: str = "matrix") -> bool:
    """True iff the symmetric rational matrix (a square list of lists of Fractions) is PSD.
    Symmetry is the caller's to guarantee (the NPA check builds Z from its upper triangle);
    a common denominator over MAX_SCALE_BITS bits is refused (CertifyError), not decided."""
    scale = 1
    for row in matrix:
        for value in row:
            scale = lcm(scale, value.denominator)
        if scale.bit_length() > MAX_SCALE_BITS:
            raise CertifyError(f"{where}: common denominator exceeds {MAX_SCALE_BITS} bits (work bound)")
    rows = [[v.numerator * (scale // v.denominator) for v in row] for row in matrix]
    if max((abs(v).bit_length() for row in rows for v in row), default=0) > 2 * MAX_SCALE_BITS:
        raise CertifyError(f"{where}: scaled entries exceed {2 * MAX_SCALE_BITS} bits (work bound)")
    if backend == "flint":
        import flint  # optional accelerator, same algorithm
        rows = [[flint.fmpz(v) for v in row] for row in rows]
    elif backend != "int":
        raise ValueError(f"unknown PSD backend {backend!r}")
    return _bareiss_psd(rows)


def _bareiss_psd(rows) -> bool:
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
        for i in alive:
            rik, row_i = row_k[i], rows[i]
            for j in alive:
                if j >= i:
                    # exact: D_{t+1} S'_ij = (p S_ij - S_ik S_kj) D_t / D_t
                    row_i[j] = (pivot * row_i[j] - rik * row_k[j]) // previous
                    rows[j][i] = row_i[j]
        previous = pivot
    return True
