"""The quantum majority (beyond Gallego et al. 2013): max P(maj(a1,a2,a3) = v | x0) under quantum
theory with maximal five-party Mermin violation, bounded by an NPA relaxation ("npa.max"), at
all 16 inputs x0 of the game and both values v (32 claims).

Untrusted producer of <out>/gallego2013/quantum/x<x0>_level<level>.json (v = 0: the first
release's names, kept) and x<x0>_v1_level<level>.json (v = 1).
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

Symmetry (`certify.symmetry`). The 32 problems are one orbit of relabellings that map the game,
the level 2+ABC and the majority onto themselves (`GENERATORS`; each is checked exactly on the
problem definitions when a certificate is mapped, and the kernel checks every mapped file in
full): permutations of A, B, C and of D, E; the flip of the outputs of A, B, C, D (four flips keep
every parity, and maj of the flipped bits is 1 - maj: v -> 1 - v); and, for a party i of A, B, C
paired with D, the swap of both parties' inputs with i's outputs flipped at one input alpha and
D's at the other (the GHZ state's opposite quarter turns about Z: on x with x_i = x_D the number
of zeros moves by 2 and exactly one output flips, so the required parity and the outputs' parity
both change; otherwise neither changes). With alpha = 1 - x0_i the outputs at x0 are untouched,
so it flips bit i of x0. Bits 4-5 of x0 do not enter the objective: x0 and x0' with the same
first three bits are the same problem. So one solve (x0 = 10000, v = 0) gives all 32 claims:
the same bound nu, each certificate its own file.
"""

import math
from fractions import Fraction
from functools import lru_cache
from itertools import product

from certify.certificate import make_certificate
from certify.errors import CertifyError
from certify.expressions import expression_to_json
from certify.kernel.defs.scenario import Scenario, make_expression
from certify.kernel.format import format_rational, parse_rational
from certify.kernel.npa import KIND, parse_problem, tangent_of
from certify.npa import certify_problem, interior, problem
from certify.symmetry import describe, map_evidence, orbits, relabelling
from lp_checks.claims import spell
from lp_checks.mermin import five_party_game, game_expression

SCENARIO = Scenario((2,) * 5, (2,) * 5)
LEVEL = "2+ABC"
EPS_LADDER = (Fraction(1, 10**10), Fraction(1, 10**8), Fraction(1, 10**6))  # first that verifies
PRECISION = 10**9  # the claimed value is nu rounded up to a multiple of 1e-9
INPUTS = tuple(x for x, _ in sorted(five_party_game()))  # the 16 inputs of the game
FIRST = ((1, 0, 0, 0, 0), 0)  # the first release's claim: solved, the others mapped from it
CLAIMS = (FIRST,) + tuple((x0, v) for v in (0, 1) for x0 in INPUTS if (x0, v) != FIRST)
REPRESENTATIVES = (FIRST,)  # one per orbit of CLAIMS (tests/claims/test_gallego_quantum.py: == `claim_orbits`)
MAJORITY_ZERO = tuple(a for a in product((0, 1), repeat=3) if sum(a) <= 1)


def majority_expression(x0, v=0):
    """P(maj(a1, a2, a3) = v | x0) as a Bell expression on parties 1-3."""
    terms = [(list(a) + [None, None], list(x0[:3]) + [None, None], 1)
             for a in product((0, 1), repeat=3) if (sum(a) >= 2) == bool(v)]
    return make_expression(SCENARIO, terms)


def negative_losses():
    """-B: minus the probability of every lost (a, x), x in the game's 16 inputs."""
    lost = sorted((a, x) for (a, x), v in game_expression(five_party_game()).items() if v)
    return make_expression(SCENARIO, [(a, x, -1) for a, x in lost])


def quantum_problem(x0, level=LEVEL, at=Fraction(0), v=0) -> dict:
    """max P(maj = v | x0) at an NPA level subject to -B >= at (at = 0: maximal violation)."""
    return problem(SCENARIO, level, {"bell": expression_to_json(majority_expression(x0, v))},
                   negative_losses(), at)


def certify_majority(x0, level=LEVEL, eps=EPS_LADDER[0], solver=None, z0=None, v=0):
    """(certificate, Certified) for max P(maj = v | x0) <= value at B = 0; None if nothing verifies.
    `z0`: the interior direction of the level (`certify.npa.interior`), computed once per level."""
    result = certify_problem(quantum_problem(x0, level, -eps, v), solver, target=1e-7, z0=z0)
    if result is None:
        return None, None
    definition = quantum_problem(x0, level, v=v)
    nu, lam = tangent_of(parse_problem(definition, "problem"), result.evidence, "evidence")
    sol = result.solution
    producer = {"solver": sol.solver, "raw_status": sol.raw_status, "status": sol.status,
                "solved_at": f"-B >= -{format_rational(eps)}", "float_optimum": f"{result.primal:.12e}",
                "nu": f"{float(nu):.12e}", "lambda": f"{float(lam):.6e}",
                "delta": format_rational(result.delta)}
    return _certificate(x0, v, level, definition, nu, result.evidence, producer), result


def _certificate(x0, v, level, definition, nu, evidence, producer):
    value = Fraction(math.ceil(nu * PRECISION), PRECISION)
    statement = (f"NPA level {level}, 5 parties: max P(maj(a1,a2,a3) = {v} | x = {spell(x0)}) subject to "
                 "maximal Mermin violation (B <= 0, B the expected number of lost rounds over the 16 inputs) "
                 "is <= value "
                 f"(no-signalling allows 3/4; the evidence also gives <= nu + lambda B for every B)")
    return make_certificate(claim_id(x0, v, level), KIND, statement, definition, "<=", value, evidence, producer)


def claim_id(x0, v=0, level=LEVEL) -> str:
    return f"gallego2013/quantum/x={spell(x0)}/{'v=1/' if v else ''}level={level}"


def file_name(x0, level=LEVEL, v=0) -> str:
    return f"gallego2013/quantum/x{spell(x0)}_{'v1_' if v else ''}level{level}.json"


def generators() -> tuple:
    """Relabellings of the five parties that map the game, the level 2+ABC and the set of majority
    problems onto themselves (module docstring; each is checked when a certificate is mapped)."""
    swap = lambda i, j: [j if k == i else i if k == j else k for k in range(5)]  # noqa: E731
    out = [relabelling(SCENARIO, parties=swap(0, 1)), relabelling(SCENARIO, parties=swap(1, 2)),
           relabelling(SCENARIO, parties=swap(3, 4)),
           relabelling(SCENARIO, outputs={(i, x): (1, 0) for i in range(4) for x in (0, 1)})]
    for i in range(3):
        for alpha in (0, 1):
            out.append(relabelling(SCENARIO, inputs={i: (1, 0), 3: (1, 0)},
                                   outputs={(i, alpha): (1, 0), (3, 1 - alpha): (1, 0)}))
    return tuple(out)


@lru_cache(maxsize=1)
def claim_orbits() -> dict:
    """{representative (x0, v): [((x0, v), relabelling from the representative)]} over `CLAIMS`."""
    found = orbits([quantum_problem(x0, v=v) for x0, v in CLAIMS], generators())
    return {CLAIMS[rep]: [(CLAIMS[k], g) for k, g in members] for rep, members in found}


def orbit_outputs(representative) -> list:
    """The files the representative's task writes (one per claim of its orbit)."""
    return [file_name(x0, v=v) for (x0, v), _ in claim_orbits()[representative]]


def certify_input(x0, v=0):
    """The bound at (x0, v), at the first eps of `EPS_LADDER` that verifies: (certificate, Certified)."""
    z0 = interior(quantum_problem(x0, LEVEL))  # the same for every eps and every x0
    for eps in EPS_LADDER:
        cert, result = certify_majority(x0, LEVEL, eps, z0=z0, v=v)
        if cert is not None:
            return cert, result
    raise CertifyError(f"x0={spell(x0)}, v={v}: no verified NPA certificate at level {LEVEL}")


def certify_orbit(representative):
    """Family worker: solve the representative, map its certificate to every claim of its orbit
    (`certify.symmetry.map_evidence`); each file is then checked in full by the kernel."""
    x0, v = representative
    cert, _ = certify_input(x0, v)
    source, evidence = cert["claim"]["problem"], cert["evidence"]
    nu = parse_rational(evidence["nu"], "evidence.nu")
    out = []
    for (y0, w), g in claim_orbits()[representative]:
        if (y0, w) == representative:
            out.append((file_name(y0, v=w), cert))
            continue
        target = quantum_problem(y0, v=w)
        producer = dict(cert["producer"], mapped_from=cert["claim"]["id"], symmetry=describe(g))
        mapped = map_evidence(source, evidence, g, target)
        out.append((file_name(y0, v=w), _certificate(y0, w, LEVEL, target, nu, mapped, producer)))
    return out
