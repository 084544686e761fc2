"""Every claim family of both papers, registered for the one producer loop (`certify.papers.produce`).

`FAMILIES[paper]` lists `Family(label, worker, tasks)`; `certify reproduce <paper>` runs them in
this order. To add a family, append it here (see `certify.papers.produce` for the worker's
contract).
"""

from itertools import product

from certify import bellbits
from certify.amplification import amplification_certificates
from certify.papers.gallego2013 import lemma, quantum, robustness
from certify.papers.pironio2010 import bits, curve_c, npa
from certify.papers.produce import Family, lp_outputs, lp_worker
from certify.vn import eat as vn_eat
from certify.vn import produce as vn_produce
from certify.vn.diqkd import certified_threshold


def amplification_worker(_):
    """Gallego eq. (13): the "amplify.bound" claim of the illustrative plan (alpha, beta are inputs)."""
    return [(f"gallego2013/{name}", cert) for name, cert in amplification_certificates()]


def vn_chsh_worker(point):
    """Brown-Fawzi-Fawzi: H(A|X=0,E) >= value given CHSH >= S, at m nodes ("vn.bound")."""
    s, m = point
    return [(vn_chsh_outputs(point)[0], vn_produce.chsh_bound(s, m)[0])]


def vn_global_worker(point):
    """Brown-Fawzi-Fawzi: H(AB|X=0,Y=0,E) >= value given CHSH >= S, at m nodes."""
    s, m = point
    return [(vn_global_outputs(point)[0], vn_produce.global_bound(s, m)[0])]


def vn_diqkd_worker(_):
    """The DIQKD rate under depolarising noise is positive up to the certified Q_c (bisection)."""
    return [(vn_diqkd_outputs(None)[0], certified_threshold()[1])]


# What each task writes, known before solving (`Family.outputs`: `certify reproduce --resume` keeps
# a task whose files all verify). The NPA curves have none: their refinement points depend on the
# solutions, so a curve always runs. tests/unit/test_reproduce_resume.py checks these names
# against the committed manifest.
def balanced_outputs(task):
    return [lemma.ghz3_claim(*task, 0)[3]]  # the name does not depend on the value v found


def robustness_outputs(x0):
    names = [robustness.robustness_claim(x0, 0, tag, 0)[3] for tag in robustness.TAGS]
    return names + [names[0].replace("_c.json", "_smallest-c.json")]


def quantum_outputs(representative):
    return quantum.orbit_outputs(representative)  # one file per claim of its symmetry orbit


def amplification_outputs(_):
    return ["gallego2013/amplification/illustrative-tau-1e-3.json"]


def tsirelson_outputs(level):
    return [f"pironio2010/npa/tsirelson-{level}.json"]


def bits_outputs(level):
    return [f"pironio2010/bits/table1-level-{level}.json"]


def pvalue_outputs(_):
    return ["pironio2010/bits/table1-pvalue-local.json"]


def vn_chsh_outputs(point):
    return [f"vn/chsh_H_A_S{float(point[0]):.4f}_m{point[1]}.json"]


def vn_global_outputs(point):
    return [f"vn/chsh_H_AB_S{float(point[0]):.4f}_m{point[1]}.json"]


def vn_diqkd_outputs(_):
    return ["vn/diqkd_depolarising_threshold_m8.json"]


def eat_outputs(task):
    return [f"vn/eat/{task[0]}.json"]


# cost: seconds per task at --jobs 1 (measured on 2 shared cores; used only for scheduling: the
# longest tasks start first, tiny ones travel in chunks)
LEMMA = Family("Gallego Lemma (5 parties)", lp_worker, tuple(lemma.lemma_claims()), lp_outputs, 0.08)
BALANCED = Family("3-party balanced functions", lemma.certify_balanced, tuple(lemma.ghz3_tasks()), balanced_outputs,
                  0.004)
CURVE_C = Family("Pironio curve c (NS)", lp_worker, tuple(curve_c.chsh_ns_claims()), lp_outputs, 0.002)
LP_FAMILIES = (LEMMA, BALANCED, CURVE_C)  # the no-signalling LP claims of both papers (`certify lp sweep`)

FAMILIES = {
    "gallego2013": [
        LEMMA,
        BALANCED,
        Family("Gallego Lemma robustness (c* == 5/16)", robustness.robustness_certificates,
               tuple(robustness.game_inputs()), robustness_outputs, 0.5),
        Family("Gallego quantum majority (NPA 2+ABC)", quantum.certify_orbit, quantum.REPRESENTATIVES, quantum_outputs,
               30),
        Family("Gallego eq. (13) bound (illustrative inputs)", amplification_worker, (None,), amplification_outputs),
    ],
    "pironio2010": [
        CURVE_C,
        Family("Pironio Tsirelson", npa.tsirelson, npa.TSIRELSON_LEVELS, tsirelson_outputs),
        Family("Pironio NPA curves (a, b)", npa.curve,
               tuple(product(npa.CURVE_LEVELS, ["global"])) + (("2", "local"),), None, 3),
        Family("Pironio Table 1: certified bits", bits.table1_bits, bits.LEVELS, bits_outputs, 0.5),
        Family("Pironio Table 1: local p-value", bits.table1_pvalue, (None,), pvalue_outputs),
    ],
    # Beyond the seeds: certified bits from any Bell test (issue 12 item 3, kind bits.bell), proofs/bell/
    "bell": [
        Family("Any Bell test: certified bits (bits.bell)", bellbits.worker, bellbits.PROOF_TASKS,
               bellbits.proof_outputs, 3),
    ],
    # Beyond the seeds: von Neumann entropy bounds (issue 13), a "paper" of its own for reproduce
    "vn": [
        Family("BFF H(A|X=0,E) on a CHSH grid", vn_chsh_worker, vn_produce.PROOF_POINTS, vn_chsh_outputs, 1.2),
        Family("BFF H(AB|X=0,Y=0,E) near Tsirelson", vn_global_worker, vn_produce.GLOBAL_POINTS, vn_global_outputs,
               lambda point: 8 if point[1] <= 8 else 30),
        Family("DIQKD threshold, depolarising noise", vn_diqkd_worker, (None,), vn_diqkd_outputs, 45),
        Family("EAT: Table 1 counts, entropy accumulation (eat.bits)", vn_eat.worker, vn_eat.PROOF_TASKS,
               eat_outputs, 4),
    ],
}
