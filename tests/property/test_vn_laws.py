"""Laws of the vn.bound node-interval check: an interval is accepted iff it encloses its node."""

import copy
from fractions import Fraction

import mpmath
from hypothesis import example, given, settings
from hypothesis import strategies as st

from certify.certificate import checked, dumps, make_certificate
from certify.errors import CertifyError
from certify.kernel.defs.scenario import Scenario, chsh
from certify.kernel.format import format_rational, loads
from certify.vn.produce import analytic_chsh, chsh_bound, definition
from certify.vn.quadrature import gauss_radau, node_intervals

BASE = definition(Scenario((2, 2), (2, 2)), [0], [0], chsh(), Fraction(27, 10))
M = 6
GOOD = node_intervals(M)
with mpmath.workdps(60):
    NODES = [Fraction(int(mpmath.floor(t * 2**200)), 2**200) for t in gauss_radau(M)[0][:-1]]


def _stage(intervals):
    """"rejected" (a false verdict) or "duals" (the intervals passed; the dummy duals are read next)."""
    nodes = [{"t": [str(lo), str(hi)], "nu": "0", "lambda": "0", "Z": [[]]} for lo, hi in intervals]
    cert = make_certificate("x", "vn.bound", "s", dict(BASE, nodes=M), ">=", 0, {"nodes": nodes})
    try:
        verdict = checked(cert, "f.json")
    except CertifyError as err:
        assert "Z[0]" in str(err)
        return "duals"
    assert verdict.status == "false"
    return "rejected"


@settings(max_examples=60, deadline=None)
@given(i=st.integers(0, M - 2), shift=st.integers(-40, 40), width=st.integers(1, 40))
@example(i=0, shift=0, width=1)
@example(i=3, shift=1, width=1)
def test_tampered_node_interval_is_rejected(i, shift, width):
    """Moving or resizing one interval (in units of 2^-100) passes iff it still encloses the node."""
    lo0, _ = GOOD[i]
    unit = Fraction(1, 2**100)
    lo, hi = lo0 + shift * unit, lo0 + (shift + width) * unit
    intervals = GOOD[:i] + [(lo, hi)] + GOOD[i + 1:]
    encloses = lo <= NODES[i] <= hi
    assert _stage(intervals) == ("duals" if encloses else "rejected")


def test_every_true_interval_set_passes():
    assert _stage(GOOD) == "duals"


# --- tampering a real certificate never makes a false claim pass ---------------------------------



_MADE = {}


def _real():
    if not _MADE:
        made, _ = chsh_bound(Fraction(14, 5), 2)  # one node, ~4 s
        _MADE["cert"] = loads(dumps(made), "made")
    return _MADE["cert"]


def test_real_certificate_verifies_below_the_tight_value():
    verdict = checked(_real(), "f.json")
    assert verdict.ok and verdict.low < Fraction(918531, 10**6)  # 1 - h(...) at S = 2.8 is 0.918531...


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(["entry", "nu", "lambda", "scale", "t"]), row=st.integers(0, 44), col=st.integers(0, 44),
       num=st.integers(-10**6, 10**6).filter(bool), den=st.integers(1, 10**12))
@example(kind="nu", row=0, col=0, num=1, den=10**12)
def test_tampered_certificate_is_rejected(kind, row, col, num, den):
    """A claim above the tight analytic value (false) with tampered evidence never verifies."""
    cert = copy.deepcopy(_real())
    cert["claim"]["value"] = format_rational(Fraction(round(analytic_chsh(2.8) * 10**6) + 1000, 10**6))
    node, step = cert["evidence"]["nodes"][0], Fraction(num, den)
    if kind == "entry":
        i, k = min(row, col), abs(row - col)
        node["Z"][0][i][k] = format_rational(Fraction(node["Z"][0][i][k]) + step)
    elif kind in ("nu", "lambda"):
        node[kind] = format_rational(Fraction(node[kind]) + step)
    elif kind == "scale":
        node["Z"][0] = [[format_rational(Fraction(v) * (1 + abs(step))) for v in r] for r in node["Z"][0]]
    else:
        lo, hi = (Fraction(v) for v in node["t"])
        node["t"] = [format_rational(lo - abs(step) / 10**20), format_rational(hi)]
    try:
        verdict = checked(cert, "f.json")
    except CertifyError:
        return  # malformed (e.g. a negative lambda is a Reject, a bad spelling an error): not verified
    assert not verdict.ok
