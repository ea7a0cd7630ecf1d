"""SOAP client for SRI's offline web services (SPEC §9, §10).

``SriClient(endpoint)`` talks to Recepción (``validarComprobante``) and Autorización
(``autorizacionComprobante``) through zeep, using the WSDL copies in ``sri/wsdl/`` (never downloaded).
Every call returns a dataclass carrying an :class:`Outcome` that tells the caller what to do next;
network trouble never raises: it comes back as ``Outcome.RETRY`` with the error text.

    client = SriClient("pruebas")                 # or "produccion", or "http://127.0.0.1:8099"
    rec = client.send(signed_xml_bytes)           # Reception
    if rec.outcome in (Outcome.RECEIVED, Outcome.ALREADY_RECEIVED):
        auth = client.authorize(access_key)       # Authorization
        if auth.outcome is Outcome.AUTHORIZED:
            store(auth.number, auth.date, auth.authorized_xml)

The parsed WSDLs are cached per process (parsing is slow); a client keeps one HTTP session
(keep-alive) and is safe to share between threads.
"""

from __future__ import annotations

import datetime
import enum
import os
import re
import threading
import time
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import requests
from requests.adapters import HTTPAdapter

from .constants import ECUADOR_TZ

HERE = os.path.dirname(os.path.abspath(__file__))
WSDL_DIR = os.path.join(HERE, "wsdl")
RECEPTION_WSDL = os.path.join(WSDL_DIR, "RecepcionComprobantesOffline.wsdl")
AUTHORIZATION_WSDL = os.path.join(WSDL_DIR, "AutorizacionComprobantesOffline.wsdl")

PRUEBAS_URL = "https://celcer.sri.gob.ec"
PRODUCCION_URL = "https://cel.sri.gob.ec"
ENDPOINTS = {"pruebas": PRUEBAS_URL, "produccion": PRODUCCION_URL, "producción": PRODUCCION_URL}
RECEPTION_PATH = "/comprobantes-electronicos-ws/RecepcionComprobantesOffline"
AUTHORIZATION_PATH = "/comprobantes-electronicos-ws/AutorizacionComprobantesOffline"

RECEPTION_NS = "http://ec.gob.sri.ws.recepcion"
AUTHORIZATION_NS = "http://ec.gob.sri.ws.autorizacion"
RECEPTION_BINDING = "{%s}RecepcionComprobantesOfflineServiceSoapBinding" % RECEPTION_NS
AUTHORIZATION_BINDING = "{%s}AutorizacionComprobantesOfflineServiceSoapBinding" % AUTHORIZATION_NS

# SRI's clock: Ecuador continental time, UTC-05:00 all year (no DST).

# Reception message identifiers with a meaning for the caller (SPEC §9).
ERROR_ALREADY_RECEIVED = "43"   # CLAVE ACCESO REGISTRADA: not an error, go and authorize
ERROR_IN_PROCESS = "70"         # CLAVE DE ACCESO EN PROCESAMIENTO: wait, then authorize

# States as SRI writes them.
RECIBIDA = "RECIBIDA"
DEVUELTA = "DEVUELTA"
AUTORIZADO = "AUTORIZADO"
NO_AUTORIZADO = "NO AUTORIZADO"
EN_PROCESO = "EN PROCESO"


class Outcome(str, enum.Enum):
    """What the caller should do with the document after a call."""

    AUTHORIZED = "authorized"            # autorización AUTORIZADO: done, store number/date/XML
    REJECTED = "rejected"                # DEVUELTA (other than 43/70) or NO AUTORIZADO: fix, see messages
    RETRY = "retry"                      # network/5xx/timeout, error 70, EN PROCESO, 0 comprobantes: try later
    ALREADY_RECEIVED = "already_received"  # DEVUELTA whose only ERROR is 43: query autorización
    RECEIVED = "received"                # RECIBIDA: query autorización (now or a bit later)

    def __str__(self):
        return self.value


@dataclass(frozen=True)
class Message:
    """One ``mensaje`` of an SRI answer."""

    identifier: str
    message: str
    additional_info: str = ""
    type: str = ""          # ERROR | ADVERTENCIA | INFORMATIVO (as SRI writes it)

    @property
    def is_error(self) -> bool:
        return self.type.upper() == "ERROR"

    def __str__(self):
        text = f"[{self.identifier}] {self.message}" if self.identifier else self.message
        if self.additional_info:
            text += f": {self.additional_info}"
        return f"{self.type} {text}" if self.type else text


@dataclass
class Reception:
    """Answer of ``validarComprobante``."""

    state: str                      # RECIBIDA | DEVUELTA | "" (no answer)
    messages: list[Message]
    outcome: Outcome
    raw_request: str = ""           # SOAP envelope sent (text)
    raw_response: str = ""          # body received (text), "" when none
    duration: float = 0.0           # seconds, wall clock of the HTTP exchange
    access_key: str = ""            # claveAcceso echoed by SRI (DEVUELTA) or read from the sent XML
    error: str = ""                 # what went wrong, in a user's words, when there was no usable answer
    http_status: int | None = None
    error_detail: str = ""          # the technical detail of ``error`` (exception, HTTP body), for support

    @property
    def reasons(self) -> list[str]:
        """Human-readable lines (errors first) for logs and chatter."""
        return _reasons(self.messages, self.error)


@dataclass
class AuthorizationEntry:
    """One ``autorizacion`` element (several can come back for one key)."""

    state: str                      # AUTORIZADO | NO AUTORIZADO | EN PROCESO
    number: str = ""
    date: datetime.datetime | None = None   # aware, keeps SRI's offset (−05:00)
    environment: str = ""           # PRUEBAS | PRODUCCIÓN (SRI's text)
    authorized_xml: str = ""        # the ``comprobante`` string (signed document)
    messages: list[Message] = field(default_factory=list)


@dataclass
class Authorization:
    """Answer of ``autorizacionComprobante`` for one access key; the fields describe the chosen entry
    (the AUTORIZADO one, else the latest); ``entries`` holds all of them in SRI's order."""

    state: str                      # AUTORIZADO | NO AUTORIZADO | EN PROCESO | "" (nothing/no answer)
    outcome: Outcome
    access_key: str = ""
    number: str = ""
    date: datetime.datetime | None = None
    environment: str = ""
    authorized_xml: str = ""
    messages: list[Message] = field(default_factory=list)
    entries: list[AuthorizationEntry] = field(default_factory=list)
    count: int = 0                  # numeroComprobantes
    raw_request: str = ""
    raw_response: str = ""
    duration: float = 0.0
    error: str = ""
    http_status: int | None = None
    error_detail: str = ""

    @property
    def reasons(self) -> list[str]:
        return _reasons(self.messages, self.error)

    def to_xml(self) -> bytes:
        """The authorized artefact to store and e-mail: an ``autorizacion`` wrapper with estado,
        numeroAutorizacion, fechaAutorizacion, ambiente and the comprobante as CDATA (SPEC §9)."""
        date = self.date.isoformat() if self.date else ""
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>\n<autorizacion>',
            f"<estado>{escape(self.state)}</estado>",
            f"<numeroAutorizacion>{escape(self.number)}</numeroAutorizacion>",
            f"<fechaAutorizacion>{escape(date)}</fechaAutorizacion>",
            f"<ambiente>{escape(self.environment)}</ambiente>",
            f"<comprobante>{cdata(self.authorized_xml)}</comprobante>",
            "</autorizacion>\n",
        ]
        return "".join(parts).encode("utf-8")


def cdata(text: str) -> str:
    """``text`` as one or more CDATA sections (splits any ``]]>`` it contains)."""
    return "<![CDATA[" + (text or "").replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _reasons(messages, error):
    lines = [str(m) for m in sorted(messages, key=lambda m: not m.is_error)]
    if error:
        lines.append(error)
    return lines


# --------------------------------------------------------------------------- classification

def classify_reception(state: str, messages: list[Message]) -> Outcome:
    """RECIBIDA → RECEIVED; DEVUELTA whose only ERROR is 43 → ALREADY_RECEIVED; any 70 → RETRY;
    any other DEVUELTA → REJECTED; no/unknown state → RETRY."""
    state = (state or "").strip().upper()
    if state == RECIBIDA:
        return Outcome.RECEIVED
    if state != DEVUELTA:
        return Outcome.RETRY
    errors = [m for m in messages if m.is_error] or list(messages)
    ids = {m.identifier.strip() for m in errors}
    if ids == {ERROR_ALREADY_RECEIVED}:
        return Outcome.ALREADY_RECEIVED
    if ids == {ERROR_IN_PROCESS} or ids == {ERROR_IN_PROCESS, ERROR_ALREADY_RECEIVED}:
        return Outcome.RETRY
    return Outcome.REJECTED


def choose_entry(entries: list[AuthorizationEntry]) -> AuthorizationEntry | None:
    """The AUTORIZADO entry if any, else the latest (by fechaAutorizacion, then document order)."""
    if not entries:
        return None
    authorized = [e for e in entries if e.state.upper() == AUTORIZADO]
    pool = authorized or entries
    floor = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
    # max() keeps the first of equal keys, so walk reversed to prefer the later one in document order.
    return max(reversed(pool), key=lambda e: e.date or floor)


def classify_authorization(entry: AuthorizationEntry | None) -> Outcome:
    if entry is None:
        return Outcome.RETRY      # 0 comprobantes: not processed yet
    state = entry.state.strip().upper()
    if state == AUTORIZADO:
        return Outcome.AUTHORIZED
    if state == NO_AUTORIZADO:
        return Outcome.REJECTED
    return Outcome.RETRY          # EN PROCESO or anything unexpected


# --------------------------------------------------------------------------- zeep plumbing

_documents: dict[str, object] = {}
_documents_lock = threading.Lock()
_settings = None


def _zeep_settings():
    global _settings
    if _settings is None:
        from zeep import Settings
        # strict=False: tolerate extra/missing elements in real answers; huge tree: big comprobantes.
        _settings = Settings(strict=False, xml_huge_tree=True)
    return _settings


def _wsdl_document(path: str):
    """The parsed WSDL at ``path``, parsed once per process (thread-safe)."""
    doc = _documents.get(path)
    if doc is not None:
        return doc
    with _documents_lock:
        doc = _documents.get(path)
        if doc is None:
            from zeep.transports import Transport
            from zeep.wsdl import Document
            doc = Document(path, Transport(), settings=_zeep_settings())
            _documents[path] = doc
    return doc


class _Exchange(threading.local):
    """Per-thread record of the last HTTP exchange (the transport is shared by threads)."""

    request: bytes = b""
    response: requests.Response | None = None


def _make_transport_class():
    from zeep.transports import Transport

    class RecordingTransport(Transport):
        """zeep Transport that keeps the raw request/response of the current thread."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.exchange = _Exchange()

        def post(self, address, message, headers):
            self.exchange.request = message if isinstance(message, bytes) else str(message).encode()
            self.exchange.response = None
            response = super().post(address, message, headers)
            self.exchange.response = response
            return response

        def load(self, url):  # pragma: no cover - the WSDLs are local files; never fetch anything
            if os.path.exists(url):
                with open(url, "rb") as fh:
                    return fh.read()
            raise RuntimeError(f"sri.client: refusing to download {url!r}; WSDLs are local files")

    return RecordingTransport


_RecordingTransport = None


def base_url(endpoint: str) -> str:
    """``pruebas``/``produccion`` → SRI host; an URL → its scheme://host[:port] (a full service URL is
    accepted and trimmed to its base)."""
    text = (endpoint or "").strip()
    if text.lower() in ENDPOINTS:
        return ENDPOINTS[text.lower()]
    if not re.match(r"^https?://", text):
        raise ValueError(f"endpoint desconocido {endpoint!r}: use 'pruebas', 'produccion' o una URL http(s)://")
    text = text.split("?", 1)[0].rstrip("/")
    for path in (RECEPTION_PATH, AUTHORIZATION_PATH, "/comprobantes-electronicos-ws"):
        if text.endswith(path):
            text = text[: -len(path)]
    return text.rstrip("/")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _messages(container) -> list[Message]:
    """``mensajes`` (zeep object or None) → list of Message."""
    if container is None:
        return []
    items = getattr(container, "mensaje", None)
    if items is None:
        return []
    if not isinstance(items, list):
        items = [items]
    return [
        Message(identifier=_text(getattr(m, "identificador", "")).strip(),
                message=_text(getattr(m, "mensaje", "")).strip(),
                additional_info=_text(getattr(m, "informacionAdicional", "")).strip(),
                type=_text(getattr(m, "tipo", "")).strip())
        for m in items if m is not None
    ]


def _aware(value) -> datetime.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=ECUADOR_TZ)
        return value
    return None


def _access_key_of(xml: bytes) -> str:
    m = re.search(rb"<claveAcceso>\s*([0-9]{49})\s*</claveAcceso>", xml or b"")
    return m.group(1).decode() if m else ""


class SriClient:
    """Client of SRI's Recepción and Autorización offline services.

    ``endpoint``: ``"pruebas"`` (celcer.sri.gob.ec), ``"produccion"`` (cel.sri.gob.ec) or a base URL such as
    ``"http://127.0.0.1:8099"`` (the simulator). Timeouts in seconds: connecting and waiting for the answer.
    """

    def __init__(self, endpoint: str = "pruebas", connect_timeout: float = 10, read_timeout: float = 30,
                 session: requests.Session | None = None, pool_size: int = 16):
        global _RecordingTransport
        from zeep import Client

        if _RecordingTransport is None:
            _RecordingTransport = _make_transport_class()
        self.endpoint = endpoint
        self.base_url = base_url(endpoint)
        self.reception_url = self.base_url + RECEPTION_PATH
        self.authorization_url = self.base_url + AUTHORIZATION_PATH
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        if session is None:
            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        self.session = session
        self.transport = _RecordingTransport(
            session=session, timeout=connect_timeout, operation_timeout=(connect_timeout, read_timeout))
        settings = _zeep_settings()
        self._reception_client = Client(_wsdl_document(RECEPTION_WSDL), transport=self.transport, settings=settings)
        self._authorization_client = Client(_wsdl_document(AUTHORIZATION_WSDL), transport=self.transport,
                                            settings=settings)
        self._reception = self._reception_client.create_service(RECEPTION_BINDING, self.reception_url)
        self._authorization = self._authorization_client.create_service(AUTHORIZATION_BINDING,
                                                                         self.authorization_url)

    def __repr__(self):
        return f"SriClient({self.base_url!r})"

    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ----------------------------------------------------------------- calls

    def _call(self, operation, **kwargs):
        """Run one SOAP call. Returns (result | None, error_text, raw_request, raw_response, status, secs,
        error_detail): ``error_text`` says in a user's words what went wrong, ``error_detail`` the
        technical detail (exception, HTTP body) for support."""
        from zeep.exceptions import Error as ZeepError, Fault, TransportError

        exchange = self.transport.exchange
        exchange.request, exchange.response = b"", None
        started = time.perf_counter()
        result, error, detail = None, "", ""
        try:
            result = operation(**kwargs)
        except requests.exceptions.Timeout as exc:
            error = "Tiempo de espera agotado: el SRI no respondió a tiempo."
            detail = f"{type(exc).__name__}: {exc}"
        except requests.exceptions.RequestException as exc:
            error = ("Sin conexión con el SRI: la conexión no se pudo establecer o se cortó antes de su "
                     "respuesta (red o servicio del SRI caído).")
            detail = f"{type(exc).__name__}: {exc}"
        except Fault as exc:
            error = "El servicio del SRI respondió con un error propio (SOAP Fault)."
            detail = f"{exc.message}" + (f" ({exc.code})" if exc.code else "")
        except TransportError as exc:
            error = f"El servicio del SRI respondió con el error HTTP {exc.status_code}."
            detail = _text(exc.content)[:500]
        except ZeepError as exc:
            error = "El SRI dio una respuesta que no se puede leer."
            detail = f"{type(exc).__name__}: {exc}"
        except (OSError, ValueError) as exc:  # socket-level trouble or unparsable answer
            error = "Error de comunicación con el SRI."
            detail = f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # zeep chokes on garbage in odd ways (e.g. AttributeError): no usable answer
            error = "El SRI dio una respuesta que no se puede leer."
            detail = f"{type(exc).__name__}: {exc}"
        duration = time.perf_counter() - started
        response = exchange.response
        raw_request = _text(exchange.request)
        raw_response = _text(response.content) if response is not None else ""
        status = response.status_code if response is not None else None
        return result, error, raw_request, raw_response, status, duration, detail

    def send(self, signed_xml: bytes) -> Reception:
        """``validarComprobante``: send the signed document (bytes, UTF-8). Never raises for network errors."""
        if isinstance(signed_xml, str):
            signed_xml = signed_xml.encode("utf-8")
        result, error, raw_req, raw_resp, status, secs, detail = self._call(
            self._reception.validarComprobante, xml=signed_xml)
        key = _access_key_of(signed_xml)
        if result is None:
            return Reception(state="", messages=[], outcome=_error_outcome(error, status), raw_request=raw_req,
                             raw_response=raw_resp, duration=secs, access_key=key,
                             error=error or "Respuesta vacía del SRI", http_status=status, error_detail=detail)
        try:
            reception = parse_reception(result)
        except Exception as exc:  # an answer zeep accepted but we cannot read: retry later
            return Reception(state="", messages=[], outcome=Outcome.RETRY, raw_request=raw_req,
                             raw_response=raw_resp, duration=secs, access_key=key, http_status=status,
                             error="El SRI dio una respuesta que no se puede leer.",
                             error_detail=f"{type(exc).__name__}: {exc}")
        reception.raw_request, reception.raw_response = raw_req, raw_resp
        reception.duration, reception.http_status = secs, status
        reception.access_key = reception.access_key or key
        return reception

    def authorize(self, access_key: str) -> Authorization:
        """``autorizacionComprobante``: ask for the state of ``access_key``. Never raises for network errors."""
        access_key = str(access_key).strip()
        result, error, raw_req, raw_resp, status, secs, detail = self._call(
            self._authorization.autorizacionComprobante, claveAccesoComprobante=access_key)
        if result is None:
            return Authorization(state="", outcome=_error_outcome(error, status), access_key=access_key,
                                 raw_request=raw_req, raw_response=raw_resp, duration=secs,
                                 error=error or "Respuesta vacía del SRI", http_status=status, error_detail=detail)
        try:
            auth = parse_authorization(result, access_key)
        except Exception as exc:  # an answer zeep accepted but we cannot read: retry later
            return Authorization(state="", outcome=Outcome.RETRY, access_key=access_key, raw_request=raw_req,
                                 raw_response=raw_resp, duration=secs, http_status=status,
                                 error="El SRI dio una respuesta que no se puede leer.",
                                 error_detail=f"{type(exc).__name__}: {exc}")
        auth.raw_request, auth.raw_response = raw_req, raw_resp
        auth.duration, auth.http_status = secs, status
        return auth


def _error_outcome(error: str, status: int | None) -> Outcome:
    """No usable answer. Network errors, timeouts, 5xx (with or without a SOAP fault), 4xx pages from
    proxies and garbage are RETRY; only a SOAP fault that did NOT come with a 5xx is REJECTED (the
    service refused the request itself, retrying the same request will not help)."""
    if "(SOAP Fault)" in error and status is not None and status < 500:
        return Outcome.REJECTED
    return Outcome.RETRY


# --------------------------------------------------------------------------- parsing (zeep objects)

def parse_reception(result) -> Reception:
    """zeep's ``RespuestaRecepcionComprobante`` (or the response wrapper) → Reception (no raw fields)."""
    answer = getattr(result, "RespuestaRecepcionComprobante", None) if not hasattr(result, "estado") else result
    if answer is None:
        answer = result
    state = _text(getattr(answer, "estado", "")).strip().upper()
    messages, key = [], ""
    comprobantes = getattr(answer, "comprobantes", None)
    items = getattr(comprobantes, "comprobante", None) if comprobantes is not None else None
    if items is not None and not isinstance(items, list):
        items = [items]
    for comp in items or []:
        if comp is None:
            continue
        key = key or _text(getattr(comp, "claveAcceso", "")).strip()
        messages.extend(_messages(getattr(comp, "mensajes", None)))
    return Reception(state=state, messages=messages, outcome=classify_reception(state, messages), access_key=key)


def parse_authorization(result, access_key: str = "") -> Authorization:
    """zeep's ``RespuestaAutorizacionComprobante`` → Authorization (no raw fields)."""
    answer = getattr(result, "RespuestaAutorizacionComprobante", None) if not hasattr(result, "autorizaciones") \
        else result
    if answer is None:
        answer = result
    key = _text(getattr(answer, "claveAccesoConsultada", "")).strip() or access_key
    entries = []
    container = getattr(answer, "autorizaciones", None)
    items = getattr(container, "autorizacion", None) if container is not None else None
    if items is not None and not isinstance(items, list):
        items = [items]
    for item in items or []:
        if item is None:
            continue
        entries.append(AuthorizationEntry(
            state=_text(getattr(item, "estado", "")).strip().upper(),
            number=_text(getattr(item, "numeroAutorizacion", "")).strip(),
            date=_aware(getattr(item, "fechaAutorizacion", None)),
            environment=_text(getattr(item, "ambiente", "")).strip(),
            authorized_xml=_text(getattr(item, "comprobante", "")).strip(),
            messages=_messages(getattr(item, "mensajes", None)),
        ))
    count_text = _text(getattr(answer, "numeroComprobantes", "")).strip()
    count = int(count_text) if count_text.isdigit() else len(entries)
    chosen = choose_entry(entries)
    auth = Authorization(state=chosen.state if chosen else "", outcome=classify_authorization(chosen),
                         access_key=key, entries=entries, count=count)
    if chosen is not None:
        auth.number, auth.date, auth.environment = chosen.number, chosen.date, chosen.environment
        auth.authorized_xml, auth.messages = chosen.authorized_xml, list(chosen.messages)
    return auth


# --------------------------------------------------------------------------- shared clients

_clients: dict[tuple, SriClient] = {}
_clients_lock = threading.Lock()


def get_client(endpoint: str = "pruebas", connect_timeout: float = 10, read_timeout: float = 30) -> SriClient:
    """A process-wide SriClient per (endpoint, timeouts): reuses its keep-alive session across calls."""
    key = (base_url(endpoint), float(connect_timeout), float(read_timeout))
    client = _clients.get(key)
    if client is None:
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = SriClient(endpoint, connect_timeout, read_timeout)
    return client
