"""SRI offline web services simulator (loopback SOAP 1.1 server, SQLite state, fault knobs).

Started by ``python -m sri simulator --port 8099 --db PATH`` or in-process::

    from sri.simulator import Simulator
    with Simulator(port=0, db_path="/tmp/sim.sqlite3") as sim:
        ...  # sim.url, sim.set_knobs(http_500=1), sim.stats()

Signatures are checked as the real SRI does: not at Recepción (RECIBIDA) but at Autorización (NO
AUTORIZADO 39 "FIRMA INVALIDA"). ``Simulator(trusted_cas=[...])`` / ``--trust-ca FILE`` sets the CAs
the signing certificate must be issued by; none configured (the default) trusts any certificate.
Documents issued by others are served once seeded: ``Simulator(seed=[file, dir, xml_bytes])``,
``sim.seed(xml)``, ``--seed FILE_OR_DIR`` or ``POST /control {"seed": xml_text}``.
See :mod:`sri.simulator.server`.
"""

from .server import (AUTHORIZATION_PATH, DEFAULT_DB, RECEPTION_PATH, Knobs, Simulator,  # noqa: F401
                     SriService)
from .checks import TrustStore  # noqa: F401
from .store import Record, Store  # noqa: F401
