"""The cvxpy model of an NPA relaxation (shared by the solver adapters).

Untrusted. One moment vector y_e per block, the linear matrix inequality
Gamma(y_e) = sum_w y_e[w] F_w >> 0 (zero entries are structurally 0),
sum_e y_e[0] = 1, c . sum_e y_e >= I and d . sum_e y_e = v. The dual of "Gamma(y_e) >> 0" is the
PSD matrix Z_e of the certificate: with cvxpy's sign convention for a
maximisation, g_e + <Z_e, F_w> + lambda c = [w = 1] nu (checked in
tests/unit/test_npa.py); the dual of the Bell constraint is lambda >= 0.
Working in y (not a matrix variable tied to y by equalities) keeps the
interior-point system small and its duals accurate to ~1e-10.
"""

from dataclasses import dataclass

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from certify.errors import CertifyError
from certify.solve.common import FORMS


@dataclass
class Model:
    problem: object
    psd: list  # the "Gamma(y_e) >> 0" constraints
    bell: object  # the "c . y >= I" constraint, or None
    stats: object = None  # the "d . y = v" constraints (one vector constraint), or None


def lmi_matrix(data):
    """Sparse (n*n, n_words) matrix F with vec(Gamma(y)) = F @ y, row-major."""
    n = data.size
    rows = np.concatenate([data.rows * n + data.cols, data.cols * n + data.rows])
    words = np.concatenate([data.word, data.word])
    live = words >= 0
    # a diagonal position appears twice above; keep each (row, word) pair once
    pairs = np.unique(np.stack([rows[live], words[live]]), axis=1)
    return sp.csr_matrix((np.ones(pairs.shape[1]), (pairs[0], pairs[1])), shape=(n * n, data.n_words))


def build(data, at=None, form="lmi") -> Model:
    """form "lmi": Gamma(y) >> 0; form "tied": X >> 0 with X's entries tied to y.

    The two are the same relaxation; interior-point solvers reach different
    accuracies on them (near CHSH = 2 sqrt 2 "tied" often does better), so
    the certification ladder tries both. Form "lmi-reg" is the "lmi" model (its regularisation is a
    Clarabel setting, `certify.solve.clarabel.options`; other solvers solve it as "lmi").
    """
    if form not in FORMS:
        raise CertifyError(f"solver: unknown formulation {form!r}")
    form = "lmi" if form == "lmi-reg" else form
    n, nw = data.size, data.n_words
    ys, psd, cons = [], [], []
    for _ in range(data.g.shape[0]):
        y = cp.Variable(nw)
        if form == "lmi":
            psd.append(cp.reshape(lmi_matrix(data) @ y, (n, n), order="C") >> 0)
        else:
            x = cp.Variable((n, n), symmetric=True)
            psd.append(x >> 0)
            pick, tie = _tie_matrices(data)
            cons.append(pick @ cp.vec(x, order="C") == tie @ y)
        ys.append(y)
    cons.append(sum(y[0] for y in ys) == 1)
    bell = None
    if data.c is not None:
        bell = data.c @ sum(ys) >= float(at)
        cons.append(bell)
    stats = None
    if data.d is not None:
        stats = data.d @ sum(ys) == data.v
        cons.append(stats)
    objective = cp.Maximize(sum(data.g[b] @ y for b, y in enumerate(ys)))
    return Model(cp.Problem(objective, psd + cons), psd, bell, stats)


def _tie_matrices(data):
    n, m = data.size, len(data.rows)
    pick = sp.csr_matrix((np.ones(m), (np.arange(m), data.rows * n + data.cols)), shape=(m, n * n))
    live = data.word >= 0
    tie = sp.csr_matrix((np.ones(int(live.sum())), (np.arange(m)[live], data.word[live])),
                        shape=(m, data.n_words))
    return pick, tie
