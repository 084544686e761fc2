"""Projector words and NPA levels.

Trusted definition. A letter ``(i, x, a)`` is the projector E^i_{a|x} of party i (parties
numbered from 0 and spelled A, B, C, ...), input x, output a, with a < d_i - 1: the last
outcome is dropped because E_{d-1|x} = 1 - sum of the others (Collins-Gisin projectors).
A word is a tuple of letters; the empty word is the identity. The relations are

  E_{a|x}^2 = E_{a|x},   E_{a|x} E_{b|x} = 0 (a != b),   [E^i, E^j] = 0 (i != j).

`reduce_word` computes the normal form: letters sorted stably by party, and in each
party's sub-word no two neighbours share an input. This normal form is unique (each
party's algebra is a free product of the commutative algebras of its inputs, whose
reduced words are the alternating ones), so two words name the same operator exactly
when their normal forms agree. Zero is ``None``.

A level names the operator words that index the moment matrix: "k" (all products of at
most k letters) or "k+T1+T2..." where each term T is a string of party letters ("AB": one
letter of A times one letter of B). Explicit word lists are refused (no certificate needs one),
and so is a term that adds no word ("1+A" is "1"): one spelling per level, one problem hash.
"""

import re
from itertools import product
from math import prod

from certify.errors import CertifyError

MAX_LEVEL = 8
MAX_WORDS = 5000
_LEVEL = re.compile(r"([1-9][0-9]?)((?:\+[A-Z]+)*)")


def party_name(i: int) -> str:
    return chr(ord("A") + i)


def reduce_word(letters):
    """Normal form of a product of letters, or None when it is zero."""
    out = []
    for party in sorted({letter[0] for letter in letters}):
        stack = []
        for letter in letters:
            if letter[0] != party:
                continue
            if stack and stack[-1][1] == letter[1]:
                if stack[-1][2] != letter[2]:
                    return None  # orthogonal outcomes of one measurement
                continue  # projector: E E = E
            stack.append(letter)
        out.extend(stack)
    return tuple(out)


def adjoint(word):
    """w^dagger: the letters in reverse order (projectors are Hermitian)."""
    return reduce_word(word[::-1])


def canonical(word):
    """One representative of {w, w^dagger}. A real symmetric moment matrix is enough for real
    objectives: if a complex Gamma is feasible, so is (Gamma + conj Gamma)/2 with the same
    real value, and that matrix has equal entries at w and w^dagger."""
    return min(word, adjoint(word))


def spell(word) -> str:
    return "".join(f"{party_name(i)}{a}|{x}" for i, x, a in word) or "1"


def alphabet(inputs, outputs, party=None):
    """All Collins-Gisin letters (of one party, or of all), in a fixed order."""
    parties = range(len(inputs)) if party is None else [party]
    return [(i, x, a) for i in parties for x in range(inputs[i]) for a in range(outputs[i] - 1)]


def parse_level(level, inputs, outputs, where: str):
    """The operator words of a level, identity first, each once, in a fixed order."""
    if not isinstance(level, str):
        raise CertifyError(f'{where}: expected a level string like "1+AB" (no word lists), got {str(level)[:40]!r}')
    match = _LEVEL.fullmatch(level) if len(level) <= 400 else None
    if match is None:
        raise CertifyError(f'{where}: level {level[:40]!r} does not parse (expected "k" or "k+AB+..." '
                           f"with k >= 1 and uppercase party letters)")
    depth = int(match.group(1))
    if depth > MAX_LEVEL:
        raise CertifyError(f"{where}: level {depth} exceeds the cap {MAX_LEVEL}")
    terms = match.group(2).split("+")[1:]
    if len(set(terms)) != len(terms):
        raise CertifyError(f"{where}: level {level[:40]!r} repeats a term")
    for term in terms:
        # One spelling per level (the problem hash must not split equal levels): parties
        # commute, so "BA" is "AB"; a term has at most MAX_LEVEL letters (bounds the work).
        if len(term) > MAX_LEVEL:
            raise CertifyError(f"{where}: level term {term[:20]!r} has more than {MAX_LEVEL} letters")
        if list(term) != sorted(term):
            raise CertifyError(f"{where}: level term {term!r} is not canonical (write {''.join(sorted(term))!r})")
    words = _integer_level(depth, inputs, outputs, where)
    seen = set(words)
    for term in terms:
        for name in term:
            if ord(name) - ord("A") >= len(inputs):
                raise CertifyError(f"{where}: level term {term!r} names party {name}, not in the scenario")
        fresh = [word for word in _term_words(term, inputs, outputs, where) if word not in seen]
        if not fresh:
            raise CertifyError(f"{where}: level term {term!r} adds no word (the level is the same without it)")
        seen.update(fresh)
        words.extend(fresh)
    if len(words) > MAX_WORDS:
        raise CertifyError(f"{where}: level {level!r} has more than {MAX_WORDS} words")
    return words


def _integer_level(depth, inputs, outputs, where):
    letters = alphabet(inputs, outputs)
    words, frontier = [()], [()]
    for length in range(1, depth + 1):
        fresh = set()  # the new words have this length; words holds only shorter ones
        for word in frontier:
            for letter in letters:
                new = reduce_word(word + (letter,))
                if new is not None and len(new) == length:
                    fresh.add(new)
                    # Cap inside the loop: a hostile level must not make us enumerate first.
                    if len(words) + len(fresh) > MAX_WORDS:
                        raise CertifyError(f"{where}: more than {MAX_WORDS} words")
        frontier = sorted(fresh)
        words.extend(frontier)
    return words


def _term_words(term, inputs, outputs, where):
    pools = [alphabet(inputs, outputs, ord(name) - ord("A")) for name in term]
    if prod(len(pool) for pool in pools) > MAX_WORDS:  # bound the work before enumerating the product
        raise CertifyError(f"{where}: level term {term!r} has more than {MAX_WORDS} products")
    return sorted({word for word in map(reduce_word, product(*pools)) if word is not None}, key=lambda w: (len(w), w))
