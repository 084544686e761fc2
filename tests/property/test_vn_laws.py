"""Laws of the vn.bound node-interval check: an interval is accepted iff it encloses its node."""

from fractions import Fraction

import mpmath
import pytest
from hypothesis import example, given, settings, strategies as st

from certify.certificate import checked, make_certificate
from certify.errors import CertifyError
from certify.kernel.defs.scenario import Scenario, chsh
from certify.vn.produce import definition
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
