"""Strict parsing: every hostile spelling is refused with a one-line CertifyError."""

from fractions import Fraction

import pytest

from certify.errors import CertifyError
from certify.kernel.format import MAX_DIGITS, canonical_json, format_rational, loads, parse_rational


@pytest.mark.parametrize("text,value", [("0", 0), ("3/4", Fraction(3, 4)), ("-7/2", Fraction(-7, 2)), ("5", 5)])
def test_canonical_rationals_parse(text, value):
    assert parse_rational(text, "v") == value


@pytest.mark.parametrize("text", ["1e3", "1_0", " 1", "1/0", "2/4", "3/1", "-0", "01", "0.5", "nan", "inf",
                                  "1/-2", "+1", "", "1//2", True, None, 0.5, [1], "٣", 5, 0])
def test_non_canonical_rationals_are_refused(text):
    with pytest.raises(CertifyError) as err:
        parse_rational(text, "dual.y[3]")
    assert str(err.value).startswith("dual.y[3]: ") and "\n" not in str(err.value)


def test_huge_numbers_are_refused_quickly():
    with pytest.raises(CertifyError, match="more than"):
        parse_rational("1" * 10**6, "v")
    with pytest.raises(CertifyError, match="too long"):
        loads("[" + "9" * 10**6 + "]", "f.json")
    assert parse_rational("1" * MAX_DIGITS, "v") == int("1" * MAX_DIGITS)


def test_format_rational_round_trips():
    for value in (Fraction(0), Fraction(-3, 7), Fraction(10**30, 3), Fraction(5)):
        assert parse_rational(format_rational(value), "v") == value


@pytest.mark.parametrize("text,needle", [
    ("{", "not valid JSON"),
    ('{"a": NaN}', "NaN is not allowed"),
    ('{"a": Infinity}', "Infinity is not allowed"),
    ('{"a": 0.25}', "float"),
    ('{"a": 1, "a": 2}', "duplicate key"),
    ("[" * 100000 + "]" * 100000, "nested deeper"),
    ('{"a":' * 20 + "1" + "}" * 20, "nested deeper"),
])
def test_hostile_json_is_refused(text, needle):
    with pytest.raises(CertifyError) as err:
        loads(text, "bad.json")
    assert needle in str(err.value) and str(err.value).startswith("bad.json: ")


def test_canonical_json_is_key_order_independent():
    assert canonical_json({"b": 1, "a": [1, "x"]}) == canonical_json({"a": [1, "x"], "b": 1}) == '{"a":[1,"x"],"b":1}'
