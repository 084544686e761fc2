"""`certify amplify`: eq. (13) of Gallego et al. 2013 in high precision (how many devices?).

alpha and beta are required inputs: the paper defines them in its Supplementary
Note 2, which is not reproduced here, so no value is ever presented as the
paper's. Numbers on the command line are read exactly ("0.1" is 1/10, "1e-3"
is 1/1000, "2/3" is 2/3). mpmath plans N_d and N_b and prints ESTIMATES; the one
bound shown is the kernel's verdict on an "amplify.bound" certificate (eq. (13) at
the chosen N_d, N_b <= 1/2 + tau; without --tau, <= the estimate rounded up),
which --out writes. Exit codes: 0 verified, 1 the kernel rejects the claim (e.g. the
given N_d, N_b miss --tau), 2 bad input.
"""

import json
import re
import sys
from fractions import Fraction

from certify import printing
from certify.certificate import checked, write
from certify.cli_types import rational
from certify.errors import EXIT_FALSE, EXIT_OK, CertifyError
from certify.kernel.format import format_rational

SUMMARY = "Gallego et al. 2013 eq. (13): P(guess) bound, N_d, N_b and the number of devices N"
_POWER = re.compile(r"2(?:\^|\*\*)([0-9]{1,15})")
DEFAULT_TAU = "1e-3"
PLOT_TAUS = ("1e-2", "1e-3", "1e-6", "1e-9")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("amplify", help=SUMMARY, description=SUMMARY)
    parser.add_argument("--eps", required=True, help="source bias bound, 0 < eps <= 1/2 (exact: 0.1, 1/10)")
    parser.add_argument("--alpha", required=True, help="0 < alpha < 1 (Supplementary Note 2; your value)")
    parser.add_argument("--beta", required=True, help="beta > 1 (Supplementary Note 2; your value)")
    parser.add_argument("--tau", help=f"target P(guess) <= 1/2 + tau (default {DEFAULT_TAU} when planning)")
    parser.add_argument("--nd", help="fix N_d (then N_b is searched unless --nb is given)")
    parser.add_argument("--nb", help="with --nd: evaluate at this N_b, a power of two (e.g. 1024 or 2^13671)")
    parser.add_argument("--digits", default="50", help="mpmath working precision in decimal digits (default 50)")
    parser.add_argument("--prove", action="store_true",
                        help="also run the sympy check of the paper's N_b choice (printed, not a kernel verdict: "
                             "a disagreement is a warning and does not set the exit code)")
    parser.add_argument("--plot", metavar="PNG", help="write log10 N against eps for a few tau to this file")
    parser.add_argument("--json", action="store_true",
                        help='one JSON document (format "certify-result/1"): the kernel\'s verdict under "claims", '
                             "then the plan (N_d, N_b, estimates)")
    parser.add_argument("--out", metavar="FILE", help="write the amplify.bound certificate the kernel checked")


def parse_exact(text: str, where: str) -> Fraction:
    """A decimal ("0.1", "1e-3") or "p/q", exactly: the CLI's one rational parser."""
    return rational(text, where, signed=True)


def parse_nb_log2(text: str) -> int:
    """--nb as its exponent m: "2^m", "2**m" or a decimal integer that is a power of two."""
    text = str(text).strip()
    match = _POWER.fullmatch(text)
    if match:
        return int(match.group(1))
    if re.fullmatch(r"[0-9]{1,4000}", text):
        value = int(text)
        if value >= 1 and value & (value - 1) == 0:
            return value.bit_length() - 1
    raise CertifyError(f"--nb: expected a power of two (e.g. 1024 or 2^13671), got {text[:40]!r}")


def up_decimal(q: Fraction, digits: int = 12):
    """(d, text): the smallest decimal d >= q > 0 with `digits` significant digits, exactly."""
    e = int((q.numerator.bit_length() - q.denominator.bit_length()) * 0.30103)  # ~log10 q, then fixed up
    while q >= Fraction(10) ** (e + 1):
        e += 1
    while q < Fraction(10) ** e:
        e -= 1
    scale = Fraction(10) ** (digits - 1 - e)
    mantissa = -(-q.numerator * scale.numerator // (q.denominator * scale.denominator))  # ceil
    if mantissa == 10**digits:
        mantissa, e = 10 ** (digits - 1), e + 1
    text = str(mantissa)
    return Fraction(mantissa) * Fraction(10) ** (e - digits + 1), f"{text[0]}.{text[1:]}e{e:+d}"


def _half_plus(value: Fraction) -> str:
    """1/2 + (value - 1/2) with the excess as an upward-rounded decimal (it is >= the exact one)."""
    excess = value - Fraction(1, 2)
    if excess <= 0 or len(format_rational(excess)) <= 24:
        return f"1/2 + {format_rational(excess)}" if excess > 0 else format_rational(value)
    return f"1/2 + {up_decimal(excess)[1]}"


def _exact(value) -> Fraction:
    """An mpmath mpf as the exact rational it is (mantissa * 2^exponent)."""
    man, exp = value.man_exp
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def _integer(text: str, where: str) -> int:
    if not re.fullmatch(r"[0-9]{1,9}", str(text).strip()):
        raise CertifyError(f"{where}: expected a positive integer, got {str(text)[:40]!r}")
    return int(text)


def run(args) -> int:
    from certify import amplification as amp

    eps, alpha, beta = (parse_exact(getattr(args, k), f"--{k}") for k in ("eps", "alpha", "beta"))
    tau = None if args.tau is None else parse_exact(args.tau, "--tau")
    digits = _integer(args.digits, "--digits")
    n_d = None if args.nd is None else _integer(args.nd, "--nd")
    if args.nb is not None and n_d is None:
        raise CertifyError("--nb: needs --nd (give both to evaluate eq. (13) at a point)")
    amp.validate(eps, alpha, beta, n_d, tau, digits)
    report = {"equation": "Gallego et al. 2013, eq. (13)", "digits": digits,
              "inputs": {k: format_rational(v) for k, v in
                         (("eps", eps), ("alpha", alpha), ("beta", beta), ("tau", tau)) if v is not None},
              "alpha_beta": _provenance(eps, alpha, beta, amp.ILLUSTRATIVE)}
    if args.nb is not None:
        tau = _evaluate(report, amp, eps, alpha, beta, n_d, parse_nb_log2(args.nb), tau, digits)
    else:
        tau = tau if tau is not None else parse_exact(DEFAULT_TAU, "--tau")
        _plan(report, amp, eps, alpha, beta, n_d, tau, digits)
    cert = amp.certificate(eps, alpha, beta, report["n_d"], report["n_b_log2"], tau)
    if args.out:
        try:
            write(cert, args.out)
        except OSError as err:
            raise CertifyError(f"--out: cannot write {args.out[:80]!r} ({err.strerror})") from None
    verdict = checked(cert, args.out or "amplify")
    report["kernel"] = {"claim": f"eq. (13) <= 1/2 + {format_rational(tau)}", "status": verdict.status,
                        "line": printing.proven(verdict, _half_plus, claimed=True),
                        "proven": _half_plus(verdict.high) if verdict.ok else None}
    status = EXIT_OK if verdict.ok else EXIT_FALSE
    if args.nb is not None and args.tau is not None:
        report["meets_target"] = verdict.ok
    if args.prove:
        proof = amp.symbolic_proof()
        report["proof"] = {k: (v if isinstance(v, bool) else str(v)) for k, v in proof.items()}
        if not all(v for v in proof.values() if isinstance(v, bool)) or str(proof["limit"]) != "1/2":
            # sympy is no kernel verdict: its disagreement is a warning, never the exit code
            report["proof_warning"] = ("the sympy check of the paper's N_b choice does not agree; this is not a "
                                       "kernel verdict and does not change the exit code")
            print(f"certify amplify: warning: {report['proof_warning']}", file=sys.stderr)
    if args.plot:
        if not args.plot.lower().endswith((".png", ".pdf", ".svg")):  # matplotlib would append .png silently
            raise CertifyError(f"--plot: {args.plot[:80]!r} must end in .png, .pdf or .svg")
        report["plot"] = plot(args.plot, alpha, beta, digits)
    if args.json:
        print(json.dumps(printing.result_json("amplify", [verdict], **report), indent=1, sort_keys=True))
    else:
        _print(report)
    return status


def _provenance(eps, alpha, beta, illustrative) -> str:
    chosen = (eps, alpha, beta) == (illustrative["eps"], illustrative["alpha"], illustrative["beta"])
    kind = "illustrative inputs" if chosen else "user inputs"
    return f"{kind}; the paper defines alpha, beta in its Supplementary Note 2 (not reproduced, no values assumed)"


def _evaluate(report, amp, eps, alpha, beta, n_d, m, tau, digits) -> None:
    import mpmath

    value = amp.bound(eps, alpha, beta, n_d, m, digits)
    report.update({"n_d": n_d, "n_b": f"2^{m}", "n_b_log2": m, "estimate": mpmath.nstr(value, digits)})
    if tau is None:  # claim the estimate rounded up (by 1e-12 relative): the kernel's bound is tighter
        tau = up_decimal(_exact(amp.excess(eps, alpha, beta, n_d, m, digits)) * (1 + Fraction(1, 10**12)))[0]
    return tau


def _plan(report, amp, eps, alpha, beta, n_d, tau, digits) -> None:
    import mpmath

    report["inputs"]["tau"] = format_rational(tau)
    chosen = amp.plan(eps, alpha, beta, tau, n_d, digits)
    report["n_d"], report["n_b_log2"] = chosen.n_d, chosen.nb_log2
    report.update(_plan_fields(chosen, amp, digits))
    if n_d is None:
        report["cheapest"] = _plan_fields(amp.cheapest_plan(eps, alpha, beta, tau, digits), amp, digits)
    nb_log2, value = amp.paper_choice(eps, alpha, beta, chosen.n_d, digits)
    report["paper_choice"] = {"n_b": f"K^(2 N_d/|log2(1-eps)|) = 2^{mpmath.nstr(nb_log2, 15)}",
                              "estimate": mpmath.nstr(value, digits)}


def _plan_fields(chosen, amp, digits) -> dict:
    import mpmath

    return {"n_d": chosen.n_d, "n_b": f"2^{chosen.nb_log2}", "n_b_log2": chosen.nb_log2,
            "estimate": mpmath.nstr(chosen.bound, digits),
            "n_min": f"3*{chosen.n_d}*2^{chosen.nb_log2}+1", "n_min_sci": amp.scientific(chosen.log10_n),
            "log10_n_min": mpmath.nstr(chosen.log10_n, 20)}


def plot(path: str, alpha, beta, digits: int = 30) -> str:
    """log10 N (smallest N_d, smallest power-of-two N_b) against eps, one curve per tau."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    from certify import amplification as amp

    grid = [parse_exact(f"{mantissa}e{power}", "eps") for power in (-3, -2, -1) for mantissa in (1, 2, 5)]
    grid = grid[:-1] + [Fraction(1, 2)]
    illustrative = (alpha, beta) == (amp.ILLUSTRATIVE["alpha"], amp.ILLUSTRATIVE["beta"])
    kind = "illustrative, not the paper's" if illustrative else "user inputs"
    figure, axes = plt.subplots(figsize=(6.4, 4.2))
    for text in PLOT_TAUS:
        tau = parse_exact(text, "tau")
        rows = amp.growth(alpha, beta, [tau], grid, digits)
        axes.plot([float(e) for _, e, _ in rows], [float(p.log10_n) for _, _, p in rows], marker="o",
                  label=f"tau = {text}")
    axes.set(xscale="log", yscale="log", xlabel="eps (source quality)", ylabel="N (number of devices: quintuplets)",
             title=f"Eq. (13), alpha = {format_rational(alpha)}, beta = {format_rational(beta)} ({kind})")
    # y is log10 N on a log axis, so the tick at t is labelled with the number of devices it means,
    # N = 10^t (a bare "10^6" would read as N = 10^6 where it is N = 10^(10^6)); set after the scale
    axes.yaxis.set_major_formatter(FuncFormatter(lambda t, _: f"$10^{{{t:.0f}}}$"))
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def _print(report) -> None:
    inputs = ", ".join(f"{k} = {v}" for k, v in report["inputs"].items())
    print(f"{report['equation']} at {report['digits']} digits: {inputs}")
    print(f"  alpha, beta: {report['alpha_beta']}")
    if "n_min" in report:
        print(f"  N_d = {report['n_d']} (smallest with 3 sqrt(N_d)/2 alpha^N_d < tau)")
        print(f"  N_b = {report['n_b']} (smallest power of two reaching the target)")
        print(f"  estimate (mpmath, not a bound): {report['estimate']}")
        print(f"  N > 3 N_d N_b: smallest N = {report['n_min']} ~ {report['n_min_sci']}")
        if "cheapest" in report:
            c = report["cheapest"]
            print(f"  smallest N over all N_d: N_d = {c['n_d']}, N_b = {c['n_b']}, N ~ {c['n_min_sci']}")
        p = report["paper_choice"]
        print(f"  paper's N_b = {p['n_b']} gives about {p['estimate']} (estimate)")
    else:
        print(f"  N_d = {report['n_d']}, N_b = {report['n_b']}: estimate (mpmath, not a bound) {report['estimate']}")
    k = report["kernel"]
    print(f"  kernel, eq. (13) at N_d = {report['n_d']}, N_b = 2^{report['n_b_log2']}: P(guess) bound {k['line']}"
          + (f" (proven <= {k['proven']})" if k["proven"] else ""))
    for key, value in report.get("proof", {}).items():
        print(f"  sympy: {key}: {value}")
    if "plot" in report:
        print(f"  plot written to {report['plot']}")
