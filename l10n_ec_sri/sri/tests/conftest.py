"""Fixtures shared by the service tests: a simulator per test module, its knobs reset before each test.

The simulator trusts the per-process test CA (``testing.make_ca``), which issues every
``testing.make_p12()`` certificate unless another ``ca=`` is given: a certificate from another CA
is answered NO AUTORIZADO 39, as SRI answers one not issued by an accredited CA.
"""

import pytest
from cryptography.hazmat.primitives import serialization

from sri import testing
from sri.simulator import Simulator


@pytest.fixture(scope="session")
def test_ca_pem():
    return testing.make_ca()[1].public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def sim(tmp_path_factory, test_ca_pem):
    with Simulator(port=0, db_path=tmp_path_factory.mktemp("sim") / "sim.sqlite3",
                   trusted_cas=[test_ca_pem]) as s:
        yield s


@pytest.fixture(autouse=True)
def _reset(request):
    if "sim" in request.fixturenames:
        request.getfixturevalue("sim").set_knobs(reset=True)
    yield
