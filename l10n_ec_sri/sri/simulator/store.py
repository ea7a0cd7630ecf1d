"""State of the simulator: every received comprobante, in SQLite (WAL), safe for concurrent threads.

A restart on the same file loses nothing: received keys stay received, authorized ones authorized.
Documents issued by others (seeded with :meth:`Store.seed`) live in the same table: Autorización
answers for them exactly as for the documents the simulator authorized itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS comprobante (
    clave_acceso        TEXT PRIMARY KEY,
    ruc                 TEXT NOT NULL,
    cod_doc             TEXT NOT NULL,
    estab               TEXT NOT NULL,
    pto_emi             TEXT NOT NULL,
    secuencial          TEXT NOT NULL,
    ambiente            TEXT NOT NULL,
    fecha_emision       TEXT NOT NULL,
    recibido            TEXT NOT NULL,
    estado              TEXT NOT NULL,
    fecha_autorizacion  TEXT NOT NULL,
    mensajes            TEXT NOT NULL DEFAULT '[]',
    xml                 BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS comprobante_numero
    ON comprobante (ruc, cod_doc, estab, pto_emi, secuencial);
"""


@dataclass
class Record:
    clave_acceso: str
    ruc: str
    cod_doc: str
    estab: str
    pto_emi: str
    secuencial: str
    ambiente: str
    fecha_emision: str
    recibido: str
    estado: str                 # AUTORIZADO | NO AUTORIZADO (decided at reception, as SRI does)
    fecha_autorizacion: str     # ISO 8601 with −05:00
    mensajes: list              # [{"identificador", "mensaje", "informacionAdicional", "tipo"}]
    xml: bytes

    @classmethod
    def from_row(cls, row):
        values = list(row)
        values[11] = json.loads(values[11] or "[]")
        return cls(*values)


COLUMNS = ("clave_acceso, ruc, cod_doc, estab, pto_emi, secuencial, ambiente, fecha_emision, recibido, estado, "
           "fecha_autorizacion, mensajes, xml")


class Store:
    """SQLite-backed store. One connection per thread; writes serialized by a lock (check + insert is
    atomic within the process) and by SQLite's own locking across processes."""

    def __init__(self, path: str):
        self.path = os.path.abspath(path)
        folder = os.path.dirname(self.path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._all = []
        self._all_lock = threading.Lock()
        conn = self._conn()
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    def close(self):
        with self._all_lock:
            conns, self._all = self._all, []
        for conn in conns:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        self._local = threading.local()

    def get(self, clave_acceso: str) -> Record | None:
        row = self._conn().execute(
            f"SELECT {COLUMNS} FROM comprobante WHERE clave_acceso = ?", (clave_acceso,)).fetchone()
        return Record.from_row(row) if row else None

    @contextlib.contextmanager
    def _write(self):
        """One write transaction (``BEGIN IMMEDIATE``), committed when the block ends normally, rolled back
        when it raises or calls ``conn.execute("ROLLBACK")`` itself."""
        conn = self._conn()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                if conn.in_transaction:
                    conn.execute("COMMIT")
            except BaseException:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                raise

    @staticmethod
    def _row(rec: Record) -> tuple:
        """The columns of ``rec`` after its key, in ``COLUMNS`` order."""
        return (rec.ruc, rec.cod_doc, rec.estab, rec.pto_emi, rec.secuencial, rec.ambiente, rec.fecha_emision,
                rec.recibido, rec.estado, rec.fecha_autorizacion, json.dumps(rec.mensajes, ensure_ascii=False),
                rec.xml)

    def receive(self, rec: Record) -> tuple[str, str]:
        """Insert ``rec`` unless its key or its number is taken. Returns ``("ok", "")``,
        ``("43", key)`` (key already received) or ``("45", other_key)`` (sequential used by another key)."""
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM comprobante WHERE clave_acceso = ?", (rec.clave_acceso,)).fetchone():
                conn.execute("ROLLBACK")
                return "43", rec.clave_acceso
            other = conn.execute(
                "SELECT clave_acceso FROM comprobante WHERE ruc = ? AND cod_doc = ? AND estab = ? "
                "AND pto_emi = ? AND secuencial = ?",
                (rec.ruc, rec.cod_doc, rec.estab, rec.pto_emi, rec.secuencial)).fetchone()
            if other:
                conn.execute("ROLLBACK")
                return "45", other[0]
            conn.execute(f"INSERT INTO comprobante ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (rec.clave_acceso,) + self._row(rec))
        return "ok", ""

    def seed(self, rec: Record) -> str:
        """Store ``rec`` (an already authorized document issued by somebody else) whatever its date.
        Seeding the same key again replaces it (restarts with the same ``--seed`` files are
        harmless). Returns ``"inserted"`` or ``"replaced"``; raises ValueError when another key
        already holds the same issuer, type and number (the SRI would never have authorized both)."""
        with self._write() as conn:
            other = conn.execute(
                "SELECT clave_acceso FROM comprobante WHERE ruc = ? AND cod_doc = ? AND estab = ? "
                "AND pto_emi = ? AND secuencial = ? AND clave_acceso != ?",
                (rec.ruc, rec.cod_doc, rec.estab, rec.pto_emi, rec.secuencial, rec.clave_acceso)).fetchone()
            if other:
                raise ValueError(f"el comprobante {rec.estab}-{rec.pto_emi}-{rec.secuencial} (codDoc "
                                 f"{rec.cod_doc}) del RUC {rec.ruc} ya está registrado con otra clave de "
                                 f"acceso ({other[0]})")
            exists = conn.execute("SELECT 1 FROM comprobante WHERE clave_acceso = ?", (rec.clave_acceso,)).fetchone()
            if exists:
                conn.execute(
                    "UPDATE comprobante SET ruc = ?, cod_doc = ?, estab = ?, pto_emi = ?, secuencial = ?, "
                    "ambiente = ?, fecha_emision = ?, recibido = ?, estado = ?, fecha_autorizacion = ?, "
                    "mensajes = ?, xml = ? WHERE clave_acceso = ?", self._row(rec) + (rec.clave_acceso,))
            else:
                conn.execute(f"INSERT INTO comprobante ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (rec.clave_acceso,) + self._row(rec))
        return "replaced" if exists else "inserted"

    def count(self) -> int:
        return self._conn().execute("SELECT COUNT(*) FROM comprobante").fetchone()[0]
