"""Every claim family of both papers, registered for the one producer loop (`certify.papers.produce`).

`FAMILIES[paper]` lists `Family(label, worker, tasks)`; `certify reproduce <paper>` runs them in
this order. To add a family, append it here (see `certify.papers.produce` for the worker's
contract).
"""

from itertools import product

from certify.amplification import amplification_certificates
from certify.papers.gallego2013 import lemma, quantum, robustness
from certify.papers.pironio2010 import bits, curve_c, npa
from certify.papers.produce import Family, lp_worker
from certify.vn import produce as vn_produce
from certify.vn.diqkd import certified_threshold


def amplification_worker(_):
    """Gallego eq. (13): the "amplify.bound" claim of the illustrative plan (alpha, beta are inputs)."""
    return [(f"gallego2013/{name}", cert) for name, cert in amplification_certificates()]


def vn_chsh_worker(point):
    """Brown-Fawzi-Fawzi: H(A|X=0,E) >= value given CHSH >= S, at m nodes ("vn.bound")."""
    s, m = point
    return [(f"vn/chsh_H_A_S{float(s):.4f}_m{m}.json", vn_produce.chsh_bound(s, m)[0])]


def vn_global_worker(point):
    """Brown-Fawzi-Fawzi: H(AB|X=0,Y=0,E) >= value given CHSH >= S, at m nodes."""
    s, m = point
    return [(f"vn/chsh_H_AB_S{float(s):.4f}_m{m}.json", vn_produce.global_bound(s, m)[0])]


def vn_diqkd_worker(_):
    """The DIQKD rate under depolarising noise is positive up to the certified Q_c (bisection)."""
    return [("vn/diqkd_depolarising_threshold_m8.json", certified_threshold()[1])]


LEMMA = Family("Gallego Lemma (5 parties)", lp_worker, tuple(lemma.lemma_claims()))
BALANCED = Family("3-party balanced functions", lemma.certify_balanced, tuple(lemma.ghz3_tasks()))
CURVE_C = Family("Pironio curve c (NS)", lp_worker, tuple(curve_c.chsh_ns_claims()))
LP_FAMILIES = (LEMMA, BALANCED, CURVE_C)  # the no-signalling LP claims of both papers (`certify lp sweep`)

FAMILIES = {
    "gallego2013": [
        LEMMA,
        BALANCED,
        Family("Gallego Lemma robustness (c* == 5/16)", robustness.robustness_certificates,
               tuple(robustness.game_inputs())),
        Family("Gallego quantum majority (NPA 2+ABC)", quantum.certify_input, quantum.INPUTS),
        Family("Gallego eq. (13) bound (illustrative inputs)", amplification_worker, (None,)),
    ],
    "pironio2010": [
        CURVE_C,
        Family("Pironio Tsirelson", npa.tsirelson, npa.TSIRELSON_LEVELS),
        Family("Pironio NPA curves (a, b)", npa.curve,
               tuple(product(npa.CURVE_LEVELS, ["global"])) + (("2", "local"),)),
        Family("Pironio Table 1: certified bits", bits.table1_bits, bits.LEVELS),
        Family("Pironio Table 1: local p-value", bits.table1_pvalue, (None,)),
    ],
    # Beyond the seeds: von Neumann entropy bounds (issue 13), a "paper" of its own for reproduce
    "vn": [
        Family("BFF H(A|X=0,E) on a CHSH grid", vn_chsh_worker, vn_produce.PROOF_POINTS),
        Family("BFF H(AB|X=0,Y=0,E) near Tsirelson", vn_global_worker, vn_produce.GLOBAL_POINTS),
        Family("DIQKD threshold, depolarising noise", vn_diqkd_worker, (None,)),
    ],
}
