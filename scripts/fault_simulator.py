# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The SRI simulator of ``python -m sri simulator`` with a witness log, for scripts/test_faults.sh.

    python scripts/fault_simulator.py --host 127.0.0.1 --port P --db FILE [other simulator options]

Same server, same knobs (``POST /control``), same store (``FILE``: one row per access key the SRI
registered). Added: ``FILE.witness`` (SQLite), written by the server itself, one row per SOAP request
it got (``request``: kind send/authorize, access key, before any fault: a dropped or HTTP 500 request is
there too) and one row per reception that reached the store (``reception``: key, ``ok`` = registered
now, ``43`` = that key was already registered, i.e. the document was sent a second time, ``45`` =
number used by another key). The simulator's code is not changed: its handler and store are wrapped.
"""
import base64
import os
import re
import sqlite3
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ADDON = os.path.join(os.path.dirname(HERE), "l10n_ec_sri")
sys.path.insert(0, ADDON)

from sri import __main__ as sri_main  # noqa: E402
from sri.simulator import server, store  # noqa: E402

WITNESS_SCHEMA = """
CREATE TABLE IF NOT EXISTS request (id INTEGER PRIMARY KEY, at REAL, kind TEXT, clave TEXT);
CREATE TABLE IF NOT EXISTS reception (id INTEGER PRIMARY KEY, at REAL, clave TEXT, status TEXT);
"""
KEY_RE = re.compile(rb"<claveAcceso>\s*([0-9]{49})\s*</claveAcceso>")
AUTH_KEY_RE = re.compile(rb"<claveAcceso(?:Comprobante|Lote)>\s*([0-9]+)\s*</claveAcceso(?:Comprobante|Lote)>")
XML_RE = re.compile(rb"<xml>\s*([A-Za-z0-9+/=\s]+?)\s*</xml>")


class Witness:
    def __init__(self, path):
        self.lock = threading.Lock()
        self.conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.executescript(WITNESS_SCHEMA)

    def add(self, table, *values):
        with self.lock:
            self.conn.execute(f"INSERT INTO {table} VALUES (NULL, ?, ?, ?)", (time.time(), *values))


def request_key(path, body):
    """(kind, access key) of a SOAP request body, without the simulator's own parsing."""
    if path == server.RECEPTION_PATH:
        match = XML_RE.search(body or b"")
        key = b""
        if match:
            try:
                found = KEY_RE.search(base64.b64decode(b"".join(match.group(1).split())))
                key = found.group(1) if found else b""
            except ValueError:
                key = b""
        return "send", key.decode()
    match = AUTH_KEY_RE.search(body or b"")
    return "authorize", match.group(1).decode() if match else ""


#: The key recorded for a request whose body did not arrive whole (its client died while sending it).
INCOMPLETE = "(incomplete)"


def install(db_path):
    witness = Witness(db_path + ".witness")
    original_body = server._Handler._body
    original_receive = store.Store.receive

    def _body(self):
        body = original_body(self)
        path = self.path.partition("?")[0]
        if path in server.WSDL_FILES:  # a SOAP request (POST): logged before any fault is applied
            kind, key = request_key(path, body)
            if len(body) < int(self.headers.get("Content-Length") or 0):
                key = INCOMPLETE
            witness.add("request", kind, key)
        return body

    def receive(self, rec):
        status, other = original_receive(self, rec)
        witness.add("reception", rec.clave_acceso, status)
        return status, other

    server._Handler._body = _body
    store.Store.receive = receive


def main(argv):
    db = argv[argv.index("--db") + 1]
    install(db)
    return sri_main.main(["simulator", *argv])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
