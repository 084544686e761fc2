"""Words with the adversary's operators Z_k, Z_k^* (Brown-Fawzi-Fawzi, arXiv:2106.13692).

Trusted definition. Device letters are those of `words` (Collins-Gisin projectors (i, x, a)).
Eve's letters are ``(EVE, d, k)``: Z_k (d = 0) or Z_k^* (d = 1), spelled "Zk|d", one k per
outcome tuple of the parties whose entropy is bounded. They commute with every device letter
and obey no other relation (BFF: "bounded linear operators, not even Hermitian"). The algebra
is the (free product of the devices) tensor (the free *-algebra on the Z_k), so a word's
normal form is (device normal form of `words.reduce_word`, Eve's letters in order): unique.
Adjoint: reverse, swap d. Real moments suffice (`canonical`, as in `words`): for real data, if
a complex moment vector y is feasible, so is its conjugate (the relations and constraints have
real coefficients, and a Hermitian PSD matrix's conjugate is PSD), with the same real
objective value (the objective is a Hermitian polynomial); so Re y is feasible with that value
and Re y(w) = Re y(w^*): one real variable per pair {w, w^*} loses nothing for an infimum.

A level is "k" (all words of at most k letters, Eve's included) or "k+T+...", T a string of
party letters and "Z" (one letter of each; "Z" is any of Eve's letters), e.g. "2+ABZ" (BFF's
extra monomials A B Z). Terms are sorted ("Z" last) and must add a word, as in `words`.
"""

import re
from itertools import product
from math import prod

from certify.errors import CertifyError
from certify.kernel.defs.moment_matrix import ZERO, MomentStructure
from certify.kernel.defs.words import MAX_LEVEL, alphabet, reduce_word

EVE = 25  # party_name(25) == "Z": words.spell shows Z_k as "Zk|0" and Z_k^* as "Zk|1"
MAX_BASIS = 400
_LEVEL = re.compile(r"([1-9])((?:\+[A-HZ]+)*)")


def reduce(word):
    """Normal form, or None (zero): the device part reduced, Eve's letters after it in order."""
    device = reduce_word([letter for letter in word if letter[0] != EVE])
    return None if device is None else device + tuple(letter for letter in word if letter[0] == EVE)


def adjoint(word):
    return reduce(tuple((i, 1 - d, k) if i == EVE else (i, d, k) for i, d, k in reversed(word)))


def canonical(word):
    return min(word, adjoint(word))


def letters(inputs, outputs, eve: int, name: str = ""):
    """Device letters of party `name` (all parties if ""), or Eve's 2 * eve letters for "Z"."""
    if name == "Z":
        return [(EVE, d, k) for k in range(eve) for d in (0, 1)]
    return alphabet(inputs, outputs, ord(name) - ord("A") if name else None)


def parse_level(level, inputs, outputs, eve: int, where: str):
    """The basis words of a level, identity first, each once, in a fixed order."""
    match = _LEVEL.fullmatch(level) if isinstance(level, str) and len(level) <= 200 else None
    if match is None:
        raise CertifyError(f'{where}: expected a level "k" or "k+ABZ+..." (k in 1..9, terms of party letters '
                           f'and Z), got {str(level)[:40]!r}')
    pool = letters(inputs, outputs, eve) + letters(inputs, outputs, eve, "Z")
    words, frontier = [()], [()]
    for length in range(1, int(match.group(1)) + 1):
        frontier = sorted({w for w in (reduce(u + (x,)) for u in frontier for x in pool)
                           if w is not None and len(w) == length} - set(words))
        words += frontier
        if len(words) > MAX_BASIS:
            raise CertifyError(f"{where}: level {level!r} has more than {MAX_BASIS} words (work bound)")
    terms = match.group(2).split("+")[1:]
    for term in terms:
        if sorted(term) != list(term) or len(term) > MAX_LEVEL or terms.count(term) > 1:
            raise CertifyError(f"{where}: level term {term!r} is repeated, too long or not sorted")
        if any(name != "Z" and ord(name) - ord("A") >= len(inputs) for name in term):
            raise CertifyError(f"{where}: level term {term!r} names a party not in the scenario")
        pools = [letters(inputs, outputs, eve, name) for name in term]
        if prod(map(len, pools)) > 50 * MAX_BASIS:  # bound the product before enumerating it
            raise CertifyError(f"{where}: level term {term!r} has more than {50 * MAX_BASIS} products (work bound)")
        fresh = sorted({w for w in map(reduce, product(*pools)) if w is not None} - set(words))
        if not fresh or len(words) + len(fresh) > MAX_BASIS:
            raise CertifyError(f"{where}: level term {term!r} adds no word, or more than {MAX_BASIS} in all")
        words += fresh
    return words


def build(monomials) -> MomentStructure:
    """Gamma[i][j] = <u_i^* u_j>: the index of its canonical word, or ZERO."""
    n, index = len(monomials), {(): 0}
    entry = [[ZERO] * n for _ in range(n)]
    for i in range(n):
        left = adjoint(monomials[i])
        for j in range(i, n):
            word = reduce(left + monomials[j])
            if word is not None:
                entry[i][j] = entry[j][i] = index.setdefault(canonical(word), len(index))
    return MomentStructure(tuple(monomials), tuple(index), tuple(map(tuple, entry)))
