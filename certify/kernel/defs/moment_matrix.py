"""Which entries of an NPA moment matrix equal which word.

Trusted definition. For operator words u_1..u_n (a level, `words.parse_level`) the moment
matrix is Gamma[i][j] = <psi| u_i^dagger u_j |psi>. Entry (i, j) holds the canonical word
of u_i^dagger u_j (`words.canonical`), or is zero when that product vanishes. Writing y_w
for the moment of word w, Gamma(y) = sum_w y_w F_w with F_w[i][j] = [entry (i, j) is w], so
the F_w are symmetric 0/1 matrices with disjoint supports. Word 0 is the identity, and
F_identity = e_0 e_0^T: a nonempty product of projectors never reduces to the identity.
"""

from dataclasses import dataclass

from certify.errors import CertifyError
from certify.kernel.defs.words import canonical, reduce_word

ZERO = -1


@dataclass(frozen=True)
class MomentStructure:
    monomials: tuple  # operator words indexing rows and columns
    words: tuple  # canonical entry words; words[0] == () is the identity
    entry: tuple  # entry[i][j]: index into words, or ZERO (supports: `certify.supports`)

    @property
    def size(self) -> int:
        return len(self.monomials)


def build(monomials) -> MomentStructure:
    """The moment structure of the given operator words (identity first)."""
    monomials = tuple(monomials)
    if not monomials or monomials[0] != ():
        raise CertifyError("level: the first monomial must be the identity")
    n = len(monomials)
    index = {(): 0}  # canonical word -> its number, in order of first appearance
    entry = [[ZERO] * n for _ in range(n)]
    for i in range(n):
        left = monomials[i][::-1]  # u_i^dagger
        for j in range(i, n):
            word = reduce_word(left + monomials[j])
            if word is not None:
                entry[i][j] = entry[j][i] = index.setdefault(canonical(word), len(index))
    return MomentStructure(monomials, tuple(index), tuple(map(tuple, entry)))
