"""Every adapter, once per raw status string of the installed solver version (issue 14 item 5).

The solve itself is real (CHSH at level 1); only the raw status the adapter reads is replaced,
so each string goes through the adapter's whole path: its table, the "numbers only when solved
or inaccurate" rule, and the unpacking. An unknown string is a one-line CertifyError naming the
solver, never a crash and never "optimal". (Two strings SCS 3.3 really writes, "solved" and
"solved (inaccurate - reached max_iters)", are produced by real solves in test_solve_clarabel.py.)
"""

import pytest

from certify.errors import CertifyError
from certify.npa import chsh_max_problem, conic_data
from certify.solve import STATUSES, clarabel, mosek, scs
from certify.solve.common import run_cvxpy

NUMBERS = ("solved", "inaccurate")  # the statuses whose solution carries an optimum and duals


@pytest.fixture(scope="module")
def data():
    return conic_data(chsh_max_problem("1"))


def _clarabel_names():
    import clarabel as native

    return sorted(n for n in dir(native.SolverStatus) if not n.startswith("_"))


class _Raw:
    """A Clarabel result whose status prints as `name` (the adapter reads str(raw.status))."""

    def __init__(self, real, name):
        self._real, self.status = real, type("Status", (), {"__str__": lambda self: name})()

    def __getattr__(self, key):
        return getattr(self._real, key)


def _with_status(monkeypatch, name):
    import clarabel as native

    real = native.DefaultSolver

    class Solver:
        def __init__(self, *args):
            self._solver = real(*args)

        def solve(self):
            return _Raw(self._solver.solve(), name)

    monkeypatch.setattr(native, "DefaultSolver", Solver)


@pytest.mark.parametrize("name", _clarabel_names())
def test_clarabel_direct_each_installed_status(monkeypatch, data, name):
    _with_status(monkeypatch, name)
    sol = clarabel.run(data, None, None, "lmi")
    assert sol.raw_status == name and sol.status == clarabel.STATUS_MAP[name] and sol.status in STATUSES
    assert (sol.duals is not None) == (sol.status in NUMBERS)
    assert (sol.primal is not None) == (sol.status in NUMBERS)


@pytest.mark.parametrize("name", _clarabel_names())
def test_clarabel_cvxpy_each_installed_status(data, name):
    sol = run_cvxpy("clarabel-cvxpy", "CLARABEL", data, None, clarabel.options(None),
                    lambda raw: name, clarabel.STATUS_MAP)
    assert sol.raw_status == name and sol.status == clarabel.STATUS_MAP[name]
    assert (sol.primal is not None) == (sol.status in NUMBERS)


def test_scs_table_is_the_installed_versions():
    import scs as native

    assert native.__version__.split(".")[0] == "3"  # STATUSES_3 is read off SCS 3's src/scs.c
    assert set(scs.STATUSES_3) <= set(scs.STATUS_MAP)
    assert set(scs.STATUS_MAP.values()) <= set(STATUSES)


@pytest.mark.parametrize("name", scs.STATUSES_3)
def test_scs_each_installed_status(data, name):
    sol = run_cvxpy("scs", "SCS", data, None, {"eps_abs": 1e-6, "eps_rel": 1e-6},
                    lambda raw: name, scs.STATUS_MAP)
    assert sol.raw_status == name and sol.status == scs.STATUS_MAP[name] and sol.status in STATUSES
    assert (sol.primal is not None) == (sol.status in NUMBERS)


@pytest.mark.parametrize("name", sorted(mosek.STATUS_MAP))
def test_mosek_each_status(data, name):
    assert mosek.STATUS_MAP[name] in STATUSES
    if not mosek.usable():
        pytest.skip("mosek is not installed or not licensed: its table is checked, its path cannot run")
    sol = run_cvxpy("mosek", "MOSEK", data, None, {}, lambda raw: name, mosek.STATUS_MAP)
    assert sol.status == mosek.STATUS_MAP[name]
    assert (sol.primal is not None) == (sol.status in NUMBERS)


def test_mosek_table_matches_installed_solsta():
    native = pytest.importorskip("mosek")
    names = {f"solsta.{n}" for n in dir(native.solsta) if not n.startswith("_")}
    assert names <= set(mosek.STATUS_MAP), sorted(names - set(mosek.STATUS_MAP))


@pytest.mark.parametrize("adapter", ["clarabel", "clarabel-cvxpy", "scs"])
def test_unknown_status_is_a_one_line_error(monkeypatch, data, adapter):
    weird = "solved (inaccurate - reached a limit SCS 4 may add)"
    if adapter == "clarabel":
        _with_status(monkeypatch, weird)
        call = lambda: clarabel.run(data, None, None, "lmi")  # noqa: E731
    else:
        table = scs.STATUS_MAP if adapter == "scs" else clarabel.STATUS_MAP
        call = lambda: run_cvxpy(adapter, adapter.split("-")[0].upper(), data, None, {},  # noqa: E731
                                 lambda raw: weird, table)
    with pytest.raises(CertifyError, match=f"solver {adapter}: unknown raw status") as err:
        call()
    assert "\n" not in str(err.value)
