"""NPA with full observed statistics: "expression = value" constraints with free multipliers mu_k."""

import copy
import json
from fractions import Fraction
from pathlib import Path

import pytest

from certify.behaviour import check_no_signalling, full_statistics, read_behaviour, table_of
from certify.errors import CertifyError
from certify.expressions import scenario_to_json
from certify.kernel import check_certificate, problem_sha256
from certify.kernel.defs.scenario import Scenario
from certify.kernel.format import Reject
from certify.kernel.npa import parse_problem, tangent_of
from certify.npa import certify_problem, chsh_guess_problem, guess_objective, problem

ROOT = Path(__file__).resolve().parents[2]
CHSH = Scenario((2, 2), (2, 2))
C = Fraction(7, 10)  # correlators +-7/10: the Tsirelson box with visibility 0.99, CHSH = 2.8


def noisy_tsirelson(a, x):
    return (1 + (-1) ** (a[0] ^ a[1] ^ (x[0] * x[1])) * C) / 4


@pytest.fixture(scope="module")
def certified():
    definition = problem(CHSH, "1+AB", guess_objective([0, 1], [0, 0]),
                         statistics=full_statistics(CHSH, table_of(CHSH, noisy_tsirelson)))
    return definition, certify_problem(definition)


def _certificate(definition, result):
    from certify.papers.produce import npa_certificate

    return npa_certificate("test/statistics", "full statistics", definition, result)


def test_full_statistics_are_the_eight_collins_gisin_terms():
    stats = full_statistics(CHSH, table_of(CHSH, noisy_tsirelson))
    assert [v for _, v in stats] == [Fraction(1, 2)] * 4 + [Fraction(17, 40)] * 3 + [Fraction(3, 40)]


def test_full_statistics_bound_is_below_the_chsh_only_bound(certified):
    # Fixing the whole (symmetric) box leaves Eve less room than fixing only CHSH = 2.8.
    definition, result = certified
    assert result is not None and abs(float(result.bound) - 0.516207) < 1e-5
    chsh_only = certify_problem(chsh_guess_problem("1+AB", Fraction(28, 10)))
    assert abs(float(chsh_only.bound) - 0.531992) < 1e-5
    assert result.bound < chsh_only.bound


def test_certificate_verifies_and_states_its_multipliers(certified):
    definition, result = certified
    cert = _certificate(definition, result)
    verdict = check_certificate(json.loads(json.dumps(cert)), "c")
    assert verdict.ok and verdict.value >= result.bound
    assert len(cert["evidence"]["mu"]) == 8


def test_statistics_dual_sign_convention(certified):
    # cvxpy's equality duals enter the identity with a minus sign: flipping every mu breaks it.
    definition, result = certified
    evidence = copy.deepcopy(result.evidence)
    evidence["mu"] = [str(-Fraction(m)) for m in evidence["mu"]]
    with pytest.raises(Reject, match="dual identity fails"):
        tangent_of(parse_problem(definition, "p"), evidence, "e")


def test_missing_or_altered_multiplier_is_never_verified(certified):
    definition, result = certified
    npa = parse_problem(definition, "p")
    dropped = {k: v for k, v in result.evidence.items() if k != "mu"}
    with pytest.raises(CertifyError, match="missing field 'mu'"):
        tangent_of(npa, dropped, "e")
    altered = copy.deepcopy(result.evidence)
    altered["mu"][3] = str(Fraction(altered["mu"][3]) + Fraction(1, 10**12))
    with pytest.raises(Reject):
        tangent_of(npa, altered, "e")


def test_a_changed_observed_value_changes_the_proven_bound(certified):
    # mu_k v_k enters the bound: the same evidence proves a different number for other data.
    definition, result = certified
    other = copy.deepcopy(definition)
    other["statistics"][7]["value"] = "1/10"
    nu, lam = tangent_of(parse_problem(other, "p"), result.evidence, "e")
    assert nu != result.nu


def test_problem_without_statistics_keeps_its_hash():
    definition = chsh_guess_problem("1+AB", Fraction(2414, 1000))
    assert "statistics" not in definition
    assert parse_problem(definition, "p").statistics == ()
    assert problem_sha256(definition) == problem_sha256(json.loads(json.dumps(definition)))


def test_bits_chain_refuses_a_tangent_conditioned_on_statistics(certified):
    definition, result = certified
    chain = json.loads((ROOT / "proofs" / "pironio2010" / "bits" / "table1-level-1+AB.json").read_text())
    tangent = chain["evidence"]["tangents"]["00"]
    tangent["problem"]["statistics"] = definition["statistics"]
    verdict = check_certificate(chain, "c")
    assert not verdict.ok and "expected exactly scenario, level, objective, constraint" in verdict.reason


def test_pr_box_statistics_give_no_certificate():
    def pr(a, x):
        return Fraction(1, 2) if (a[0] ^ a[1]) == x[0] * x[1] else 0

    definition = problem(CHSH, "1+AB", guess_objective([0, 1], [0, 0]),
                         statistics=full_statistics(CHSH, table_of(CHSH, pr)))
    assert certify_problem(definition) is None  # outside the quantum set: infeasible


def test_signalling_behaviour_is_refused():
    def signalling(a, x):  # Alice outputs Bob's input
        return Fraction(1, 2) if a[0] == x[1] else 0

    with pytest.raises(CertifyError, match="signals"):
        check_no_signalling(CHSH, table_of(CHSH, signalling), "box")


def test_behaviour_file_errors_name_the_entry(tmp_path):
    rows = [{"outputs": [a, b], "inputs": [x, y], "p": "1/4"} for x in (0, 1) for y in (0, 1)
            for a in (0, 1) for b in (0, 1)]
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"scenario": scenario_to_json(CHSH), "p": rows}))
    scenario, table = read_behaviour(str(path))
    assert scenario == CHSH and set(table.values()) == {Fraction(1, 4)}
    rows[5]["p"] = "-1/4"
    path.write_text(json.dumps({"scenario": scenario_to_json(CHSH), "p": rows}))
    with pytest.raises(CertifyError, match=r"p\[5\]\.p: negative"):
        read_behaviour(str(path))
    path.write_text(json.dumps({"scenario": scenario_to_json(CHSH), "p": rows[:-1]}))
    with pytest.raises(CertifyError, match="expected 16 entries"):
        read_behaviour(str(path))


def test_impossible_statistics_cannot_certify_a_vacuous_guess_bound():
    # "P(a=0|x=0) = 2" has no feasible point, so a dual can push the bound anywhere; the kernel
    # refuses a guess bound below 1/k (k guesses), which no feasible relaxation can have.
    from certify.kernel.defs.scenario import make_expression
    from certify.npa import problem as make_problem

    stats = [(make_expression(CHSH, [((0, None), (0, None), 1)]), Fraction(2))]
    definition = make_problem(CHSH, "1", guess_objective([0], [0]), statistics=stats)
    npa = parse_problem(definition, "p")
    n = npa.structure.size
    index = {w: i for i, w in enumerate(npa.structure.words)}
    a0 = next(i for i in range(n) if npa.structure.entry[0][i] == index[((0, 0, 0),)])
    # Block "guess 0": Z = 3 (1 - A0)(1 - A0)^T; block "guess 1": (1 - A0)(1 - A0)^T + e0 e0^T. Both PSD,
    # and with mu = 2, nu = 3 every identity holds exactly: the bound would be nu - mu * 2 = -1.
    def block(scale, top=0):
        z = [[Fraction(0)] * n for _ in range(n)]
        z[0][0], z[0][a0], z[a0][0], z[a0][a0] = scale + top, -scale, -scale, scale
        return z
    evidence = {"nu": "3", "lambda": "0", "mu": ["2"],
                "Z": [[[str(z[i][j]) for j in range(i, n)] for i in range(n)] for z in (block(3), block(1, 1))]}
    from certify.certificate import make_certificate

    bound, _ = tangent_of(npa, evidence, "e")  # the identities and PSD hold: the dual is valid
    assert bound == -1
    cert = make_certificate("t/vacuous", "npa.max", "vacuous", definition, "<=", bound, evidence)
    verdict = check_certificate(cert, "t")
    assert not verdict.ok and "below 1/2" in verdict.reason
