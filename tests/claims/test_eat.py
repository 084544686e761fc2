"""The committed "eat.bits" claims (proofs/vn/eat/) recomputed: Table 1 gives 0 bits by entropy
accumulation (Pironio's chain: 42), the same frequencies over 100 and 1000 times as many rounds give
the documented numbers (docs/vn-rates.md), and the producer's float model agrees with the kernel.
Beside Pironio's chain (Fig. 3's uniform-inputs curve, and "bits.chsh" claims at level 2): the chain
leads at 301,600 and 799,240 rounds, EAT leads at 844,480 and 3,016,000."""

import json
from pathlib import Path

import pytest

from certify.kernel import check_certificate
from certify.vn import eat

PROOFS = Path(__file__).resolve().parents[2] / "proofs"
EXPECTED = {"table1": 0, "table1-x100": 39749, "table1-x265": 181888, "table1-x280": 195192,
            "table1-x1000": 861662}  # docs/vn-rates.md, README


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_committed_eat_claim_is_the_documented_number(stem):
    cert = json.loads((PROOFS / "vn" / "eat" / f"{stem}.json").read_text())
    verdict = check_certificate(cert, stem)
    assert verdict.ok and verdict.low == EXPECTED[stem] == int(cert["claim"]["value"])
    problem = cert["claim"]["problem"]
    rows = problem["counts"]
    counts = {(r[0], r[1], a, b): r[2 + 2 * a + b] for r in rows for a in (0, 1) for b in (0, 1)}
    a, b = (float(eat.Fraction(v)) for v in problem["min_tradeoff"]["line"])
    model = eat.float_bits(problem["rounds"], eat.wins_of(counts), 1, a, b)
    assert abs(model - verdict.low) <= 1  # floor of the same formula


def test_eat_against_the_chain_on_both_sides_of_the_crossover():
    from certify.papers.pironio2010.fig3 import certified_f, uniform_bound
    chain = certified_f("2", PROOFS)
    assert EXPECTED["table1-x100"] < uniform_bound(301_600, chain) - 20_000
    assert EXPECTED["table1-x280"] > uniform_bound(844_480, chain) + 2_000
    assert EXPECTED["table1-x1000"] > uniform_bound(3_016_000, chain) + 140_000


@pytest.mark.parametrize("factor, chain_bits", [(265, 182040), (280, 192777)])
def test_crossover_is_bracketed_by_kernel_verdicts_on_both_sides(factor, chain_bits):
    """Pironio's chain as a "bits.chsh" claim (level-2 tangents placed by its producer) on the same
    scaled counts: it leads at 799,240 rounds, entropy accumulation leads at 844,480."""
    from fractions import Fraction

    from certify.certificate import checked
    from certify.papers.pironio2010.bits import bits_certificate
    counts = eat.scaled(eat.table1_counts(), factor)
    uniform = {(x, y): Fraction(1, 4) for x in (0, 1) for y in (0, 1)}
    verdict = checked(bits_certificate(counts, uniform, Fraction(1, 100), "2", "t", "t"), "t")
    assert verdict.ok and verdict.low == chain_bits
    mine = EXPECTED[f"table1-x{factor}"]
    assert (mine < chain_bits) if factor == 265 else (mine > chain_bits)


def test_readme_row_states_the_committed_numbers():
    readme = (PROOFS.parent / "README.md").read_text()
    assert "eat.bits" in readme and "861,662" in readme and "0 bits at n = 3016" in readme


def _run_bits(argv, capsys):
    import argparse

    from certify.commands import bits
    parser = argparse.ArgumentParser()
    bits.add_parser(parser.add_subparsers(dest="command"))
    code = bits.run(parser.parse_args(["bits"] + argv))
    return code, capsys.readouterr().out


def test_cli_bits_eat_prints_the_kernel_verdict(tmp_path, capsys):
    """`certify bits --eat` on Table 1 (m = 4 here, for speed): 0 bits, the verdict and the certificate."""
    from certify.errors import CertifyError
    table = str(PROOFS.parent / "certify" / "data" / "pironio2010_table1.csv")
    out_file = tmp_path / "eat.json"
    code, out = _run_bits(["--eat", "--counts", table, "--tangent-at", "2.4", "--nodes", "4", "--json",
                           "--out", str(out_file)], capsys)
    data = json.loads(out)
    assert code == 0 and data["ok"] and data["claims"][0]["kind"] == "eat.bits"
    assert data["claims"][0]["status"] == "verified" and data["claims"][0]["value"] == "0"
    assert check_certificate(json.loads(out_file.read_text()), "f").ok
    code, out = _run_bits(["--eat", "--counts", table, "--tangent-at", "2.4", "--nodes", "4"], capsys)
    assert code == 0 and ">= 0 VERIFIED" in out and "H_min^eps" in out
    for bad in (["--gamma", "0"], ["--rounds", "10"], ["--nodes", "1"], ["--tangent", "1,1"]):
        with pytest.raises(CertifyError):
            _run_bits(["--eat", "--counts", table] + bad, capsys)
