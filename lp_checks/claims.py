"""The no-signalling claims of the two papers, as "lp.ns" problem definitions.

Each builder returns (claim id, statement, problem, relative file name); the
problem is plain JSON data in the format `certify.kernel.defs.ns_polytope` documents, so
the kernel rebuilds it without this module. Parties are 0-based in problem
data and 1-based in ids and statements, as in the papers.
"""

from fractions import Fraction
from itertools import combinations, product

from certify.kernel.format import format_rational

MAJORITY_TABLE = "00010111"  # maj(a_i, a_j, a_k), index 4 a_i + 2 a_j + a_k


def spell(bits) -> str:
    return "".join(str(b) for b in bits)


def parity_promise(game) -> dict:
    """A Mermin-type game played with maximal violation, as a promise."""
    return {"kind": "parity", "rules": [[spell(x), parity] for x, parity in sorted(game)]}


def binary_scenario(n: int) -> dict:
    return {"inputs": [2] * n, "outputs": [2] * n}


def lemma_claim(x0, triple, v):
    """Gallego et al. Lemma: max P(maj(a_i,a_j,a_k) = v | x0) over maximal violators."""
    from lp_checks.mermin import five_party_game

    problem = {
        "scenario": binary_scenario(5),
        "promise": parity_promise(five_party_game()),
        "objective": {"kind": "function", "x": spell(x0), "parties": list(triple),
                      "table": MAJORITY_TABLE, "value": v},
        "sense": "max",
    }
    names = "".join(str(i + 1) for i in triple)
    claim_id = f"gallego2013/lemma/x={spell(x0)}/maj={names}/v={v}"
    statement = (f"max P(maj(a{triple[0] + 1},a{triple[1] + 1},a{triple[2] + 1}) = {v} | x = {spell(x0)}) "
                 f"over 5-party no-signalling boxes with maximal Mermin violation")
    return claim_id, statement, problem, f"gallego2013/lemma/x{spell(x0)}_maj{names}_v{v}.json"


def lemma_claims():
    """All 16 inputs x 10 triples x 2 values = 320 claims of the Lemma."""
    from lp_checks.mermin import five_party_game

    inputs = [x for x, _ in sorted(five_party_game())]
    return [lemma_claim(x0, triple, v) for x0 in inputs
            for triple in combinations(range(5), 3) for v in (0, 1)]


def balanced_functions():
    """The C(8,4) = 70 balanced functions {0,1}^3 -> {0,1}, as truth tables."""
    return ["".join("1" if i in ones else "0" for i in range(8)) for ones in combinations(range(8), 4)]


def ghz3_claim(table, x0, v):
    """Three parties: a maximal GHZ-paradox box making g(a) = v certain at x0."""
    from lp_checks.mermin import three_party_ghz_game

    problem = {
        "scenario": binary_scenario(3),
        "promise": parity_promise(three_party_ghz_game()),
        "objective": {"kind": "function", "x": spell(x0), "parties": [0, 1, 2], "table": table, "value": v},
        "sense": "max",
    }
    claim_id = f"gallego2013/ghz3/g={table}/x={spell(x0)}"
    statement = (f"some 3-party no-signalling box with maximal GHZ-paradox violation has "
                 f"P(g(a) = {v} | x = {spell(x0)}) = 1 for the balanced g with truth table {table}")
    return claim_id, statement, problem, f"gallego2013/ghz3/g{table}_x{spell(x0)}.json"


def chsh_coefficients() -> dict:
    """CHSH = sum_xy (-1)^{xy} [P(a=b|xy) - P(a!=b|xy)] as {(x, a): coefficient}."""
    return {((x, y), (a, b)): (-1) ** (x * y) * (1 if a == b else -1)
            for x, y, a, b in product(range(2), repeat=4)}


def chsh_ns_claim(ab, xy):
    """Pironio et al. curve c: P(ab|xy) + CHSH/4 <= 3/2 on the no-signalling polytope."""
    coefficients = {key: Fraction(c, 4) for key, c in chsh_coefficients().items()}
    coefficients[(tuple(xy), tuple(ab))] += 1
    terms = [[spell(x), spell(a), format_rational(c)] for (x, a), c in sorted(coefficients.items()) if c]
    problem = {"scenario": binary_scenario(2), "promise": None,
               "objective": {"kind": "linear", "terms": terms}, "sense": "max"}
    claim_id = f"pironio2010/ns/ab={spell(ab)}/xy={spell(xy)}"
    statement = (f"max P({spell(ab)}|{spell(xy)}) + CHSH/4 over 2-party no-signalling boxes "
                 f"(so G_NS(I) <= that max - I/4: curve c)")
    return claim_id, statement, problem, f"pironio2010/ns/ab{spell(ab)}_xy{spell(xy)}.json"


def chsh_ns_claims():
    return [chsh_ns_claim(ab, xy) for ab in product(range(2), repeat=2) for xy in product(range(2), repeat=2)]
