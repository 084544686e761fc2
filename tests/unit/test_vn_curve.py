"""The certified H(A|X=0,E)-versus-CHSH curve (certify/vn/curve.py): issue 13's first "must show" bullet
asserted on the committed, kernel-re-checked certificates, and the figure drawn from them."""

import copy
import json
import os
import shutil
from fractions import Fraction

import pytest

from certify.errors import CertifyError
from certify.vn.curve import draw, points

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROOFS = os.path.join(ROOT, "proofs")


@pytest.fixture(scope="module")
def rows():
    return points(PROOFS)


def test_every_committed_point_is_verified_and_below_the_tight_value(rows):
    assert len(rows) >= 9
    assert all(low < exact for _, _, low, exact in rows)  # `points` also refuses a point above it


def test_issue_13_within_5e_3_at_the_four_chsh_values_with_m_at_most_12(rows):
    for s in ("11/5", "12/5", "13/5", "14/5"):
        best = min(exact - low for at, m, low, exact in rows if at == Fraction(s) and m <= 12)
        assert best < 5e-3, (s, best)


def test_gaps_at_s_2_8_shrink_with_m(rows):
    gaps = {m: exact - low for at, m, low, exact in rows if at == Fraction(14, 5)}
    assert set(gaps) >= {4, 8, 12}
    assert gaps[12] < gaps[8] < gaps[4] < 2.2e-2


def test_a_tampered_certificate_is_not_drawn(tmp_path):
    folder = tmp_path / "vn"
    folder.mkdir()
    name = "chsh_H_A_S2.4000_m8.json"
    with open(os.path.join(PROOFS, "vn", name)) as f:
        cert = json.load(f)
    bad = copy.deepcopy(cert)
    bad["claim"]["value"] = "1/2"  # above what the duals prove (0.346...)
    (folder / name).write_text(json.dumps(bad))
    with pytest.raises(CertifyError, match="did not verify"):
        points(str(tmp_path))


def test_figure_is_written(rows, tmp_path):
    pytest.importorskip("matplotlib")
    out = draw(rows, str(tmp_path / "curve.png"))
    assert os.path.getsize(out) > 10_000
    shutil.rmtree(tmp_path, ignore_errors=True)
