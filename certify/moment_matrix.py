"""Which entries of an NPA moment matrix equal which word.

Trusted definition. For operator words u_1..u_n (a level, `words.parse_level`)
the moment matrix is Gamma[i][j] = <psi| u_i^dagger u_j |psi>. Entry (i, j)
holds the canonical word of u_i^dagger u_j (`words.canonical`), or is zero when
that product vanishes. Writing y_w for the moment of word w,

  Gamma(y) = sum_w y_w F_w,   F_w[i][j] = [entry (i, j) is w],

so the F_w are symmetric 0/1 matrices with disjoint supports. Word 0 is the
identity, and F_identity = e_0 e_0^T: a nonempty product of projectors never
reduces to the identity. Supports are listed over the upper triangle (i <= j).
"""

from dataclasses import dataclass

from certify.errors import CertifyError
from certify.words import canonical, reduce_word, spell

ZERO = -1


@dataclass(frozen=True)
class MomentStructure:
    monomials: tuple  # operator words indexing rows and columns
    words: tuple  # canonical entry words; words[0] == () is the identity
    entry: tuple  # entry[i][j]: index into words, or ZERO
    supports: tuple  # supports[w]: ((i, j), ...) with i <= j
    zeros: tuple  # ((i, j), ...) with i <= j: entries fixed to 0

    @property
    def size(self) -> int:
        return len(self.monomials)


def build(monomials) -> MomentStructure:
    """The moment structure of the given operator words (identity first)."""
    monomials = tuple(monomials)
    if not monomials or monomials[0] != ():
        raise CertifyError("level: the first monomial must be the identity")
    n = len(monomials)
    index, words = {(): 0}, [()]
    supports, zeros = [[]], []
    entry = [[ZERO] * n for _ in range(n)]
    for i in range(n):
        left = monomials[i][::-1]  # u_i^dagger
        for j in range(i, n):
            word = reduce_word(left + monomials[j])
            if word is None:
                zeros.append((i, j))
                continue
            word = canonical(word)
            k = index.get(word)
            if k is None:
                k = index[word] = len(words)
                words.append(word)
                supports.append([])
            supports[k].append((i, j))
            entry[i][j] = entry[j][i] = k
    return MomentStructure(monomials, tuple(words), tuple(map(tuple, entry)),
                           tuple(map(tuple, supports)), tuple(zeros))


def word_table(structure: MomentStructure) -> dict:
    """{canonical word: index}, for repeated lookups."""
    return {w: k for k, w in enumerate(structure.words)}


def lookup(table: dict, word, where: str) -> int:
    """Index of the entry word equal to `word`, which must occur in the matrix."""
    k = table.get(canonical(word))
    if k is None:
        raise CertifyError(f"{where}: word {spell(word)} is not an entry of the moment matrix (raise the level)")
    return k
