"""`certify bits --counts FILE`: certified min-entropy of a CHSH experiment (Pironio et al. 2010).

Prints I_hat (exact and decimal), its i.i.d. standard error, eps of eq. (3),
the local-model p-value bound and the number of bits; both numbers are kernel verdicts on
certificates it makes (the p-value a "pvalue.chsh" claim, --out-pvalue keeps it). By default
(quantum model) it certifies one NPA tangent per input pair at I_hat - eps and checks the whole
chain as a "bits.chsh" certificate (--out keeps it). A user tangent is never taken on trust: with
the quantum model it must come as an "npa.max" certificate (`--tangent-certificate FILE`), which
`check_certificate` verifies before anything is printed, and `--tangent NU,LAM` then states the
line that certificate must prove (a line off by 1e-12 is REJECTED, exit 1); the bits are then a
"bits.chsh" claim on those tangents. With the no-signalling model `--tangent NU,LAM` is checked as
16 "lp.ns" claims max P(ab|xy) + LAM CHSH <= NU (curve c, LAM = 1/4, NU = 3/2, by default), and
the bits are a "bits.ns" claim on them.

`certify bits --eat --counts FILE`: entropy accumulation instead (DFR's EAT, Thm 4.4 of
arXiv:1607.01796, for ARV's spot-checking protocol; docs/vn-rates.md): the producer picks the
tangent point S0 of the min-tradeoff line (or --tangent-at), certifies the Brown-Fawzi-Fawzi node
duals there, and prints only the kernel's verdict on the "eat.bits" claim (--out keeps it).
"""

import json
import math
from fractions import Fraction
from itertools import product

from certify import bits_models
from certify import finite_stats as fs
from certify.certificate import checked, floor_decimal, make_certificate, statement_number, write
from certify.cli_types import level_arg, rational
from certify.counts import check_input_frequencies, read_counts, uniform_inputs
from certify.errors import EXIT_FALSE, EXIT_OK, CertifyError
from certify.kernel import bits as kbits
from certify.kernel import check_certificate
from certify.kernel.format import Reject, format_rational, read_json
from certify.papers.pironio2010.bits import PAPER_BITS, bits_certificate, problem_json, table1_path
from certify.papers.pironio2010.curve_c import chsh_ns_claim
from certify.papers.pironio2010.npa import tangent_of
from certify.papers.produce import lp_certificate
from certify.printing import proven, result_json

SUMMARY = "certified random bits from CHSH counts (Pironio et al. 2010, eq. (3))"
LEVELS = ("1+AB", "2", "3")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("bits", help=SUMMARY, description=SUMMARY)
    parser.add_argument("--counts", required=True, metavar="FILE",
                        help="count table (.csv or .json; '-' reads CSV from standard input)")
    parser.add_argument("--problem", metavar="FILE",
                        help="any Bell test (kind bits.bell): a bits problem (scenario, expression, p_x, parties, "
                             "level, azuma; docs/count-table-format.md) for a count table of any scenario")
    parser.add_argument("--azuma", choices=("range", "bounded"),
                        help="--problem: Azuma-Hoeffding from the estimator's range (default) or Pironio's eq. (3)")
    parser.add_argument("--parties", metavar="LETTERS",
                        help="--problem: the parties whose outputs are the randomness, e.g. AB (default: the "
                             "problem's)")
    parser.add_argument("--curve", metavar="DIR",
                        help="--problem: also certify the concave envelope of G (guess of the randomness parties "
                             "at their first input) adaptively between the local bound and the proven maximum; "
                             "its npa.max tangents are written to DIR")
    parser.add_argument("--delta", default="0.01",
                        help="failure probability in (0,1): a decimal, 1e-6 or p/q, read exactly (default 0.01)")
    parser.add_argument("--level", default=None, type=level_arg,
                        help="NPA level of the tangents (CHSH: 1+AB, 2 or 3, default 1+AB; with --problem any level, "
                             "default the problem's; 1+ab and '1 + AB' are read as 1+AB)")
    parser.add_argument("--model", default="quantum", choices=("quantum", "no-signalling"),
                        help="I_max in eps: 2 sqrt 2 (quantum) or 4 (no-signalling)")
    parser.add_argument("--p-xy", metavar="P00,P01,P10,P11",
                        help="input distribution (default: the file's, else uniform)")
    parser.add_argument("--q", help="expected min P(xy); an error if it disagrees")
    parser.add_argument("--tangent", metavar="NU,LAM",
                        help="a tangent line G(I) <= NU - LAM*I, checked by the kernel (quantum: against "
                             "--tangent-certificate; no-signalling: as LP claims)")
    parser.add_argument("--tangent-certificate", action="append", default=[], metavar="FILE",
                        help="npa.max certificate of the tangent G(a,b|x,y) <= NU - LAM*I, re-checked by the kernel")
    parser.add_argument("--out", metavar="FILE",
                        help="write the whole-chain certificate of the bits here (bits.chsh; bits.ns for "
                             "--model no-signalling)")
    parser.add_argument("--out-pvalue", metavar="FILE", help="write the p-value's pvalue.chsh certificate here")
    eat = parser.add_argument_group("entropy accumulation (--eat)")
    eat.add_argument("--eat", action="store_true",
                     help="certify smooth min-entropy by the EAT (DFR Thm 4.4) with a BFF min-tradeoff line "
                          "(kind eat.bits) instead of Pironio's chain; uniform test inputs")
    eat.add_argument("--rounds", type=int, help="--eat: total rounds n (default: the table's, i.e. gamma = 1)")
    eat.add_argument("--gamma", default="1", help="--eat: test probability in (0, 1] (default 1)")
    eat.add_argument("--eps-smooth", default="0.01", help="--eat: smoothing parameter (default 0.01)")
    eat.add_argument("--eps-accept", default="0.01",
                     help="--eat: the claim holds unless the protocol accepts with probability below this (0.01)")
    eat.add_argument("--tangent-at", help="--eat: S0 of the min-tradeoff line (default: the float model's best)")
    eat.add_argument("--nodes", type=int, default=8, help="--eat: Gauss-Radau nodes m of the BFF bound (default 8)")
    parser.add_argument("--json", action="store_true",
                        help='machine-readable output (schema "certify-cli/1"; "claims" holds the kernel\'s verdicts, '
                             '"certificate" the certificate path(s), or the certificate itself when not written)')


def chain_certificate(table, p_xy, delta, level, out=None):
    """Solve, write and kernel-check the whole-chain "bits.chsh" certificate; (bits, path or certificate, verdict)."""
    cert = bits_certificate(table.counts, p_xy, delta, level, "cli/bits", str(table.source or "counts"))
    return _checked_chain(cert, out)


def _checked_chain(cert, out):
    """(bits, path or certificate, verdict) of a whole-chain certificate the kernel verified (written to `out`). The
    claim is re-issued at what the kernel proved when that is more than proposed (e.g. from a certificate's line
    tighter than the user's --tangent): the file states the number printed."""
    verdict = checked(cert, out or "certificate")
    if verdict.ok and verdict.value != Fraction(cert["claim"]["value"]):
        cert["claim"]["value"] = format_rational(verdict.value)
        verdict = checked(cert, out or "certificate")
    if not verdict.ok:
        raise Reject(f"the whole-chain certificate does not verify: {verdict.reason}")
    if out:
        write(cert, out)
    return int(verdict.value), out or cert, verdict


def no_signalling_tangent(nu=Fraction(3, 2), lam=Fraction(1, 4)):
    """(nu, lam, verdicts, tangents), once the kernel verified G_NS(I) <= nu - lam I: max P(ab|xy) + lam CHSH
    <= nu for all 16 (ab, xy), each an "lp.ns" claim solved, written in memory and checked; `tangents` holds
    them as a "bits.ns" certificate's evidence wants them ({"ab|xy": {"problem", "evidence": {"dual"}}})."""
    verdicts, tangents = [], {}
    for ab, xy in product(product(range(2), repeat=2), repeat=2):
        claim_id, statement, problem, _ = chsh_ns_claim(ab, xy, lam)
        cert, _ = lp_certificate(claim_id, statement, problem, "<=")
        cert["claim"]["value"] = format_rational(nu)  # the user's line, not the solver's optimum
        verdict = checked(cert, claim_id)
        if not verdict.ok:
            raise Reject(f"--tangent: G_NS(I) <= {format_rational(nu)} - {format_rational(lam)} I does not "
                         f"verify: {verdict.reason}")
        verdicts.append(verdict)
        key = "".join(map(str, ab)) + "|" + "".join(map(str, xy))
        tangents[key] = {"problem": problem, "evidence": {"dual": cert["evidence"]["dual"]}}
    return nu, lam, verdicts, tangents


def _chain_claim(kind, table, p_xy, delta, problem, evidence, proposal, out, detail):
    """Write (with `out`) and kernel-check a whole-chain claim "H_min >= proposal bits"; (bits, path or
    certificate, verdict): the bits printed are the verdict's, never the proposal."""
    statement = (f"counts {table.source or 'table'}: with probability >= {statement_number(1 - delta)}, H_min of the "
                 f"outputs >= value bits ({detail})")
    return _checked_chain(make_certificate(f"cli/{kind}", kind, statement, problem, ">=", proposal, evidence), out)


def pvalue_claim(table, p_xy, out=None):
    """The local-model p-value as a kernel verdict: a "pvalue.chsh" claim at the kernel's own bound, checked
    (and written with `out`); (verdict, path or certificate)."""
    rows = problem_json(table.counts, p_xy, Fraction(1, 100), "1+AB")
    cert = make_certificate("cli/pvalue", "pvalue.chsh", f"counts {table.source or 'table'}: a local model with "
                            "memory reaches the observed CHSH estimate with probability <= value",
                            {"counts": rows["counts"], "p_xy": rows["p_xy"]}, "<=",
                            kbits.p_value_upper(table.counts, p_xy), {})
    verdict = checked(cert, out or "p-value certificate")
    if not verdict.ok:
        raise Reject(f"the p-value certificate does not verify: {verdict.reason}")
    if out:
        write(cert, out)
    return verdict, out or cert


def run(args) -> int:
    if args.problem:
        return run_bell(args)
    if args.azuma or args.parties:
        raise CertifyError("--azuma, --parties: only with --problem (any Bell test)")
    if args.level is None:
        args.level = "1+AB"
    if args.level not in LEVELS and not args.eat:
        raise CertifyError(f"--level: expected one of {', '.join(LEVELS)} for the CHSH chain, got {args.level!r}")
    if args.eat:
        return run_eat(args)
    table = read_counts(args.counts)
    p_xy = _p_xy(args.p_xy) if args.p_xy is not None else (table.p_xy or uniform_inputs())
    delta = rational(args.delta, "--delta")
    kbits.check_delta(delta)
    q = rational(args.q, "--q") if args.q else None
    n, q_min = bits_models.validate(table.counts, p_xy, q)
    check_input_frequencies(table.counts, p_xy, str(args.counts))  # the protocol's P(xy) must fit the counts
    i_hat = kbits.chsh_estimate(table.counts, p_xy)
    eps_hi = bits_models.epsilon_upper(n, q_min, delta, args.model)
    pvalue, pvalue_cert = pvalue_claim(table, p_xy, args.out_pvalue)
    tangent, chain = _tangent(args), None  # a tangent is kernel-checked before anything prints
    if tangent is None and args.model == "quantum":
        what = f"4 NPA tangents at level {args.level}"
        chain = chain_certificate(table, p_xy, delta, args.level, args.out)
    elif tangent is None:
        nu, lam, verdicts, evidence = no_signalling_tangent()
        tangent = (nu, lam, None, "curve c, 16 lp.ns claims verified by the kernel on the fly", verdicts, evidence)
    if tangent is not None:  # the bits: a whole-chain claim on the kernel-checked tangent(s)
        proposal = bits_models.check_bits(table.counts, delta, p_xy, tangent[0], tangent[1], args.model).bits
        rows = problem_json(table.counts, p_xy, delta, tangent[6] if args.model == "quantum" else "1+AB")
        if args.model == "quantum":
            what = f"{len(tangent[5])} NPA tangent(s) at level {tangent[6]} from --tangent-certificate"
            chain = _chain_claim("bits.chsh", table, p_xy, delta, rows, {"tangents": tangent[5]}, proposal,
                                 args.out, f"eq. (3), the quantum model, {what}")
        else:
            what = f"16 lp.ns tangents of slope {format_rational(tangent[1])}"
            chain = _chain_claim("bits.ns", table, p_xy, delta, {k: rows[k] for k in ("counts", "p_xy", "delta")},
                                 {"lambda": format_rational(tangent[1]), "tangents": tangent[5]}, proposal, args.out,
                                 f"eq. (3), no-signalling adversaries, {what}")
    out = {
        "counts": str(args.counts), "n": n, "delta": _fmt(delta), "q": _fmt(q_min), "model": args.model,
        "p_xy": {f"{x}{y}": _fmt(p_xy[x, y]) for x, y in kbits.PAIRS},
        "agreement": {f"{x}{y}": _decimal(v, 3) for (x, y), v in fs.agreement(table).items()},
        "I_hat": _fmt(i_hat), "I_hat_decimal": _decimal(i_hat, 5),
        "standard_error": f"{fs.standard_error(table.counts, p_xy):.3f}",
        "epsilon": _decimal_up(eps_hi, 6), "I_low": _decimal_down(i_hat - eps_hi, 6),
        "p_value_local": _decimal_up(pvalue.value, 4, scientific=True),
        "level": args.level,
        "certificate": chain[1],
        "pvalue_certificate": pvalue_cert,
        "tangent": None if tangent is None else {"nu": _fmt(tangent[0]), "lambda": _fmt(tangent[1]),
                                                 "source": tangent[3], "certificate": tangent[2]},
        "bits": chain[0],
        "bits_reason": _chain_reason(chain, what, i_hat - eps_hi),
    }
    out["paper_claim"] = _paper_claim(table, p_xy, delta)
    # the kernel's verdicts behind the numbers: the bits' whole-chain claim, the p-value's, a tangent's own
    verdicts = [chain[2], pvalue] + (list(tangent[4]) if tangent else [])
    print(json.dumps(result_json("bits", verdicts, **out), indent=1) if args.json else _text(out))
    return EXIT_OK


def run_bell(args) -> int:
    """`certify bits --problem P --counts C`: one "bits.bell" claim (any Bell test) made, checked by the kernel,
    and printed only from its verdict."""
    from certify import bellbits
    from certify.problem import describe

    if args.eat or args.tangent or args.tangent_certificate or args.q or args.p_xy or args.model != "quantum":
        raise CertifyError("--problem: --eat, --tangent, --tangent-certificate, --q, --p-xy and --model belong to "
                           "the CHSH chain (state p_x in the problem)")
    run = bellbits.bits(args.problem, args.counts, rational(args.delta, "--delta"), args.level, args.azuma,
                        args.parties, "cli/bits/bell", args.out)
    verdict, cert, info, spec, table = run.verdict, run.certificate, run.info, run.spec, run.table
    scenario, p_x, parties, delta, level, azuma = (spec["scenario"], info["p"], info["parties"], info["delta"],
                                                   info["level"], info["azuma"])
    seed = bellbits.seed_bits(p_x, info["n"])
    who = ", ".join(chr(65 + i) for i in parties)
    out = {"counts": table.source, "problem": str(args.problem), "n": info["n"], "parties": who,
           "expression": describe(spec["expr"], scenario), "direction": spec["direction"],
           "p_x": {"".join(map(str, x)): _fmt(p) for x, p in sorted(p_x.items()) if p}, "delta": _fmt(delta),
           "I_hat": _fmt(info["i_hat"]), "I_hat_decimal": _decimal(info["i_hat"], 6),
           "estimator_range": [_fmt(info["lo"]), _fmt(info["hi"])], "azuma": azuma,
           "epsilon": _decimal_up(info["eps"], 6), "I_low": _decimal_down(info["i_hat"] - info["eps"], 6),
           "proven_range": [_decimal_down(info["low"], 9), _decimal_up(info["top"], 9)], "level": level,
           "tangents": len(cert["evidence"].get("tangents", [])), "read_at": _decimal_down(info["read_at"], 9),
           "clamp": _decimal_down(info["clamp"], 9) if "clamp" in info else None,
           "bits": int(verdict.value) if verdict.ok else None,
           "seed_bits": round(seed, 1),
           "seed_note": "n H(p(x)), arithmetic from the stated p(x), not a certified claim",
           "certificate": args.out or cert}
    if args.json:
        print(json.dumps(result_json("bits", [verdict], **out), indent=1))
    else:
        lines = [f"counts: {out['counts']} (n = {out['n']} rounds; randomness: the outputs of {who})",
                 f"expression: {out['expression']}" + (" (direction min: certified for -E)"
                                                      if spec["direction"] == "min" else ""),
                 f"p(x) over {len(out['p_x'])} inputs; per-round estimator in [{_fmt(info['lo'])}, {_fmt(info['hi'])}]",
                 f"I_hat = {out['I_hat']} = {out['I_hat_decimal']}",
                 f"Azuma-Hoeffding ({azuma}): eps <= {out['epsilon']}, so I_hat - eps >= {out['I_low']}; "
                 f"E in [{out['proven_range'][0]}, {out['proven_range'][1]}] (the certificate's bounds on E"
                 + (", re-derived by the kernel)" if verdict.ok else "; the kernel did not verify the claim)"),
                 f"line read at R = min(I_hat - eps, T) >= {_decimal_down(info['read_at'], 6)}, T = "
                 + (f"{_decimal_down(info['clamp'], 6)} (an explicit quantum strategy: R never exceeds the quantum "
                    "maximum)" if "strategy" in cert["evidence"] else "L (" + (
                        "no strategy found" if info["i_hat"] - info["eps"] > info["low"] else
                        "I_hat - eps is not above L") + ": no bits)")]
        if verdict.ok:
            lines.append(f"with probability >= 1 - {out['delta']}, H_min >= {out['bits']} bits  [bits.bell certificate "
                         f"({out['tangents']} NPA tangents at level {level}, one line dominating them) verified by the "
                         f"kernel; certificate: {args.out or 'in memory (pass --out FILE to keep it)'}]")
        else:
            lines.append(f"H_min >= bits: {proven(verdict)}")
        lines.append(f"seed randomness consumed: n H(p(x)) = {seed:.1f} bits (arithmetic from the stated p(x), "
                     "not a certified claim)")
        print("\n".join(lines + _curve(args, spec, info, parties, level)))
    return EXIT_OK if verdict.ok else EXIT_FALSE


def _curve(args, spec, info, parties, level) -> list:
    """--curve DIR: the adaptive certified envelope of G (`bellbits.envelope`), its tangents written to DIR
    (each checked by the kernel), and f = -log2 G at the grid points and at the chain's read point."""
    if not args.curve:
        return []
    import os

    import certify
    from certify import bellbits

    scenario, expr = spec["scenario"], spec["expr"]
    try:  # f = 0 up to the local bound: start there (exact: the kernel enumerates the strategies)
        mine = certify.Scenario(list(scenario.inputs), list(scenario.outputs))
        local = certify.solve(certify.Problem(mine, certify.BellExpression.from_terms(mine, expr.terms, expr.constant),
                                              "local")).upper
        start = max(info["low"], local)
    except certify.CertifyError:
        start = info["low"]
    inputs = min(tuple(x[i] for i in parties) for x in info["p"])
    tangents = bellbits.envelope(scenario, expr, parties, inputs, level, start, info["top"] - Fraction(1, 10**6))
    for at, cert, _ in tangents:
        write(cert, os.path.join(args.curve, f"tangent-I{float(at):.9f}.json"))
    who, shown = "".join(chr(65 + i) for i in parties), sorted({t[0] for t in tangents[:: max(len(tangents) // 6, 1)]})
    rows = [f"  E = {float(at):.6f}: f >= {floor_decimal(bellbits.f_certified(tangents, at), 6)}" for at in shown]
    return [f"certified f(E) = -log2 G, bits per round of {who} at inputs {bellbits.digits(inputs)} ({len(tangents)} "
            f"tangents, adaptive; written to {args.curve}; certify manifest {args.curve} lists them):", *rows,
            f"  at the chain's read point E = {float(info['read_at']):.6f}: f >= "
            f"{floor_decimal(bellbits.f_certified(tangents, info['read_at']), 6)}"]


def run_eat(args) -> int:
    """`certify bits --eat`: one "eat.bits" claim made, checked by the kernel and printed as its verdict."""
    from certify.vn import eat
    if args.tangent or args.tangent_certificate or args.model != "quantum" or args.q:
        raise CertifyError("--eat: --tangent, --tangent-certificate, --model and --q belong to Pironio's chain")
    table = read_counts(args.counts)
    p_xy = _p_xy(args.p_xy) if args.p_xy is not None else (table.p_xy or uniform_inputs())
    if set(p_xy.values()) != {Fraction(1, 4)}:
        raise CertifyError("--eat: the spot-checking protocol tests with uniform inputs (P(xy) = 1/4)")
    check_input_frequencies(table.counts, p_xy, str(args.counts))  # the test rounds' inputs must look uniform
    tests = sum(table.counts.values())
    rounds = tests if args.rounds is None else args.rounds
    gamma = rational(args.gamma, "--gamma")
    eps_s, eps_a = rational(args.eps_smooth, "--eps-smooth"), rational(args.eps_accept, "--eps-accept")
    if not (0 < gamma <= 1 and 0 < eps_s < 1 and 0 < eps_a <= 1 and tests <= rounds):
        raise CertifyError("--eat: expected 0 < gamma <= 1, 0 < eps-smooth < 1, 0 < eps-accept <= 1 and "
                           "--rounds at least the table's trials")
    if not 2 <= args.nodes <= 16:
        raise CertifyError(f"--nodes: expected 2 to 16 Gauss-Radau nodes, got {args.nodes}")
    s0 = rational(args.tangent_at, "--tangent-at") if args.tangent_at else \
        eat.best_tangent(rounds, eat.wins_of(table.counts), gamma, eps_s, eps_a)
    cert = eat.eat_certificate(table.counts, rounds, gamma, eat.certified_line(s0, args.nodes), "cli/bits/eat",
                               str(table.source or "counts"), eps_s, eps_a)
    verdict = checked(cert, args.out or "certificate")
    if args.out and verdict.ok:
        write(cert, args.out)
    if args.json:
        print(json.dumps(result_json("bits", [verdict], counts=str(args.counts), n=rounds, gamma=_fmt(gamma),
                                     tangent_at=_fmt(s0), certificate=args.out or cert), indent=1))
    else:
        print(f"{verdict.statement}\nH_min^eps >= bits: {proven(verdict)}"
              + (f"  [certificate: {args.out}]" if args.out else "  [pass --out FILE to keep the certificate]"))
    return EXIT_OK if verdict.ok else EXIT_FALSE


def _paper_claim(table, p_xy, delta):
    """What Pironio et al. state for these exact data (Table 1, uniform inputs, 99%), else None."""
    if table.counts == read_counts(table1_path()).counts and p_xy == uniform_inputs() and delta == Fraction(1, 100):
        return f"at least {PAPER_BITS} bits with 99% confidence (Pironio et al. 2010, Table 1)"
    return None


def _chain_reason(chain, what, i_low) -> str:
    kind = chain[2].kind
    if i_low < 2:  # no Bell violation survives eps: only the trivial H_min >= 0 holds
        return (f"I_hat - eps < 2, the local bound: no randomness certified (H_min >= 0 is trivial), "
                f"{kind} verified by the kernel")
    return f"whole-chain certificate ({kind}: {what}) verified by the kernel"


def _tangent(args):
    """(nu, lam, certificate path(s), source, verdicts) of a kernel-checked user tangent, or None."""
    given = None
    if args.tangent:
        parts = args.tangent.split(",")
        if len(parts) != 2:
            raise CertifyError(f"--tangent: expected NU,LAM, got {args.tangent[:40]!r}")
        given = (rational(parts[0], "--tangent NU", signed=True), rational(parts[1], "--tangent LAM", signed=True))
    if args.tangent_certificate:
        if args.model != "quantum":
            raise CertifyError("--tangent-certificate: an NPA tangent bounds the quantum model only")
        nu, lam, verdicts, tangents, level = _checked_tangent(args.tangent_certificate, given)
        paths = args.tangent_certificate
        return (nu, lam, paths[0] if len(paths) == 1 else list(paths), "certificate (re-checked)", verdicts,
                tangents, level)
    if given is None:
        return None
    if args.model == "quantum":
        raise CertifyError("--tangent: the kernel cannot check a bare quantum line; give its npa.max certificate "
                           "with --tangent-certificate FILE (and --tangent to state the line it must prove)")
    if given[1] < 0:
        raise Reject(f"--tangent: lambda = {format_rational(given[1])} is negative")
    nu, lam, verdicts, tangents = no_signalling_tangent(*given)
    return nu, lam, None, "--tangent, 16 lp.ns claims verified by the kernel", verdicts, tangents


def _checked_tangent(paths, given):
    """(nu, lam, verdicts, tangents, level): the one line that `check_certificate` verified for the guess of the
    output pair (a, b), and the certificates as a "bits.chsh" claim's tangents {"xy": {"problem", "evidence"}}.

    A certificate bounds G at the input pair (x, y) of its objective. Lemma (spec P2, G is the
    same for every input pair): the relabelling x -> 1-x, b -> b xor y (and y -> 1-y, a -> a xor
    x) preserves CHSH, maps the level's operator words onto themselves up to an invertible
    linear change (a congruence of the moment matrix, so PSD is preserved) and a guess of (a, b)
    onto a guess of the relabelled pair; so a tangent proven at one input pair holds at all
    four. Several certificates must prove the same line; `given` (NU, LAM), if any, is claimed
    at each certificate's I and checked there by the kernel, and LAM must be the proven slope.
    """
    found, verdicts, tangents, levels = set(), [], {}, set()
    for path in paths:
        cert = read_json(path)
        verdict = check_certificate(cert, str(path))
        if not verdict.ok:
            raise Reject(f"{path}: certificate does not verify: {verdict.reason}")  # exit 1, as `check`
        guess = cert["claim"]["problem"]["objective"].get("guess") or {}
        if guess.get("parties") != [0, 1]:
            raise CertifyError(f"{path}: expected the CHSH scenario and a guess of both parties' outputs")
        tangent = tangent_of(cert, verdict, str(path))
        if given is not None:
            _check_given(cert, tangent, given, str(path))
        found.add((tangent.nu, tangent.lam))
        verdicts.append(verdict)
        pair = "".join(map(str, guess.get("inputs", ())))
        if pair in tangents:
            raise CertifyError(f"--tangent-certificate: two certificates bound the guess at inputs {pair}")
        tangents[pair] = {"problem": cert["claim"]["problem"], "evidence": cert["evidence"]}
        levels.add(cert["claim"]["problem"].get("level"))
    if len(found) != 1 or len(levels) != 1:
        raise CertifyError("--tangent-certificate: the certificates prove different tangent lines or levels")
    return (*found.pop(), verdicts, tangents, levels.pop())  # the line proven (`given` is checked above)


def _check_given(cert, tangent, given, where):
    """The user's line NU - LAM I, claimed at the certificate's I, must be what the kernel proves."""
    nu, lam = given
    if lam != tangent.lam:
        raise Reject(f"--tangent: LAM = {format_rational(lam)}, but {where} proves slope "
                     f"{format_rational(tangent.lam)}")
    claim = cert["claim"]
    mine = make_certificate(claim["id"], claim["kind"], claim["statement"], claim["problem"], "<=",
                            nu - lam * tangent.at, cert["evidence"])
    verdict = checked(mine, f"{where} (--tangent)")
    if not verdict.ok:
        raise Reject(f"--tangent: G(I) <= {format_rational(nu)} - {format_rational(lam)} I does not verify: "
                     f"{verdict.reason}")


def _p_xy(text):
    parts = text.split(",")
    if len(parts) != 4:
        raise CertifyError(f"--p-xy: expected four probabilities P00,P01,P10,P11, got {text[:40]!r}")
    keys = [(0, 0), (0, 1), (1, 0), (1, 1)]
    return {k: rational(p, f"--p-xy P{k[0]}{k[1]}", signed=True) for k, p in zip(keys, parts)}


def _fmt(value: Fraction) -> str:
    return format_rational(value)


def _scaled(value: Fraction, digits: int, ceil: bool) -> str:
    scaled = value * 10**digits
    whole = -((-scaled.numerator) // scaled.denominator) if ceil else scaled.numerator // scaled.denominator
    sign, whole = ("-" if whole < 0 else ""), abs(whole)
    return f"{sign}{whole // 10**digits}.{whole % 10**digits:0{digits}d}"


def _decimal(value: Fraction, digits: int) -> str:
    return f"{float(value):.{digits}f}"


def _decimal_up(value: Fraction, digits: int, scientific: bool = False) -> str:
    """A decimal >= value (an upper bound stays an upper bound when printed)."""
    if not scientific or value == 0:
        return _scaled(value, digits, True)
    # Start from the bit lengths' estimate and correct it exactly: a p-value like
    # 1e-100000 (10^7 rounds) then costs a few comparisons, not 10^5 steps.
    estimate = (value.numerator.bit_length() - value.denominator.bit_length()) * 0.30102999566398120
    exponent = min(0, math.floor(estimate))
    while exponent < 0 and value >= Fraction(10) ** (exponent + 1):
        exponent += 1
    while value < Fraction(10) ** exponent:
        exponent -= 1
    mantissa = _scaled(value * Fraction(10) ** -exponent, digits - 1, True)
    return f"{mantissa}e{exponent}"


def _decimal_down(value: Fraction, digits: int) -> str:
    return _scaled(value, digits, False)


def _where(certificate, option: str) -> str:
    return certificate if isinstance(certificate, str) else f"in memory (pass {option} FILE to keep it)"


def _text(out: dict) -> str:
    agree = "  ".join(f"{k} {v}" for k, v in out["agreement"].items())
    lines = [
        f"counts: {out['counts']} (n = {out['n']}, q = min P(xy) = {out['q']}, delta = {out['delta']})",
        f"P(a=b|xy): {agree}",
        f"I_hat = {out['I_hat']} = {out['I_hat_decimal']}   (i.i.d. standard error {out['standard_error']})",
        f"eps <= {out['epsilon']} ({out['model']}), so I_hat - eps >= {out['I_low']}",
        f"local-model p-value <= {out['p_value_local']}  [pvalue.chsh verified by the kernel; certificate: "
        f"{_where(out['pvalue_certificate'], '--out-pvalue')}]",
    ]
    tangent = "" if out["tangent"] is None else (f"; tangent G <= {out['tangent']['nu']} - {out['tangent']['lambda']} "
                                                 f"I from {out['tangent']['source']}")
    lines.append(f"H_min >= {out['bits']} bits with probability >= 1 - {out['delta']}  [{out['bits_reason']}"
                 f"{tangent}; certificate: {_where(out['certificate'], '--out')}]")
    if out["paper_claim"]:
        lines.append(f"the paper states: {out['paper_claim']}; certified here: {out['bits']} bits")
    return "\n".join(lines)
