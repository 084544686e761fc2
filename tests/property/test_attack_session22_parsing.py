"""Session-22 attacks on the faster parsing paths of the kernel: `format.parse_rational` (the digit bound read
only past MAX_DIGITS characters, the lowest-terms test against the parsed denominator), `format.denominator`
(each distinct denominator once), `scenario.to_words` / `make_expression` (no Fraction(0) starts, the +-1
weights of Collins-Gisin products as a sign): the same values and the same refusals as the Fraction code
they replaced (kept here as the reference).
"""

import random
from fractions import Fraction as F
from itertools import product
from math import lcm, prod

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.errors import CertifyError
from certify.kernel.defs.scenario import Scenario, make_expression, to_words
from certify.kernel.format import MAX_DIGITS, MAX_SCALE_BITS, denominator, parse_rational


@pytest.mark.parametrize("text", ["2/4", "-6/9", "0/5", "1/1", "-0", "-0/3", "01", "1/01", "1/0", "1/-3", "+1",
                                  "1e3", " 1", "1_0", "1.5", "", "-", "/3",
                                  "1" * (MAX_DIGITS + 1), "-" + "1" * (MAX_DIGITS + 1),
                                  "1/" + "3" * (MAX_DIGITS + 1), "3" * MAX_DIGITS + "/" + "2" * MAX_DIGITS])
def test_non_canonical_or_oversized_rationals_are_refused(text):
    with pytest.raises(CertifyError):
        parse_rational(text, "x")


@pytest.mark.parametrize("text", ["0", "-7", "1/3", "-22/7", "9" * MAX_DIGITS, "-" + "9" * MAX_DIGITS,
                                  "1/" + "7" * MAX_DIGITS, "9" * (MAX_DIGITS - 1) + "8/" + "7" * MAX_DIGITS])
def test_canonical_rationals_up_to_the_digit_bound_are_read(text):
    num, _, den = text.partition("/")
    assert parse_rational(text, "x") == F(int(num), int(den or 1))


@settings(max_examples=300, deadline=None)
@given(st.integers(-10**30, 10**30), st.integers(1, 10**30))
def test_parse_rational_accepts_exactly_the_lowest_terms_spelling(p, q):
    text = f"{p}/{q}" if q != 1 else str(p)
    value = F(p, q)
    if value.numerator == p and value.denominator == q:
        assert parse_rational(text, "x") == value
    else:
        with pytest.raises(CertifyError, match="lowest terms|not canonical"):
            parse_rational(text, "x")


def _reference_denominator(values, most=MAX_SCALE_BITS):
    scale = 1
    for v in values:
        scale = lcm(scale, v.denominator)
        if scale.bit_length() > most:
            return None
    return scale


def test_denominator_refuses_and_accepts_as_the_running_lcm_did():
    rng = random.Random(22)
    primes = [p for p in range(3, 20000, 2) if all(p % d for d in range(3, int(p ** 0.5) + 1, 2))]
    for trial in range(200):
        values = [F(rng.randint(-9, 9), rng.choice(primes[: rng.choice([5, 50, 2000])]) ** rng.randint(1, 3))
                  for _ in range(rng.randint(0, 400))] + [rng.randint(-5, 5)]  # ints too: denominator 1
        rng.shuffle(values)
        expected = _reference_denominator(values)
        if expected is None:
            with pytest.raises(CertifyError, match="common denominator exceeds"):
                denominator(values, "x")
        else:
            assert denominator(values, "x") == expected
        assert denominator(values * 3, "x", 10**6) == _reference_denominator(values, 10**6)  # repeats
    huge = [F(1, p) for p in primes[:1500]]  # ~20,000 bits of distinct denominators
    with pytest.raises(CertifyError, match=f"exceeds {MAX_SCALE_BITS} bits"):
        denominator(huge, "x")


def _reference_to_words(expr, scenario):
    out = {(): expr.constant}
    for outs, ins, coef in expr.terms:
        factors = [[(((i, x, a),), 1)] if a < scenario.outputs[i] - 1
                   else [((), 1)] + [(((i, x, b),), -1) for b in range(scenario.outputs[i] - 1)]
                   for i, (a, x) in enumerate(zip(outs, ins)) if a is not None]
        for choice in product(*factors):
            word = tuple(letter for part, _ in choice for letter in part)
            out[word] = out.get(word, F(0)) + coef * prod(weight for _, weight in choice)
    return {w: c for w, c in out.items() if c != 0 or w == ()}


def test_collins_gisin_words_are_the_fraction_codes():
    rng = random.Random(2222)
    for _ in range(300):
        parties = rng.randint(1, 4)
        scenario = Scenario(tuple(rng.randint(1, 3) for _ in range(parties)), tuple(rng.randint(2, 4)
                                                                                     for _ in range(parties)))
        terms = []
        for _ in range(rng.randint(1, 12)):
            on = [rng.random() < 0.6 for _ in range(parties)]
            on[rng.randrange(parties)] = True
            outs = [rng.randrange(scenario.outputs[i]) if on[i] else None for i in range(parties)]
            ins = [rng.randrange(scenario.inputs[i]) if on[i] else None for i in range(parties)]
            terms.append((outs, ins, rng.choice([1, -1, 2, F(rng.randint(-9, 9), rng.randint(1, 9))])))
        terms += terms[: rng.randint(0, 3)]  # repeats merge, some to zero
        expr = make_expression(scenario, terms, F(rng.randint(-3, 3), 7))
        got, expected = to_words(expr, scenario), _reference_to_words(expr, scenario)
        assert got == expected and all(type(c) is F for c in got.values())
        assert all(type(c) is F for _, _, c in expr.terms)


def test_to_words_bounds_the_common_denominator_of_an_unparsed_expression():
    """Parsed expressions are bounded by `parse_expression`; one built directly with coefficients of distinct
    1000-bit denominators is refused by `to_words` (it sums integers over their lcm) instead of computed."""
    from certify.kernel.defs.scenario import Expression

    scenario = Scenario((2, 2), (2, 2))
    terms = tuple(((a, None), (x, None), F(1, 3 ** 700 + 2 * k)) for k, (a, x) in enumerate(product(range(2), repeat=2)))
    with pytest.raises(CertifyError, match="common denominator exceeds"):
        to_words(Expression(terms, F(0)), scenario)
    small = Expression(tuple((o, i, F(1, 3 ** 200)) for o, i, _ in terms), F(0))
    assert to_words(small, scenario) == _reference_to_words(small, scenario)
