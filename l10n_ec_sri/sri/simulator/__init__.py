"""SRI offline web services simulator (loopback SOAP 1.1 server, SQLite state, fault knobs).

Started by ``python -m sri simulator --port 8099 --db PATH`` or in-process::

    from sri.simulator import Simulator
    with Simulator(port=0, db_path="/tmp/sim.sqlite3") as sim:
        ...  # sim.url, sim.set_knobs(http_500=1), sim.stats()
"""

from .server import (AUTHORIZATION_PATH, DEFAULT_DB, RECEPTION_PATH, Knobs, Simulator,  # noqa: F401
                     SriService)
from .store import Record, Store  # noqa: F401
