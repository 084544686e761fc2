"""Mermin-type (GHZ-paradox) games as data: (input string, required output parity).

Pure Python (the stdlib and the kernel's definitions), so problem definitions may import it.

A game is a sorted list of pairs ``(x, r)``: ``x`` a tuple of input bits, one per
party, and ``r`` the parity ``a_1 xor ... xor a_n`` the outputs must have on
``x``. Its Bell expression is I(a,x) = [parity(a) != r(x)] for x in the game's
input set X, and sum_{a,x} I(a,x) P(a|x) is the expected number of lost rounds
over X. Maximal violation (the no-signalling and algebraic optimum) is 0.

`mermin_game(n)` is the family "x has an even number of zeros, required parity
(#zeros / 2) mod 2". For n = 5 it is exactly Gallego et al. 2013, eqs. (2)-(5):
X0 = {x : sum x in {1, 5}} with parity 0 and X1 = {x : sum x = 3} with parity
1, |X| = 16. The GHZ state (|0^n> + |1^n>)/sqrt 2 with Y measured on input 0 and
X on input 1 wins it with certainty for every n (`lp_checks.ghz`, the project
convention).

`three_party_ghz_game()` is the GHZ paradox of the LP claims (G4), in the same
convention: `mermin_game(3)`, inputs {111, 100, 010, 001} with parity 0 on 111
(XXX = +1) and 1 on the others (XYY = YXY = YYX = -1). Textbooks often write it
as {000, 011, 101, 110} with X on input 0; that is the same game with each
party's input bit complemented (a relabelling of its measurements).
"""

from itertools import product

from certify.errors import CertifyError
from certify.kernel.defs.scenario import Expression, Scenario, make_expression


def _parity(bits) -> int:
    return sum(bits) % 2


def mermin_game(n: int) -> list:
    """The n-party game: x with an even number of zeros, parity (#zeros/2) mod 2.

    Defined for n >= 2 (for n = 2 it is classically winnable; a paradox from n = 3).
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise CertifyError(f"n: expected an integer >= 2, got {n!r}")
    game = []
    for x in product((0, 1), repeat=n):
        zeros = n - sum(x)
        if zeros % 2 == 0:
            game.append((x, (zeros // 2) % 2))
    return game


def five_party_game() -> list:
    """Gallego et al. 2013, eqs. (4)-(5): sum x in {1, 5} -> parity 0, sum x = 3 -> parity 1
    (that is `mermin_game(5)`: #zeros 4 or 0 -> parity 0, #zeros 2 -> parity 1)."""
    return mermin_game(5)


def three_party_ghz_game() -> list:
    """The three-party GHZ paradox: XXX = +1, XYY = YXY = YYX = -1 (inputs 0 -> Y, 1 -> X)."""
    return mermin_game(3)


def mermin_operator(n: int) -> Expression:
    """The n-party Mermin operator Re prod_j (A_j0 + i A_j1) as a Bell expression (textbook
    labels, input 0 -> X): the correlators of `complement_inputs(mermin_game(n))`, each with
    sign (-1)^r(x), r the required parity; the correlator of x is sum_a (-1)^{sum a} P(a|x)."""
    terms = [(a, x, (-1) ** (r + sum(a))) for x, r in complement_inputs(mermin_game(n))
             for a in product((0, 1), repeat=n)]
    return make_expression(Scenario((2,) * n, (2,) * n), terms)


def complement_inputs(game) -> list:
    """The same game with every input bit complemented (each party relabels its measurement)."""
    return sorted((tuple(1 - b for b in x), r) for x, r in game)


def game_expression(game) -> dict:
    """I(a,x) for x in the game's input set: {(a, x): 1 if parity(a) != r(x) else 0}."""
    n = len(game[0][0])
    return {(a, x): int(_parity(a) != r) for x, r in game for a in product((0, 1), repeat=n)}


def mermin_expression(n: int) -> dict:
    """I(a,x) of `mermin_game(n)`; for n = 5 the coefficients of eq. (3)."""
    return game_expression(mermin_game(n))


def expression_value(game, behaviour) -> object:
    """sum_{a,x} I(a,x) P(a|x) for a behaviour given as {(a, x): P(a|x)} over the game's inputs."""
    expression = game_expression(game)
    return sum(behaviour[key] for key, coef in expression.items() if coef)
