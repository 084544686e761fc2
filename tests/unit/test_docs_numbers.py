"""Numbers written in docs/*.md are the code's: each is recomputed here and compared.

(docs/report.md is generated and compared whole in test_report.py; README numbers in
tests/claims/test_proofs.py. Measurement logs in the docs are labelled as such and not listed here.)
"""

import json
import math
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest

ROOT = Path(__file__).resolve().parents[2]


def doc(name: str) -> str:
    return (ROOT / "docs" / name).read_text(encoding="utf-8")


def test_amplification_table_is_the_plan():
    from certify.amplification import paper_choice, plan, scientific, smallest_nd

    text = doc("amplification.md")
    result = plan(Fraction(1, 10), Fraction(9, 10), Fraction(2), Fraction(1, 1000))
    assert f"| N_d | {result.n_d} |" in text and f"| N_b | 2^{result.nb_log2} |" in text
    assert f"| bound at ({result.n_d}, 2^{result.nb_log2}) | {mpmath.nstr(result.bound, 18)}..." in text
    assert f"= {scientific(result.log10_n)} |" in text
    taus = (Fraction(1, 100), Fraction(1, 1000), Fraction(1, 10**6), Fraction(1, 10**9))
    assert "(" + ", ".join(str(smallest_nd(Fraction(9, 10), t)) for t in taus) + " for" in text
    nb_log2, paper_bound = paper_choice(Fraction(1, 10), Fraction(9, 10), Fraction(2), result.n_d)
    assert f"| bound at the paper's N_b = 2^{mpmath.nstr(nb_log2, 6)} | {mpmath.nstr(paper_bound, 18)}..." in text


def test_robustness_doc_states_the_certified_values():
    from certify.kernel.proofs import check_file

    text = doc("gallego-robustness.md")
    values = {}
    for tag in ("c", "c-delta", "c-2delta"):
        verdict = check_file(str(ROOT / "proofs" / "gallego2013" / "robustness" / f"x10000_{tag}.json"))
        assert verdict.ok
        values[tag] = verdict.value
    assert values == {"c": Fraction(3, 4), "c-delta": Fraction(7, 9), "c-2delta": Fraction(29, 36)}
    for value in ("5/16", "7/9", "29/36", "-4/9"):
        assert value in text


def test_quantum_majority_doc_states_the_certified_bound():
    from certify.kernel.npa import parse_problem, verify_tangent
    from certify.kernel.proofs import check_file

    path = ROOT / "proofs" / "gallego2013" / "quantum" / "x10000_level2+ABC.json"
    verdict = check_file(str(path))
    assert verdict.ok
    text = doc("gallego-robustness.md")
    exact = f"{verdict.claimed.numerator}/{verdict.claimed.denominator}"
    assert f"<=  {exact} = {float(verdict.claimed):.9f}" in text
    cert = json.loads(path.read_text())
    _, lam = verify_tangent(cert["claim"]["problem"], cert["evidence"], "q")
    assert f"+ {math.ceil(lam)} B" in text
    assert f"`2+ABC` ({parse_problem(cert['claim']['problem'], 'p').structure.size} words" in text \
        or f"({parse_problem(cert['claim']['problem'], 'p').structure.size} words" in text


def test_certificate_format_worked_example():
    from certify.kernel.npa import parse_problem, verify_tangent

    cert = json.loads((ROOT / "proofs" / "pironio2010" / "npa" / "tsirelson-1.json").read_text())
    nu, _ = verify_tangent(cert["claim"]["problem"], cert["evidence"], "t")
    structure = parse_problem(cert["claim"]["problem"], "p").structure
    text = doc("certificate-format.md")
    assert f"max CHSH <= {nu.numerator}/{nu.denominator}" in text
    assert f"rebuilds the {structure.size * (structure.size + 1) // 2} upper-triangle positions " \
           f"({len(structure.words)} distinct words)" in text


@pytest.mark.parametrize("level,expected", [("1+AB", "0.5162066"), ])
def test_npa_doc_full_statistics_example(level, expected):
    from certify.behaviour import full_statistics, table_of
    from certify.kernel.defs.scenario import Scenario
    from certify.npa import certify_problem, chsh_guess_problem, guess_objective, problem

    chsh = Scenario((2, 2), (2, 2))
    box = table_of(chsh, lambda a, x: (1 + (-1) ** (a[0] ^ a[1] ^ (x[0] * x[1])) * Fraction(7, 10)) / 4)
    full = certify_problem(problem(chsh, level, guess_objective([0, 1], [0, 0]),
                                   statistics=full_statistics(chsh, box)))
    only = certify_problem(chsh_guess_problem(level, Fraction(28, 10)))
    text = doc("npa.md")
    up = lambda v: f"{math.ceil(v * 10**7) / 10**7:.7f}"  # noqa: E731  the doc rounds bounds up
    assert f"G <= {up(full.bound)}" in text and up(full.bound) == expected
    assert f"the\n{up(only.bound)} that CHSH" in text or f"{up(only.bound)} that CHSH" in text
