"""`certify show FILE`: a certificate's claim in words, rebuilt from its problem definition.

The statement in a certificate is untrusted text; a referee should read what the kernel
checks. So this prints the problem as the kernel rebuilds it, through the kernel's own parsers
(`parse_scenario`, `parse_expression`, `parse_level`, the count-table reader): the scenario, the
objective (a Bell expression, named when it is CHSH, or a guessing probability), the
constraints, the level and its words; for LP claims the promise and the objective; for bits
claims the table of counts. Then the evidence's sizes and the kernel's verdict (exit 0, 1, 2 or
3 as `certify check`); when a claim the kernel found false has a problem that cannot be rebuilt (a
tampered file fails on its problem_sha256 first), a one-line note replaces the description.
Parties are letters A, B, ... (A first), as in the level words; digit strings of inputs and
outputs list party A first.
"""

import json
from fractions import Fraction

from certify.errors import EXIT_ERROR, EXIT_FALSE, EXIT_INTERNAL, EXIT_OK, CertifyError
from certify.kernel.format import brief, read_json

SUMMARY = "print a certificate's claim rebuilt in words from its problem definition, then the kernel's verdict"
MAX_TERMS_SHOWN = 24


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("show", help=SUMMARY, description=SUMMARY)
    parser.add_argument("file", metavar="FILE", help="one certificate (JSON)")
    parser.add_argument("--json", action="store_true",
                        help='the description lines and the kernel\'s verdict as JSON (format "certify-result/1")')


def run(args) -> int:
    from certify.kernel.proofs import check_file
    from certify.printing import result_json, status

    verdict = check_file(args.file)  # first: a malformed file is described by the kernel's one line
    lines = []
    if verdict.status != "malformed":
        try:
            lines = describe(read_json(args.file))
        except (CertifyError, KeyError, TypeError, ValueError) as err:
            if verdict.ok or not verdict.reason.startswith("problem_sha256 does not match"):
                raise  # the kernel parsed this problem (it got past the hash): failing here is a bug (exit 3)
            # a claim false on its hash was never parsed by the kernel, and its problem may not parse at all:
            # the verdict decides the exit code, the description is a one-line note
            lines = [f"problem not rebuilt in words: {err}"]
    if args.json:
        print(json.dumps(result_json("show", [verdict], file=args.file, description=lines), indent=1))
    else:
        proof = f": proven {verdict.relation} {_bound(verdict.value, verdict.relation)}" if verdict.ok else ""
        print("\n".join([f"file: {args.file}", *lines, f"kernel verdict: {status(verdict)}{proof}"]))
    return {"verified": EXIT_OK, "false": EXIT_FALSE, "malformed": EXIT_ERROR}.get(verdict.status, EXIT_INTERNAL)


def describe(cert: dict) -> list:
    """The claim of a well-formed certificate as lines of text (the kernel has parsed it already)."""
    claim = cert["claim"]
    kind, problem = claim["kind"], claim["problem"]
    lines = [f"claim: {claim['id']}  (kind {kind})",
             f"statement (untrusted text, not read by the kernel): {claim['statement']}",
             "problem, rebuilt from its definition:"]
    body = {"npa.max": _npa, "lp.ns": _lp, "lp.threshold": _threshold, "bits.chsh": _bits,
            "pvalue.chsh": _pvalue, "amplify.bound": _amplify}.get(kind, _generic)(problem)
    lines += [f"  {line}" for line in body]
    lines.append(f"claimed: {_quantity(kind, problem)} {claim['relation']} {_number(claim['value'])}")
    lines.append("evidence: " + (", ".join(f"{k} ({_size(v)})" for k, v in sorted(cert["evidence"].items()))
                                 or "none (the kernel recomputes the bound from the problem alone)"))
    return lines


# --- numbers and words -----------------------------------------------------------------


def _number(text) -> str:
    value = Fraction(text) if isinstance(text, int) else _fraction(text)
    exact = brief(value)
    return exact if value.denominator == 1 or len(exact) > 40 else f"{exact} (= {float(value):.10g})"


def _bound(value: Fraction, relation: str) -> str:
    """The proven value; when long, a decimal rounded so that the relation still holds."""
    exact = brief(value)
    if len(exact) <= 30 or exact.startswith("a rational"):
        return exact
    scaled = value * 10**15
    digits = -(-scaled.numerator // scaled.denominator) if relation == "<=" else scaled.numerator // scaled.denominator
    sign, digits = ("-" if digits < 0 else ""), abs(digits)
    text = f"{sign}{digits // 10**15}.{digits % 10**15:015d}".rstrip("0")
    return text if relation in ("<=", ">=") else f"~{text}"


def _fraction(text) -> Fraction:
    from certify.kernel.format import parse_rational

    return parse_rational(text, "value")


def _size(value) -> str:
    if isinstance(value, list):
        return f"{len(value)} entries"
    if isinstance(value, dict):
        return f"{len(value)} fields"
    return f"{len(str(value))} characters"


def _letters(parties) -> str:
    from certify.kernel.defs.words import party_name

    return ", ".join(party_name(p) for p in parties)


def _scenario(obj) -> tuple:
    from certify.kernel.defs.scenario import parse_scenario

    scenario = parse_scenario(obj, "problem.scenario")
    n = scenario.parties
    line = (f"scenario: {n} parties ({_letters(range(n))}); inputs per party {list(scenario.inputs)}, "
            f"outputs per party {list(scenario.outputs)}")
    return scenario, line


def _probability(outputs, inputs, parties=None) -> str:
    """P(a_S|x_S) with the slots of the parties S; None slots are parties outside S."""
    slots = [k for k, a in enumerate(outputs) if a is not None]
    names = "" if parties is None or len(slots) == len(outputs) else "_" + "".join(_letters(slots).split(", "))
    return (f"P{names}({''.join(str(outputs[k]) for k in slots)}|"
            f"{''.join(str(inputs[k]) for k in slots)})")


def _expression(obj, scenario, where="expression") -> str:
    """A Bell expression in words: "CHSH" when it is the kernel's CHSH, else its terms."""
    from certify.kernel.defs.scenario import chsh, parse_expression

    expr = parse_expression(obj, scenario, where)
    if scenario.parties == 2 and scenario.inputs == (2, 2) and scenario.outputs == (2, 2) and expr == chsh():
        return "CHSH = sum_{x,y} (-1)^{xy} [P(a=b|xy) - P(a!=b|xy)]"
    terms = [f"{'-' if c < 0 else '+'} {brief(abs(c))} {_probability(o, x, True)}" for o, x, c in expr.terms]
    more = f" ... ({len(terms) - MAX_TERMS_SHOWN} more terms)" if len(terms) > MAX_TERMS_SHOWN else ""
    constant = f" + {brief(expr.constant)}" if expr.constant else ""
    text = " ".join(terms[:MAX_TERMS_SHOWN]).lstrip("+ ") + more + constant
    return f"{text or '0'}  [P(a|x): outputs a then inputs x, party A first; P_S: marginal of parties S]"


def _quantity(kind, problem) -> str:
    return {"npa.max": "the maximum over the NPA relaxation", "lp.ns": "the LP optimum over no-signalling boxes",
            "lp.threshold": "the smallest penalty weight c*", "bits.chsh": "certified H_min (bits)",
            "pvalue.chsh": "the local-model p-value", "amplify.bound": "P(guess) of eq. (13)"}.get(kind, "the value")


# --- kinds -----------------------------------------------------------------------------


def _npa(problem) -> list:
    from certify.kernel.defs.words import parse_level

    scenario, line = _scenario(problem["scenario"])
    words = parse_level(problem["level"], scenario.inputs, scenario.outputs, "problem.level")
    sense = "minimise" if problem.get("sense") == "min" else "maximise"
    lines = [line, f"level: {problem['level']} (moment matrix indexed by {len(words)} operator words, "
                   "identity first)"]
    objective = problem["objective"]
    if "bell" in objective:
        lines.append(f"objective: {sense} the Bell expression {_expression(objective['bell'], scenario)}")
    else:
        guess = objective["guess"]
        lines.append(f"objective: maximise the guessing probability of the outputs of parties "
                     f"{_letters(guess['parties'])} at inputs {guess['inputs']}: sum over guesses e of "
                     "P_e(a = e | x), one sub-behaviour P_e per guess (Pironio et al. 2010, G)")
    if problem.get("constraint") is not None:
        c = problem["constraint"]
        lines.append(f"constraint: {_expression(c['expression'], scenario)} >= {_number(c['at'])}")
    for k, item in enumerate(problem.get("statistics") or []):
        lines.append(f"statistic {k}: {_expression(item, scenario, f'statistics[{k}]')} = {_number(item['value'])}")
    for k, item in enumerate(problem.get("constraints") or []):
        body = {key: v for key, v in item.items() if key not in ("relation", "value")}
        lines.append(f"constraint {k}: {_expression(body, scenario)} {item['relation']} {_number(item['value'])}")
    return lines


def _lp(problem) -> list:
    _, line = _scenario(problem["scenario"])
    lines = [line, "variables: a no-signalling box P(a|x) >= 0 (normalised; every marginal independent of the "
                   "other parties' inputs)"]
    promise = problem.get("promise")
    if promise:
        rules = ", ".join(f"x={x}: parity {p}" for x, p in promise["rules"])
        lines.append(f"promise ({len(promise['rules'])} inputs): for each listed x, P(a|x) = 0 unless "
                     f"a_A + a_B + ... = parity (mod 2): {rules}")
    else:
        lines.append("promise: none")
    sense = "minimise" if problem.get("sense") == "min" else "maximise"
    lines.append(f"objective: {sense} {_lp_objective(problem['objective'], problem['scenario'])}")
    for k, item in enumerate(problem.get("constraints") or []):
        lines.append(f"constraint {k}: {json.dumps(item)[:200]}")
    return lines


def _lp_objective(objective, scenario_obj) -> str:
    kind = objective.get("kind")
    if kind == "function":
        return (f"P(g(a_{''.join(_letters(objective['parties']).split(', '))}) = {objective['value']} | "
                f"x = {objective['x']}), g the truth table {objective['table']} (index: the outputs read as a "
                "binary number, first listed party most significant)")
    if kind == "linear":
        terms = [f"{'-' if c.startswith('-') else '+'} {c.lstrip('-')} P({a}|{x})" for x, a, c in objective["terms"]]
        more = f" ... ({len(terms) - MAX_TERMS_SHOWN} more terms)" if len(terms) > MAX_TERMS_SHOWN else ""
        return " ".join(terms[:MAX_TERMS_SHOWN]).lstrip("+ ") + more + "  [P(a|x), party A first]"
    if kind == "bell":
        from certify.kernel.defs.scenario import parse_scenario

        return "the Bell expression " + _expression(objective["expression"], parse_scenario(scenario_obj, "s"))
    if kind == "guess":
        return (f"the guessing probability of parties {_letters(objective['parties'])} at inputs "
                f"{objective['inputs']} (one sub-box per guess)")
    return json.dumps(objective)[:200]


def _threshold(problem) -> list:
    lines = ["the smallest c with f(P) - c B(P) <= v on every box P (Gallego et al. 2013, robustness), where:"]
    lines += [f"  f: {line}" if k == 0 else f"     {line}" for k, line in enumerate(_lp(problem["lp"]))]
    penalty = problem["penalty"]
    terms = penalty.get("terms", [])
    lines.append(f"B: the penalty {penalty.get('kind', '?')} objective with {len(terms)} terms "
                 f"(first: {', '.join(f'{c} P({a}|{x})' for x, a, c in terms[:3])}{' ...' if len(terms) > 3 else ''})")
    lines.append(f"v: target {_number(problem['target'])}")
    return lines


def _counts_table(problem) -> list:
    from certify.kernel.bits import read_counts

    counts, p_xy = read_counts(problem, "problem")
    rows = ["counts N(ab|xy):   x y |    N00    N01    N10    N11 |  P(xy)"]
    for x, y in ((0, 0), (0, 1), (1, 0), (1, 1)):
        cells = "".join(f"{counts[x, y, a, b]:>7}" for a, b in ((0, 0), (0, 1), (1, 0), (1, 1)))
        rows.append(f"                   {x} {y} |{cells} |  {brief(p_xy[x, y])}")
    rows.append(f"n = {sum(counts.values())} trials")
    return rows


def _bits(problem) -> list:
    lines = _counts_table(problem)
    lines.append(f"delta: {_number(problem['delta'])} (the bound holds with probability >= 1 - delta)")
    lines.append(f"model: {problem['model']}; NPA level of the tangents: {problem['level']}")
    lines.append("quantity: n f(I_hat - eps), f from the certified tangents, I_hat and eps of eq. (3) "
                 "(Pironio et al. 2010), rounded down to whole bits")
    return lines


def _pvalue(problem) -> list:
    return _counts_table(problem) + ["quantity: the p-value of the counts under any local model, "
                                     "exp(-n (I_hat - 2)^2 / (2 (1/q + 2)^2)) (Pironio et al. 2010)"]


def _amplify(problem) -> list:
    lines = ["Gallego et al. 2013, eq. (13): P(guess) for the protocol with"]
    lines += [f"{key} = {_number(value) if isinstance(value, str) and key != 'n_b_log2' else value}"
              for key, value in sorted(problem.items()) if key != "n_b_log2"]
    if "n_b_log2" in problem:
        lines.append(f"N_b = 2^{problem['n_b_log2']}")
    return lines


def _generic(problem) -> list:
    return [f"{key}: {json.dumps(value)[:160]}" for key, value in sorted(problem.items())]
