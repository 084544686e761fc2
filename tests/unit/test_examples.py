"""The shipped examples (certify/data/examples/) run, and give the numbers the docs state."""

import json
import os
from fractions import Fraction

from certify.cli import main
from certify.kernel import check_certificate
from certify.kernel.format import read_json

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        "certify", "data", "examples")


def _solved(name, tmp_path):
    out = tmp_path / f"{name}.cert.json"
    assert main(["solve", os.path.join(EXAMPLES, f"{name}.json"), "--out", str(out)]) == 0
    return check_certificate(read_json(str(out)), str(out))


def test_chsh_local_and_no_signalling_maxima(tmp_path):
    assert _solved("chsh_local", tmp_path).value == 2  # the local bound
    assert _solved("chsh_no-signalling", tmp_path).value == 4  # the PR box


def test_global_guess_given_chsh_at_least_five_halves(tmp_path):
    verdict = _solved("guess_chsh_quantum", tmp_path)
    # NPA level 2 is tight here to ~1e-7 (spec P2); the float optimum is 0.7967325
    assert verdict.ok and verdict.relation == "<=" and abs(float(verdict.value) - 0.7967325) < 1e-6


def test_sweep_example_certifies_every_point(tmp_path):
    spec = json.loads(open(os.path.join(EXAMPLES, "sweep_chsh_guess.json")).read())
    spec["grid"]["level"] = ["1+AB"]  # the test runs one level of the example's two
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--jobs", "1"]) == 0
    rows = json.loads((tmp_path / "out" / "table.json").read_text())["rows"]
    assert len(rows) == 8 and all(row["status"] == "VERIFIED" for row in rows)
    values = [Fraction(row["value"]) for row in rows]
    assert values == sorted(values, reverse=True) and abs(float(values[-1]) - 2**-0.9105) < 1e-4  # f(2.8)


def test_every_shipped_example_is_read_by_its_reader():
    """Each file of certify/data/examples/ parses with the reader of its format (the problems are solved
    above and in tests/claims; here none is forgotten when an example is added)."""
    from certify.behaviour import read_behaviour
    from certify.problem import parse
    from certify.sweep import load

    names = sorted(name for name in os.listdir(EXAMPLES) if name.endswith(".json"))
    assert len(names) >= 5
    for name in names:
        path = os.path.join(EXAMPLES, name)
        example = read_json(path)
        if "format" in example:
            assert load(path)["points"]
        elif set(example) == {"scenario", "p"}:
            read_behaviour(path)
        elif "expression" in example:  # a bits problem (certify bits --problem; tests/unit/test_bellbits.py)
            from certify.bellbits import read_problem

            assert read_problem(example, name)["parties"]
        else:
            assert parse(example, name).set in ("local", "no-signalling", "quantum")
