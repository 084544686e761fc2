"""A float search for real finite-dimensional quantum strategies (the lower side of a quantum interval).

Untrusted: it only proposes; `certify.strategy_rounding` turns the result into exact evidence and the
kernel's quantum.strategy kind decides. A strategy is a mixture of components; each gives party i a
real space of dimension outputs[i], one rank-1 projector per outcome (the columns of an orthogonal
matrix, the last outcome taking the rest) and a real unit state. See-saw (`polish`): party by party,
the objective is affine in its projectors (`_environment`, one einsum); a binary input's P_0 becomes
the projector onto the positive eigenspace of the gradient, a d-outcome basis takes polar
minorise-maximise steps (`_basis_step`); then the state becomes the top eigenvector of the Bell
operator. `search`: no constraint: the best see-saw response from random starts, over every guess;
one inequality: the Lagrangian method (`_lagrangian`: bisection on the multiplier, then the best
mixture of two responses); otherwise SLSQP. Conventions as the kernel's: behaviours keyed by
(outputs, inputs) with None outside a term; guesses indexed in npa.max's order.
"""

from copy import deepcopy
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np


@dataclass
class Strategy:
    """Float strategy: weights[c], dims[c][i], proj[c][i][x][a] (matrices), psi[c] (unit vectors),
    guesses[c] (the adversary's guess index of component c, 0 for a Bell objective) and targets[c]
    (an expression the state is a top eigenvector for, re-optimised after rounding; or None)."""

    weights: list
    dims: list
    proj: list
    psi: list
    guesses: list = None
    targets: list = None


def letters(scenario, i):
    """Letter index of party i: 0 the identity, 1 + x * outputs + a the projector P_{a|x}."""
    return 1 + scenario.inputs[i] * scenario.outputs[i]


def coefficients(e, scenario):
    """(constant, tensor C): the expression is constant + sum C[k_1..k_n] p(letters k) (module docstring)."""
    c = np.zeros([letters(scenario, i) for i in range(scenario.parties)])
    for outs, ins, coef in e.terms:
        c[tuple(0 if a is None else 1 + x * scenario.outputs[i] + a for i, (a, x) in enumerate(zip(outs, ins)))] += \
            float(coef)
    return float(e.constant), c


def _stacks(proj_c, dims):
    """Per party the letters' matrices (identity first, then P_{a|x} at 1 + x * outputs + a)."""
    return [np.stack([np.eye(d)] + [p for meas in party for p in meas]) for party, d in zip(proj_c, dims)]


def table(proj_c, dims, psi):
    """p(k_1..k_n) = psi^T (M_{k_1} (x) ... (x) M_{k_n}) psi for every letter tuple, by one einsum."""
    n = len(dims)
    args = [psi.reshape(dims), list(range(n, 2 * n))]
    for i, stack in enumerate(_stacks(proj_c, dims)):
        args += [stack, [2 * n + i, n + i, i]]
    args += [psi.reshape(dims), list(range(n)), list(range(2 * n, 3 * n))]
    return np.einsum(*args)


def value(compiled, proj_c, dims, psi) -> float:
    constant, c = compiled
    return constant + float(np.sum(c * table(proj_c, dims, psi)))


def bell_operator(e, proj_c, dims, compiled=None):
    """B with value psi^T B psi for a unit psi: constant I + sum_k C[k] L_1[k_1] (x) ... (x) L_n[k_n] (one einsum)."""
    if compiled is None:
        from certify.kernel.defs.scenario import Scenario

        compiled = coefficients(e, Scenario(tuple(len(p) for p in proj_c), tuple(len(p[0]) for p in proj_c)))
    (constant, c), n, size = compiled, len(dims), int(np.prod(dims))
    args = [c, list(range(n))]
    for i, stack in enumerate(_stacks(proj_c, dims)):
        args += [stack, [i, n + i, 2 * n + i]]
    out = np.einsum(*args, list(range(n, 2 * n)) + list(range(2 * n, 3 * n)))
    return out.reshape(size, size) + constant * np.eye(size)


def _environment(compiled, stacks, psi, dims, i):
    """M[k_i] with f = constant + sum_{k_i} <L_i[k_i], M[k_i]> (entrywise): f is affine in party i's matrices."""
    n, c = len(dims), compiled[1]
    args = [c, list(range(n)), psi.reshape(dims), list(range(n, 2 * n)), psi.reshape(dims), list(range(2 * n, 3 * n))]
    for m, stack in enumerate(stacks):
        if m != i:
            args += [stack, [m, n + m, 2 * n + m]]
    return np.einsum(*args, [i, n + i, 2 * n + i])


def _measurement(raw, d, outcomes):
    q, _ = np.linalg.qr(raw.reshape(d, d))
    proj = [np.outer(q[:, a], q[:, a]) for a in range(min(outcomes, d) - 1)]
    proj += [np.zeros((d, d))] * (outcomes - 1 - len(proj))
    return proj + [np.eye(d) - sum(proj)]


def _unpack(theta, scenario, dims, k):
    sizes = [sum(m * d * d for m, d in zip(scenario.inputs, dims)), int(np.prod(dims))]
    per = sum(sizes)
    weights = np.exp(theta[k * per:]) / np.exp(theta[k * per:]).sum() if k > 1 else np.ones(1)
    proj, psi = [], []
    for c in range(k):
        block, at, party = theta[c * per:(c + 1) * per], 0, []
        for m, d, o in zip(scenario.inputs, dims, scenario.outputs):
            party.append([_measurement(block[at + x * d * d:at + (x + 1) * d * d], d, o) for x in range(m)])
            at += m * d * d
        proj.append(party)
        psi.append(block[at:] / np.linalg.norm(block[at:]))
    return Strategy(list(weights), [list(dims)] * k, proj, psi)


def search(scenario, goals, guess: bool, sense: str, rules, margin=1e-9, starts=6, seed=0):
    """The best strategy found, or None. `goals` are the objective's expressions (one per guess, or one);
    `rules` [(expression, relation, value)] the constraints on the mixture. No constraint: the best
    see-saw response over the guesses. One inequality: the Lagrangian method (below). Otherwise SLSQP."""
    rng, sign = np.random.default_rng(seed), 1 if sense == "max" else -1
    if not rules:
        found = [_respond(scenario, _scaled(scenario, [(sign, e)]), starts, rng) + (g,) for g, e in enumerate(goals)]
        val, strategy, g = max(found, key=lambda item: item[0])
        return replace(strategy, guesses=[g], targets=[_scaled(scenario, [(sign, goals[g])])])
    if len(rules) == 1 and rules[0][1] != "==":
        return _lagrangian(scenario, goals, sign, rules[0], margin, starts, rng)
    return _slsqp(scenario, goals, guess, sign, rules, margin, starts, rng)


def _scaled(scenario, parts):
    """sum_k t_k e_k as one expression (t_k floats, read exactly)."""
    from certify.kernel.defs.scenario import make_expression

    terms = [(o, i, Fraction(t) * c) for t, e in parts for o, i, c in e.terms]
    return make_expression(scenario, terms, sum(Fraction(t) * e.constant for t, e in parts))


def _respond(scenario, e, starts, rng, warm=None):
    """(value, one-component strategy): the see-saw's best of `starts` random starts (and `warm`) for max e."""
    dims, compiled, best = list(scenario.outputs), coefficients(e, scenario), None
    size = sum(m * d * d for m, d in zip(scenario.inputs, dims)) + int(np.prod(dims))
    tries = [] if warm is None else [replace(warm, proj=[deepcopy(warm.proj[0])], psi=list(warm.psi))]
    for strategy in tries + [_unpack(rng.normal(size=size), scenario, dims, 1) for _ in range(starts)]:
        found = polish(strategy, e, compiled, 1)
        if best is None or found > best[0]:
            best = (found, strategy)
    return best


def _lagrangian(scenario, goals, sign, rule, margin, starts, rng):
    """max f s.t. c >= v (c <= v: -c >= -v) over mixtures. For a multiplier lam >= 0 each guess's best
    response to f_g + lam c (a Bell expression: see-saw) is a point (f, c); bisection on lam finds where
    c crosses v + margin, and the best mixture of two collected points with c = v + margin (the upper
    envelope) is returned; exact weights are set after rounding (`strategy_rounding.exact_weights`)."""
    e_c, relation, v = rule
    s_c, target = (1 if relation == ">=" else -1), (1 if relation == ">=" else -1) * float(v) + margin
    points, warm, con_c = [], {}, coefficients(e_c, scenario)

    def respond(lam):
        top = -np.inf
        for g, goal in enumerate(goals):
            expr = _scaled(scenario, [(sign, goal), (lam * s_c, e_c)])
            _, st = _respond(scenario, expr, 1 if g in warm else starts, rng, warm.get(g))
            warm[g] = st
            f = sign * value(coefficients(goal, scenario), st.proj[0], st.dims[0], st.psi[0])
            c = s_c * value(con_c, st.proj[0], st.dims[0], st.psi[0])
            points.append((f, c, g, st, expr))
            top = max(top, c)
        return top

    lo, hi = 0.0, 1.0
    if respond(lo) < target:
        while respond(hi) < target:
            lo, hi = hi, hi * 4
            if hi > 1e6:
                return None
        for _ in range(40):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if respond(mid) >= target else (mid, hi)
    best = None
    for i, j in ((i, j) for i in range(len(points)) for j in range(len(points))):
        (fi, ci, *_), (fj, cj, *_) = points[i], points[j]
        if ci >= target and (i == j or cj < target):
            t = 1.0 if i == j else (target - cj) / (ci - cj)
            if best is None or t * fi + (1 - t) * fj > best[0]:
                best = (t * fi + (1 - t) * fj, t, i, j)
    if best is None:
        return None
    _, t, i, j = best
    chosen = [points[i]] if i == j else [points[i], points[j]]
    return Strategy([t, 1 - t][:len(chosen)], [p[3].dims[0] for p in chosen], [p[3].proj[0] for p in chosen],
                    [p[3].psi[0] for p in chosen], [p[2] for p in chosen], [p[4] for p in chosen])


def _slsqp(scenario, goals, guess, sign, rules, margin, starts, rng):
    """SLSQP over one component per guess (weights by softmax), constraints kept with `margin`."""
    from scipy.optimize import minimize  # here, not at the top: 0.26 s of start-up for `certify solve`'s other paths

    dims, k = list(scenario.outputs), len(goals) if guess else 1
    goal_c = [coefficients(e, scenario) for e in goals]
    size = k * (sum(m * d * d for m, d in zip(scenario.inputs, dims)) + int(np.prod(dims))) + (k if k > 1 else 0)

    def mixed(theta, expr_of):
        s = _unpack(theta, scenario, dims, k)
        return sum(w * value(expr_of(c), s.proj[c], s.dims[c], s.psi[c]) for c, w in enumerate(s.weights))

    objective = lambda t: -sign * mixed(t, lambda c: goal_c[c])  # noqa: E731
    cons = [{"type": "ineq" if r != "==" else "eq",
             "fun": (lambda t, e=coefficients(e, scenario), v=float(v), s=(-1 if r == "<=" else 1):
                     s * (mixed(t, lambda c: e) - v) - (margin if r != "==" else 0))} for e, r, v in rules]
    best = None
    for _ in range(starts):
        found = minimize(objective, rng.normal(size=size), method="SLSQP", constraints=cons,
                         options={"ftol": 1e-15, "maxiter": 500})
        if all(c["fun"](found.x) >= -1e-12 for c in cons) and (best is None or found.fun < best.fun):
            best = found
    return None if best is None else replace(_unpack(best.x, scenario, dims, k), guesses=list(range(k)),
                                             targets=[None] * k)


def _basis_step(meas, gains, steps: int = 20):
    """d outcomes in dimension d, rank one each: max sum_a v_a^T G_a v_a over orthonormal bases V by the
    polar (minorise-maximise) iteration V <- polar([G_a v_a]_a), with G_a shifted to be PSD (the shift
    adds a constant on orthonormal bases), which never decreases the sum."""
    d = len(meas)
    g = [(x + x.T) / 2 for x in gains]
    shift = max(0.0, -min(np.linalg.eigvalsh(x)[0] for x in g)) + 1.0
    g = [x + shift * np.eye(d) for x in g]
    v = np.column_stack([np.linalg.eigh(p)[1][:, -1] for p in meas])
    for _ in range(steps):
        u, _, wt = np.linalg.svd(np.column_stack([g[a] @ v[:, a] for a in range(d)]))
        v = u @ wt
    return [np.outer(v[:, a], v[:, a]) for a in range(d)]


def polish(s: Strategy, e, compiled, sign: int, rounds: int = 200) -> None:
    """See-saw on one component (module docstring) until a round gains less than 1e-15; the value reached.
    With P_1 = I - P_0, f is affine in P_0 with gradient G = M[P_0] - M[P_1] (`_environment`): the best
    projector is onto the positive eigenspace of the symmetric part of sign G."""
    proj, dims, last = s.proj[0], s.dims[0], None
    for _ in range(rounds):
        for i, party in enumerate(proj):
            env = _environment(compiled, _stacks(proj, dims), s.psi[0], dims, i)
            for x, meas in enumerate(party):
                if len(meas) == 2:
                    g = sign * (env[1 + 2 * x] - env[2 + 2 * x])
                    w, v = np.linalg.eigh((g + g.T) / 2)
                    keep = v[:, w > 0]
                    meas[0] = keep @ keep.T
                    meas[1] = np.eye(dims[i]) - meas[0]
                elif len(meas) == dims[i]:
                    party[x] = _basis_step(meas, [sign * env[1 + len(meas) * x + a] for a in range(len(meas))])
        w, v = np.linalg.eigh(sign * bell_operator(e, proj, dims, compiled))
        s.psi[0] = v[:, -1]
        if last is not None and w[-1] - last < 1e-15:
            break
        last = w[-1]
    return last
