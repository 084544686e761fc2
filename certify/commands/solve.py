"""`certify solve PROBLEM.json`: certify a problem file (docs/problem-format.md) over the local,
no-signalling or quantum set. The solver proposes; the printed lines are the kernel's Verdicts on the
certificates (written with --out). A quantum problem is two-sided: the npa.max upper bound (to --out)
and a quantum.strategy lower bound from an explicit strategy (to A.strategy.json beside --out A.json),
then "value in [L, U], gap U - L", both ends verified claims ("tight" when the gap is <= --tight-tol);
--one-sided skips the strategy. Exit codes: 0 verified, 1 not verified, 2 bad input."""

from dataclasses import replace

from certify import printing
from certify.errors import EXIT_FALSE, EXIT_OK
from certify.kernel.format import format_rational, read_json

SUMMARY = "certify your own problem file: local / no-signalling / quantum optimum of a Bell expression or guess"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("solve", help=SUMMARY, description=SUMMARY)
    parser.add_argument("problem", help="problem file (docs/problem-format.md)")
    parser.add_argument("--out", help="write the certificate to this file")
    parser.add_argument("--id", dest="claim_id", help="claim id of the certificate (default solve/<set>/<hash>)")
    sense = parser.add_mutually_exclusive_group()
    sense.add_argument("--min", dest="sense", action="store_const", const="min", help="minimise (overrides sense)")
    sense.add_argument("--max", dest="sense", action="store_const", const="max", help="maximise (overrides sense)")
    parser.add_argument("--solver", help="SDP solver for quantum problems (clarabel, mosek, scs)")
    parser.add_argument("--json", action="store_true", help='the kernel\'s verdict as JSON (format "certify-result/1")')
    parser.add_argument("--tight-tol", default="1e-6", help="a quantum interval is tight when its certified gap "
                        "U - L is at most this (exact: 1e-9, 1/1000; default 1e-6)")
    parser.add_argument("--one-sided", action="store_true", help="quantum: the NPA bound only (no strategy search)")


def run(args) -> int:
    from certify.cli_types import rational
    from certify.problem import Problem, certify_interval

    problem = Problem.from_json(read_json(args.problem), args.problem)
    if args.sense:
        problem = replace(problem, sense=args.sense)
    tol = rational(getattr(args, "tight_tol", "1e-6"), "--tight-tol")
    if getattr(args, "one_sided", False) and problem.set == "quantum":
        from certify.problem import Interval, certify_problem

        cert, verdict = certify_problem(problem, args.claim_id, args.solver)
        low, high = (None, verdict) if problem.sense == "max" else (verdict, None)
        result = Interval(low, high, (cert,), tol, "--one-sided")
    else:
        result = certify_interval(problem, args.claim_id, args.solver, tol)
    paths = result.write(args.out) if args.out else []  # before the verdicts: an unwritable path fails alone
    verdicts = result.verdicts
    ok = all(v.ok for v in verdicts)
    if getattr(args, "json", False):
        import json

        print(json.dumps(printing.result_json("solve", verdicts, certificate=args.out, certificates=paths,
                                              interval=_interval_json(result)), indent=1))
        return EXIT_OK if ok else EXIT_FALSE
    decimal = lambda x: format_rational(x) if x.denominator == 1 else f"{format_rational(x)} (~{float(x):.15g})"  # noqa: E731
    for cert in result.certificates:
        verdict = next(v for v in verdicts if v.claim_id == cert["claim"]["id"])
        print(f"{cert['claim']['statement']}\n  {printing.proven(verdict, decimal, claimed=True)}")
    if result.low is not result.high:
        print(f"  {_interval_line(result)}")
    for path in paths:
        print(f"  written to {path}")
    return EXIT_OK if ok else EXIT_FALSE


def _interval_line(result) -> str:
    """"value in [L, U], gap G: tight (...)" from the claims of the two verified verdicts."""
    if result.gap is None:
        side = "lower" if result.lower is None else "upper"
        return f"no certified {side} end ({result.reason or 'not found'}); the other end is the verdict above"
    word = "tight" if result.tight else "not tight"
    return (f"value in [{float(result.lower):.15g}, {float(result.upper):.15g}], gap {float(result.gap):.3g}: {word} "
            f"(tolerance {float(result.tight_tol):g}); both ends verified by the kernel")


def _interval_json(result) -> dict:
    text = lambda x: None if x is None else format_rational(x)  # noqa: E731
    return {"lower": text(result.lower), "upper": text(result.upper), "gap": text(result.gap),
            "tight": result.tight, "tight_tol": text(result.tight_tol),
            "lower_claim": None if result.low is None else result.low.claim_id,
            "upper_claim": None if result.high is None else result.high.claim_id, "reason": result.reason}
