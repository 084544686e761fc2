"""Symmetry by relabelling: one NPA certificate, mapped exactly to every problem of its orbit.

Untrusted: every mapped certificate is checked in full by the unchanged kernel
(`certify.kernel.npa`), which knows nothing of symmetry.

A relabelling g renames parties, inputs and outputs: party i -> parties[i], its input x ->
inputs[i][x], its output a at input x -> outputs[i][x][a] (an output permutation may depend on the
input). On projectors, g(E^i_{a|x}) = E^{i'}_{a'|x'}; in the Collins-Gisin letters of the kernel
(`certify.kernel.defs.words`, no letter for the last output) a letter maps to a letter or, when
a' is the last output, to 1 - sum_{b < d-1} E_{b|x'}. g respects the relations (projectors,
orthogonal outcomes, commuting parties) and the adjoint, so it is a linear map of the space V of
canonical moment words (the kernel's dual identities are equalities in V).

Lemma (mapping a dual). The kernel accepts Z_e, lambda, mu, kappa, nu for P when, in V,
  nu 1 - f_e - lambda c - sum_k mu_k d_k - sum_j kappa_j e_j = sum_{ij} (Z_e)_{ij} u_i^dagger u_j
for every block e (u: the monomials of P's level) and each Z_e is PSD. Apply g: if every monomial
maps into the span of the monomials u' of Q's level, g(u_i) = sum_k M_ik u'_k (the level is closed
under g; checked, not assumed), then
  nu 1 - g(f_e) - lambda g(c) - ... = sum_{kl} (M^T Z_e M)_{kl} u'_k^dagger u'_l,
and M^T Z_e M is PSD (a congruence). So if g maps P's objective blocks, constraint, statistics
and constraints onto Q's (checked exactly in V, up to an order of blocks and multipliers),
(M^T Z_e M, lambda, mu, kappa, nu) is a certificate for Q with the same bound: relabelling
preserves the certified optimum. `map_evidence` refuses a g that does not map P onto Q.

Orbits (`orbits`): instances with equal images in V are one problem; a breadth-first search over
the generators joins the rest; each instance gets a composed relabelling from its orbit's
representative (the first instance of the orbit in the given order), so only representatives
are solved. `stabiliser` keeps the candidates with g(P) = P; `all_relabellings` lists every
relabelling of a small scenario (CHSH: 16 of 128).

The symmetrised float solve (`certify_symmetric`) solves on G-invariant moments with
block-diagonalised cones and maps the averaged dual back to a full certificate, again checked by
the kernel. `symmetry_generators` finds G from the problem itself (the last section), and
`certify_npa`, the default pipeline of `certify npa`, uses both where G is nontrivial and the full
pipeline (`certify.npa.certify_problem`) otherwise. Conventions: a relabelling's inputs and outputs are named by the
source party; composition `g.then(h)` applies g first.
"""

import json
from collections import deque
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache, partial
from itertools import combinations, permutations, product
from math import factorial, lcm, prod

from certify.errors import CertifyError
from certify.expressions import expression_to_json, scenario_to_json
from certify.kernel.defs.scenario import Scenario, make_expression, parse_expression, parse_scenario
from certify.kernel.defs.words import canonical, party_name, reduce_word
from certify.kernel.format import format_rational, parse_rational
from certify.kernel.npa import parse_problem

# numpy, scipy, clarabel and the float modules (certify.npa, certify.solve, certify.rounding) are imported in
# the functions that use them: the exact relabelling and mapping of certificates (`relabelling`, `map_evidence`,
# `orbits`; certify.papers.gallego2013 imports them) loads in ~50 ms, where certify.npa alone takes ~0.3 s


@dataclass(frozen=True)
class Relabelling:
    """parties[i]: the image of party i; inputs[i][x]: the image of its input x; outputs[i][x][a]:
    the image of its output a at input x (all permutations)."""

    parties: tuple
    inputs: tuple
    outputs: tuple

    def image_scenario(self, scenario: Scenario) -> Scenario:
        inputs, outputs = [0] * scenario.parties, [0] * scenario.parties
        for i, j in enumerate(self.parties):
            inputs[j], outputs[j] = scenario.inputs[i], scenario.outputs[i]
        return Scenario(tuple(inputs), tuple(outputs))

    def then(self, other: "Relabelling") -> "Relabelling":
        """other after self: first self, then other."""
        parties = tuple(other.parties[j] for j in self.parties)
        inputs = tuple(tuple(other.inputs[self.parties[i]][y] for y in row) for i, row in enumerate(self.inputs))
        outputs = tuple(tuple(tuple(other.outputs[self.parties[i]][self.inputs[i][x]][b] for b in perm)
                              for x, perm in enumerate(row)) for i, row in enumerate(self.outputs))
        return Relabelling(parties, inputs, outputs)


def identity(scenario: Scenario) -> Relabelling:
    n = scenario.parties
    return Relabelling(tuple(range(n)), tuple(tuple(range(m)) for m in scenario.inputs),
                       tuple(tuple(tuple(range(d)) for _ in range(m)) for m, d in zip(scenario.inputs,
                                                                                      scenario.outputs)))


def relabelling(scenario: Scenario, parties=None, inputs=None, outputs=None) -> Relabelling:
    """A relabelling from partial data: `parties` a permutation (default identity); `inputs`
    {party: input permutation}; `outputs` {(party, input): output permutation} (inputs and outputs
    are those of the source party, before the renaming)."""
    base = identity(scenario)
    parties = tuple(parties) if parties is not None else base.parties
    ins = [list(row) for row in base.inputs]
    outs = [[list(perm) for perm in row] for row in base.outputs]
    for i, perm in (inputs or {}).items():
        ins[i] = list(perm)
    for (i, x), perm in (outputs or {}).items():
        outs[i][x] = list(perm)
    g = Relabelling(parties, tuple(map(tuple, ins)), tuple(tuple(map(tuple, row)) for row in outs))
    _validate(g, scenario)
    return g


def _validate(g: Relabelling, scenario: Scenario) -> None:
    n = scenario.parties
    if sorted(g.parties) != list(range(n)):
        raise CertifyError(f"relabelling: parties {g.parties} is not a permutation of 0..{n - 1}")
    image = g.image_scenario(scenario)
    for i in range(n):
        if sorted(g.inputs[i]) != list(range(scenario.inputs[i])) or image.inputs[g.parties[i]] != scenario.inputs[i]:
            raise CertifyError(f"relabelling: inputs of party {party_name(i)} are not a permutation")
        for x in range(scenario.inputs[i]):
            if sorted(g.outputs[i][x]) != list(range(scenario.outputs[i])):
                raise CertifyError(f"relabelling: outputs of party {party_name(i)} at input {x} are not a permutation")


# --- the action on words (the space V of the module docstring) ---------------------------------


def letter_image(g: Relabelling, letter, target: Scenario) -> dict:
    """g(E^i_{a|x}) as {word: coefficient} in the Collins-Gisin letters of the image scenario."""
    i, x, a = letter
    j, y, b = g.parties[i], g.inputs[i][x], g.outputs[i][x][a]
    last = target.outputs[j] - 1
    if b < last:
        return {((j, y, b),): Fraction(1)}
    return {(): Fraction(1)} | {((j, y, c),): Fraction(-1) for c in range(last)}


def word_image(g: Relabelling, word, target: Scenario) -> dict:
    """g(w) as {reduced word: coefficient} (a product of letter images, expanded and reduced)."""
    out = {}
    for choice in product(*(letter_image(g, letter, target).items() for letter in word)):
        reduced = reduce_word(tuple(letter for part, _ in choice for letter in part))
        if reduced is None:
            continue
        coef = Fraction(1)
        for _, c in choice:
            coef *= c
        out[reduced] = out.get(reduced, Fraction(0)) + coef
    return {w: c for w, c in out.items() if c}


def _in_v(vector: dict, words) -> dict:
    """{entry index: coef} -> {canonical word: coef} (drops zeros): a vector of V by its words."""
    return {words[k]: Fraction(c) for k, c in vector.items() if c}


def image_in_v(g: Relabelling, vector: dict, target: Scenario) -> dict:
    """g applied to {canonical word: coef}, as {canonical word: coef} of the image (the words' images in
    integers, `_word_images_int`: letter images have coefficients +-1)."""
    out = {}
    images = _word_images_int(g, list(vector), None, {}, target)
    for (word, coef), image in zip(vector.items(), images):
        for key, c in image.items():
            out[key] = out.get(key, Fraction(0)) + coef * c
    return {w: c for w, c in out.items() if c}


def _key(vector: dict):
    return tuple(sorted(vector.items()))


def signature(npa, level: str) -> tuple:
    """What the kernel's problem is, as vectors of V: (scenario, level, blocks as a set, constraint
    and its I, statistics as a set, constraints as a set, sense). Equal signatures are the same
    problem up to the order of blocks and multipliers (which a mapping permutes)."""
    words = npa.structure.words
    return _signature(npa, level, lambda v: _key(_in_v(v, words)), npa.scenario)


def image_signature(npa, level: str, g: Relabelling) -> tuple:
    """The signature of g(P) (its level: `relabel_level`; whether that level contains the image of
    P's is checked by `monomial_map` when a certificate is mapped)."""
    target = g.image_scenario(npa.scenario)
    words = npa.structure.words
    return _signature(npa, relabel_level(level, g), lambda v: _image_key(g, _key(_in_v(v, words)), target), target)


def _signature(npa, level, key, scenario) -> tuple:
    blocks = frozenset(key(b) for b in npa.blocks)
    constraint = None if npa.constraint is None else (key(npa.constraint), npa.at)
    statistics = frozenset((key(d), v) for d, v in npa.statistics)
    constraints = frozenset((key(e), r, v) for e, r, v in npa.constraints)
    return (scenario, level, blocks, constraint, statistics, constraints, npa.sign, len(npa.blocks))


@lru_cache(maxsize=4096)
def _image_key(g: Relabelling, vector: tuple, target: Scenario) -> tuple:
    """`image_in_v` on a key, cached: instances of one family share their constraint."""
    return _key(image_in_v(g, dict(vector), target))


def monomial_map(g: Relabelling, monomials, scenario: Scenario, target) -> list:
    """M with g(u_i) = sum_k M[i][k] u'_k ({k: coef} per row): u the `monomials` of a level of
    `scenario`, u' those of the `target` structure; a CertifyError when the target level does not
    contain the image of some monomial (the level is not closed under g)."""
    image = g.image_scenario(scenario)
    index = {word: k for k, word in enumerate(target.monomials)}
    rows = []
    for u in monomials:
        row = {}
        for word, coef in word_image(g, u, image).items():
            if word not in index:
                raise CertifyError(f"relabelling: the image of monomial {_spell(u)} has the word "
                                   f"{_spell(word)}, not a monomial of the target level (not closed)")
            row[index[word]] = coef
        rows.append(row)
    return rows


def _spell(word) -> str:
    return "".join(f"{party_name(i)}{a}|{x}" for i, x, a in word) or "1"


# --- problems and certificates -------------------------------------------------------------


def relabel_expression(expr, g: Relabelling, scenario: Scenario):
    """g applied to a Bell expression: P(a|x) -> P(g(a)|g(x)), term by term (exact)."""
    target = g.image_scenario(scenario)
    terms = []
    for outs, ins, coef in expr.terms:
        new_outs, new_ins = [None] * scenario.parties, [None] * scenario.parties
        for i, (a, x) in enumerate(zip(outs, ins)):
            if a is not None:
                new_outs[g.parties[i]], new_ins[g.parties[i]] = g.outputs[i][x][a], g.inputs[i][x]
        terms.append((new_outs, new_ins, coef))
    return make_expression(target, terms, expr.constant)


def relabel_level(level: str, g: Relabelling) -> str:
    """The level of g(P): depth kept, each party-letter term renamed (letters sorted, as the kernel
    wants) in place; a level whose set of terms g maps onto itself is returned as it is (the kernel
    takes the terms in the order written, and the order fixes the problem's hash)."""
    depth, *terms = level.split("+")
    renamed = ["".join(sorted(party_name(g.parties[ord(c) - ord("A")]) for c in term)) for term in terms]
    return level if sorted(renamed) == sorted(terms) else "+".join([depth, *renamed])


def relabel_problem(definition: dict, g: Relabelling) -> dict:
    """The definition of g(P) for a Bell objective (a guess's blocks would be reordered; such
    problems are mapped with `map_evidence` to a target written by their producer)."""
    scenario = parse_scenario(definition["scenario"], "problem.scenario")
    if "bell" not in definition["objective"]:
        raise CertifyError("relabel_problem: only Bell objectives (write the target of a guess yourself)")
    _validate(g, scenario)

    def expr(raw, where):
        return expression_to_json(relabel_expression(parse_expression(raw, scenario, where), g, scenario))

    out = {key: value for key, value in definition.items()}
    out["scenario"] = scenario_to_json(g.image_scenario(scenario))
    out["level"] = relabel_level(definition["level"], g)
    out["objective"] = {"bell": expr(definition["objective"]["bell"], "problem.objective.bell")}
    if definition.get("constraint") is not None:
        out["constraint"] = dict(definition["constraint"],
                                 expression=expr(definition["constraint"]["expression"], "problem.constraint"))
    for key in ("statistics", "constraints"):
        if key in definition:
            out[key] = [dict(item, expression=expr(item["expression"], f"problem.{key}[{k}]"))
                        for k, item in enumerate(definition[key])]
    return out


def _match(sources: list, targets: list, where: str) -> list:
    """perm with sources[k] == targets[perm[k]] (multisets of hashable keys), or a CertifyError."""
    free = {}
    for k, key in enumerate(targets):
        free.setdefault(key, []).append(k)
    perm = []
    for key in sources:
        if not free.get(key):
            raise CertifyError(f"relabelling: it does not map the source's {where} onto the target's")
        perm.append(free[key].pop(0))
    return perm


def map_evidence(source: dict, evidence: dict, g: Relabelling, target: dict) -> dict:
    """The evidence of `source` mapped to `target` = g(source) (module lemma): Z'_{e'} = M^T Z_e M;
    nu, lambda unchanged; blocks, mu and kappa reordered as g maps them. Refuses (CertifyError) a g
    that does not map the source's objective, constraint, statistics and constraints exactly onto
    the target's, or a target level that does not contain the image of the source's."""
    src, dst = parsed(source, "source"), parsed(target, "target")
    scenario = dst.scenario
    if g.image_scenario(src.scenario) != scenario or src.sign != dst.sign:
        raise CertifyError("relabelling: the target's scenario or sense is not the image of the source's")
    sw, dw = src.structure.words, dst.structure.words
    im = lambda v: _image_key(g, _key(_in_v(v, sw)), scenario)  # noqa: E731
    blocks = _match([im(b) for b in src.blocks], [_key(_in_v(b, dw)) for b in dst.blocks], "objective")
    if (src.constraint is None) != (dst.constraint is None) or (
            src.constraint is not None and (im(src.constraint) != _key(_in_v(dst.constraint, dw))
                                            or src.at != dst.at)):
        raise CertifyError("relabelling: it does not map the source's constraint onto the target's")
    stats = _match([(im(d), v) for d, v in src.statistics], [(_key(_in_v(d, dw)), v) for d, v in dst.statistics],
                   "statistics")
    cons = _match([(im(e), r, v) for e, r, v in src.constraints],
                  [(_key(_in_v(e, dw)), r, v) for e, r, v in dst.constraints], "constraints")
    m = monomial_map(g, src.structure.monomials, src.scenario, dst.structure)
    out = {"nu": evidence["nu"], "lambda": evidence["lambda"]}
    for key, perm in (("mu", stats), ("kappa", cons)):
        if key in evidence:
            mapped = [None] * len(perm)
            for k, value in enumerate(evidence[key]):
                mapped[perm[k]] = value
            out[key] = mapped
    z = [None] * len(blocks)
    for b, rows in enumerate(evidence["Z"]):
        z[blocks[b]] = _congruence(_integer_block(rows), m, dst.structure.size)
    out["Z"] = z
    return out


def _integer_block(rows) -> tuple:
    """(Z as integers, their common denominator) from upper-triangle rows of "p/q" strings; the last
    block is remembered (an orbit maps one representative's blocks many times)."""
    if _LAST_BLOCK[0] is not rows:
        n = len(rows)
        entries = [[parse_rational(text, f"Z[{i}][{k}]") for k, text in enumerate(row)] for i, row in enumerate(rows)]
        scale = 1
        for row in entries:
            for value in row:
                scale = lcm(scale, value.denominator)
        z = [[0] * n for _ in range(n)]
        for i, row in enumerate(entries):
            for k, value in enumerate(row):
                z[i][i + k] = z[i + k][i] = value.numerator * (scale // value.denominator)
        _LAST_BLOCK[:] = [rows, (z, scale)]  # the strong reference keeps id(rows) unique
    return _LAST_BLOCK[1]


_LAST_BLOCK = [None, None]


def _congruence(block, m: list, size: int) -> list:
    """M^T Z M as upper-triangle rows of "p/q" strings, for Z = (integers, denominator) of
    `_integer_block`: in integers (M is integral: letter images have coefficients +-1)."""
    z, scale = block
    n = len(z)
    # (M^T Z)[a][j] = sum_i M[i][a] Z[i][j]; then (M^T Z M)[a][b] = sum_j (M^T Z)[a][j] M[j][b]
    left = [[0] * n for _ in range(size)]
    for i, row in enumerate(m):
        zi = z[i]
        for a, coef in row.items():
            c, target = int(coef), left[a]
            for j in range(n):
                target[j] += c * zi[j]
    out = [[0] * size for _ in range(size)]
    for a in range(size):
        la, oa = left[a], out[a]
        for j, row in enumerate(m):
            if la[j]:
                for b, coef in row.items():
                    oa[b] += la[j] * int(coef)
    return [[format_rational(Fraction(out[a][b], scale)) for b in range(a, size)] for a in range(size)]


def parsed(definition: dict, where: str = "problem"):
    """`certify.kernel.npa.parse_problem`, cached by the definition's canonical text (an orbit's members
    are parsed once for its signature and again when mapped to). Under the name "problem" (the default
    pipeline's) the cache is `certify.npa.parsed`'s, so `certify_npa` rebuilds a definition once whichever
    path runs (the name only labels error messages: a definition that parses does so under any name)."""
    from certify.npa import canonical_text
    from certify.npa import parsed as npa_parsed

    if where == "problem":
        return npa_parsed(definition)[0]
    text = canonical_text(definition)
    return parse_problem(definition, where) if text is None else _parsed_text(text, where)


@lru_cache(maxsize=64)
def _parsed_text(text: str, where: str):
    return parse_problem(json.loads(text), where)


def orbits(instances: list, generators) -> list:
    """Orbits of problem definitions under the group generated by `generators` (relabellings of
    their common scenario): [(representative index, [(instance index, relabelling from the
    representative)])], orbits in order of their first instance. A generator that maps an instance
    outside the list joins nothing (so candidate generators need not be symmetries)."""
    problems = [parsed(d, f"instances[{k}]") for k, d in enumerate(instances)]
    levels = [d["level"] for d in instances]
    signatures = [signature(npa, level) for npa, level in zip(problems, levels)]
    by_signature = {}
    for k, sig in enumerate(signatures):
        by_signature.setdefault(sig, []).append(k)
    seen, out = {}, []
    for k, npa in enumerate(problems):
        if k in seen:
            continue
        start = identity(npa.scenario)
        members, queue = [], deque([(k, start)])
        seen[k] = start
        while queue:
            j, to_j = queue.popleft()
            for twin in by_signature[signatures[j]]:  # the same problem: the same relabelling
                if twin not in seen:
                    seen[twin] = to_j
                    queue.append((twin, to_j))
            members.append((j, to_j))
            for g in generators:
                for image in by_signature.get(image_signature(problems[j], levels[j], g), ()):
                    if image not in seen:
                        seen[image] = to_j.then(g)
                        queue.append((image, seen[image]))
        out.append((k, sorted(members)))
    return out


def stabiliser(definition: dict, candidates) -> list:
    """The candidates g with g(P) = P (the same problem up to the order of blocks and multipliers,
    level included): the symmetries of one problem, e.g. to average a float dual over."""
    npa, level = parsed(definition), definition["level"]
    own = signature(npa, level)
    return [g for g in candidates if image_signature(npa, level, g) == own]


def closure(generators, scenario: Scenario, limit: int = 100000) -> list:
    """Every element of the group the generators generate (identity first); a CertifyError beyond
    `limit` elements."""
    start = identity(scenario)
    seen, frontier = {start: None}, [start]
    while frontier:
        fresh = []
        for a in frontier:
            for g in generators:
                b = a.then(g)
                if b not in seen:
                    seen[b] = None
                    fresh.append(b)
                    if len(seen) > limit:
                        raise CertifyError(f"relabelling: the group has more than {limit} elements")
        frontier = fresh
    return list(seen)


def all_relabellings(scenario: Scenario, limit: int = 100000) -> list:
    """Every relabelling of the scenario (parties of equal sizes permuted; inputs; outputs per
    input), for brute-force searches on small scenarios; a CertifyError beyond `limit`."""
    n = scenario.parties
    sizes = [(scenario.inputs[i], scenario.outputs[i]) for i in range(n)]
    local = [[(ins, outs) for ins in permutations(range(m))
              for outs in product(*[list(permutations(range(d)))] * m)] for m, d in sizes]
    count = len(list(permutations(range(n)))) * prod(len(options) for options in local)
    if count > limit:
        raise CertifyError(f"relabelling: {count} relabellings, more than {limit}")
    out = []
    for parties in permutations(range(n)):
        if any(sizes[i] != sizes[j] for i, j in enumerate(parties)):
            continue
        for choice in product(*local):
            out.append(Relabelling(parties, tuple(ins for ins, _ in choice), tuple(outs for _, outs in choice)))
    return out


def describe(g: Relabelling) -> str:
    """One line for a producer note, e.g. "parties ABCDE->BACDE; A inputs 01->10; A|0 outputs 01->10"."""
    names = "".join(party_name(i) for i in range(len(g.parties)))
    parts = []
    if list(g.parties) != sorted(g.parties):
        images = [""] * len(g.parties)
        for i, j in enumerate(g.parties):
            images[i] = party_name(j)
        parts.append(f"parties {names}->{''.join(images)}")
    for i, row in enumerate(g.inputs):
        if list(row) != sorted(row):
            parts.append(f"{party_name(i)} inputs {''.join(map(str, range(len(row))))}->{''.join(map(str, row))}")
    for i, row in enumerate(g.outputs):
        for x, perm in enumerate(row):
            if list(perm) != sorted(perm):
                parts.append(f"{party_name(i)}|{x} outputs {''.join(map(str, range(len(perm))))}->"
                             f"{''.join(map(str, perm))}")
    return "; ".join(parts) or "identity"


# --- the symmetrised float solve (invariant subspace, block-diagonalised) -----------------------
#
# For a group G of symmetries of P (`stabiliser`), averaging a feasible moment vector over G keeps
# it feasible with the same value, so the optimum is attained on G-invariant moments y = B t
# (B: a basis of the invariant subspace of V*, far smaller: 6 of 492 words for Mermin-5 at
# 1+pairs+ABC). For binary outputs, in the correlator basis v_i = prod (1 - 2 E) over the letters
# of u_i (v = C u), relabellings act by signed permutations P_g (orthogonal), so the invariant
# moment matrices C Gamma(y) C^T lie in the commutant of {P_g}, a *-algebra: the eigenvectors Q of
# a generic element, grouped by the couplings of the others, block-diagonalise all of them
# (Murota et al. 2010). The float solve then has one small PSD cone per block. Its dual satisfies
# the identities only on invariant moments; averaged over G (Z_u = C^T avg_g P_g^T Z_v P_g C) it
# satisfies all of them (for every y, the residual at y is the residual at the average of y), and
# is rounded and checked exactly as any float dual (`certify.npa.certify_attempt`: the kernel).


def correlator_basis(monomials) -> object:
    """C (numpy) with v_i = prod_{letters of u_i} (1 - 2 E) = sum_k C[i, k] u_k (binary outputs)."""
    import numpy as np

    index = {word: k for k, word in enumerate(monomials)}
    c = np.zeros((len(monomials), len(monomials)))
    for i, u in enumerate(monomials):
        for r in range(len(u) + 1):
            for sub in combinations(range(len(u)), r):
                word = reduce_word(tuple(u[s] for s in sub))
                if word not in index:
                    raise CertifyError(f"symmetric solve: subword {_spell(word)} of {_spell(u)} is not a monomial")
                c[i, index[word]] += (-2.0) ** r
    return c


DENSE_GRAM = 200  # `invariant_moments` forms T_g densely up to this many words (faster below ~200: CHSH L2
# 0.97 -> 0.46 ms, Mermin-4 1+AB 12.9 -> 8.2 ms; even at 229, slower at 492)


def invariant_moments(npa, generators) -> object:
    """An orthonormal basis B (numpy, words x d) of the moment vectors y with y(g w) = y(w)."""
    import numpy as np
    import scipy.sparse as sp

    words = npa.structure.words
    if not generators:  # the trivial group: every moment is free
        return np.eye(len(words))
    index = {word: k for k, word in enumerate(words)}
    gram = np.zeros((len(words), len(words)))  # sum_g (T_g - I)^T (T_g - I): its kernel is the answer
    memo = {}  # raw product of letters -> its canonical reduced word (shared by the generators)
    for g in generators:
        rows, cols, vals = [], [], []
        for k, image in enumerate(_word_images_int(g, words, npa.scenario, memo)):
            for word, coef in image.items():
                rows.append(k)
                cols.append(index[word])
                vals.append(float(coef))
        if len(words) <= DENSE_GRAM:  # scipy.sparse's set-up dominated at these sizes; integer entries, so
            t = np.zeros(gram.shape)  # both products are exact and the Gram matrix is the same
            np.add.at(t, (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)), vals)
            t[np.diag_indices(len(words))] -= 1.0
            gram += t.T @ t
            continue
        t = sp.csr_matrix((vals, (rows, cols)), shape=gram.shape) - sp.identity(len(words), format="csr")
        gram += (t.T @ t).toarray()
    values, vectors = np.linalg.eigh(gram)  # (the Gram matrix, not an SVD of the stack: memory nw^2)
    basis = vectors[:, values < 1e-9 * max(1.0, float(values[-1]))]
    basis[np.abs(basis) < 1e-13] = 0.0
    return basis


def _word_images_int(g: Relabelling, words, scenario: Scenario, memo: dict, target: Scenario = None) -> list:
    """[image of w under g in V, as {canonical word: integer coefficient}, for w in words] (`image_in_v` of
    each word with coefficient 1, in integers: letter images have coefficients +-1, and Fraction arithmetic
    was most of `invariant_moments`). Each letter's image is made once and each raw product's reduction
    and canonical form looked up in `memo` ({raw letters: canonical word or None}), which the caller may
    share between relabellings of one scenario (the same dicts, in the same order). `target`: the image
    scenario when the caller has it (then `scenario` is not used)."""
    target = g.image_scenario(scenario) if target is None else target
    parts = {}
    out = []
    for word in words:
        choices = []
        for letter in word:
            part = parts.get(letter)
            if part is None:
                i, x, a = letter
                j, y, b = g.parties[i], g.inputs[i][x], g.outputs[i][x][a]
                last = target.outputs[j] - 1
                part = parts[letter] = ((((j, y, b),), 1),) if b < last else \
                    (((), 1),) + tuple((((j, y, c),), -1) for c in range(last))
            choices.append(part)
        image = {}
        for choice in product(*choices):
            raw, coef = (), 1
            for letters, c in choice:
                raw += letters
                coef *= c
            if raw in memo:
                key = memo[raw]
            else:
                reduced = reduce_word(raw)
                key = memo[raw] = None if reduced is None else canonical(reduced)
            if key is not None:
                image[key] = image.get(key, 0) + coef
        out.append({w: c for w, c in image.items() if c})
    return out


def _gamma(npa, y):
    import numpy as np

    return np.append(y, 0.0)[np.array(npa.structure.entry)]  # ZERO (-1) reads the appended 0


def block_diagonaliser(matrices, seed: int = 1) -> list:
    """[Q_j]: orthonormal column blocks with Q_j^T A Q_k = 0 (j != k) for every A of `matrices`
    (symmetric, spanning part of a *-algebra), as fine as a generic element's eigenvectors allow."""
    import numpy as np

    rng = np.random.default_rng(seed)
    _, q = np.linalg.eigh(sum(rng.normal() * a for a in matrices))
    coupling = sum(abs(q.T @ a @ q) for a in matrices)
    parent = list(range(len(q)))

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in zip(*np.nonzero(coupling > 1e-9 * max(1.0, float(coupling.max())))):
        parent[root(i)] = root(j)
    groups = {}
    for i in range(len(q)):
        groups.setdefault(root(i), []).append(i)
    return [q[:, members] for members in groups.values()]


@dataclass
class SymmetricResult:
    """A kernel-verified certificate from the symmetrised solve, and what it cost."""

    evidence: dict
    bound: Fraction
    primal: float
    raw_status: str
    seconds: float  # the reduced float solve
    group: int  # |G|
    invariant: int  # d, the free moments
    blocks: tuple  # the PSD block sizes, largest first
    nu: Fraction = None
    lam: Fraction = None
    solution: object = None  # the certify.solve.Solution whose (averaged) duals were rounded
    delta: Fraction = Fraction(0)  # the largest margin added along the interior direction
    scale: float = 1.0  # F, the objective's factor (`certify.npa.normalised`): the slack target is relative to it

    @property
    def slack(self) -> float:
        return float(self.bound) - self.primal

    def certified(self):
        """As the full pipeline's `certify.npa.Certified` (what `npa_certificate` writes)."""
        from certify.npa import Certified

        return Certified(self.evidence, self.nu, self.lam, self.bound, self.primal, self.slack, self.solution,
                         self.delta, self.scale)


def certify_symmetric(definition: dict, generators, tol: float = 1e-10, target: float = 1e-6, polish: bool = True,
                      order: int = None):
    """Solve P on G-invariant moments with block-diagonalised cones (G generated by `generators`,
    each checked to be a symmetry of P), average the dual over G, round it and let the kernel
    check it (`certify.npa.certify_attempt`). The interior direction Z0 of the rounding comes from
    the same reduced solve (`_symmetric_interior`), so no full-size cone is ever factorised. When the
    verified bound is more than `target` above the float optimum (or nothing verifies) and `polish`,
    the averaged dual is polished (`certify.npa.refinements`, no re-solve) and those candidates
    are checked too; the tightest verified bound is kept. One block (a Bell objective), binary
    outputs. `order`: |G| when the caller knows it (`symmetry_generators` computes it), else it is
    counted here. A SymmetricResult, or None when nothing verifies. The reduced problem is the normalised
    one (`certify.npa.normalised`): `target` is relative to the objective's factor F (absolute when F = 1);
    the result (bound, primal, margin, solution) is the original problem's."""
    from certify.npa import certify_attempt

    normal, reduced, solution = _reduced_solution(definition, generators, tol, order)
    npa, data, unit = normal.npa, normal.data, normal.factor
    # the primal in the original problem's units (x 1.0 when unit: the same float)
    primal, status, seconds = solution.primal * unit, (solution.status, solution.raw_status), solution.seconds
    # Z0 only when a rounded dual needs a margin or the kernel refuses it without one (`certify_attempt`; the
    # reduced form keeps Z0 per tolerance, so the polished candidates share one trace solve). Which problems
    # skip it is a float fact of the BLAS (`certify.npa.CLEAR`): with the CLI's settings Mermin-4 1+AB and
    # CHSH L5 do, CHSH L2, P(00|00) and Mermin-3 L2 need a margin and pay for Z0
    lazy = partial(reduced.interior, tol)
    found, used = certify_attempt(npa, solution, None, None, lazy, normal=normal), solution
    bound = None if found is None else (found[1] if npa.at is None else found[1] - found[2] * npa.at)
    if polish and (found is None or float(bound) - primal > target * unit):
        # finish the averaged dual in doubles (`certify.solve.polish`, the full pipeline's
        # high-precision rung; no re-solve). Faces in the order that paid here: measured at I3322
        # level 3 (target 1e-8), no face 0.2508757 (2.3e-7 above the float optimum), face ratio
        # 1000 0.2508766, ratio 1 0.2508780, unpolished 0.2508764; one polish ~1.6-2.9 s there
        from certify.solve.polish import polish as polished

        for face in (None, 1e3, 1.0):
            attempt = polished(data, solution, face=face)
            if attempt is None:
                continue
            candidate = certify_attempt(npa, attempt, None, None, lazy, normal=normal)
            if candidate is None:
                continue
            value = candidate[1] if npa.at is None else candidate[1] - candidate[2] * npa.at
            if bound is None or value < bound:
                found, used, bound = candidate, attempt, value
            if float(bound) - primal <= target * unit:
                break
    if found is None:
        return None
    evidence, nu, lam_q, deltas = found
    return SymmetricResult(evidence, bound, primal, status[1], seconds, reduced.order, reduced.basis.shape[1],
                           tuple(sorted((q.shape[1] for q in reduced.blocks), reverse=True)), nu, lam_q,
                           normal.scaling.solution(used), max(deltas, default=Fraction(0)), unit)


def reduced_solution(definition: dict, generators, tol: float = 1e-10, order: int = None):
    """(npa, conic data, the reduced form, the reduced solve's certify.solve.Solution with its dual
    averaged over the group) of `certify_symmetric`, before any rounding; the data and the solution are
    the normalised problem's (`certify.npa.normalised`; the problem's own for O(1) coefficients)."""
    normal, reduced, solution = _reduced_solution(definition, generators, tol, order)
    return normal.npa, normal.data, reduced, solution


def _reduced_solution(definition: dict, generators, tol: float, order: int):
    """(the `certify.npa.Normalised` form, the reduced form, the solution) of `reduced_solution`."""
    from certify.npa import normalised
    from certify.solve.common import Solution

    normal = normalised(definition)
    npa, data = normal.npa, normal.data
    if len(npa.blocks) != 1 or any(d != 2 for d in npa.scenario.outputs) or npa.statistics or npa.constraints:
        raise CertifyError("symmetric solve: one Bell objective, binary outputs, no statistics or constraints")
    symmetries = stabiliser(definition, generators)
    reduced = _reduced(npa, definition["level"], symmetries, order if len(symmetries) == len(generators) else None)
    constraint = None if data.c is None else (data.c, float(normal.scaled.at))
    z_u, lam, primal, status, seconds, nu_float, moments = reduced.solve(data.g[0], constraint, tol)
    solution = Solution("clarabel (symmetrised)", status[0], status[1], primal, [z_u], lam, seconds, None, nu_float,
                        [moments])
    return normal, reduced, solution


# The reduced form depends on the moment structure (scenario, level) and the group only, never on the
# objective or the constraint's I: it is kept for the last REDUCED_CACHE (scenario, level, symmetries), with
# its interior direction Z0, as `certify.npa.interior` keeps the full path's Z0 (measured, CHSH level 2: the
# reduced form 2.2 ms and its Z0 1.5 ms per call, against a 3 ms full solve).
REDUCED_CACHE = 16
_REDUCED = {}


def _reduced(npa, level: str, symmetries, order=None) -> "_Reduced":
    key = (npa.scenario, level, tuple(symmetries))
    found = _REDUCED.pop(key, None)
    if found is None:
        found = _Reduced(npa, symmetries, order)
        while len(_REDUCED) >= REDUCED_CACHE:
            _REDUCED.pop(next(iter(_REDUCED)))
    _REDUCED[key] = found  # most recently used last
    return found


def _pair_orbits(signed: list, n: int):
    """The orbits of the group generated by the signed permutations `signed` ([(perm, sign)]: v_i ->
    sign[i] v_perm[i]) on the matrix positions i <= j: (orbit of each position of `np.triu_indices(n)`,
    tau: its sign relative to its orbit's first position, live: per orbit, False when some path
    through the orbit comes back to a position with the other sign, so every invariant matrix is 0
    there). A breadth-first search over the generators (the group itself is never listed)."""
    import numpy as np

    iu, ju = np.triu_indices(n)
    index = np.zeros((n, n), dtype=np.int64)
    index[iu, ju] = index[ju, iu] = np.arange(len(iu))
    edges = [(index[perm[iu], perm[ju]].tolist(), (sign[iu] * sign[ju]).astype(int).tolist()) for perm, sign in signed]
    orbit, tau, live = [-1] * len(iu), [0] * len(iu), []
    for p in range(len(iu)):
        if orbit[p] >= 0:
            continue
        k = len(live)
        orbit[p], tau[p], ok, stack = k, 1, True, [p]
        while stack:
            q = stack.pop()
            for image, sign in edges:
                r, s = image[q], tau[q] * sign[q]
                if orbit[r] < 0:
                    orbit[r], tau[r] = k, s
                    stack.append(r)
                elif tau[r] != s:
                    ok = False
        live.append(ok)
    return np.array(orbit), np.array(tau, dtype=float), np.array(live)


class _Reduced:
    """The invariant-moment, block-diagonal form of a problem's cone under a group of symmetries (the
    structure of `npa` and the group only: see `_reduced`)."""

    def __init__(self, npa, symmetries, order=None):
        import numpy as np

        self.npa = npa
        self.c = correlator_basis(npa.structure.monomials)
        signed, used = _signed_generators(npa, symmetries, self.c)
        self.order = order if order is not None else _group_order(npa.scenario, used)
        self.basis = invariant_moments(npa, used)
        self.gammas = [self.c @ _gamma(npa, self.basis[:, k]) @ self.c.T for k in range(self.basis.shape[1])]
        self.blocks = block_diagonaliser(self.gammas)
        self.orbits = _pair_orbits(signed, npa.structure.size)
        self._interiors = {}
        # the PSD rows of the reduced conic form: s = svec(Q^T Gamma_v(B t) Q) per block, in Clarabel's
        # column-wise upper triangle (the same for every objective); and where each entry of the PSD dual
        # lands in the block-diagonal M of Z_v = Q_all M Q_all^T (Q_all: the blocks side by side), so a
        # solve unpacks its dual in one scatter (per-block loops were a third of a CHSH level-2 solve)
        pieces, rows, cols, scales, offset = [], [], [], [], 0
        for q in self.blocks:
            s = q.shape[1]
            iu, ju = np.triu_indices(s)
            position = ju * (ju + 1) // 2 + iu  # Clarabel's index of (iu, ju)
            order_ = np.argsort(position)
            scale = np.where(iu == ju, 1.0, np.sqrt(2.0))
            pieces.append(np.array([-((q.T @ m @ q)[iu, ju] * scale)[order_] for m in self.gammas]).T)
            rows.append(offset + iu[order_])
            cols.append(offset + ju[order_])
            scales.append(1.0 / scale[order_])
            offset += s
        psd = np.vstack(pieces)
        psd[np.abs(psd) < 1e-13] = 0.0
        self.psd = psd
        self.unpack = (np.concatenate(rows), np.concatenate(cols), np.concatenate(scales))
        self.q_all = np.hstack(self.blocks)

    def average(self, z_v):
        """(1/|G|) sum_g P_g^T Z P_g of a symmetric Z (correlator basis): the mean of sign-corrected Z over
        each orbit of positions, 0 on orbits that meet themselves with the other sign."""
        import numpy as np

        orbit, tau, live = self.orbits
        n = z_v.shape[0]
        iu, ju = np.triu_indices(n)
        values = tau * z_v[iu, ju]
        mean = np.bincount(orbit, values, len(live)) / np.bincount(orbit, None, len(live))
        mean[~live] = 0.0
        out = np.zeros((n, n))
        out[iu, ju] = tau * mean[orbit]
        out[ju, iu] = out[iu, ju]
        return out

    def solve(self, objective, constraint, tol):
        """max objective . y over invariant y, y_identity = 1, c . y >= I (`constraint` = (c, I) or
        None): (Z_u averaged over the group, lambda, primal, (status, raw status), seconds, nu, the
        moments y = B t)."""
        import time

        import clarabel
        import numpy as np
        import scipy.sparse as sp

        from certify.solve.clarabel import STATUS_MAP, options

        basis, n, d = self.basis, self.npa.structure.size, self.basis.shape[1]
        rows, b, cones = [basis[0:1]], [1.0], [clarabel.ZeroConeT(1)]  # y_identity = 1
        if constraint is not None:  # c . y >= I (nonnegative cone)
            rows.append(-(constraint[0] @ basis)[None, :])
            b.append(-constraint[1])
            cones.append(clarabel.NonnegativeConeT(1))
        top = np.vstack(rows)
        top[np.abs(top) < 1e-13] = 0.0
        a = sp.csc_matrix(np.vstack([top, self.psd]))
        b.extend([0.0] * self.psd.shape[0])
        cones += [clarabel.PSDTriangleConeT(q.shape[1]) for q in self.blocks]
        settings = clarabel.DefaultSettings()
        settings.verbose = False
        for key, value in options(tol).items():
            setattr(settings, key, value)
        started = time.perf_counter()
        raw = clarabel.DefaultSolver(sp.csc_matrix((d, d)), -(objective @ basis), a, np.array(b),
                                     cones, settings).solve()
        seconds = time.perf_counter() - started
        z = np.asarray(raw.z, dtype=float)
        at = 1 + (constraint is not None)
        i, j, scale = self.unpack
        m = np.zeros((n, n))
        m[i, j] = z[at:] * scale
        m[j, i] = m[i, j]
        z_v = self.q_all @ m @ self.q_all.T
        z_u = self.c.T @ self.average(z_v) @ self.c
        lam = float(z[1]) if constraint is not None else 0.0
        status = (STATUS_MAP.get(str(raw.status), "failed"), str(raw.status))
        return (z_u, lam, -float(raw.obj_val), status, seconds, float(z[0]),
                basis @ np.asarray(raw.x, dtype=float))  # nu and the moments y = B t

    def interior(self, tol):
        """(Z0, its whitener) of `_symmetric_interior`, computed once per tolerance (Z0 may be None)."""
        if tol not in self._interiors:
            from certify.rounding import whitener

            z0 = _symmetric_interior(self, tol)
            self._interiors[tol] = (z0, None if z0 is None else whitener(z0))
        return self._interiors[tol]


def distinct_symmetries(scenario, symmetries):
    """The relabellings of `symmetries` in order, each once, the identity left out."""
    letters = _letters(scenario)
    seen = {_encode(identity(scenario), letters)}
    for g in symmetries:
        code = _encode(g, letters)
        if code not in seen:
            seen.add(code)
            yield g


def _signed_generators(npa, symmetries, c) -> tuple:
    """([(perm, sign)] of the distinct nontrivial symmetries, [those symmetries]): P_g = C M_g C^-1 is the
    signed permutation v_i -> sign[i] v_perm[i] (binary outputs: g maps each 1 - 2E to +-(1 - 2E'))."""
    import numpy as np

    monomials, n = npa.structure.monomials, npa.structure.size
    index = {word: k for k, word in enumerate(monomials)}
    signed, used = [], []
    for g in distinct_symmetries(npa.scenario, symmetries):
        # v_i = prod over u_i's letters of (1 - 2E) maps to prod of +-(1 - 2E'), the sign flipped at each
        # letter whose output 0 goes to 1: the correlator monomial of the renamed word (its letters of one
        # party stay distinct neighbours, so it only reorders parties), times the sign (C M_g C^-1 read off
        # directly: the matrix products and the Fraction monomial map were a third of the reduced form)
        perm, sign = np.zeros(n, dtype=np.int64), np.ones(n)
        for i, u in enumerate(monomials):
            image = reduce_word(tuple((g.parties[p], g.inputs[p][x], 0) for p, x, _ in u))
            if image not in index or any(a != 0 for _, _, a in u):
                raise CertifyError(f"relabelling: the image of monomial {_spell(u)} is not a monomial of the "
                                   "target level (not closed)" if image not in index else
                                   f"symmetric solve: {describe(g)} is not a signed permutation of correlators")
            perm[i] = index[image]
            if sum(g.outputs[p][x][0] for p, x, _ in u) % 2:
                sign[i] = -1.0
        if len(set(perm.tolist())) != n:
            raise CertifyError(f"symmetric solve: {describe(g)} is not a signed permutation of correlators")
        signed.append((perm, sign))
        used.append(g)
    return signed, used


def _letters(scenario: Scenario) -> dict:
    return {(i, x): k for k, (i, x) in enumerate((i, x) for i, m in enumerate(scenario.inputs) for x in range(m))}


def _group_order(scenario: Scenario, symmetries, limit: int = 20000) -> int:
    """|G| for the symmetries' group, by closing their codes (`_encode`); a CertifyError beyond `limit`."""
    letters = _letters(scenario)
    group = _closure([_encode(g, letters) for g in symmetries], _encode(identity(scenario), letters), limit)
    if group is None:
        raise CertifyError(f"symmetric solve: the group has more than {limit} elements")
    return len(group)


def _symmetric_interior(reduced: _Reduced, tol):
    """An exact Z0 with <Z0, F_w> = 0 for every word w != 1 and Z0 positive definite, as
    `certify.rounding.interior_direction` makes, from the reduced solve of max tr(C Gamma C^T): the
    v-basis trace is invariant (signed permutations), its coefficients h[w] = <C^T C, F_w> are
    integers, and with the dual Z of that problem (h[w] + <Z, F_w> = 0, w != 1; restored exactly)
    Z0 = C^T C + Z. None when the float solve gives nothing."""
    import numpy as np

    from certify.rounding import rational_matrix, restore_identities

    npa, c = reduced.npa, np.rint(reduced.c).astype(np.int64)
    n, words = npa.structure.size, len(npa.structure.words)
    ctc = [[int(v) for v in row] for row in (c.T @ c)]
    h = [0] * words
    for i in range(n):
        for j in range(n):
            if npa.structure.entry[i][j] >= 0:
                h[npa.structure.entry[i][j]] += ctc[i][j]
    z, _, _, status, *_ = reduced.solve(np.array(h, dtype=float), None, tol)
    if status[0] not in ("solved", "inaccurate") or not np.all(np.isfinite(z)):
        return None
    q = rational_matrix(z, 10**6)
    restore_identities(q, npa.structure, {k: Fraction(v) for k, v in enumerate(h) if v}, {})
    for i in range(n):
        for j in range(i, n):
            q[i][j] += ctc[i][j]
    return q


# --- detecting a problem's symmetry group, and the default NPA pipeline --------------------------
#
# For binary outputs a relabelling g acts on correlators A^i_x = 1 - 2 E^i_{0|x} as a signed
# permutation: A^i_x -> s A^{g(i)}_{g(x)}, s = -1 when it swaps the outputs at x. A Bell problem's
# objective and constraint are polynomials in commuting correlators of distinct parties (one
# letter a party), so g is a symmetry of P exactly when it maps both polynomials and the level's
# set of party terms onto themselves. `symmetry_generators` computes that stabiliser inside the
# group of all relabellings (parties of one size permuted, inputs permuted, outputs swapped per
# input) by the Schreier-Sims idea: the orbit of P's data under generators of the whole group,
# a transversal t_p (t_p(P) = p), and the Schreier generators t_p s t_{s(p)}^-1, each fixing P;
# those that enlarge the subgroup found so far are kept. Untrusted and only an optimisation:
# `stabiliser` re-checks every generator exactly on the kernel's problem, and the certificate of
# the reduced solve is checked in full by the kernel.


def inverse(g: Relabelling) -> Relabelling:
    """g^-1 (named, like every relabelling, by its source: the image scenario of g)."""
    n = len(g.parties)
    parties, inputs, outputs = [0] * n, [None] * n, [None] * n
    for i, j in enumerate(g.parties):
        parties[j] = i
        row, outs = [0] * len(g.inputs[i]), [None] * len(g.inputs[i])
        for x, y in enumerate(g.inputs[i]):
            row[y] = x
            perm = [0] * len(g.outputs[i][x])
            for a, b in enumerate(g.outputs[i][x]):
                perm[b] = a
            outs[y] = tuple(perm)
        inputs[j], outputs[j] = tuple(row), tuple(outs)
    return Relabelling(tuple(parties), tuple(inputs), tuple(outputs))


def _correlators(vector: dict, words) -> dict:
    """{word index: coef} over Collins-Gisin words (binary outputs, one letter a party) as
    {((party, input), ...) sorted: coef} over products of correlators (E = (1 + A)/2); None when a
    word has two letters of one party (not a Bell polynomial: no detection)."""
    out = {}
    for k, coef in vector.items():
        word = words[k]
        parties = [i for i, _, _ in word]
        if len(set(parties)) != len(parties):
            return None
        letters = sorted((i, x) for i, x, _ in word)
        scale = Fraction(coef, 2 ** len(letters))
        for r in range(len(letters) + 1):
            for sub in combinations(letters, r):
                out[sub] = out.get(sub, Fraction(0)) + scale
    return {key: c for key, c in out.items() if c}


def _act(g: tuple, poly: dict) -> dict:
    """A signed letter permutation g (`_encode`) applied to a correlator polynomial."""
    out = {}
    for key, coef in poly.items():
        flips = 0
        for k in key:
            flips ^= g[k] & 1
        out[tuple(sorted([g[k] >> 1 for k in key]))] = -coef if flips else coef
    return out


def _encode(g: Relabelling, letters: dict) -> tuple:
    """g on the correlator letters (party, input) numbered by `letters`: entry k is 2 j + s, the image
    letter j and s = 1 when the sign flips (binary outputs)."""
    out = [0] * len(letters)
    for (i, x), k in letters.items():
        out[k] = 2 * letters[(g.parties[i], g.inputs[i][x])] + (g.outputs[i][x][0] != 0)
    return tuple(out)


def _decode(code: tuple, letters: dict) -> Relabelling:
    names = {k: letter for letter, k in letters.items()}
    n = 1 + max(i for i, _ in letters)
    parties = [names[code[letters[(i, 0)]] >> 1][0] for i in range(n)]
    inputs = [[] for _ in range(n)]
    outputs = [[] for _ in range(n)]
    for (i, x), k in sorted(letters.items()):
        inputs[i].append(names[code[k] >> 1][1])
        outputs[i].append((1, 0) if code[k] & 1 else (0, 1))
    return Relabelling(tuple(parties), tuple(map(tuple, inputs)), tuple(map(tuple, outputs)))


def _then(a: tuple, b: tuple) -> tuple:
    return tuple(b[k >> 1] ^ (k & 1) for k in a)


def _inverse(a: tuple) -> tuple:
    out = [0] * len(a)
    for k, image in enumerate(a):
        out[image >> 1] = 2 * k + (image & 1)
    return tuple(out)


def _closure(generators, start: tuple, limit: int):
    """The group the codes generate, as a set; None beyond `limit` elements."""
    seen, frontier = {start}, [start]
    while frontier:
        fresh = []
        for a in frontier:
            for g in generators:
                b = _then(a, g)
                if b not in seen:
                    seen.add(b)
                    fresh.append(b)
        if len(seen) > limit:
            return None
        frontier = fresh
    return seen


def _extended(elements: list, generators: list, h: tuple, limit: int):
    """The elements of <generators, h> as a list, from those of H = <generators> (`elements`, closed, h not
    in H), or None beyond `limit` elements: Dimino's algorithm, H's right cosets H r added while some
    coset representative times a generator falls outside (each element is made once, where closing
    from scratch after each new generator multiplied every element by every generator again)."""
    out, members = list(elements), set(elements)
    gens, reps, k = generators + [h], [], 0

    def add_coset(r):
        coset = [_then(x, r) for x in elements]
        out.extend(coset)
        members.update(coset)
        reps.append(r)

    add_coset(h)
    while k < len(reps):
        if len(out) > limit:
            return None
        r = reps[k]
        for g in gens:
            rg = _then(r, g)
            if rg not in members:
                add_coset(rg)
                if len(out) > limit:
                    return None
        k += 1
    return out


def _size_classes(scenario: Scenario) -> list:
    """The parties grouped by (inputs, outputs), in order."""
    out = {}
    for i in range(scenario.parties):
        out.setdefault((scenario.inputs[i], scenario.outputs[i]), []).append(i)
    return list(out.values())


def _group_generators(scenario: Scenario) -> list:
    """Generators of every relabelling of a binary-output scenario: transpositions of neighbouring
    parties of one size (in the order of the parties of that size), and for the first party of each
    size a transposition and a cycle of its inputs and a swap of its outputs at input 0 (conjugated
    by the party permutations: every party's)."""
    n, out, first = scenario.parties, [], {}
    for i in range(n):
        size = (scenario.inputs[i], scenario.outputs[i])
        if size in first:
            j = first[size][-1]
            perm = list(range(n))
            perm[i], perm[j] = j, i
            out.append(relabelling(scenario, parties=perm))
        first.setdefault(size, []).append(i)
    for members in first.values():
        i, m = members[0], scenario.inputs[members[0]]
        if m >= 2:
            out.append(relabelling(scenario, inputs={i: [1, 0] + list(range(2, m))}))
        if m >= 3:
            out.append(relabelling(scenario, inputs={i: list(range(1, m)) + [0]}))
        out.append(relabelling(scenario, outputs={(i, 0): (1, 0)}))
    return out


def symmetry_generators(definition: dict, orbit_limit: int = 50000, group_limit: int = 20000, work: int = 250000):
    """(generators, order, why): generators of a group of symmetries of the problem (its whole
    stabiliser among relabellings when that has at most `group_limit` elements, else a subgroup that
    does), the order of the group they generate, and a reason when it is trivial. Only problems the
    symmetric solve takes (one Bell block, binary outputs, no statistics or constraints)."""
    try:
        npa = parsed(definition)
    except CertifyError as err:
        return [], 1, str(err)
    scenario = npa.scenario
    if len(npa.blocks) != 1 or any(d != 2 for d in scenario.outputs) or npa.statistics or npa.constraints:
        return [], 1, "not a single Bell objective with binary outputs and no statistics"
    letters = {(i, x): k for k, (i, x) in enumerate((i, x) for i, m in enumerate(scenario.inputs)
                                                      for x in range(m))}
    party = [i for i, _ in sorted(letters, key=letters.get)]
    words = npa.structure.words
    objective = _correlators(npa.blocks[0], words)
    constraint = None if npa.constraint is None else _correlators(npa.constraint, words)
    if objective is None or (npa.constraint is not None and constraint is None):
        return [], 1, "the objective is not a Bell polynomial"
    scale = lcm(*(c.denominator for c in (*objective.values(), *(constraint or {}).values())))

    def integral(poly):  # integer coefficients (hashing and negating Fractions dominated the search)
        return {tuple(sorted(letters[x] for x in key)): int(c * scale) for key, c in poly.items()}

    objective = integral(objective)
    constraint = None if constraint is None else integral(constraint)
    _, *terms = definition["level"].split("+")
    level = [[letters[(ord(c) - ord("A"), 0)] for c in term] for term in terms]

    first = (frozenset(objective.items()), None if constraint is None else frozenset(constraint.items()),
             frozenset(frozenset(party[k] for k in term) for term in level))
    found, order, why = _stabiliser_search(scenario, first, orbit_limit, group_limit, work)
    return [_decode(h, letters) for h in found], order, why


VECTOR_KEYS = 4096  # the vector form of `_vector_orbit` for at most this many correlator keys and level terms
VECTOR_BYTES = 1 << 26  # and while the orbit's vectors (up to its limit) fit in 64 MB: see `_vector_orbit`
VECTOR_COEFFICIENT = 1 << 62  # and coefficients below this magnitude: int64 holds each and its negation


def _vector_orbit(scenario: Scenario, letters: dict, moves: list, party_maps: list, first: tuple, start: tuple,
                  limit: int):
    """The orbit search of `_stabiliser_search` with each point (objective, constraint, level terms) as one
    integer vector over every correlator key (at most one letter a party) and every party set, and each
    move as a signed gather: a frontier's images under a move are one numpy product (the frozensets cost
    ~1 us per term). The same points in the same order: (transversal, edges) with the points named by their
    order of discovery (transversal[p]: the code taking the problem to point p), "limit" past `limit`
    members, or None (the caller then runs the frozenset search) when the scenario has more than VECTOR_KEYS
    keys, a coefficient reaches VECTOR_COEFFICIENT, or `limit` vectors take more than VECTOR_BYTES.

    Memory: the distinct vectors (at most limit + 1, kept once as keys), the frontier and the next one
    (each at most that many rows), and the images of one chunk of the frontier under every move (chunks
    sized to VECTOR_BYTES): at most ~4 VECTOR_BYTES, whatever the scenario."""
    import numpy as np

    n = scenario.parties
    by_party = [[letters[(i, x)] for x in range(scenario.inputs[i])] for i in range(n)]
    size = prod(1 + len(row) for row in by_party)
    if size + 2 ** n > VECTOR_KEYS:
        return None
    objective, constraint, level = first
    width = size * (1 + (constraint is not None)) + 2 ** n
    if (limit + 1) * width * 8 > VECTOR_BYTES:
        return None
    if any(abs(coef) >= VECTOR_COEFFICIENT for poly in (objective, constraint) if poly is not None
           for _, coef in poly):
        return None
    keys = [()]
    for row in by_party:  # sorted tuples of letter numbers: letters are numbered party by party
        keys = keys + [key + (k,) for key in keys for k in row]
    keys.sort()
    index = {key: k for k, key in enumerate(keys)}
    gathers, signs = [], []
    for s, parties in zip(moves, party_maps):
        source, sign = np.zeros(width, dtype=np.int64), np.ones(width, dtype=np.int64)
        for copy in range(1 + (constraint is not None)):
            offset = copy * len(keys)
            for key, k in index.items():
                flips = 0
                for letter in key:
                    flips ^= s[letter] & 1
                target = index[tuple(sorted([s[letter] >> 1 for letter in key]))]
                source[offset + target], sign[offset + target] = offset + k, -1 if flips else 1
        offset = width - 2 ** n
        for mask in range(2 ** n):
            image = sum(1 << parties[i] for i in range(n) if mask >> i & 1)
            source[offset + image] = offset + mask
        gathers.append(source)
        signs.append(sign)
    point = np.zeros(width, dtype=np.int64)
    for copy, poly in enumerate(p for p in (objective, constraint) if p is not None):
        for key, coef in poly:
            point[copy * len(keys) + index[key]] = coef
    for term in level:
        point[width - 2 ** n + sum(1 << i for i in term)] = 1
    chunk = max(1, VECTOR_BYTES // (width * 8 * len(moves)))  # frontier rows gathered at once
    seen, transversal, edges = {point.tobytes(): 0}, [start], []
    frontier, rows = [0], point[None, :]
    while frontier:
        fresh = []
        for low in range(0, len(frontier), chunk):
            images = [rows[low:low + chunk, source] * sign for source, sign in zip(gathers, signs)]
            for a, p in enumerate(frontier[low:low + chunk]):
                for m, block in enumerate(images):
                    vector = block[a].tobytes()
                    q = seen.get(vector)
                    if q is None:
                        q = seen[vector] = len(transversal)
                        transversal.append(_then(transversal[p], moves[m]))
                        fresh.append(vector)
                        if len(transversal) > limit:
                            return "limit"
                    edges.append((p, m, q))
        frontier = list(range(len(transversal) - len(fresh), len(transversal)))
        rows = np.frombuffer(b"".join(fresh), dtype=np.int64).reshape(len(fresh), width)
    return transversal, edges


@lru_cache(maxsize=64)
def _stabiliser_search(scenario: Scenario, first: tuple, orbit_limit: int, group_limit: int, work: int):
    """`symmetry_generators`' search on the problem's data `first` = (objective, constraint, level terms) as
    integral correlator polynomials and party sets: (generator codes, order, why). Cached: it depends on
    those data only, not on the constraint's bound I, so a producer of a curve (one objective and
    constraint at many I) or a family at one level searches once (up to 0.3 s per search)."""
    letters = {(i, x): k for k, (i, x) in enumerate((i, x) for i, m in enumerate(scenario.inputs)
                                                      for x in range(m))}
    party = [i for i, _ in sorted(letters, key=letters.get)]
    moves = [_encode(g, letters) for g in _group_generators(scenario)]
    tables = [{} for _ in moves]  # per move: correlator key -> (image key, sign flipped)

    def image(m, poly):
        table, s = tables[m], moves[m]
        out = []
        for key, coef in poly:
            if key not in table:
                flips = 0
                for k in key:
                    flips ^= s[k] & 1
                table[key] = (tuple(sorted([s[k] >> 1 for k in key])), flips)
            new, flip = table[key]
            out.append((new, -coef if flip else coef))
        return frozenset(out)

    party_maps = [[party[s[letters[(i, 0)]] >> 1] for i in range(scenario.parties)] for s in moves]

    levels = {}

    def act(m, p):  # the move m applied to a point (objective, constraint, level terms) of the orbit
        f, c, lv = p
        if (m, lv) not in levels:
            levels[m, lv] = frozenset(frozenset(party_maps[m][i] for i in term) for term in lv)
        return image(m, f), None if c is None else image(m, c), levels[m, lv]

    start = tuple(2 * k for k in range(len(letters)))
    # the search costs ~1 us per term and move and orbit member: a problem with few symmetries in a
    # large scenario has a huge orbit (up to 3.9 million problems for five binary parties), so
    # stop after `work` such steps (~0.3 s; Mermin-5 at 1+pairs+ABC takes 125,000) and say so (the
    # full path runs)
    terms = len(first[0]) + len(first[1] or ()) + len(first[2])
    limit = min(orbit_limit, max(1000, work // (len(moves) * max(1, terms))))
    orbit = _vector_orbit(scenario, letters, moves, party_maps, first, start, limit)
    if orbit is None:  # a scenario too large for the vector form: the orbit of frozensets
        transversal, edges, frontier = {first: start}, [], [first]
        while frontier:  # the orbit of P under every relabelling, with t_p (t_p(P) = p)
            fresh = []
            for p in frontier:
                for m in range(len(moves)):
                    q = act(m, p)
                    edges.append((p, m, q))
                    if q not in transversal:
                        transversal[q] = _then(transversal[p], moves[m])
                        fresh.append(q)
            if len(transversal) > limit:
                return (), 1, f"the orbit of the problem under relabellings has more than {limit} members"
            frontier = fresh
    elif orbit == "limit":
        return (), 1, f"the orbit of the problem under relabellings has more than {limit} members"
    else:
        transversal, edges = orbit
    whole = 1  # the order of the group of every relabelling: |stabiliser| = whole / |orbit|
    for members in _size_classes(scenario):
        m = scenario.inputs[members[0]]
        whole *= factorial(len(members)) * (factorial(m) * 2 ** m) ** len(members)
    found, group, elements = [], {start}, [start]
    for p, m, q in edges:  # Schreier generators t_p s t_q^-1: each fixes P
        if len(group) * len(transversal) == whole:
            break  # the whole stabiliser
        h = _then(_then(transversal[p], moves[m]), _inverse(transversal[q]))
        if h in group:
            continue
        bigger = _extended(elements, found, h, group_limit)
        if bigger is None:
            continue  # beyond the limit: the subgroup found so far is kept
        found.append(h)
        elements = bigger
        group = set(bigger)
    if not found:
        return (), 1, "no relabelling other than the identity leaves it invariant"
    return tuple(found), len(group), None


@dataclass
class Pipeline:
    """What `certify_npa` ran: the verified result (a `certify.npa.Certified`, or None), which path
    gave it ("symmetric" or "full"), and for the full path why symmetry was not used."""

    result: object
    path: str
    group: int = 1  # |G| of the symmetric solve (1 on the full path)
    invariant: int = 0
    blocks: tuple = ()
    reason: str = ""

    def describe(self) -> str:
        if self.path == "symmetric":
            return (f"symmetry-reduced solve: {self.group} relabellings leave the problem invariant; "
                    f"{self.invariant} invariant moments, PSD blocks {'x'.join(map(str, self.blocks[:6]))}"
                    f"{'...' if len(self.blocks) > 6 else ''}; the full-size certificate is checked by the kernel")
        return f"full-size solve ({self.reason})"

    def note(self) -> dict:
        """For a certificate's (unchecked) producer field."""
        if self.path == "symmetric":
            return {"pipeline": "symmetric", "group": self.group, "invariant_moments": self.invariant,
                    "blocks": list(self.blocks)}
        return {"pipeline": "full", "why_not_symmetric": self.reason}


def certify_npa(definition: dict, solver=None, symmetry: bool = True, target: float = 1e-6) -> Pipeline:
    """The default NPA pipeline (`certify npa`): when the problem has a nontrivial group of symmetries
    (`symmetry_generators`: relabellings of parties, inputs and outputs leaving objective, constraint
    and level invariant) and the solver is Clarabel, the symmetry-reduced solve (`certify_symmetric`,
    whose full-size certificate the kernel checks against the full problem); otherwise, or when that
    gives no certificate within `target` of its float optimum, the full pipeline
    (`certify.npa.certify_problem`; the tighter verified bound of the two is kept). `symmetry=False`
    forces the full path."""
    from certify.npa import certify_problem

    if not symmetry:
        reason = "--no-symmetry"
    elif solver not in (None, "clarabel"):
        reason = f"the symmetry-reduced solve uses Clarabel, not {solver}"
    else:
        generators, order, reason = symmetry_generators(definition)
        if generators:
            try:
                sym = certify_symmetric(definition, generators, target=target, order=order)
            except CertifyError as err:
                if isinstance(err, _too_large()):
                    raise
                sym, reason = None, f"symmetric solve refused: {err}"
            if sym is not None:
                # whenever it certifies within the target: measured cheaper than the full path at every
                # benchmark size warm (x0.05-1.3 one full solve against x1.1-5.8), and cold but for P(00|00) at
                # n = 13; the choice depends on the problem only, never on what is cached (docs/benchmarks.md
                # section 3)
                found = Pipeline(sym.certified(), "symmetric", sym.group, sym.invariant, sym.blocks,
                                 reason=f"{sym.group} relabellings leave the problem invariant")
                if -max(target, 1e-9) * sym.scale <= sym.slack <= target * sym.scale:  # relative to F
                    return found
                full = certify_problem(definition, solver, target)
                if full is None or full.bound >= sym.bound:
                    return found
                return Pipeline(full, "full", reason=f"the symmetric certificate's slack {sym.slack:.1e} missed "
                                f"the target {target:g} and the full path's bound is tighter")
            if reason is None:
                reason = "the symmetric solve gave no verified certificate"
    return Pipeline(certify_problem(definition, solver, target), "full", reason=reason or "no symmetry")


def _too_large():
    from certify.npa import TooLargeForKernel

    return TooLargeForKernel
