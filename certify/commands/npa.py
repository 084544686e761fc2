"""`certify npa`: solve one NPA relaxation, round its dual, verify it, write the certificate.

Examples:
  certify npa --expr chsh --level 2                       (Tsirelson bound)
  certify npa --expr chsh --level 1+AB --guess global --at 2.414 --out g.json
  certify npa --expr my_expression.json --level 1+AB+AC+BC+ABC
  certify npa --expr chsh --level 2 --guess global --behaviour observed.json  (full statistics)
A number is printed as "<= p/q VERIFIED" only after the kernel accepted the
certificate; otherwise "UNVERIFIED: reason" (exit 1).

When relabellings of parties, inputs and outputs leave the problem invariant (a Bell
objective with binary outputs; `certify.symmetry.symmetry_generators`), the float solve is the
symmetry-reduced one (`certify.symmetry.certify_npa`): block-diagonalised, its dual averaged over
the group and mapped back to a full-size certificate that the kernel checks against the full
problem, as any other. `--no-symmetry` forces the full-size solve; without a symmetry (or with
--solver mosek/scs) the full-size solve runs anyway.
"""

import argparse
import json
import re
import sys
import textwrap
from fractions import Fraction
from pathlib import Path

from certify.behaviour import full_statistics, read_behaviour
from certify.certificate import checked, safe_decimal, write
from certify.cli_types import level, parties, rational
from certify.errors import EXIT_FALSE, EXIT_OK, CertifyError
from certify.expressions import scenario_to_json
from certify.kernel.defs.scenario import Scenario, parse_expression, parse_scenario
from certify.kernel.format import expect, read_json
from certify.npa import BUILTIN, TooLargeForKernel, bell_objective, guess_objective, problem
from certify.papers.produce import npa_certificate
from certify.printing import decimal, proven, result_json
from certify.symmetry import certify_npa, parsed

SUMMARY = "certify an NPA bound: Tsirelson-type maxima or guessing probabilities (Pironio et al. 2010)"
DESCRIPTION = textwrap.fill(SUMMARY + ". Solves one NPA relaxation, rounds its dual to rationals and prints "
                            "the bound only after the trusted kernel verified the certificate (exit 0); "
                            "otherwise UNVERIFIED (exit 1).")
EXAMPLES = """examples:
  certify npa --expr chsh --level 2                                  Tsirelson bound
  certify npa --expr chsh --level 1+AB --guess global --at 2.414     G(2.414) <= ..., a tangent line
  certify npa --expr my_expression.json --level 1+AB+AC+BC+ABC       docs/bell-expression-format.md
  certify npa --expr chsh --level 2 --guess local --parties B --at 2.7

levels: "1", "2", "1+AB", ...; "1+ab" (toqito) and "1 + AB" (QuantumNPA.jl) are read as "1+AB".
parties: letters A, B, C, ... (A is the first party), as in the level words."""


def add_parser(subparsers):
    p = subparsers.add_parser("npa", help=SUMMARY, description=DESCRIPTION, epilog=EXAMPLES,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--expr", required=True, help=f"{', '.join(BUILTIN)} (any case), or a Bell-expression JSON file")
    p.add_argument("--level", required=True, help='"1", "2", "1+AB", "1+AB+AC+BC+ABC", ... (spaces and case ignored)')
    p.add_argument("--guess", choices=["none", "global", "local"], default="none",
                   help="maximise the guessing probability of all parties (global) or party A (local)")
    p.add_argument("--parties", default=None,
                   help="with --guess: the guessed parties by letter, e.g. B or A,C (default: all for global, "
                        "A for local)")
    p.add_argument("--inputs", default=None, help="inputs of the guessed parties, e.g. 0,0 (default zeros)")
    p.add_argument("--at", default=None, help="Bell value I in the constraint expression >= I (with --guess)")
    p.add_argument("--behaviour", default=None,
                   help="JSON file of an observed no-signalling behaviour P(a|x): impose all of it "
                        "(docs/bell-expression-format.md); with --guess, --at becomes optional")
    p.add_argument("--solver", default=None, choices=["clarabel", "mosek", "scs"])
    p.add_argument("--no-symmetry", action="store_true",
                   help="solve the full-size relaxation even when relabellings leave the problem invariant "
                        "(default: a symmetry-reduced solve, its full-size certificate checked by the kernel)")
    p.add_argument("--out", default=None, help="write the certificate (JSON) here")
    p.add_argument("--json", action="store_true", help='the kernel\'s verdict as JSON (format "certify-result/1")')
    return p


def run(args) -> int:
    args.json = getattr(args, "json", False)  # a Namespace built by hand (tests) may omit it
    scenario, expr = _expression(args.expr)
    statistics = _statistics(args.behaviour, scenario)
    if args.guess == "none":
        if args.at is not None or args.parties is not None or args.inputs is not None:
            raise CertifyError("--at, --parties, --inputs: only meaningful with --guess")
        definition = problem(scenario, _level(args.level), bell_objective(expr), statistics=statistics)
    else:
        if args.at is None and statistics is None:
            raise CertifyError("--at: required with --guess (the constraint expression >= I) unless --behaviour")
        parties = _parties(args.parties, scenario, args.guess)
        inputs = _inputs(args.inputs, len(parties))
        at = None if args.at is None else rational(args.at, "--at", signed=True)
        definition = problem(scenario, _level(args.level), guess_objective(parties, inputs),
                             None if at is None else expr, at, statistics)
    parsed(definition, "problem")  # bad input fails here, before any solving (cached: the pipeline reuses it)
    verbose = getattr(args, "verbose", False)
    if (sys.stderr.isatty() or verbose) and not getattr(args, "quiet", False):
        # a level-3 run can take minutes: say what is running (stderr, never the JSON)
        print(f"certify npa: solving the NPA relaxation at level {definition['level']} "
              f"({args.solver or 'default solver'}), then rounding and the kernel check ...", file=sys.stderr)
    symmetry = not getattr(args, "no_symmetry", False)
    try:
        pipeline = certify_npa(definition, args.solver, symmetry)
    except TooLargeForKernel as err:
        return _say(args, [], str(err))
    result = pipeline.result
    if verbose:
        print(f"certify npa: {pipeline.describe()}", file=sys.stderr)
    if result is None:
        return _unverified(definition, scenario, expr, args)
    if verbose:
        solution = result.solution
        print(f"certify npa: {solution.solver} status {solution.status} (raw {solution.raw_status!r}) in "
              f"{solution.seconds:.2f} s; float optimum {result.primal:.12g}, rounded bound slack {result.slack:.2e}, "
              f"interior margin {float(result.delta):.2e}", file=sys.stderr)
    cert = npa_certificate("cli/npa", "certify npa", definition, result)
    cert["producer"].update(pipeline.note())  # unchecked (the kernel ignores the producer)
    verdict = checked(cert, args.out or "certificate")  # exactly the bytes --out writes
    if args.out:
        write(cert, str(Path(args.out)))
    if args.json:
        print(json.dumps(result_json("npa", [verdict], certificate=args.out or cert, float_optimum=result.primal,
                                     slack=result.slack, pipeline=pipeline.note()), indent=1))
    elif not verdict.ok:
        print(proven(verdict))
    else:
        print(f"{proven(verdict, claimed=True)}  ({_as_decimal(verdict.value, verdict.relation)}; "
              f"float optimum {result.primal:.12g} (not a bound), slack {result.slack:.2e})")
    return EXIT_OK if verdict.ok else EXIT_FALSE


def _statistics(path, scenario):
    """The full statistics of a behaviour file, or None; its scenario must be the expression's."""
    if path is None:
        return None
    found, table = read_behaviour(path)
    if found != scenario:
        raise CertifyError(f"{path}.scenario: {scenario_to_json(found)} is not the expression's scenario "
                           f"{scenario_to_json(scenario)}")
    return full_statistics(found, table)


def _unverified(definition, scenario, expr, args) -> int:
    """No certificate: say why, proving infeasibility when the Bell value is out of reach."""
    if definition.get("statistics"):
        return _say(args, [], "no rounded dual passed the exact check: the behaviour may lie outside this "
                    "NPA level (then the relaxation is infeasible) or the solver was inaccurate")
    if definition["constraint"] is not None:
        top_problem = problem(scenario, definition["level"], bell_objective(expr))
        top = certify_npa(top_problem, args.solver, not getattr(args, "no_symmetry", False)).result
        at = rational(args.at, "--at", signed=True)
        verdict = None if top is None else checked(npa_certificate("cli/npa/max", "max of the expression",
                                                                   top_problem, top), "certificate")
        if verdict is not None and verdict.ok and verdict.value < at:
            shown = proven(verdict, number=_DECIMAL)
            if Fraction(shown.split()[1]) >= at:  # rounded up onto --at: the exact value says it
                shown = proven(verdict)
            return _say(args, [verdict], f"infeasible: the expression is {shown} < {args.at} at level "
                        f"{definition['level']}")
    return _say(args, [], "no rounded dual passed the exact check (solver inaccurate or problem infeasible)")


def _say(args, verdicts, reason) -> int:
    """No certificate of the asked claim: UNVERIFIED with the reason (exit 1); with --json the
    verdicts listed are only those of the side claims the kernel checked (the expression's maximum)."""
    if args.json:
        print(json.dumps(result_json("npa", verdicts, answered=False, unverified=reason, certificate=None), indent=1))
    else:
        print(f"UNVERIFIED: {reason}")
    return EXIT_FALSE


_DECIMAL = decimal(12)  # a verdict's value, 12 significant digits, rounded the safe way for its relation


def _as_decimal(value, relation: str) -> str:
    """The proven value as a decimal that claims no more than the kernel proved: "decimal: D exactly" when
    it has one of at most 16 digits, else rounded up for "<=" (down for ">=") and said so."""
    exact = safe_decimal(value, "==", 16)
    if "/" not in exact:
        return f"decimal: {exact} exactly"
    way = {"<=": "rounded up", ">=": "rounded down"}.get(relation)
    return f"decimal {way}: {safe_decimal(value, relation, 12)}" if way else f"exactly {exact}"


def _expression(spec: str):
    if spec.lower() in BUILTIN and not Path(spec).is_file():
        expr = BUILTIN[spec.lower()]()
        n = len(expr.terms[0][0])
        return Scenario((2,) * n, (2,) * n), expr
    if not Path(spec).exists():
        raise CertifyError(f"--expr: {spec[:80]!r} is neither a built-in ({', '.join(BUILTIN)}) nor a file")
    obj = expect(read_json(spec), dict, spec)
    if "scenario" not in obj:
        raise CertifyError(f"{spec}: missing field 'scenario'")
    scenario = parse_scenario(obj["scenario"], f"{spec}: scenario")
    body = {k: v for k, v in obj.items() if k != "scenario"}
    expr = parse_expression(body, scenario, spec)
    if not any(term[-1] for term in expr.terms):  # max of the zero expression is 0: surely a mistake
        raise CertifyError(f"{spec}: the expression has no nonzero term")
    return scenario, expr


def _level(text: str):
    return level(text)


def _parties(text, scenario, guess):
    if text is None:
        return list(range(scenario.parties)) if guess == "global" else [0]
    return parties(text, scenario.parties)


def _inputs(text, count):
    if text is None:
        return [0] * count
    parts = text.split(",")
    if len(parts) != count or not all(re.fullmatch(r"[0-9]{1,3}", p) for p in parts):
        raise CertifyError(f"--inputs: expected {count} comma-separated inputs, got {text[:40]!r}")
    return [int(p) for p in parts]
