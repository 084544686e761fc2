"""Building blocks of "lp.ns" problem definitions (the papers' claims use them).

The problem is plain JSON data in the format `certify.kernel.defs.ns_polytope` documents, so
the kernel rebuilds it without this module. Parties are 0-based in problem data; bits are
spelled as strings ("0110").
"""

from itertools import combinations

from certify.errors import CertifyError
from certify.kernel.format import format_rational

MAJORITY_TABLE = "00010111"  # maj(a_i, a_j, a_k), index 4 a_i + 2 a_j + a_k


def spell(bits) -> str:
    return "".join(str(b) for b in bits)


def parity_promise(game) -> dict:
    """A Mermin-type game played with maximal violation, as a promise."""
    return {"kind": "parity", "rules": [[spell(x), parity] for x, parity in sorted(game)]}


def binary_scenario(n: int) -> dict:
    return {"inputs": [2] * n, "outputs": [2] * n}


def function_problem(game, x0, parties, table: str, v: int) -> dict:
    """max P(g(a_parties) = v | x0) over boxes playing `game` with maximal violation, g given by its truth table."""
    return {"scenario": binary_scenario(len(x0)), "promise": parity_promise(game),
            "objective": {"kind": "function", "x": spell(x0), "parties": list(parties), "table": table, "value": v},
            "sense": "max"}


def balanced_functions():
    """The C(8,4) = 70 balanced functions {0,1}^3 -> {0,1}, as truth tables."""
    return ["".join("1" if i in ones else "0" for i in range(8)) for ones in combinations(range(8), 4)]


def linear_terms(terms) -> list:
    """The "linear" objective terms [[x, a, "p/q"], ...] of (outputs, inputs, coefficient) terms
    on full tuples (as in `Expression.terms`), summed per (x, a), sorted, zeros dropped."""
    coefficients = {}
    for outs, ins, coef in terms:
        if None in outs or None in ins:
            raise CertifyError("linear_terms: every term must name every party's input and output")
        key = (tuple(ins), tuple(outs))
        coefficients[key] = coefficients.get(key, 0) + coef
    return [[spell(x), spell(a), format_rational(c)] for (x, a), c in sorted(coefficients.items()) if c]
