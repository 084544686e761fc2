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


def amplification_worker(_):
    """Gallego eq. (13): the "amplify.bound" claim of the illustrative plan (alpha, beta are inputs)."""
    return [(f"gallego2013/{name}", cert) for name, cert in amplification_certificates()]


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
}
