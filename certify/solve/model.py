"""The cvxpy model of an NPA relaxation (shared by the solver adapters).

Untrusted. Variables: one moment vector y_e and one symmetric X_e per block;
X_e's upper triangle is tied to y_e (or to 0), X_e >> 0, sum_e y_e[0] = 1, and
c . sum_e y_e >= I. The dual of "X_e >> 0" is the PSD matrix Z_e of the
certificate (cvxpy's sign convention for a maximisation: g_e + A^*(Z_e) +
lambda c = [w = 1] nu, checked in tests/unit/test_npa.py), and the dual of the
Bell constraint is lambda >= 0.
"""

from dataclasses import dataclass


@dataclass
class Model:
    problem: object
    psd: list  # the "X_e >> 0" constraints
    bell: object  # the "c . y >= I" constraint, or None


def build(data, at=None) -> Model:
    import cvxpy as cp
    import numpy as np
    import scipy.sparse as sp

    n, nw = data.size, data.n_words
    m = len(data.rows)
    pick = sp.csr_matrix((np.ones(m), (np.arange(m), data.rows * n + data.cols)), shape=(m, n * n))
    live = data.word >= 0
    tie = sp.csr_matrix((np.ones(int(live.sum())), (np.arange(m)[live], data.word[live])), shape=(m, nw))
    ys, psd, cons = [], [], []
    for _ in range(data.g.shape[0]):
        y = cp.Variable(nw)
        x = cp.Variable((n, n), symmetric=True)
        psd.append(x >> 0)
        cons.append(pick @ cp.vec(x, order="C") == tie @ y)
        ys.append(y)
    cons.append(sum(y[0] for y in ys) == 1)
    bell = None
    if data.c is not None:
        bell = data.c @ sum(ys) >= float(at)
        cons.append(bell)
    objective = cp.Maximize(sum(data.g[b] @ y for b, y in enumerate(ys)))
    return Model(cp.Problem(objective, psd + cons), psd, bell)
