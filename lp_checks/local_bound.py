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
"""

from itertools import product

from certify.errors import CertifyError
from lp_checks.mermin import mermin_game


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
