"""`certify lp ...`: solve and certify no-signalling LP claims (HiGHS proposes, the kernel decides)."""

import json
import os
import sys

from rich.progress import Progress

from certify.certificate import checked, rebuild_manifest, write
from certify.cli_types import folder, parties, positive_int
from certify.errors import EXIT_FALSE, EXIT_OK, CertifyError
from certify.kernel.proofs import check_file
from certify.papers.families import LP_FAMILIES
from certify.papers.gallego2013.lemma import certify_ghz3, ghz3_claim, lemma_claim
from certify.papers.pironio2010.curve_c import chsh_ns_claim
from certify.papers.produce import lp_certificate, produce
from certify.printing import proven, result_json

JSON_HELP = "the kernel's verdicts as one JSON document (format \"certify-result/1\")"
SUMMARY = "solve and certify no-signalling LP claims (Gallego et al. 2013, Pironio et al. curve c)"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("lp", help=SUMMARY, description=SUMMARY,
                                   epilog="Every CLAIM takes --json (the kernel's verdicts as one JSON document, "
                                          'format "certify-result/1"); see certify lp CLAIM --help.')
    which = parser.add_subparsers(dest="claim", metavar="CLAIM", required=True)
    lemma = which.add_parser("lemma", help="max P(maj(a_i,a_j,a_k) = v | x0) over 5-party maximal Mermin violators")
    lemma.add_argument("--x", default="10000", help="input string x0 in X (default 10000)")
    lemma.add_argument("--parties", default="A,B,C",
                       help="three distinct parties by letter among A..E (A is the first; default A,B,C)")
    lemma.add_argument("--value", type=int, choices=(0, 1), default=0)
    ghz3 = which.add_parser("ghz3", help="a 3-party GHZ-paradox box making a balanced function certain")
    ghz3.add_argument("--table", required=True, help="truth table of g: 8 bits with four ones, index 4a1+2a2+a3")
    ghz3.add_argument("--x", required=True,
                      help="input string x0 of the GHZ game (001, 010, 100, 111; input 0 -> Y, 1 -> X)")
    chsh = which.add_parser("chsh-ns", help="max P(ab|xy) + CHSH/4 over 2-party no-signalling boxes")
    chsh.add_argument("--ab", default="00")
    chsh.add_argument("--xy", default="00")
    sweep = which.add_parser("sweep", help="certify every LP claim of both papers and update the manifest")
    sweep.add_argument("--out", default="proofs", type=folder, help="output folder (default proofs)")
    sweep.add_argument("--jobs", type=positive_int, default=os.cpu_count() or 1)
    sweep.add_argument("--scheduler", default=None,
                       help="address of a running Dask scheduler, e.g. tcp://HOST:8786 (default: local workers)")
    for sub in (lemma, ghz3, chsh):
        sub.add_argument("--out", help="write the certificate to this file")
    for sub in (lemma, ghz3, chsh, sweep):
        sub.add_argument("--json", action="store_true", help=JSON_HELP)


def run(args) -> int:
    if args.claim == "sweep":
        return _sweep(args)
    if args.claim == "lemma":
        triple = _triple(args.parties)
        claim_id, statement, problem, _ = lemma_claim(_bits(args.x, 5, "--x"), triple, args.value)
        _in_game(problem, args.x, "the Mermin game (sum of bits must be 1, 3 or 5)")
        cert, _ = lp_certificate(claim_id, statement, problem)
    elif args.claim == "ghz3":
        table = args.table
        if len(table) != 8 or set(table) - {"0", "1"} or table.count("1") != 4:
            raise CertifyError(f"--table: expected 8 bits with four ones, got {table!r}")
        x0 = _bits(args.x, 3, "--x")
        # outside the game's inputs the promise says nothing about x0: the claim would be trivial
        _in_game(ghz3_claim(table, x0, 0)[2], args.x, "the GHZ game (sum of bits must be 1 or 3)")
        cert, _, _ = certify_ghz3(table, x0)
    else:
        claim_id, statement, problem, _ = chsh_ns_claim(_bits(args.ab, 2, "--ab"), _bits(args.xy, 2, "--xy"))
        cert, _ = lp_certificate(claim_id, statement, problem)
    if getattr(args, "verbose", False):
        producer = cert["producer"]
        print(f"certify lp: {producer.get('solver')} status {producer.get('status')}, float optimum "
              f"{producer.get('float_optimum')}", file=sys.stderr)
    return _report(cert, args.out, args.json)


def _in_game(problem, x, game):
    if problem["objective"]["x"] not in {rule[0] for rule in problem["promise"]["rules"]}:
        raise CertifyError(f"--x: {x} is not an input of {game}")


def _report(cert, out, as_json=False) -> int:
    verdict = checked(cert, out or "certificate")
    if out:  # before the verdict is printed: an unwritable path fails alone, on one line
        write(cert, out)
    if as_json:
        print(json.dumps(result_json("lp", [verdict], certificate=out or cert,
                                     float_optimum=cert["producer"].get("float_optimum")), indent=1))
        return EXIT_OK if verdict.ok else EXIT_FALSE
    note = f"  (float optimum {cert['producer']['float_optimum']})" if verdict.ok else ""
    print(f"{cert['claim']['statement']}\n  {proven(verdict)}{note}")
    if out:
        print(f"  written to {out}")
    return EXIT_OK if verdict.ok else EXIT_FALSE


def _sweep(args) -> int:
    with Progress(console=_stderr_console(), disable=getattr(args, "quiet", False)) as progress:
        entries = produce(args.out, LP_FAMILIES, jobs=args.jobs, progress=progress, scheduler=args.scheduler)
    manifest = rebuild_manifest(args.out)
    if args.json:  # every written file re-read and re-checked by the kernel here
        verdicts = [check_file(os.path.join(args.out, e["file"])) for e in entries]
        print(json.dumps(result_json("lp sweep", verdicts, out=args.out, manifest=manifest), indent=1))
        return EXIT_OK if all(v.ok for v in verdicts) else EXIT_FALSE
    print(f"{len(entries)} LP certificates written and verified under {args.out}; manifest {manifest}")
    return EXIT_OK


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)

def _bits(text: str, n: int, flag: str) -> tuple:
    if len(text) != n or set(text) - {"0", "1"}:
        raise CertifyError(f"{flag}: expected {n} bits, got {text!r}")
    return tuple(int(ch) for ch in text)


def _triple(text: str) -> tuple:
    """Three distinct parties of the five, by letter (cli_types.parties), as sorted 0-based indices."""
    triple = parties(text, 5)
    if len(triple) != 3:
        raise CertifyError(f"--parties: expected three distinct parties among A..E, got {text[:40]!r}")
    return tuple(triple)
