"""Supports of the basis matrices F_w of a moment structure, for the rounding and the tests.

Untrusted: the kernel reads only `MomentStructure.entry`, and F_w[i][j] = [entry[i][j] == w].
"""

from certify.kernel.defs.words import ZERO, MomentStructure

# The last structure asked for and its supports: the rounding asks once per word, and
# hashing a structure costs as much as rebuilding. The strong reference keeps its id unique.
_LAST = [None, ()]


def supports(structure: MomentStructure) -> tuple:
    """supports[w]: the positions ((i, j), ...) with i <= j of word w, row by row."""
    if _LAST[0] is not structure:
        out = [[] for _ in structure.words]
        for i in range(structure.size):
            for j in range(i, structure.size):
                if structure.entry[i][j] != ZERO:
                    out[structure.entry[i][j]].append((i, j))
        _LAST[:] = [structure, tuple(map(tuple, out))]
    return _LAST[1]


def zeros(structure: MomentStructure) -> tuple:
    """((i, j), ...) with i <= j: the entries fixed to 0 (vanishing products)."""
    n = structure.size
    return tuple((i, j) for i in range(n) for j in range(i, n) if structure.entry[i][j] == ZERO)
