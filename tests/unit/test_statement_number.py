"""`certify.certificate.statement_number`: a rational as a statement prints it, never rounded.

A probability or an epsilon in a statement is part of what a VERIFIED line says: a rounded 1 - delta
(0.999 as "1.00") or eps (1/3 as "0.333333") would claim more than the kernel proved.
"""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from certify.certificate import statement_number


def test_short_decimals_are_exact_and_others_are_fractions():
    assert statement_number(1 - Fraction(1, 100)) == "0.99"  # Pironio's Table 1 statement, as committed
    assert statement_number(1 - Fraction(1, 1000)) == "0.999"  # was "1.00" with .2f
    assert statement_number(Fraction(1, 3)) == "1/3"  # was "0.333333" with :g
    assert statement_number(Fraction(-5, 4)) == "-1.25" and statement_number(3) == "3"
    assert statement_number(Fraction(1, 10**12)) == "0.000000000001"
    assert statement_number(Fraction(1, 10**13)) == "1/10000000000000"


@given(st.fractions(max_denominator=10**15))
def test_the_printed_number_is_the_number(value):
    assert Fraction(statement_number(value)) == value
