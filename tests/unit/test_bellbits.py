"""Certified bits from any Bell test (kind "bits.bell", issue 12 item 3): values, the CHSH special case,
tampering, the estimator's unbiasedness, the general count tables and the command line."""

import copy
import json
import math
import random
from fractions import Fraction
from itertools import product

import pytest

from certify.bellbits import certify_bits, claim_problem, estimator, read_problem, seed_bits
from certify.certificate import checked
from certify.cli import main
from certify.counts import parse_bell_csv, read_bell_counts, read_counts
from certify.errors import CertifyError
from certify.expressions import evaluate
from certify.kernel import problem_sha256
from certify.kernel.defs.scenario import Scenario, chsh, make_expression
from certify.papers.pironio2010.bits import bits_certificate

EXAMPLES = "certify/data/examples"
TABLE1 = "certify/data/pironio2010_table1.csv"
DELTA = Fraction(1, 100)


def _example(name, azuma=None, level=None):
    spec = read_problem(json.load(open(f"{EXAMPLES}/{name}_bits.json")), name)
    table = read_bell_counts(f"{EXAMPLES}/{name}_counts.csv")
    p_x = spec["p_x"] or {x: Fraction(1, len(xs)) for xs in [list(product(*map(range, spec["scenario"].inputs)))]
                          for x in xs}
    return certify_bits(spec["scenario"], spec["expr"], p_x, table.counts, spec["parties"], DELTA,
                        level or spec["level"], f"test/{name}", name, azuma or spec["azuma"])


def _table1(level, azuma="bounded"):
    table = read_counts(TABLE1)
    counts = {((x, y), (a, b)): c for (x, y, a, b), c in table.counts.items()}
    p = {(x, y): Fraction(1, 4) for x in (0, 1) for y in (0, 1)}
    return certify_bits(Scenario((2, 2), (2, 2)), chsh(), p, counts, [0, 1], DELTA, level, "test/table1", "Table 1",
                        azuma)


@pytest.fixture(scope="module")
def mermin():
    return _example("mermin3")


@pytest.fixture(scope="module")
def biased():
    return _example("chsh_biased")


def test_made_up_mermin_table_gives_kernel_verified_bits(mermin):
    cert, info = mermin
    verdict = checked(cert, "mermin")
    assert verdict.ok and verdict.kind == "bits.bell"
    assert verdict.value == 2648 and info["n"] == 3996  # 0.66 bits a round at Mermin 3.41 (of 4)
    assert info["i_hat"] == Fraction(3596, 999) and (info["lo"], info["hi"]) == (-4, 4)
    assert len(cert["evidence"]["tangents"]) == 4  # one per input 001, 010, 100, 111
    assert seed_bits({x: Fraction(1, 4) for x in range(4)}, 3996) == 7992


def test_biased_input_chsh_table_gives_kernel_verified_bits(biased):
    cert, info = biased
    verdict = checked(cert, "biased")
    assert verdict.ok and verdict.value == 973 and info["n"] == 6006
    assert (info["lo"], info["hi"]) == (-6, 6)  # +-1/P(xy), P(xy) = 1/6 at 01, 10, 11


def test_the_bounded_form_gives_fewer_bits_than_the_range_form():
    cert, info = _example("chsh_biased", azuma="bounded")
    assert checked(cert, "bounded").value == 549 < 973


@pytest.mark.parametrize("level,bits", [("1+AB", 42), ("2", 43)])
def test_table1_through_the_general_chain_equals_the_chsh_chain(level, bits):
    """Pironio et al.'s Table 1 with eq. (3)'s Azuma constant ("bounded"): the same number of bits as the
    bits.chsh producer at the same level (and as the committed proofs/pironio2010/bits certificates)."""
    cert, _ = _table1(level)
    table = read_counts(TABLE1)
    old = bits_certificate(table.counts, {k: Fraction(1, 4) for k in ((0, 0), (0, 1), (1, 0), (1, 1))}, DELTA,
                           level, "old", "Table 1")
    assert checked(cert, "new").value == checked(old, "old").value == bits


@pytest.mark.slow
def test_table1_level_3_equals_the_chsh_chain():
    cert, _ = _table1("3")
    assert checked(cert, "new").value == 44


def test_table1_with_the_range_form():
    cert, info = _table1("1+AB", "range")
    assert checked(cert, "range").value == 276  # eps 0.221 instead of eq. (3)'s 0.377


def _rehash(cert):
    cert["problem_sha256"] = problem_sha256(cert["claim"]["problem"])
    return cert


def _status(cert):
    try:
        return checked(cert, "tampered").status
    except CertifyError:
        return "malformed"


def _shift(text, by):
    return str(Fraction(text) + by).replace(" ", "")


def test_tangent_off_by_1e_12_is_rejected(mermin):
    cert = copy.deepcopy(mermin[0])
    t = cert["evidence"]["tangents"][1]["evidence"]
    t["nu"] = _shift(t["nu"], Fraction(-1, 10**12))
    verdict = checked(cert, "t")
    assert verdict.status == "false" and "dual identity fails" in verdict.reason


def test_wrong_range_certificate_is_rejected(biased):
    cert = copy.deepcopy(biased[0])
    cert["evidence"]["max"]["evidence"]["nu"] = _shift(cert["evidence"]["max"]["evidence"]["nu"], Fraction(-1, 10**6))
    assert _status(cert) == "false"  # a smaller quantum maximum than the dual proves
    cert = copy.deepcopy(biased[0])
    cert["evidence"]["max"], cert["evidence"]["min"] = cert["evidence"]["min"], cert["evidence"]["max"]
    assert _status(cert) == "false"  # the minimum's certificate offered as the maximum's


def test_counts_altered_are_rejected(biased):
    cert = copy.deepcopy(biased[0])
    cert["claim"]["problem"]["counts"]["00|00"] -= 100
    cert["claim"]["problem"]["counts"]["00|01"] += 100
    assert checked(cert, "t").reason == "problem_sha256 does not match the problem definition"
    assert _status(_rehash(cert)) == "false"  # a lower estimate: the claimed bits no longer follow


def test_a_line_that_does_not_dominate_is_rejected(mermin):
    cert = copy.deepcopy(mermin[0])
    cert["evidence"]["line"]["nu"] = _shift(cert["evidence"]["line"]["nu"], Fraction(-1, 10**9))
    verdict = checked(cert, "t")
    assert verdict.status == "false" and "below tangent" in verdict.reason
    cert = copy.deepcopy(mermin[0])
    cert["evidence"]["line"]["lambda"] = "-1/10"
    assert _status(cert) == "false"


def test_claimed_bits_one_too_high_are_rejected(mermin, biased):
    for cert in (mermin[0], biased[0]):
        cert = copy.deepcopy(cert)
        cert["claim"]["value"] = str(int(cert["claim"]["value"]) + 1)
        assert _status(cert) == "false"


def test_the_azuma_form_is_part_of_the_claim(biased):
    cert = copy.deepcopy(biased[0])
    cert["claim"]["problem"]["azuma"] = "bounded"
    assert _status(_rehash(cert)) == "false"  # 549 bits, not 973


@pytest.mark.parametrize("edit", [
    lambda c: c["evidence"]["tangents"].pop(),  # an input without a tangent
    lambda c: c["evidence"]["tangents"].append(c["evidence"]["tangents"][0]),  # one input twice
    lambda c: c["evidence"]["tangents"][0]["problem"]["constraint"]["expression"]["terms"].pop(),  # not E
    lambda c: c["evidence"]["tangents"][0]["problem"].update(statistics=[]),  # a conditional line
])
def test_tangents_must_be_the_claims_guesses(biased, edit):
    cert = copy.deepcopy(biased[0])
    edit(cert)
    assert _status(cert) in ("false", "malformed")


@pytest.mark.parametrize("edit,match", [
    (lambda p: p["p_x"].update({"00": "1/3"}), "summing to 1"),
    (lambda p: p["counts"].update({"22|00": 1}), "digits"),
    (lambda p: p.update(azuma="hoeffding"), "azuma"),
    (lambda p: p.update(parties=[1, 0]), "increasing"),
])
def test_malformed_problems(biased, edit, match):
    from certify.kernel import check_certificate

    cert = copy.deepcopy(biased[0])
    edit(cert["claim"]["problem"])
    with pytest.raises(CertifyError, match=match):
        check_certificate(_rehash(cert), "t")


def test_a_term_whose_inputs_are_never_chosen_is_not_estimable():
    sc = Scenario((2, 2), (2, 2))
    problem = claim_problem(sc, chsh(), {(0, 0): Fraction(1, 2), (0, 1): Fraction(1, 2)}, {((0, 0), (0, 0)): 1},
                            [0, 1], DELTA)
    from certify.kernel.bellbits import read

    with pytest.raises(CertifyError, match="never chosen"):
        estimator(*read(problem, "p")[:3], "p")


def test_zero_bits_need_no_evidence():
    sc = Scenario((2, 2), (2, 2))
    cert, info = certify_bits(sc, chsh(), {(x, y): Fraction(1, 4) for x in (0, 1) for y in (0, 1)},
                              {((x, y), (a, b)): 10 for x, y, a, b in product((0, 1), repeat=4)}, [0, 1], DELTA, "1+AB",
                              "t/zero", "uniform noise")
    verdict = checked(cert, "zero")
    assert verdict.ok and verdict.value == 0 and info["bits"] == 0


@pytest.mark.parametrize("seed", range(20))
def test_the_estimator_is_unbiased_on_no_signalling_boxes(seed):
    """sum_x p(x) sum_a P(a|x) I(a, x) = E(P) for a random local (hence no-signalling) box, a random expression
    with marginal and full terms and a random p(x) with zeros: step 1 of the kernel's chain, exactly."""
    rng = random.Random(seed)
    sc = Scenario((2, 3, 2), (2, 2, 3))
    xs = list(product(*map(range, sc.inputs)))
    weights = {x: rng.randint(0, 3) for x in xs}
    weights[xs[0]] = weights[xs[-1]] = 1  # every party's every input is chosen (else a marginal is not estimable)
    for i in range(sc.parties):
        for v in range(sc.inputs[i]):
            weights[next(x for x in xs if x[i] == v and x[(i + 1) % 3] == 0)] += 1
    p = {x: Fraction(w, sum(weights.values())) for x, w in weights.items() if w}
    terms = []
    while len(terms) < 8:
        parties = [i for i in range(3) if rng.random() < 0.6] or [0]
        outs = [rng.randrange(sc.outputs[i]) if i in parties else None for i in range(3)]
        ins = [rng.randrange(sc.inputs[i]) if i in parties else None for i in range(3)]
        if any(all(v is None or v == w for v, w in zip(ins, x)) for x in p):  # estimable: its inputs occur
            terms.append((outs, ins, Fraction(rng.randint(-5, 5), rng.randint(1, 4))))
    expr = make_expression(sc, terms, Fraction(rng.randint(-3, 3)))
    strategies = [[[rng.randrange(sc.outputs[i]) for _ in range(sc.inputs[i])] for i in range(3)] for _ in range(3)]
    mix = [Fraction(1, 6), Fraction(1, 3), Fraction(1, 2)]

    def box(outs, ins):  # P(a_S|x_S) of the mixture; None slots are summed over
        return sum(w for w, s in zip(mix, strategies)
                   if all(a is None or s[i][x] == a for i, (a, x) in enumerate(zip(outs, ins))))

    table, index = estimator(sc, expr, p, "e")
    mean = sum(p[x] * box(a, x) * table[x][index[a]] for x in p for a in index)
    assert mean == evaluate(expr, box)


def test_general_count_tables(tmp_path):
    text = "x,y,z,a,b,c,count\n0,0,1,0,0,0,5\n0,0,1,1,1,0,3\n"
    assert dict(parse_bell_csv(text).counts) == {((0, 0, 1), (0, 0, 0)): 5, ((0, 0, 1), (1, 1, 0)): 3}
    for variant in (text.replace(",", ";"), text.replace(",", "\t"), "\ufeff" + text,
                    "xA,xB,xC,aA,aB,aC,count\n0,0,1,0,0,0,5\n0,0,1,1,1,0,3\n",
                    "# comment\nx,y,z,N000,N110\n0,0,1,5,3\n"):
        assert dict(parse_bell_csv(variant).counts) == dict(parse_bell_csv(text).counts)
    wide = read_bell_counts(TABLE1)
    assert wide.n == 3016 and wide.parties == 2 and wide.counts[(1, 1), (0, 1)] == 340
    assert read_bell_counts(f"{EXAMPLES}/mermin3_counts.csv").input_totals() == {
        (0, 0, 1): 1012, (0, 1, 0): 984, (1, 0, 0): 992, (1, 1, 1): 1008}


@pytest.mark.parametrize("text,match", [
    ("x,y,z,a,b,count\n0,0,1,0,0,5\n", "expected a header"),
    ("x,y,a,b,count\n0,0,0,0,5\n0,0,0,0,1\n", r"line 3: duplicate row for x=00,a=00 \(first at line 2\)"),
    ("x,y,a,b,count\n0,0,0,0,-5\n", r"line 2, column count: negative"),
    ("x,y,a,b,count\n0,0,0,0\n", r"line 2: expected 5 columns, got 4"),
    ("x,y,a,b,count\n", "empty table"),
])
def test_malformed_general_tables(text, match):
    with pytest.raises(CertifyError, match=match):
        parse_bell_csv(text, "t.csv")


def _cli(capsys, *args):
    code = main(["bits", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_writes_a_verified_certificate_and_states_the_seed(tmp_path, capsys):
    out = tmp_path / "b.json"
    code, text, _ = _cli(capsys, "--problem", f"{EXAMPLES}/chsh_biased_bits.json", "--counts",
                         f"{EXAMPLES}/chsh_biased_counts.csv", "--out", str(out))
    assert code == 0
    assert "with probability >= 1 - 1/100, H_min >= 973 bits" in text
    assert "seed randomness consumed: n H(p(x)) = 10765.6 bits (arithmetic from the stated p(x), not a certified" in text
    assert main(["check", str(out)]) == 0
    capsys.readouterr()
    code, text, _ = _cli(capsys, "--problem", f"{EXAMPLES}/chsh_biased_bits.json", "--counts",
                         f"{EXAMPLES}/chsh_biased_counts.csv", "--json", "--azuma", "bounded")
    doc = json.loads(text)
    assert code == 0 and doc["ok"] and doc["bits"] == 549 and doc["claims"][0]["kind"] == "bits.bell"
    jsonschema = pytest.importorskip("jsonschema")
    from importlib.resources import files

    schema = json.loads((files("certify") / "data" / "schemas" / "certify-cli-1.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)


def test_cli_json_count_table_with_its_own_p_x(tmp_path, capsys):
    table = read_bell_counts(f"{EXAMPLES}/mermin3_counts.csv")
    rows = [{"x": "".join(map(str, x)), "a": [int(v) for v in a], "count": c} for (x, a), c in table.counts.items()]
    p_x = {"001": "1/4", "010": "1/4", "100": "1/4", "111": "1/4"}
    (tmp_path / "t.json").write_text(json.dumps({"counts": rows, "p_x": p_x}))
    problem = json.load(open(f"{EXAMPLES}/mermin3_bits.json"))
    problem.pop("p_x")
    (tmp_path / "p.json").write_text(json.dumps(dict(problem, parties=[0])))
    code, text, _ = _cli(capsys, "--problem", str(tmp_path / "p.json"), "--counts", str(tmp_path / "t.json"))
    assert code == 0 and "H_min >= 901 bits" in text  # the table's p_x, Alice's bit
    (tmp_path / "p.json").write_text(json.dumps(dict(problem, p_x=dict(p_x, **{"001": "1/2", "111": "0"}))))
    code, out, err = _cli(capsys, "--problem", str(tmp_path / "p.json"), "--counts", str(tmp_path / "t.json"))
    assert code == 2 and "p_x differs" in err and len(err.strip().splitlines()) == 1


def test_cli_frequencies_contradicting_p_x_exit_2_with_one_line(capsys):
    code, out, err = _cli(capsys, "--problem", f"{EXAMPLES}/chsh_biased_bits.json", "--counts", TABLE1)
    assert code == 2 and not out and len(err.strip().splitlines()) == 1
    assert "input frequencies contradict p(x): inputs x=00 occur 752 times in 3016 trials, p(x) = 1/2" in err


@pytest.mark.parametrize("body", [
    "x,y,z,a,b,c,count\n0,0,1,0,0,0,five\n",  # not a count
    "x,y,z,a,b,c,count\n0,0,1,0,0,2,5\n",  # output 2 of a binary party
    "x,y,a,b,count\n0,0,0,0,5\n",  # two parties for a three-party problem
    "x,y,z,a,b,c,count\n0,1,1,0,0,0,5\n",  # inputs 011 are never chosen (p(x) = 0)
])
def test_cli_malformed_table_exit_2_with_one_line(tmp_path, capsys, body):
    path = tmp_path / "t.csv"
    path.write_text(body)
    code, out, err = _cli(capsys, "--problem", f"{EXAMPLES}/mermin3_bits.json", "--counts", str(path))
    assert code == 2 and not out and len(err.strip().splitlines()) == 1 and "t.csv" in err


def test_cli_reads_standard_input(monkeypatch, capsys):
    import io
    import sys

    data = open(f"{EXAMPLES}/chsh_biased_counts.csv", encoding="utf-8").read().replace(",", ";")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(("\ufeff" + data).encode())))
    code, text, _ = _cli(capsys, "--problem", f"{EXAMPLES}/chsh_biased_bits.json", "--counts", "-")
    assert code == 0 and "H_min >= 973 bits" in text and "stdin" in text


def test_direction_min_certifies_the_negated_expression(tmp_path, capsys):
    """A Bell inequality violated downwards (here -CHSH, "direction": "min") gives the same bits as CHSH: the
    claim is made for -E, so lambda >= 0 keeps its meaning (the bound falls as the violation grows)."""
    spec = json.load(open(f"{EXAMPLES}/chsh_biased_bits.json"))
    spec["expression"]["correlators"] = [dict(c, coef=str(-Fraction(c["coef"]))) for c in
                                         spec["expression"]["correlators"]]
    (tmp_path / "neg.json").write_text(json.dumps(dict(spec, direction="min")))
    code, text, _ = _cli(capsys, "--problem", str(tmp_path / "neg.json"), "--counts",
                         f"{EXAMPLES}/chsh_biased_counts.csv")
    assert code == 0 and "H_min >= 973 bits" in text and "direction min" in text
    (tmp_path / "wrong.json").write_text(json.dumps(spec))  # -CHSH read as "larger is more random": no bits
    code, text, _ = _cli(capsys, "--problem", str(tmp_path / "wrong.json"), "--counts",
                         f"{EXAMPLES}/chsh_biased_counts.csv")
    assert code == 0 and "H_min >= 0 bits" in text


def test_cli_curve_is_an_adaptive_certified_envelope(tmp_path, capsys):
    """--curve: tangents on a grid from the local bound (2, enumerated) to the proven maximum, refined where the
    envelope sags; every file is a verified npa.max certificate; f is non-decreasing, and at the chain's read
    point n f agrees with the chain's bits."""
    from certify.bellbits import f_certified
    from certify.kernel.format import read_json
    from certify.kernel.npa import verify_tangent

    folder = tmp_path / "curve"
    code, text, _ = _cli(capsys, "--problem", f"{EXAMPLES}/chsh_biased_bits.json", "--counts",
                         f"{EXAMPLES}/chsh_biased_counts.csv", "--curve", str(folder))
    assert code == 0 and "E = 2.000000: f >= 0.000000" in text
    certs = [read_json(str(path)) for path in sorted(folder.glob("*.json"))]
    assert 10 <= len(certs) <= 24 and all(checked(c, "curve").ok for c in certs)
    tangents = sorted((Fraction(c["claim"]["problem"]["constraint"]["at"]), c,
                       verify_tangent(c["claim"]["problem"], c["evidence"], "t")) for c in certs)
    points = [at for at, _, _ in tangents]
    assert points[0] == 2 and sum(at > Fraction(28, 10) for at in points) >= 4  # refined where G is steep
    values = [f_certified(tangents, at) for at in points]
    assert values == sorted(values) and 1.2 < values[-1] < 1.23  # CHSH at Tsirelson: 1.2284 (level 1+AB)
    read_at = Fraction(2303167, 10**6)
    assert abs(6006 * f_certified(tangents, read_at) - 973) < 2


def test_three_outcomes_cglmp():
    """More than two outcomes: a made-up CGLMP-3 table (Collins et al. 2002's qutrit statistics with 5% noise);
    Alice's trit, two tangents (her two inputs), the upper end of E proven by NPA (2.914854 < algebraic 4)."""
    cert, info = _example("cglmp3")
    verdict = checked(cert, "cglmp")
    assert verdict.ok and verdict.value == 2504 and info["n"] == 6000 and info["i_hat"] == Fraction(341, 125)
    assert len(cert["evidence"]["tangents"]) == 2 and "max" in cert["evidence"]
    assert abs(float(info["top"]) - (1 + math.sqrt(11 / 3))) < 1e-6  # the CGLMP-3 quantum maximum


def test_python_twin_of_the_command(tmp_path):
    from certify import bellbits

    problem = json.load(open(f"{EXAMPLES}/mermin3_bits.json"))
    table = read_bell_counts(f"{EXAMPLES}/mermin3_counts.csv")
    run = bellbits.bits(problem, table, parties="A", out=str(tmp_path / "a.json"), claim_id="me/alice")
    assert run.verdict.ok and run.bits == 901 and run.verdict.claim_id == "me/alice"  # Alice's bit alone
    assert main(["check", str(tmp_path / "a.json")]) == 0
    with pytest.raises(CertifyError, match="input frequencies contradict p"):
        bellbits.bits(dict(problem, p_x={"001": "1/2", "010": "1/6", "100": "1/6", "111": "1/6"}), table)


def test_committed_certificates_verify_with_their_values():
    from certify.kernel.format import read_json

    expected = {"mermin3": 2648, "chsh_biased": 973, "table1-eq3": 42, "table1-range": 276}
    for name, bits in expected.items():
        verdict = checked(read_json(f"proofs/bell/{name}.json"), name)
        assert verdict.ok and verdict.value == bits and verdict.claim_id == f"bell/bits/{name}"


def test_a_line_that_dominates_only_near_the_data_is_rejected(biased):
    """Soundness point (a): the line is rotated about the read point R (the same bits), so it still lies above
    the tangents for I >= R but not at the low end of the proven range [L, U]; Jensen needs it on all of [L, U]."""
    cert = copy.deepcopy(biased[0])
    line = cert["evidence"]["line"]
    read_at = Fraction(biased[1]["read_at"])
    turn = Fraction(1, 10)
    line["lambda"] = str(Fraction(line["lambda"]) - turn)
    line["nu"] = str(Fraction(line["nu"]) - turn * read_at)
    verdict = checked(cert, "t")
    assert verdict.status == "false" and "below tangent" in verdict.reason and "[-2828427" in verdict.reason
