import random
from fractions import Fraction as F

import pytest

from certify.kernel.psd import integer_psd, scaled


def is_psd(matrix, backend="int", where="matrix"):
    """The kernel's PSD decision as the NPA check runs it: work bounds (`scaled`), then elimination."""
    return integer_psd(scaled(matrix, where), backend)


def ldl_fraction(matrix) -> bool:
    """Reference: the same decision by plain Fraction LDL^T (slow, obvious)."""
    s = [[F(v) for v in row] for row in matrix]
    n = len(s)
    for k in range(n):
        p = s[k][k]
        if p < 0:
            return False
        if p == 0:
            if any(s[k][j] != 0 for j in range(k + 1, n)):
                return False
            continue
        for i in range(k + 1, n):
            factor = s[i][k] / p
            if factor:
                for j in range(k + 1, n):
                    s[i][j] -= factor * s[k][j]
    return True



def m(rows):
    return [[F(v) for v in row] for row in rows]


CASES = [
    (m([[1, 0], [0, 1]]), True),
    (m([[1, 2], [2, 1]]), False),
    (m([[0, 0], [0, 1]]), True),  # zero pivot, zero column: skipped
    (m([[0, 1], [1, 1]]), False),  # zero pivot, nonzero column
    (m([[1, 1], [1, 1]]), True),  # singular PSD
    (m([[F(1, 3), F(1, 3), 0], [F(1, 3), F(1, 3), 0], [0, 0, -F(1, 10**30)]]), False),
    (m([[2, -1, 0], [-1, 2, -1], [0, -1, 2]]), True),
    (m([[1, 1, 1], [1, 1, 1], [1, 1, F(999999, 10**6)]]), False),
]


@pytest.mark.parametrize("backend", ["int", "flint"])
@pytest.mark.parametrize("matrix,expected", CASES)
def test_known_matrices(matrix, expected, backend):
    assert is_psd([row[:] for row in matrix], backend) is expected
    assert ldl_fraction(matrix) is expected


def _gram(rng, n, rank):
    vecs = [[F(rng.randint(-9, 9), rng.randint(1, 9)) for _ in range(rank)] for _ in range(n)]
    return [[sum(a * b for a, b in zip(u, v)) for v in vecs] for u in vecs]


def test_backends_agree_on_random_matrices():
    rng = random.Random(7)
    for trial in range(200):
        n = rng.randint(1, 7)
        g = _gram(rng, n, rng.randint(0, n))
        if trial % 2:  # push one eigenvalue a little negative (or not)
            i = rng.randrange(n)
            g[i][i] -= F(rng.randint(0, 3), 1000)
        expected = ldl_fraction(g)
        assert is_psd([r[:] for r in g], "int") is expected
        assert is_psd([r[:] for r in g], "flint") is expected


def test_low_rank_grams_are_psd():
    rng = random.Random(3)
    for _ in range(50):
        g = _gram(rng, 6, 2)
        assert is_psd(g) and ldl_fraction(g)


def test_huge_common_denominator_is_refused_not_decided():
    from certify.errors import CertifyError
    from certify.kernel.format import MAX_SCALE_BITS

    big = F(1, 3 ** 700)  # about 1110 bits each; two coprime ones pass the cap together
    matrix = [[big, F(0)], [F(0), F(1, 5 ** 500)]]
    assert MAX_SCALE_BITS < (3 ** 700 * 5 ** 500).bit_length()
    with pytest.raises(CertifyError, match="work bound"):
        is_psd(matrix)


def test_committed_certificates_verify_with_the_pure_integer_backend(monkeypatch):
    # The flint path is an accelerator: forcing pure Python integers gives the same verdicts.
    import json
    from pathlib import Path

    from certify.kernel import check_certificate

    monkeypatch.setenv("CERTIFY_PSD_BACKEND", "int")
    root = Path(__file__).resolve().parents[2] / "proofs"
    for name in ("gallego2013/quantum/x10000_level2+ABC.json", "pironio2010/bits/table1-level-3.json"):
        verdict = check_certificate(json.loads((root / name).read_text()), name)
        assert verdict.ok, verdict.reason


def test_elimination_work_bound_matches_the_cost():
    """n^5 (b + 8)^2 bounds Bareiss' work: 30 rows of 4000-bit entries (11 s with ints) are refused
    before any elimination; the committed maximum (69 rows of 88 bits) is within the bound."""
    from certify.errors import CertifyError
    from certify.kernel.psd import MAX_WORK, scaled

    big = [[F(2 ** 3999 + i) if i == j else F(0) for j in range(30)] for i in range(30)]
    with pytest.raises(CertifyError, match=r"m: 30 rows of 4000-bit scaled entries exceed the elimination work"):
        is_psd(big, "int", "m")
    assert 69 ** 5 * (88 + 8) ** 2 < MAX_WORK / 3
    assert scaled([[F(1, 3), F(1, 6)], [F(1, 6), F(1, 3)]], "m") == [[2, 1], [1, 2]]
