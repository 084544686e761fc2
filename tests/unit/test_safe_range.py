"""A family's verified values shown as a range (`certificate.safe_range`, used by the report and `reproduce`): no
claim of the family may read stronger than the kernel proved it (the report once showed `<= values from 0.427383`
for a smallest proven bound of 0.4273837..., and `>= ... to 1.590492` for 1.5904918...)."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from certify.certificate import safe_range
from certify.kernel import Verdict
from certify.report import _proved

values = st.lists(st.fractions(min_value=-10, max_value=10, max_denominator=10**9), min_size=5, max_size=12,
                  unique=True)


@given(values)
def test_upper_bounds_are_never_shown_lower_and_lower_bounds_never_higher(proven):
    low, high = min(proven), max(proven)
    first, last = safe_range({"<="}, low, high)
    assert Fraction(first) >= low and Fraction(last) >= high  # each "<= x" shown is no stronger than proven
    first, last = safe_range({">="}, low, high)
    assert Fraction(first) <= low and Fraction(last) <= high
    first, last = safe_range({"<=", ">="}, low, high)  # mixed relations: the range encloses every value
    assert Fraction(first) <= low and Fraction(last) >= high


def test_the_reports_family_range_rounds_the_committed_cases_the_safe_way():
    def verdict(relation, value):
        return Verdict("c", "npa.max", "s", relation, value, "verified", value, "verified")

    uppers = [verdict("<=", Fraction(13355741447, 31250000000))] + [verdict("<=", Fraction(k, 7)) for k in (4, 5, 6, 7)]
    assert _proved(uppers) == "<= values from 0.427384 to 1.000000"
    lowers = [verdict(">=", Fraction(1590491859, 10**9))] + [verdict(">=", Fraction(k, 7)) for k in (1, 2, 3, 4)]
    assert _proved(lowers) == ">= values from 0.142857 to 1.590491"
