"""Classical (local) minimum of a Mermin-type game's expression, in exact integers.

Pure Python. A deterministic strategy gives party i a function x_i -> a_i,
written as the pair ``(a_i(0), a_i(1))``; there are 4^n of them. Its value is
the number of inputs x in X whose required parity it misses. Every local
behaviour is a mixture of deterministic ones and the expression is linear, so
the minimum over strategies is the local minimum of sum_{a,x} I(a,x) P(a|x).

Two routes, checked against each other in the tests:
- `enumerate_strategies`: every one of the 4^n strategies (the certificate for
  Gallego et al.'s "the minimum achievable with classical strategies is 6").
- `classical_minimum`: the output parity of a strategy is affine in x,
  xor_i a_i(x_i) = c xor (d . x) with c = xor_i a_i(0), d_i = a_i(0) xor a_i(1),
  and each of the 2^(n+1) affine functions comes from 2^(n-1) strategies. So the
  minimum is min over (c, d) of (|X| - (-1)^c W(d)) / 2 with
  W(d) = sum_{x in X} (-1)^(r(x) + d.x), a Walsh-Hadamard transform (n 2^n steps).

`constrained_optimum`: the local optimum of any Bell expression under constraints (kind "local.bound"
with "constraints"). Under constraints the optimum is no longer at a deterministic strategy: it is
the LP  max c.q  s.t.  sum_d q_d = 1,  sum_d a_i(d) q_d (<=, >=, ==) b_i,  q >= 0  over the weights
q_d of the deterministic strategies d. HiGHS solves it in floats (untrusted); the optimal basis is then
solved exactly (python-flint): with B the basic strategies and N the tight rows, A[N, B] q_B = b_N
gives the mixture and A[N, B]^T y = c_B the multipliers (mu_i = y_i, 0 on slack rows). The kernel
recomputes max_d [c - sum_i mu_i (a_i - b_i)](d) by enumeration and the mixture's value; an exactly
optimal basis makes the two equal, so the claim is "==".
"""

from fractions import Fraction
from itertools import product
from math import prod

from certify.errors import CertifyError
from certify.kernel.defs.scenario import make_expression
from certify.kernel.format import format_rational
from certify.kernel.local import optimum
from lp_checks.mermin import mermin_game

MAX_STRATEGIES = 2**20  # columns of the producer's LP (the kernel enumerates only parties 1..n-1)


def strategy_losses(game, strategy) -> int:
    """How many inputs of the game the deterministic strategy loses."""
    return sum(1 for x, r in game if sum(f[b] for f, b in zip(strategy, x)) % 2 != r)


def enumerate_strategies(game):
    """(minimum, minimisers, histogram) over all 4^n deterministic strategies.

    minimisers: sorted list of strategies, each a tuple of (a_i(0), a_i(1));
    histogram: {losses: number of strategies}.
    """
    n = _parties(game)
    histogram, best, minimisers = {}, None, []
    for strategy in product(product((0, 1), repeat=2), repeat=n):
        loss = strategy_losses(game, strategy)
        histogram[loss] = histogram.get(loss, 0) + 1
        if best is None or loss < best:
            best, minimisers = loss, [strategy]
        elif loss == best:
            minimisers.append(strategy)
    return best, minimisers, dict(sorted(histogram.items()))


def walsh_spectrum(game) -> list:
    """W(d) = sum_{x in X} (-1)^(r(x) + d.x) for every d, indexed by d as an n-bit integer."""
    n = _parties(game)
    values = [0] * (1 << n)
    for x, r in game:
        values[_index(x)] = -1 if r else 1
    step = 1
    while step < len(values):
        for start in range(0, len(values), 2 * step):
            for k in range(start, start + step):
                u, v = values[k], values[k + step]
                values[k], values[k + step] = u + v, u - v
        step *= 2
    return values


def classical_minimum(game) -> int:
    """The local minimum of sum I(a,x) P(a|x), via the affine-parity lemma above."""
    spectrum = walsh_spectrum(game)
    return (len(game) - max(abs(w) for w in spectrum)) // 2


def affine_minimisers(game) -> list:
    """The (c, d) whose affine parity c xor d.x attains the classical minimum."""
    n = _parties(game)
    spectrum = walsh_spectrum(game)
    top = max(abs(w) for w in spectrum)
    found = []
    for index, w in enumerate(spectrum):
        d = tuple((index >> (n - 1 - i)) & 1 for i in range(n))
        for c in (0, 1):
            if (-1) ** c * w == top:
                found.append((c, d))
    return sorted(found)


def mermin_classical_minimum(n: int) -> int:
    """Classical minimum of `mermin_game(n)` (enumeration via the Walsh route)."""
    return classical_minimum(mermin_game(n))


def mermin_closed_form(n: int) -> int:
    """2^(n-2) - 2^floor((n-2)/2): |X|/2 minus half the Mermin local bound 2^floor(n/2).

    Stated for comparison only; the tests check it against enumeration.
    """
    if n < 2:
        raise CertifyError(f"n: expected an integer >= 2, got {n!r}")
    return 2 ** (n - 2) - 2 ** ((n - 2) // 2)


def _index(x) -> int:
    index = 0
    for bit in x:
        index = 2 * index + bit
    return index


def _parties(game) -> int:
    if not game:
        raise CertifyError("game: expected at least one input, got none")
    n = len(game[0][0])
    if any(len(x) != n or set(x) - {0, 1} or r not in (0, 1) for x, r in game):
        raise CertifyError("game: expected (x, r) pairs with n input bits and r in {0, 1}")
    return n


def constrained_optimum(scenario, expr, sense: str, constraints):
    """(relation, value, evidence, producer) of a "local.bound" claim with constraints [(a_i, relation, b_i)]
    (Expressions, Fractions): the exact optimum from HiGHS's optimal basis (module docstring)."""
    import highspy
    import numpy as np
    from flint import fmpq, fmpq_mat
    from scipy.sparse import csc_matrix

    from lp_checks.ns_lp import _frac, run_highs

    tables = [list(product(range(d), repeat=m)) for m, d in zip(scenario.inputs, scenario.outputs)]
    count = prod(len(t) for t in tables)
    if count > MAX_STRATEGIES:
        raise CertifyError(f"problem.constraints: {count} deterministic strategies, more than the local LP's "
                           f"{MAX_STRATEGIES} (pose it as no-signalling or quantum)")
    index = np.unravel_index(np.arange(count), [len(t) for t in tables])  # strategy k: tables[i][index[i][k]]
    arrays = [np.array(t, dtype=np.int64) for t in tables]
    exprs = [expr] + [a for a, _, _ in constraints]
    values = np.zeros((len(exprs), count))
    for row, e in zip(values, exprs):
        row += float(e.constant)
        for outs, ins, coef in e.terms:
            hit = np.ones(count, dtype=bool)
            for i, (a, x) in enumerate(zip(outs, ins)):
                if a is not None:
                    hit &= arrays[i][index[i], x] == a
            row[hit] += float(coef)
    matrix = csc_matrix(np.vstack([np.ones(count), values[1:]]))
    lower = [1.0] + [-highspy.kHighsInf if r == "<=" else float(b) for _, r, b in constraints]
    upper = [1.0] + [highspy.kHighsInf if r == ">=" else float(b) for _, r, b in constraints]
    highs, raw, status = run_highs(values[0], lower, upper, (matrix.indptr, matrix.indices, matrix.data),
                                   maximise=sense == "max")
    if status == "infeasible":
        raise CertifyError("problem.constraints: infeasible: HiGHS finds no local behaviour meeting the constraints "
                           "(the solver's status, NOT a kernel verdict)")
    if status != "optimal":
        raise CertifyError(f"problem: HiGHS returned {highs.modelStatusToString(raw)!r} on the local LP, not a result")
    basis, kind = highs.getBasis(), highspy.HighsBasisStatus.kBasic
    basic = [j for j, s in enumerate(basis.col_status) if s == kind]
    tight = [i for i, s in enumerate(basis.row_status) if s != kind]
    if len(basic) != len(tight):
        raise CertifyError("problem: HiGHS's basis of the local LP is not square; no exact solution")
    strategies = [[list(tables[i][index[i][j]]) for i in range(scenario.parties)] for j in basic]
    exact = [[Fraction(1)] * len(basic)] + [[_value(a, s) for s in strategies] for a, _, _ in constraints]
    rhs = [Fraction(1)] + [b for _, _, b in constraints]
    q = lambda v: fmpq(v.numerator, v.denominator)  # noqa: E731
    system = fmpq_mat([[q(exact[i][k]) for k in range(len(basic))] for i in tight])
    weights = system.solve(fmpq_mat([[q(rhs[i])] for i in tight]))
    duals = system.transpose().solve(fmpq_mat([[q(_value(expr, s))] for s in strategies]))
    y = dict(zip(tight, (_frac(duals[k, 0]) for k in range(len(tight)))))
    mu = [y.get(i + 1, Fraction(0)) for i in range(len(constraints))]  # row 0 is the normalisation
    mixture = [(_frac(weights[k, 0]), s) for k, s in enumerate(strategies) if weights[k, 0] != 0]
    value = sum((w * _value(expr, s) for w, s in mixture), Fraction(0))
    terms = list(expr.terms) + [(o, x, -m * c) for m, (a, _, _) in zip(mu, constraints) for o, x, c in a.terms]
    constant = expr.constant - sum((m * (a.constant - b) for m, (a, _, b) in zip(mu, constraints)), Fraction(0))
    bound = optimum(scenario, make_expression(scenario, terms, constant), sense == "max", "problem")[0]
    if bound != value:
        raise CertifyError(f"problem: HiGHS's basis of the local LP is not optimal in exact arithmetic "
                           f"(mixture {format_rational(value)}, dual bound {format_rational(bound)})")
    producer = {"solver": "HiGHS (simplex) over the deterministic strategies, exact basis (python-flint)",
                "status": status, "float_optimum": f"{highs.getInfo().objective_function_value:.12g}",
                "strategies": count}
    evidence = {"dual": [format_rational(m) for m in mu],
                "mixture": [{"weight": format_rational(w), "strategy": s} for w, s in mixture]}
    return "==", value, evidence, producer


def _value(expr, strategy) -> Fraction:
    """The expression at a deterministic strategy (a table [[s_i(x)] per party]), exactly."""
    return expr.constant + sum((c for outs, ins, c in expr.terms
                                if all(a is None or strategy[i][ins[i]] == a for i, a in enumerate(outs))), Fraction(0))
