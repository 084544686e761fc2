"""Laws of the counts -> bits chain (hypothesis): soundness against floats, monotonicity, symmetry."""

from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

from certify import bits_models as bm
from certify import finite_stats as fs
from certify.kernel import bits as kb

NS_TANGENT = (Fraction(3, 2), Fraction(1, 4))
TABLE1 = {(0, 0): (293, 94, 70, 295), (0, 1): (298, 70, 74, 309), (1, 0): (283, 69, 64, 291), (1, 1): (68, 340, 309, 89)}
TABLE1_COUNTS = {(x, y, a, b): TABLE1[x, y][2 * a + b] for x, y, a, b in kb.KEYS}


@st.composite
def count_tables(draw):
    """Tables biased towards CHSH violation (so bits are often positive), every pair with trials."""
    counts = {}
    for x, y, a, b in kb.KEYS:
        wins = (a == b) != (x * y == 1)
        counts[x, y, a, b] = draw(st.integers(0, 1500 if wins else 300))
    for x, y in kb.PAIRS:
        counts[x, y, 0, 0 if x * y == 0 else 1] += 1
    return counts


input_distributions = st.sampled_from([
    {pair: Fraction(1, 4) for pair in kb.PAIRS},
    {(0, 0): Fraction(2, 5), (0, 1): Fraction(1, 5), (1, 0): Fraction(1, 5), (1, 1): Fraction(1, 5)},
    {(0, 0): Fraction(1, 3), (0, 1): Fraction(1, 3), (1, 0): Fraction(1, 6), (1, 1): Fraction(1, 6)},
])
deltas = st.fractions(min_value=Fraction(1, 10**9), max_value=Fraction(1, 2), max_denominator=10**9)
tangents = st.one_of(st.just(NS_TANGENT),
                     st.floats(2.0, 2.8).map(lambda i0: fs.curve_b_tangent_at(i0)))


def _float_bound(counts, p_xy, delta, tangent, model="quantum"):
    n = sum(counts.values())
    q = min(p_xy.values())
    # the kernel reads the tangent at most at the model's I_max (a round never exceeds it)
    i_low = min(float(kb.chsh_estimate(counts, p_xy)) - fs.epsilon(n, q, delta, model), fs.I_MAX[model])
    return fs.bits_from_tangent(n, i_low, *tangent) if i_low >= 2 else 0.0


@given(count_tables(), input_distributions, deltas, tangents)
@example(TABLE1_COUNTS, {pair: Fraction(1, 4) for pair in kb.PAIRS}, Fraction(1, 100), NS_TANGENT)
def test_certified_bits_never_exceed_float_bound(counts, p_xy, delta, tangent):
    certified = bm.check_bits(counts, delta, p_xy, *tangent).bits
    assert certified <= _float_bound(counts, p_xy, delta, tangent) + 1e-6
    assert certified >= _float_bound(counts, p_xy, delta, tangent) - 1 - 1e-6  # and it is the floor


@given(count_tables(), input_distributions, deltas, deltas, tangents)
def test_bits_do_not_increase_when_delta_shrinks(counts, p_xy, d1, d2, tangent):
    small, large = sorted((d1, d2))
    assert bm.check_bits(counts, small, p_xy, *tangent).bits <= bm.check_bits(counts, large, p_xy, *tangent).bits


@given(count_tables(), input_distributions, tangents, st.sampled_from(kb.PAIRS), st.integers(1, 200), st.data())
def test_bits_do_not_increase_when_counts_are_less_correlated(counts, p_xy, tangent, pair, moved, data):
    """Moving trials of one input pair from a CHSH-winning to a losing outcome lowers I_hat."""
    x, y = pair
    win = [(a, b) for a in (0, 1) for b in (0, 1) if (a == b) != (x * y == 1)]
    lose = [(a, b) for a in (0, 1) for b in (0, 1) if (a == b) == (x * y == 1)]
    src, dst = data.draw(st.sampled_from(win)), data.draw(st.sampled_from(lose))
    moved = min(moved, counts[x, y, src[0], src[1]])
    worse = dict(counts)
    worse[x, y, src[0], src[1]] -= moved
    worse[x, y, dst[0], dst[1]] += moved
    assert kb.chsh_estimate(worse, p_xy) <= kb.chsh_estimate(counts, p_xy)
    delta = Fraction(1, 100)
    assert bm.check_bits(worse, delta, p_xy, *tangent).bits <= bm.check_bits(counts, delta, p_xy, *tangent).bits


def _relabel(counts, p_xy, move):
    """CHSH symmetries: swap the parties; x -> 1-x with b -> b xor y; y -> 1-y with a -> a xor x."""
    new_counts, new_p = {}, {}
    for (x, y, a, b), c in counts.items():
        if move == "swap":
            key = (y, x, b, a)
        elif move == "flip_x":
            key = (1 - x, y, a, b ^ y)
        else:
            key = (x, 1 - y, a ^ x, b)
        new_counts[key] = c
        new_p[key[:2]] = p_xy[x, y]
    return new_counts, new_p


@given(count_tables(), input_distributions, st.lists(st.sampled_from(["swap", "flip_x", "flip_y"]), max_size=5))
def test_relabelling_inputs_preserves_i_hat(counts, p_xy, moves):
    relabelled, p = counts, p_xy
    for move in moves:
        relabelled, p = _relabel(relabelled, p, move)
    assert kb.chsh_estimate(relabelled, p) == kb.chsh_estimate(counts, p_xy)
    assert fs.standard_error(relabelled, p) == fs.standard_error(counts, p_xy)


@given(count_tables(), input_distributions)
def test_p_value_bound_is_above_the_float_value(counts, p_xy):
    n, q = sum(counts.values()), min(p_xy.values())
    bound = kb.p_value_upper(counts, p_xy)
    assert float(bound) >= fs.p_value_local(n, kb.chsh_estimate(counts, p_xy), q) * (1 - 1e-12)
    assert bound <= 1


def test_relabelling_without_output_flip_is_not_a_symmetry():
    """Negative control for the law above: x -> 1-x alone maps CHSH to another Bell expression."""
    uniform = {pair: Fraction(1, 4) for pair in kb.PAIRS}
    flipped = {(1 - x, y, a, b): c for (x, y, a, b), c in TABLE1_COUNTS.items()}
    assert kb.chsh_estimate(flipped, uniform) == Fraction(4 * (441 - 492 + 424 - 463), 3016)
