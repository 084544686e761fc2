"""Gallego et al. 2013: the majority Lemma (five parties) and the balanced three-party functions.

Lemma: max P(maj(a_i, a_j, a_k) = v | x0) over five-party no-signalling boxes with maximal
Mermin violation, one "==" claim per input x0 of the game, triple and v (320 claims). Balanced
functions: for each of the 70 balanced g: {0,1}^3 -> {0,1} and each input of the GHZ game some
maximal GHZ-paradox box makes g(a) certain (a ">=" claim with a rational primal box). Ids and
statements number parties from 1, as the paper does.
"""

from itertools import combinations

from certify.errors import CertifyError
from certify.papers.produce import lp_certificate
from lp_checks.claims import MAJORITY_TABLE, balanced_functions, function_problem, spell
from lp_checks.mermin import five_party_game, three_party_ghz_game


def lemma_claim(x0, triple, v):
    """(claim id, statement, problem, file name) of max P(maj(a_i,a_j,a_k) = v | x0) over maximal violators."""
    problem = function_problem(five_party_game(), x0, triple, MAJORITY_TABLE, v)
    names = "".join(str(i + 1) for i in triple)
    claim_id = f"gallego2013/lemma/x={spell(x0)}/maj={names}/v={v}"
    statement = (f"max P(maj(a{triple[0] + 1},a{triple[1] + 1},a{triple[2] + 1}) = {v} | x = {spell(x0)}) "
                 f"over 5-party no-signalling boxes with maximal Mermin violation")
    return claim_id, statement, problem, f"gallego2013/lemma/x{spell(x0)}_maj{names}_v{v}.json"


def lemma_claims():
    """All 16 inputs x 10 triples x 2 values = 320 claims of the Lemma."""
    inputs = [x for x, _ in sorted(five_party_game())]
    return [lemma_claim(x0, triple, v) for x0 in inputs
            for triple in combinations(range(5), 3) for v in (0, 1)]


def ghz3_claim(table, x0, v):
    """Three parties: a maximal GHZ-paradox box making g(a) = v certain at x0."""
    problem = function_problem(three_party_ghz_game(), x0, (0, 1, 2), table, v)
    claim_id = f"gallego2013/ghz3/g={table}/x={spell(x0)}"
    statement = (f"some 3-party no-signalling box with maximal GHZ-paradox violation has "
                 f"P(g(a) = {v} | x = {spell(x0)}) = 1 for the balanced g with truth table {table}")
    return claim_id, statement, problem, f"gallego2013/ghz3/g{table}_x{spell(x0)}.json"


def ghz3_tasks():
    """(truth table, input) for the 70 balanced functions and the 4 inputs of the GHZ game."""
    inputs = [x for x, _ in sorted(three_party_ghz_game())]
    return [(table, x0) for table in balanced_functions() for x0 in inputs]


def certify_ghz3(table, x0):
    """(certificate, file name, v): a box making g(a) certain at x0; tries v = 0, then v = 1."""
    for v in (0, 1):
        claim_id, statement, problem, name = ghz3_claim(table, x0, v)
        cert, value = lp_certificate(claim_id, statement, problem, relation=">=")
        if value == 1:
            return cert, name, v
    raise CertifyError(f"no box makes g={table} deterministic at x={spell(x0)}")


def certify_balanced(task):
    """Family worker: one balanced function at one input."""
    cert, name, _ = certify_ghz3(*task)
    return [(name, cert)]
