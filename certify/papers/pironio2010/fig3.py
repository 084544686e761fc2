"""Fig. 3 of Pironio et al. 2010 redrawn: the bound n f(I - eps(n)) against n, and the net entropy.

Untrusted (floats, plotting). Curves, for an observed I = 2.414 and delta = 0.01:
  uniform inputs   q = 1/4,             eps = (1/q + 2 sqrt 2) sqrt(2 ln(1/delta)/n), f = f_quantum;
  biased inputs    q = alpha / sqrt(n), P(00) = 1 - 3q, alpha = 11 (needs n >= 16 alpha^2);
  no-signalling    q = 1/4,             eps = (1/q + 4) sqrt(...),          f = f_NS = -log2(3/2 - I/4);
  inset            net entropy = n f(I - eps) - n H(1 - 3q, q, q, q) for the biased inputs;
  EAT (beside it)  the kernel's "eat.bits" verdicts (DFR Thm 4.4, ARV spot-checking, gamma = 1,
                   eps_s = eps_acc = 0.01) on Table 1's frequencies at n rounds, with the min-tradeoff
                   lines of the committed claims in proofs/vn/eat/ (each re-checked by the kernel);
                   the crossover n is where it first exceeds the uniform-inputs chain.
`f_quantum` is a callable I -> bits. The default is curve b of Fig. 2 (an analytic
lower bound on f, below the paper's curve a), labelled as such in the figure; pass
the certified NPA curve to redraw the paper's curve a. Letters are Fig. 2's: each curve
is named by the input distribution and the Fig. 2 curve (a, b or c) its f comes from.
"""

import glob
import math
from fractions import Fraction
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the file-only backend)

from certify.errors import CertifyError  # noqa: E402
from certify.finite_stats import entropy_bound, f_curve_b, f_no_signalling, input_entropy  # noqa: E402
from certify.papers.pironio2010.npa import Curve  # noqa: E402

I_OBSERVED = 2.414
DELTA = 0.01
ALPHA = 11.0


def biased_q(n, alpha=ALPHA) -> float:
    return alpha / math.sqrt(n)


def uniform_bound(n, f_quantum=f_curve_b, i_obs=I_OBSERVED, delta=DELTA) -> float:
    return entropy_bound(n, i_obs, 0.25, delta, f_quantum, "quantum")


def biased_bound(n, f_quantum=f_curve_b, i_obs=I_OBSERVED, delta=DELTA, alpha=ALPHA) -> float:
    q = biased_q(n, alpha)
    return entropy_bound(n, i_obs, q, delta, f_quantum, "quantum") if q <= 0.25 else 0.0


def ns_bound(n, i_obs=I_OBSERVED, delta=DELTA) -> float:
    return entropy_bound(n, i_obs, 0.25, delta, f_no_signalling, "no-signalling")


def net_entropy(n, f_quantum=f_curve_b, i_obs=I_OBSERVED, delta=DELTA, alpha=ALPHA) -> float:
    """Output bound minus the input entropy n H(1-3q, q, q, q), biased inputs."""
    q = biased_q(n, alpha)
    if q > 0.25:
        return -math.inf
    return biased_bound(n, f_quantum, i_obs, delta, alpha) - n * input_entropy(q)


def first_positive(g, lo=1e2, hi=1e13, steps=200) -> float:
    """The n where g(n) turns positive (g <= 0 at lo, > 0 at hi), by bisection in log n."""
    if g(lo) > 0 or g(hi) <= 0:
        raise ValueError("first_positive: g must be <= 0 at lo and > 0 at hi")
    a, b = math.log(lo), math.log(hi)
    for _ in range(steps):
        mid = (a + b) / 2
        a, b = (a, mid) if g(math.exp(mid)) > 0 else (mid, b)
    return math.exp(b)


def thresholds(f_quantum=f_curve_b, i_obs=I_OBSERVED, delta=DELTA, alpha=ALPHA) -> dict:
    """Where each curve of Fig. 3 becomes positive (n, float)."""
    return {
        "uniform": first_positive(lambda n: uniform_bound(n, f_quantum, i_obs, delta)),
        "biased": first_positive(lambda n: biased_bound(n, f_quantum, i_obs, delta, alpha)),
        "no-signalling": first_positive(lambda n: ns_bound(n, i_obs, delta)),
        "net": first_positive(lambda n: net_entropy(n, f_quantum, i_obs, delta, alpha), lo=4e3),
    }


def eat_lines(proofs="proofs") -> list:
    """The (min_tradeoff, evidence) of every committed "eat.bits" claim whose certificate the kernel verifies."""
    from certify.kernel import check_certificate
    from certify.kernel.format import read_json
    files = sorted(glob.glob(str(Path(proofs) / "vn" / "eat" / "*.json")))
    certs = [read_json(f) for f in files]
    lines = [(c["claim"]["problem"]["min_tradeoff"], c["evidence"]) for c, f in zip(certs, files)
             if check_certificate(c, f).ok]
    if not lines:
        raise CertifyError(f"{proofs}: no verified eat.bits certificates (run certify reproduce vn)")
    return lines


def eat_verdict(n, lines, counts=None):
    """The kernel's verdict on "eat.bits" for Table 1's frequencies over about n rounds (gamma = 1), with
    the line the float model prefers; (rounds, verdict)."""
    from certify.certificate import checked, make_certificate
    from certify.vn import eat
    counts = counts or eat.table1_counts()
    total = sum(counts.values())
    scaled = {k: max(round(v * n / total), 1) for k, v in counts.items()}
    rounds, wins = sum(scaled.values()), eat.wins_of(scaled)
    model = [eat.float_bits(rounds, wins, 1, *(float(Fraction(v)) for v in mt["line"])) for mt, _ in lines]
    mt, evidence = lines[model.index(max(model))]
    problem = eat.problem_json(scaled, rounds, 1, mt)
    return rounds, checked(make_certificate("fig3/eat", "eat.bits", "fig3", problem, ">=", 0, evidence), "fig3")


def eat_bits(n, lines) -> float:
    """Bits the kernel proves at about n rounds (0 unless its verdict is verified)."""
    verdict = eat_verdict(n, lines)[1]
    return float(verdict.low) if verdict.ok else 0.0


def eat_crossover(lines, f_quantum, i_obs=I_OBSERVED, delta=DELTA, lo=1e5, hi=1e8) -> float:
    """The n where the EAT bits (kernel verdicts) first exceed the uniform-inputs chain n f(I - eps)."""
    return first_positive(lambda n: eat_bits(n, lines) - uniform_bound(n, f_quantum, i_obs, delta), lo, hi, 24)


def _grid(lo, hi, count):
    return [lo * (hi / lo) ** (k / (count - 1)) for k in range(count)]


def draw(path, f_quantum=f_curve_b, label="curve b of Fig. 2 (analytic stand-in, below curve a)",
         i_obs=I_OBSERVED, delta=DELTA, alpha=ALPHA, letter="b", lines=None):
    """Write the figure as PNG to `path`; returns the thresholds it marks. `letter` is the Fig. 2
    curve that `f_quantum` is ("a" certified NPA, "b" analytic); `lines` (`eat_lines`) adds the EAT
    curve and the crossover."""
    marks = thresholds(f_quantum, i_obs, delta, alpha)
    ns = _grid(2e3, 3e7 if lines else 1e6, 400)
    fig, ax = plt.subplots(figsize=(7.5, 5.4))
    series = [
        (f"uniform inputs, f of curve {letter}", lambda n: uniform_bound(n, f_quantum, i_obs, delta), "uniform",
         "C0"),
        (f"biased inputs (q = {alpha:g}/sqrt n), f of curve {letter}",
         lambda n: biased_bound(n, f_quantum, i_obs, delta, alpha), "biased", "C1"),
        ("uniform inputs, no-signalling f of curve c", lambda n: ns_bound(n, i_obs, delta), "no-signalling", "C2"),
    ]
    for name, bound, key, colour in series:
        xs = [n for n in ns if n > marks[key]]
        ax.plot(xs, [bound(n) for n in xs], color=colour, label=f"{name}; > 0 from n = {marks[key]:.4g}")
        ax.axvline(marks[key], color=colour, linestyle=":", linewidth=0.8)
    if lines:
        marks["eat"] = first_positive(lambda n: eat_bits(n, lines), 1e4, 1e7, 20)
        marks["crossover"] = eat_crossover(lines, f_quantum, i_obs, delta)
        xs = [n for n in _grid(2e3, 3e7, 40) if n > marks["eat"]]
        ax.plot(xs, [eat_bits(n, lines) for n in xs], color="C3", linestyle="--",
                label=f"EAT (DFR Thm 4.4, BFF line), kernel verdicts; > 0 from n = {marks['eat']:.3g}")
        ax.axvline(marks["crossover"], color="C3", linestyle=":", linewidth=0.8)
        ax.annotate(f"EAT beats the chain\nfrom n = {marks['crossover']:.3g}", (marks["crossover"] * 1.15, 1.2e4),
                    fontsize=7, color="C3", ha="left")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-1, 1e8 if lines else 1e6)
    ax.set_xlabel("number of trials n")
    ax.set_ylabel("bound n f(I - eps) on H_min (bits)")
    ax.set_title(f"Pironio et al. 2010, Fig. 3 redrawn: I = {i_obs}, delta = {delta}\nquantum f: {label}",
                 fontsize=9)
    ax.legend(loc="upper left", fontsize=8)
    inset = fig.add_axes([0.58, 0.17, 0.3, 0.26])
    big = _grid(max(4e3, marks["net"] / 10), marks["net"] * 20, 300)
    inset.plot(big, [net_entropy(n, f_quantum, i_obs, delta, alpha) / 1e6 for n in big], color="C1")
    inset.axhline(0, color="grey", linewidth=0.6)
    inset.axvline(marks["net"], color="C1", linestyle=":", linewidth=0.8)
    inset.set_xscale("log")
    inset.set_title(f"net entropy (Mbit), biased inputs;\n> 0 from n = {marks['net']:.3g}", fontsize=7)
    inset.tick_params(labelsize=6)
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return marks


def certified_f(level: str = "2", proofs="proofs"):
    """f(I) = -log2 min_k (nu_k - lam_k I) from the verified NPA tangents in `proofs` (curve a).

    Every value is a kernel verdict on a tangent claimed at I (`Curve`); the float is for
    plotting only. Below I = 2 it is 0 (G <= 1: nothing to certify); above the last tangent's I
    (just below 2 sqrt 2) it is refused, since there a line constrains nothing.
    """
    files = sorted(glob.glob(str(Path(proofs) / "pironio2010" / "npa" / f"global-{level}-I*.json")))
    if not files:
        raise CertifyError(f"{proofs}: no level {level} tangent certificates (run certify reproduce pironio2010)")
    curve = Curve.load(files)

    def f(at) -> float:
        at = Fraction(at).limit_denominator(10**9)
        if at > curve.top:
            raise CertifyError(f"I = {float(at):.9g}: above the last verified tangent ({float(curve.top):.9g})")
        return curve.f_lower(at)

    return f


if __name__ == "__main__":
    print(draw("docs/fig3.png", certified_f("2"), "curve a, NPA level 2, from the certified tangents", letter="a",
               lines=eat_lines()))
