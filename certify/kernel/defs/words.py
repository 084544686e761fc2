"""Projector words, NPA levels and moment matrices (trusted definition).

A letter (i, x, a) is the projector E^i_{a|x} of party i (0 = A), input x, output a < d_i - 1
(Collins-Gisin); Eve's letters (EVE, d, k) are Z_k (d = 0) and Z_k^* (d = 1), spelled "Zk|d", free
and commuting with every device letter. A word is a tuple of letters, () the identity, None zero.
Relations: E_{a|x}^2 = E_{a|x},  E_{a|x} E_{b|x} = 0 (a != b),  [E^i, E^j] = 0 (i != j).
`reduce_word`'s normal form is unique (each party's algebra is a free product of commutative
algebras, whose reduced words alternate). In full, with levels, the moment matrix and why real
symmetric moments suffice: docs/referee-guide.md, appendix A.
"""

import re
from dataclasses import dataclass
from itertools import product
from math import prod

from certify.errors import CertifyError

EVE = 25  # party_name(25) == "Z"
MAX_LEVEL = 8
MAX_WORDS = 5000  # NPA levels; Eve's (BFF) levels: MAX_BASIS words and 50 MAX_BASIS term products
MAX_BASIS = 400
ZERO = -1  # a moment-matrix entry whose word vanishes
_LEVEL = re.compile(r"([1-9][0-9]?)((?:\+[A-Z]+)*)")


def party_name(i: int) -> str:
    return chr(ord("A") + i)


def reduce_word(letters):
    """Normal form of a product of letters, or None when it is zero."""
    out = []
    for party in sorted({letter[0] for letter in letters}):
        stack = []
        for letter in (letter for letter in letters if letter[0] == party):
            if party != EVE and stack and stack[-1][1] == letter[1]:
                if stack[-1][2] != letter[2]:
                    return None  # orthogonal outcomes of one measurement
                continue  # projector: E E = E
            stack.append(letter)
        out.extend(stack)
    return tuple(out)


def star(word):
    """w^dagger unreduced: letters reversed (projectors are Hermitian), Z_k <-> Z_k^*."""
    return tuple((i, 1 - x, a) if i == EVE else (i, x, a) for i, x, a in reversed(word))


def adjoint(word):
    return reduce_word(star(word))


def canonical(word):
    """One representative of {w, w^dagger}: real symmetric moments suffice for real objectives
    (appendix A: the real part of a feasible complex moment matrix is feasible, same value)."""
    return min(word, adjoint(word))


def spell(word) -> str:
    return "".join(f"{party_name(i)}{a}|{x}" for i, x, a in word) or "1"


def alphabet(inputs, outputs, party=None, eve: int = 0):
    """Letters of one party (or of all, Eve's 2 eve letters included), in a fixed order."""
    if party == EVE:
        return [(EVE, d, k) for k in range(eve) for d in (0, 1)]
    parties = range(len(inputs)) if party is None else [party]
    return [(i, x, a) for i in parties for x in range(inputs[i]) for a in range(outputs[i] - 1)] + \
        (alphabet(inputs, outputs, EVE, eve) if party is None else [])


def parse_level(level, inputs, outputs, where: str, eve: int = 0):
    """The words of a level "k" (products of <= k letters) or "k+T1+T2..." (T: party letters, one
    letter of each; "Z": one of Eve's, only with eve > 0), identity first, each once, in a fixed
    order. One spelling per level (one problem hash): terms sorted, distinct, each adding a word."""
    cap, products, chars = (MAX_BASIS, 50 * MAX_BASIS, 200) if eve else (MAX_WORDS, MAX_WORDS, 400)
    if not isinstance(level, str):
        raise CertifyError(f'{where}: expected a level string like "1+AB" (no word lists), got {str(level)[:40]!r}')
    match = _LEVEL.fullmatch(level) if len(level) <= chars else None
    if match is None:
        raise CertifyError(f'{where}: level {level[:40]!r} does not parse (expected "k" or "k+AB+..." '
                           f"with k >= 1 and uppercase party letters)")
    depth, terms = int(match.group(1)), match.group(2).split("+")[1:]
    if depth > MAX_LEVEL:
        raise CertifyError(f"{where}: level {depth} exceeds the cap {MAX_LEVEL}")
    if len(set(terms)) != len(terms):
        raise CertifyError(f"{where}: level {level[:40]!r} repeats a term")
    for term in terms:  # parties commute, so "BA" is "AB"; at most MAX_LEVEL letters (work bound)
        if len(term) > MAX_LEVEL or list(term) != sorted(term):
            raise CertifyError(f"{where}: level term {term[:20]!r} is not canonical (sorted, <= {MAX_LEVEL} letters)")
        for name in term:
            if ord(name) - ord("A") >= len(inputs) and not (eve and name == "Z"):
                raise CertifyError(f"{where}: level term {term!r} names party {name}, not in the scenario")
    words, frontier, letters = [()], [()], alphabet(inputs, outputs, None, eve)
    for length in range(1, depth + 1):
        fresh = set()  # the new words have this length; words holds only shorter ones
        for word in frontier:
            for new in (reduce_word(word + (letter,)) for letter in letters):
                if new is not None and len(new) == length:
                    fresh.add(new)
                    if len(words) + len(fresh) > cap:  # inside the loop: never enumerate first
                        raise CertifyError(f"{where}: more than {cap} words")
        frontier = sorted(fresh)
        words.extend(frontier)
    seen = set(words)
    for term in terms:
        pools = [alphabet(inputs, outputs, EVE if name == "Z" else ord(name) - ord("A"), eve) for name in term]
        if prod(map(len, pools)) > products:  # bound the work before enumerating the product
            raise CertifyError(f"{where}: level term {term!r} has more than {products} products")
        fresh = {word for word in map(reduce_word, product(*pools)) if word is not None} - seen
        if not fresh:
            raise CertifyError(f"{where}: level term {term!r} adds no word (the level is the same without it)")
        seen.update(fresh)
        words.extend(sorted(fresh, key=(lambda w: w) if eve else (lambda w: (len(w), w))))
    if len(words) > cap:
        raise CertifyError(f"{where}: level {level!r} has more than {cap} words")
    return words


@dataclass(frozen=True)
class MomentStructure:
    monomials: tuple  # operator words indexing rows and columns
    words: tuple  # canonical entry words; words[0] == () is the identity
    entry: tuple  # entry[i][j]: index into words, or ZERO

    @property
    def size(self) -> int:
        return len(self.monomials)


def build(monomials) -> MomentStructure:
    """Gamma[i][j] = <u_i^dagger u_j>: the index of its canonical word, or ZERO. So Gamma(y) =
    sum_w y_w F_w with F_w symmetric 0/1 matrices of disjoint supports, and F_identity = e_0 e_0^T
    (a nonempty product of projectors never reduces to the identity)."""
    monomials = tuple(monomials)
    if not monomials or monomials[0] != ():
        raise CertifyError("level: the first monomial must be the identity")
    n, index = len(monomials), {(): 0}  # canonical word -> its number, in order of first appearance
    entry = [[ZERO] * n for _ in range(n)]
    for i in range(n):
        left = star(monomials[i])
        for j in range(i, n):
            word = reduce_word(left + monomials[j])
            if word is not None:
                entry[i][j] = entry[j][i] = index.setdefault(canonical(word), len(index))
    return MomentStructure(monomials, tuple(index), tuple(map(tuple, entry)))
