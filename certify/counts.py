"""Count tables N(a,b;x,y) of a two-party binary Bell test: read, validate, write.

Formats (docs/count-table-format.md has the full description and examples):
  CSV, long layout:  header ``x,y,a,b,count``, one row per input and outcome pair (16 rows);
  CSV, wide layout:  header ``x,y,N00,N01,N10,N11`` (optionally ``,total``), one row per
                     input pair, N<ab> = N(a,b;x,y), as in Table 1 of Pironio et al. 2010;
  JSON:              ``{"counts": [row, ...], "p_xy": {...}}`` with rows in either layout
                     as objects, and an optional input distribution "p_xy" of "p/q" strings.
Lines starting with ``#`` and blank lines are ignored in CSV. Every count is a
non-negative integer; every (x, y, a, b) must appear exactly once; every input pair
needs at least one trial. Errors are one-line `CertifyError`s naming file, line and column.

Input frequencies: a stated P(xy) must agree with how often each input pair was observed.
`check_input_frequencies` runs Pearson's chi-square goodness-of-fit test (3 degrees of freedom)
and refuses the table (`ProblemError`, exit 2) when its p-value is below INPUT_TEST_LEVEL = 10^-6,
naming the input pair farthest from its expected count. Honest data are refused with probability
about 10^-6; a misstated P(xy) over a few thousand trials is caught (3016 rounds drawn with 1/2,
1/6, 1/6, 1/6 but stated uniform: chi-square 1005, p-value 1.3e-217; Table 1 against uniform: p 0.088).
"""

import csv
import math
import operator
import re
import sys
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Mapping, Optional

from certify.errors import CertifyError
from certify.exceptions import ProblemError
from certify.kernel.bits import BITS, KEYS, PAIRS, validate
from certify.kernel.format import expect, field, format_rational, only, parse_rational, read_json

LONG = ("x", "y", "a", "b", "count")
WIDE = ("x", "y", "N00", "N01", "N10", "N11")
_INT = re.compile(r"0|[1-9][0-9]{0,17}")
INPUT_TEST_LEVEL = 1e-6  # refuse a stated P(xy) when the chi-square p-value is below this


@dataclass(frozen=True)
class CountTable:
    """Counts keyed (x, y, a, b); `p_xy` is the input distribution if the file gives one."""

    counts: Mapping
    p_xy: Optional[Mapping] = None
    source: str = ""

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    def pair_total(self, x: int, y: int) -> int:
        return sum(self.counts[x, y, a, b] for a in BITS for b in BITS)

    def as_dict(self) -> dict:
        return dict(self.counts)


def make_table(counts, p_xy=None, source: str = "") -> CountTable:
    """Validate a {(x, y, a, b): int} mapping (and P(xy) if given) into a CountTable; numpy integer counts
    (and keys) are read exactly as ints."""
    counts = {tuple(_index(v) for v in key) if isinstance(key, tuple) else key: _index(value)
              for key, value in counts.items()}
    uniform = {pair: Fraction(1, 4) for pair in PAIRS}
    validate(counts, p_xy if p_xy is not None else uniform)
    if p_xy is not None:  # a P(xy) stated in the file is part of the protocol: the counts must agree with it
        check_input_frequencies(counts, p_xy, source or "counts")
    frozen_p = None if p_xy is None else MappingProxyType({k: Fraction(v) for k, v in p_xy.items()})
    return CountTable(MappingProxyType(dict(counts)), frozen_p, source)


def check_input_frequencies(counts, p_xy, where: str = "counts", level: float = INPUT_TEST_LEVEL) -> float:
    """Pearson's chi-square test of the observed input-pair totals against n P(xy); returns the p-value,
    or raises ProblemError (one line, naming the pair farthest from its expectation) when it is below
    `level`. Not a verdict: a consistency check of the protocol's stated input distribution."""
    totals = {pair: sum(counts[pair + (a, b)] for a in BITS for b in BITS) for pair in PAIRS}
    return check_frequencies(totals, p_xy, where, level, lambda x: f"x={x[0]},y={x[1]}", "P(xy)")


def check_frequencies(totals, p, where: str = "counts", level: float = INPUT_TEST_LEVEL,
                      name=lambda x: "x=" + "".join(map(str, x)), label: str = "p(x)") -> float:
    """The chi-square test of observed input totals {x: count} against n p(x) ({x: probability}, the
    support of the protocol), with (support size - 1) degrees of freedom. Inputs observed but outside
    the support are refused outright (p(x) = 0 cannot produce them)."""
    outside = sorted(x for x, c in totals.items() if c and not p.get(x))
    if outside:
        raise ProblemError(f"{where}: input frequencies contradict {label}: inputs {name(outside[0])} occur "
                           f"{totals[outside[0]]} times but {label} = 0")
    keys = sorted(x for x in p if p[x])
    n = sum(totals.get(x, 0) for x in keys)
    if len(keys) < 2:
        return 1.0
    expected = {x: n * float(p[x]) for x in keys}
    statistic = sum((totals.get(x, 0) - expected[x]) ** 2 / expected[x] for x in keys)
    p_value = chi2_sf(statistic, len(keys) - 1)
    if p_value < level:
        x = max(keys, key=lambda k: abs(totals.get(k, 0) - expected[k]) / math.sqrt(expected[k]))
        raise ProblemError(
            f"{where}: input frequencies contradict {label}: inputs {name(x)} occur {totals.get(x, 0)} times in "
            f"{n} trials, {label} = {format_rational(Fraction(p[x]))} expects {expected[x]:.1f} "
            f"(chi-square {statistic:.1f}, {len(keys) - 1} degrees of freedom, p-value "
            f"{f'{p_value:.2g}' if p_value > 0 else 'below 1e-300'} < {level:g})")
    return p_value


def chi2_sf(x: float, df: int) -> float:
    """P(X >= x) for X chi-square with `df` degrees of freedom (closed forms: the regularised upper incomplete
    gamma function Q(df/2, x/2) at integer and half-integer order; agrees with scipy.stats.chi2.sf)."""
    if x <= 0:
        return 1.0
    half = x / 2
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for j in range(1, df // 2):
            term *= half / j
            total += term
        return min(1.0, math.exp(-half) * total)
    total, term = math.erfc(math.sqrt(half)), math.sqrt(half) / math.gamma(1.5)
    for j in range(1, (df + 1) // 2):
        total += math.exp(-half) * term
        term *= half / (j + 0.5)
    return min(1.0, total)


def _index(value):
    """An integer-like value (int, numpy integer) as an int; anything else unchanged (validate names it)."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        return value
    return operator.index(value)


def uniform_inputs() -> dict:
    return {pair: Fraction(1, 4) for pair in PAIRS}


def read_counts(path) -> CountTable:
    """Read a .csv or .json count table ("-": CSV from standard input); errors name the file."""
    where = str(path)
    if where.endswith(".json"):
        return parse_json(read_json(path), where)
    if not where.endswith(".csv") and where != "-":
        raise CertifyError(f"{where}: expected a .csv or .json count table")
    return parse_csv(read_text(path), "stdin" if where == "-" else where)


def read_text(path) -> str:
    """A text file's contents (UTF-8, at most 16 MB; "-" is standard input)."""
    where = "stdin" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            return sys.stdin.buffer.read(16 * 1024 * 1024).decode("utf-8")
        with open(path, encoding="utf-8") as handle:
            return handle.read(16 * 1024 * 1024)
    except OSError as err:
        raise CertifyError(f"{where}: cannot read ({err.strerror})") from None
    except UnicodeDecodeError:
        raise CertifyError(f"{where}: not UTF-8 text") from None


def csv_rows(text: str, where: str):
    """(header line number, header, [(line number, cells)]) of CSV text, read with the csv module. The
    separator (comma, tab or semicolon) is the one the header line uses; a byte-order mark, blank lines
    and lines starting with "#" are skipped; cells are stripped."""
    lines = [(k, line) for k, line in enumerate(text.removeprefix("\ufeff").splitlines(), 1)
             if line.strip() and not line.strip().startswith("#")]
    if not lines:
        raise CertifyError(f"{where}: empty table (no header or no data rows)")
    first = lines[0][1]
    sep = "\t" if "\t" in first else ";" if ";" in first and "," not in first else ","
    cells = [[c.strip() for c in row] for row in csv.reader([line.strip() for _, line in lines], delimiter=sep)]
    return lines[0][0], tuple(cells[0]), [(k, row) for (k, _), row in zip(lines[1:], cells[1:])]


def parse_csv(text: str, where: str = "counts.csv") -> CountTable:
    first, header, data = csv_rows(text, where)
    if header not in (LONG, WIDE, WIDE + ("total",)):
        raise CertifyError(f"{where}: line {first}: expected header {','.join(LONG)} or "
                           f"{','.join(WIDE)}[,total], got {','.join(header)[:60]!r}")
    rows = []
    for lineno, cells in data:
        if len(cells) != len(header):
            raise CertifyError(f"{where}: line {lineno}: expected {len(header)} columns, got {len(cells)}")
        rows.append((f"{where}: line {lineno}", dict(zip(header, cells))))
    if not rows:
        raise CertifyError(f"{where}: empty table (no header or no data rows)")
    return _from_rows(rows, header[:5] == LONG, where, None)


def parse_json(obj, where: str = "counts.json") -> CountTable:
    expect(obj, dict, where)
    extra = sorted(set(obj) - {"counts", "p_xy", "source"})
    if extra:
        raise CertifyError(f"{where}: unknown field {extra[0]!r}")
    raw = field(obj, "counts", list, where)
    if not raw:
        raise CertifyError(f"{where}.counts: empty table")
    rows = []
    for k, row in enumerate(raw):
        expect(row, dict, f"{where}.counts[{k}]")
        rows.append((f"{where}.counts[{k}]", row))
    long = set(rows[0][1]) == set(LONG)
    allowed = [set(LONG)] if long else [set(WIDE), set(WIDE + ("total",))]
    for at, row in rows:
        if set(row) not in allowed:
            layout = LONG if long else WIDE
            raise CertifyError(f"{at}: expected fields {', '.join(layout)}, got {', '.join(sorted(row))}")
    p_xy = _parse_p_xy(obj["p_xy"], f"{where}.p_xy") if "p_xy" in obj else None
    return _from_rows(rows, long, where, p_xy)


def _parse_p_xy(obj, where):
    expect(obj, dict, where)
    names = {f"{x}{y}": (x, y) for x, y in PAIRS}
    if set(obj) != set(names):
        raise CertifyError(f"{where}: expected keys 00, 01, 10, 11, got {', '.join(sorted(obj))}")
    return {names[k]: parse_rational(v, f"{where}.{k}") for k, v in obj.items()}


def _cell(row, column, at, allowed=None):
    value = row.get(column, "")
    if isinstance(value, bool):
        raise CertifyError(f"{at}, column {column}: expected a non-negative integer, got {value!r}")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value
    else:
        raise CertifyError(f"{at}, column {column}: expected a non-negative integer, got {value!r}")
    if text == "":
        raise CertifyError(f"{at}, column {column}: missing count")
    if not _INT.fullmatch(text):
        kind = ("negative" if text.startswith("-") else
                "more than 18 digits (a count is at most 10^12)" if text.isascii() and text.isdigit() else
                "not a non-negative integer")
        raise CertifyError(f"{at}, column {column}: {kind}: {text[:30]!r}")
    number = int(text)
    if allowed is not None and number not in allowed:
        raise CertifyError(f"{at}, column {column}: expected 0 or 1, got {text}")
    return number


def _from_rows(rows, long: bool, where: str, p_xy) -> CountTable:
    counts, first = {}, {}
    for at, row in rows:
        x, y = _cell(row, "x", at, BITS), _cell(row, "y", at, BITS)
        if long:
            key = (x, y, _cell(row, "a", at, BITS), _cell(row, "b", at, BITS))
            entries = {key: _cell(row, "count", at)}
        else:
            entries = {(x, y, a, b): _cell(row, f"N{a}{b}", at) for a in BITS for b in BITS}
            if "total" in row and _cell(row, "total", at) != sum(entries.values()):
                raise CertifyError(f"{at}, column total: {row['total']} is not N00+N01+N10+N11 = "
                                   f"{sum(entries.values())}")
        for key, value in entries.items():
            if key in counts:
                label = f"x={key[0]},y={key[1]}" + ("" if not long else f",a={key[2]},b={key[3]}")
                raise CertifyError(f"{at}: duplicate row for {label} (first at {first[key].split(': ')[-1]})")
            counts[key], first[key] = value, at
    missing = [key for key in KEYS if key not in counts]
    if missing:
        x, y, a, b = missing[0]
        what = f"x={x},y={y},a={a},b={b}" if long else f"x={x},y={y}"
        raise CertifyError(f"{where}: no row for {what} (every count is needed; write 0 if none)")
    for x, y in PAIRS:
        if sum(counts[x, y, a, b] for a in BITS for b in BITS) == 0:
            spot = first[x, y, 0, 0].split(": ")[-1]
            raise CertifyError(f"{where}: input pair x={x},y={y} has no trials (at {spot})")
    return make_table(counts, p_xy, where)


def to_csv(table: CountTable, layout: str = "wide") -> str:
    """The table as CSV text in the chosen layout (parses back to the same table)."""
    if layout == "long":
        lines = [",".join(LONG)] + [f"{x},{y},{a},{b},{table.counts[x, y, a, b]}" for x, y, a, b in KEYS]
    elif layout == "wide":
        lines = [",".join(WIDE) + ",total"]
        for x, y in PAIRS:
            cells = [table.counts[x, y, a, b] for a in BITS for b in BITS]
            lines.append(f"{x},{y}," + ",".join(map(str, cells)) + f",{sum(cells)}")
    else:
        raise CertifyError(f"layout: expected 'long' or 'wide', got {layout!r}")
    return "\n".join(lines) + "\n"


def to_json(table: CountTable) -> dict:
    """The table as a JSON object (wide rows; p_xy as "p/q" strings when known)."""
    rows = [{"x": x, "y": y, **{f"N{a}{b}": table.counts[x, y, a, b] for a in BITS for b in BITS}}
            for x, y in PAIRS]
    out = {"counts": rows}
    if table.p_xy is not None:
        out["p_xy"] = {f"{x}{y}": format_rational(table.p_xy[x, y]) for x, y in PAIRS}
    return out


# Count tables of any Bell test (docs/count-table-format.md, "Any scenario"): n parties, any inputs and outputs.
LETTERS = "ABCDEFGH"


@dataclass(frozen=True)
class BellTable:
    """Counts N(a|x) of any Bell test: {(x, a): count}, x and a tuples with one slot per party (A first);
    combinations not listed count 0. `p_x` ({x: Fraction}) is the input distribution if the file states it;
    `rows` names where each entry was read (for errors)."""

    counts: Mapping
    parties: int
    p_x: Optional[Mapping] = None
    source: str = ""
    rows: Optional[Mapping] = None

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    def input_totals(self) -> dict:
        totals = {}
        for (x, _), c in self.counts.items():
            totals[x] = totals.get(x, 0) + c
        return totals

    def check(self, inputs, outputs, where=None) -> "BellTable":
        """Refuse entries outside a scenario (inputs[i], outputs[i] per party); returns self."""
        where = where or self.source or "counts"
        if self.parties != len(inputs):
            raise CertifyError(f"{where}: the table has {self.parties} parties, the problem {len(inputs)}")
        for (x, a), _ in self.counts.items():
            for i, (xi, ai) in enumerate(zip(x, a)):
                if xi >= inputs[i] or ai >= outputs[i]:
                    what = f"input {xi}" if xi >= inputs[i] else f"output {ai}"
                    spot = (self.rows or {}).get((x, a), where)
                    raise CertifyError(f"{spot}: {what} of party {LETTERS[i]} is outside the scenario "
                                       f"(inputs {list(inputs)}, outputs {list(outputs)})")
        return self


def bell_table(table: CountTable) -> BellTable:
    """A two-party table as a BellTable (x = (x, y), a = (a, b))."""
    counts = {((x, y), (a, b)): c for (x, y, a, b), c in table.counts.items()}
    p_x = None if table.p_xy is None else dict(table.p_xy)
    return BellTable(MappingProxyType(counts), 2, p_x, table.source)


def read_bell_counts(path) -> BellTable:
    """Read a count table of any scenario (.json, else CSV; "-": CSV from standard input)."""
    where = str(path)
    if where.endswith(".json"):
        return parse_bell_json(read_json(path), where)
    return parse_bell_csv(read_text(path), "stdin" if where == "-" else where)


def _layout(header, where):
    """(input columns, output columns, {N column: output tuple} or None for the long layout)."""
    names = list(header)
    if "xA" in names:
        k = next(j for j in range(len(LETTERS) + 1) if j == len(LETTERS) or f"x{LETTERS[j]}" not in names)
        ins, outs = [f"x{c}" for c in LETTERS[:k]], [f"a{c}" for c in LETTERS[:k]]
    else:
        k = next(j for j in range(4) if j == 3 or "xyz"[j] not in names)
        ins, outs = list("xyz"[:k]), list("abc"[:k])
    rest = [c for c in names if c not in ins + outs]
    wide = {c: tuple(int(d) for d in c[1:]) for c in rest if re.fullmatch(f"N[0-9]{{{k}}}", c)}
    if k and len(set(names)) == len(names) and all(c in names for c in ins):
        if all(c in names for c in outs) and rest == ["count"]:
            return ins, outs, None
        if not any(c in names for c in outs) and wide and set(rest) - set(wide) <= {"total"}:
            return ins, outs, wide
    raise CertifyError(f"{where}: expected a header of input columns (x,y,z or xA,xB,...), then output columns "
                       f"(a,b,c or aA,aB,...) and count, or N<outputs> columns (N000,...), got "
                       f"{','.join(names)[:80]!r}")


def parse_bell_csv(text: str, where: str = "counts.csv") -> BellTable:
    first, header, data = csv_rows(text, where)
    ins, outs, wide = _layout(header, f"{where}: line {first}")
    rows = []
    for lineno, cells in data:
        if len(cells) != len(header):
            raise CertifyError(f"{where}: line {lineno}: expected {len(header)} columns, got {len(cells)}")
        rows.append((f"{where}: line {lineno}", dict(zip(header, cells))))
    return _bell_rows(rows, ins, outs, wide, where, None)


def _bell_rows(rows, ins, outs, wide, where, p_x) -> BellTable:
    if not rows:
        raise CertifyError(f"{where}: empty table (no data rows)")
    counts, first = {}, {}
    for at, row in rows:
        x = tuple(_cell(row, c, at) for c in ins)
        if wide is None:
            entries = {(x, tuple(_cell(row, c, at) for c in outs)): _cell(row, "count", at)}
        else:
            entries = {(x, a): _cell(row, c, at) for c, a in wide.items()}
            if "total" in row and _cell(row, "total", at) != sum(entries.values()):
                raise CertifyError(f"{at}, column total: {row['total']} is not the sum of the N columns "
                                   f"{sum(entries.values())}")
        for key, value in entries.items():
            if key in counts:
                label = "x=" + "".join(map(str, key[0])) + ("" if wide else ",a=" + "".join(map(str, key[1])))
                raise CertifyError(f"{at}: duplicate row for {label} (first at {first[key].split(': ')[-1]})")
            counts[key], first[key] = value, at
    if not sum(counts.values()):
        raise CertifyError(f"{where}: no trials (every count is 0)")
    kept = {k: v for k, v in counts.items() if v}
    return BellTable(MappingProxyType(kept), len(ins), p_x, where, MappingProxyType(first))


def parse_bell_json(obj, where: str = "counts.json") -> BellTable:
    """{"counts": [{"x": "001", "a": "110", "count": 5}, ...], "p_x": {"001": "1/4", ...}, "source"}; digit
    strings or lists of integers for x and a. A two-party table of the CHSH layout is read as well."""
    expect(obj, dict, where)
    rows = field(obj, "counts", list, where)
    if "p_xy" in obj or (rows and isinstance(rows[0], dict) and "y" in rows[0]):
        return bell_table(parse_json(obj, where))
    only(obj, {"counts", "p_x", "source"}, where)
    if not rows:
        raise CertifyError(f"{where}.counts: empty table")
    parsed, k = [], None
    for j, row in enumerate(rows):
        at = f"{where}.counts[{j}]"
        only(expect(row, dict, at), {"x", "a", "count"}, at)
        x, a = (_tuple(field(row, key, (str, list), at), f"{at}.{key}") for key in ("x", "a"))
        if len(x) != len(a) or (k is not None and len(x) != k):
            raise CertifyError(f"{at}: expected {k or len(x)} inputs and outputs (one per party)")
        k = len(x)
        parsed.append((at, {**{f"x{i}": v for i, v in enumerate(x)}, **{f"a{i}": v for i, v in enumerate(a)},
                            "count": row["count"]}))
    p_x = None
    if "p_x" in obj:
        p_x = {_tuple(key, f"{where}.p_x"): parse_rational(v, f"{where}.p_x.{key}")
               for key, v in field(obj, "p_x", dict, where).items()}
    return _bell_rows(parsed, [f"x{i}" for i in range(k)], [f"a{i}" for i in range(k)], None, where, p_x)


def _tuple(value, where):
    if isinstance(value, str) and re.fullmatch("[0-9]{1,8}", value):
        return tuple(int(c) for c in value)
    if isinstance(value, list) and 0 < len(value) <= 8 and all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 9 for v in value):
        return tuple(value)
    raise CertifyError(f"{where}: expected a digit string such as \"001\" or a list of digits, got {str(value)[:30]!r}")
