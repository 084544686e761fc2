"""The referee's report: Markdown generated from a proofs folder by the trusted kernel alone.

Untrusted presentation code. Every verdict comes from
`certify.kernel.proofs.check_path` (no solver is imported); the report only
groups and formats what the kernel returned, and recomputes a few derived
numbers with kernel functions (I_hat and eps of eq. (3), the p-value bound,
rational enclosures of log2). Each tabulated point of a G(I) curve is itself a
kernel verdict (`certify.papers.pironio2010.npa.Curve`: the lowest verified
tangent claimed at that I, checked by `check_certificate`), read only for
2 <= I <= 2 sqrt 2. Decimals are rounded in the safe direction: an upper
bound up, a lower bound down.

Conventions: the output is deterministic for the same proofs, source files
and installed libraries (no dates, no timings, sorted rows); paths are
relative to the repository root; figure links are relative to the report's
folder. The only constants typed here are the CHSH values at which the curves
are tabulated; the papers' statements come from `certify.papers.PAPER_SAYS`.
"""

import base64
import hashlib
import html
import importlib.metadata
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
from fractions import Fraction

from certify.bits_models import epsilon_upper, log2_interval
from certify.certificate import ceil_decimal, floor_decimal, safe_range
from certify.errors import CertifyError
from certify.kernel import KINDS, problem_sha256
from certify.kernel.bits import chsh_estimate, p_value_upper, read_counts
from certify.kernel.format import format_rational, parse_rational, read_json
from certify.kernel.intervals import sqrt_interval
from certify.kernel.proofs import MANIFEST, check_path
from certify.papers import PAPER_SAYS
from certify.papers.pironio2010.npa import Curve, tangent_of
from certify.printing import family_status, overall, status
from certify.reading_list import blank_lines, count, kind_reading_lists, spans

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIBRARIES = ("numpy", "scipy", "cvxpy", "clarabel", "highspy", "python-flint", "sympy", "mpmath", "rich",
             "matplotlib")
FIGURES = (
    ("Fig. 2 of Pironio et al. 2010 (f(I): curves a, b, c), from the verified tangents",
     "docs/fig2.png", "python -m certify.papers.pironio2010.fig2"),
    ("Fig. 3 of Pironio et al. 2010 (finite statistics), curve a from the verified tangents",
     "docs/fig3.png", "python -m certify.papers.pironio2010.fig3"),
    ("Gallego et al. 2013, eq. (13): the number of devices N against eps (illustrative alpha, beta)",
     "docs/amplification.png", "certify amplify --eps 0.1 --alpha 0.9 --beta 2 --plot docs/amplification.png"),
)
# The amplification figure is no verdict: it plots mpmath estimates of eq. (13) for illustrative inputs,
# drawn from no certificate, so it carries its own note wherever it is shown.
ESTIMATE_NOTE = ("not from kernel-verified numbers: mpmath estimates (not bounds) of eq. (13) for illustrative "
                 "inputs, drawn from no certificate of the checked folder")
ESTIMATES = {"docs/amplification.png"}
# CHSH values at which the certified curves are tabulated (2.414 is the paper's Fig. 2 point).
CURVE_POINTS = tuple(sorted({Fraction(20 + k, 10) for k in range(9)} | {Fraction(2414, 1000)}))
CURVES = (("a: global guess, level 1+AB", "pironio2010/G-global/level=1+AB/"),
          ("a: global guess, level 2", "pironio2010/G-global/level=2/"),
          ("local guess (one bit), level 2", "pironio2010/G-local/level=2/"))
MAX_FAILURES_SHOWN = 50

_CLOSURE_SCRIPT = """
import importlib, json, sys
before = set(sys.modules)
import certify.kernel.proofs
from certify.kernel import KINDS
one = sys.argv[1] == "--one" if sys.argv[1:] else False  # --one KIND: only that kind's checker, and
for target in [KINDS[sys.argv[2]]] if one else KINDS.values():  # what checking its certificates loads
    importlib.import_module(target.split(":")[0])
for path in sys.argv[1 + 2 * one:]:
    certify.kernel.proofs.check_path(path)
new = sorted(set(sys.modules) - before)
files = sorted({sys.modules[m].__file__ for m in new
                if m.split(".")[0] == "certify" and getattr(sys.modules[m], "__file__", None)})
external = sorted({m.split(".")[0] for m in new} - set(sys.stdlib_module_names) - {"certify"})
print(json.dumps({"files": files, "external": external, "modules": new}))
"""


def kernel_closure(check_paths=(), one_kind=None) -> dict:
    """What a fresh interpreter loads for the kernel: import certify.kernel.proofs and every
    module of certify.kernel.KINDS (only the module of the kind `one_kind` if given), then run
    check_path on `check_paths`.

    Returns {"files": [absolute paths under certify/], "external": [top-level non-stdlib
    packages], "modules": [every newly loaded module name]}.
    """
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-c", _CLOSURE_SCRIPT, *(["--one", one_kind] if one_kind else []),
                           *check_paths],
                          cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise CertifyError(f"trusted base: the kernel import subprocess failed: {tail}")
    return json.loads(done.stdout)


_CLOSURES = {}


def _cached_closure(paths: tuple, one_kind=None) -> dict:
    """`kernel_closure(paths, one_kind)`, once per process for the same paths (the report in three formats)."""
    if (paths, one_kind) not in _CLOSURES:
        _CLOSURES[paths, one_kind] = kernel_closure(paths, one_kind)
    return _CLOSURES[paths, one_kind]


def kind_closures(samples: dict) -> dict:
    """{claim kind: its files} for every kind of `certify.kernel.KINDS`: what a referee reads to audit
    one kind, i.e. what a fresh interpreter loads to import the door and that kind's checker and check
    `samples[kind]` (one verified certificate of the kind, when the folder has one) through the door."""
    return {kind: _cached_closure(tuple(filter(None, [samples.get(kind)])), kind)["files"] for kind in sorted(KINDS)}


def trusted_base(files) -> list:
    """[(path relative to the repository, lines, sha256)] of the given files, sorted."""
    rows = []
    for path in files:
        with open(path, "rb") as handle:
            data = handle.read()
        rows.append((os.path.relpath(path, ROOT).replace(os.sep, "/"), len(data.splitlines()),
                     hashlib.sha256(data).hexdigest()))
    return sorted(rows)


def library_versions() -> list:
    """[(distribution, version or "not installed")] for every library the project uses."""
    rows = []
    for name in LIBRARIES:
        try:
            rows.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            rows.append((name, "not installed"))
    return rows


def build_report(proofs: str = "proofs", out: str = "docs/report.md") -> str:
    """The whole report as Markdown text; `out` only fixes the relative figure links."""
    return render(check_path(proofs), proofs, out)


def render(verdicts, proofs: str, out: str) -> str:
    """The report for kernel verdicts of the folder `proofs` (from `check_path(proofs)`)."""
    return "\n".join(part for part in _parts(verdicts, proofs, _figures(out, proofs)) if part)


def _parts(verdicts, proofs: str, figures: str) -> list:
    """The report's Markdown sections, with `figures` as the figures section."""
    by_family = _families(verdicts)
    samples = _closure_paths(by_family)
    closure = _cached_closure(tuple(samples.values()))
    return [_header(proofs, verdicts), _family_table(by_family), _failures(verdicts), _key_claims(by_family),
            figures, _trusted_section(trusted_base(closure["files"]), kind_closures(samples)),
            _environment(closure["external"])]


# --- numbers -------------------------------------------------------------------------


def bits_lower(g_upper: Fraction) -> Fraction:
    """A rational f <= -log2(g) for 0 < g (0 when g >= 1: no randomness)."""
    if g_upper >= 1:
        return Fraction(0)
    return -log2_interval(g_upper)[1]


def _exact(value, relation: str = "==") -> str:
    """The exact value when short; else a decimal rounded so that the relation still holds."""
    text = format_rational(value)
    if len(text) <= 24:
        return text
    if relation == "<=":
        return ceil_decimal(value, 12)
    return floor_decimal(value, 12) if relation == ">=" else f"~{float(value):.12g}"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def _table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# --- sections -----------------------------------------------------------------------


def _families(verdicts) -> dict:
    """{family: [verdicts]} keyed by the first two id components; malformed files under "malformed"."""
    groups = {}
    for v in verdicts:
        key = "malformed" if v.status == "malformed" else "/".join(v.claim_id.split("/")[:2])
        groups.setdefault(key, []).append(v)
    return dict(sorted(groups.items()))


def _header(proofs: str, verdicts) -> str:
    errors = sum(v.status == "malformed" for v in verdicts)
    failed = sum(not v.ok for v in verdicts) - errors
    passed = len(verdicts) - failed - errors
    verdict = overall(verdicts)
    manifest = os.path.join(proofs, MANIFEST)
    lines = ["# Referee's report", "",
             f"Generated by `certify report --proofs {proofs}` from the certificates in `{proofs}/`, checked by",
             "the trusted kernel alone (`certify.kernel.proofs.check_path`; no solver is imported). Do not edit",
             "this file: regenerate it. Every number in it is computed by the code at generation time;",
             "the papers' statements are quoted beside for comparison.", "",
             f"**{verdict}**: {passed} verified, {failed} failed, {errors} malformed, of {len(verdicts)} claims."]
    if os.path.isfile(manifest):
        with open(manifest, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        lines += ["", f"Checked through `{proofs}/{MANIFEST}` (sha256 `{digest}`): every listed certificate must",
                  "prove exactly the listed claim, and every certificate file must be listed."]
    return "\n".join(lines) + "\n"


def _family_table(by_family) -> str:
    rows = []
    for family, group in by_family.items():
        kinds = ", ".join(sorted({v.kind for v in group}))
        rows.append((f"`{family}`", str(len(group)), kinds, PAPER_SAYS.get(family, ""), _proved(group),
                     family_status(group)))
    header = ("claim family", "claims", "kind", "the paper says", "the kernel verified", "status")
    return "## Claim families\n\n" + _table(header, rows) + "\n"


def _proved(group) -> str:
    good = [v for v in group if v.ok]
    if not good:
        return "-"
    values = sorted({(v.relation, v.value) for v in good})
    if len(values) == 1:
        relation, value = values[0]
        return f"{relation} {_exact(value, relation)} (all {len(good)})"
    if len(values) <= 4:
        return ", ".join(f"{relation} {_exact(value, relation)}" for relation, value in values)
    relations = sorted({r for r, _ in values})
    first, last = safe_range(relations, min(v.value for v in good), max(v.value for v in good))
    return f"{' '.join(relations)} values from {first} to {last}"


def _failures(verdicts) -> str:
    bad = [v for v in verdicts if not v.ok]
    if not bad:
        return ""
    rows = [(v.source if v.status == "malformed" else v.claim_id, v.reason) for v in bad[:MAX_FAILURES_SHOWN]]
    more = f"\n\n... and {len(bad) - MAX_FAILURES_SHOWN} more." if len(bad) > MAX_FAILURES_SHOWN else ""
    return "## Claims NOT verified\n\n" + _table(("claim or file", "reason"), rows) + more + "\n"


def _key_claims(by_family) -> str:
    sections = [_gallego_lemma(by_family.get("gallego2013/lemma", [])),
                _gallego_ghz3(by_family.get("gallego2013/ghz3", [])),
                _curve_c(by_family.get("pironio2010/ns", [])),
                _tsirelson(by_family.get("pironio2010/tsirelson", [])),
                _bits(by_family.get("pironio2010/bits", [])),
                _pvalue(by_family.get("pironio2010/pvalue", [])),
                _curves(by_family)]
    return "## Key claims\n\n" + "\n".join(s for s in sections if s)


def _id_parts(v) -> dict:
    """{"x": "00001", "maj": "123", ...} from an id such as gallego2013/lemma/x=00001/maj=123/v=0."""
    return dict(part.split("=", 1) for part in v.claim_id.split("/") if "=" in part)


def _value_summary(group) -> str:
    good = [v for v in group if v.ok]
    values = sorted({(v.relation, v.value) for v in good})
    shown = ", ".join(f"{r} {_exact(x, r)}" for r, x in values) or "none"
    return f"{len(good)} of {len(group)} verified; verified values: {shown}"


def _gallego_lemma(group) -> str:
    if not group:
        return ""
    parts = [_id_parts(v) for v in group]
    inputs, triples, targets = (len({p.get(k) for p in parts}) for k in ("x", "maj", "v"))
    return ("### Gallego et al. 2013, Lemma: predictability of a majority vote\n\n"
            f"max P(maj(a_i, a_j, a_k) = v | x0) over five-party no-signalling boxes with maximal Mermin\n"
            f"violation: {len(group)} claims = {inputs} inputs x0 x {triples} triples x {targets} values v.\n"
            f"{_value_summary(group)} (each with a dual bound and a primal box attaining it).\n")


def _gallego_ghz3(group) -> str:
    if not group:
        return ""
    parts = [_id_parts(v) for v in group]
    tables = {p.get("g", "") for p in parts}
    balanced = sum(1 for t in tables if len(t) == 8 and set(t) <= {"0", "1"} and t.count("1") == 4)
    inputs = len({p.get("x") for p in parts})
    return ("### Gallego et al. 2013: the balanced three-party functions\n\n"
            f"{len(tables)} truth tables ({balanced} balanced; C(8,4) = {math.comb(8, 4)}) x {inputs} inputs = "
            f"{len(group)} claims that some three-party no-signalling box with maximal GHZ-paradox\n"
            f"violation makes g(a) deterministic. {_value_summary(group)} (a rational primal box each).\n")


def _curve_c(group) -> str:
    if not group:
        return ""
    return ("### Pironio et al. 2010, curve c (no-signalling)\n\n"
            f"max P(ab|xy) + CHSH/4 over two-party no-signalling boxes, for each of the {len(group)} pairs\n"
            f"(ab, xy): {_value_summary(group)}. Hence G_NS(I) <= max - I/4 and f_NS(I) >= -log2(max - I/4).\n")


def _tsirelson(group) -> str:
    if not group:
        return ""
    lo, hi = sqrt_interval(Fraction(8))
    rows = []
    for v in sorted(group, key=lambda v: v.claim_id):
        if v.ok:
            rows.append((_id_parts(v).get("level", "?"), format_rational(v.value), ceil_decimal(v.value, 12),
                         f"{float(v.value - hi):.2e}", status(v)))
        else:
            rows.append((_id_parts(v).get("level", "?"), "-", "-", "-", status(v).split(":")[0]))
    table = _table(("NPA level", "max CHSH <= (exact)", "decimal (up)", "above 2 sqrt 2", "status"), rows)
    return "### Tsirelson bound (max CHSH over the NPA relaxation)\n\n" + table + "\n"


def _reread(v, where_kind: str) -> dict:
    """The certificate behind a verified verdict, re-read; its problem must hash as when checked."""
    cert = read_json(v.source)
    problem = cert["claim"]["problem"]
    if problem_sha256(problem) != v.problem_sha256:
        raise CertifyError(f"{v.source}: changed while the report was generated ({where_kind})")
    return cert


def _bits(group) -> str:
    if not group:
        return ""
    rows = []
    for v in sorted(group, key=lambda v: v.claim_id):
        if not v.ok:
            rows.append((_id_parts(v).get("level", "?"), status(v).split(":")[0], "-", "-", "-", "-", "-", ""))
            continue
        problem = _reread(v, "bits")["claim"]["problem"]
        counts, p_xy = read_counts(problem, f"{v.source}: claim.problem")
        delta = parse_rational(problem["delta"], f"{v.source}: claim.problem.delta")
        n, i_hat = sum(counts.values()), chsh_estimate(counts, p_xy)
        eps = epsilon_upper(n, min(p_xy.values()), delta, "quantum")
        rows.append((_id_parts(v).get("level", "?"), f">= {_exact(v.value, '>=')}", str(n), floor_decimal(i_hat, 6),
                     ceil_decimal(eps, 6), floor_decimal(i_hat - eps, 6), format_rational(1 - delta),
                     PAPER_SAYS.get("pironio2010/bits", "")))
    header = ("NPA level", "certified H_min (bits)", "n", "I_hat", "eps (up)", "I_hat - eps", "confidence",
              "the paper says")
    return ("### Pironio et al. 2010, Table 1: certified random bits (eq. (3))\n\n" + _table(header, rows) +
            "\n\nI_hat is the CHSH estimate of eq. (2) from the counts; eps is the Azuma-Hoeffding deviation of\n"
            "eq. (3); the bits follow from one verified NPA tangent per input pair (the fewest bits are kept).\n")


def _pvalue(group) -> str:
    if not group:
        return ""
    lines = ["### Pironio et al. 2010: local-model p-value", ""]
    for v in sorted(group, key=lambda v: v.claim_id):
        if not v.ok:
            lines.append(f"- `{v.claim_id}`: {status(v)}")
            continue
        counts, p_xy = read_counts(_reread(v, "p-value")["claim"]["problem"], f"{v.source}: claim.problem")
        bound = p_value_upper(counts, p_xy)
        lines.append(f"- `{v.claim_id}`: p <= {format_rational(v.claimed)} = {ceil_decimal(v.claimed, 7)} {status(v)}; "
                     f"the kernel's bound exp(-n (I_hat - 2)^2 / (2 (1/q + 2)^2)) <= {ceil_decimal(bound, 7)}. "
                     f"The paper says: {PAPER_SAYS.get('pironio2010/pvalue', '')}.")
    return "\n".join(lines) + "\n"


def _curve(group, prefix: str):
    """The `Curve` of the verified tangent claims whose id starts with `prefix`, or None."""
    tangents = [tangent_of(_reread(v, "tangent"), v, v.source) for v in group if v.ok and v.claim_id.startswith(prefix)]
    return Curve(tangents) if tangents else None


def _curves(by_family) -> str:
    npa = by_family.get("pironio2010/G-global", []) + by_family.get("pironio2010/G-local", [])
    curves = [(label, _curve(npa, prefix)) for label, prefix in CURVES]
    curves = [(label, curve) for label, curve in curves if curve]
    ns = [v.value for v in by_family.get("pironio2010/ns", []) if v.ok]
    if not curves and not ns:
        return ""
    tops = {curve.top for _, curve in curves if curve.top > CURVE_POINTS[-1]}
    points = sorted(set(CURVE_POINTS) | ({max(tops)} if tops else set()))
    header = ["I"] + [f"{label} ({len(curve.tangents)} tangents)" for label, curve in curves]
    header += ["b: 1 - log2(1 + sqrt(2 - I^2/4)) (float)"]
    header += [f"c: -log2({format_rational(max(ns))} - I/4)"] if ns else []
    rows = []
    for at in points:
        row = [floor_decimal(at, 9).rstrip("0").rstrip(".")]
        row += [floor_decimal(bits_lower(curve.g_upper(at)), 4) if at <= curve.top else "-" for _, curve in curves]
        row.append(f"{1 - math.log2(1 + math.sqrt(max(0.0, 2 - float(at) ** 2 / 4))):.4f}")
        row += [floor_decimal(bits_lower(max(ns) - at / 4), 4)] if ns else []
        rows.append(row)
    says = "; ".join(f"{PAPER_SAYS[k]}" for k in ("pironio2010/G-global", "pironio2010/G-local") if k in PAPER_SAYS)
    return ("### Pironio et al. 2010, Fig. 2: certified lower bounds on f(I) (bits, rounded down)\n\n"
            "Each certified column is -log2 of the kernel's verdict on G(I) <= nu_k - lambda_k I, the lowest\n"
            "verified tangent line claimed at that I (a concave upper bound on G; lines are read only up to\n"
            "the last tangent, below 2 sqrt 2), with log2 enclosed by the kernel's interval arithmetic.\n"
            f"The paper says: {says}.\n\n" + _table(header, rows) + "\n")


def _figures(out: str, proofs: str = "proofs") -> str:
    """The repository's figures, linked only when `proofs` is the repository's proofs/ (the folder their
    commands draw from); for any other folder none is claimed to come from it (the HTML report draws them
    from the checked folder)."""
    lines = ["## Figures", ""]
    if os.path.realpath(proofs) != os.path.realpath(os.path.join(ROOT, "proofs")):
        return "\n".join(lines + [
            f"The repository's figures are drawn from its own proofs/ folder, not from {proofs}, so none is shown "
            f"here; `certify report --proofs {proofs} --html FILE` draws Figs. 2 and 3 from {proofs} itself.", ""])
    base = os.path.dirname(os.path.abspath(out))
    lines += ["Figs. 2 and 3 are drawn by untrusted plotting code from kernel-verified numbers of the repository's "
              "proofs/; the amplification figure is not (see its note).", ""]
    for title, path, command in FIGURES:
        target = os.path.join(ROOT, path)
        link = os.path.relpath(target, base).replace(os.sep, "/")
        note = f" ({ESTIMATE_NOTE})" if path in ESTIMATES else ""
        if os.path.isfile(target):
            lines += [f"**{title}** (`{command}`){note}", "", f"![{title}]({link})", ""]
        else:
            lines += [f"**{title}**: `{path}` is missing; draw it with `{command}`.{note}", ""]
    return "\n".join(lines)


def _closure_paths(by_family) -> dict:
    """{kind: one verified certificate of it}, so lazy imports of a check are seen too."""
    chosen = {}
    for group in by_family.values():
        for v in group:
            if v.ok and v.kind not in chosen:
                chosen[v.kind] = os.path.abspath(v.source)
    return {k: chosen[k] for k in sorted(chosen)}


def _trusted_section(rows, per_kind=None) -> str:
    total = sum(lines for _, lines, _ in rows)
    table = _table(("file", "lines", "sha256"), [(f"`{p}`", str(n), f"`{h}`") for p, n, h in rows])
    text = ("## Trusted base\n\n"
            "The files a fresh interpreter loads from `certify/` when it imports `certify.kernel.proofs` and\n"
            "the module of every claim kind in `certify.kernel.KINDS`, then checks one verified certificate\n"
            "of each kind (`certify.report.kernel_closure`). Besides Python and its standard library, this\n"
            f"is all that `certify check` trusts.\n\n{table}\n\n**Total: {len(rows)} files, {total} lines.**\n")
    return text + (_per_kind_section(rows, per_kind) if per_kind else "")


def _per_kind_section(rows, per_kind) -> str:
    """Per claim kind, the part of the trusted base its verdicts rest on (`kind_closures`): the files
    every kind loads (the door, the format, the manifest check) once, then each kind's own; and the
    reading list within them (`certify.reading_list`)."""
    lines, reading = {p: n for p, n, _ in rows}, kind_reading_lists(per_kind)
    relative = {k: sorted(os.path.relpath(f, ROOT).replace(os.sep, "/") for f in fs) for k, fs in per_kind.items()}
    common = sorted(set.intersection(*map(set, relative.values())))
    body = [(f"`{kind}`", str(sum(lines[f] for f in fs)), str(count(reading[kind])),
             ", ".join(f"`{os.path.relpath(f, 'certify/kernel')}`" for f in fs if f not in common) or "-")
            for kind, fs in relative.items()]
    return ("\nTo audit the verdicts of one claim kind, a referee reads only what checking one certificate of\n"
            "that kind loads (a fresh interpreter importing `certify.kernel.proofs` and checking it). Every kind\n"
            f"loads the same {len(common)} files ({sum(lines[f] for f in common)} lines: "
            + ", ".join(f"`{f}`" for f in common) + ");\nthe table adds each kind's own. Within those files, "
            "the kind's *reading list* is what runs at import (docstrings\nwith the lemmas, imports, constants) "
            "and every definition its checker can reach from the door\n(`certify.reading_list`; "
            "`tests/unit/test_reading_list.py` traces real checks against it).\n\n"
            + _table(("claim kind", "lines in its files", "reading list (lines)",
                      "files beyond the common ones (under `certify/kernel/`)"), body) + "\n"
            + _reading_lists(reading))


def _reading_lists(reading) -> str:
    """Per kind, the line ranges of each file to read."""
    parts = ["\n### Reading lists\n\nLine ranges per file (a range may span blank lines; they are not counted).\n"]
    for kind, listing in sorted(reading.items()):
        files = "; ".join(f"`{os.path.relpath(p, ROOT).replace(os.sep, '/')}` {spans(numbers, blank_lines(p))}"
                          for p, numbers in sorted(listing.items()) if numbers)
        parts.append(f"- `{kind}` ({count(listing)} lines): {files}")
    return "\n".join(parts) + "\n"


def _environment(external) -> str:
    rows = [("Python", f"{platform.python_implementation()} {platform.python_version()}")]
    rows += library_versions()
    owners = importlib.metadata.packages_distributions()
    loaded = sorted({dist for name in external for dist in owners.get(name, [])})
    shown = ", ".join(f"`{name}`" for name in loaded) or "none"
    note = (" (the optional accelerator of the exact LDL^T; the pure-integer path is kept and tested to\n"
            "agree)") if loaded == ["python-flint"] else ""
    return ("## Environment\n\n" + _table(("software", "version"), rows) +
            f"\n\nThird-party libraries the kernel loaded while checking: {shown}{note}. The other libraries\n"
            "are used only by the untrusted producers, the plots and the command line.\n")


# --- the self-contained HTML report and the PDF ---------------------------------------------
#
# One file a referee can open anywhere (no network, no JavaScript, no link into the repository):
# the Markdown sections above converted by `_html_block`, the figures redrawn from the CHECKED
# folder and embedded as base64 PNG, one expandable row per claim whose description is rebuilt
# from the problem definition (`certify show`), and how to re-check. Every number in a claim row
# is a kernel verdict (data-* attributes carry the exact values for tests and scripts).

_STYLE = """body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;line-height:1.4}
table{border-collapse:collapse;margin:0.5rem 0;font-size:0.9rem}td,th{border:1px solid #bbb;padding:2px 6px;
text-align:left;vertical-align:top}th{background:#eee}code,pre{font-family:ui-monospace,monospace;font-size:0.85rem}
pre{background:#f6f6f6;padding:0.5rem;overflow-x:auto;white-space:pre-wrap}details{margin:0.3rem 0}
.verified{color:#064}.false,.malformed,.internal{color:#a00;font-weight:bold}img{max-width:100%}"""


def _inline(text: str) -> str:
    text = html.escape(text, quote=False)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)


def _html_block(markdown: str) -> str:
    """The Markdown subset the report writes (headings, tables, lists, paragraphs) as HTML."""
    out, lines, k = [], markdown.splitlines(), 0
    while k < len(lines):
        line = lines[k]
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append(f"<h{level}>{_inline(line[level:].strip())}</h{level}>")
        elif line.startswith("|"):
            rows = []
            while k < len(lines) and lines[k].startswith("|"):
                rows.append([c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", lines[k].strip())[1:-1]])
                k += 1
            head, body = rows[0], rows[2:]
            out.append("<table><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr>" +
                       "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in body) +
                       "</table>")
            continue
        elif line.startswith("- "):
            items = []
            while k < len(lines) and lines[k].startswith("- "):
                items.append(f"<li>{_inline(lines[k][2:])}</li>")
                k += 1
            out.append("<ul>" + "".join(items) + "</ul>")
            continue
        elif line.strip():
            para = []
            while k < len(lines) and lines[k].strip() and not lines[k].startswith(("#", "|", "- ")):
                para.append(lines[k])
                k += 1
            out.append(f"<p>{_inline(' '.join(para))}</p>")
            continue
        k += 1
    return "\n".join(out)


def draw_figures(proofs: str, folder: str) -> list:
    """[(title, PNG path or None, note)] of the figures: Figs. 2 and 3 redrawn from the certificates in
    `proofs`; the amplification figure from illustrative inputs (estimates; its note says so)."""
    from pathlib import Path

    try:
        import matplotlib  # noqa: F401  (optional: pip install 'certify[plots]')
    except ImportError:
        return [(title, None, "matplotlib is not installed (pip install 'certify[plots]')") for title, _, _ in FIGURES]
    from certify.papers.pironio2010 import fig2, fig3

    def amplification(path):
        from certify import amplification as amp
        from certify.commands.amplify import plot

        plot(path, amp.ILLUSTRATIVE["alpha"], amp.ILLUSTRATIVE["beta"])

    npa = Path(proofs) / "pironio2010" / "npa"
    makers = (lambda path: fig2.draw(path, npa),
              lambda path: fig3.draw(path, fig3.certified_f("2", proofs), "curve a, NPA level 2, from the "
                                     "certified tangents", letter="a"),
              amplification)
    drawn = []
    for (title, name, command), make in zip(FIGURES, makers):
        path = os.path.join(folder, os.path.basename(name))
        try:
            make(path)
            if name in ESTIMATES:
                drawn.append((title, path, f"{ESTIMATE_NOTE} (`{command}` draws the repository's copy)"))
            else:
                drawn.append((title, path, f"redrawn from {proofs}/ (`{command}` draws the repository's copy)"))
        except (CertifyError, OSError, ValueError, KeyError) as err:  # e.g. a folder without these claims
            drawn.append((title, None, f"not drawn from {proofs}/: {err}"))
    return drawn


def _figures_html(figures) -> str:
    parts = ["<h2>Figures</h2>", "<p>Embedded in this file. Figs. 2 and 3 are drawn by untrusted plotting code "
             "from kernel-verified numbers of the checked folder; the amplification figure is not (see its note).</p>"]
    for title, path, note in figures:
        parts.append(f"<h3>{_inline(title)}</h3><p>{_inline(note)}</p>")
        if path:
            with open(path, "rb") as handle:
                data = base64.b64encode(handle.read()).decode("ascii")
            parts.append(f'<img alt="{html.escape(title)}" src="data:image/png;base64,{data}">')
    return "\n".join(parts)


def _with_figures(proofs, figures, make):
    """make(figures), drawing them into a temporary folder first unless given."""
    if figures is not None:
        return make(figures)
    with tempfile.TemporaryDirectory() as folder:
        return make(draw_figures(proofs, folder))


def _claims_html(verdicts) -> str:
    """Every claim: id, the kernel's verdict and value, and (expandable) the claim rebuilt in words."""
    from certify.commands.show import describe
    from certify.printing import verdict_json

    parts = ["<h2>Every claim</h2>", "<p>Each row is a kernel verdict. Open a row for the claim as the kernel "
             "reads it, rebuilt from the problem definition (<code>certify show FILE</code>); the certificate's "
             "own statement is untrusted text.</p>"]
    for family, group in _families(verdicts).items():
        parts.append(f"<details><summary><code>{html.escape(family)}</code>: {len(group)} claims, "
                     f"{html.escape(family_status(group))}</summary><table><tr><th>claim</th><th>verdict</th>"
                     "<th>proven (exact)</th><th>the claim, rebuilt</th></tr>")
        for v in group:
            row = verdict_json(v)
            try:
                text = "\n".join(describe(read_json(v.source))) if v.status != "malformed" else v.reason
            except (CertifyError, KeyError, TypeError, ValueError) as err:
                text = f"(not described: {err})"
            proven = f"{v.relation} {row['value']}" if v.ok else "-"
            parts.append(
                f'<tr data-claim="{html.escape(v.claim_id)}" data-status="{v.status}" '
                f'data-value="{html.escape(row["value"] or "")}" data-relation="{html.escape(v.relation)}">'
                f"<td><code>{html.escape(v.claim_id if v.status != 'malformed' else v.source)}</code></td>"
                f'<td class="{v.status}">{html.escape(status(v))}</td><td><code>{html.escape(proven)}</code></td>'
                f"<td><details><summary>show</summary><pre>{html.escape(text)}</pre></details></td></tr>")
        parts.append("</table></details>")
    return "\n".join(parts)


def _recheck_html(proofs: str) -> str:
    return ("<h2>How to re-check</h2><pre>pip install certify            # the kernel alone (pure Python) verifies "
            "every claim\n"
            f"certify check {html.escape(proofs)}             # exit 0: every claim verified\n"
            f"certify check --json {html.escape(proofs)}      # the verdicts as JSON (schema certify-cli/1)\n"
            "certify show FILE               # one claim rebuilt in words, with the kernel's verdict</pre>"
            "<p>The trusted base below lists every file the kernel loads, with its sha256.</p>")


def render_html(verdicts, proofs: str, figures=None) -> str:
    """The whole report as one self-contained HTML page (figures embedded, no external resource);
    `figures` as from `draw_figures`, else drawn here."""
    parts = _parts(verdicts, proofs, "")
    body = [_html_block(part) for part in parts[:4] if part]
    body += [_with_figures(proofs, figures, _figures_html), _claims_html(verdicts), _recheck_html(proofs)]
    body += [_html_block(part) for part in parts[5:] if part]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>certify: referee's report"
            f"</title><style>{_STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def render_pdf(verdicts, proofs: str, path: str, figures=None) -> str:
    """The report as a PDF through matplotlib alone: text pages (monospace), then the figures."""
    try:
        import matplotlib
    except ImportError:
        raise CertifyError("--pdf: needs matplotlib (pip install 'certify[plots]')") from None
    matplotlib.use("Agg")
    import textwrap

    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    text = "\n".join(part for part in _parts(verdicts, proofs, "") if part)
    lines = [piece for line in text.splitlines() for piece in (textwrap.wrap(line, 150) or [""])]
    per_page = 90
    with PdfPages(path, metadata={"Title": "certify: referee's report", "CreationDate": None}) as pdf:
        for start in range(0, len(lines), per_page):
            figure = plt.figure(figsize=(11.69, 8.27))  # A4 landscape
            figure.text(0.03, 0.97, "\n".join(lines[start:start + per_page]), family="monospace", fontsize=5.2,
                        va="top")
            pdf.savefig(figure)
            plt.close(figure)
        def pages(drawn):
            for title, png, note in drawn:
                figure = plt.figure(figsize=(11.69, 8.27))
                figure.suptitle(f"{title}\n{note}", fontsize=9)
                if png:
                    axes = figure.add_axes([0.05, 0.02, 0.9, 0.85])
                    axes.imshow(plt.imread(png))
                    axes.axis("off")
                pdf.savefig(figure)
                plt.close(figure)

        _with_figures(proofs, figures, pages)
    return path
