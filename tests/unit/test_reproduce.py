"""`certify reproduce`: deterministic producers, stale files removed, the per-claim table."""

import os
from fractions import Fraction

from certify.certificate import dumps, write
from certify.commands.reproduce import claims_table, remove_stale, timed_check


def test_lp_producer_is_byte_deterministic():
    from certify.papers.pironio2010.curve_c import chsh_ns_claim
    from certify.papers.produce import lp_certificate

    claim = chsh_ns_claim((0, 1), (1, 0))
    first, _ = lp_certificate(*claim[:3])
    second, _ = lp_certificate(*claim[:3])
    assert dumps(first) == dumps(second)


def test_npa_producer_is_byte_deterministic():
    from certify.npa import certify_problem, chsh_guess_problem
    from certify.papers.produce import npa_certificate

    definition = chsh_guess_problem("1+AB", Fraction(5, 2))
    first = npa_certificate("t", "t", definition, certify_problem(definition))
    second = npa_certificate("t", "t", definition, certify_problem(definition))
    assert dumps(first) == dumps(second)


def test_stale_files_of_regenerated_papers_are_removed(tmp_path, chsh_ns_certificate):
    for name in ("pironio2010/ns/kept.json", "pironio2010/ns/stale.json", "gallego2013/lemma/other.json"):
        write(chsh_ns_certificate, str(tmp_path / name))
    written = {os.path.normpath(str(tmp_path / "pironio2010/ns/kept.json"))}
    assert remove_stale(str(tmp_path), ["pironio2010"], written) == 1
    assert not (tmp_path / "pironio2010/ns/stale.json").exists()
    assert (tmp_path / "pironio2010/ns/kept.json").exists()
    assert (tmp_path / "gallego2013/lemma/other.json").exists()  # another paper: untouched


def test_table_collapses_verified_families_and_lists_each_failure(tmp_path, chsh_ns_certificate):
    import copy

    from rich.console import Console

    from certify.papers.pironio2010.curve_c import chsh_ns_claims
    from certify.papers.produce import lp_certificate

    claims = chsh_ns_claims()  # distinct ids: a folder may not claim one id twice
    for k in range(8):
        write(lp_certificate(*claims[k][:3])[0], str(tmp_path / f"pironio2010/ns/c{k}.json"))
    bad = copy.deepcopy(lp_certificate(*claims[8][:3])[0])
    bad["claim"]["value"] = "1"
    write(bad, str(tmp_path / "pironio2010/ns/bad.json"))
    verdicts, seconds = timed_check(str(tmp_path))
    assert len(verdicts) == 9 and len(seconds) == 9
    console = Console(width=200, record=True, file=open(os.devnull, "w"))
    console.print(claims_table(verdicts, seconds, "t"))
    text = console.export_text()
    assert "FAILED: the evidence proves <= 3/2, not <= 1" in text
    assert text.count("== 3/2") == 8  # 9 claims with a failure: no collapse, one row each
    good = [v for v in verdicts if v.ok]
    console = Console(width=200, record=True, file=open(os.devnull, "w"))
    console.print(claims_table(good, seconds, "t"))
    text = console.export_text()
    assert "pironio2010/ns/* (8 claims)" in text and "== 3/2 (each)" in text


def _verdict(claim_id, relation, value):
    from certify.kernel import Verdict

    high, low = (value, None) if relation == "<=" else (None, value) if relation == ">=" else (value, value)
    return Verdict(claim_id=claim_id, kind="npa.max", statement="s", relation=relation, claimed=value,
                   status="verified", value=value, reason="verified", source=f"{claim_id}.json", high=high, low=low)


def _table_text(verdicts):
    from rich.console import Console

    console = Console(width=250, record=True, file=open(os.devnull, "w"))
    console.print(claims_table(verdicts, {}, "t"))
    return console.export_text()


def test_table_decimals_never_claim_more_than_the_verdict():
    """Audit #5 (session 23): a proven <= 2659962182209/5000000000000 (= 0.5319924364418) was shown '<= 0.531992436'
    (rounded to nearest, below the bound) under a column called exact; now up for <=, down for >=, and the
    column says decimals are rounded."""
    import re

    upper, lower = Fraction(2659962182209, 5000000000000), Fraction(66666666667, 10**11)  # nearest: ...436, ...667
    text = _table_text([_verdict("p/a/x", "<=", upper), _verdict("p/b/x", ">=", lower)])
    assert "<= 0.531992437 " in text and ">= 0.666666666 " in text and "exact" not in text
    assert "decimals rounded the safe way" in text
    # a collapsed family: each end of the range rounded in the claims' direction
    values = [upper + Fraction(k, 7 * 10**6) for k in range(8)]
    text = _table_text([_verdict(f"p/c/x{k}", "<=", v) for k, v in enumerate(values)])
    low, high = map(Fraction, re.search(r"<= values from ([0-9.]+) to ([0-9.]+)", text).groups())
    assert low >= min(values) and high >= max(values) and low - min(values) < Fraction(1, 10**6)
    text = _table_text([_verdict(f"p/d/x{k}", ">=", v) for k, v in enumerate(values)])
    low, high = map(Fraction, re.search(r">= values from ([0-9.]+) to ([0-9.]+)", text).groups())
    assert low <= min(values) and high <= max(values)
