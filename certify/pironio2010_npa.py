"""Certificates for Pironio et al. 2010 (Nature 464, 1021): Tsirelson and the G(I) curve.

Untrusted producer. Writes, into <out>/pironio2010/npa/:
  tsirelson-<level>.json          max CHSH <= 2 sqrt 2 + ~1e-9, levels 1, 1+AB, 2;
  global-<level>-I<I>.json        G(I) <= v, guessing the output pair at (x, y) = (0, 0)
                                  subject to CHSH >= I, a tangent line G(I') <= nu - lam I'
                                  valid for every I' (spec section 4);
  local-2-I<I>.json               the same for Alice's output alone (curve b).
Grid: I_k = 2 + k (2 sqrt 2 - 1e-6 - 2) / 63, k = 0..63, floored to 1e-9, then
refined: where two neighbouring tangents meet, the envelope sags most; if there
the certified f is more than `SAG_BITS` below the float f, a tangent at the
meeting point is added (on [2, 2.8], where the paper's numbers live).
Output is deterministic (no timings in files; keys sorted).
"""

import math
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from pathlib import Path

from certify.certificate import make_certificate, manifest_entry, write
from certify.kernel.format import format_rational
from certify.kernel.npa import KIND

CURVE_LEVELS = ("1+AB", "2")
TSIRELSON_LEVELS = ("1", "1+AB", "2")
POINTS = 64
SAG_BITS = 5e-5
REFINE_UP_TO = Fraction(2801, 1000)


def grid(points: int = POINTS):
    top = 2 * math.sqrt(2) - 1e-6
    return [_floor9(2 + k * (top - 2) / (points - 1)) for k in range(points)]


def _floor9(x) -> Fraction:
    return Fraction(math.floor(x * 10**9), 10**9)


def envelope(claim_id: str, statement: str, problem: dict, result) -> dict:
    """A certify/1 certificate; the claimed value is the bound rounded up to 1e-12."""
    value = Fraction(math.ceil(result.bound * 10**12), 10**12)
    sol = result.solution
    producer = {"solver": sol.solver, "raw_status": sol.raw_status, "status": sol.status,
                "float_optimum": f"{result.primal:.12e}", "slack": f"{result.slack:.3e}",
                "delta": format_rational(result.delta)}
    return make_certificate(claim_id, KIND, statement, problem, "<=", value, result.evidence, producer)


def produce_tsirelson(out: Path, solver=None):
    from certify.npa import certify_problem, chsh_max_problem

    written = []
    for level in TSIRELSON_LEVELS:
        problem = chsh_max_problem(level)
        result = certify_problem(problem, solver, target=0.0, ladder=(("lmi", 1e-10), ("tied", 1e-10)))
        if result is None:
            raise RuntimeError(f"tsirelson {level}: no verified certificate")
        statement = f"NPA level {level}: max CHSH <= value (Tsirelson: 2 sqrt 2)"
        name = f"tsirelson-{level}.json"
        written.append((name, envelope(f"pironio2010/tsirelson/level={level}", statement, problem, result)))
    for name, cert in written:
        write(cert, str(out / name))
    return written


def _curve_point(level, guess, at, solver, z0):
    from certify.npa import certify_problem, chsh_guess_problem

    problem = chsh_guess_problem(level, at, guess)
    result = certify_problem(problem, solver, target=1e-7, z0=z0)
    if result is None:
        raise RuntimeError(f"{guess} {level} I={at}: no verified certificate")
    who = "the output pair (a,b)" if guess == "global" else "Alice's output a"
    statement = (f"NPA level {level}: guessing probability of {who} at (x,y)=(0,0) given "
                 f"CHSH >= {float(at):.9f} is <= value (a tangent line in I)")
    claim_id = f"pironio2010/G-{guess}/level={level}/I={float(at):.9f}"
    return envelope(claim_id, statement, problem, result), result


def produce_curve(level: str, guess: str = "global", out: Path = Path("proofs/pironio2010/npa"),
                  solver=None, points=POINTS):
    """Certify G on the grid, then refine where the envelope sags; returns [(name, cert)]."""
    from certify.npa import chsh_guess_problem, interior

    z0 = interior(chsh_guess_problem(level, 2, guess), solver)
    done = {}
    for at in grid(points):
        done[at] = _curve_point(level, guess, at, solver, z0)
    checked = set()  # neighbour pairs whose meeting point is already within SAG_BITS
    while True:
        added = 0
        points_sorted = sorted(done)
        for left, right in zip(points_sorted, points_sorted[1:]):
            (_, r1), (_, r2) = done[left], done[right]
            if r1.lam == r2.lam or (left, right) in checked:
                continue
            checked.add((left, right))
            meet = _floor9((r1.nu - r2.nu) / (r1.lam - r2.lam))
            if not left < meet < right or meet > REFINE_UP_TO:
                continue
            cert, result = _curve_point(level, guess, meet, solver, z0)
            certified = min(r1.nu - r1.lam * meet, r2.nu - r2.lam * meet)
            if math.log2(float(certified)) + math.log2(1 / result.primal) > SAG_BITS:
                done[meet] = (cert, result)
                added += 1
        if not added:
            break
    written = [(f"{guess}-{level}-I{float(at):.9f}.json", cert) for at, (cert, _) in sorted(done.items())]
    for name, cert in written:
        write(cert, str(out / name))
    return written


def _task(spec):
    kind, level, guess, out = spec
    if kind == "tsirelson":
        return produce_tsirelson(Path(out))
    return produce_curve(level, guess, Path(out))


def produce_all(out_dir, jobs: int = 1, progress=None):
    """Every NPA certificate of the paper under out_dir/pironio2010/npa; manifest entries."""
    out = Path(out_dir) / "pironio2010" / "npa"
    specs = [("tsirelson", None, None, str(out))]
    specs += [("curve", level, "global", str(out)) for level in CURVE_LEVELS]
    specs += [("curve", "2", "local", str(out))]
    task = progress.add_task("Pironio NPA curves (a, b) + Tsirelson", total=len(specs)) if progress else None
    entries = []
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(specs)))) as pool:
        for written in pool.map(_task, specs):
            entries += [manifest_entry(cert, f"pironio2010/npa/{name}") for name, cert in written]
            if progress:
                progress.advance(task)
    return entries


def load_tangents(paths):
    """Verify each certificate file with the kernel; return [(at, nu, lam)] sorted by at.

    Checks the problem hash, then `verify_tangent`. The lower envelope
    min_k (nu_k - lam_k I) is then a certified concave upper bound on G(I).
    """
    from certify.errors import CertifyError
    from certify.kernel import problem_sha256
    from certify.kernel.format import parse_rational, read_json
    from certify.kernel.npa import verify_tangent

    out, family = [], None
    for path in paths:
        cert = read_json(path)
        problem = cert["claim"]["problem"]
        if problem_sha256(problem) != cert["problem_sha256"]:
            raise CertifyError(f"{path}: problem_sha256 does not match the problem")
        # The envelope bounds one function: every line must be for the same problem up to I.
        shape = {**problem, "constraint": {**(problem.get("constraint") or {}), "at": None}}
        if family is None:
            family = shape
        elif shape != family:
            raise CertifyError(f"{path}: not the same problem (up to I) as the other tangents of this curve")
        nu, lam = verify_tangent(problem, cert["evidence"], str(path))
        at = parse_rational(problem["constraint"]["at"], f"{path}: claim.problem.constraint.at")
        out.append((at, nu, lam))
    return sorted(out)


def g_upper(tangents, at: Fraction) -> Fraction:
    """min_k (nu_k - lam_k * I): certified upper bound on G(I), concave in I."""
    return min(nu - lam * at for _, nu, lam in tangents)


def f_lower(tangents, at) -> float:
    """-log2 of `g_upper` (float for display; exact claims use kernel intervals)."""
    return -math.log2(float(g_upper(tangents, Fraction(at))))
