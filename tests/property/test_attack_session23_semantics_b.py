"""Red team, session 23 (semantics, part b): can a certificate make the kernel prove a FALSE number?

Scope: npa.max (words, levels, dual signs, "min", guess blocks, psd_hint), quantum.strategy, local.bound,
lp.ns / lp.threshold (NS rows, sub-boxes, slack signs, "min"), amplify.bound (directed rounding), the door
(relations, hash) and folders (manifests). Every attack starts from an honest certificate (made here by the
untrusted producer, or committed), changes it so that its claim is false against a known value (Tsirelson
2 sqrt 2 for CHSH, the local bound 2, the NS bound 4, an independent Decimal evaluation of eq. (13)),
recomputes problem_sha256, and asserts the kernel's refusal and its reason. Found: no hole (each test passes).
"""

import copy
import json
import os
from decimal import Decimal, getcontext
from fractions import Fraction
from functools import lru_cache
from itertools import product

import pytest

from certify.errors import CertifyError
from certify.kernel import check_certificate, problem_sha256
from certify.kernel.defs.scenario import Scenario, chsh, make_expression
from certify.kernel.defs.words import build, canonical, parse_level, reduce_word
from certify.kernel.format import format_rational
from certify.kernel.proofs import check_path
from tests.conftest import ROOT, load_json

SQRT8 = Fraction(2828427124746190, 10**15)  # 2 sqrt 2 = 2.82842712474619009...: rounded down
CHSH_SC = Scenario((2, 2), (2, 2))
R = format_rational


def cert(kind, problem, value, evidence, relation="<="):
    return {"format": "certify/1",
            "claim": {"id": "attack/s23b", "kind": kind, "statement": "attack", "problem": problem,
                      "relation": relation, "value": R(Fraction(value))},
            "problem_sha256": problem_sha256(problem), "evidence": evidence}


def check(c):
    return check_certificate(c, "attack")


def refused(c, *reasons):
    verdict = check(c)
    assert verdict.status == "false", (verdict.status, verdict.reason)
    assert any(r in verdict.reason for r in reasons), verdict.reason
    return verdict


def malformed(c, *reasons):
    with pytest.raises(CertifyError) as err:
        check(c)
    assert any(r in str(err.value) for r in reasons), str(err.value)


def expr_json(expr):
    from certify.expressions import expression_to_json
    return expression_to_json(expr)


def negated(expr):
    return make_expression(CHSH_SC, [(o, i, -c) for o, i, c in expr.terms], -expr.constant)


@lru_cache(maxsize=None)
def _npa_honest(which):
    """(problem, evidence, bound) of an honest NPA certificate made by the untrusted producer."""
    from certify import npa
    if which == "max":
        definition = npa.chsh_max_problem("1")
    elif which == "neg":  # max -CHSH: the same blocks as "min CHSH"
        definition = npa.problem(CHSH_SC, "1", npa.bell_objective(negated(chsh())))
    made = npa.certify_problem(definition)
    return json.dumps(definition), json.dumps(made.evidence), made.bound


def npa_honest(which="max"):
    problem, evidence, bound = _npa_honest(which)
    return json.loads(problem), json.loads(evidence), bound


# ---------------------------------------------------------------- npa.max


def test_honest_chsh_dual_is_above_tsirelson_and_below_it_is_refused():
    problem, evidence, bound = npa_honest()
    assert SQRT8 < bound < SQRT8 + Fraction(1, 10**6)
    assert check(cert("npa.max", problem, bound, evidence)).ok
    refused(cert("npa.max", problem, Fraction(2828, 1000), evidence), "not <= 707/250")
    for relation in (">=", "=="):  # a dual proves no lower bound
        refused(cert("npa.max", problem, bound, evidence, relation), "proves no lower bound")


def test_lowering_nu_with_z00_keeps_every_identity_but_breaks_psd():
    """The classic forgery: nu - t and Z_00 - t satisfy every word identity (F_1 = e_0 e_0^T) and would
    prove CHSH <= 2.8 < 2 sqrt 2; only the exact PSD test stands in the way (both backends, hint too)."""
    problem, evidence, bound = npa_honest()
    t = bound - Fraction(28, 10)
    forged = copy.deepcopy(evidence)
    forged["nu"] = R(Fraction(forged["nu"]) - t)
    forged["Z"][0][0][0] = R(Fraction(forged["Z"][0][0][0]) - t)
    refused(cert("npa.max", problem, Fraction(28, 10), forged), "not positive semidefinite")
    # with a hint: L = the float Cholesky of the HONEST Z (any L: R_00 = Z_00 - L_00^2 goes negative)
    import numpy as np
    n = len(evidence["Z"][0])
    z = np.array([[float(Fraction(evidence["Z"][0][min(i, j)][abs(i - j)])) for j in range(n)] for i in range(n)])
    low = np.linalg.cholesky(z + 1e-9 * np.eye(n))
    hint = [[R(Fraction(round(low[i][j] * 2**30), 2**30)) for j in range(i + 1)] for i in range(n)]
    refused(cert("npa.max", problem, Fraction(28, 10), dict(forged, psd_hint=[hint])), "not diagonally dominant")


def test_min_sense_uses_the_negated_blocks_and_proves_only_a_lower_bound():
    """min CHSH = -2 sqrt 2. The dual of max(-CHSH) proves min CHSH >= -bound; nothing more."""
    neg_problem, evidence, bound = npa_honest("neg")
    problem = dict(neg_problem, objective={"bell": expr_json(chsh())}, sense="min")
    assert check(cert("npa.max", problem, -bound, evidence, ">=")).ok
    refused(cert("npa.max", problem, Fraction(-28, 10), evidence, ">="), "not >= -14/5")  # -2.8 > min: false
    refused(cert("npa.max", problem, -bound, evidence, "<="), "proves no upper bound")
    # the dual of max CHSH used for "min CHSH": wrong sign of the blocks, the identities fail
    _, max_evidence, max_bound = npa_honest("max")
    refused(cert("npa.max", problem, -max_bound, max_evidence, ">="), "dual identity fails")
    # and "max" with the min evidence would prove max CHSH <= 2.83 only via the identity of -CHSH: refused
    refused(cert("npa.max", dict(problem, sense="max"), bound, evidence), "dual identity fails")


def test_min_sense_with_a_guess_objective_is_malformed():
    problem = load_json(os.path.join(ROOT, "proofs/pironio2010/npa/global-1+AB-I2.000000000.json"))["claim"]["problem"]
    malformed(cert("npa.max", dict(problem, sense="min"), "1", {"nu": "1", "lambda": "0", "Z": []}, ">="),
              "sense")
    malformed(cert("npa.max", dict(problem, sense="MAX"), "1", {"nu": "1", "lambda": "0", "Z": []}), "sense")


def _pironio():
    return load_json(os.path.join(ROOT, "proofs/pironio2010/npa/global-1+AB-I2.000000000.json"))


def test_committed_guess_certificate_and_sign_rules():
    """G(2) of Pironio et al. (global guess, CHSH >= 2): lambda < 0, lambda without a constraint, and a claim
    below the proven tangent nu - 2 lambda are refused."""
    c = _pironio()
    assert check(c).ok
    problem, evidence, value = c["claim"]["problem"], c["evidence"], Fraction(c["claim"]["value"])
    lam, nu = Fraction(evidence["lambda"]), Fraction(evidence["nu"])
    assert lam > 0 and nu - 2 * lam <= value
    refused(cert("npa.max", problem, value, dict(evidence, **{"lambda": R(-lam)})), "lambda: negative")
    refused(cert("npa.max", dict(problem, constraint=None), value, evidence),
            "must be 0 when the problem has no constraint")
    refused(cert("npa.max", problem, nu - lam * 2 - Fraction(1, 10**12), evidence), "not <=")


def test_guess_blocks_swapped_or_missing_are_refused():
    c = _pironio()
    problem, evidence = c["claim"]["problem"], c["evidence"]
    value = c["claim"]["value"]
    swapped = dict(evidence, Z=[evidence["Z"][1], evidence["Z"][0], *evidence["Z"][2:]])
    if swapped["Z"] != evidence["Z"]:
        refused(cert("npa.max", problem, value, swapped), "dual identity fails")
    malformed(cert("npa.max", problem, value, dict(evidence, Z=evidence["Z"][:3])), "expected 4 blocks")
    # one guess (k = 1 block) would make the objective P(a = 0) <= bound without the other guesses: the
    # problem defines k from the outputs, so a file cannot drop blocks by itself


def test_guess_bound_below_one_over_k_is_vacuous_even_when_the_identity_holds():
    """CHSH >= 3 is infeasible (above 2 sqrt 2): the committed tangent at I = 3 goes below 1/4."""
    c = _pironio()
    problem = copy.deepcopy(c["claim"]["problem"])
    lam, nu = Fraction(c["evidence"]["lambda"]), Fraction(c["evidence"]["nu"])
    at = (nu - Fraction(1, 8)) / lam  # the tangent there is 1/8 < 1/4
    problem["constraint"]["at"] = R(at)
    refused(cert("npa.max", problem, Fraction(1, 8), c["evidence"]), "below 1/4")


def test_kappa_and_mu_signs():
    """kappa = -1 on "CHSH rel 2" cancels the objective: Z = 0, nu = 0, bound = -kappa * 2 = 2. True for "<="
    and "==" (max CHSH s.t. CHSH <= 2 is 2); FALSE for ">=" (max CHSH s.t. CHSH >= 2 is 2 sqrt 2): the sign
    rule (kappa >= 0 for ">=") must refuse it."""
    problem, _, _ = npa_honest()
    n = 5  # level 1 of CHSH: 1, A0|0, A0|1, B0|0, B0|1
    zero = [["0"] * (n - i) for i in range(n)]
    expr = expr_json(chsh())
    for relation in ("<=", "==", ">="):
        p = dict(problem, constraints=[{"expression": expr, "relation": relation, "value": "2"}])
        verdict = check(cert("npa.max", p, 2, {"nu": "0", "lambda": "0", "kappa": ["-1"], "Z": [zero]}))
        if relation == ">=":
            assert verdict.status == "false" and "wrong sign" in verdict.reason
        else:
            assert verdict.ok
    p = dict(problem, constraints=[{"expression": expr, "relation": "<=", "value": "2"}])
    refused(cert("npa.max", p, 2, {"nu": "0", "lambda": "0", "kappa": ["1"], "Z": [zero]}), "wrong sign")
    # statistics: mu free; CHSH == 2 pinned proves max <= 2, not less
    p = dict(problem, statistics=[{"expression": expr, "value": "2"}])
    assert check(cert("npa.max", p, 2, {"nu": "0", "lambda": "0", "mu": ["-1"], "Z": [zero]})).ok
    refused(cert("npa.max", p, Fraction(19, 10), {"nu": "0", "lambda": "0", "mu": ["-1"], "Z": [zero]}), "not <=")


def test_level_without_the_words_of_the_objective_is_malformed():
    """Mermin needs A B C products: level 1 of three parties holds none; the kernel refuses, never drops them."""
    sc = Scenario((2, 2, 2), (2, 2, 2))
    terms = [((0, 0, 0), (1, 0, 0), 1), ((0, 0, 0), (0, 1, 0), 1), ((0, 0, 0), (0, 0, 1), 1),
             ((0, 0, 0), (1, 1, 1), -1)]
    mermin = make_expression(sc, terms)
    problem = {"scenario": {"inputs": [2, 2, 2], "outputs": [2, 2, 2]}, "level": "1",
               "objective": {"bell": expr_json(mermin)}}
    n = len(parse_level("1", sc.inputs, sc.outputs, "l"))
    ev = {"nu": "0", "lambda": "0", "Z": [[["0"] * (n - i) for i in range(n)]]}
    malformed(cert("npa.max", problem, 0, ev), "is not an entry of the moment matrix")


def test_words_identify_only_operator_identities():
    """Entries of Gamma are identified only by E^2 = E, orthogonality, commuting parties and w ~ w^dagger."""
    a00, a01, b00 = (0, 0, 0), (0, 1, 0), (1, 0, 0)
    assert reduce_word((a00, a00)) == (a00,)
    assert reduce_word((a00, (0, 0, 1))) is None
    assert reduce_word((b00, a00)) == (a00, b00)
    assert reduce_word((a00, a01, a00)) == (a00, a01, a00)  # no relation across inputs
    assert canonical((a00, a01)) == canonical((a01, a00))
    assert canonical((a00, a01, a00)) != canonical((a01, a00, a01))
    s = build(tuple(parse_level("2", (2,), (3,), "l")))  # three outcomes: E0 E1 = 0 is a ZERO entry
    assert s.words[0] == () and all(w != () for w in s.words[1:])


def test_z_lower_triangle_spelling_and_hint_for_wrong_block_count_are_malformed():
    problem, evidence, bound = npa_honest()
    full = [[r for r in evidence["Z"][0][0]]] * len(evidence["Z"][0])  # square rows: not the upper triangle
    malformed(cert("npa.max", problem, bound, dict(evidence, Z=[full])), "expected")
    malformed(cert("npa.max", problem, bound, dict(evidence, psd_hint=[])), "expected 1")


# ---------------------------------------------------------------- quantum.strategy


def _qubit_projectors(c, s):
    """[P_0, P_1] for the rational unit vector (c, s): P_0 = v v^T, P_1 = 1 - P_0."""
    p0 = [[c * c, c * s], [c * s, s * s]]
    return [[[R(v) for v in row] for row in p0], [[R(int(i == j) - p0[i][j]) for j in range(2)] for i in range(2)]]


def _tsirelson_strategy():
    """A rational near-optimal CHSH strategy: |phi+>, Alice at 0 and 45 degrees, Bob at +-22.5 degrees, angles
    approximated by Pythagorean unit vectors (so the value is < 2 sqrt 2, as it must be)."""
    c0, s0 = Fraction(1), Fraction(0)
    c1, s1 = Fraction(20, 29), Fraction(21, 29)  # ~ 46.4 degrees
    cb0, sb0 = Fraction(12, 13), Fraction(5, 13)  # ~ 22.6 degrees
    cb1, sb1 = Fraction(12, 13), Fraction(-5, 13)
    return {"weight": "1", "dims": [2, 2],
            "projectors": [[_qubit_projectors(c0, s0), _qubit_projectors(c1, s1)],
                           [_qubit_projectors(cb0, sb0), _qubit_projectors(cb1, sb1)]],
            "state": ["1", "0", "0", "1"]}


def _strategy_problem():
    return {"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, "objective": {"bell": expr_json(chsh())}}


def test_honest_rational_strategy_is_below_tsirelson():
    problem, comp = _strategy_problem(), _tsirelson_strategy()
    verdict = check(cert("quantum.strategy", problem, 2, {"components": [comp]}, ">="))
    assert verdict.ok and 2 < verdict.low < SQRT8
    refused(cert("quantum.strategy", problem, verdict.low, {"components": [comp]}, "<="), "proves no upper bound")


def test_oblique_idempotents_would_beat_tsirelson_and_are_refused():
    """P = [[1, t], [0, 0]] is idempotent but not symmetric (no measurement): refused before any value."""
    comp = _tsirelson_strategy()
    comp["projectors"][0][0] = [[["1", "3"], ["0", "0"]], [["0", "-3"], ["0", "1"]]]
    refused(cert("quantum.strategy", _strategy_problem(), 3, {"components": [comp]}, ">="), "not a projector")


def test_projectors_not_summing_to_one_or_scaled_are_refused():
    comp = _tsirelson_strategy()
    comp["projectors"][1][1][1] = [["0", "0"], ["0", "0"]]  # P_0 + P_1 != 1
    refused(cert("quantum.strategy", _strategy_problem(), 2, {"components": [comp]}, ">="),
            "do not sum to the identity")
    comp = _tsirelson_strategy()
    comp["projectors"][0][0] = [[["2", "0"], ["0", "0"]], [["-1", "0"], ["0", "1"]]]  # 2 P: not idempotent
    refused(cert("quantum.strategy", _strategy_problem(), 2, {"components": [comp]}, ">="), "not a projector")


def test_negative_mixture_weights_would_extrapolate_past_tsirelson_and_are_refused():
    """2 x (strategy ~2.8) - 1 x (a local strategy of value -2): value ~7.6 > 4, refused by the weight rule."""
    good, bad = _tsirelson_strategy(), _tsirelson_strategy()
    z_basis, x_flip = _qubit_projectors(Fraction(1), Fraction(0)), _qubit_projectors(Fraction(0), Fraction(1))
    bad["projectors"] = [[z_basis] * 2, [x_flip] * 2]
    comps = [dict(good, weight="2"), dict(bad, weight="-1")]
    refused(cert("quantum.strategy", _strategy_problem(), 5, {"components": comps}, ">="), "weights must be >= 0")
    comps = [dict(good, weight="1"), dict(bad, weight="1")]  # sum 2: a weight can not scale the value up
    refused(cert("quantum.strategy", _strategy_problem(), 2, {"components": comps}, ">="), "sum to 1")
    refused(cert("quantum.strategy", _strategy_problem(), 2, {"components": []}, ">="), "sum to 1")


def test_zero_state_dims_mismatch_and_unnormalised_state():
    comp = dict(_tsirelson_strategy(), state=["0", "0", "0", "0"])
    refused(cert("quantum.strategy", _strategy_problem(), 2, {"components": [comp]}, ">="), "zero vector")
    comp = dict(_tsirelson_strategy(), dims=[2, 3])
    malformed(cert("quantum.strategy", _strategy_problem(), 2, {"components": [comp]}, ">="), "expected 3 x 3")
    # an unnormalised state is normalised by the kernel: 7 |phi+> has the same value
    a = check(cert("quantum.strategy", _strategy_problem(), 2, {"components": [_tsirelson_strategy()]}, ">="))
    b = check(cert("quantum.strategy", _strategy_problem(), 2,
                   {"components": [dict(_tsirelson_strategy(), state=["7", "0", "0", "7"])]}, ">="))
    assert a.ok and b.ok and a.low == b.low


def test_strategy_min_sense_and_statistics_exactness():
    problem = dict(_strategy_problem(), sense="min")
    comp = _tsirelson_strategy()
    verdict = check(cert("quantum.strategy", problem, 3, {"components": [comp]}, "<="))
    assert verdict.ok and verdict.high < 3 and verdict.low is None  # min CHSH <= f(strategy), not >=
    refused(cert("quantum.strategy", problem, 2, {"components": [comp]}, ">="), "proves no lower bound")
    # statistics must hold exactly on the mixture: CHSH == 2 with the ~2.8 strategy is refused
    problem = dict(_strategy_problem(), statistics=[{"expression": expr_json(chsh()), "value": "2"}])
    refused(cert("quantum.strategy", problem, 2, {"components": [comp]}, ">="), "constraint 0 fails")


def test_guess_strategy_component_needs_a_guess_in_range():
    problem = {"scenario": {"inputs": [2, 2], "outputs": [2, 2]},
               "objective": {"guess": {"parties": [0], "inputs": [0]}}}
    comp = _tsirelson_strategy()
    malformed(cert("quantum.strategy", problem, 1, {"components": [comp]}, ">="), "guess")
    malformed(cert("quantum.strategy", problem, 1, {"components": [dict(comp, guess=2)]}, ">="), "guess")
    # Eve guessing 0 on |phi+> with A measuring Z: P(a = 0) = 1/2, not 1
    verdict = check(cert("quantum.strategy", problem, Fraction(1, 2), {"components": [dict(comp, guess=0)]}, ">="))
    assert verdict.ok and verdict.low == Fraction(1, 2)
    refused(cert("quantum.strategy", problem, Fraction(3, 4), {"components": [dict(comp, guess=0)]}, ">="), "not >=")


# ---------------------------------------------------------------- local.bound


def _local(sense="max", constraints=None):
    p = {"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, "objective": {"bell": expr_json(chsh())}, "sense": sense}
    if constraints is not None:
        p["constraints"] = constraints
    return p


def test_local_chsh_is_two_and_not_more():
    assert check(cert("local.bound", _local(), 2, {"strategy": [[0, 0], [0, 0]]}, "==")).ok
    refused(cert("local.bound", _local(), 2, {"strategy": [[0, 0], [1, 1]]}, "=="), "is not the maximum")  # -2
    refused(cert("local.bound", _local(), Fraction(19, 10), {"strategy": [[0, 0], [0, 0]]}, "<="), "not <=")
    refused(cert("local.bound", _local(), Fraction(21, 10), {"strategy": [[0, 0], [0, 0]]}, ">="), "not >=")
    assert check(cert("local.bound", _local("min"), -2, {"strategy": [[0, 0], [1, 1]]}, "==")).ok
    refused(cert("local.bound", _local("min"), 2, {"strategy": [[0, 0], [0, 0]]}, "=="), "is not the minimum")
    malformed(cert("local.bound", _local(), 2, {"strategy": [[0, 2], [0, 0]]}, "=="), "expected an integer in [0, 1]")


def test_local_dual_signs_for_max_and_min():
    """max CHSH s.t. CHSH <= 1 is 1. mu = 1 on "<=" (right sign for max) gives L = CHSH - (CHSH - 1) = 1.
    mu = -1 on ">= 3" (infeasible: nothing to fear) and mu with the wrong sign must be refused."""
    expr = expr_json(chsh())
    le = [{"expression": expr, "relation": "<=", "value": "1"}]
    assert check(cert("local.bound", _local("max", le), 1, {"dual": ["1"]})).ok
    refused(cert("local.bound", _local("max", le), 1, {"dual": ["-1"]}), "wrong sign")
    refused(cert("local.bound", _local("max", le), Fraction(9, 10), {"dual": ["1"]}), "not <=")
    # min CHSH s.t. CHSH >= -1 is -1: mu = 1 on ">=" is the min's right sign; -1 is refused
    ge = [{"expression": expr, "relation": ">=", "value": "-1"}]
    assert check(cert("local.bound", _local("min", ge), -1, {"dual": ["1"]}, ">=")).ok
    refused(cert("local.bound", _local("min", ge), -1, {"dual": ["-1"]}, ">="), "wrong sign")
    # the max's sign rule applied to the min would prove min >= +3 (false: a local strategy has -1)
    refused(cert("local.bound", _local("min", le), 3, {"dual": ["-1"]}, ">="), "wrong sign", "not >=")


def test_local_mixture_weights_and_constraints():
    expr = expr_json(chsh())
    eq = [{"expression": expr, "relation": "==", "value": "3"}]  # infeasible locally
    strat = [[0, 0], [0, 0]]  # value 2
    # 3/2 x (+2) - 1/2 x (-2) = 4 > 3: an affine (not convex) combination would "attain" CHSH == 3 and more
    mix = [{"weight": "3/2", "strategy": strat}, {"weight": "-1/2", "strategy": [[0, 0], [1, 1]]}]
    refused(cert("local.bound", _local("max", eq), 3, {"mixture": mix}, ">="), "weights must be >= 0")
    mix = [{"weight": "1", "strategy": strat}]
    refused(cert("local.bound", _local("max", eq), 2, {"mixture": mix}, ">="), "constraint 0 fails")
    malformed(cert("local.bound", _local("max", eq), 2, {"strategy": strat}, ">="), "unknown field")
    refused(cert("local.bound", _local("max", eq), 2, {}, ">="), "proves no lower bound")


# ---------------------------------------------------------------- lp.ns, lp.threshold


CHSH_LINEAR = [[f"{x}{y}", f"{a}{b}", R(Fraction((-1) ** (x * y + a + b)))]
               for x, y, a, b in product(range(2), repeat=4)]


def _ns(sense="max", objective=None, constraints=None):
    p = {"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, "promise": None,
         "objective": objective or {"kind": "linear", "terms": CHSH_LINEAR}, "sense": sense}
    if constraints is not None:
        p["constraints"] = constraints
    return p


NORMS = {f"norm:{x}{y}": "1" for x, y in product(range(2), repeat=2)}
PR = {f"{x}{y}|{a}{b}": "1/2" for x, y, a, b in product(range(2), repeat=4) if (a + b) % 2 == x * y}


def test_ns_min_sign():
    """min CHSH over NS = -4 (anti-PR box). The max dual (norms = 1) read as a min dual proves min >= -4; the
    sign of a "min" primal: the PR box attains +4, so it proves min <= 4, never min >= 4."""
    assert check(cert("lp.ns", _ns("min"), -4, {"dual": NORMS}, ">=")).ok
    refused(cert("lp.ns", _ns("min"), Fraction(-39, 10), {"dual": NORMS}, ">="), "not >=")
    verdict = check(cert("lp.ns", _ns("min"), 4, {"primal": PR}, "<="))
    assert verdict.ok and verdict.high == 4 and verdict.low is None
    refused(cert("lp.ns", _ns("min"), 4, {"primal": PR}, ">="), "proves no lower bound")


def test_guess_sub_boxes_must_each_be_no_signalling():
    """Guess of Alice's a at x = 0, given CHSH == 4 (so P is a PR box): the NS answer is 1/2. Splitting the PR
    box into P_e = PR restricted to a = e (each SIGNALLING, their sum NS) would score 1: refused."""
    objective = {"kind": "guess", "parties": [0], "inputs": [0]}
    cons = [{"expression": expr_json(chsh()), "relation": "==", "value": "4"}]
    problem = _ns(objective=objective, constraints=cons)
    split = {}
    for (x, y, a, b) in product(range(2), repeat=4):
        if (a + b) % 2 == x * y:
            split[f"{x}{y}|{a}{b}|{a}"] = "1/2"  # sub-box e = a: Bob's marginal at y = 1 depends on x
    refused(cert("lp.ns", problem, 1, {"primal": split}, ">="), "primal violates row ns:")
    # the honest split: each sub-box is half the PR box, scoring 1/2 in all
    halves = {f"{k}|{e}": "1/4" for k in PR for e in range(2)}
    verdict = check(cert("lp.ns", problem, Fraction(1, 2), {"primal": halves}, ">="))
    assert verdict.ok and verdict.low == Fraction(1, 2)


def test_ns_constraint_slack_sign():
    """max CHSH s.t. CHSH >= 4 is 4; a dual with y_con > 0 on a ">=" row would let the norms go down and prove
    max <= 2 (false: the PR box attains 4). The slack column's check (-y >= 0) refuses it."""
    cons = [{"expression": expr_json(chsh()), "relation": ">=", "value": "4"}]
    problem = _ns(constraints=cons)
    # y_con = 1 and norms 0: (A^T y)_col = CHSH coefficient = c: every box column exact; b.y = 4
    dual = {"con:0": "1"}
    refused(cert("lp.ns", problem, 4, {"dual": dual}), "dual infeasible at column slack:0")
    dual = {"con:0": "1/2", **{k: "1/2" for k in NORMS}}  # b.y = 2 + 2 = 4, and at -1/2 ... (still needs y <= 0)
    refused(cert("lp.ns", problem, 4, {"dual": dual}), "dual infeasible at column slack:0")
    # "<=" with y_con < 0 likewise
    cons = [{"expression": expr_json(chsh()), "relation": "<=", "value": "2"}]
    refused(cert("lp.ns", _ns(constraints=cons), 2, {"dual": {"con:0": "-1", **{k: "1" for k in NORMS}}}),
            "dual infeasible")
    # and the honest one: max CHSH s.t. CHSH <= 2 is 2 (y_con = 1, norms 0)
    assert check(cert("lp.ns", _ns(constraints=cons), 2, {"dual": {"con:0": "1"}})).ok


def test_bell_objective_marginals_are_read_at_x_rest_zero_only_on_ns_boxes():
    """P(a = 0 | x = 1) as a Bell marginal is read at y = 0: a signalling primal whose marginal at y = 0 is 1
    but at y = 1 is 0 is refused (it is not a box of the polytope)."""
    expr = make_expression(CHSH_SC, [((0, None), (1, None), 1)])
    problem = _ns(objective={"kind": "bell", "expression": expr_json(expr)})
    box = {}
    for x, y in product(range(2), repeat=2):
        a = 0 if (x, y) == (1, 0) else 1
        box[f"{x}{y}|{a}0"] = "1"
    refused(cert("lp.ns", problem, 1, {"primal": box}, ">="), "primal violates row ns:")


def _threshold(value, evidence, relation="<="):
    lp = {"scenario": {"inputs": [2, 2], "outputs": [2, 2]}, "promise": None,
          "objective": {"kind": "linear", "terms": CHSH_LINEAR}, "sense": "max"}
    penalty = {"kind": "linear", "terms": [["00", "00", "1"]]}
    return cert("lp.threshold", {"lp": lp, "penalty": penalty, "target": "2"}, value, evidence, relation)


def test_threshold_box_and_dual_directions():
    """c* = inf {c : CHSH - c P(00|00) <= 2 on NS}. The PR box (P(00|00) = 1/2, CHSH 4) gives c* >= 4; a claim
    c* <= 1 needs a dual of CHSH - P(00|00) bounded by 2 (false: the PR box gives 3.5): none verifies."""
    verdict = check(_threshold(4, {"box": PR}, ">="))
    assert verdict.ok and verdict.low == 4
    refused(_threshold(5, {"box": PR}, ">="), "not >=")
    refused(_threshold(1, {"dual": NORMS}), "dual infeasible", "above the target")
    refused(_threshold(1, {"box": PR}, "<="), "proves no upper bound")
    unnormalised = {f"{x}{y}|{a}{b}": "1/2" for x, y, a, b in product(range(2), repeat=4)
            if (a + b) % 2 == x * y and (a, b) != (0, 0)}
    refused(_threshold(1, {"box": unnormalised}, ">="), "primal violates row")  # refused before B(P) is used


# ---------------------------------------------------------------- amplify.bound


def _eq13_decimal(eps, alpha, beta, n_d, k):
    """eq. (13) evaluated independently in 80-digit Decimal arithmetic."""
    getcontext().prec = 80
    d = lambda f: Decimal(f.numerator) / Decimal(f.denominator)  # noqa: E731
    x1 = n_d * d(alpha).ln()
    x2 = k * (1 - d(eps)).ln() + n_d * (32 * d(beta) / d(eps) ** 5).ln()
    return Decimal(1) / 2 + Decimal(3) / 2 * Decimal(n_d).sqrt() * (x1.exp() + 2 * x2.exp())


def test_amplify_directed_rounding_against_an_independent_evaluation():
    c = load_json(os.path.join(ROOT, "proofs/gallego2013/amplification/illustrative-tau-1e-3.json"))
    assert check(c).ok
    p = c["claim"]["problem"]
    args = (Fraction(p["eps"]), Fraction(p["alpha"]), Fraction(p["beta"]), p["n_d"], int(p["n_b_log2"]))
    exact = _eq13_decimal(*args)
    verdict = check(c)
    assert Decimal(verdict.high.numerator) / Decimal(verdict.high.denominator) >= exact
    below = Fraction(exact.quantize(Decimal(1).scaleb(-40), rounding="ROUND_FLOOR"))
    c2 = copy.deepcopy(c)
    c2["claim"]["value"] = R(below)
    refused(c2, "not <=")
    # fewer Bell rounds: the bound must grow (a smaller k cannot pass the same value)
    for k in (13000, 13600):
        p2 = dict(p, n_b_log2=str(k))
        if _eq13_decimal(*args[:4], k) > Fraction(c["claim"]["value"]):
            refused(cert("amplify.bound", p2, Fraction(c["claim"]["value"]), {}), "not <=", "exponent")


# ---------------------------------------------------------------- the door and folders


def test_door_hash_and_relations():
    problem, evidence, bound = npa_honest()
    c = cert("npa.max", problem, bound, evidence)
    c["problem_sha256"] = "0" * 64
    assert check(c).status == "false" and "problem_sha256" in check(c).reason
    # a problem changed after hashing (another level): the hash refuses before any evidence is read
    c = cert("npa.max", problem, bound, evidence)
    c["claim"]["problem"] = dict(problem, level="2")
    assert check(c).status == "false"
    # "==" needs both sides: local.bound has both, its value must sit in between
    assert check(cert("local.bound", _local(), 2, {"strategy": [[0, 0], [0, 0]]}, "==")).value == 2


def _write(folder, name, obj):
    path = os.path.join(folder, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(obj, handle)
    return path


def _entry(name, c):
    claim = c["claim"]
    return {"file": name, "id": claim["id"], "kind": claim["kind"], "relation": claim["relation"],
            "value": claim["value"], "problem_sha256": c["problem_sha256"], "statement": claim["statement"]}


def test_manifest_cannot_show_verified_for_what_was_not_checked(tmp_path):
    folder = str(tmp_path)
    good = cert("local.bound", _local(), 2, {"strategy": [[0, 0], [0, 0]]}, "==")
    false = cert("local.bound", _local(), 3, {"strategy": [[0, 0], [0, 0]]}, "<=")
    false["claim"]["id"] = "attack/false"
    _write(folder, "good.json", good)
    _write(folder, "sub/false.json", false)
    # the manifest lists only good.json: the other certificate is reported, not ignored
    _write(folder, "manifest.json", {"format": "certify/1", "claims": [_entry("good.json", good)]})
    verdicts = check_path(folder)
    assert {v.status for v in verdicts} == {"verified", "malformed"}
    # listing the false one under a stated value it does not have: the stated value is compared
    _write(folder, "manifest.json", {"format": "certify/1", "claims": [
        _entry("good.json", good), dict(_entry("sub/false.json", false), value="4")]})
    statuses = sorted(v.status for v in check_path(folder))
    assert statuses == ["false", "verified"]
    # the same file twice under two spellings, and a file outside the folder, are refused
    _write(folder, "manifest.json", {"format": "certify/1", "claims": [
        _entry("good.json", good), dict(_entry("./good.json", good), id="x")]})
    assert any("listed twice" in v.reason for v in check_path(folder))
    _write(folder, "manifest.json", {"format": "certify/1", "claims": [
        _entry("good.json", good), dict(_entry("sub/../good.json", good), id="x")]})
    assert any("inside the folder" in v.reason for v in check_path(folder))
    outside = _write(str(tmp_path.parent / (tmp_path.name + "_out")), "o.json", good)
    os.symlink(outside, os.path.join(folder, "link.json"))
    _write(folder, "manifest.json", {"format": "certify/1", "claims": [_entry("link.json", good)]})
    verdicts = check_path(folder)
    assert not any(v.ok for v in verdicts) and any("inside the folder" in v.reason for v in verdicts)


# ---------------------------------------------------------------- independent recomputations (seeded)


def _det(m):
    m, d = [[Fraction(v) for v in r] for r in m], Fraction(1)
    for c in range(len(m)):
        p = next((r for r in range(c, len(m)) if m[r][c]), None)
        if p is None:
            return Fraction(0)
        if p != c:
            m[c], m[p], d = m[p], m[c], -d
        d *= m[c][c]
        for r in range(c + 1, len(m)):
            f = m[r][c] / m[c][c]
            m[r] = [a - f * b for a, b in zip(m[r], m[c])]
    return d


def test_exact_psd_agrees_with_all_principal_minors():
    """integer_psd (both backends) against Sylvester's criterion for PSD (every principal minor >= 0) on
    low-rank integer matrices with zero pivots and small indefinite perturbations."""
    import random
    from itertools import combinations

    from certify.kernel.psd import integer_psd
    rng = random.Random(23)
    for _ in range(400):
        n, r = rng.randint(1, 5), rng.randint(0, 4)
        v = [[rng.randint(-2, 2) for _ in range(r)] for _ in range(n)]
        m = [[sum(a * b for a, b in zip(v[i], v[j])) for j in range(n)] for i in range(n)]
        if rng.random() < 0.6:
            i, j, d = rng.randrange(n), rng.randrange(n), rng.choice([-1, 1, -2])
            m[i][j] += d
            m[j][i] += d if i != j else 0
        want = all(_det([[m[i][j] for j in s] for i in s]) >= 0
                   for k in range(1, n + 1) for s in combinations(range(n), k))
        for backend in ("int", "flint"):
            assert integer_psd([row[:] for row in m], backend) == want, (m, backend)


def test_local_optimum_agrees_with_brute_force():
    import random

    from certify.kernel.local import optimum
    rng = random.Random(23)
    for _ in range(150):
        n = rng.randint(1, 3)
        ins, outs = tuple(rng.randint(1, 3) for _ in range(n)), tuple(rng.randint(2, 3) for _ in range(n))
        sc, terms = Scenario(ins, outs), []
        for _ in range(rng.randint(1, 6)):
            s = [i for i in range(n) if rng.random() < 0.6] or [rng.randrange(n)]
            terms.append(([rng.randrange(outs[i]) if i in s else None for i in range(n)],
                          [rng.randrange(ins[i]) if i in s else None for i in range(n)],
                          Fraction(rng.randint(-5, 5), rng.randint(1, 4))))
        expr = make_expression(sc, terms, Fraction(rng.randint(-3, 3), 2))
        values = []
        for table in product(*[list(product(range(outs[i]), repeat=ins[i])) for i in range(n)]):
            values.append(expr.constant + sum(c for o, x, c in expr.terms
                                              if all(a is None or table[i][x[i]] == a for i, a in enumerate(o))))
        assert optimum(sc, expr, True, "t")[0] == max(values)
        assert optimum(sc, expr, False, "t")[0] == min(values)


def test_strategy_behaviour_agrees_with_numpy_kron():
    import random

    import numpy as np

    from certify.kernel.strategy import _behaviour
    rng = random.Random(23)

    def projectors(d, k):  # Householder-rotated diagonal projectors: rational, symmetric, summing to 1
        v = [rng.randint(-2, 2) for _ in range(d)]
        v[0] = v[0] or 1
        vv = sum(a * a for a in v)
        h = [[Fraction(int(i == j)) - Fraction(2 * v[i] * v[j], vv) for j in range(d)] for i in range(d)]
        labels = [rng.randrange(k) for _ in range(d)]
        return [[[sum(h[i][t] * h[j][t] for t in range(d) if labels[t] == a) for j in range(d)] for i in range(d)]
                for a in range(k)]

    for _ in range(60):
        n = rng.randint(1, 3)
        ins, outs, dims = (tuple(rng.randint(1, 2) for _ in range(n)), tuple(rng.randint(2, 3) for _ in range(n)),
                           [rng.randint(1, 3) for _ in range(n)])
        ops = [[projectors(dims[i], outs[i]) for _ in range(ins[i])] for i in range(n)]
        psi = [Fraction(rng.randint(-3, 3), rng.randint(1, 3)) for _ in range(int(np.prod(dims)))]
        psi[0] = psi[0] or Fraction(1)
        comp = {"weight": "1", "dims": dims, "state": [R(v) for v in psi],
                "projectors": [[[[[R(v) for v in row] for row in p] for p in x] for x in party] for party in ops]}
        keys = {(tuple(rng.randrange(outs[i]) if i in s else None for i in range(n)),
                 tuple(rng.randrange(ins[i]) if i in s else None for i in range(n)))
                for s in ([i for i in range(n) if rng.random() < 0.6] or [0] for _ in range(5))}
        got = _behaviour(comp, Scenario(ins, outs), keys, [10**9], "t")
        vec = np.array([float(v) for v in psi])
        for o, x in keys:
            op = np.array([[1.0]])
            for i in range(n):
                op = np.kron(op, np.array(ops[i][x[i]][o[i]], dtype=float) if o[i] is not None else np.eye(dims[i]))
            assert abs(float(got[(o, x)]) - vec @ op @ vec / (vec @ vec)) < 1e-9
