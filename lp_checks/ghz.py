"""The GHZ realisation of Mermin-type games, in exact arithmetic (sympy).

Project convention (used everywhere in certify; Gallego et al. 2013, G3 of the spec):

    state   |GHZ_n> = (|0...0> + |1...1>) / sqrt 2, |0>, |1> the eigenstates of Z;
    input   x_i = 0 -> Y,  x_i = 1 -> X   (observable of party i);
    output  a_i = 0 <-> eigenvalue +1, a_i = 1 <-> eigenvalue -1.

Why. With k parties measuring Y, <GHZ| X^(n-k) Y^k |GHZ> = Re(i^k) (Y|0> = i|1>,
Y|1> = -i|0>), so the parity is certain exactly when k is even, and then equals
(k/2) mod 2. Gallego et al.'s five-party inputs (sum x in {1, 3, 5}) must
therefore put Y on input 0: k = #zeros in {4, 2, 0} gives parities 0, 1, 0, as
eqs. (4)-(5) require. The assignment as printed (X on input 0, Y on input 1)
gives k = sum x odd, every correlator 0, every required parity met with
probability 1/2, expression value 8: not even a Bell violation (local minimum
6). The alternative fix (|0^5> + i|1^5>)/sqrt 2 with the printed assignment
also works; we keep the printed state and swap the labels, so amplitudes stay
real and one rule covers every n: the convention wins `mermin_game(n)` exactly.

Three parties: the LP claims' GHZ paradox is `mermin_game(3)` = {111, 100,
010, 001} (XXX, XYY, YXY, YYX under this convention), which the project
convention wins and the printed assignment loses (value 2); the textbook
spelling {000, 011, 101, 110} is its input complement (`complement=True`).

Behaviours are dicts {(a, x): P(a|x)} over tuples of bits; `quantum_point`
returns Fractions over all 2^n inputs, a point of the no-signalling polytope.
"""

from fractions import Fraction
from itertools import product

from certify.errors import CertifyError
from lp_checks.mermin import expression_value

# name -> (observable on input 0, observable on input 1, amplitude of |1^n>)
CONVENTIONS = {
    "project": ("Y", "X", "1"),
    "printed": ("X", "Y", "1"),
    "phase-i": ("X", "Y", "i"),
}


def ghz_state(n: int, phase: str = "1"):
    """(|0^n> + phase |1^n>)/sqrt 2 as a sympy column vector, qubit 1 most significant."""
    import sympy

    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 12:
        raise CertifyError(f"n: expected an integer in [1, 12], got {n!r}")
    state = sympy.zeros(2**n, 1)
    state[0] = 1 / sympy.sqrt(2)
    state[2**n - 1] = _phase(phase) / sympy.sqrt(2)
    return state


def eigenvector(observable: str, outcome: int):
    """Unit eigenvector of X or Y for eigenvalue (-1)^outcome."""
    import sympy

    sign = 1 - 2 * outcome
    if observable == "X":
        return sympy.Matrix([1, sign]) / sympy.sqrt(2)
    if observable == "Y":
        return sympy.Matrix([1, sign * sympy.I]) / sympy.sqrt(2)
    raise CertifyError(f"observable: expected 'X' or 'Y', got {observable!r}")


def pauli(observable: str):
    import sympy

    return {"X": sympy.Matrix([[0, 1], [1, 0]]), "Y": sympy.Matrix([[0, -sympy.I], [sympy.I, 0]])}[observable]


def projector(observable: str, outcome: int):
    """|e><e| for the eigenvector of outcome `outcome`; (1 + (-1)^a sigma)/2."""
    vector = eigenvector(observable, outcome)
    return vector * vector.H


def probability(state, observables, outcomes):
    """P(a|x) = |<e_a1 x ... x e_an | state>|^2, exact (a sympy Rational for these states).

    The product bra's entry at basis index j is prod_i conj(e_i[bit_i(j)]); only the
    nonzero amplitudes of the state contribute (two for a GHZ state).
    """
    import sympy

    n = len(observables)
    vectors = [eigenvector(o, a).conjugate() for o, a in zip(observables, outcomes)]
    amplitude = sympy.Integer(0)
    for j in range(state.rows):
        if state[j] != 0:
            term = state[j]
            for i, vector in enumerate(vectors):
                term *= vector[(j >> (n - 1 - i)) & 1]
            amplitude += term
    return sympy.expand(amplitude * sympy.conjugate(amplitude))


def behaviour(n: int, inputs=None, convention: str = "project", complement: bool = False) -> dict:
    """{(a, x): P(a|x)} (sympy numbers) for the GHZ state under a named convention.

    inputs: the x to include (default all 2^n); complement: party i measures the
    observable of input 1 - x_i (the relabelling that maps the LP's three-party
    game onto `mermin_game(3)`).
    """
    if convention not in CONVENTIONS:
        raise CertifyError(f"convention: expected one of {sorted(CONVENTIONS)}, got {convention!r}")
    on_zero, on_one, phase = CONVENTIONS[convention]
    state = ghz_state(n, phase)
    inputs = list(product((0, 1), repeat=n)) if inputs is None else [tuple(x) for x in inputs]
    table = {}
    for x in inputs:
        observables = [on_one if (b ^ complement) else on_zero for b in x]
        for a in product((0, 1), repeat=n):
            table[(a, x)] = probability(state, observables, a)
    return table


def game_value(game, convention: str = "project", complement: bool = False):
    """sum_{a,x in X} I(a,x) P(a|x) for the GHZ behaviour (0 is maximal violation)."""
    n = len(game[0][0])
    return expression_value(game, behaviour(n, [x for x, _ in game], convention, complement))


def quantum_point(game, convention: str = "project", complement: bool = False) -> dict:
    """The GHZ behaviour over all 2^n inputs as Fractions; raises unless it wins the game."""
    n = len(game[0][0])
    table = behaviour(n, None, convention, complement)
    exact = {key: _fraction(value) for key, value in table.items()}
    lost = expression_value(game, exact)
    if lost != 0:
        raise CertifyError(f"convention {convention!r}: the GHZ state loses the game (value {lost}, expected 0)")
    return exact


def five_party_quantum_point() -> dict:
    """Gallego et al.'s five-party maximal violator under the project convention."""
    from lp_checks.mermin import five_party_game

    return quantum_point(five_party_game(), "project")


def three_party_quantum_point() -> dict:
    """A winner of `three_party_ghz_game()` under the project convention."""
    from lp_checks.mermin import three_party_ghz_game

    return quantum_point(three_party_ghz_game(), "project")


def _phase(phase: str):
    import sympy

    if phase == "1":
        return sympy.Integer(1)
    if phase == "i":
        return sympy.I
    raise CertifyError(f"phase: expected '1' or 'i', got {phase!r}")


def _fraction(value) -> Fraction:
    if not value.is_Rational:
        raise CertifyError(f"probability {value} is not rational")
    return Fraction(int(value.p), int(value.q))
