import pytest

from certify.errors import CertifyError
from certify.kernel.defs.words import adjoint, canonical, parse_level, reduce_word, spell

A0, A1, B0, B1 = (0, 0, 0), (0, 1, 0), (1, 0, 0), (1, 1, 0)
CHSH = ((2, 2), (2, 2))


def test_projector_collapses():
    assert reduce_word((A0, A0)) == (A0,)
    assert reduce_word((A0, A1, A1, A0)) == (A0, A1, A0)


def test_orthogonal_outcomes_vanish():
    a00, a10 = (0, 0, 0), (0, 0, 1)  # outputs 0 and 1 of input 0 (3 outcomes)
    assert reduce_word((a00, a10)) is None
    assert reduce_word((a00, B0, a10)) is None  # B commutes through


def test_parties_commute():
    assert reduce_word((B0, A0, B1, A1)) == (A0, A1, B0, B1)
    assert adjoint((A0, A1, B0, B1)) == (A1, A0, B1, B0)
    assert canonical((A1, A0)) == (A0, A1)


def test_level_sizes_chsh():
    sizes = {lv: len(parse_level(lv, *CHSH, "level")) for lv in ("1", "1+AB", "2", "3")}
    assert sizes == {"1": 5, "1+AB": 9, "2": 13, "3": 25}


def test_level_three_parties():
    words = parse_level("1+AB+AC+BC+ABC", (2, 2, 2), (2, 2, 2), "level")
    assert len(words) == 1 + 6 + 3 * 4 + 8


@pytest.mark.parametrize("bad", ["1++ab", "1+ab", "0", "1+", "+AB", "1+AB+AB", "1 + AB", "2x", ""])
def test_bad_level_is_one_line_error(bad):
    with pytest.raises(CertifyError) as err:
        parse_level(bad, *CHSH, "problem.level")
    assert "\n" not in str(err.value) and str(err.value).startswith("problem.level")


def test_level_party_outside_scenario():
    with pytest.raises(CertifyError, match="party C"):
        parse_level("1+AC", *CHSH, "level")


def test_explicit_word_lists_are_refused():
    """The kernel reads string levels only: an explicit word list is a one-line error."""
    for level in (["1", "A0|0", "B0|1", "A0|0B0|1"], ["A0|0"], [], {"1": 1}):
        with pytest.raises(CertifyError, match="expected a level string like") as err:
            parse_level(level, *CHSH, "level")
        assert "\n" not in str(err.value) and str(err.value).startswith("level: ")
    assert spell((A0, B1)) == "A0|0B0|1"


def test_hostile_levels_are_refused_quickly():
    """The caps apply while enumerating, so a huge level costs milliseconds, not hours."""
    import time

    from certify.errors import CertifyError
    from certify.kernel.defs.words import parse_level

    start = time.perf_counter()
    for level in ("8", "1+ABCDEFGH"):
        with pytest.raises(CertifyError, match="more than 5000"):
            parse_level(level, (64,) * 8, (64,) * 8, "level")
    assert time.perf_counter() - start < 5
