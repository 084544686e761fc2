"""`certify vn`: a certified Brown-Fawzi-Fawzi lower bound on H(A|X=0,E) (or H(AB|...)) for CHSH >= S.

Examples:
  certify vn --chsh 2.7                       (m = 8 Gauss-Radau nodes, level 1+AB+AZ+BZ+ABZ)
  certify vn --chsh 2.8 --nodes 12 --out h.json
  certify vn --chsh 2.8284 --entropy AB --nodes 16     (H(AB|X=0,Y=0,E), 81 rows)
Each node's SDP is solved (Clarabel), its dual rounded and restored exactly (certify.vn.face);
stdout is only the kernel's verdict on the certificate written (node progress on stderr; none with
--quiet); --json prints it as one "certify-result/1" document.
"""

import json
import sys
from pathlib import Path

from certify.certificate import checked, write
from certify.cli_types import rational
from certify.errors import EXIT_FALSE, EXIT_OK, CertifyError
from certify.kernel.vn import MAX_NODES
from certify.printing import proven, result_json
from certify.vn.produce import LEVEL, chsh_bound, global_bound


def add_parser(subparsers):
    p = subparsers.add_parser("vn", help="certify a von Neumann entropy lower bound (Brown-Fawzi-Fawzi)")
    p.add_argument("--chsh", required=True, help="the CHSH value S (2 <= S <= 2 sqrt 2): H(A|X=0,E) given CHSH >= S")
    p.add_argument("--entropy", choices=["A", "AB"], default="A",
                   help="H(A|X=0,E) (default) or the global H(AB|X=0,Y=0,E) (BFF user guide eq. (5))")
    p.add_argument("--nodes", default="8", help=f"Gauss-Radau nodes m (2..{MAX_NODES}, default 8)")
    p.add_argument("--level", default=LEVEL, help=f'basis words, e.g. "{LEVEL}" (default) or "2+ABZ"')
    p.add_argument("--out", default=None, help="write the vn.bound certificate (JSON) here")
    p.add_argument("--json", action="store_true",
                   help='one JSON document (format "certify-result/1"): the kernel\'s verdict under "claims", '
                        "then the nodes (interval, bound, seconds)")
    return p


def run(args) -> int:
    s = rational(args.chsh, "--chsh")
    if not args.nodes.isdigit() or not 2 <= int(args.nodes) <= MAX_NODES:
        raise CertifyError(f"--nodes: expected an integer in 2..{MAX_NODES}, got {args.nodes[:20]!r}")
    m = int(args.nodes)
    quiet, as_json = getattr(args, "quiet", False), getattr(args, "json", False)
    progress = None if quiet else (
        lambda i, node: print(f"-- node {i + 1}/{m - 1}: t in [{float(node.lo):.6g}, ...], "
                              f"bound {float(node.bound):.9f}, {node.seconds:.1f} s", file=sys.stderr))
    cert, nodes = (chsh_bound if args.entropy == "A" else global_bound)(s, m, args.level, progress)
    table = [{"t_low": float(node.lo), "bound": float(node.bound), "seconds": round(node.seconds, 3)}
             for node in nodes]
    if cert is None:
        reason = f"node {len(nodes) + 1} of {m - 1} has no rounded dual that passes the exact check"
        if as_json:
            print(json.dumps(result_json("vn", [], answered=False, unverified=reason, certificate=None,
                                         nodes=table), indent=1))
        else:
            print(f"UNVERIFIED: {reason}")
        return EXIT_FALSE
    verdict = checked(cert, args.out or "certificate")
    if args.out:
        write(cert, str(Path(args.out)))
    if as_json:
        print(json.dumps(result_json("vn", [verdict], certificate=args.out, entropy=args.entropy, nodes=table),
                         indent=1))
    else:  # what was bounded, then the verdict (--quiet keeps the verdict line alone)
        print(f"{cert['claim']['statement']}\n{proven(verdict, claimed=True)}")
    return EXIT_OK if verdict.ok else EXIT_FALSE
