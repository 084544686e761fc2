"""From a float dual solution to an exact NPA certificate (spec section 4).

Untrusted: whatever this produces is checked by `certify.kernel.npa`.
Steps, per block e:
 1. Z_e + eps * identity, rounded to rationals with denominator `denominator`
    (the shift buys a margin of positive definiteness for step 3);
 2. each word identity g_e[w] + <Z_e, F_w> + lambda c[w] = 0 (w != 1) is restored
    exactly by subtracting residual / |F_w| from every entry of Z_e in the
    support of F_w (|F_w| counts off-diagonal pairs twice). The supports are
    disjoint, so this is the orthogonal projection onto the affine space of
    exact identities and one word's fix never disturbs another;
 3. nu = max_e (g_e[1] + Z_e[0,0] + lambda c[1]); blocks below the max get the
    difference added at Z_e[0,0] (F_1 = e_0 e_0^T, and raising a diagonal
    entry keeps a PSD matrix PSD).
lambda is the solver's Bell-constraint dual, rounded and clipped at 0.
"""

from fractions import Fraction

from certify.kernel.format import format_rational


def round_certificate(npa, duals, lam: float, eps: float, denominator: int) -> dict:
    """Evidence {"nu", "lambda", "Z"} (strings) from float duals; exact identities hold."""
    st = npa.structure
    n = st.size
    lam_q = Fraction(0)
    if npa.constraint is not None:
        lam_q = max(Fraction(0), Fraction(round(lam * denominator), denominator))
    c = npa.constraint or {}
    blocks, tops = [], []
    for g, z in zip(npa.blocks, duals):
        q = [[Fraction(round((z[i][j] + (eps if i == j else 0.0)) * denominator), denominator)
              if j >= i else None for j in range(n)] for i in range(n)]
        _restore_identities(q, st, g, c, lam_q)
        tops.append(g.get(0, 0) + q[0][0] + lam_q * c.get(0, 0))
        blocks.append(q)
    nu = max(tops)
    for q, top in zip(blocks, tops):
        q[0][0] += nu - top
    return {"nu": format_rational(nu), "lambda": format_rational(lam_q),
            "Z": [[[format_rational(q[i][j]) for j in range(i, n)] for i in range(n)] for q in blocks]}


def _restore_identities(q, st, g, c, lam_q):
    for k in range(1, len(st.words)):
        support = st.supports[k]
        inner = sum((q[i][j] if i == j else 2 * q[i][j]) for i, j in support)
        residual = g.get(k, 0) + inner + lam_q * c.get(k, 0)
        if residual:
            weight = sum(1 if i == j else 2 for i, j in support)
            shift = residual / weight
            for i, j in support:
                q[i][j] -= shift
