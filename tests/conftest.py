"""Shared fixtures: small certificates made fresh by the real producer."""

import copy
import json
import os
import resource
import subprocess
import sys
import time

import pytest
from hypothesis import settings

import certify.cli  # noqa: F401 -- as the command line does, before numpy loads: one BLAS thread, one kernel family

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# No test reads or writes the user's on-disk cache (certify.npa.cache_dir): the tests that exercise it
# point CERTIFY_CACHE_DIR at a temporary folder and lift this.
os.environ.setdefault("CERTIFY_NO_CACHE", "1")

settings.register_profile("ci", settings.get_profile("ci"), deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


def load_json(path) -> dict:
    """A committed certificate (or any JSON file) as plain Python objects, read without the kernel's strict reader."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


HOSTILE_ADDRESS_SPACE = 1500 << 20  # bytes: a hostile file may not make `certify check` take more


def limited_check(path, seconds) -> tuple:
    """(exit code, stdout, stderr, seconds) of `certify check path` in a child under RLIMIT_AS and RLIMIT_CPU; a
    child still running after `seconds` (wall) counts as a hang: (None, "", "", seconds)."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (HOSTILE_ADDRESS_SPACE, HOSTILE_ADDRESS_SPACE))
        resource.setrlimit(resource.RLIMIT_CPU, (int(seconds) + 2, int(seconds) + 2))

    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "certify.cli", "check", str(path)], cwd=ROOT, capture_output=True,
                              text=True, timeout=seconds, preexec_fn=limit, env=dict(os.environ, PYTHONPATH=ROOT))
    except subprocess.TimeoutExpired:
        return None, "", "", time.perf_counter() - started
    return done.returncode, done.stdout, done.stderr, time.perf_counter() - started


def swap_rows(evidence: dict, i: int, j: int, blocks=None) -> dict:
    """Z -> P Z P^T for the transposition (i j) in each listed block of an NPA dual (all by default): the
    matrix stays PSD, but the word identities of the problem break (a mis-mapped certificate)."""
    out = copy.deepcopy(evidence)
    for b, rows in enumerate(out["Z"]):
        if blocks is not None and b not in blocks:
            continue
        n = len(rows)
        full = [[None] * n for _ in range(n)]
        for r, row in enumerate(rows):
            for k, text in enumerate(row):
                full[r][r + k] = full[r + k][r] = text
        perm = list(range(n))
        perm[i], perm[j] = j, i
        out["Z"][b] = [[full[perm[r]][perm[c]] for c in range(r, n)] for r in range(n)]
    return out


@pytest.fixture(scope="session")
def chsh_ns_certificate():
    """An "==" certificate (dual and primal) of P(00|00) + CHSH/4 <= 3/2."""
    from certify.papers.pironio2010.curve_c import chsh_ns_claim
    from certify.papers.produce import lp_certificate

    claim_id, statement, problem, _ = chsh_ns_claim((0, 0), (0, 0))
    cert, _ = lp_certificate(claim_id, statement, problem)
    return cert


@pytest.fixture()
def fresh(chsh_ns_certificate):
    return copy.deepcopy(chsh_ns_certificate)


def random_two_party_expression(full, marginal):
    """(e, -e) as kernel Expressions in the CHSH scenario: eight full-probability coefficients c(a=0, x, y; b=0)
    and four marginals (Alice's a=0 at x = 0, 1; Bob's b=0 at y = 0, 1), for the laws over random expressions."""
    from certify.kernel.defs.scenario import Scenario, make_expression

    sc = Scenario((2, 2), (2, 2))
    terms = [((a, 0), (x, y), c) for (a, x, y), c in zip([(a, x, y) for a in range(2) for x in range(2)
                                                           for y in range(2)], full)]
    terms += [((0, None), (x, None), c) for x, c in zip(range(2), marginal[:2])]
    terms += [((None, 0), (None, y), c) for y, c in zip(range(2), marginal[2:])]
    expr = make_expression(sc, terms)
    return expr, make_expression(sc, [(o, i, -c) for o, i, c in expr.terms])


def one_party_hinted(rows, diagonal_bits, hint):
    """A TRUE claim "max <= 1" on one party (level 1: rows = 1 + inputs (outputs - 1) words, no products), Z
    diagonal with `diagonal_bits`-bit entries satisfying every identity, and the PSD hint row i = `hint(i)`:
    the hostile-size certificates of the hint's attack tests."""
    from certify.certificate import make_certificate

    inputs, outputs = next((m, d) for d in range(2, 65) for m in range(1, 65) if 1 + m * (d - 1) == rows)
    big = [(1 << (diagonal_bits - 1)) + 2 * k + 1 for k in range(rows - 1)]
    letters = [(x, a) for x in range(inputs) for a in range(outputs - 1)]
    terms = [{"coef": str(-big[k]), "inputs": [x], "outputs": [a]} for k, (x, a) in enumerate(letters)]
    problem = {"scenario": {"inputs": [inputs], "outputs": [outputs]}, "level": "1",
               "objective": {"bell": {"terms": terms}}}
    z = [[("1" if i == 0 else str(big[i - 1])) if k == 0 else "0" for k in range(rows - i)] for i in range(rows)]
    evidence = {"nu": "1", "lambda": "0", "Z": [z], "psd_hint": [[hint(i) for i in range(rows)]]}
    return make_certificate("hostile/hint", "npa.max", "hostile", problem, "<=", "1", evidence)
