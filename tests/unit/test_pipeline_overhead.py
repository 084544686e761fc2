"""The producer's overhead cuts (issue 14 item 1) change no certificate: the parse cache, the integer
rounding, the on-disk cache of the interior direction Z0 (`certify.npa`, `certify.rounding`)."""

import json
import os
from fractions import Fraction

import numpy as np
import pytest

import certify.npa as pipeline
import certify.rounding as rounding
from certify.kernel.npa import parse_problem, tangent_of


def _reference_round(z, denominator, structure, g, m):
    """The Fraction path the integer one replaced: rational_matrix, then restore_identities."""
    q = rounding.rational_matrix(z, denominator)
    rounding.restore_identities(q, structure, g, m)
    return q


def _reference_assemble(npa, rounded, z0, deltas):
    """The Fraction expression of steps 3-4 (before `_plus_multiple` and `_spelled`)."""
    from certify.kernel.format import format_rational

    blocks, lam_q, mu_q, m = rounded
    n = npa.structure.size
    out_blocks, tops = [], []
    for g, q, delta in zip(npa.blocks, blocks, deltas):
        q = [row[:] for row in q]
        if z0 is not None and delta:
            for i in range(n):
                for j in range(i, n):
                    q[i][j] += delta * z0[i][j]
        tops.append(g.get(0, 0) + q[0][0] + m.get(0, 0))
        out_blocks.append(q)
    nu = max(tops)
    for q, top in zip(out_blocks, tops):
        q[0][0] += nu - top
    out = {"nu": format_rational(nu), "lambda": format_rational(lam_q),
           "Z": [[[format_rational(q[i][j]) for j in range(i, n)] for i in range(n)] for q in out_blocks]}
    if npa.statistics:
        out["mu"] = [format_rational(mu_k) for mu_k in mu_q]
    return out


@pytest.mark.parametrize("level", ["1", "2", "1+AB"])
def test_integer_rounding_gives_the_fraction_paths_rationals(level):
    npa = parse_problem(pipeline.chsh_guess_problem(level, Fraction(5, 2)), "p")
    n, rng = npa.structure.size, np.random.default_rng(7)
    for scale in (1e-9, 1.0, 1e3):
        z = rng.normal(size=(n, n)) * scale
        z = z + z.T
        z[0, 1] = z[1, 0] = 0.5e-9  # ties of round(): half to even on both paths
        m = {k: Fraction(int(rng.integers(-9, 9)), 7) for k in range(len(npa.structure.words)) if rng.random() < 0.5}
        for g in npa.blocks:
            for denominator in (10**6, 10**9, 2**40):
                expected = _reference_round(z, denominator, npa.structure, g, m)
                assert rounding.rounded_restored(z, denominator, npa.structure, g, m) == expected
                assert rounding.rounded_restored(z.tolist(), denominator, npa.structure, g, m) == expected


def test_evidence_is_byte_identical_to_the_fraction_path():
    definition = pipeline.chsh_guess_problem("1+AB", Fraction(27, 10))
    npa, data = pipeline.parsed(definition)
    z0 = pipeline.interior(definition)
    sol = pipeline.solve(data, float(npa.at), None, None, "tied")
    new = rounding.round_duals(npa, sol.duals, sol.lam, pipeline.DENOMINATOR, sol.mu)
    blocks = [_reference_round(z, pipeline.DENOMINATOR, npa.structure, g, new[3]) for g, z in zip(npa.blocks, sol.duals)]
    assert blocks == new[0]
    for deltas in ([Fraction(0)] * 2, [Fraction(37, 10**8)] * 2, [Fraction(3, 10**9), Fraction(0)]):
        expected = json.dumps(_reference_assemble(npa, new, z0, deltas))
        assert json.dumps(rounding.assemble(npa, new, z0, deltas)) == expected
    assert json.dumps(rounding.assemble(npa, new, None, [0, 0])) == json.dumps(_reference_assemble(npa, new, None, [0, 0]))


@pytest.mark.parametrize("level,guess", [("2", False), ("1+AB", True), ("3", False)])
def test_integer_residuals_and_spellings_match_the_fraction_paths_on_random_data(level, guess):
    """Session 22: `rounded_restored` reduces each word's shift in integers and `assemble` spells every entry
    from integers (`_spelled_sum`): random duals, multipliers of mixed signs and denominators, negative and
    zero margins per block, with and without Z0 and statistics: the reference's rationals and bytes."""
    definition = (pipeline.chsh_guess_problem(level, Fraction(5, 2)) if guess else pipeline.chsh_max_problem(level))
    npa = parse_problem(definition, "p")
    n, rng = npa.structure.size, np.random.default_rng(22)
    z0 = pipeline.interior(definition)
    words = len(npa.structure.words)
    for trial in range(6):
        duals = []
        for _ in npa.blocks:
            z = rng.normal(size=(n, n)) * 10.0 ** rng.integers(-6, 3)
            duals.append(z + z.T)
        m = {k: Fraction(int(rng.integers(-99, 99)), int(rng.integers(1, 50))) for k in range(words) if rng.random() < .4}
        m[0] = Fraction(int(rng.integers(-9, 9)), 3)
        for denominator in (10**6, 10**12, 3**20):
            blocks = [rounding.rounded_restored(z, denominator, npa.structure, g, m) for g, z in zip(npa.blocks, duals)]
            assert blocks == [_reference_round(z, denominator, npa.structure, g, m)
                              for g, z in zip(npa.blocks, duals)]
            rounded = (blocks, Fraction(int(rng.integers(0, 9)), 7), [Fraction(1, 3), Fraction(-2, 5)], m)
            for deltas in ([Fraction(int(rng.integers(1, 10**6)), 10**int(rng.integers(6, 14)))] * len(blocks),
                           [Fraction(0)] * len(blocks), [Fraction(-1, 7)] + [Fraction(3, 10**9)] * (len(blocks) - 1)):
                for zz in (z0, None):
                    for stats in (False, True):
                        target = npa if not stats else type("P", (), {"blocks": npa.blocks, "statistics": (1,),
                                                                       "structure": npa.structure})()
                        assert json.dumps(rounding.assemble(target, rounded, zz, deltas)) == \
                            json.dumps(_reference_assemble(target, rounded, zz, deltas))


def test_the_definition_is_parsed_once_per_process(monkeypatch):
    definition = pipeline.chsh_max_problem("2")
    first = pipeline.certify_problem(definition)
    calls = []
    real = pipeline.parse_problem
    monkeypatch.setattr(pipeline, "parse_problem", lambda *a, **k: calls.append(a) or real(*a, **k))
    again = pipeline.certify_problem(json.loads(json.dumps(definition)))  # an equal copy: same text
    assert calls == []
    pipeline._parsed_text.cache_clear()
    fresh = pipeline.certify_problem(definition)
    assert len(calls) == 1
    assert json.dumps(first.evidence) == json.dumps(again.evidence) == json.dumps(fresh.evidence)
    assert first.bound == again.bound == fresh.bound


def test_a_definition_that_is_not_json_text_is_not_cached():
    definition = pipeline.chsh_max_problem("1")
    odd = {**definition, "level": ("1",)}  # a tuple: its JSON text is not the definition
    pipeline._parsed_text.cache_clear()
    with pytest.raises(Exception):
        pipeline.parsed(odd)  # the kernel's own verdict on it, as without the cache
    assert pipeline._parsed_text.cache_info().currsize == 0


def _trace_solves(monkeypatch):
    calls = []
    real = pipeline.solve
    monkeypatch.setattr(pipeline, "solve", lambda data, *a: calls.append(data.c is None and data.g.shape[0] == 1
                                                                          and np.array_equal(data.g[0], data.diag))
                        or real(data, *a))
    return calls


def test_z0_is_read_from_disk_on_the_second_run(monkeypatch, tmp_path):
    monkeypatch.setenv("CERTIFY_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("CERTIFY_NO_CACHE", raising=False)
    definition = pipeline.chsh_guess_problem("1+AB", Fraction(5, 2))
    calls = _trace_solves(monkeypatch)
    pipeline._interior.cache_clear()
    first = pipeline.interior(definition)
    assert calls == [True] and len(list(tmp_path.glob("z0-*.json"))) == 1
    pipeline._interior.cache_clear()  # a new process, as far as Z0 is concerned
    again = pipeline.interior(definition)
    assert calls == [True] and again == first and again is not first
    monkeypatch.setenv("CERTIFY_NO_CACHE", "1")
    pipeline._interior.cache_clear()
    assert pipeline.interior(definition) == first and calls == [True, True]
    pipeline._interior.cache_clear()


def test_the_certificate_is_the_same_with_and_without_the_disk_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("CERTIFY_CACHE_DIR", str(tmp_path))
    definition = pipeline.chsh_guess_problem("2", Fraction(27, 10), "local")
    outs = []
    for disabled in ("1", "0", "0"):  # no cache, writes it, reads it
        monkeypatch.setenv("CERTIFY_NO_CACHE", disabled)
        pipeline._interior.cache_clear()
        result = pipeline.certify_problem(definition)
        outs.append((json.dumps(result.evidence), result.bound))
    assert outs[0] == outs[1] == outs[2]
    pipeline._interior.cache_clear()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "entry", "shape", "format"])
def test_a_corrupt_z0_entry_is_recomputed_and_the_certificate_verifies(monkeypatch, tmp_path, damage):
    monkeypatch.setenv("CERTIFY_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("CERTIFY_NO_CACHE", raising=False)
    definition = pipeline.chsh_max_problem("2")
    pipeline._interior.cache_clear()
    good = pipeline.interior(definition)
    (path,) = tmp_path.glob("z0-*.json")
    text = path.read_text()
    entry = json.loads(text)
    if damage == "garbage":
        path.write_text("not json")
    elif damage == "truncated":
        path.write_text(text[: len(text) // 2])
    elif damage == "entry":  # well-formed, but <Z0, F_w> != 0 for the word at (0, 1)
        entry["z0"][0][1] = "1/3"
        path.write_text(json.dumps(entry))
    elif damage == "shape":
        entry["z0"] = entry["z0"][:-1]
        path.write_text(json.dumps(entry))
    else:
        entry["format"] = pipeline.Z0_FORMAT + 1
        path.write_text(json.dumps(entry))
    calls = _trace_solves(monkeypatch)
    pipeline._interior.cache_clear()
    again = pipeline.interior(definition)
    assert calls == [True] and again == good  # recomputed ...
    assert json.loads(path.read_text()) == json.loads(text)  # ... and rewritten
    result = pipeline.certify_problem(definition)
    npa = parse_problem(definition, "problem")
    nu, lam = tangent_of(npa, result.evidence, "evidence")  # the kernel accepts it
    assert nu == result.nu and abs(float(nu) - 2 * 2**0.5) < 1e-6
    pipeline._interior.cache_clear()


def test_the_disk_cache_is_opt_in_and_off_in_the_test_suite(monkeypatch, tmp_path):
    """Off by default (a shared default cache made `certify reproduce` depend on the machine's history)."""
    assert os.environ.get("CERTIFY_NO_CACHE") == "1"  # tests/conftest.py: no test touches a user's cache
    assert pipeline.cache_dir() is None
    monkeypatch.delenv("CERTIFY_NO_CACHE")
    monkeypatch.delenv("CERTIFY_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert pipeline.cache_dir() is None
    monkeypatch.setenv("CERTIFY_CACHE_DIR", str(tmp_path))
    assert pipeline.cache_dir() == tmp_path
    monkeypatch.setenv("CERTIFY_NO_CACHE", "1")
    assert pipeline.cache_dir() is None
