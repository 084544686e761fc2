"""Reading lists (`certify.reading_list`): the lines of the trusted base a referee reads to audit one claim kind.

The reach is static; these tests check it against what actually runs: every kernel function called while a
certificate of a kind is checked (committed ones, built ones for the three kinds with none committed, and a
tampered copy of each so the refusal paths run too) lies in that kind's list, and what runs at import outside
the counted lines (default arguments, class bodies) calls only plain constructors. They also pin the sizes.
"""

import ast
import copy
import json
import os
import sys

import pytest

from certify.errors import CertifyError
from certify.kernel import KINDS, check_certificate
from certify.kernel.format import format_rational
from certify.reading_list import count, kind_reading_lists, module_name, reading_list, spans
from certify.report import kind_closures
from tests.conftest import ROOT, load_json
from tests.property import test_attack_session23_bits_ns as bits_ns_tests
from tests.unit import test_kernel_local as local_tests
from tests.unit import test_kernel_strategy as strategy_tests

KERNEL = os.path.join(ROOT, "certify", "kernel")
TRUSTED = [os.path.join(d, f) for d, _, fs in os.walk(KERNEL) for f in fs if f.endswith(".py")] + [
    os.path.join(ROOT, "certify", "errors.py"), os.path.join(ROOT, "certify", "__init__.py")]
# The largest reading list of one claim kind (bits.bell, session 23); every kind's is under 1,500 lines.
READING_LIMIT = 1293


@pytest.fixture(scope="module")
def lists():
    per_kind = kind_closures({})
    return per_kind, kind_reading_lists(per_kind)


def _committed_samples() -> dict:
    """{kind: [certificate]}: the two smallest committed certificates of each kind in the manifest."""
    files = {}
    for entry in load_json(os.path.join(ROOT, "proofs", "manifest.json"))["claims"]:
        files.setdefault(entry["kind"], []).append(os.path.join(ROOT, "proofs", entry["file"]))
    return {kind: [load_json(p) for p in sorted(paths, key=os.path.getsize)[:2]] for kind, paths in files.items()}


def _vn_node() -> dict:
    """A vn.node certificate: the first node of a committed vn.bound, as its own claim."""
    bound = load_json(os.path.join(ROOT, "proofs", "vn", "chsh_H_A_S2.8000_m4.json"))
    node = bound["evidence"]["nodes"][0]
    problem = {k: v for k, v in bound["claim"]["problem"].items() if k != "nodes"} | {"t": node["t"]}
    cert = strategy_tests.cert(problem, {k: v for k, v in node.items() if k != "t"}, ">=", "-1000")
    cert["claim"].update(id="t/vn-node", kind="vn.node")
    return cert


def samples() -> dict:
    out = _committed_samples()
    out["local.bound"] = [local_tests._cert("max"), local_tests._local(local_tests.TILTED,
                                                                        [(local_tests.A0, "<=", "1/3")])[0]]
    out["quantum.strategy"] = [strategy_tests.cert(strategy_tests.CHSH, {"components": [strategy_tests.component()]})]
    out["vn.node"] = [_vn_node()]
    out["bits.ns"] = [bits_ns_tests.ns_cert(0)]
    return out


def _tampered(cert: dict) -> dict:
    """The claim moved one unit past what the evidence proves: the refusal path of the same checks."""
    forged = copy.deepcopy(cert)
    proven = check_certificate(copy.deepcopy(cert), "sample").value
    claim = forged["claim"]
    claim["value"] = format_rational(proven - 1 if claim["relation"] == "<=" else proven + 1)
    return forged


def _called_kernel_code(cert: dict) -> set:
    """(path, line) of every line of every kernel code object called while the door checks `cert`: all of a
    function's lines, not only its first (for a decorated function that is the decorator's, read for every kind)."""
    called = set()

    def profile(frame, event, _arg):
        code = frame.f_code
        if event == "call" and code.co_name != "<module>" and code.co_filename in TRUSTED:
            called.update((code.co_filename, line) for *_, line in code.co_lines() if line is not None)

    sys.setprofile(profile)
    try:
        verdict = check_certificate(cert, "sample")
    except CertifyError:
        verdict = None
    finally:
        sys.setprofile(None)
    return called, verdict


def test_every_kind_has_samples_that_verify_and_tampered_copies_that_do_not():
    found = samples()
    assert sorted(found) == sorted(KINDS)
    for kind, certs in found.items():
        for cert in certs:
            assert check_certificate(copy.deepcopy(cert), "sample").status == "verified", kind
            assert check_certificate(_tampered(cert), "sample").status == "false", kind


def test_every_kernel_function_that_runs_is_in_its_kinds_reading_list(lists):
    _, reading = lists
    missed = []
    for kind, certs in samples().items():
        for cert in [c for sample in certs for c in (copy.deepcopy(sample), _tampered(sample))]:
            called, _ = _called_kernel_code(cert)
            assert called, kind
            missed += [(kind, os.path.relpath(p, ROOT), line) for p, line in called
                       if line not in reading[kind].get(p, ())]
    assert not missed, missed


def test_import_time_code_outside_the_counted_lines_only_builds_plain_values():
    """Default arguments and class bodies run at import but are not counted unless their definition is reached:
    they may call only these constructors (no side effect a referee would have to read)."""
    allowed = {"Fraction", "frozenset", "tuple", "dict", "set", "list", "property"}
    for path in TRUSTED:
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
        for node in tree.body:
            parts = []
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                parts = node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
            elif isinstance(node, ast.ClassDef):
                parts = [s for s in node.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
                parts += [d for s in node.body if isinstance(s, ast.FunctionDef)
                          for d in s.args.defaults + s.decorator_list]
            calls = {c.func.id if isinstance(c.func, ast.Name) else ast.unparse(c.func)
                     for part in parts for c in _run_now(part) if isinstance(c, ast.Call)}
            assert calls <= allowed, (os.path.relpath(path, ROOT), getattr(node, "name", "?"), calls - allowed)


def _run_now(node):
    """The nodes of an expression that run when it is evaluated: a lambda's body runs only when called."""
    yield node
    for child in ast.iter_child_nodes(node):
        if not isinstance(node, ast.Lambda) or child is not node.body:
            yield from _run_now(child)


def test_reading_lists_are_inside_their_files_and_hold_the_door_and_the_entry(lists):
    per_kind, reading = lists
    for kind, listing in reading.items():
        assert set(listing) == set(per_kind[kind])
        module, entry = KINDS[kind].split(":")
        source = next(p for p in listing if module_name(p) == module)
        with open(source, encoding="utf-8") as handle:
            text = handle.read().splitlines()
        first = next(k + 1 for k, line in enumerate(text) if line.startswith(f"def {entry}("))
        assert first in listing[source], kind
        door = next(p for p in listing if module_name(p) == "certify.kernel")
        assert any(line.startswith("def check_certificate(") for line in (text_of(door)[k - 1] for k in listing[door]))
        for path, numbers in listing.items():
            assert numbers == sorted(set(numbers)) and (not numbers or 1 <= numbers[0] <= numbers[-1] <= len(text_of(path)))


def text_of(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read().splitlines()


def test_reading_lists_are_smaller_than_their_files_and_under_the_limit(lists):
    per_kind, reading = lists
    sizes = {kind: count(listing) for kind, listing in reading.items()}
    files = {kind: sum(len(text_of(p)) for p in per_kind[kind]) for kind in per_kind}
    assert all(sizes[k] < files[k] for k in sizes), (sizes, files)
    assert max(sizes.values()) <= READING_LIMIT < 1500, sizes
    # amplify.bound reads none of the NPA code; pvalue.chsh none of npa.py's dual check (its tangents are not read)
    assert not any(module_name(p) == "certify.kernel.npa" for p in reading["amplify.bound"])
    npa_lines = next(n for p, n in reading["pvalue.chsh"].items() if module_name(p) == "certify.kernel.npa")
    npa_source = text_of(next(p for p in reading["pvalue.chsh"] if module_name(p) == "certify.kernel.npa"))
    assert not any(npa_source[k - 1].startswith("def tangent_of(") for k in npa_lines)


def test_a_definition_mentioned_only_by_an_unreached_one_is_not_read(tmp_path):
    """The reach on a small tree: only what the root mentions (through a from-import too) is read."""
    package = tmp_path / "certify" / "kernel"
    package.mkdir(parents=True)
    (package / "a.py").write_text('"""A."""\n\nfrom certify.kernel.b import used\n\nLIMIT = 3\n\n\n'
                                  'def entry():\n    return used() + LIMIT\n\n\ndef orphan():\n    return 0\n')
    (package / "b.py").write_text('"""B."""\n\n\ndef used():\n    return 1\n\n\ndef unused():\n    return 2\n')
    import certify.reading_list as rl
    old = rl.ROOT
    rl.ROOT = str(tmp_path)
    rl._module.cache_clear()
    try:
        listing = reading_list([str(package / "a.py"), str(package / "b.py")], [("certify.kernel.a", "entry")])
    finally:
        rl.ROOT = old
        rl._module.cache_clear()
    assert spans(listing[str(package / "a.py")]) == "1, 3, 5, 8-9"
    assert spans(listing[str(package / "b.py")]) == "1, 4-5"


def test_spans_writes_ranges_and_bridges_only_blank_gaps():
    assert spans([1, 2, 3, 7, 9, 10]) == "1-3, 7, 9-10" and spans([]) == ""
    assert spans([1, 2, 3, 7, 9, 10], frozenset({4, 5, 6})) == "1-7, 9-10"
    assert spans([1, 3], frozenset({4})) == "1, 3"


def test_the_report_states_each_kinds_reading_list(lists):
    _, reading = lists
    with open(os.path.join(ROOT, "docs", "report.md"), encoding="utf-8") as handle:
        report = handle.read()
    import re
    stated = dict(re.findall(r"^\| `([a-z.]+)` \| \d+ \| (\d+) \|", report, re.M))
    assert {k: int(v) for k, v in stated.items()} == {k: count(v) for k, v in reading.items()}, \
        "docs/report.md states other reading-list sizes: run `certify report`"
    assert json.dumps(sorted(stated)) == json.dumps(sorted(KINDS))
