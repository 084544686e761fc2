"""The JSON Schemas of the input formats (certify/data/schemas/) accept every shipped example and
refuse what the readers refuse: problems (certify.problem), count tables (certify.counts; a CSV file
as its parsed rows), sweeps (certify.sweep) and behaviours (certify.behaviour).

The readers stay the definition (they also check what a schema cannot: indices inside the scenario,
no-signalling, each row once); each near-miss below is refused by both, so the schema is no looser
than the reader on these shapes and a tool that validates first gets the same answer."""

import copy
import json
import os
from importlib.resources import files

import pytest

from certify.errors import CertifyError

jsonschema = pytest.importorskip("jsonschema")

DATA = files("certify") / "data"
EXAMPLES = DATA / "examples"


def schema_of(example: dict) -> str:
    """The format a shipped example is written in: a sweep names its format, a behaviour is a scenario
    with "p", everything else is a problem file (so a new example is validated without a new entry)."""
    if "format" in example:
        return {"certify-sweep/1": "sweep-1.json"}[example["format"]]
    if set(example) == {"scenario", "p"}:
        return "behaviour-1.json"
    if "expression" in example:  # a bits problem (certify bits --problem)
        return "bits-problem-1.json"
    return "problem-1.json"


INPUT_SCHEMAS = ("behaviour-1.json", "problem-1.json", "count-table-1.json", "sweep-1.json", "bits-problem-1.json")


def _validator(name):
    schema = json.loads((DATA / "schemas" / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _example(name):
    return json.loads((EXAMPLES / name).read_text())


def csv_rows(text: str) -> dict:
    """A CSV count table as the schema sees it: {"counts": [row]}, a row the object of its columns,
    the cells as the strings they are (certify.counts reads JSON and CSV cells alike)."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    header = lines[0].split(",")
    return {"counts": [dict(zip(header, line.split(","))) for line in lines[1:]]}


def test_every_input_schema_is_a_valid_2020_12_schema():
    for name in INPUT_SCHEMAS:
        _validator(name)


def test_every_shipped_example_validates_against_its_schema():
    shipped = sorted(entry.name for entry in EXAMPLES.iterdir() if entry.name.endswith(".json"))
    formats = {name: schema_of(_example(name)) for name in shipped}
    assert {"behaviour-1.json", "problem-1.json", "sweep-1.json", "bits-problem-1.json"} <= set(formats.values())
    for name, schema in formats.items():
        _validator(schema).validate(_example(name))


def test_the_table1_counts_validate_as_csv_rows_and_as_json():
    from certify.counts import parse_csv, to_json

    text = (DATA / "pironio2010_table1.csv").read_text()
    _validator("count-table-1.json").validate(csv_rows(text))
    _validator("count-table-1.json").validate(to_json(parse_csv(text)))  # the JSON layout certify writes


def _refused_by_both(schema, document, read):
    with pytest.raises(jsonschema.ValidationError):
        _validator(schema).validate(document)
    with pytest.raises(CertifyError):
        read(document)


def _read_problem(obj):
    """certify.problem's reader, then the kernel's parse of the claim problem it defines (the level)."""
    from certify.kernel.npa import parse_problem
    from certify.problem import definition, parse

    kind, claim_problem = definition(parse(obj))
    if kind == "npa.max":
        parse_problem(claim_problem, "problem")


@pytest.mark.parametrize("change", [
    lambda p: p.pop("set"),
    lambda p: p.update(colour="red"),
    lambda p: p.update(set="classical"),
    lambda p: p.update(set="quantum"),  # the quantum set needs a level
    lambda p: p.update(level="2"),  # ... and only it has one
    lambda p: p.update(sense="maximise"),
    lambda p: p["scenario"].update(outputs=[1, 2]),
    lambda p: p["scenario"].update(parties=2),
    lambda p: p["objective"].update(guess={"parties": [0], "inputs": [0]}),  # bell and guess at once
    lambda p: p["objective"]["bell"]["correlators"][0].update(coef=1.5),  # a float is never read
    lambda p: p["objective"]["bell"]["correlators"][0].update(coef="1e3"),
    lambda p: p["objective"]["bell"]["correlators"][0].pop("inputs"),
    lambda p: p.update(constraints=[{"expression": p["objective"]["bell"], "relation": "<", "value": "2"}]),
    lambda p: p.update(statistics={"p": []}),
])
def test_a_malformed_problem_is_refused_by_the_schema_and_the_reader(change):
    problem = _example("chsh_local.json")
    change(problem)
    _refused_by_both("problem-1.json", problem, _read_problem)


@pytest.mark.parametrize("change", [
    lambda p: p.pop("level"),
    lambda p: p.update(level="1+ab"),  # the file holds the kernel's spelling (the CLI normalises its own)
    lambda p: p["constraints"][0].update(value="5/2.0"),
    lambda p: p["constraints"][0].pop("relation"),
    lambda p: p["objective"]["guess"].update(parties=[]),
    lambda p: p["objective"]["guess"].update(extra=True),
    lambda p: p["constraints"][0]["expression"]["correlators"][0].update(outputs=[0, 0]),
])
def test_a_malformed_quantum_problem_is_refused_by_both(change):
    problem = _example("guess_chsh_quantum.json")
    change(problem)
    _refused_by_both("problem-1.json", problem, _read_problem)


def _read_counts(obj):
    from certify.counts import parse_json

    parse_json(obj)


def _table1():
    from certify.counts import parse_csv, to_json

    return to_json(parse_csv((DATA / "pironio2010_table1.csv").read_text()))


@pytest.mark.parametrize("change", [
    lambda t: t["counts"][0].update(N00=-3),
    lambda t: t["counts"][0].update(N00=2.5),
    lambda t: t["counts"][0].update(N00="+293"),
    lambda t: t["counts"][0].update(N00="0293"),
    lambda t: t["counts"][0].pop("N11"),
    lambda t: t["counts"][0].update(N22=1),
    lambda t: t["counts"][0].update(x=2),
    lambda t: t["counts"].pop(),
    lambda t: t.update(p_xy={"0,0": "1/4", "01": "1/4", "10": "1/4", "11": "1/4"}),
    lambda t: t.update(p_xy={"00": 0.25, "01": "1/4", "10": "1/4", "11": "1/4"}),
    lambda t: t.update(weights=[1]),
    lambda t: t.pop("counts"),
])
def test_a_malformed_count_table_is_refused_by_the_schema_and_the_reader(change):
    table = _table1()
    change(table)
    _refused_by_both("count-table-1.json", table, _read_counts)


@pytest.mark.parametrize("edit", [
    lambda text: text.replace("0,0,293,", "0,0,-293,"),
    lambda text: text.replace("0,0,293,", "0,0,29.3,"),
    lambda text: text.replace("x,y,N00,N01,N10,N11,total", "x,y,N00,N01,N10,N11,sum"),
    lambda text: "\n".join(text.splitlines()[:-1]),  # a missing input pair
])
def test_a_malformed_csv_table_is_refused_by_both(edit):
    from certify.counts import parse_csv

    text = edit((DATA / "pironio2010_table1.csv").read_text())
    _refused_by_both("count-table-1.json", csv_rows(text), lambda _: parse_csv(text))


@pytest.mark.parametrize("change", [
    lambda s: s.update(format="certify-sweep/2"),
    lambda s: s.pop("grid"),
    lambda s: s.update(grid={}),
    lambda s: s["grid"]["constraint.at"].pop("points"),
    lambda s: s["grid"].update(level=[]),
    lambda s: s.update(relation="<"),
    lambda s: s.update(id=3),
    lambda s: s.update(colour="red"),
])
def test_a_malformed_sweep_is_refused_by_the_schema_and_the_reader(change, tmp_path):
    from certify.sweep import load

    spec = _example("sweep_chsh_guess.json")
    change(spec)
    path = tmp_path / "spec.json"

    def read(obj):
        path.write_text(json.dumps(obj))
        load(str(path))

    _refused_by_both("sweep-1.json", copy.deepcopy(spec), read)


def test_the_schemas_ship_with_the_package():
    """pyproject's package-data names data/schemas/*: a wheel carries every schema the docs name."""
    names = {entry.name for entry in (DATA / "schemas").iterdir()}
    assert set(INPUT_SCHEMAS) | {"certificate-1.json", "certify-cli-1.json"} <= names
    assert os.path.basename(str(DATA / "schemas")) == "schemas"


@pytest.mark.parametrize("change", [
    lambda p: p.update(azuma="hoeffding"),
    lambda p: p.update(direction="up"),
    lambda p: p.pop("expression"),
    lambda p: p.update(extra=1),
    lambda p: p["p_x"].update({"001": 0.25}),
])
def test_a_malformed_bits_problem_is_refused_by_both(change):
    from certify.bellbits import read_problem

    problem = _example("mermin3_bits.json")
    change(problem)
    _refused_by_both("bits-problem-1.json", problem, lambda obj: read_problem(obj, "p"))
