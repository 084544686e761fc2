"""`certify npa`: solve one NPA relaxation, round its dual, verify it, write the certificate.

Examples:
  certify npa --expr chsh --level 2                       (Tsirelson bound)
  certify npa --expr chsh --level 1+AB --guess global --at 2.414 --out g.json
  certify npa --expr my_expression.json --level 1+AB+AC+BC+ABC
  certify npa --expr chsh --level 2 --guess global --behaviour observed.json  (full statistics)
A number is printed as "<= p/q VERIFIED" only after the kernel accepted the
certificate; otherwise "UNVERIFIED: reason" (exit 1).
"""

import re
from fractions import Fraction

from certify.errors import EXIT_FALSE, EXIT_OK, CertifyError

_DECIMAL = re.compile(r"-?[0-9]{1,6}(\.[0-9]{1,15})?|-?[0-9]{1,20}/[1-9][0-9]{0,19}")


def add_parser(subparsers):
    p = subparsers.add_parser("npa", help="certify an NPA bound (Tsirelson-type or guessing probability)")
    p.add_argument("--expr", required=True, help="chsh, mermin3, mermin4, or a Bell-expression JSON file")
    p.add_argument("--level", required=True, help='"1", "2", "1+AB", "1+AB+AC+BC+ABC", ...')
    p.add_argument("--guess", choices=["none", "global", "local"], default="none",
                   help="maximise the guessing probability of all parties (global) or party A (local)")
    p.add_argument("--parties", default=None,
                   help="with --guess: the guessed parties, e.g. 1 or 0,2 (default: all for global, 0 for local)")
    p.add_argument("--inputs", default=None, help="inputs of the guessed parties, e.g. 0,0 (default zeros)")
    p.add_argument("--at", default=None, help="Bell value I in the constraint expression >= I (with --guess)")
    p.add_argument("--behaviour", default=None,
                   help="JSON file of an observed no-signalling behaviour P(a|x): impose all of it "
                        "(docs/bell-expression-format.md); with --guess, --at becomes optional")
    p.add_argument("--solver", default=None, choices=["clarabel", "mosek", "scs"])
    p.add_argument("--out", default=None, help="write the certificate (JSON) here")
    return p


def run(args) -> int:
    from certify.npa import bell_objective, certify_problem, guess_objective, problem

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
        at = None if args.at is None else _rational(args.at, "--at")
        definition = problem(scenario, _level(args.level), guess_objective(parties, inputs),
                             None if at is None else expr, at, statistics)
    from certify.kernel.npa import parse_problem

    parse_problem(definition, "problem")  # bad input fails here, before any solving
    result = certify_problem(definition, args.solver)
    if result is None:
        return _unverified(definition, scenario, expr, args)
    from certify.certificate import write
    from certify.pironio2010_npa import envelope

    cert = envelope("cli/npa", "certify npa", definition, result)
    bound = _kernel_check(cert)
    if args.out:
        from pathlib import Path

        write(cert, str(Path(args.out)))
    print(f"<= {cert['claim']['value']} VERIFIED  (exact bound {float(bound):.12g}, "
          f"float optimum {result.primal:.12g}, slack {result.slack:.2e})")
    return EXIT_OK


def _kernel_check(cert) -> Fraction:
    from certify.kernel.format import loads, parse_rational
    from certify.kernel.npa import check

    import json

    again = loads(json.dumps(cert), "certificate")  # exactly what a reader of the file sees
    claim = again["claim"]
    return check(claim["problem"], claim["relation"], parse_rational(claim["value"], "claim.value"),
                 again["evidence"], "certificate")


def _statistics(path, scenario):
    """The full statistics of a behaviour file, or None; its scenario must be the expression's."""
    if path is None:
        return None
    from certify.behaviour import full_statistics, read_behaviour
    from certify.expressions import scenario_to_json

    found, table = read_behaviour(path)
    if found != scenario:
        raise CertifyError(f"{path}.scenario: {scenario_to_json(found)} is not the expression's scenario "
                           f"{scenario_to_json(scenario)}")
    return full_statistics(found, table)


def _unverified(definition, scenario, expr, args) -> int:
    """No certificate: say why, proving infeasibility when the Bell value is out of reach."""
    from certify.npa import bell_objective, certify_problem, problem

    if definition.get("statistics"):
        print("UNVERIFIED: no rounded dual passed the exact check: the behaviour may lie outside this "
              f"NPA level (then the relaxation is infeasible) or the solver was inaccurate")
        return EXIT_FALSE
    if definition["constraint"] is not None:
        top = certify_problem(problem(scenario, definition["level"], bell_objective(expr)), args.solver)
        at = _rational(args.at, "--at")
        if top is not None and top.bound < at:
            print(f"UNVERIFIED: infeasible: the expression is <= {float(top.bound):.12g} < {args.at} "
                  f"at level {args.level} (certified)")
            return EXIT_FALSE
    print("UNVERIFIED: no rounded dual passed the exact check (solver inaccurate or problem infeasible)")
    return EXIT_FALSE


def _expression(spec: str):
    from certify.npa import BUILTIN
    from certify.kernel.defs.scenario import Scenario

    if spec in BUILTIN:
        expr = BUILTIN[spec]()
        n = len(expr.terms[0][0])
        return Scenario((2,) * n, (2,) * n), expr
    from pathlib import Path

    from certify.kernel.format import expect, read_json
    from certify.kernel.defs.scenario import parse_expression, parse_scenario

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
    return text


def _parties(text, scenario, guess):
    if text is None:
        return list(range(scenario.parties)) if guess == "global" else [0]
    parts = text.split(",")
    if not all(re.fullmatch(r"[0-9]{1,2}", p) for p in parts) \
            or sorted(set(int(p) for p in parts)) != [int(p) for p in parts] or int(parts[-1]) >= scenario.parties:
        raise CertifyError(f"--parties: expected distinct increasing parties in 0..{scenario.parties - 1}, "
                           f"got {text[:40]!r}")
    return [int(p) for p in parts]


def _inputs(text, count):
    if text is None:
        return [0] * count
    parts = text.split(",")
    if len(parts) != count or not all(re.fullmatch(r"[0-9]{1,3}", p) for p in parts):
        raise CertifyError(f"--inputs: expected {count} comma-separated inputs, got {text[:40]!r}")
    return [int(p) for p in parts]


def _rational(text: str, where: str) -> Fraction:
    if not isinstance(text, str) or not _DECIMAL.fullmatch(text):
        raise CertifyError(f'{where}: expected a decimal like 2.414 or a rational p/q, got {text!r}')
    return Fraction(text)
