"""What the simulator checks on ``validarComprobante``, in SRI's order (SPEC §2, §3, §9).

``check_document(xml, ...)`` returns either a list of ``mensaje`` dicts (DEVUELTA) or the fields of a
document that may be received. Uniqueness (43, 45) is decided by the store, atomically.

The signature is not a reception check: as the real SRI does, a document with a bad signature (or
none, or signed by a certificate that does not chain to a trusted CA) is RECIBIDA and then answered
NO AUTORIZADO 39 "FIRMA INVALIDA" by Autorización. ``signature_problems(root, trust, now)`` returns
that mensaje (or nothing); :class:`TrustStore` is the set of trusted CAs (empty = trust any
certificate, the default).
"""

from __future__ import annotations

import datetime
import os
import re
import threading
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtensionOID
from lxml import etree

from .. import access_key as _access_key
from ..constants import ECUADOR_TZ, safe_parser

TOLERANCE_MINUTES = 129_600  # 90 days (SPEC §3)

ROOT_COD_DOC = {
    "factura": "01",
    "liquidacionCompra": "03",
    "notaCredito": "04",
    "notaDebito": "05",
    "guiaRemision": "06",
    "comprobanteRetencion": "07",
}
ENVIRONMENT_NAMES = {"1": "PRUEBAS", "2": "PRODUCCIÓN"}

# SRI's identifiers and texts (SPEC §9).
E35 = ("35", "ARCHIVO NO CUMPLE ESTRUCTURA XML")
E39 = ("39", "FIRMA INVALIDA")
E43 = ("43", "CLAVE ACCESO REGISTRADA")
E45 = ("45", "SECUENCIAL REGISTRADO")
E65 = ("65", "FECHA EMISIÓN EXTEMPORANEA")
E70 = ("70", "CLAVE DE ACCESO EN PROCESAMIENTO")
RULE_ID = "99"                      # NO AUTORIZADO by a simulator rule (not an SRI number)
RULE_TEXT = "RECHAZADO POR REGLA DEL SIMULADOR"



def message(error, info="", tipo="ERROR") -> dict:
    identificador, text = error
    return {"identificador": identificador, "mensaje": text, "informacionAdicional": info, "tipo": tipo}


@dataclass
class Fields:
    root: object
    clave_acceso: str
    ruc: str
    cod_doc: str
    estab: str
    pto_emi: str
    secuencial: str
    ambiente: str
    fecha_emision: datetime.date


def parse(xml: bytes):
    """Well-formed document → root element, else None and the parser's complaint."""
    try:
        return etree.fromstring(xml, safe_parser()), ""
    except (etree.XMLSyntaxError, ValueError) as exc:
        return None, str(exc)


def _schema_errors(root) -> list[str]:
    from .. import schemas
    return [str(e) for e in schemas.validate(root)]


# ------------------------------------------------------------------------------ signature (39)

class TrustStore:
    """The CA certificates the simulator trusts (immutable; swap the whole store to change it).

    ``TrustStore(items)``: each item is PEM bytes or text (one or several certificates), DER bytes,
    a path to a PEM/DER file, or a ``cryptography`` certificate. Empty = trust any certificate (no
    chain check: what the simulator always did)."""

    def __init__(self, items=()):
        if isinstance(items, (bytes, str, os.PathLike, x509.Certificate)):
            items = [items]
        certs, seen = [], set()
        for item in items or ():
            for cert in _load_certificates(item):
                der = cert.public_bytes(serialization.Encoding.DER)
                if der not in seen:
                    seen.add(der)
                    certs.append(cert)
        self.certificates = tuple(certs)
        self._ders = frozenset(seen)
        self._issuer_cache: dict[bytes, object] = {}
        self._cache_lock = threading.Lock()

    def __bool__(self):
        return bool(self.certificates)

    def __len__(self):
        return len(self.certificates)

    def describe(self) -> list[str]:
        """The subjects of the trusted CAs (for ``GET /control``)."""
        return [c.subject.rfc4514_string() for c in self.certificates]

    def issuer_of(self, cert):
        """The trusted CA that issued ``cert`` (or ``cert`` itself when it is trusted as such), else None."""
        der = cert.public_bytes(serialization.Encoding.DER)
        with self._cache_lock:
            if der in self._issuer_cache:
                return self._issuer_cache[der]
        found = cert if der in self._ders else None
        for ca in self.certificates if found is None else ():
            try:
                cert.verify_directly_issued_by(ca)   # issuer name = CA subject, signature by the CA's key
            except (ValueError, TypeError, InvalidSignature):
                continue
            found = ca
            break
        with self._cache_lock:
            if len(self._issuer_cache) > 4096:
                self._issuer_cache.clear()
            self._issuer_cache[der] = found
        return found


def _load_certificates(item) -> list:
    if isinstance(item, x509.Certificate):
        return [item]
    if isinstance(item, str) and "-----BEGIN" in item:
        data, origin = item.encode("ascii", "replace"), "texto PEM"
    elif isinstance(item, (str, os.PathLike)):
        try:
            with open(item, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise ValueError(f"no se puede leer el certificado de CA {item}: {exc.strerror}") from None
        origin = str(item)
    elif isinstance(item, (bytes, bytearray)):
        data, origin = bytes(item), "bytes"
    else:
        raise TypeError(f"certificado de CA no reconocido: {type(item).__name__}")
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise ValueError(f"certificado de CA no válido ({origin}): {exc}") from None


def _utc(cert, name):
    value = getattr(cert, name + "_utc", None)  # cryptography >= 42
    return value if value is not None else getattr(cert, name).replace(tzinfo=datetime.timezone.utc)


def signature_problems(root, trust: TrustStore | None = None, now: datetime.datetime | None = None) -> list:
    """``[]`` when the signature verifies and its certificate is acceptable, else ``[mensaje 39]``.

    Always: the XAdES-BES signature verifies with the certificate in its KeyInfo (``signing.verify``),
    and that certificate's KeyUsage, when it has one, includes digitalSignature. With a non-empty
    ``trust``: the certificate is issued by one of the trusted CAs and is valid at ``now`` — the
    time of reception (XAdES-BES has no trusted time stamp: SigningTime and fechaEmision are the
    signer's own claims, so the verifier's clock is the only time it can trust)."""
    from .. import signing
    from ..errors import SignatureError
    try:
        verified = signing.verify(root)
    except SignatureError as exc:
        return [message(E39, str(exc))]
    info = verified.certificate
    cert = info.x509
    who = f"El certificado del firmante ({info.subject}, emitido por {info.issuer}, serie {info.serial_number})"
    try:
        cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE)
        has_ku = True
    except x509.ExtensionNotFound:
        has_ku = False  # RFC 5280: no KeyUsage = not restricted
    if has_ku and "digitalSignature" not in info.key_usage:
        return [message(E39, f"{who} no es del tipo firma digital: su uso de clave "
                             f"({', '.join(info.key_usage) or 'ninguno'}) no incluye digitalSignature")]
    if not trust:
        return []
    if trust.issuer_of(cert) is None:
        return [message(E39, f"{who} no fue emitido por una entidad de certificación reconocida "
                             f"(se reconocen: {'; '.join(trust.describe())})"[:2000])]
    now = now or datetime.datetime.now(datetime.timezone.utc)
    not_before, not_after = _utc(cert, "not_valid_before"), _utc(cert, "not_valid_after")
    if now > not_after:
        return [message(E39, f"{who} está caducado: venció el {not_after.astimezone(ECUADOR_TZ):%d/%m/%Y %H:%M} "
                             f"y la recepción fue el {now.astimezone(ECUADOR_TZ):%d/%m/%Y %H:%M}")]
    if now < not_before:
        return [message(E39, f"{who} todavía no es válido: su vigencia empieza el "
                             f"{not_before.astimezone(ECUADOR_TZ):%d/%m/%Y %H:%M}")]
    return []


def _t(node, path):
    found = node.find(path) if node is not None else None
    return (found.text or "").strip() if found is not None and found.text else ""


def _fecha_emision(root) -> str:
    """fechaEmision of the info* block (guía de remisión has none: fechaIniTransporte stands in)."""
    for child in root:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag.startswith("info") and tag not in ("infoTributaria", "infoAdicional"):
            return _t(child, "fechaEmision") or _t(child, "fechaIniTransporte")
    return ""


def check_document(xml: bytes, *, environment: str, now: datetime.datetime, validate_schema=True,
                   verify_signature=None):
    """Reception checks up to (not including) uniqueness. Returns ``(fields, [])`` or
    ``(fields|None, [mensaje...])``. The signature is checked later (``signature_problems``), by the
    caller, on a document that passed; ``verify_signature`` is accepted and ignored (older callers)."""
    root, problem = parse(xml)
    if root is None:
        return None, [message(E35, f"El XML no está bien formado: {problem}")]
    tag = etree.QName(root).localname if isinstance(root.tag, str) else ""
    cod_doc_root = ROOT_COD_DOC.get(tag)
    if cod_doc_root is None:
        return None, [message(E35, f"Elemento raíz desconocido <{tag}>: se espera uno de "
                                   + ", ".join(ROOT_COD_DOC))]
    if validate_schema:
        errors = _schema_errors(root)
        if errors:
            info = "; ".join(errors[:5]) + (f" (y {len(errors) - 5} más)" if len(errors) > 5 else "")
            return None, [message(E35, info[:2000])]
    info = root.find("infoTributaria")
    key = _t(info, "claveAcceso")
    fields = Fields(root=root, clave_acceso=key, ruc=_t(info, "ruc"), cod_doc=_t(info, "codDoc"),
                    estab=_t(info, "estab"), pto_emi=_t(info, "ptoEmi"), secuencial=_t(info, "secuencial"),
                    ambiente=_t(info, "ambiente"), fecha_emision=None)
    if not _access_key.is_valid(key):
        detail = "no tiene 49 dígitos" if not re.fullmatch(r"[0-9]{49}", key) else \
            f"dígito verificador incorrecto (es {key[48]}, debería ser {_access_key.check_digit(key[:48])})"
        return fields, [message(E35, f"Clave de acceso {key}: {detail}")]
    parsed = _access_key.parse(key)
    fecha_text = _fecha_emision(root)
    try:
        fecha = datetime.datetime.strptime(fecha_text, "%d/%m/%Y").date()
    except ValueError:
        fecha = None
    mismatches = []
    for label, in_key, in_doc in (
            ("ruc", parsed.ruc, fields.ruc), ("codDoc", parsed.document_type, fields.cod_doc),
            ("estab", parsed.establishment, fields.estab), ("ptoEmi", parsed.emission_point, fields.pto_emi),
            ("secuencial", parsed.sequential, fields.secuencial), ("ambiente", parsed.environment, fields.ambiente)):
        if in_key != in_doc:
            mismatches.append(f"{label}: clave {in_key}, comprobante {in_doc}")
    if fields.cod_doc != cod_doc_root:
        mismatches.append(f"codDoc {fields.cod_doc} no corresponde a <{tag}> ({cod_doc_root})")
    if fecha is not None and fecha != parsed.emission_date:
        mismatches.append(f"fecha: clave {parsed.emission_date:%d/%m/%Y}, comprobante {fecha:%d/%m/%Y}")
    if mismatches:
        return fields, [message(E35, "La clave de acceso no corresponde a los datos del comprobante: "
                                     + "; ".join(mismatches))]
    fields.fecha_emision = fecha or parsed.emission_date
    if fields.ambiente != environment:
        return fields, [message(E35, f"Ambiente {fields.ambiente} ({ENVIRONMENT_NAMES.get(fields.ambiente, '?')}) "
                                     f"no corresponde a este servicio: ambiente {environment} "
                                     f"({ENVIRONMENT_NAMES.get(environment, '?')})")]
    start = datetime.datetime.combine(fields.fecha_emision, datetime.time(), ECUADOR_TZ)
    minutes = abs((now - start).total_seconds()) / 60
    if minutes > TOLERANCE_MINUTES:
        return fields, [message(E65, f"La fecha de emisión {fields.fecha_emision:%d/%m/%Y} está fuera de la "
                                     f"tolerancia de {TOLERANCE_MINUTES} minutos respecto de la fecha del servidor "
                                     f"{now:%d/%m/%Y %H:%M}")]
    return fields, []


# ------------------------------------------------------------------------------------ reject rules

_RULE = re.compile(r"^\s*([A-Za-z_][\w]*)\s*(>=|<=|!=|>|<|=)\s*([^|]*?)\s*(?:\|\s*(.*))?$")
ALIASES = {
    "buyer": ("identificacionComprador", "identificacionSujetoRetenido", "identificacionProveedor",
              "identificacionDestinatario"),
    "total": ("importeTotal", "valorTotal", "valorModificacion"),
}


def parse_rule(text: str) -> dict:
    """``"importeTotal>1000"``, ``"buyer=0999999999"``, optionally ``"|mensaje"`` at the end."""
    m = _RULE.match(str(text or ""))
    if not m:
        raise ValueError(f"regla no válida {text!r}: use CAMPO>NUMERO, CAMPO<NUMERO o CAMPO=VALOR "
                         "(campo = etiqueta XML, 'buyer' o 'total'), opcionalmente '|mensaje'")
    return {"field": m.group(1), "op": m.group(2), "value": m.group(3), "message": (m.group(4) or "").strip(),
            "text": str(text).strip()}


def _compare(actual: str, op: str, expected: str) -> bool:
    if op in ("=", "!="):
        return (actual == expected) == (op == "=")
    try:
        a, b = float(actual), float(expected)
    except ValueError:
        return False
    return {">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[op]


def rule_match(root, rules) -> dict | None:
    """First rule matched by the document (any element with the rule's tag), as a mensaje dict."""
    for rule in rules:
        tags = ALIASES.get(rule["field"], (rule["field"],))
        for tag in tags:
            for node in root.iter(tag):
                value = (node.text or "").strip()
                if _compare(value, rule["op"], rule["value"]):
                    return {"identificador": RULE_ID, "mensaje": rule["message"] or RULE_TEXT,
                            "informacionAdicional": f"{tag} = {value} cumple la regla {rule['text']}",
                            "tipo": "ERROR"}
    return None
