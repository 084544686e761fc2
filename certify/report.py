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

import hashlib
import importlib.metadata
import json
import math
import os
import platform
import subprocess
import sys
from fractions import Fraction

from certify.bits_models import epsilon_upper, log2_interval
from certify.errors import CertifyError
from certify.kernel import problem_sha256
from certify.kernel.bits import chsh_estimate, p_value_upper
from certify.kernel.chain import read_counts
from certify.kernel.format import format_rational, parse_rational, read_json
from certify.kernel.intervals import sqrt_interval
from certify.kernel.proofs import MANIFEST, check_path
from certify.papers import PAPER_SAYS
from certify.papers.pironio2010.npa import Curve, tangent_of
from certify.printing import family_status, overall, status

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIBRARIES = ("numpy", "scipy", "cvxpy", "clarabel", "highspy", "python-flint", "sympy", "mpmath", "rich",
             "matplotlib")
FIGURES = (
    ("Fig. 2 of Pironio et al. 2010 (f(I): curves a, b, c), from the verified tangents",
     "docs/fig2.png", "python -m certify.papers.pironio2010.fig2"),
    ("Fig. 3 of Pironio et al. 2010 (finite statistics), curve a from the verified tangents",
     "docs/fig3.png", "python -m certify.papers.pironio2010.fig3"),
    ("Gallego et al. 2013, eq. (13): log10 N against eps (illustrative alpha, beta)",
     "docs/amplification.png", "certify amplify --eps 0.1 --alpha 0.9 --beta 2 --plot docs/amplification.png"),
)
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
for target in KINDS.values():
    importlib.import_module(target.split(":")[0])
for path in sys.argv[1:]:
    certify.kernel.proofs.check_path(path)
new = sorted(set(sys.modules) - before)
files = sorted({sys.modules[m].__file__ for m in new
                if m.split(".")[0] == "certify" and getattr(sys.modules[m], "__file__", None)})
external = sorted({m.split(".")[0] for m in new} - set(sys.stdlib_module_names) - {"certify"})
print(json.dumps({"files": files, "external": external, "modules": new}))
"""


def kernel_closure(check_paths=()) -> dict:
    """What a fresh interpreter loads for the kernel: import certify.kernel.proofs and every
    module of certify.kernel.KINDS, then run check_path on `check_paths`.

    Returns {"files": [absolute paths under certify/], "external": [top-level non-stdlib
    packages], "modules": [every newly loaded module name]}.
    """
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-c", _CLOSURE_SCRIPT, *check_paths], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise CertifyError(f"trusted base: the kernel import subprocess failed: {tail}")
    return json.loads(done.stdout)


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
    by_family = _families(verdicts)
    closure = kernel_closure(_closure_paths(by_family))
    parts = [_header(proofs, verdicts), _family_table(by_family), _failures(verdicts), _key_claims(by_family),
             _figures(out), _trusted_section(trusted_base(closure["files"])), _environment(closure["external"])]
    return "\n".join(part for part in parts if part)


# --- numbers -------------------------------------------------------------------------


def floor_decimal(value: Fraction, places: int) -> str:
    """value rounded DOWN to `places` decimals, exactly (for lower bounds)."""
    scaled = math.floor(Fraction(value) * 10**places)
    sign, digits = ("-" if scaled < 0 else ""), str(abs(scaled)).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}" if places else f"{scaled}"


def ceil_decimal(value: Fraction, places: int) -> str:
    """value rounded UP to `places` decimals, exactly (for upper bounds)."""
    text = floor_decimal(-Fraction(value), places)
    return text[1:] if text.startswith("-") else ("-" + text if text.strip("0.") else text)


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
    relations = " ".join(sorted({r for r, _ in values}))
    low, high = min(v.value for v in good), max(v.value for v in good)
    return f"{relations} values from {floor_decimal(low, 6)} to {ceil_decimal(high, 6)}"


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


def _figures(out: str) -> str:
    base = os.path.dirname(os.path.abspath(out))
    lines = ["## Figures", "", "Drawn by untrusted plotting code from kernel-verified numbers.", ""]
    for title, path, command in FIGURES:
        target = os.path.join(ROOT, path)
        link = os.path.relpath(target, base).replace(os.sep, "/")
        if os.path.isfile(target):
            lines += [f"**{title}** (`{command}`)", "", f"![{title}]({link})", ""]
        else:
            lines += [f"**{title}**: `{path}` is missing; draw it with `{command}`.", ""]
    return "\n".join(lines)


def _closure_paths(by_family) -> list:
    """One verified certificate of each claim kind, so lazy imports of a check are seen too."""
    chosen = {}
    for group in by_family.values():
        for v in group:
            if v.ok and v.kind not in chosen:
                chosen[v.kind] = os.path.abspath(v.source)
    return [chosen[k] for k in sorted(chosen)]


def _trusted_section(rows) -> str:
    total = sum(lines for _, lines, _ in rows)
    table = _table(("file", "lines", "sha256"), [(f"`{p}`", str(n), f"`{h}`") for p, n, h in rows])
    return ("## Trusted base\n\n"
            "The files a fresh interpreter loads from `certify/` when it imports `certify.kernel.proofs` and\n"
            "the module of every claim kind in `certify.kernel.KINDS`, then checks one verified certificate\n"
            "of each kind (`certify.report.kernel_closure`). Besides Python and its standard library, this\n"
            f"is all that `certify check` trusts.\n\n{table}\n\n**Total: {len(rows)} files, {total} lines.**\n")


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
