"""The documented Python API (docs/your-experiment.md): describe your experiment, get kernel verdicts.

    certify.Scenario(inputs, outputs)              parties 0-based (A, B, ...); inputs m_i >= 1, outputs d_i >= 2
    certify.BellExpression.full / .correlators / .from_terms / .chsh   exact rational coefficients
    certify.Problem(scenario, objective, set, sense, constraints, statistics, level)
    certify.solve(problem, out=None, ...)  -> SolveResult (.lower, .upper, .gap, .tight, .certificate, ...)
    certify.bits(counts, p_xy=None, ...)   -> BitsResult  (.bits == .lower, .certificate, .verdicts)
    certify.check(path)                    -> CheckResult (.ok, .verdicts, .lower, .upper)

Every number a result reports is the claimed value of a verdict of the trusted kernel
(`certify.kernel.check_certificate`); a side without a verified verdict is None, never a float.
Failures raise `CertifyError` subclasses (certify/exceptions.py): ProblemError (bad input, including
InfeasibleError), SolverError (no certificate produced), NotProvenError (the kernel said no).

Exact input. Coefficients, probabilities and counts may be ints, Fractions, "p/q" or decimal
strings ("0.1" is 1/10 exactly), numpy integers and numpy arrays. Floats are REFUSED unless they are
whole numbers (1.0, -2.0 are read as 1, -2): Fraction(0.1) is 3602879701896397/36028797018963968,
never what was meant. Arrays are read through `.tolist()`, so numpy is never imported here
(`import certify` stays light: the kernel-only install imports it too).
"""

import numbers
import operator
import os
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import product
from typing import Optional

from certify.errors import CertifyError
from certify.exceptions import InfeasibleError, NotProvenError, ProblemError, SolverError
from certify.kernel.format import format_rational
from certify.problem import TIGHT_TOL
from certify.problem import Problem as _ProblemBase

__all__ = ["BellExpression", "BitsResult", "CheckResult", "InfeasibleError", "NotProvenError", "Problem",
           "ProblemError", "Scenario", "SolveResult", "SolverError", "bits", "check", "guess", "solve"]


# ---------------------------------------------------------------------------------------------- exact numbers
def exact(value, where: str = "value") -> Fraction:
    """An exact rational from an int, Fraction, numpy integer, "p/q" / decimal string or a whole float."""
    if isinstance(value, bool):
        raise ProblemError(f"{where}: expected a number, got {value!r}")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, numbers.Integral):
        return Fraction(operator.index(value))
    if isinstance(value, str):
        from certify.cli_types import rational

        try:
            return rational(value.strip(), where, signed=True)
        except CertifyError as err:
            raise ProblemError(str(err)) from None
    if isinstance(value, numbers.Real):  # float, numpy floating: exact only when whole
        number = float(value)
        if number.is_integer():
            return Fraction(int(number))
        raise ProblemError(f"{where}: {number!r} is a float, which is not exact; pass a fractions.Fraction, a "
                           f'"p/q" or decimal string, or an integer (whole floats such as 1.0 are accepted)')
    raise ProblemError(f"{where}: expected a rational number, got {type(value).__name__} {str(value)[:30]!r}")


def _count(value, where: str) -> int:
    """A non-negative integer count (numpy integers and whole floats accepted)."""
    number = exact(value, where)
    if number.denominator != 1 or number < 0:
        raise ProblemError(f"{where}: expected a non-negative integer count, got {format_rational(number)}")
    return int(number)


def _entries(array, shape: tuple, where: str):
    """{index tuple: entry} of a nested list or array-like (`.tolist()`) of exactly `shape`."""
    data = array.tolist() if hasattr(array, "tolist") else array
    out = {}
    for index in product(*(range(n) for n in shape)):
        cell = data
        for depth, k in enumerate(index):
            if not isinstance(cell, (list, tuple)) or len(cell) != shape[depth]:
                raise ProblemError(f"{where}: expected an array of shape {tuple(shape)} (axis {depth} has length "
                                   f"{len(cell) if isinstance(cell, (list, tuple)) else 'none'})")
            cell = cell[k]
        if isinstance(cell, (list, tuple)):
            raise ProblemError(f"{where}: expected an array of shape {tuple(shape)}, it has more axes")
        out[index] = cell
    return out


def _at(where, index) -> str:
    return f"{where}[{', '.join(map(str, index))}]"


# ---------------------------------------------------------------------------------------------- descriptions
@dataclass(frozen=True)
class Scenario:
    """n parties; party i has inputs[i] >= 1 inputs and outputs[i] >= 2 outputs."""

    inputs: tuple
    outputs: tuple

    def __post_init__(self):
        from certify.kernel.defs.scenario import parse_scenario

        sizes = {}
        for key in ("inputs", "outputs"):
            raw = getattr(self, key)
            raw = raw.tolist() if hasattr(raw, "tolist") else raw
            if not isinstance(raw, (list, tuple)):
                raise ProblemError(f"scenario.{key}: expected one number per party, got {str(raw)[:30]!r}")
            sizes[key] = tuple(_count(v, f"scenario.{key}[{i}]") for i, v in enumerate(raw))
            object.__setattr__(self, key, sizes[key])
        try:
            parse_scenario({k: list(v) for k, v in sizes.items()}, "scenario")
        except CertifyError as err:
            raise ProblemError(str(err)) from None

    @property
    def parties(self) -> int:
        return len(self.inputs)

    def to_json(self) -> dict:
        return {"inputs": list(self.inputs), "outputs": list(self.outputs)}

    def _kernel(self):
        from certify.kernel.defs.scenario import Scenario as KernelScenario

        return KernelScenario(self.inputs, self.outputs)


def _scenario(value) -> Scenario:
    if isinstance(value, Scenario):
        return value
    if isinstance(value, dict) and set(value) == {"inputs", "outputs"}:
        return Scenario(value["inputs"], value["outputs"])
    raise ProblemError('scenario: expected certify.Scenario or {"inputs": [...], "outputs": [...]}')


@dataclass(frozen=True)
class BellExpression:
    """A constant plus exact coefficients on P(a_S | x_S); `terms` are (outputs, inputs, coef) with None
    in the slots of parties outside S (docs/bell-expression-format.md). Build with `full`,
    `correlators`, `from_terms` or `chsh`; `.to_json()` is the problem-file form."""

    scenario: Scenario
    terms: tuple
    constant: Fraction = Fraction(0)

    def __post_init__(self):
        from certify.kernel.defs.scenario import make_expression

        scenario = _scenario(self.scenario)
        raw = [(tuple(o), tuple(i), exact(c, f"expression.terms[{k}].coef"))
               for k, (o, i, c) in enumerate(self.terms)]
        try:
            expr = make_expression(scenario._kernel(), raw, exact(self.constant, "expression.constant"), "expression")
        except CertifyError as err:
            raise ProblemError(str(err)) from None
        object.__setattr__(self, "scenario", scenario)
        object.__setattr__(self, "terms", expr.terms)
        object.__setattr__(self, "constant", expr.constant)

    @classmethod
    def from_terms(cls, scenario, terms, constant=0) -> "BellExpression":
        return cls(_scenario(scenario), tuple(terms), constant)

    @classmethod
    def full(cls, scenario, coefficients, constant=0) -> "BellExpression":
        """sum over a, x of coefficients[a_1, ..., a_n, x_1, ..., x_n] P(a | x): an array of shape
        outputs + inputs (for two parties: [a, b, x, y])."""
        scenario = _scenario(scenario)
        cells = _entries(coefficients, scenario.outputs + scenario.inputs, "coefficients")
        n = scenario.parties
        terms = [(index[:n], index[n:], exact(c, _at("coefficients", index))) for index, c in cells.items()]
        return cls(scenario, tuple(terms), constant)

    @classmethod
    def correlators(cls, scenario, coefficients, constant=0) -> "BellExpression":
        """Binary parties, correlator ("FC") form: an array of shape (m_1 + 1, ..., m_n + 1); index 0 leaves
        the party out, index x + 1 is its observable A_x = P(a=0|x) - P(a=1|x). Two parties: M[x+1, 0] is
        <A_x>, M[0, y+1] <B_y>, M[x+1, y+1] <A_x B_y>, M[0, 0] a constant (CHSH: [[0,0,0],[0,1,1],[0,1,-1]])."""
        scenario = _scenario(scenario)
        if any(d != 2 for d in scenario.outputs):
            raise ProblemError("coefficients: the correlator form needs binary outputs for every party")
        cells = _entries(coefficients, tuple(m + 1 for m in scenario.inputs), "coefficients")
        terms, offset = [], exact(constant, "constant")
        for index, c in cells.items():
            coef = exact(c, _at("coefficients", index))
            parties = [i for i, k in enumerate(index) if k]
            if not coef:
                continue
            if not parties:
                offset += coef
                continue
            for a_s in product(range(2), repeat=len(parties)):
                outs, ins = [None] * scenario.parties, [None] * scenario.parties
                for i, a in zip(parties, a_s):
                    outs[i], ins[i] = a, index[i] - 1
                terms.append((tuple(outs), tuple(ins), coef * (-1) ** sum(a_s)))
        return cls(scenario, tuple(terms), offset)

    @classmethod
    def chsh(cls) -> "BellExpression":
        """CHSH = <A0B0> + <A0B1> + <A1B0> - <A1B1> (local 2, quantum 2 sqrt 2, no-signalling 4)."""
        return cls.correlators(Scenario((2, 2), (2, 2)), [[0, 0, 0], [0, 1, 1], [0, 1, -1]])

    @classmethod
    def from_json(cls, scenario, obj) -> "BellExpression":
        from certify.expressions import read_expression

        scenario = _scenario(scenario)
        try:
            expr = read_expression(obj, scenario._kernel(), "expression")
        except CertifyError as err:
            raise ProblemError(str(err)) from None
        return cls(scenario, expr.terms, expr.constant)

    def to_json(self) -> dict:
        out = {"terms": [{"coef": format_rational(c), "outputs": list(o), "inputs": list(i)}
                         for o, i, c in self.terms]}
        if self.constant:
            out["constant"] = format_rational(self.constant)
        return out

    def __neg__(self) -> "BellExpression":
        return BellExpression(self.scenario, tuple((o, i, -c) for o, i, c in self.terms), -self.constant)


def guess(parties, inputs) -> dict:
    """The objective "the adversary's probability of guessing the outputs of `parties` at `inputs`"."""
    return {"guess": {"parties": [operator.index(p) for p in parties], "inputs": [operator.index(x) for x in inputs]}}


@dataclass(frozen=True)
class Problem(_ProblemBase):
    """`certify.problem.Problem` (the JSON twin of docs/problem-format.md) that also takes API objects:
    a Scenario, a BellExpression as objective (or as {"bell": e}), constraints as (expression, relation,
    value) tuples, statistics as an array of shape outputs + inputs (P[a..., x...]), exact numbers
    and numpy values. Everything is converted to the JSON form on construction (`.to_json()`)."""

    def __post_init__(self):
        set_ = lambda key, value: object.__setattr__(self, key, value)  # noqa: E731 -- a frozen dataclass
        scenario = _scenario(self.scenario) if isinstance(self.scenario, (Scenario, dict)) else self.scenario
        sc_json = scenario.to_json() if isinstance(scenario, Scenario) else scenario
        set_("scenario", sc_json)
        set_("objective", _objective(self.objective))
        rows = []
        for k, row in enumerate(self.constraints or ()):
            if isinstance(row, (tuple, list)) and len(row) == 3:
                expr, relation, value = row
                row = {"expression": expr, "relation": relation, "value": value}
            if isinstance(row, dict) and set(row) == {"expression", "relation", "value"}:
                row = {"expression": _expression_json(row["expression"]), "relation": row["relation"],
                       "value": format_rational(exact(row["value"], f"problem.constraints[{k}].value"))}
            rows.append(row)
        set_("constraints", tuple(rows))
        if self.statistics is not None and not isinstance(self.statistics, dict) and isinstance(scenario, Scenario):
            set_("statistics", _behaviour(scenario, self.statistics))


def _expression_json(expr):
    return expr.to_json() if isinstance(expr, BellExpression) else expr


def _objective(obj):
    if isinstance(obj, BellExpression):
        return {"bell": obj.to_json()}
    if isinstance(obj, dict) and set(obj) == {"bell"}:
        return {"bell": _expression_json(obj["bell"])}
    return obj


def _behaviour(scenario: Scenario, array) -> dict:
    """P[a_1, ..., a_n, x_1, ..., x_n] as {"p": [...]} with exact "p/q" entries."""
    n = scenario.parties
    cells = _entries(array, scenario.outputs + scenario.inputs, "statistics")
    return {"p": [{"outputs": list(k[:n]), "inputs": list(k[n:]), "p": format_rational(exact(v, _at("statistics", k)))}
                  for k, v in cells.items()]}


# ---------------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class SolveResult:
    """A certified interval [lower, upper] for the optimum; each end is the claimed value of a verified kernel
    verdict (None: no certificate on that side, `reason` says why). `certificate` is the path written (with
    `out`) or the certificate dict of the set's own claim (local.bound, lp.ns or npa.max); `certificates`
    lists all of them (with a quantum strategy's for a two-sided quantum result). For compatibility, other
    attributes read through to the main Verdict (`.value`, `.relation`, `.ok`), or to the `Interval` when
    two-sided (`.low`, `.high`: the verdicts of the two ends)."""

    lower: Optional[Fraction]
    upper: Optional[Fraction]
    certificate: object
    verdicts: tuple
    certificates: tuple = ()
    statement: str = ""
    tight_tol: Fraction = TIGHT_TOL
    reason: str = ""
    _compat: object = field(default=None, repr=False, compare=False)

    @property
    def gap(self) -> Optional[Fraction]:
        return None if self.lower is None or self.upper is None else self.upper - self.lower

    @property
    def tight(self) -> bool:
        return self.gap is not None and self.gap <= self.tight_tol

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(object.__getattribute__(self, "_compat"), name)

    def to_json(self) -> dict:
        """The `certify solve --json` document: the verdicts under "claims", and the interval as "p/q"."""
        from certify.printing import result_json

        text = lambda x: None if x is None else format_rational(x)  # noqa: E731
        certificate = self.certificate if isinstance(self.certificate, str) else None
        interval = {"lower": text(self.lower), "upper": text(self.upper), "gap": text(self.gap), "tight": self.tight,
                    "tight_tol": text(self.tight_tol), "reason": self.reason}
        return result_json("solve", self.verdicts, certificate=certificate, statement=self.statement,
                           interval=interval)


@dataclass(frozen=True)
class BitsResult:
    """H_min >= `bits` with probability >= 1 - delta: the kernel's verdict on a whole-chain "bits.chsh"
    certificate (Pironio et al. 2010, eq. (3)). `lower` == `bits`; `upper` is None (no upper bound is claimed)."""

    bits: int
    certificate: object
    verdicts: tuple
    n: int
    delta: Fraction
    level: str
    i_hat: Fraction
    p_xy: dict

    @property
    def lower(self) -> int:
        return self.bits

    @property
    def upper(self):
        return None

    def to_json(self) -> dict:
        from certify.printing import result_json

        return result_json("bits", self.verdicts, bits=self.bits, n=self.n, delta=format_rational(self.delta),
                           level=self.level, I_hat=format_rational(self.i_hat),
                           p_xy={f"{x}{y}": format_rational(p) for (x, y), p in sorted(self.p_xy.items())},
                           certificate=self.certificate if isinstance(self.certificate, str) else None)


@dataclass(frozen=True)
class CheckResult:
    """The kernel's verdicts on a certificate file or folder. `ok`: at least one verdict and all verified.
    For one claim, [lower, upper] is the interval its evidence proves (else None). Iterates over the verdicts."""

    verdicts: tuple
    certificate: str

    @property
    def ok(self) -> bool:
        return bool(self.verdicts) and all(v.ok for v in self.verdicts)

    @property
    def lower(self):
        return self.verdicts[0].low if len(self.verdicts) == 1 and self.ok else None

    @property
    def upper(self):
        return self.verdicts[0].high if len(self.verdicts) == 1 and self.ok else None

    def __iter__(self):
        return iter(self.verdicts)

    def __len__(self) -> int:
        return len(self.verdicts)

    def __getitem__(self, k):
        return self.verdicts[k]

    def to_json(self) -> dict:
        from certify.printing import result_json

        return result_json("check", self.verdicts, certificate=self.certificate)


# ---------------------------------------------------------------------------------------------- the three doors
def solve(problem, out=None, claim_id=None, solver=None, two_sided=False, tight_tol=TIGHT_TOL) -> SolveResult:
    """Certify a problem (a Problem, or its JSON dict). Local and no-signalling: the exact optimum (lower ==
    upper). Quantum: the NPA bound; with `two_sided=True` also an explicit strategy on the other side.
    `out` writes the certificate(s) (a strategy beside it as A.strategy.json). Raises ProblemError
    (InfeasibleError), SolverError or NotProvenError."""
    from certify import problem as p

    if isinstance(problem, dict):
        problem = Problem.from_json(problem)
    elif not isinstance(problem, _ProblemBase):
        raise ProblemError(f"problem: expected certify.Problem or its JSON dict, got {type(problem).__name__}")
    tol = exact(tight_tol, "tight_tol")
    try:
        p.parse(problem)
    except CertifyError as err:
        raise (err if isinstance(err, ProblemError) else ProblemError(str(err))) from None
    try:
        if two_sided:
            interval = p.certify_interval(problem, claim_id, solver, tol)
            compat = interval
        else:
            cert, verdict = p.certify_problem(problem, claim_id, solver)
            ends = {"==": (verdict, verdict), "<=": (None, verdict), ">=": (verdict, None)}[verdict.relation]
            interval = p.Interval(*ends, (cert,), tol, "one-sided: pass two_sided=True for the other end")
            compat = verdict
    except (InfeasibleError, NotProvenError, SolverError, ProblemError):
        raise
    except ModuleNotFoundError as err:
        raise SolverError(f"certify.solve needs the solver stack ({err.name} is not installed): "
                          "pip install 'certify[solve]'") from None
    except CertifyError as err:
        raise SolverError(str(err)) from None
    bad = [v for v in interval.verdicts if not v.ok]
    if bad:
        raise NotProvenError(f"{bad[0].claim_id}: {bad[0].reason}")
    paths = tuple(interval.write(os.fspath(out))) if out else ()
    certificates = paths or tuple(interval.certificates)
    return SolveResult(interval.lower, interval.upper, certificates[0], interval.verdicts, certificates,
                       interval.verdicts[0].statement, tol, interval.reason, compat)


def bits(counts, p_xy=None, delta="1/100", level="1+AB", out=None, claim_id="api/bits", solver=None,
         problem=None, parties=None, azuma=None) -> BitsResult:
    """Certified min-entropy of a two-party CHSH experiment (Pironio et al. 2010): the whole chain counts ->
    I_hat -> eps -> NPA tangents -> "H_min >= k bits" as one "bits.chsh" certificate, checked by the kernel.
    With `problem` (a bits problem: dict or JSON path, docs/count-table-format.md), any Bell test: the
    "bits.bell" chain of `certify bits --problem` (counts a count-table path or `counts.BellTable`; p_xy unused,
    p(x) is the problem's or the table's; `level`, `parties`, `azuma` as on the command line).

    counts: a .csv/.json path (docs/count-table-format.md), a CountTable, {(x, y, a, b): count}, or an array
    of shape (2, 2, 2, 2) indexed [x, y, a, b] (or (4, 4): rows xy = 00, 01, 10, 11, columns ab = 00..11).
    p_xy: {(x, y): p} / {"xy": p} / a 2x2 array [x][y], exact (default: the file's, else uniform); it must
    agree with the observed input frequencies (counts.check_input_frequencies, chi-square at 10^-6)."""
    if problem is not None:
        return _bell_bits(problem, counts, delta, None if level == "1+AB" else level, out, claim_id, parties, azuma)
    from certify.counts import CountTable, check_input_frequencies, read_counts, uniform_inputs
    from certify.kernel.bits import KEYS, check_delta

    source = "counts"
    if isinstance(counts, (str, os.PathLike)):
        try:
            table = read_counts(os.fspath(counts))
        except ProblemError:
            raise
        except CertifyError as err:
            raise ProblemError(str(err)) from None
        source, counts, p_xy = str(counts), dict(table.counts), p_xy if p_xy is not None else table.p_xy
    elif isinstance(counts, CountTable):
        source, p_xy, counts = counts.source or source, p_xy if p_xy is not None else counts.p_xy, dict(counts.counts)
    elif isinstance(counts, dict):
        counts = {tuple(operator.index(v) for v in k): _count(c, f"counts[{k}]") for k, c in counts.items()}
    else:
        shape = getattr(counts, "shape", None)
        if shape is not None and tuple(shape) == (4, 4):
            cells = _entries(counts, (4, 4), "counts")
            counts = {(r // 2, r % 2, c // 2, c % 2): _count(v, _at("counts", (r, c))) for (r, c), v in cells.items()}
        else:
            cells = _entries(counts, (2, 2, 2, 2), "counts")
            counts = {k: _count(v, _at("counts", k)) for k, v in cells.items()}
    if set(counts) != set(KEYS):
        raise ProblemError("counts: expected a count for every (x, y, a, b) in {0, 1}^4")
    probabilities = _p_xy(p_xy) if p_xy is not None else uniform_inputs()
    delta = exact(delta, "delta")
    try:
        check_delta(delta)
        from certify.kernel.bits import chsh_estimate, validate

        n, _ = validate(counts, probabilities)
    except CertifyError as err:
        raise ProblemError(str(err)) from None
    check_input_frequencies(counts, probabilities, source)
    try:
        from certify.certificate import checked, write
        from certify.papers.pironio2010.bits import bits_certificate

        cert = bits_certificate(counts, probabilities, delta, level, claim_id, source, solver)
    except ModuleNotFoundError as err:
        raise SolverError(f"certify.bits needs the solver stack ({err.name} is not installed): "
                          "pip install 'certify[solve]'") from None
    except CertifyError as err:
        raise (ProblemError if "--level" in str(err) or "2 sqrt 2" in str(err) else SolverError)(str(err)) from None
    verdict = checked(cert, os.fspath(out) if out else "certificate")
    if not verdict.ok:
        raise NotProvenError(f"{verdict.claim_id}: the whole-chain certificate does not verify: {verdict.reason}")
    if out:
        write(cert, os.fspath(out))
    return BitsResult(int(verdict.claimed), os.fspath(out) if out else cert, (verdict,), n, delta, level,
                      chsh_estimate(counts, probabilities), probabilities)


def _bell_bits(problem, counts, delta, level, out, claim_id, parties, azuma) -> BitsResult:
    """`bits(..., problem=...)`: the general chain (certify.bellbits), its verdict as a BitsResult
    (level: the tangents' NPA level; i_hat: the observed estimator; p_xy: the protocol's p(x))."""
    try:
        from certify.bellbits import bits as bell_bits
    except ModuleNotFoundError as err:
        raise SolverError(f"certify.bits needs the solver stack ({err.name} is not installed): "
                          "pip install 'certify[solve]'") from None
    try:
        made = bell_bits(problem if isinstance(problem, dict) else os.fspath(problem),
                         os.fspath(counts) if isinstance(counts, os.PathLike) else counts, exact(delta, "delta"),
                         level, azuma, parties, claim_id if claim_id != "api/bits" else "api/bits/bell",
                         os.fspath(out) if out else None)
    except NotProvenError:
        raise
    except CertifyError as err:
        raise ProblemError(str(err)) from None
    verdict = made.verdict
    if not verdict.ok:
        raise NotProvenError(f"{verdict.claim_id}: the bits.bell certificate does not verify: {verdict.reason}")
    problem_json = made.certificate["claim"]["problem"]
    return BitsResult(int(verdict.claimed), os.fspath(out) if out else made.certificate, (verdict,),
                      made.info["n"], exact(delta, "delta"), problem_json.get("level", level),
                      made.info["i_hat"], dict(made.spec["p_x"] or {}))


def _p_xy(value) -> dict:
    if isinstance(value, dict):
        out = {}
        for key, p in value.items():
            pair = (int(key[0]), int(key[1])) if isinstance(key, str) else tuple(operator.index(v) for v in key)
            out[pair] = exact(p, f"p_xy[{key}]")
        return out
    cells = _entries(value, (2, 2), "p_xy")
    return {k: exact(v, _at("p_xy", k)) for k, v in cells.items()}


def check(path, strict: bool = False) -> CheckResult:
    """The kernel's verdicts on a certificate file or folder (through its manifest.json if it has one).
    A missing path is a ProblemError; with `strict`, a verdict that is not "verified" raises NotProvenError."""
    from certify.kernel.proofs import check_path

    where = os.fspath(path)
    try:
        result = CheckResult(tuple(check_path(where)), where)
    except CertifyError as err:
        raise ProblemError(str(err)) from None
    if strict and not result.ok:
        bad = next(v for v in result.verdicts if not v.ok)
        raise NotProvenError(f"{bad.source or where}: {bad.claim_id}: {bad.status}: {bad.reason}")
    return result
