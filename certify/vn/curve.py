"""The certified curve H(A|X=0,E) against CHSH, drawn beside the analytic formula (issue 13, item 5).

Untrusted (floats, plotting). Every plotted point is the kernel's verdict on a committed "vn.bound"
certificate in proofs/vn/ (re-checked here, one at a time, before it is drawn); the line is the tight
bound 1 - h(1/2 + 1/2 sqrt(S^2/4 - 1)) of Pironio et al., NJP 11, 045021 (2009). A certified point
above that line would be a soundness failure: `points` refuses to return one.

    python -m certify.vn.curve [PROOFS_DIR] [OUT_PNG]      (defaults: proofs, docs/vn-curve.png)
"""

import glob
import json
import math
import os
import re
import sys
from fractions import Fraction

from certify.certificate import checked
from certify.errors import CertifyError
from certify.vn.produce import analytic_chsh

NAME = re.compile(r"chsh_H_A_S[0-9.]+_m(\d+)\.json$")


def points(proofs: str = "proofs") -> list:
    """[(S, m, certified H, analytic H)] from proofs/vn/chsh_H_A_*.json, each re-checked by the kernel."""
    rows = []
    for path in sorted(glob.glob(os.path.join(proofs, "vn", "chsh_H_A_S*_m*.json"))):
        if not NAME.search(path):
            continue
        with open(path, encoding="utf-8") as handle:
            cert = json.load(handle)
        verdict = checked(cert, path)
        if not verdict.ok or verdict.kind != "vn.bound":
            raise CertifyError(f"{path}: the kernel did not verify it ({verdict.reason})")
        s = Fraction(cert["claim"]["problem"]["constraint"]["at"])
        low, exact = float(verdict.low), analytic_chsh(float(s))
        if low > exact:
            raise CertifyError(f"{path}: certified {low} is above the tight value {exact} (soundness failure)")
        rows.append((s, int(cert["claim"]["problem"]["nodes"]), low, exact))
    return sorted(rows)


def draw(rows, out: str = "docs/vn-curve.png") -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (top, gap) = plt.subplots(2, 1, figsize=(6.4, 6.4), sharex=True,
                                   gridspec_kw={"height_ratios": [3, 2]})
    grid = [2 + k * (2 * math.sqrt(2) - 2) / 400 for k in range(401)]
    top.plot(grid, [analytic_chsh(s) for s in grid], color="black", lw=1,
             label="analytic 1 - h(1/2 + 1/2 sqrt(S^2/4 - 1))")
    for m, marker in ((4, "v"), (8, "o"), (12, "s")):
        chosen = [r for r in rows if r[1] == m]
        if chosen:
            top.plot([float(r[0]) for r in chosen], [r[2] for r in chosen], marker, ms=5, ls="none",
                     label=f"kernel-verified BFF bound, m = {m}")
            gap.semilogy([float(r[0]) for r in chosen], [r[3] - r[2] for r in chosen], marker, ms=5, ls="none",
                         label=f"m = {m}")
    top.set_ylabel("H(A|X=0,E) (bits)")
    top.set_title("Certified H(A|X=0,E) given CHSH >= S (Brown-Fawzi-Fawzi)")
    top.legend(fontsize=8, loc="upper left")
    gap.set_xlabel("CHSH value S")
    gap.set_ylabel("analytic - certified")
    gap.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    proofs = argv[0] if argv else "proofs"
    out = argv[1] if len(argv) > 1 else "docs/vn-curve.png"
    rows = points(proofs)
    for s, m, low, exact in rows:
        print(f"S = {float(s):.4f}  m = {m:2d}  certified {low:.9f}  analytic {exact:.9f}  gap {exact - low:.1e}")
    print(draw(rows, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
