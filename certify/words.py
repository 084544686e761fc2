"""Projector words and NPA levels.

Trusted definition. A letter ``(i, x, a)`` is the projector E^i_{a|x} of party i
(parties numbered from 0 and spelled A, B, C, ...), input x, output a, with
a < d_i - 1: the last outcome is dropped because E_{d-1|x} = 1 - sum of the
others (Collins-Gisin projectors). A word is a tuple of letters; the empty word
is the identity. The relations are

  E_{a|x}^2 = E_{a|x},   E_{a|x} E_{b|x} = 0 (a != b),   [E^i, E^j] = 0 (i != j).

`reduce_word` computes the normal form: letters sorted stably by party, and in
each party's sub-word no two neighbours share an input. This normal form is
unique (each party's algebra is a free product of the commutative algebras of
its inputs, whose reduced words are the alternating ones), so two words name
the same operator exactly when their normal forms agree. Zero is ``None``.

A level names the list of operator words that index the moment matrix:
"k" (all products of at most k letters), "k+T1+T2..." where each term T is a
string of party letters ("AB": one letter of A times one letter of B), or an
explicit list of spelled words such as ["1", "A0|0", "A0|0B0|1"].
"""

import re
from itertools import product

from certify.errors import CertifyError

MAX_LEVEL = 8
MAX_WORDS = 5000
_LEVEL = re.compile(r"([1-9][0-9]?)((?:\+[A-Z]+)*)")
_LETTER = re.compile(r"([A-Z])([0-9]+)\|([0-9]+)")


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
    """One representative of {w, w^dagger}.

    A real symmetric moment matrix is enough for real objectives: if a complex
    Gamma is feasible, so is (Gamma + conj Gamma)/2 with the same real value,
    and that matrix has equal entries at w and w^dagger.
    """
    return min(word, adjoint(word))


def spell(word) -> str:
    if not word:
        return "1"
    return "".join(f"{party_name(i)}{a}|{x}" for i, x, a in word)


def alphabet(inputs, outputs, party=None):
    """All Collins-Gisin letters (of one party, or of all), in a fixed order."""
    parties = range(len(inputs)) if party is None else [party]
    return [(i, x, a) for i in parties for x in range(inputs[i]) for a in range(outputs[i] - 1)]


def parse_word(text, inputs, outputs, where: str):
    """A spelled word ("1" or letters like "A0|1", output then input) in normal form."""
    if not isinstance(text, str):
        raise CertifyError(f"{where}: expected a word string, got {text!r}")
    if text == "1":
        return ()
    pieces = _LETTER.findall(text)
    if not pieces or "".join(f"{p}{a}|{x}" for p, a, x in pieces) != text:
        raise CertifyError(f'{where}: expected a word like "A0|1B1|0" or "1", got {text[:40]!r}')
    letters = []
    for name, a, x in pieces:
        i, a, x = ord(name) - ord("A"), int(a), int(x)
        if i >= len(inputs):
            raise CertifyError(f"{where}: party {name} is not in the scenario ({len(inputs)} parties)")
        if x >= inputs[i]:
            raise CertifyError(f"{where}: input {x} of party {name} is outside 0..{inputs[i] - 1}")
        if a >= outputs[i] - 1:
            raise CertifyError(
                f"{where}: output {a} of party {name} is not a Collins-Gisin projector "
                f"(outputs 0..{outputs[i] - 2})")
        letters.append((i, x, a))
    word = reduce_word(letters)
    if word is None:
        raise CertifyError(f"{where}: word {text!r} is zero (orthogonal outcomes)")
    if spell(word) != text:
        raise CertifyError(f"{where}: word {text!r} is not in normal form (write {spell(word)!r})")
    return word


def parse_level(level, inputs, outputs, where: str):
    """The operator words of a level, identity first, each once, in a fixed order."""
    if isinstance(level, list):
        return _explicit_level(level, inputs, outputs, where)
    if not isinstance(level, str):
        raise CertifyError(f"{where}: expected a level string or a list of words, got {level!r}")
    match = _LEVEL.fullmatch(level) if len(level) <= 400 else None
    if match is None:
        raise CertifyError(
            f'{where}: level {level[:40]!r} does not parse (expected "k" or "k+AB+..." '
            f"with k >= 1 and uppercase party letters)")
    depth = int(match.group(1))
    if depth > MAX_LEVEL:
        raise CertifyError(f"{where}: level {depth} exceeds the cap {MAX_LEVEL}")
    terms = match.group(2).split("+")[1:]
    if len(set(terms)) != len(terms):
        raise CertifyError(f"{where}: level {level[:40]!r} repeats a term")
    for term in terms:
        # One spelling per level (the problem hash must not split equal levels):
        # parties commute, so "BA" is "AB"; and a term is a product of at most
        # MAX_LEVEL letters, which also bounds the parsing work.
        if len(term) > MAX_LEVEL:
            raise CertifyError(f"{where}: level term {term[:20]!r} has more than {MAX_LEVEL} letters")
        if list(term) != sorted(term):
            raise CertifyError(f"{where}: level term {term!r} is not canonical (write {''.join(sorted(term))!r})")
    words = _integer_level(depth, inputs, outputs)
    seen = set(words)
    for term in terms:
        for name in term:
            if ord(name) - ord("A") >= len(inputs):
                raise CertifyError(f"{where}: level term {term!r} names party {name}, not in the scenario")
        for word in _term_words(term, inputs, outputs):
            if word not in seen:
                seen.add(word)
                words.append(word)
    if len(words) > MAX_WORDS:
        raise CertifyError(f"{where}: level {level!r} has more than {MAX_WORDS} words")
    return words


def _integer_level(depth, inputs, outputs):
    letters = alphabet(inputs, outputs)
    words, seen, frontier = [()], {()}, [()]
    for length in range(1, depth + 1):
        fresh = set()
        for word in frontier:
            for letter in letters:
                new = reduce_word(word + (letter,))
                if new is not None and len(new) == length and new not in seen:
                    fresh.add(new)
                    # Cap inside the loop: a hostile level must not make us enumerate first.
                    if len(words) + len(fresh) > MAX_WORDS:
                        raise CertifyError(f"level: more than {MAX_WORDS} words")
        frontier = sorted(fresh)
        seen.update(fresh)
        words.extend(frontier)
    return words


def _term_words(term, inputs, outputs):
    pools = [alphabet(inputs, outputs, ord(name) - ord("A")) for name in term]
    size = 1
    for pool in pools:
        size *= len(pool)
    if size > MAX_WORDS:  # bound the work before enumerating the product
        raise CertifyError(f"level term {term!r}: more than {MAX_WORDS} products")
    out = set()
    for letters in product(*pools):
        word = reduce_word(letters)
        if word is not None:
            out.add(word)
    return sorted(out, key=lambda w: (len(w), w))


def _explicit_level(level, inputs, outputs, where):
    if len(level) > MAX_WORDS:
        raise CertifyError(f"{where}: more than {MAX_WORDS} words")
    if not level or level[0] != "1":
        raise CertifyError(f'{where}[0]: an explicit level must start with the identity word "1"')
    words, seen = [], set()
    for k, text in enumerate(level):
        word = parse_word(text, inputs, outputs, f"{where}[{k}]")
        if word in seen:
            raise CertifyError(f"{where}[{k}]: word {text!r} repeated")
        seen.add(word)
        words.append(word)
    return words
