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

import math
import operator
import re
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Mapping, Optional

from certify.errors import CertifyError
from certify.exceptions import ProblemError
from certify.kernel.bits import BITS, KEYS, PAIRS, validate
from certify.kernel.format import expect, field, format_rational, parse_rational, read_json

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
    n = sum(totals.values())
    expected = {pair: n * float(p_xy[pair]) for pair in PAIRS}
    statistic = sum((totals[k] - expected[k]) ** 2 / expected[k] for k in PAIRS)
    p_value = chi2_sf(statistic, len(PAIRS) - 1)
    if p_value < level:
        x, y = max(PAIRS, key=lambda k: abs(totals[k] - expected[k]) / math.sqrt(expected[k]))
        raise ProblemError(
            f"{where}: input frequencies contradict P(xy): inputs x={x},y={y} occur {totals[x, y]} times in "
            f"{n} trials, P(xy) = {format_rational(Fraction(p_xy[x, y]))} expects {expected[x, y]:.1f} "
            f"(chi-square {statistic:.1f}, 3 degrees of freedom, p-value "
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
    """Read a .csv or .json count table; errors name the file."""
    where = str(path)
    if where.endswith(".json"):
        return parse_json(read_json(path), where)
    if not where.endswith(".csv"):
        raise CertifyError(f"{where}: expected a .csv or .json count table")
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(16 * 1024 * 1024)
    except OSError as err:
        raise CertifyError(f"{where}: cannot read ({err.strerror})") from None
    except UnicodeDecodeError:
        raise CertifyError(f"{where}: not UTF-8 text") from None
    return parse_csv(text, where)


def parse_csv(text: str, where: str = "counts.csv") -> CountTable:
    header, rows = None, []
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        cells = [c.strip() for c in stripped.split(",")]
        if header is None:
            header = tuple(cells)
            if header not in (LONG, WIDE, WIDE + ("total",)):
                raise CertifyError(f"{where}: line {lineno}: expected header {','.join(LONG)} or "
                                   f"{','.join(WIDE)}[,total], got {stripped[:60]!r}")
            continue
        if len(cells) != len(header):
            raise CertifyError(f"{where}: line {lineno}: expected {len(header)} columns, got {len(cells)}")
        rows.append((f"{where}: line {lineno}", dict(zip(header, cells))))
    if header is None or not rows:
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
