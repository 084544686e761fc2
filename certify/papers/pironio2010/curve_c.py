"""Pironio et al. 2010, curve c: max P(ab|xy) + CHSH/4 = 3/2 over two-party no-signalling boxes.

Hence G_NS(I) <= 3/2 - I/4 and f_NS(I) >= -log2(3/2 - I/4). One "lp.ns" claim per (ab, xy);
CHSH is the kernel's definition (`certify.kernel.defs.scenario.chsh`).
"""

from fractions import Fraction
from itertools import product

from certify.kernel.defs.scenario import chsh
from certify.kernel.format import format_rational
from lp_checks.claims import binary_scenario, linear_terms, spell


def chsh_ns_claim(ab, xy, slope=Fraction(1, 4)):
    """(claim id, statement, problem, relative file name) of max P(ab|xy) + slope CHSH (curve c: 1/4).
    A bound nu on it is the no-signalling tangent G_NS(I) <= nu - slope I."""
    terms = [(outs, ins, coef * slope) for outs, ins, coef in chsh().terms] + [(tuple(ab), tuple(xy), Fraction(1))]
    problem = {"scenario": binary_scenario(2), "promise": None,
               "objective": {"kind": "linear", "terms": linear_terms(terms)}, "sense": "max"}
    claim_id = f"pironio2010/ns/ab={spell(ab)}/xy={spell(xy)}"
    statement = (f"max P({spell(ab)}|{spell(xy)}) + CHSH/4 over 2-party no-signalling boxes "
                 f"(so G_NS(I) <= that max - I/4: curve c)")
    if slope != Fraction(1, 4):
        claim_id = f"cli/ns-tangent/ab={spell(ab)}/xy={spell(xy)}"
        statement = (f"max P({spell(ab)}|{spell(xy)}) + {format_rational(slope)} CHSH over 2-party no-signalling "
                     f"boxes (so G_NS(I) <= that max - {format_rational(slope)} I)")
    return claim_id, statement, problem, f"pironio2010/ns/ab{spell(ab)}_xy{spell(xy)}.json"


def chsh_ns_claims(slope=Fraction(1, 4)):
    return [chsh_ns_claim(ab, xy, slope) for ab in product(range(2), repeat=2) for xy in product(range(2), repeat=2)]
