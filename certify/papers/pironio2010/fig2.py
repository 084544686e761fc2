"""Fig. 2 of Pironio et al. 2010 redrawn from the certificates in proofs/pironio2010/npa/.

Curve a: -log2 of the verified bound min_k (nu_k - lambda_k I) (level 2, global): every point is a
kernel verdict (`certify.papers.pironio2010.npa.Curve`), drawn only on [2, last tangent's I].
Curve b: 1 - log2(1 + sqrt(2 - I^2/4)) (one party's guess; analytic).
Curve c: -log2(3/2 - I/4) (no-signalling only).
Local NPA: the certified local-guess envelope (level 2); it coincides with b.
The title says which curves are certified (a, the local envelope, c) and which is analytic (b).
"""

import glob
import math
from fractions import Fraction
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the file-only backend)

from certify.errors import CertifyError  # noqa: E402
from certify.kernel.proofs import check_file  # noqa: E402
from certify.papers.pironio2010.npa import Curve  # noqa: E402

OUT = Path("proofs/pironio2010/npa")
NS_TANGENT = Path("proofs/pironio2010/ns/ab00_xy00.json")


def draw(path="docs/fig2.png", proofs: Path = OUT, ns_tangent: Path = None):
    """Draw from the npa folder `proofs` and the curve-c certificate `ns_tangent` (default: the
    folder's sibling ns/ab00_xy00.json, so a copied proofs folder draws its own figure)."""
    proofs = Path(proofs)
    ns_tangent = Path(ns_tangent) if ns_tangent else proofs.parent / "ns" / NS_TANGENT.name
    glob_t = Curve.load(sorted(glob.glob(str(proofs / "global-2-*.json"))))
    local_t = Curve.load(sorted(glob.glob(str(proofs / "local-2-*.json"))))
    top = float(min(glob_t.top, local_t.top))
    xs = [2 + (top - 2) * k / 400 for k in range(401)]
    fig, ax = plt.subplots(figsize=(6, 4.2))
    ax.plot(xs, [glob_t.f_lower(x) for x in xs], "k-", label="a: NPA level 2, certified")
    ax.plot(xs, [1 - math.log2(1 + math.sqrt(max(0.0, 2 - x * x / 4))) for x in xs], "b--",
            label="b: 1 - log2(1 + sqrt(2 - I^2/4))")
    ax.plot(xs[::8], [local_t.f_lower(x) for x in xs[::8]], "bo", ms=3, mfc="none",
            label="local guess, NPA level 2, certified")
    ns_max = _certified_ns_tangent(ns_tangent)
    ax.plot(xs, [-math.log2(float(ns_max) - x / 4) for x in xs], "r:",
            label=f"c: no-signalling, -log2({ns_max} - I/4), LP-certified")
    ax.set_xlabel("CHSH value I")
    ax.set_ylabel("f(I)  (bits)")
    ax.set_xlim(2, 2 * math.sqrt(2))
    # the data stop at f(last tangent) ~ 1.23 (a, b; c stays below 0.34): a little room for the legend
    ax.set_ylim(0, 1.3)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title("Pironio et al. 2010, Fig. 2: a, local guess, c certified (kernel verdicts);\nb analytic", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=130, metadata={"Software": None})
    plt.close(fig)
    return path


def _certified_ns_tangent(path: Path = NS_TANGENT) -> Fraction:
    """max P(00|00) + CHSH/4 over no-signalling boxes, as verified by the kernel (3/2)."""
    verdict = check_file(str(path))
    if not verdict.ok:
        raise CertifyError(f"{path}: {verdict.reason}")
    return verdict.value


if __name__ == "__main__":
    draw()
