"""The two papers, laid out as papers: claims, producers and figures together per paper.

`certify.papers.pironio2010` (Pironio et al., Nature 464, 1021 (2010)) and
`certify.papers.gallego2013` (Gallego et al., Nat. Commun. 4, 2654 (2013)) build claim
definitions and certificates on the layers below (`lp_checks`, `certify.npa`, the kernel);
`certify.papers.produce` is the one loop that writes and re-checks them; the report and the
commands sit above. This module holds only what the papers state, so that presentation
code can quote them without importing a solver.
"""

# What each paper states for a claim family (shown beside what the kernel verified).
PAPER_SAYS = {
    "gallego2013/lemma": "Lemma: max P(maj = v | x0) = 3/4",
    "gallego2013/ghz3": "each of the 70 balanced g can be made deterministic",
    "gallego2013/robustness": "(beyond the paper) P(maj) <= 3/4 + c B(P), smallest c",
    "gallego2013/quantum": "(beyond the paper) quantum majority bound",
    "pironio2010/ns": "curve c: f_NS(I) = -log2(3/2 - I/4)",
    "pironio2010/tsirelson": "max CHSH = 2 sqrt 2 = 2.828427",
    "pironio2010/G-global": "curve a: f(2.414) = 0.2473 bits",
    "pironio2010/G-local": "curve b: 1 - log2(1 + sqrt(2 - I^2/4))",
    "pironio2010/bits": "at least 42 bits with 99% confidence",
    "pironio2010/pvalue": "local p-value 0.00077",
}
