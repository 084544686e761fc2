"""Solve a no-signalling LP in floating point and turn the answer into exact evidence.

Untrusted: HiGHS proposes, the kernel decides. The LP is built from the same
trusted definition the kernel rebuilds (`certify.kernel.defs.ns_polytope.build`), so the
two cannot drift apart. Rounding goes in two steps:
1. round the float dual y and primal p to nearby rationals with small
   denominators (these polytopes have vertices with tiny denominators) and
   ask the kernel's own exact checks whether they already prove the claim;
2. if not, recompute the basic solution of HiGHS's optimal basis exactly
   (python-flint's fmpq_mat solve): with B the basic columns and N the
   nonbasic rows, the dual solves  A[N, B]^T y_N = c_B  (y = 0 on basic rows)
   and the primal solves  A[N, B] p_B = b_N  (p = 0 off the basis). An
   optimal basis gives an exactly optimal, exactly feasible pair.
"""

import os
import sys
from dataclasses import dataclass
from fractions import Fraction

import highspy
import numpy as np
from flint import fmpq, fmpq_mat

from certify.errors import CertifyError
from certify.kernel.defs.ns_polytope import NsLp, column_key
from certify.kernel.format import Reject, format_rational
from certify.kernel.lp import dual_bound, primal_value

SMALL_DENOMINATORS = (16, 256, 4096)
STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnbounded: "unbounded",
}


@dataclass(frozen=True)
class ExactLpSolution:
    value: Fraction  # b.y == c.p, proven by the two dicts below
    dual: dict  # row key -> Fraction
    primal: dict  # column key -> Fraction
    float_value: float
    status: str
    repaired: bool  # True if step 2 (exact basis) was needed


def solve_exact(lp: NsLp) -> ExactLpSolution:
    """Solve `lp` with HiGHS and return an exactly verified optimal pair."""
    rows = sorted(lp.row_b)
    row_index = {key: i for i, key in enumerate(rows)}
    start, index, value = [0], [], []
    for column in lp.entries:
        for key, coef in column:
            index.append(row_index[key])
            value.append(float(coef))
        start.append(len(index))
    cost = np.array([float(lp.objective.get(col, 0)) for col in lp.columns])
    b = np.array([float(lp.row_b[key]) for key in rows])
    highs, raw, status = run_highs(cost, b, b, (start, index, value), maximise=True)
    if status is None:
        raise CertifyError(f"HiGHS returned status {highs.modelStatusToString(raw)!r}, which is not a result")
    if status != "optimal":
        raise CertifyError(f"HiGHS reports the LP {status}")
    solution, basis = highs.getSolution(), highs.getBasis()
    float_value = highs.getInfo().objective_function_value
    y = dict(zip(rows, solution.row_dual))
    p = {column_key(*col): v for col, v in zip(lp.columns, solution.col_value)}
    rounded = _round_pair(lp, y, p)
    if rounded is not None:
        return ExactLpSolution(rounded[0], rounded[1], rounded[2], float_value, status, False)
    dual, primal = _exact_basis(lp, rows, basis)
    bound, attained = _checked(lp, dual, primal)
    if bound is None or bound != attained:
        raise CertifyError("exact basis repair failed: HiGHS's basis is not optimal in exact arithmetic")
    return ExactLpSolution(bound, dual, primal, float_value, status, True)


def _round_pair(lp, y, p):
    for limit in SMALL_DENOMINATORS:
        dual = {k: Fraction(v).limit_denominator(limit) for k, v in y.items() if abs(v) > 1e-11}
        primal = {k: Fraction(v).limit_denominator(limit) for k, v in p.items() if abs(v) > 1e-11}
        dual = {k: v for k, v in dual.items() if v}
        primal = {k: v for k, v in primal.items() if v}
        bound, attained = _checked(lp, dual, primal)
        if bound is not None and bound == attained:
            return bound, dual, primal
    return None


def _checked(lp, dual, primal):
    """(b.y, c.p) if both pass the kernel's exact checks, else (None, None)."""
    try:
        return (dual_bound(lp, _spelled(dual), "dual"), primal_value(lp, _spelled(primal), "primal"))
    except Reject:
        return None, None


def _spelled(values: dict) -> dict:
    return {key: format_rational(v) for key, v in values.items()}


def _exact_basis(lp, rows, basis):
    basic_cols = [j for j, s in enumerate(basis.col_status) if s == highspy.HighsBasisStatus.kBasic]
    tight_rows = [i for i, s in enumerate(basis.row_status) if s != highspy.HighsBasisStatus.kBasic]
    if len(basic_cols) != len(tight_rows):
        raise CertifyError("HiGHS basis is not square; cannot repair exactly")
    position = {rows[i]: k for k, i in enumerate(tight_rows)}
    size = len(basic_cols)
    matrix = fmpq_mat(size, size)
    for col_pos, j in enumerate(basic_cols):
        for key, coef in lp.entries[j]:
            if key in position:
                matrix[position[key], col_pos] = coef
    cost = fmpq_mat(size, 1, [fmpq(*_pq(lp.objective.get(lp.columns[j], 0))) for j in basic_cols])
    rhs = fmpq_mat(size, 1, [fmpq(*_pq(lp.row_b[rows[i]])) for i in tight_rows])
    y_n = matrix.transpose().solve(cost)
    p_b = matrix.solve(rhs)
    dual = {rows[i]: _frac(y_n[k, 0]) for k, i in enumerate(tight_rows)}
    primal = {column_key(*lp.columns[j]): _frac(p_b[k, 0]) for k, j in enumerate(basic_cols)}
    return {k: v for k, v in dual.items() if v}, {k: v for k, v in primal.items() if v}


def _pq(value):
    value = Fraction(value)
    return value.numerator, value.denominator


def _frac(entry) -> Fraction:
    return Fraction(int(entry.p), int(entry.q))


def run_highs(cost, row_lower, row_upper, columns, maximise: bool):
    """Solve max/min cost.p s.t. row_lower <= A p <= row_upper, p >= 0 with HiGHS (simplex, seed 0);
    `columns` is A in compressed-column form (start, index, value). Returns (highs, raw status, our
    status name or None): the callers read the solution and the basis, and decide what a status means."""
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = len(cost), len(row_lower)
    model.col_cost_, model.col_lower_ = np.asarray(cost, dtype=float), np.zeros(len(cost))
    model.col_upper_ = np.full(len(cost), highspy.kHighsInf)
    model.row_lower_, model.row_upper_ = np.asarray(row_lower, dtype=float), np.asarray(row_upper, dtype=float)
    model.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_, model.a_matrix_.index_, model.a_matrix_.value_ = columns
    highs = _quiet_highs()
    highs.setOptionValue("random_seed", 0)
    highs.passModel(model)
    highs.run()
    raw = highs.getModelStatus()
    return highs, raw, STATUS.get(raw)


def _quiet_highs():
    """A Highs instance whose construction banner does not reach stdout.

    highspy >= 1.16 prints its copyright banner from C++ on the first
    construction in each process, before "output_flag" can be set; a Python
    redirect cannot catch it, so file descriptor 1 is pointed at /dev/null
    around the constructor only.
    """
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        highs = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    highs.setOptionValue("output_flag", False)
    return highs

