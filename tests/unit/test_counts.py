"""Count tables: both CSV layouts, JSON, the shipped Table 1, and hostile files."""

import json
from fractions import Fraction
from pathlib import Path

import pytest

from certify.counts import parse_csv, parse_json, read_counts, to_csv, to_json
from certify.errors import CertifyError

ROOT = Path(__file__).resolve().parents[2]
TABLE1 = ROOT / "certify" / "data" / "pironio2010_table1.csv"
WIDE = "x,y,N00,N01,N10,N11\n0,0,293,94,70,295\n0,1,298,70,74,309\n1,0,283,69,64,291\n1,1,68,340,309,89\n"


def test_shipped_table1():
    t = read_counts(TABLE1)
    assert t.n == 3016
    assert [t.pair_total(x, y) for x, y in ((0, 0), (0, 1), (1, 0), (1, 1))] == [752, 751, 707, 806]
    assert t.counts[1, 1, 0, 1] == 340 and t.counts[0, 0, 1, 0] == 70
    assert t.p_xy is None


def test_layouts_agree_and_round_trip():
    wide = parse_csv(WIDE, "w.csv")
    long = parse_csv(to_csv(wide, "long"), "l.csv")
    assert dict(long.counts) == dict(wide.counts)
    assert dict(parse_csv(to_csv(long, "wide")).counts) == dict(wide.counts)
    assert dict(parse_json(json.loads(json.dumps(to_json(wide)))).counts) == dict(wide.counts)


def test_long_rows_in_any_order_with_comments(tmp_path):
    lines = to_csv(parse_csv(WIDE), "long").splitlines()
    text = "# comment\n\n" + lines[0] + "\n" + "\n".join(reversed(lines[1:])) + "\n"
    path = tmp_path / "c.csv"
    path.write_text(text)
    assert dict(read_counts(path).counts) == dict(parse_csv(WIDE).counts)


def test_json_long_rows_and_p_xy(tmp_path):
    rows = [{"x": x, "y": y, "a": a, "b": b, "count": 5 + a} for x in (0, 1) for y in (0, 1) for a in (0, 1) for b in (0, 1)]
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"counts": rows, "p_xy": {"00": "1/2", "01": "1/6", "10": "1/6", "11": "1/6"}}))
    t = read_counts(path)
    assert t.n == 88 and t.p_xy[0, 0] == Fraction(1, 2)
    assert to_json(t)["p_xy"]["11"] == "1/6"


@pytest.mark.parametrize("text,match", [
    (WIDE.replace("0,1,298", "0,1,-298"), r"line 3, column N00: negative: '-298'"),
    (WIDE.replace("0,1,298", "0,1,29.8"), r"line 3, column N00: not a non-negative integer: '29.8'"),
    (WIDE.replace("0,1,298,", "0,1,,"), r"line 3, column N00: missing count"),
    (WIDE.replace("1,1,68,340,309,89\n", ""), r"no row for x=1,y=1"),
    (WIDE.replace("1,1,68,340,309,89", "1,1,0,0,0,0"), r"input pair x=1,y=1 has no trials \(at line 5\)"),
    (WIDE + "0,0,1,1,1,1\n", r"line 6: duplicate row for x=0,y=0 \(first at line 2\)"),
    (WIDE.replace("1,0,283", "2,0,283"), r"line 4, column x: expected 0 or 1, got 2"),
    (WIDE.replace("0,0,293,94,70,295", "0,0,293,94,70"), r"line 2: expected 6 columns, got 5"),
    ("x,y,N00,N01,N10,N11\n", "empty table"),
    ("", "empty table"),
    ("x,y,count\n0,0,1\n", "expected header"),
    ("x,y,N00,N01,N10,N11,total\n0,0,1,1,1,1,5\n", r"line 2, column total: 5 is not N00\+N01\+N10\+N11 = 4"),
])
def test_bad_csv_names_line_and_column(text, match):
    with pytest.raises(CertifyError, match=match):
        parse_csv(text, "t.csv")


def test_long_layout_missing_and_duplicate():
    lines = to_csv(parse_csv(WIDE), "long").splitlines()
    with pytest.raises(CertifyError, match=r"no row for x=0,y=1,a=1,b=1"):
        parse_csv("\n".join(l for l in lines if l != "0,1,1,1,309"))
    with pytest.raises(CertifyError, match=r"line 18: duplicate row for x=0,y=0,a=0,b=0 \(first at line 2\)"):
        parse_csv("\n".join(lines + ["0,0,0,0,1"]))


@pytest.mark.parametrize("obj,match", [
    ({"counts": []}, r"t.json.counts: empty table"),
    ({}, "missing field 'counts'"),
    ({"counts": [], "extra": 1}, "unknown field 'extra'"),
    ({"counts": [{"x": 0, "y": 0, "N00": -1, "N01": 1, "N10": 1, "N11": 1}]}, r"counts\[0\], column N00: negative"),
    ({"counts": [{"x": 0, "y": 0, "N00": 1.5, "N01": 1, "N10": 1, "N11": 1}]}, r"counts\[0\], column N00"),
    ({"counts": [{"x": 0, "y": 0, "N00": 1}]}, r"counts\[0\]: expected fields"),
    ({"counts": [{"x": 0, "y": 0, "N00": 1, "N01": 1, "N10": 1, "N11": 1}], "p_xy": {"00": "1"}},
     r"p_xy: expected keys 00, 01, 10, 11"),
])
def test_bad_json(obj, match):
    with pytest.raises(CertifyError, match=match):
        parse_json(obj, "t.json")


def test_json_p_xy_must_sum_to_one():
    rows = json.loads(json.dumps(to_json(parse_csv(WIDE))))
    rows["p_xy"] = {"00": "1/2", "01": "1/4", "10": "1/4", "11": "1/4"}
    with pytest.raises(CertifyError, match="sum to 5/4"):
        parse_json(rows, "t.json")


def test_strict_json_file_rejects_floats(tmp_path):
    path = tmp_path / "c.json"
    path.write_text('{"counts": [{"x": 0, "y": 0, "N00": 2.0, "N01": 1, "N10": 1, "N11": 1}]}')
    with pytest.raises(CertifyError, match="float"):
        read_counts(path)


def test_unknown_extension_and_missing_file(tmp_path):
    with pytest.raises(CertifyError, match="expected a .csv or .json"):
        read_counts(tmp_path / "c.txt")
    with pytest.raises(CertifyError, match="cannot read"):
        read_counts(tmp_path / "nope.csv")
