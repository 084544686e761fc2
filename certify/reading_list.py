"""Reading lists: the lines of the trusted base a referee must read to audit the verdicts of one claim kind.

Untrusted presentation code (standard library `ast` only; it reads the kernel's source, never runs it). The
file closure of a kind (`certify.report.kind_closures`: what a fresh interpreter loads to check one of its
certificates) counts whole files; most of a shared file is code the kind never reaches (`npa.py`'s guess
blocks for `pvalue.chsh`, `intervals.exp_interval` for `eat.bits`). A reading list counts, in the files of
that closure:
- the module docstring (the lemmas), imports, top-level assignments and any other top-level statement, and
  the decorators of every definition: what runs when a module is imported, but for the exception below;
- with each counted statement or definition, the comment lines right above it;
- every top-level function and class the kind's checker can reach: from `check_certificate`, every
  definition of `certify.kernel.proofs` (folders and manifests) and the kind's entry point in
  `certify.kernel.KINDS`, following each name a reachable definition (or a line above) mentions to the
  definition it names, in its own module or through a `from ... import`.
The reach is static and over-approximate (a mention counts even on a path never taken). Python's own
dispatch is not followed, so `tests/unit/test_reading_list.py` checks, by tracing the checks of committed
certificates, that every line of every kernel function that runs lies in its kind's list. The exception: at
import, the bodies of classes and the default arguments of functions the kind does not reach run too; the
same test checks that they call nothing but plain constructors (Fraction, tuple, property, ...).
"""

import ast
import os
from functools import lru_cache

from certify.kernel import KINDS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOOR = (("certify.kernel", "check_certificate"),)  # plus every definition of certify.kernel.proofs
FOLDERS = "certify.kernel.proofs"


def module_name(path: str) -> str:
    """certify/kernel/defs/words.py -> certify.kernel.defs.words; a package's __init__.py -> the package."""
    name = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
    return name[:-len(".__init__")] if name.endswith(".__init__") else name


class Module:
    """One source file: its definitions {name: (first line, last line, node)}, what its `from` imports bind
    {name: (module, name)}, and the lines that run at import (`always`) with the statements they hold."""

    def __init__(self, path: str):
        with open(path, encoding="utf-8") as handle:
            self.lines = handle.read().splitlines()
        tree = ast.parse("\n".join(self.lines), path)
        self.path, self.name, self.definitions, self.imports = path, module_name(path), {}, {}
        self.always, self.always_nodes = set(), []
        for node in tree.body:
            decorators = getattr(node, "decorator_list", [])
            first = min([node.lineno] + [d.lineno for d in decorators])
            while first > 1 and self.lines[first - 2].lstrip().startswith("#"):  # its comment block above
                first -= 1
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.definitions[node.name] = (first, node.end_lineno, node)
                for d in decorators:  # a decorator runs at import
                    self._run_at_import(d, d.lineno, d.end_lineno)
                continue
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = (node.module, alias.name)
            self._run_at_import(node, first, node.end_lineno)

    def _run_at_import(self, node, first: int, last: int):
        self.always.update(range(first, last + 1))
        self.always_nodes.append(node)


@lru_cache(maxsize=None)
def _module(path: str) -> Module:
    return Module(path)


def reading_list(files, roots) -> dict:
    """{path: sorted line numbers to read} over `files` (a closure), from the root definitions
    [(module name, definition name)]: the lines run at import plus every reachable definition."""
    modules = {m.name: m for m in map(_module, files)}
    stack = [r for r in roots if r[0] in modules]  # (module, a name it defines or imports)
    stack += [(m.name, name) for m in modules.values() for node in m.always_nodes for name in _mentions(m, node)]
    reached = set()  # (module, definition)
    while stack:
        name = stack.pop()
        for key in _resolved(modules[name[0]], name[1], modules):
            if key not in reached:
                reached.add(key)
                module = modules[key[0]]
                stack += [(module.name, n) for n in _mentions(module, module.definitions[key[1]][2])]
    out = {}
    for module in modules.values():
        read = set(module.always)
        for name, (first, last, _) in module.definitions.items():
            if (module.name, name) in reached:
                read.update(range(first, last + 1))
        out[module.path] = sorted(read)
    return out


def _mentions(module: Module, node) -> set:
    """Names the node mentions that are definitions of its module or bound by its `from` imports."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
            and (n.id in module.definitions or n.id in module.imports)}


def _resolved(module: Module, name: str, modules) -> list:
    """[(module, definition)] a name of `module` stands for: its own definition, or what a `from` import binds
    (a whole module imported by name: all of its definitions), followed through re-exports."""
    if name in module.definitions:
        return [(module.name, name)]
    source, original = module.imports.get(name, (None, None))
    if source in modules:
        target = modules[source]
        if original in target.definitions:
            return [(source, original)]
        if original in target.imports:
            return _resolved(target, original, modules)
    if f"{source}.{original}" in modules:  # `from certify.kernel import bits`: every definition of it
        whole = modules[f"{source}.{original}"]
        return [(whole.name, n) for n in whole.definitions]
    return []


def kind_roots(kind: str, files) -> list:
    """The door, the folder checks and the kind's entry point."""
    proofs = next((_module(f) for f in files if module_name(f) == FOLDERS), None)
    entry = tuple(KINDS[kind].split(":"))
    return [*DOOR, entry] + ([(FOLDERS, name) for name in proofs.definitions] if proofs else [])


def kind_reading_lists(per_kind: dict) -> dict:
    """{kind: {path: line numbers}} for {kind: files of its closure} (`certify.report.kind_closures`)."""
    return {kind: reading_list(files, kind_roots(kind, files)) for kind, files in per_kind.items()}


def count(listing: dict) -> int:
    return sum(map(len, listing.values()))


def spans(numbers, blank=frozenset()) -> str:
    """[1, 2, 3, 7, 8] -> "1-3, 7-8": sorted line numbers as ranges; a gap of only `blank` lines is bridged."""
    out, start = [], None
    for k, n in enumerate(numbers):
        if start is None:
            start = n
        if k + 1 == len(numbers) or not set(range(n + 1, numbers[k + 1])) <= blank:
            out.append(f"{start}-{n}" if n > start else f"{n}")
            start = None
    return ", ".join(out)


def blank_lines(path: str) -> frozenset:
    return frozenset(k + 1 for k, line in enumerate(_module(path).lines) if not line.strip())
