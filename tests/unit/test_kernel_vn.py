"""Kernel kinds vn.node / vn.bound: the quadrature lemma, the node lemma, words with Z, bad input."""

import copy
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from certify.certificate import checked, dumps, make_certificate
from certify.errors import CertifyError
from certify.kernel import KINDS
from certify.kernel.defs.scenario import Scenario, chsh
from certify.kernel.defs.words import EVE, adjoint, canonical, reduce_word
from certify.kernel.format import format_rational, loads
from certify.kernel.vn import legendre, node_objective, parse_relaxation
from certify.vn.produce import LEVEL, chsh_bound, definition
from certify.vn.quadrature import gauss_radau, node_intervals

BASE = definition(Scenario((2, 2), (2, 2)), [0], [0], chsh(), Fraction(27, 10))


def test_kinds_registered():
    assert KINDS["vn.node"] == "certify.kernel.vn:check_node"
    assert KINDS["vn.bound"] == "certify.kernel.vn:check_bound"


@pytest.mark.parametrize("m", [2, 3, 4, 8, 12])
def test_radau_rule_is_exact_and_kernel_weights_agree(m):
    """The rule the kernel encloses (A&S 25.4.31 mirrored) integrates t^j exactly, j <= 2m - 2,
    and the kernel's c_i = 1 / (m^2 P_{m-1}(x_i)^2 ln 2) equals w_i / (t_i ln 2)."""
    with mpmath.workdps(60):
        ts, ws = gauss_radau(m)
        assert ts[-1] == 1 and abs(ws[-1] - mpmath.mpf(1) / m**2) < mpmath.mpf(10) ** -50
        for j in range(2 * m - 1):
            assert abs(sum(w * t**j for t, w in zip(ts, ws)) - mpmath.mpf(1) / (j + 1)) < mpmath.mpf(10) ** -45
        for t, w in zip(ts[:-1], ws[:-1]):
            assert abs(1 / (m * m * mpmath.legendre(m - 1, 2 * t - 1) ** 2) - w / t) < mpmath.mpf(10) ** -45


def test_legendre_recursion_is_exact():
    x = Fraction(1, 3)
    assert legendre(2, x) == (x, (3 * x * x - 1) / 2)
    assert legendre(3, Fraction(1)) == (1, 1)


def test_node_intervals_hold_a_sign_change_and_shifted_ones_do_not():
    q = lambda t, m: (lambda p: p[0] - p[1])(legendre(m, 2 * t - 1))
    for lo, hi in node_intervals(8):
        assert q(lo, 8) * q(hi, 8) <= 0
        width = hi - lo
        assert q(lo + 2 * width, 8) * q(hi + 2 * width, 8) > 0


def _random_strategy(rng, d=3):
    """M = P (x) 1 on C^2 (x) C^d and Z = 1 (x) Z_E: they commute, 0 <= M <= 1."""
    v = rng.normal(size=2) + 1j * rng.normal(size=2)
    p = np.outer(v, v.conj()) / np.vdot(v, v)
    m = [np.kron(p, np.eye(d)), np.kron(np.eye(2) - p, np.eye(d))]
    z = [np.kron(np.eye(2), rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))) for _ in m]
    return m, z


def _objective(m, z, alpha, beta):
    return sum(mk @ (zk + zk.conj().T + alpha * zk.conj().T @ zk) + beta * zk @ zk.conj().T for mk, zk in zip(m, z))


@pytest.mark.parametrize("seed", range(20))
def test_node_lemma_and_clamp_on_random_operators(seed):
    """O(t) - O' >= 0 for lo <= t <= hi (lemma (node)) and O(t) >= -1 (lemma (clamp))."""
    rng = np.random.default_rng(seed)
    m, z = _random_strategy(rng)
    lo, hi = sorted(rng.uniform(0.01, 0.99, size=2))
    low = _objective(m, z, 1 - hi, lo)
    for t in np.linspace(lo, hi, 5):
        full = _objective(m, z, 1 - t, t)
        assert np.linalg.eigvalsh(full - low).min() > -1e-9
        assert np.linalg.eigvalsh(full + np.eye(len(full))).min() > -1e-9


def test_z_words_normal_form_and_adjoint():
    z0, z0s, a = (EVE, 0, 0), (EVE, 1, 0), (0, 0, 0)
    assert reduce_word((z0, a, a)) == (a, z0)  # Z commutes with A, A^2 = A
    assert adjoint((a, z0s, z0)) == (a, z0s, z0)  # (A Z^* Z)^* = Z^* Z A = A Z^* Z
    assert adjoint((a, z0)) == (a, z0s)
    assert reduce_word(((0, 0, 0), (0, 0, 1), z0)) is None


def test_level_sizes_and_objective_words():
    rel = parse_relaxation(BASE, set(), "p")
    assert rel.structure.size == 45 and LEVEL == "1+AB+AZ+BZ+ABZ"
    goal = node_objective(rel, Fraction(1, 4), Fraction(1, 3), "o")
    z1, z1s, a = (EVE, 0, 1), (EVE, 1, 1), (0, 0, 0)
    table = {w: k for k, w in enumerate(rel.structure.words)}
    word = lambda *letters: table[canonical(letters)]
    # M_1 = 1 - A0: (1 - hi) Z_1^* Z_1 - (1 - hi) A0 Z_1^* Z_1, and lo Z_1 Z_1^*
    assert goal[word(z1s, z1)] == Fraction(2, 3) and goal[word(a, z1s, z1)] == Fraction(-2, 3)
    assert goal[word(z1, z1s)] == Fraction(1, 4)
    assert goal[word(a, z1)] == 2 * Fraction(-1) and goal[word(z1)] == 2


@pytest.mark.parametrize("level, message", [
    ("1", "is not an entry of the moment matrix"),
    ("1+ZA", "not canonical"),
    ("1+AZ+AZ", "repeats a term"),
    ("1+AC", "names party C, not in the scenario"),
    ("0", "does not parse"),
    ([2], "expected a level"),
])
def test_bad_levels_name_the_field(level, message):
    cert = make_certificate("x", "vn.node", "s", dict(BASE, level=level, t=["1/4", "1/3"]), ">=", -1,
                            {"nu": "0", "lambda": "0", "Z": []})
    with pytest.raises(CertifyError, match=message) as err:
        checked(cert, "f.json")
    assert str(err.value).startswith("f.json.claim.problem")


def _bound_cert(intervals, m=8):
    nodes = [{"t": [str(lo), str(hi)], "nu": "0", "lambda": "0", "Z": [[]]} for lo, hi in intervals]
    return make_certificate("x", "vn.bound", "s", dict(BASE, nodes=m), ">=", 0, {"nodes": nodes})


def test_bound_rejects_moved_or_missing_nodes_before_reading_duals():
    good = node_intervals(8)
    lo, hi = good[2]
    moved = good[:2] + [(lo + 4 * (hi - lo), hi + 4 * (hi - lo))] + good[3:]
    verdict = checked(_bound_cert(moved), "f.json")
    assert verdict.status == "false" and "nodes[2].t" in verdict.reason
    unordered = [good[1], good[0]] + good[2:]
    assert checked(_bound_cert(unordered), "f.json").status == "false"
    with pytest.raises(CertifyError, match=r"f.json.evidence.nodes: expected 7 node certificates"):
        checked(_bound_cert(good[:6]), "f.json")
    with pytest.raises(CertifyError, match=r"f.json.claim.problem.nodes: expected an integer in \[2, 16\]"):
        checked(_bound_cert(good, m=1), "f.json")
    # right intervals: the duals are read next (here malformed: an empty Z)
    with pytest.raises(CertifyError, match=r"f.json.evidence.nodes\[0\].Z\[0\]: expected 45 upper-triangle rows"):
        checked(_bound_cert(good), "f.json")


def test_node_t_must_lie_in_unit_interval():
    cert = make_certificate("x", "vn.node", "s", dict(BASE, t=["1/2", "1/3"]), ">=", -1,
                            {"nu": "0", "lambda": "0", "Z": [[]]})
    with pytest.raises(CertifyError, match=r"f.json.claim.problem.t: expected 0 < lo <= hi <= 1"):
        checked(cert, "f.json")


# --- a real certificate: H(A|X=0,E) given CHSH >= 14/5, m = 4 (produced here, ~5 s) ------------




@pytest.fixture(scope="module")
def cert():
    made, _ = chsh_bound(Fraction(14, 5), 4)
    return loads(dumps(made), "made")


def _verdict(c):
    return checked(c, "f.json")


def test_committed_bound_verifies_below_the_analytic_value(cert):
    verdict = _verdict(cert)
    assert verdict.ok and verdict.kind == "vn.bound"
    assert verdict.low < Fraction(9185310, 10**7)  # analytic 0.9185311: a bound above it is unsound
    assert float(verdict.low) == pytest.approx(0.897930, abs=2e-6)  # m = 4 (the 0.898)


def test_claimed_value_one_step_above_the_proven_one_is_false(cert):
    low = _verdict(cert).low
    exact = copy.deepcopy(cert)
    exact["claim"]["value"] = format_rational(low)
    assert _verdict(exact).ok
    above = copy.deepcopy(cert)
    above["claim"]["value"] = format_rational(low + Fraction(1, 10**60))
    verdict = _verdict(above)
    assert verdict.status == "false" and "the evidence proves >=" in verdict.reason


@pytest.mark.parametrize("node", [0, 2])
def test_altered_dual_entry_is_false(cert, node):
    bad = copy.deepcopy(cert)
    row = bad["evidence"]["nodes"][node]["Z"][0][3]
    row[1] = format_rational(Fraction(row[1]) + Fraction(1, 10**9))
    verdict = _verdict(bad)
    assert verdict.status == "false" and f"nodes[{node}]" in verdict.reason


def test_moved_or_widened_node_is_false(cert):
    moved = copy.deepcopy(cert)
    lo, hi = (Fraction(x) for x in moved["evidence"]["nodes"][1]["t"])
    moved["evidence"]["nodes"][1]["t"] = [format_rational(lo + 2 * (hi - lo)), format_rational(hi + 2 * (hi - lo))]
    assert "is not the next Gauss-Radau node interval" in _verdict(moved).reason
    # still around the node, but the node objective (lo, hi) changed: the dual identities fail
    wide = copy.deepcopy(cert)
    wide["evidence"]["nodes"][1]["t"] = [format_rational(lo - (hi - lo)), format_rational(hi)]
    verdict = _verdict(wide)
    assert verdict.status == "false" and "dual identity fails" in verdict.reason


def test_other_rule_or_problem_is_not_the_certified_one(cert):
    # the weights are not data: the kernel derives them from m; another m is another rule
    other = copy.deepcopy(cert)
    other["claim"]["problem"]["nodes"] = 5
    assert _verdict(other).status == "false"  # problem_sha256 no longer matches
    from certify.kernel import problem_sha256
    other["problem_sha256"] = problem_sha256(other["claim"]["problem"])
    with pytest.raises(CertifyError, match="expected 4 node certificates"):
        _verdict(other)
    # a weaker constraint (CHSH >= 27/10: more strategies) is not implied; a stronger one is
    # (the same duals prove lambda * I - nu' with lambda >= 0, which only grows with I)
    lower = copy.deepcopy(cert)
    lower["claim"]["problem"]["constraint"]["at"] = "27/10"
    lower["problem_sha256"] = problem_sha256(lower["claim"]["problem"])
    assert _verdict(lower).status == "false"
    higher = copy.deepcopy(cert)
    higher["claim"]["problem"]["constraint"]["at"] = "141/50"
    higher["problem_sha256"] = problem_sha256(higher["claim"]["problem"])
    assert _verdict(higher).ok and _verdict(higher).low > _verdict(cert).low


def test_node_bound_above_zero_is_rejected_as_vacuous(cert):
    """A positive node bound proves infeasible constraints (Z = 0 gives 0): rejected, not summed."""
    from certify.kernel.vn import node_bound
    rel = parse_relaxation(cert["claim"]["problem"], {"nodes"}, "p")
    node = copy.deepcopy(cert["evidence"]["nodes"][0])
    lo, hi = (Fraction(x) for x in node.pop("t"))
    nu = Fraction(node["nu"])
    node["nu"] = format_rational(nu - 5)
    node["Z"][0][0][0] = format_rational(Fraction(node["Z"][0][0][0]) - 5)  # keeps the identity of word 1
    from certify.kernel.format import Reject
    with pytest.raises(Reject):
        node_bound(rel, lo, hi, node, "e", "t", "l")


def _with(cert, **fields):
    from certify.kernel import problem_sha256
    out = copy.deepcopy(cert)
    out["claim"]["problem"].update(fields)
    out["problem_sha256"] = problem_sha256(out["claim"]["problem"])
    out["claim"]["value"] = "-1"
    return out


def test_depolarising_rate_subtracts_an_upper_bound_on_h(cert):
    """S = 14/5 <= 2 sqrt 2 (1 - 2/200): r = H - h(1/200) is proven, h enclosed from above."""
    low = _verdict(cert).low
    rate = _verdict(_with(cert, depolarising="1/200"))
    with mpmath.workdps(50):
        q = mpmath.mpf(1) / 200
        h = -(q * mpmath.log(q, 2) + (1 - q) * mpmath.log(1 - q, 2))
        gap = mpmath.mpf((low - rate.low).numerator) / (low - rate.low).denominator
        assert rate.ok and abs(gap - h) < mpmath.mpf(10) ** -25  # both sums are rounded down to 96 bits
    # at Q = 1/100 the depolarised devices have CHSH 2 sqrt 2 * 0.98 = 2.7719 < 14/5: not covered
    assert "exceeds 2 sqrt 2 (1 - 2Q)" in _verdict(_with(cert, depolarising="1/100")).reason
    for bad in ("1/2", "-1/100"):
        with pytest.raises(CertifyError, match=r"f.json.claim.problem.depolarising: expected 0 <= Q < 1/2"):
            _verdict(_with(cert, depolarising=bad))
    with pytest.raises(CertifyError, match="depolarising: expected"):
        _verdict(_with(cert, depolarising="1/200", entropy={"parties": [0], "inputs": [1]}))
