"""The quantum majority (beyond Gallego et al. 2013): max P(maj(a1,a2,a3) = 0 | x0) under quantum
theory with maximal five-party Mermin violation, bounded by an NPA relaxation ("npa.max").

Untrusted producer of <out>/gallego2013/quantum/x<x0>_level<level>.json.
No-signalling allows 3/4 (the Lemma); quantum theory should force 1/2, since
maximal violation self-tests the GHZ state, whose outputs on any three parties
are uniform. Conventions are the project's (lp_checks/ghz.py: input 0 -> Y,
input 1 -> X; the game of eqs. (4)-(5), `lp_checks.mermin.five_party_game`).

Problem. Five parties, two inputs, two outputs.
- Objective {"bell": P(maj(a1,a2,a3) = 0 | x0)}: the sum of P(a1 a2 a3 | x0 on
  parties 1-3) over the four triples with majority 0. The NPA format's "guess"
  objective guesses the parties' outputs themselves, not a function of them,
  so this is the single-box maximum, not Eve's guessing probability of maj.
- Constraint "-B >= 0", B = sum_{x in X} sum_a I(a, x) P(a|x) the expected
  number of lost rounds (full five-party probabilities): maximal violation.
- Level "2+ABC": every product of <= 2 projectors (61 words, among them the
  same-party products A0|0 A0|1 that the GHZ self-test needs) plus the 8
  products of one letter each of A, B, C, so that every five-party word is an
  entry (ABC times DE). Measured: without the same-party words
  ("1+AB+...+DE+ABC", 59 words) the float optimum at B <= 1e-3 is 0.761, more
  than the no-signalling 3/4: not informative; "2" alone lacks the
  five-party words.

Numerics. Maximal violation is on the boundary of the relaxation, and Clarabel
fails at "-B >= 0" (NumericalError). The solver is therefore run at
"-B >= -eps" (eps = 1e-10, else 1e-8, else 1e-6: the first that verifies); a dual certificate
is a tangent line, optimum(I) <= nu - lambda I for EVERY I (docs/npa.md), so the same evidence
is written for the problem at I = 0, where the kernel's bound is nu. Near B = 0 the optimum behaves like
1/2 + C sqrt(B) (measured C ~ 0.52), so the tangent at eps meets B = 0 at
about 1/2 + C sqrt(eps) / 2: the bound approaches 1/2 as eps -> 0 but no
finite lambda reaches it exactly. The same certificate also proves the
robust form P(maj = 0 | x0) <= nu + lambda B at this level.
"""

import math
from fractions import Fraction
from itertools import product

from certify.certificate import make_certificate
from certify.errors import CertifyError
from certify.expressions import expression_to_json
from certify.kernel.defs.scenario import Scenario, make_expression
from certify.kernel.format import format_rational
from certify.kernel.npa import KIND, parse_problem, tangent_of
from certify.npa import certify_problem, interior, problem
from lp_checks.claims import spell
from lp_checks.mermin import five_party_game, game_expression

SCENARIO = Scenario((2,) * 5, (2,) * 5)
LEVEL = "2+ABC"
EPS_LADDER = (Fraction(1, 10**10), Fraction(1, 10**8), Fraction(1, 10**6))  # first that verifies
PRECISION = 10**9  # the claimed value is nu rounded up to a multiple of 1e-9
INPUTS = ((1, 0, 0, 0, 0),)
MAJORITY_ZERO = tuple(a for a in product((0, 1), repeat=3) if sum(a) <= 1)


def majority_expression(x0):
    """P(maj(a1, a2, a3) = 0 | x0) as a Bell expression on parties 1-3."""
    terms = [(list(a) + [None, None], list(x0[:3]) + [None, None], 1) for a in MAJORITY_ZERO]
    return make_expression(SCENARIO, terms)


def negative_losses():
    """-B: minus the probability of every lost (a, x), x in the game's 16 inputs."""
    lost = sorted((a, x) for (a, x), v in game_expression(five_party_game()).items() if v)
    return make_expression(SCENARIO, [(a, x, -1) for a, x in lost])


def quantum_problem(x0, level=LEVEL, at=Fraction(0)) -> dict:
    """max P(maj = 0 | x0) at an NPA level subject to -B >= at (at = 0: maximal violation)."""
    return problem(SCENARIO, level, {"bell": expression_to_json(majority_expression(x0))},
                   negative_losses(), at)


def certify_majority(x0, level=LEVEL, eps=EPS_LADDER[0], solver=None, z0=None):
    """(certificate, Certified) for max P(maj = 0 | x0) <= value at B = 0; None if nothing verifies.
    `z0`: the interior direction of the level (`certify.npa.interior`), computed once per level."""
    result = certify_problem(quantum_problem(x0, level, -eps), solver, target=1e-7, z0=z0)
    if result is None:
        return None, None
    definition = quantum_problem(x0, level)
    nu, lam = tangent_of(parse_problem(definition, "problem"), result.evidence, "evidence")
    value = Fraction(math.ceil(nu * PRECISION), PRECISION)
    sol = result.solution
    producer = {"solver": sol.solver, "raw_status": sol.raw_status, "status": sol.status,
                "solved_at": f"-B >= -{format_rational(eps)}", "float_optimum": f"{result.primal:.12e}",
                "nu": f"{float(nu):.12e}", "lambda": f"{float(lam):.6e}",
                "delta": format_rational(result.delta)}
    statement = (f"NPA level {level}, 5 parties: max P(maj(a1,a2,a3) = 0 | x = {spell(x0)}) subject to "
                 "maximal Mermin violation (B <= 0, B the expected number of lost rounds over the 16 inputs) "
                 "is <= value "
                 f"(no-signalling allows 3/4; the evidence also gives <= nu + lambda B for every B)")
    claim_id = f"gallego2013/quantum/x={spell(x0)}/level={level}"
    return make_certificate(claim_id, KIND, statement, definition, "<=", value, result.evidence, producer), result


def file_name(x0, level=LEVEL) -> str:
    return f"gallego2013/quantum/x{spell(x0)}_level{level}.json"


def certify_input(x0):
    """Family worker: the bound at x0, at the first eps of `EPS_LADDER` that verifies."""
    z0 = interior(quantum_problem(x0, LEVEL))  # the same for every eps and every x0
    for eps in EPS_LADDER:
        cert, _ = certify_majority(x0, LEVEL, eps, z0=z0)
        if cert is not None:
            return [(file_name(x0), cert)]
    raise CertifyError(f"x0={spell(x0)}: no verified NPA certificate at level {LEVEL}")
