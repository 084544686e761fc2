"""`certify solve PROBLEM.json`: certify a problem file (docs/problem-format.md) over the local,
no-signalling or quantum set. The solver proposes; the printed line is the kernel's Verdict on the
certificate (written with --out). Exit codes: 0 verified, 1 not verified, 2 bad input."""

from dataclasses import replace

from certify import printing
from certify.errors import EXIT_FALSE, EXIT_OK
from certify.kernel.format import read_json

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


def run(args) -> int:
    from certify.certificate import write
    from certify.problem import Problem, certify_problem

    problem = Problem.from_json(read_json(args.problem), args.problem)
    if args.sense:
        problem = replace(problem, sense=args.sense)
    cert, verdict = certify_problem(problem, args.claim_id, args.solver)
    if args.out:  # before the verdict is printed: an unwritable path fails alone, on one line
        write(cert, args.out)
    if getattr(args, "json", False):
        import json

        print(json.dumps(printing.result_json("solve", [verdict], certificate=args.out), indent=1))
        return EXIT_OK if verdict.ok else EXIT_FALSE
    print(f"{cert['claim']['statement']}\n  {printing.solved(verdict)}")
    if args.out:
        print(f"  written to {args.out}")
    return EXIT_OK if verdict.ok else EXIT_FALSE
