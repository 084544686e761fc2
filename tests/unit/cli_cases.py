"""The command table shared by the CLI tests: every command of `certify --help` on a small input.

Imported by test_cli_json.py and test_cli_conventions.py (pytest puts tests/unit on sys.path)."""

import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TABLE1 = os.path.join(ROOT, "certify", "data", "pironio2010_table1.csv")
EXAMPLES = os.path.join(ROOT, "certify", "data", "examples")
PROOFS = os.path.join(ROOT, "proofs")


def small_sweep(tmp_path):
    spec = json.loads(open(os.path.join(EXAMPLES, "sweep_chsh_guess.json")).read())
    spec["grid"] = {"constraint.at": {"from": "21/10", "to": "14/5", "points": 2}, "level": ["1+AB"]}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    return str(path)


def own_folder(tmp_path):
    """A copy of a few committed certificates, without their manifest (`certify manifest` writes one)."""
    import shutil

    folder = tmp_path / "mine"
    shutil.copytree(os.path.join(PROOFS, "pironio2010", "ns"), folder)
    return str(folder)


# Every command of `certify --help`, with --json, on a small input: (argv, expected exit code).
EVERY_COMMAND = {
    "check": lambda t: (["check", os.path.join(PROOFS, "pironio2010", "bits")], 0),
    "show": lambda t: (["show", os.path.join(PROOFS, "pironio2010", "npa", "tsirelson-1.json")], 0),
    "lp": lambda t: (["lp", "ghz3", "--table", "00010111", "--x", "001", "--out", str(t / "g.json")], 0),
    "npa": lambda t: (["npa", "--expr", "chsh", "--level", "1+ab", "--guess", "global", "--at", "2.5"], 0),
    "bits": lambda t: (["bits", "--counts", TABLE1], 0),
    "amplify": lambda t: (["amplify", "--eps", "0.1", "--alpha", "0.9", "--beta", "2", "--nd", "91",
                           "--nb", "2^13670", "--tau", "1e-3"], 1),  # a claim the kernel refuses: exit 1
    "report": lambda t: (["report", "--proofs", os.path.join(PROOFS, "pironio2010", "ns"), "--out", str(t / "r.md")], 0),
    "reproduce": lambda t: (["reproduce", "pironio2010", "--jobs", "1", "--out", str(t / "p")], 0),
    "sweep": lambda t: (["sweep", small_sweep(t), "--out", str(t / "s"), "--jobs", "1"], 0),
    "solve": lambda t: (["solve", os.path.join(EXAMPLES, "chsh_no-signalling.json")], 0),
    "vn": lambda t: (["vn", "--chsh", "2.8", "--nodes", "2"], 0),
    "manifest": lambda t: (["manifest", own_folder(t)], 0),
}


def small_families(monkeypatch):
    """`reproduce pironio2010` runs one small family (curve c: 16 LPs), not the papers."""
    from certify.commands import reproduce
    from certify.papers import families

    monkeypatch.setattr(reproduce, "FAMILIES", {"pironio2010": [families.CURVE_C]})
