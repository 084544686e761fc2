"""certify.counts.check_input_frequencies: a stated P(xy) against the observed input-pair totals
(Pearson's chi-square, 3 degrees of freedom, refused below INPUT_TEST_LEVEL = 10^-6)."""

from fractions import Fraction

import pytest
from scipy.stats import chi2

from certify.counts import INPUT_TEST_LEVEL, check_input_frequencies, chi2_sf, parse_json, read_counts, uniform_inputs
from certify.exceptions import ProblemError


@pytest.mark.parametrize("df", [1, 2, 3, 4, 5, 8, 15])
@pytest.mark.parametrize("x", [0.01, 0.5, 3.0, 7.8, 30.0, 200.0, 1005.0])
def test_chi2_survival_agrees_with_scipy(df, x):
    assert chi2_sf(x, df) == pytest.approx(chi2.sf(x, df), rel=1e-9, abs=1e-300)


def test_table_1_agrees_with_uniform_inputs():
    table = read_counts("certify/data/pironio2010_table1.csv")
    assert check_input_frequencies(table.counts, uniform_inputs()) == pytest.approx(0.0884, abs=1e-4)


def table(totals):
    """Counts whose input pair xy has totals[xy] trials (spread over the four outcomes)."""
    return {(x, y, a, b): totals[2 * x + y] // 4 + (1 if 2 * a + b < totals[2 * x + y] % 4 else 0)
            for x in (0, 1) for y in (0, 1) for a in (0, 1) for b in (0, 1)}


def test_biased_inputs_pass_when_stated_and_fail_when_stated_uniform():
    counts = table([1508, 503, 503, 502])  # 3016 rounds with P(xy) = 1/2, 1/6, 1/6, 1/6
    biased = {(0, 0): Fraction(1, 2), (0, 1): Fraction(1, 6), (1, 0): Fraction(1, 6), (1, 1): Fraction(1, 6)}
    assert check_input_frequencies(counts, biased) > 0.9
    with pytest.raises(ProblemError, match=r"inputs x=0,y=0 occur 1508 times in 3016 trials, P\(xy\) = 1/4 "
                                           r"expects 754.0 \(chi-square 1005.3, 3 degrees of freedom, p-value 1.3e-217"):
        check_input_frequencies(counts, uniform_inputs(), "run.csv")


def test_the_level_is_the_stated_one():
    counts = table([800, 740, 740, 736])  # chi-square 3.76, p 0.29: passes; at level 0.5 it would not
    assert check_input_frequencies(counts, uniform_inputs()) > INPUT_TEST_LEVEL
    with pytest.raises(ProblemError, match="p-value 0.29 < 0.5"):
        check_input_frequencies(counts, uniform_inputs(), level=0.5)


def test_a_json_table_with_a_contradicted_p_xy_is_refused_when_read():
    rows = [{"x": x, "y": y, "N00": 377, "N01": 377, "N10": 377, "N11": 377} for x in (0, 1) for y in (0, 1)]
    with pytest.raises(ProblemError, match="counts.json: input frequencies contradict P"):
        parse_json({"counts": rows, "p_xy": {"00": "1/2", "01": "1/6", "10": "1/6", "11": "1/6"}})
    assert parse_json({"counts": rows, "p_xy": {"00": "1/4", "01": "1/4", "10": "1/4", "11": "1/4"}}).n == 6032


def test_numpy_integer_counts_make_a_table():
    import numpy as np

    from certify.counts import make_table

    counts = {tuple(np.int64(v) for v in key): np.int32(n) for key, n in table([752, 751, 707, 806]).items()}
    made = make_table(counts)
    assert made.n == 3016 and all(type(v) is int for v in made.counts.values())
    assert all(type(k) is int for key in made.counts for k in key)
    with pytest.raises(Exception, match="expected a non-negative integer"):
        make_table({**table([752, 751, 707, 806]), (0, 0, 0, 0): np.float64(3.0)})
