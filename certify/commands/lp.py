"""`certify lp ...`: solve and certify no-signalling LP claims (HiGHS proposes, the kernel decides)."""

import os

from rich.progress import Progress

from certify.certificate import checked, rebuild_manifest, write
from certify.cli_types import folder, positive_int
from certify.errors import EXIT_FALSE, EXIT_OK, CertifyError
from certify.papers.families import LP_FAMILIES
from certify.papers.gallego2013.lemma import certify_ghz3, ghz3_claim, lemma_claim
from certify.papers.pironio2010.curve_c import chsh_ns_claim
from certify.papers.produce import lp_certificate, produce
from certify.printing import proven

SUMMARY = "solve and certify no-signalling LP claims (Gallego et al. 2013, Pironio et al. curve c)"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("lp", help=SUMMARY, description=SUMMARY)
    which = parser.add_subparsers(dest="claim", metavar="CLAIM", required=True)
    lemma = which.add_parser("lemma", help="max P(maj(a_i,a_j,a_k) = v | x0) over 5-party maximal Mermin violators")
    lemma.add_argument("--x", default="10000", help="input string x0 in X (default 10000)")
    lemma.add_argument("--parties", default="1,2,3", help="three distinct parties, 1-based (default 1,2,3)")
    lemma.add_argument("--value", type=int, choices=(0, 1), default=0)
    ghz3 = which.add_parser("ghz3", help="a 3-party GHZ-paradox box making a balanced function certain")
    ghz3.add_argument("--table", required=True, help="truth table of g: 8 bits with four ones, index 4a1+2a2+a3")
    ghz3.add_argument("--x", required=True, help="input string x0 of the GHZ game (001, 010, 100, 111; input 0 -> Y, 1 -> X)")
    chsh = which.add_parser("chsh-ns", help="max P(ab|xy) + CHSH/4 over 2-party no-signalling boxes")
    chsh.add_argument("--ab", default="00")
    chsh.add_argument("--xy", default="00")
    sweep = which.add_parser("sweep", help="certify every LP claim of both papers and update the manifest")
    sweep.add_argument("--out", default="proofs", type=folder, help="output folder (default proofs)")
    sweep.add_argument("--jobs", type=positive_int, default=os.cpu_count() or 1)
    for sub in (lemma, ghz3, chsh):
        sub.add_argument("--out", help="write the certificate to this file")


def run(args) -> int:
    if args.claim == "sweep":
        return _sweep(args)
    if args.claim == "lemma":
        triple = _parties(args.parties)
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
    return _report(cert, args.out)


def _in_game(problem, x, game):
    if problem["objective"]["x"] not in {rule[0] for rule in problem["promise"]["rules"]}:
        raise CertifyError(f"--x: {x} is not an input of {game}")


def _report(cert, out) -> int:
    verdict = checked(cert, "certificate")
    if out:  # before the verdict is printed: an unwritable path fails alone, on one line
        write(cert, out)
    note = f"  (float optimum {cert['producer']['float_optimum']})" if verdict.ok else ""
    print(f"{cert['claim']['statement']}\n  {proven(verdict)}{note}")
    if out:
        print(f"  written to {out}")
    return EXIT_OK if verdict.ok else EXIT_FALSE


def _sweep(args) -> int:
    with Progress() as progress:
        entries = produce(args.out, LP_FAMILIES, jobs=args.jobs, progress=progress)
    manifest = rebuild_manifest(args.out)
    print(f"{len(entries)} LP certificates written and verified under {args.out}; manifest {manifest}")
    return EXIT_OK


def _bits(text: str, n: int, flag: str) -> tuple:
    if len(text) != n or set(text) - {"0", "1"}:
        raise CertifyError(f"{flag}: expected {n} bits, got {text!r}")
    return tuple(int(ch) for ch in text)


def _parties(text: str) -> tuple:
    try:
        triple = tuple(int(p) - 1 for p in text.split(","))
    except ValueError:
        raise CertifyError(f"--parties: expected three numbers like 1,2,3, got {text!r}") from None
    if len(triple) != 3 or len(set(triple)) != 3 or not all(0 <= p < 5 for p in triple):
        raise CertifyError(f"--parties: expected three distinct parties in 1..5, got {text!r}")
    return tuple(sorted(triple))
