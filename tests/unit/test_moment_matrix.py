import time

from certify.kernel.defs.words import ZERO, build, parse_level
from certify.supports import supports, zeros


def _structure(level, inputs=(2, 2), outputs=(2, 2)):
    return build(parse_level(level, inputs, outputs, "level"))


def test_supports_are_disjoint_and_cover_the_matrix():
    st = _structure("2", (2, 3), (3, 2))
    seen = {}
    for k, support in enumerate(supports(st)):
        for pos in support:
            assert pos not in seen
            seen[pos] = k
    for pos in zeros(st):
        assert pos not in seen
    n = st.size
    assert len(seen) + len(zeros(st)) == n * (n + 1) // 2
    assert all(st.entry[i][j] == st.entry[j][i] for i in range(n) for j in range(n))


def test_identity_support_is_corner():
    st = _structure("3")
    assert st.words[0] == () and supports(st)[0] == ((0, 0),)


def test_orthogonal_outcomes_give_zero_entries():
    st = _structure("1", (1, 1), (3, 2))  # A has outcomes 0, 1, 2 -> letters a=0, a=1
    assert len(zeros(st)) == 1 and st.entry[1][2] == ZERO


def test_chsh_counts():
    assert [len(_structure(lv).words) for lv in ("1", "1+AB", "2", "3")] == [11, 17, 31, 61]


def test_three_party_level_two_is_fast():
    start = time.perf_counter()
    st = _structure("2", (3, 3, 3), (2, 2, 2))
    assert time.perf_counter() - start < 0.5
    assert st.size == 55
