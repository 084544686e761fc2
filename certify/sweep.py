"""Sweeps: one problem template, a grid of parameters, a folder of certified bounds.

Untrusted. A sweep description (docs/sweeps.md) is JSON:

    {"format": "certify-sweep/1", "id": "chsh-guess", "statement": "G(I) at level {level}, I = {constraint.at}",
     "problem": {...an npa.max or lp.ns problem, docs/certificate-format.md...},
     "relation": "<=",
     "grid": {"constraint.at": {"from": "2", "to": "14/5", "points": 9}, "level": ["1+AB", "2"]}}

Each grid key is a dotted path into the problem; its values are a list (rationals as "p/q"
strings, levels as strings) or an evenly spaced rational range {"from", "to", "points"}.
The sweep is the Cartesian product of the grid, in the order the keys are written. An
"lp.ns" problem (it has "sense") is solved by HiGHS and rounded exactly; an "npa.max"
problem by the NPA pipeline (`certify.npa.certify_problem`). Every certificate is written,
re-read and checked by the kernel (`certify.executor`); the table and the plot show only
what the kernel verified, as the interval [low, high] of its Verdict.
"""

import copy
import csv
import json
import os
from dataclasses import dataclass
from fractions import Fraction
from itertools import product

from certify import printing
from certify.certificate import make_certificate, manifest_entry, rational_map, safe_decimal, write_manifest
from certify.errors import CertifyError
from certify.executor import Task, run
from certify.kernel.format import format_rational, parse_rational, read_json

FORMAT = "certify-sweep/1"
MAX_POINTS = 100_000


def load(path: str) -> dict:
    """Read and validate a sweep description; errors name the field."""
    spec = read_json(path)
    if not isinstance(spec, dict):
        raise CertifyError(f"{path}: expected a JSON object")
    extra = set(spec) - {"format", "id", "statement", "problem", "relation", "grid"}
    if extra:
        raise CertifyError(f"{path}: unknown field {sorted(extra)[0]!r}")
    if spec.get("format") != FORMAT:
        raise CertifyError(f"{path}.format: expected {FORMAT!r}, got {str(spec.get('format'))[:40]!r}")
    for key, kind in (("id", str), ("statement", str), ("problem", dict), ("grid", dict)):
        if not isinstance(spec.get(key), kind):
            raise CertifyError(f"{path}.{key}: missing or not a {'string' if kind is str else 'JSON object'}")
    relation = spec.setdefault("relation", "<=")
    if relation not in ("<=", ">=", "=="):
        raise CertifyError(f'{path}.relation: expected "<=", ">=" or "==", got {relation!r}')
    if not spec["grid"]:
        raise CertifyError(f"{path}.grid: expected at least one parameter")
    spec["points"] = points(spec["grid"], spec["problem"], f"{path}.grid")
    return spec


def points(grid: dict, problem: dict, where: str) -> list:
    """[{path: value}] of the Cartesian product of the grid."""
    axes = []
    for key, values in grid.items():
        _locate(problem, key, f"{where}.{key}")
        axes.append([(key, v) for v in _values(values, f"{where}.{key}")])
    total = 1
    for axis in axes:
        total *= len(axis)
    if total > MAX_POINTS:
        raise CertifyError(f"{where}: {total} points, more than {MAX_POINTS}")
    return [dict(choice) for choice in product(*axes)]


def _values(values, where: str) -> list:
    if isinstance(values, dict):
        if set(values) != {"from", "to", "points"}:
            raise CertifyError(f'{where}: a range has exactly "from", "to", "points"')
        low, high = parse_rational(values["from"], f"{where}.from"), parse_rational(values["to"], f"{where}.to")
        count = values["points"]
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_POINTS:
            raise CertifyError(f"{where}.points: expected an integer in [1, {MAX_POINTS}]")
        step = (high - low) / max(count - 1, 1)
        return [format_rational(low + k * step) for k in range(count)]
    if not isinstance(values, list) or not values:
        raise CertifyError(f"{where}: expected a non-empty list or a range")
    return values


def _locate(problem: dict, dotted: str, where: str):
    """(parent object, last key) of a dotted path that exists in the problem."""
    parts, node = dotted.split("."), problem
    for part in parts[:-1]:
        if not isinstance(node, dict) or not isinstance(node.get(part), dict):
            raise CertifyError(f"{where}: the problem has no object at {part!r}")
        node = node[part]
    if not isinstance(node, dict) or parts[-1] not in node:
        raise CertifyError(f"{where}: the problem has no field {dotted!r}")
    return node, parts[-1]


def instance(spec: dict, point: dict):
    """(claim id, statement, problem) of one grid point."""
    problem = copy.deepcopy(spec["problem"])
    for key, value in point.items():
        node, last = _locate(problem, key, key)
        node[last] = value
    suffix = "/".join(f"{key.split('.')[-1]}={_slug(value)}" for key, value in point.items())
    statement = spec["statement"]
    for key, value in point.items():
        statement = statement.replace("{" + key + "}", str(value))
    return f"{spec['id']}/{suffix}", statement, problem


def _slug(value) -> str:
    return str(value).replace("/", "_")


def produce_npa(payload: dict) -> dict:
    """An npa.max certificate for one grid point (runs on a worker)."""
    from certify.npa import certify_problem  # the solver stack is loaded only where solving happens

    result = certify_problem(payload["problem"])
    if result is None:
        raise CertifyError(f"{payload['id']}: no verified NPA certificate")
    producer = {"float_optimum": f"{result.primal:.12g}", "solver_status": result.solution.status}
    return make_certificate(payload["id"], "npa.max", payload["statement"], payload["problem"], "<=",
                            result.bound, result.evidence, producer)


def produce_lp(payload: dict) -> dict:
    """An lp.ns certificate (dual, primal or both, as the relation needs) for one grid point."""
    from certify.kernel.defs.ns_polytope import build
    from lp_checks.ns_lp import solve_exact  # HiGHS is loaded only where solving happens

    solution = solve_exact(build(payload["problem"], payload["id"]))
    relation, evidence = payload["relation"], {}
    if relation in ("<=", "=="):
        evidence["dual"] = rational_map(solution.dual)
    if relation in (">=", "=="):
        evidence["primal"] = rational_map(solution.primal)
    producer = {"solver": "HiGHS (simplex)", "status": solution.status}
    return make_certificate(payload["id"], "lp.ns", payload["statement"], payload["problem"], relation,
                            solution.value, evidence, producer)


def tasks(spec: dict) -> list:
    kind_lp = "sense" in spec["problem"]
    if not kind_lp and spec["relation"] != "<=":
        raise CertifyError('relation: an npa.max sweep proves upper bounds only ("<=")')
    out = []
    for point in spec["points"]:
        claim_id, statement, problem = instance(spec, point)
        payload = {"id": claim_id, "statement": statement, "problem": problem, "relation": spec["relation"]}
        name = claim_id.split("/", 1)[1] + ".json"
        out.append(Task(name, produce_lp if kind_lp else produce_npa, payload, problem))
    return out


def malformed(task: Task):
    """Why the kernel's parser refuses a grid point's problem (a CertifyError message), or None: such a
    point is bad input (exit 2, as `certify check` ranks a malformed file), and is not solved."""
    try:
        if "sense" in task.problem:
            from certify.kernel.defs.ns_polytope import build

            build(task.problem, task.payload["id"], extended=True)
        else:
            from certify.kernel.npa import parse_problem

            parse_problem(task.problem, task.payload["id"])
    except CertifyError as err:
        return str(err)
    return None


def sweep(spec: dict, out_dir: str, jobs: int = 1, scheduler=None, progress: bool = True) -> list:
    """Run the sweep: certificates and their manifest in OUT/proofs (`certify check OUT/proofs`),
    the table of verified intervals in OUT/table.csv and OUT/table.json. Returns a `Row` per point.
    A point whose problem does not parse is not run: its row is "ERROR: reason" (malformed)."""
    todo, proofs = tasks(spec), os.path.join(out_dir, "proofs")
    refused = {task.path: malformed(task) for task in todo}
    good = [task for task in todo if refused[task.path] is None]
    ran = dict(zip((task.path for task in good),
                   run(good, proofs, jobs, scheduler, label=spec["id"], progress=progress)))
    entries, rows = [], []
    for task, point in zip(todo, spec["points"]):
        row = {**{key: str(value) for key, value in point.items()}, "file": task.path}
        if refused[task.path] is not None:
            row["status"] = f"ERROR: {refused[task.path]}"
            rows.append(Row(row, None, "malformed"))
            continue
        outcome = ran[task.path]
        verdict = outcome.verdict
        if verdict is not None and verdict.ok:
            entries.append(manifest_entry(read_json(os.path.join(proofs, task.path)), task.path))
            row.update(relation=verdict.relation, value=format_rational(verdict.value),
                       low=_spell(verdict.low), high=_spell(verdict.high),
                       decimal=safe_decimal(verdict.value, verdict.relation, 10))
        row["status"] = printing.status(verdict) if verdict is not None else f"FAILED: {outcome.error}"
        rows.append(Row(row, verdict))
    write_manifest(proofs, entries)
    _tables([r.fields for r in rows], out_dir)
    return rows


@dataclass(frozen=True)
class Row:
    """One grid point: its table fields, and the kernel's verdict (None when no file was made)."""

    fields: dict
    verdict: object
    missing_verdict_status: str = "false"  # "malformed" (the point does not parse) or "false" (no certificate)

    @property
    def ok(self) -> bool:
        return self.verdict is not None and self.verdict.ok


def _spell(value) -> str:
    return "" if value is None else format_rational(value)


def _tables(rows: list, out_dir: str) -> None:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with open(os.path.join(out_dir, "table.csv"), "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    with open(os.path.join(out_dir, "table.json"), "w", encoding="utf-8") as handle:
        json.dump({"format": FORMAT, "rows": rows}, handle, indent=1, sort_keys=True)
        handle.write("\n")


def plot(spec: dict, rows: list, path: str) -> None:
    """The verified values against the first grid parameter, one line per other combination."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = list(spec["grid"])
    x_key, others = keys[0], keys[1:]
    fig, ax = plt.subplots(figsize=(6, 4))
    groups = {}
    for row in (r.fields for r in rows if r.ok):
        groups.setdefault(tuple(row[k] for k in others), []).append(
            (float(Fraction(row[x_key])), float(Fraction(row["value"]))))
    for label, pairs in sorted(groups.items()):
        pairs.sort()
        ax.plot(*zip(*pairs), marker="o", ms=3, label=", ".join(f"{k}={v}" for k, v in zip(others, label)) or None)
    ax.set_xlabel(x_key)
    ax.set_ylabel(f"certified bound ({spec['relation']})")
    ax.set_title(f"{spec['id']}: kernel-verified values")
    if others:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
