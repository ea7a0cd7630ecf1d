"""A loopback SOAP 1.1 server that behaves like SRI's offline Recepción and Autorización services.

    with Simulator(port=0, db_path=tmp / "sim.sqlite3") as sim:
        client = SriClient(sim.url)
        ...
        sim.set_knobs(en_proceso_polls=2)     # same as POST /control {"en_proceso_polls": 2}

Endpoints: ``/comprobantes-electronicos-ws/RecepcionComprobantesOffline`` and
``/comprobantes-electronicos-ws/AutorizacionComprobantesOffline`` (POST SOAP, GET ``?wsdl``),
``/control`` (GET knobs and counters as JSON, POST JSON to change knobs; ``{"reset": true}`` resets).

Fault knobs (see :class:`Knobs`): ``latency_ms``, ``en_proceso_polls``, ``error_70``, ``http_500``,
``drop``, ``timeout_s``, ``reject_rule``. Counters (``error_70``, ``http_500``, ``drop``) are consumed
one per SOAP request; the others stay until changed.

Signature (error 39), as the real SRI: Recepción does not look at it (RECIBIDA when schema, key,
date and uniqueness are right); the document is then NO AUTORIZADO with identifier 39 "FIRMA
INVALIDA" and an informacionAdicional saying why when it is unsigned, its signature does not verify,
its certificate's KeyUsage lacks digitalSignature, or — when CAs are configured — its certificate
(KeyInfo X509Certificate) was not issued by one of them or is not valid at the time of reception.
Trusted CAs: ``Simulator(trusted_cas=[pem_bytes_or_path, ...])`` (a PEM may hold several
certificates; an intermediate CA must itself be listed), CLI ``--trust-ca FILE`` (repeatable), or
``POST /control {"trusted_cas": [PEM text or path, ...]}`` (``[]`` = trust any; ``reset`` goes back
to the constructor's list). DEFAULT, no CA configured: any certificate is trusted (only the
signature itself and KeyUsage are checked). ``verify_signature=False`` (``--no-signature``) skips
all of it.

Documents issued by others (a supplier's factura, a customer's retención) are served too: the
simulator can be SEEDED with authorized XML files — the ``<autorizacion>`` file of the SRI portal
or a bare signed comprobante (anything :func:`sri.received.read` accepts, with or without the
authorization) — ``Simulator(seed=[path, dir, bytes, ...])``, ``sim.seed(xml)`` (returns the access
key), CLI ``--seed FILE_OR_DIR`` (repeatable; a directory means every ``*.xml`` in it) or
``POST /control {"seed": "<autorizacion>…"}`` (XML text or its base64, or a list of them; never
a file path: the server would read its own files). A seeded key answers ``autorizacionComprobante``
AUTORIZADO with its fechaAutorizacion (now when the file has none) and the comprobante, exactly
like the documents the simulator authorized itself; its number is the access key (offline
scheme). A seeded document is not checked against the simulator's ambiente, date tolerance or
trusted CAs (it was authorized elsewhere); its schema, access key and signature integrity are.
Sending it to Recepción answers 43 CLAVE ACCESO REGISTRADA, as SRI does.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

from lxml import etree

from ..constants import ECUADOR_TZ, safe_parser

from . import checks
from .store import Record, Store

HERE = os.path.dirname(os.path.abspath(__file__))
WSDL_DIR = os.path.join(os.path.dirname(HERE), "wsdl")
RECEPTION_PATH = "/comprobantes-electronicos-ws/RecepcionComprobantesOffline"
AUTHORIZATION_PATH = "/comprobantes-electronicos-ws/AutorizacionComprobantesOffline"
WSDL_FILES = {
    RECEPTION_PATH: "RecepcionComprobantesOffline.wsdl",
    AUTHORIZATION_PATH: "AutorizacionComprobantesOffline.wsdl",
}
DEFAULT_DB = os.path.join("data", "simulator.sqlite3")
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
ENVELOPE_START = '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
ENVELOPE_END = "</soap:Body></soap:Envelope>"


# ------------------------------------------------------------------------------------------ knobs

class Knobs:
    """Fault injection settings, shared by the handler threads."""

    COUNTERS = ("error_70", "http_500", "drop")
    FIELDS = ("latency_ms", "en_proceso_polls", "error_70", "http_500", "drop", "timeout_s", "reject_rule",
              "trusted_cas")

    def __init__(self, trusted_cas=None, **values):
        """``trusted_cas``: a :class:`checks.TrustStore` (or what it accepts), restored by ``reset``."""
        self._lock = threading.Lock()
        self._base_trust = trusted_cas if isinstance(trusted_cas, checks.TrustStore) else \
            checks.TrustStore(trusted_cas or ())
        self.reset()
        self.update(values)

    def reset(self):
        with self._lock:
            self.latency_ms = 0         # added to every SOAP answer
            self.en_proceso_polls = 0   # first N autorización polls of each key answer EN PROCESO
            self.error_70 = 0           # next N new receptions: stored, but answered DEVUELTA 70
            self.http_500 = 0           # next N SOAP requests: HTTP 500 with a SOAP fault
            self.drop = 0               # next N SOAP requests: connection closed without answer
            self.timeout_s = 0.0        # sleep before every SOAP answer (client read timeouts)
            self.reject_rule = []       # parsed rules → NO AUTORIZADO
            self.trusted_cas = self._base_trust  # CAs for the chain check (empty: trust any certificate)

    def update(self, values: dict):
        unknown = set(values) - set(self.FIELDS) - {"reset"}
        if unknown:
            raise ValueError(f"perillas desconocidas: {', '.join(sorted(unknown))}; use {', '.join(self.FIELDS)}")
        if values.get("reset"):
            self.reset()
        parsed = {}
        for name, value in values.items():
            if name == "reset":
                continue
            if name == "reject_rule":
                if value in (None, "", []):
                    parsed[name] = []
                else:
                    items = value if isinstance(value, list) else [value]
                    parsed[name] = [checks.parse_rule(v) for v in items]
            elif name == "trusted_cas":
                if isinstance(value, checks.TrustStore):
                    parsed[name] = value
                else:
                    items = [] if value in (None, "") else value if isinstance(value, list) else [value]
                    parsed[name] = checks.TrustStore(items)
            elif name == "timeout_s":
                parsed[name] = max(0.0, float(value or 0))
            else:
                parsed[name] = max(0, int(value or 0))
        with self._lock:
            for name, value in parsed.items():
                setattr(self, name, value)

    def consume(self, name: str) -> bool:
        """Take one from counter ``name``; True when it was positive."""
        with self._lock:
            value = getattr(self, name)
            if value > 0:
                setattr(self, name, value - 1)
                return True
            return False

    def as_dict(self) -> dict:
        with self._lock:
            data = {name: getattr(self, name) for name in self.FIELDS}
        data["reject_rule"] = [r["text"] for r in data["reject_rule"]]
        data["trusted_cas"] = data["trusted_cas"].describe()
        return data


# ------------------------------------------------------------------------------------- answers

def _mensajes(items) -> str:
    if not items:
        return "<mensajes/>"
    out = ["<mensajes>"]
    for m in items:
        out.append("<mensaje><identificador>%s</identificador><mensaje>%s</mensaje>" % (
            escape(m.get("identificador", "")), escape(m.get("mensaje", ""))))
        if m.get("informacionAdicional"):
            out.append("<informacionAdicional>%s</informacionAdicional>" % escape(m["informacionAdicional"]))
        out.append("<tipo>%s</tipo></mensaje>" % escape(m.get("tipo", "ERROR")))
    out.append("</mensajes>")
    return "".join(out)


def reception_response(estado: str, clave: str = "", mensajes=()) -> bytes:
    if estado == "RECIBIDA" and not mensajes:
        comprobantes = "<comprobantes/>"
    else:
        comprobantes = "<comprobantes><comprobante><claveAcceso>%s</claveAcceso>%s</comprobante></comprobantes>" % (
            escape(clave), _mensajes(mensajes))
    body = ('<ns2:validarComprobanteResponse xmlns:ns2="http://ec.gob.sri.ws.recepcion">'
            "<RespuestaRecepcionComprobante><estado>%s</estado>%s</RespuestaRecepcionComprobante>"
            "</ns2:validarComprobanteResponse>" % (estado, comprobantes))
    return (ENVELOPE_START + body + ENVELOPE_END).encode("utf-8")


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def autorizacion_xml(estado, numero, fecha, ambiente, comprobante, mensajes) -> str:
    parts = ["<autorizacion><estado>%s</estado>" % escape(estado)]
    if numero:
        parts.append("<numeroAutorizacion>%s</numeroAutorizacion>" % escape(numero))
    if fecha:
        parts.append("<fechaAutorizacion>%s</fechaAutorizacion>" % escape(fecha))
    parts.append("<ambiente>%s</ambiente>" % escape(ambiente))
    if comprobante:
        parts.append("<comprobante>%s</comprobante>" % _cdata(comprobante))
    parts.append(_mensajes(mensajes))
    parts.append("</autorizacion>")
    return "".join(parts)


def authorization_response(clave: str, autorizaciones=(), lote=False) -> bytes:
    items = "".join(autorizaciones)
    if lote:
        body = ('<ns2:autorizacionComprobanteLoteResponse xmlns:ns2="http://ec.gob.sri.ws.autorizacion">'
                "<RespuestaAutorizacionLote><claveAccesoLoteConsultada>%s</claveAccesoLoteConsultada>"
                "<numeroComprobantesLote>%d</numeroComprobantesLote><autorizaciones>%s</autorizaciones>"
                "</RespuestaAutorizacionLote></ns2:autorizacionComprobanteLoteResponse>"
                % (escape(clave), len(autorizaciones), items))
    else:
        body = ('<ns2:autorizacionComprobanteResponse xmlns:ns2="http://ec.gob.sri.ws.autorizacion">'
                "<RespuestaAutorizacionComprobante><claveAccesoConsultada>%s</claveAccesoConsultada>"
                "<numeroComprobantes>%d</numeroComprobantes><autorizaciones>%s</autorizaciones>"
                "</RespuestaAutorizacionComprobante></ns2:autorizacionComprobanteResponse>"
                % (escape(clave), len(autorizaciones), items))
    return (ENVELOPE_START + body + ENVELOPE_END).encode("utf-8")


def fault_response(code: str, text: str) -> bytes:
    return (ENVELOPE_START + "<soap:Fault><faultcode>%s</faultcode><faultstring>%s</faultstring></soap:Fault>"
            % (escape(code), escape(text)) + ENVELOPE_END).encode("utf-8")


class SoapFault(Exception):
    def __init__(self, code, text):
        super().__init__(text)
        self.code, self.text = code, text


# ------------------------------------------------------------------------------------ the service

class SriService:
    """The SRI logic, independent of HTTP: recepción and autorización over a Store."""

    def __init__(self, store: Store, knobs: Knobs, environment: str = "1", clock=None,
                 validate_schema=True, verify_signature=True):
        if environment not in checks.ENVIRONMENT_NAMES:
            raise ValueError("ambiente debe ser 1 (pruebas) o 2 (producción)")
        self.store = store
        self.knobs = knobs
        self.environment = environment
        self.clock = clock or (lambda: datetime.datetime.now(ECUADOR_TZ))
        self.validate_schema = validate_schema
        self.verify_signature = verify_signature
        self._polls: dict[str, int] = {}
        self._polls_lock = threading.Lock()

    def validar(self, xml: bytes) -> bytes:
        now = self.clock()
        fields, problems = checks.check_document(xml, environment=self.environment, now=now,
                                                 validate_schema=self.validate_schema)
        key = fields.clave_acceso if fields else _guess_key(xml)
        if problems:
            return reception_response("DEVUELTA", key, problems)
        # Received: what Autorización will answer is decided now and stored (39 first, then the rules).
        rejection = checks.signature_problems(fields.root, self.knobs.trusted_cas, now) \
            if self.verify_signature else []
        if not rejection and self.knobs.reject_rule:
            rule = checks.rule_match(fields.root, self.knobs.reject_rule)
            rejection = [rule] if rule else []
        received = now.astimezone(ECUADOR_TZ).replace(microsecond=0)
        record = Record(
            clave_acceso=key, ruc=fields.ruc, cod_doc=fields.cod_doc, estab=fields.estab, pto_emi=fields.pto_emi,
            secuencial=fields.secuencial, ambiente=fields.ambiente, fecha_emision=fields.fecha_emision.isoformat(),
            recibido=received.isoformat(), estado="NO AUTORIZADO" if rejection else "AUTORIZADO",
            fecha_autorizacion=received.isoformat(), mensajes=rejection, xml=xml)
        status, other = self.store.receive(record)
        if status == "43":
            return reception_response("DEVUELTA", key, [checks.message(checks.E43)])
        if status == "45":
            return reception_response("DEVUELTA", key, [checks.message(
                checks.E45, f"El secuencial {fields.estab}-{fields.pto_emi}-{fields.secuencial} ya fue usado por "
                            f"la clave de acceso {other}")])
        if self.knobs.consume("error_70"):
            return reception_response("DEVUELTA", key, [checks.message(checks.E70)])
        return reception_response("RECIBIDA")

    def seed(self, xml) -> str:
        """Store an authorized document issued by somebody else (bytes or text: an ``<autorizacion>``
        file, a SOAP answer, or a bare signed comprobante) so that Autorización serves it; returns
        its access key. Raises ValueError (Spanish message) when it cannot be read."""
        from .. import received
        try:
            doc = received.read(xml, require_authorization=False)
        except received.ReceivedError as exc:
            raise ValueError(f"no se puede sembrar el comprobante: {exc.message}") from None
        now = self.clock().astimezone(ECUADOR_TZ).replace(microsecond=0)
        authorized = doc.authorization_date or now
        record = Record(
            clave_acceso=doc.access_key, ruc=doc.issuer_ruc, cod_doc=doc.code, estab=doc.establishment,
            pto_emi=doc.emission_point, secuencial=doc.sequential, ambiente=doc.environment,
            fecha_emision=doc.emission_date.isoformat(), recibido=now.isoformat(), estado="AUTORIZADO",
            fecha_autorizacion=authorized.isoformat(), mensajes=[], xml=doc.xml.encode("utf-8"))
        self.store.seed(record)
        with self._polls_lock:
            self._polls.pop(doc.access_key, None)
        return doc.access_key

    def autorizar(self, key: str, lote=False) -> bytes:
        key = (key or "").strip()
        record = self.store.get(key) if key else None
        if record is None:
            return authorization_response(key, [], lote)
        ambiente = checks.ENVIRONMENT_NAMES.get(record.ambiente, "")
        limit = self.knobs.en_proceso_polls
        if limit:
            with self._polls_lock:
                polls = self._polls[key] = self._polls.get(key, 0) + 1
            if polls <= limit:
                return authorization_response(key, [autorizacion_xml("EN PROCESO", "", "", ambiente, "", [])], lote)
        comprobante = record.xml.decode("utf-8", "replace")
        if record.estado == "AUTORIZADO":
            item = autorizacion_xml("AUTORIZADO", key, record.fecha_autorizacion, ambiente, comprobante, [])
        else:
            item = autorizacion_xml("NO AUTORIZADO", "", record.fecha_autorizacion, ambiente, comprobante,
                                    record.mensajes)
        return authorization_response(key, [item], lote)

    def handle_soap(self, path: str, body: bytes) -> bytes:
        """Dispatch one SOAP request body; raises SoapFault for requests that are not SOAP."""
        try:
            envelope = etree.fromstring(body, safe_parser())
        except (etree.XMLSyntaxError, ValueError) as exc:
            raise SoapFault("soap:Client", f"Unmarshalling Error: {exc}") from None
        soap_body = envelope.find("{%s}Body" % SOAP_ENV)
        if soap_body is None or not len(soap_body):
            raise SoapFault("soap:Client", "No se encontró soap:Body con una operación")
        op = soap_body[0]
        name = etree.QName(op).localname
        if path == RECEPTION_PATH and name == "validarComprobante":
            node = op.find("xml")
            text = (node.text or "").strip() if node is not None else ""
            if not text:
                return reception_response("DEVUELTA", "", [checks.message(
                    checks.E35, "El argumento xml del servicio llegó vacío")])
            try:
                xml = base64.b64decode("".join(text.split()), validate=True)
            except (binascii.Error, ValueError):
                return reception_response("DEVUELTA", "", [checks.message(
                    checks.E35, "El argumento xml no es base64 válido")])
            return self.validar(xml)
        if path == AUTHORIZATION_PATH and name == "autorizacionComprobante":
            node = op.find("claveAccesoComprobante")
            return self.autorizar(node.text if node is not None else "")
        if path == AUTHORIZATION_PATH and name == "autorizacionComprobanteLote":
            node = op.find("claveAccesoLote")
            return self.autorizar(node.text if node is not None else "", lote=True)
        raise SoapFault("soap:Client", f"Cannot find dispatch method for {{{etree.QName(op).namespace}}}{name}")


def _guess_key(xml: bytes) -> str:
    import re
    m = re.search(rb"<claveAcceso>\s*([0-9]{1,60})\s*</claveAcceso>", xml or b"")
    return m.group(1).decode() if m else ""


# ----------------------------------------------------------------------------------------- HTTP

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SRI-Simulator/1.0"
    disable_nagle_algorithm = True
    wbufsize = 64 * 1024

    def log_message(self, fmt, *args):  # quiet unless asked
        if self.server.sim.verbose:
            super().log_message(fmt, *args)

    def _send(self, status: int, body: bytes, content_type="text/xml; charset=UTF-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def do_GET(self):
        sim = self.server.sim
        path, _, query = self.path.partition("?")
        if path == "/control":
            return self._send(200, json.dumps(sim.status(), ensure_ascii=False).encode(), "application/json")
        if path in WSDL_FILES and query.lower().startswith("wsdl"):
            host = self.headers.get("Host") or f"{sim.host}:{sim.port}"
            return self._send(200, sim.wsdl(path, f"http://{host}"))
        if path in ("/", ""):
            return self._send(200, b"SRI simulator: POST SOAP to " + RECEPTION_PATH.encode() + b" and "
                              + AUTHORIZATION_PATH.encode() + b"\n", "text/plain; charset=UTF-8")
        return self._send(404, b"not found\n", "text/plain")

    def do_POST(self):
        sim = self.server.sim
        path = self.path.partition("?")[0]
        body = self._body()
        if path == "/control":
            seeded = None
            try:
                values = json.loads(body or b"{}")
                if not isinstance(values, dict):
                    raise ValueError("se espera un objeto JSON")
                if "seed" in values:
                    seeded = [sim.seed(_seed_payload(item)) for item in _as_list(values.pop("seed"))]
                cas = values.get("trusted_cas")
                cas = cas if isinstance(cas, list) else [] if cas in (None, "") else [cas]
                if not all(isinstance(c, str) and "-----BEGIN" in c for c in cas):
                    # no file paths from the network: the server would read its own files
                    raise ValueError("trusted_cas: se espera una lista de certificados PEM (texto)")
                sim.knobs.update(values)
            except (ValueError, TypeError) as exc:
                return self._send(400, json.dumps({"error": str(exc)}, ensure_ascii=False).encode(),
                                  "application/json")
            answer = sim.status()
            if seeded is not None:
                answer["seeded"] = seeded
            return self._send(200, json.dumps(answer, ensure_ascii=False).encode(), "application/json")
        if path not in WSDL_FILES:
            return self._send(404, b"not found\n", "text/plain")
        sim._count("requests")
        knobs = sim.knobs
        if knobs.consume("drop"):
            sim._count("dropped")
            self.close_connection = True
            return
        if knobs.latency_ms:
            sim._sleep(knobs.latency_ms / 1000.0)
        if knobs.timeout_s:
            sim._sleep(knobs.timeout_s)
        if knobs.consume("http_500"):
            sim._count("http_500")
            return self._send(500, fault_response("soap:Server", "Internal Server Error (simulado)"))
        try:
            answer = sim.service.handle_soap(path, body)
            status = 200
        except SoapFault as fault:
            answer, status = fault_response(fault.code, fault.text), 500
        except Exception as exc:  # a bug must still look like SRI's 500, not kill the connection
            answer, status = fault_response("soap:Server", f"{type(exc).__name__}: {exc}"), 500
        sim._count("served")
        self._send(status, answer)


def _as_list(value):
    return value if isinstance(value, list) else [] if value in (None, "") else [value]


def _seed_payload(item) -> bytes:
    """A seed sent to ``/control``: XML text, or the base64 of the file. Never a path."""
    if not isinstance(item, str):
        raise ValueError("seed: se espera el XML del comprobante (texto) o su base64")
    text = item.lstrip("\ufeff \t\r\n")
    if text.startswith("<"):
        return text.encode("utf-8")
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("seed: se espera el XML del comprobante (texto que empieza con «<») o su base64; "
                         "no se aceptan rutas de archivo") from None


def seed_sources(items) -> list:
    """Expand ``Simulator(seed=...)`` / ``--seed``: paths of files, directories (every ``*.xml`` in
    them, sorted by name) and XML contents (bytes, or text starting with ``<``) → list of
    ``(label, bytes)``. Raises ValueError for a missing path or an empty directory."""
    out = []
    for item in _as_list(items) if not isinstance(items, (list, tuple)) else items:
        if isinstance(item, (bytes, bytearray)):
            out.append(("bytes", bytes(item)))
            continue
        if isinstance(item, str) and item.lstrip("\ufeff \t\r\n").startswith("<"):
            out.append(("texto", item.encode("utf-8")))
            continue
        path = os.fspath(item)
        if os.path.isdir(path):
            names = sorted(n for n in os.listdir(path) if n.lower().endswith(".xml"))
            if not names:
                raise ValueError(f"la carpeta {path} no contiene archivos .xml para sembrar")
            for name in names:
                with open(os.path.join(path, name), "rb") as fh:
                    out.append((os.path.join(path, name), fh.read()))
        elif os.path.isfile(path):
            with open(path, "rb") as fh:
                out.append((path, fh.read()))
        else:
            raise ValueError(f"no existe el archivo o carpeta {path} para sembrar")
    return out


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class Simulator:
    """In-process simulator: ``Simulator(port=0, db_path=...)``; ``start()``/``stop()`` or ``with``."""

    def __init__(self, port: int = 8099, db_path: str | None = None, host: str = "127.0.0.1",
                 environment: str = "1", knobs: dict | None = None, clock=None, verbose=False,
                 validate_schema=True, verify_signature=True, trusted_cas=None, seed=None):
        """``trusted_cas``: CA certificates (PEM/DER bytes, PEM text, file paths, ``cryptography``
        certificates; a PEM may hold several) the signing certificates must be issued by; ``None``
        or empty (the default) trusts any certificate. Raises ValueError on an unreadable CA.
        ``seed``: authorized documents issued by others to serve (paths of files, directories of
        ``*.xml``, XML bytes or text; see :meth:`seed`); ValueError when one cannot be read."""
        self.host = host
        self.port = port
        self.db_path = str(db_path or DEFAULT_DB)
        self.verbose = verbose
        knobs = dict(knobs or {})
        if trusted_cas is None:
            trusted_cas = knobs.pop("trusted_cas", None)
        self.knobs = Knobs(trusted_cas=trusted_cas, **knobs)
        self.store = Store(self.db_path)
        self.service = SriService(self.store, self.knobs, environment, clock, validate_schema, verify_signature)
        self._server = None
        self._thread = None
        self._stopping = threading.Event()
        self._stats = {"requests": 0, "served": 0, "dropped": 0, "http_500": 0}
        self._stats_lock = threading.Lock()
        self._started_at = None
        self._wsdl_cache: dict[tuple, bytes] = {}
        self.seeded: list[str] = []
        if seed:
            try:
                self.seed_all(seed)
            except BaseException:
                self.store.close()
                raise

    # --------------------------------------------------------------- lifecycle
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self):
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server((self.host, self.port), _Handler)
        self._server.sim = self
        self.port = self._server.server_address[1]
        self._started_at = time.monotonic()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name=f"sri-simulator-{self.port}", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        """Blocking run (the CLI)."""
        self.start()
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def stop(self):
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        self.store.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --------------------------------------------------------------- helpers
    def set_knobs(self, **values):
        self.knobs.update(values)
        return self.knobs.as_dict()

    def seed(self, xml) -> str:
        """Serve an authorized document issued by somebody else: ``xml`` is its content (bytes, or
        text starting with ``<``: the ``<autorizacion>`` file or the bare signed comprobante) or the
        path of one file. Returns its access key; raises ValueError when it cannot be read."""
        if not isinstance(xml, (bytes, bytearray, str, os.PathLike)):
            raise TypeError(f"seed: se esperan bytes, texto XML o una ruta (recibido {type(xml).__name__})")
        if not isinstance(xml, (bytes, bytearray)) and os.path.isdir(os.fspath(xml)) \
                and not str(xml).lstrip().startswith("<"):
            raise ValueError(f"{xml} es una carpeta: use seed_all() para sembrar todos sus archivos .xml")
        label, data = seed_sources([xml])[0]
        try:
            key = self.service.seed(data)
        except ValueError as exc:
            raise ValueError(f"{label}: {exc}" if label not in ("bytes", "texto") else str(exc)) from None
        self.seeded.append(key)
        return key

    def seed_all(self, items) -> list[str]:
        """:meth:`seed` each of ``items`` (files, directories of ``*.xml``, contents); the keys."""
        keys = []
        for label, data in seed_sources(items):
            try:
                keys.append(self.service.seed(data))
            except ValueError as exc:
                raise ValueError(f"{label}: {exc}" if label not in ("bytes", "texto") else str(exc)) from None
        self.seeded.extend(keys)
        return keys

    def _sleep(self, seconds):
        self._stopping.wait(seconds)

    def _count(self, name):
        with self._stats_lock:
            self._stats[name] += 1

    def stats(self) -> dict:
        with self._stats_lock:
            data = dict(self._stats)
        data["uptime_s"] = round(time.monotonic() - self._started_at, 3) if self._started_at else 0.0
        return data

    def status(self) -> dict:
        return {**self.knobs.as_dict(), "stats": self.stats(), "ambiente": self.service.environment,
                "db": self.store.path, "url": self.url, "seeded_keys": len(self.seeded)}

    def wsdl(self, path: str, base: str) -> bytes:
        key = (path, base)
        data = self._wsdl_cache.get(key)
        if data is None:
            with open(os.path.join(WSDL_DIR, WSDL_FILES[path]), "rb") as fh:
                data = fh.read()
            data = data.replace(b"http://localhost" + path.encode(), base.encode() + path.encode())
            self._wsdl_cache[key] = data
        return data
