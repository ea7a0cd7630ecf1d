"""Fixtures shared by the service tests: a simulator per test module, its knobs reset before each test."""

import pytest

from sri.simulator import Simulator


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    with Simulator(port=0, db_path=tmp_path_factory.mktemp("sim") / "sim.sqlite3") as s:
        yield s


@pytest.fixture(autouse=True)
def _reset(request):
    if "sim" in request.fixturenames:
        request.getfixturevalue("sim").set_knobs(reset=True)
    yield
