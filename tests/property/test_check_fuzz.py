"""`certify check` on randomly mutated files: no crash, no hang, no false VERIFIED."""

import copy
import json
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from certify.certificate import dumps
from certify.kernel.proofs import check_file

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.text(max_size=12)
    | st.sampled_from(["3/2", "1", "-1/4", "2", "1/0", "NaN", "1e9", "7/4", "3/4"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for k, item in enumerate(value):
            yield from _paths(item, prefix + (k,))


def _claim_is_true(relation, value, truth=Fraction(3, 2)):
    return {"==": value == truth, "<=": value >= truth, ">=": value <= truth}[relation]


@settings(max_examples=150)
@given(data=st.data())
def test_mutated_certificate_never_crashes_or_lies(chsh_ns_certificate, tmp_path_factory, data):
    cert = copy.deepcopy(chsh_ns_certificate)
    paths = [p for p in _paths(cert) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        parent = cert
        try:
            for key in path[:-1]:
                parent = parent[key]
            action = data.draw(st.sampled_from(["replace", "delete", "insert"]))
            if action == "delete" and isinstance(parent, dict):
                del parent[path[-1]]
            elif action == "insert" and isinstance(parent, dict):
                parent[data.draw(st.text(max_size=8))] = data.draw(json_values)
            else:
                parent[path[-1]] = data.draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    target = tmp_path_factory.mktemp("fuzz") / "c.json"
    try:
        target.write_text(dumps(cert))
    except TypeError:
        target.write_text(json.dumps(cert, default=str))
    verdict = check_file(str(target))  # must return, never raise
    if verdict.ok:
        # The hash pins the problem, so a verified claim is about max = 3/2.
        assert _claim_is_true(verdict.relation, verdict.claimed), (verdict.relation, verdict.claimed)
