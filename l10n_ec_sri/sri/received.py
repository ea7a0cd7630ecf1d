"""Documents RECEIVED from suppliers and customers: read an authorized SRI comprobante into plain data.

    doc = received.read(open("factura.xml", "rb").read())     # the <autorizacion> file
    doc = received.from_authorization(client.authorize(key))   # fetched from the SRI by its key
    keys = received.keys_from_txt(open("recibidos.txt", "rb").read())

:func:`read` accepts what suppliers send and what the SRI portal lets one download: the
``<autorizacion>`` file (estado, numeroAutorizacion, fechaAutorizacion, ambiente and the
comprobante as CDATA, as escaped text or as a nested element — what
:meth:`sri.client.Authorization.to_xml` writes), the same inside a ``RespuestaAutorizacionComprobante``
or a whole SOAP envelope of the authorization service (the AUTORIZADO ``autorizacion`` is taken),
with or without an XML declaration, BOM or leading whitespace, in UTF-8 or a declared ISO-8859-1.
A bare signed comprobante (no authorization) is refused unless ``require_authorization=False``.

Every version the SRI still authorizes is read (:data:`READ_VERSIONS`): factura 1.0.0, 1.1.0,
2.0.0, 2.1.0; liquidación de compra 1.0.0, 1.1.0; nota de crédito 1.0.0, 1.1.0; nota de débito
1.0.0; retención 1.0.0, 2.0.0. Guías de remisión (06) are not read: they carry no amounts.

The comprobante must pass, in this order: its type and version, its access key (49 digits, check
digit, date), the XSD (:func:`sri.schemas.validate`, legacy versions included), the access key
against the document (codDoc, RUC, ambiente, estab, ptoEmi, secuencial, fecha de emisión) and its
signature. The signature is checked for INTEGRITY only (nothing was modified after signing), not
for trust: the certificate of a supplier is issued by a CA we know nothing of, may have expired
since, and the SRI already accepted it when it authorized the document. :func:`sri.signing.verify`
is used first; when it refuses a signature for a detail of its own (XAdES properties it expects
in the form our signer writes them, a CertDigest with another algorithm, the certificate chain in
KeyInfo in another order…), the enveloped signature is verified again with xmlsec alone, with each
certificate the signature carries.

Every problem raises :class:`ReceivedError`, whose ``message`` says in Spanish what is wrong and
what to do; ``kind`` classifies it for the caller (see :class:`ReceivedError`). Nothing here
imports Odoo; refusing a key already imported is the caller's job (it owns the database).
"""

from __future__ import annotations

import base64
import codecs
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lxml import etree

from . import access_key as _access_key
from . import schemas, signing
from .constants import ECUADOR_TZ, safe_parser
from .errors import SignatureError, SriError, SriValidationError

__all__ = [
    "ReceivedError", "ReceivedDocument", "ReceivedTax", "ReceivedLine", "ReceivedSupport",
    "ReceivedWithholding", "read", "read_comprobante", "from_authorization", "keys_from_txt",
    "parse_authorization_date", "READ_VERSIONS",
]

#: XML root of a comprobante -> versions read.
READ_VERSIONS = {
    "factura": ("1.0.0", "1.1.0", "2.0.0", "2.1.0"),
    "liquidacionCompra": ("1.0.0", "1.1.0"),
    "notaCredito": ("1.0.0", "1.1.0"),
    "notaDebito": ("1.0.0",),
    "comprobanteRetencion": ("1.0.0", "2.0.0"),
}
#: XML root -> codDoc.
ROOT_CODES = {"factura": "01", "liquidacionCompra": "03", "notaCredito": "04", "notaDebito": "05",
              "comprobanteRetencion": "07"}
#: codDoc -> type (the JSON ``type`` of ``sri.documents`` / ``sri.kinds``).
TYPES = {"01": "factura", "03": "liquidacion_compra", "04": "nota_credito", "05": "nota_debito",
         "07": "retencion"}
#: codDoc -> the document's name in messages.
TITLES = {"01": "factura", "03": "liquidación de compra", "04": "nota de crédito", "05": "nota de débito",
          "06": "guía de remisión", "07": "comprobante de retención"}
#: IVA codigoPorcentaje -> tarifa (%), SPEC §5 (the same table as ``sri.documents.VAT_RATES``).
VAT_RATES = {"0": Decimal("0"), "2": Decimal("12"), "3": Decimal("14"), "4": Decimal("15"), "5": Decimal("5"),
             "6": Decimal("0"), "7": Decimal("0"), "8": Decimal("8"), "10": Decimal("13")}

MAX_SCHEMA_ERRORS = 3
_DS_SIGNATURE = f"{{{signing.DS_NS}}}Signature"
_DECLARATION = re.compile(r"^<\?xml[^>]*\?>")
_ENCODING_B = re.compile(rb"""^<\?xml[^>]*encoding\s*=""")
_UTF8_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_ZERO = Decimal("0.00")


class ReceivedError(SriError, ValueError):
    """A file or an answer that cannot become a :class:`ReceivedDocument`.

    ``message``: a Spanish sentence for the user (what is wrong, what to do). ``kind`` for the caller:
    ``invalid`` (not XML, not an SRI comprobante, schema, key, mismatch), ``unsupported`` (guía,
    unknown type or version), ``signature`` (modified after signing, unsigned),
    ``no_authorization`` (a bare comprobante, ``require_authorization=True``), ``not_authorized``
    (estado NO AUTORIZADO or another estado), ``in_process`` (EN PROCESO: ask again later),
    ``not_found`` (the SRI has no document with that key), ``unreachable`` (the SRI could not be
    asked: try later) and ``no_keys`` (:func:`keys_from_txt` found none)."""

    def __init__(self, message: str, kind: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.kind = kind

    def __str__(self):
        return self.message


@dataclass
class ReceivedTax:
    """A tax of a line or a tax total: ``code`` 2 IVA / 3 ICE / 5 IRBPNR, ``rate_code``
    (codigoPorcentaje), ``rate`` (tarifa %, from the IVA table when the version does not carry it;
    None when unknown), ``base`` (baseImponible), ``amount`` (valor)."""

    code: str
    rate_code: str
    rate: Decimal | None
    base: Decimal
    amount: Decimal


@dataclass
class ReceivedLine:
    """A ``detalle`` (codigoPrincipal/codigoInterno, codigoAuxiliar/codigoAdicional, …); a nota de
    débito's ``motivo`` is a line too: description = razon, quantity 1, unit price = subtotal = valor."""

    main_code: str | None
    aux_code: str | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    subtotal: Decimal
    taxes: list[ReceivedTax] = field(default_factory=list)


@dataclass
class ReceivedWithholding:
    """One ``retencion``/``impuesto`` of a comprobante de retención: ``code`` 1 renta, 2 IVA, 6 ISD;
    ``withholding_code`` (codigoRetencion), ``base``, ``percentage`` (porcentajeRetener), ``amount``."""

    code: str
    withholding_code: str
    base: Decimal
    percentage: Decimal
    amount: Decimal


@dataclass
class ReceivedSupport:
    """A document a retención withholds on: ``doc_type`` (codDocSustento), ``doc_number``
    (``001-001-000000123``), ``doc_date``, ``support_code`` (codSustento, None in version 1.0.0),
    ``authorization`` (numAutDocSustento or None) and its withholdings."""

    doc_type: str | None
    doc_number: str | None
    doc_date: datetime.date | None
    support_code: str | None = None
    authorization: str | None = None
    withholdings: list[ReceivedWithholding] = field(default_factory=list)


@dataclass
class ReceivedDocument:
    """An authorized SRI comprobante issued by somebody else, as plain data.

    Amounts are Decimals as written in the XML; dates are ``datetime.date``. Fields a document type
    does not carry are None (``subtotal``/``total_discount`` of a retención, ``modified_doc_*``
    outside notas, ``reason`` outside the nota de crédito, ``fiscal_period`` outside the retención).
    ``total`` is importeTotal (factura, liquidación), valorModificacion (nota de crédito),
    valorTotal (nota de débito) or the sum withheld (retención). ``total_discount`` of a nota de
    crédito is the sum of its lines' discounts, of a nota de débito 0. ``currency`` is ``moneda``,
    DOLAR when absent. ``xml`` is the comprobante as signed (its XML declaration, when not UTF-8,
    replaced by a UTF-8 one: ``xml.encode("utf-8")`` is always the document)."""

    code: str
    type: str
    version: str
    access_key: str
    authorization_number: str | None
    authorization_date: datetime.datetime | None
    environment: str
    issuer_ruc: str
    issuer_name: str
    issuer_trade_name: str | None
    issuer_address: str | None
    establishment: str
    emission_point: str
    sequential: str
    number: str
    emission_date: datetime.date
    receiver_id_type: str | None
    receiver_identification: str | None
    receiver_name: str | None
    currency: str
    subtotal: Decimal | None
    total_discount: Decimal | None
    total: Decimal
    tax_totals: list[ReceivedTax] = field(default_factory=list)
    lines: list[ReceivedLine] = field(default_factory=list)
    modified_doc_type: str | None = None
    modified_doc_number: str | None = None
    modified_doc_date: datetime.date | None = None
    reason: str | None = None
    fiscal_period: str | None = None
    support_documents: list[ReceivedSupport] = field(default_factory=list)
    additional_info: list[tuple[str, str]] = field(default_factory=list)
    xml: str = ""

    @property
    def title(self) -> str:
        """The document's name in messages: ``factura``, ``nota de crédito``…"""
        return TITLES.get(self.code, "comprobante")


# ------------------------------------------------------------------------------------ public API

def read(data: bytes | str, *, require_authorization: bool = True) -> ReceivedDocument:
    """Read an authorized comprobante (see the module docstring for what is accepted).

    ``require_authorization=False`` also reads a bare signed comprobante; its
    ``authorization_number`` and ``authorization_date`` are then None. Raises :class:`ReceivedError`."""
    root, raw = _parse(data, "El archivo")
    tag = _local(root)
    if tag in ROOT_CODES or tag == "guiaRemision":
        _check_root(root)
        key = _key_text(root)
        if require_authorization:
            number = f" {_number_text(root)}" if _number_text(root) else ""
            raise ReceivedError(
                f"El archivo es el comprobante firmado ({TITLES[ROOT_CODES[tag]]}{number}) pero sin la "
                "autorización del SRI: no contiene el estado AUTORIZADO, el número ni la fecha de "
                "autorización. Impórtelo por su clave de acceso"
                + (f" {key}" if key else "")
                + ": el sistema descargará el comprobante autorizado del SRI.", "no_authorization")
        return _read_comprobante(root, _as_text(raw, root), None, None)
    entry = _authorization_entry(root)
    comprobante = _child(entry, "comprobante")
    if comprobante is None or (not len(comprobante) and not (comprobante.text or "").strip()):
        raise ReceivedError("El archivo de autorización del SRI no contiene el comprobante (elemento "
                            "«comprobante» vacío o ausente): descárguelo de nuevo del portal del SRI "
                            "o impórtelo por su clave de acceso.")
    number = (_child_text(entry, "numeroAutorizacion") or "").strip() or None
    date = parse_authorization_date(_child_text(entry, "fechaAutorizacion"))
    if len(comprobante):  # the comprobante as a nested element (some programs write it so)
        nested = next((c for c in comprobante if isinstance(c.tag, str)), None)
        if nested is None:
            raise ReceivedError("El elemento «comprobante» de la autorización no contiene un comprobante.")
        text = _standalone(nested)
    else:  # CDATA or escaped text: the same string for lxml
        text = comprobante.text
    return read_comprobante(text, authorization_number=number, authorization_date=date)


def _standalone(element) -> str:
    """A nested comprobante as the text of a document of its own. Serialising an element copies the
    namespace declarations in scope from its ancestors (the wrapper's); those the comprobante does
    not declare itself and does not use are dropped again, since inclusive C14N — and so the
    signature's digest — would count them."""
    declared = set()
    for el in element.iter():
        if not isinstance(el.tag, str):
            continue
        parent = el.getparent()
        inherited = parent.nsmap if parent is not None else {}
        declared.update(p for p, uri in el.nsmap.items() if inherited.get(p) != uri)
    copy = etree.fromstring(etree.tostring(element), safe_parser(huge_tree=False))
    etree.cleanup_namespaces(copy, keep_ns_prefixes=[p for p in declared if p])
    return etree.tostring(copy, encoding="unicode")


def read_comprobante(xml: bytes | str, *, authorization_number: str | None = None,
                     authorization_date: datetime.datetime | None = None) -> ReceivedDocument:
    """Read a bare signed comprobante whose authorization is known from elsewhere (the SRI's answer):
    all the checks of :func:`read`, the given authorization number/date."""
    root, raw = _parse(xml, "El comprobante")
    if _local(root) not in ROOT_CODES and _local(root) != "guiaRemision":
        raise _not_sri(root, "El comprobante")
    _check_root(root)
    return _read_comprobante(root, _as_text(raw, root), authorization_number, authorization_date)


def from_authorization(auth) -> ReceivedDocument:
    """The document of an answer of :meth:`sri.client.SriClient.authorize` (a
    :class:`sri.client.Authorization`). AUTORIZADO: the comprobante of the answer with its
    authorization number and date. Anything else raises :class:`ReceivedError`, telling apart
    "the SRI has no authorized document with this key" (``not_found``, ``not_authorized``,
    ``in_process``: check the key, or wait) from "the SRI could not be reached" (``unreachable``: try
    again later)."""
    from . import client as _client
    key = (getattr(auth, "access_key", "") or "").strip()
    if key and not _access_key.is_valid(key):
        raise ReceivedError(_key_problem(key) + " Revise la clave de acceso (49 dígitos).", "invalid")
    state = (auth.state or "").strip().upper()
    outcome = auth.outcome
    if outcome is _client.Outcome.AUTHORIZED or state == _client.AUTORIZADO:
        if not (auth.authorized_xml or "").strip():
            raise ReceivedError(f"El SRI respondió que el comprobante con clave de acceso {key} está "
                                "AUTORIZADO, pero su respuesta no trae el comprobante. Vuelva a "
                                "consultarlo más tarde.", "unreachable")
        doc = read_comprobante(auth.authorized_xml, authorization_number=(auth.number or "").strip() or key,
                               authorization_date=auth.date)
        if key and doc.access_key != key:
            raise ReceivedError(f"El SRI devolvió, para la clave de acceso {key}, un comprobante con otra "
                                f"clave ({doc.access_key}): no se importa.", "invalid")
        return doc
    env = _environment_hint(key)
    if auth.error:
        detail = getattr(auth, "error_detail", "") or ""
        detail = f" [{detail[:300]}]" if detail else ""
        raise ReceivedError(f"No se pudo consultar el SRI: {auth.error.rstrip('. ')}{detail}. Intente de nuevo "
                            f"más tarde con la misma clave de acceso ({key}).", "unreachable")
    reasons = "; ".join(str(m) for m in auth.messages)
    if state == _client.NO_AUTORIZADO:
        raise ReceivedError(f"El SRI no autorizó el comprobante con clave de acceso {key} (estado NO "
                            f"AUTORIZADO{': ' + reasons if reasons else ''}). Solo se importan "
                            "comprobantes autorizados: pida al emisor uno corregido.", "not_authorized")
    if state == _client.EN_PROCESO:
        raise ReceivedError(f"El comprobante con clave de acceso {key} todavía está en proceso de "
                            "autorización en el SRI: vuelva a consultarlo más tarde.", "in_process")
    if not state and (not auth.entries or auth.count == 0) or "NO EXISTE" in reasons.upper():
        raise ReceivedError(f"El SRI no tiene ningún comprobante autorizado con la clave de acceso {key}{env}: "
                            "revise que la clave esté bien copiada y que se consulte el ambiente correcto "
                            "(pruebas o producción). Si el emisor lo envió hace muy poco, vuelva a "
                            "consultarlo más tarde.", "not_found")
    raise ReceivedError(f"El SRI respondió con el estado «{auth.state}» para la clave de acceso {key}"
                        f"{': ' + reasons if reasons else ''}; no es un comprobante autorizado. Vuelva a "
                        "consultarlo más tarde.", "not_authorized")


_KEY_TOKEN = re.compile(r"(?<![0-9])[0-9]{49}(?![0-9])")


def keys_from_txt(data: bytes | str) -> list[str]:
    """The access keys of the TXT report "Comprobantes electrónicos recibidos" of SRI en línea:
    tab-separated, a header line (COMPROBANTE, SERIE_COMPROBANTE, RUC_EMISOR, …, CLAVE_ACCESO,
    NUMERO_AUTORIZACION, …), one row per document (some exports put a value on a line of its own).
    Each 49-digit key with a correct check digit is returned once, in file order (the key of the
    CLAVE_ACCESO column first, then any other 49-digit value of the row); numbers whose check digit is
    wrong are skipped. UTF-8 (with or without BOM), UTF-16 or Latin-1; LF or CRLF. Raises
    :class:`ReceivedError` (``no_keys``) when no valid key is found."""
    text = _decode_text(data)
    lines = text.splitlines()
    key_column = None
    if lines:
        header = [_normalize_header(c) for c in lines[0].split("\t")]
        key_column = next((i for i, name in enumerate(header) if name in ("CLAVE_ACCESO", "CLAVEACCESO",
                                                                        "CLAVE_DE_ACCESO")), None)
    keys, seen, bad = [], set(), 0
    for line in lines:
        cells = line.split("\t")
        candidates = []
        if key_column is not None and key_column < len(cells):
            candidates.append(cells[key_column].strip().strip('"'))
        candidates.extend(_KEY_TOKEN.findall(line))
        for value in candidates:
            if len(value) != 49 or not value.isdigit():
                continue
            if not _access_key.is_valid(value):
                bad += 1
                continue
            if value not in seen:
                seen.add(value)
                keys.append(value)
    if not keys:
        extra = (f" ({bad} número(s) de 49 dígitos con el dígito verificador incorrecto)" if bad else "")
        raise ReceivedError("El archivo no contiene ninguna clave de acceso válida" + extra + ". Descargue "
                            "de SRI en línea el reporte de «Comprobantes electrónicos recibidos» en formato "
                            "TXT y cárguelo sin modificarlo.", "no_keys")
    return keys


def parse_authorization_date(text) -> datetime.datetime | None:
    """``fechaAutorizacion`` as an aware datetime (naive times are Ecuador's): ISO 8601 as the web
    service writes it (``2024-01-15T10:20:30-05:00``, fractions of a second and ``Z`` allowed) or
    ``dd/mm/aaaa hh:mm:ss`` as older portal files do; None when empty or not a date."""
    text = (text or "").strip()
    if not text:
        return None
    value = None
    try:
        value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
            try:
                value = datetime.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=ECUADOR_TZ)


# --------------------------------------------------------------------------------- input handling

def _parse(data, what):
    """``data`` → (root element, source): ``source`` is what was parsed, bytes or str, without a
    BOM and leading whitespace. Text is parsed without its XML declaration (it is already decoded:
    the encoding it declares no longer applies)."""
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    source = None
    if isinstance(data, bytes):
        if data.startswith(codecs.BOM_UTF8):
            data = data[3:]
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return _parse(data.decode("utf-16"), what)
        raw = source = data.lstrip(b" \t\r\n")
    elif isinstance(data, str):
        source = data.lstrip("\ufeff \t\r\n").rstrip()
        raw = _DECLARATION.sub("", source, count=1).lstrip().encode("utf-8")
    else:
        raise ReceivedError(f"{what} debe ser el contenido de un archivo XML (se recibió {type(data).__name__}).")
    if not raw:
        raise ReceivedError(f"{what} está vacío: cargue el XML del comprobante autorizado.")
    if not raw.startswith(b"<"):
        raise ReceivedError(f"{what} no es un XML (no empieza con «<»): cargue el XML del comprobante "
                            "autorizado que descargó del portal del SRI o que le envió el emisor (no el PDF "
                            "ni el RIDE).")
    try:
        root = etree.fromstring(raw, safe_parser(huge_tree=False))
    except etree.XMLSyntaxError as exc:
        root = _retry_latin1(raw, exc)
        if root is None:
            where = f" (línea {exc.lineno})" if exc.lineno else ""
            detail = (exc.msg or str(exc)).splitlines()[0].rstrip(". ")
            raise ReceivedError(f"{what} no es un XML válido o está dañado{where}: {detail}. Descargue de "
                                "nuevo el XML del comprobante autorizado.") from None
        source = raw.decode("cp1252", "replace")
    except ValueError as exc:  # e.g. a declared encoding lxml does not know
        raise ReceivedError(f"{what} no se puede leer: {exc}. Guárdelo en UTF-8 e inténtelo de nuevo.") from None
    info = root.getroottree().docinfo
    if info.internalDTD is not None or info.doctype:
        raise ReceivedError(f"{what} contiene una declaración DOCTYPE: un comprobante del SRI no la tiene y no "
                            "se procesa por seguridad.")
    return root, source


def _retry_latin1(raw, exc):
    """A file without an encoding declaration written in Latin-1/Windows-1252 (not UTF-8): parsed
    again decoded as Windows-1252, else None."""
    if _ENCODING_B.match(raw) or "utf-8" not in str(exc).lower() and "encoding" not in str(exc).lower():
        return None
    try:
        raw.decode("utf-8")
        return None  # valid UTF-8: the syntax error is real
    except UnicodeDecodeError:
        pass
    try:
        return etree.fromstring(raw.decode("cp1252", "replace").encode("utf-8"), safe_parser(huge_tree=False))
    except etree.XMLSyntaxError:
        return None


def _as_text(source, root) -> str:
    """The comprobante's text as it was given: ``source`` itself when it is text, else the bytes
    decoded with their encoding; an XML declaration of another encoding than UTF-8 is replaced by a
    UTF-8 one (the text is Unicode now), so that ``text.encode("utf-8")`` is the same document."""
    if isinstance(source, bytes):
        encoding = root.getroottree().docinfo.encoding or "UTF-8"
        try:
            text = source.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            return etree.tostring(root, encoding="unicode")
    else:
        text = source
    declaration = _DECLARATION.match(text)
    if declaration:
        found = re.search(r"""encoding\s*=\s*["']([^"']+)["']""", declaration.group(0))
        if found and found.group(1).upper().replace("_", "-") not in ("UTF-8", "UTF8"):
            text = _UTF8_DECLARATION.rstrip("\n") + text[declaration.end():]
    return text


def _decode_text(data) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise ReceivedError(f"Se esperaba el contenido de un archivo TXT (se recibió {type(data).__name__}).")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _normalize_header(cell):
    return cell.strip().strip('"').upper().replace(" ", "_")


# ------------------------------------------------------------------------------ what the file is

def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _namespace(el) -> str | None:
    return etree.QName(el).namespace if isinstance(el.tag, str) else None


def _child(el, name):
    for child in el:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return child
    return None


def _child_text(el, name):
    child = _child(el, name)
    return child.text if child is not None else None


_FOREIGN = (
    ("urn:oasis:names:specification:ubl:", "una factura electrónica UBL (formato europeo/PEPPOL)"),
    ("http://www.sat.gob.mx/cfd", "un CFDI mexicano"),
    ("http://ec.gob.sri.ws.recepcion", "una respuesta del servicio de recepción del SRI (RECIBIDA/DEVUELTA), "
                                       "que no contiene el comprobante autorizado"),
)


def _not_sri(root, what="El archivo") -> ReceivedError:
    """The error for XML that is not an SRI comprobante, naming what was found."""
    tag, ns = _local(root), _namespace(root) or ""
    found = None
    for prefix, description in _FOREIGN:
        if ns.startswith(prefix) or any(el.tag.startswith("{" + prefix) for el in root.iter()
                                        if isinstance(el.tag, str)):
            found = description
            break
    if found is None:
        if tag in ("odoo", "openerp"):
            found = "un archivo de datos de Odoo"
        elif tag == "RespuestaRecepcionComprobante":
            found = _FOREIGN[2][1]
        elif tag == "Envelope":
            found = "un mensaje SOAP sin ninguna autorización del SRI"
        elif tag in ("html", "HTML"):
            found = "una página web (HTML)"
        elif tag in ("Invoice", "CreditNote"):
            found = f"una factura de otro formato (<{tag}>)"
    found = found or f"un XML cuyo elemento raíz es <{tag}>" + (f" (espacio de nombres {ns})" if ns else "")
    return ReceivedError(f"{what} no es un comprobante electrónico del SRI: es {found}. Cargue el XML "
                         "autorizado de la factura, nota de crédito, nota de débito, retención o liquidación "
                         "de compra (el que descarga del portal del SRI o le envía el emisor).", "invalid")


def _authorization_entry(root):
    """The ``autorizacion`` to read: ``root`` itself, or the AUTORIZADO one among those inside (a
    RespuestaAutorizacionComprobante, a SOAP envelope). Raises unless its estado is AUTORIZADO."""
    if _local(root) == "autorizacion":
        entries = [root]
    else:
        entries = [el for el in root.iter() if el is not root and isinstance(el.tag, str)
                   and etree.QName(el).localname == "autorizacion"]
        if not entries:
            if any(isinstance(el.tag, str) and etree.QName(el).localname == "numeroComprobantes"
                   for el in root.iter()):
                raise ReceivedError("La respuesta del SRI no contiene ninguna autorización (0 comprobantes): "
                                    "el SRI no tiene un comprobante autorizado con esa clave de acceso.",
                                    "not_found")
            raise _not_sri(root)
    for entry in entries:
        if (_child_text(entry, "estado") or "").strip().upper() == "AUTORIZADO":
            return entry
    entry = entries[-1]
    state = (_child_text(entry, "estado") or "").strip()
    if not state:
        raise ReceivedError("El archivo de autorización no indica el estado del comprobante (elemento "
                            "«estado»): descargue de nuevo el comprobante autorizado del portal del SRI.")
    messages = []
    container = _child(entry, "mensajes")
    for m in container if container is not None else ():
        if not isinstance(m.tag, str):
            continue
        ident = (_child_text(m, "identificador") or "").strip()
        text = (_child_text(m, "mensaje") or "").strip()
        info = (_child_text(m, "informacionAdicional") or "").strip()
        messages.append((f"[{ident}] " if ident else "") + text + (f": {info}" if info else ""))
    detail = f" ({'; '.join(messages)})" if messages else ""
    if state.upper() == "EN PROCESO":
        raise ReceivedError("El comprobante todavía está EN PROCESO de autorización en el SRI: vuelva a "
                            "importarlo cuando esté autorizado.", "in_process")
    raise ReceivedError(f"El SRI no autorizó este comprobante: su estado es «{state}»{detail}. Solo se "
                        "importan comprobantes autorizados: pida al emisor el comprobante corregido.",
                        "not_authorized")


def _check_root(root):
    """Type and version of a comprobante root; refuses what is not read."""
    tag = _local(root)
    if _namespace(root) is not None:
        raise _not_sri(root)
    if tag == "guiaRemision":
        raise ReceivedError("El archivo es una guía de remisión: las guías no se importan (no son documentos "
                            "contables, no tienen valores ni impuestos). Se importan facturas, notas de "
                            "crédito, notas de débito, retenciones y liquidaciones de compra.", "unsupported")
    versions = READ_VERSIONS.get(tag)
    if versions is None:
        raise _not_sri(root)
    version = (root.get("version") or "").strip()
    if version not in versions:
        title = TITLES[ROOT_CODES[tag]]
        raise ReceivedError(f"La versión «{version}» de {title} no se puede leer: se leen las versiones "
                            f"{', '.join(versions)}.", "unsupported")


def _key_text(root) -> str:
    info = root.find("infoTributaria")
    return (info.findtext("claveAcceso") or "").strip() if info is not None else ""


def _number_text(root) -> str:
    info = root.find("infoTributaria")
    if info is None:
        return ""
    parts = [(info.findtext(t) or "").strip() for t in ("estab", "ptoEmi", "secuencial")]
    return "-".join(parts) if all(parts) else ""


def _key_problem(key) -> str:
    try:
        _access_key.parse(key)
    except SriValidationError as exc:
        return f"La clave de acceso {key} no es válida: {exc.errors[0].message}."
    return ""


def _environment_hint(key) -> str:
    if len(key) == 49 and key[23] in ("1", "2"):
        return " (la clave es del ambiente de " + ("pruebas" if key[23] == "1" else "producción") + ")"
    return ""


# ------------------------------------------------------------------------------ the comprobante

def _read_comprobante(root, text, number, date) -> ReceivedDocument:
    tag = _local(root)
    code = ROOT_CODES[tag]
    title = TITLES[code]
    version = root.get("version").strip()
    key = _key_text(root)
    problem = _key_problem(key) if key else ""  # 49 digits, check digit, a date that exists
    if problem:
        raise ReceivedError(problem + " No es un comprobante válido del SRI: no se importa.", "invalid")
    errors = schemas.validate(root)
    if errors:
        shown = "; ".join(str(e) for e in errors[:MAX_SCHEMA_ERRORS])
        more = f" (y {len(errors) - MAX_SCHEMA_ERRORS} error(es) más)" if len(errors) > MAX_SCHEMA_ERRORS else ""
        raise ReceivedError(f"El comprobante ({title} {version}) no cumple el esquema XSD del SRI: {shown}{more}. "
                            "No es un comprobante autorizado válido: pida al emisor el XML original.", "invalid")
    info = root.find("infoTributaria")
    body = root.find(_BODY[tag])
    parsed = _access_key.parse(key)
    emission = _date(body.findtext("fechaEmision"))
    doc_fields = (("tipo de documento", parsed.document_type, info.findtext("codDoc")),
                  ("RUC", parsed.ruc, info.findtext("ruc")),
                  ("ambiente", parsed.environment, info.findtext("ambiente")),
                  ("establecimiento", parsed.establishment, info.findtext("estab")),
                  ("punto de emisión", parsed.emission_point, info.findtext("ptoEmi")),
                  ("secuencial", parsed.sequential, info.findtext("secuencial")),
                  ("fecha de emisión", f"{parsed.emission_date:%d/%m/%Y}",
                   f"{emission:%d/%m/%Y}" if emission else body.findtext("fechaEmision")))
    mismatches = [f"{label} {in_key} en la clave y {in_doc} en el comprobante"
                  for label, in_key, in_doc in doc_fields if in_key != (in_doc or "").strip()]
    if info.findtext("codDoc") != code:
        mismatches.append(f"el codDoc {info.findtext('codDoc')} no corresponde a <{tag}> ({code})")
    if mismatches:
        raise ReceivedError(f"La clave de acceso {key} no corresponde al comprobante: " + "; ".join(mismatches)
                            + ". El comprobante fue alterado o está mal generado: no se importa.", "invalid")
    _check_signature(root)
    doc = ReceivedDocument(
        code=code, type=TYPES[code], version=version, access_key=key,
        authorization_number=number, authorization_date=date, environment=key[23],
        issuer_ruc=_t(info, "ruc"), issuer_name=_t(info, "razonSocial"),
        issuer_trade_name=_t(info, "nombreComercial"), issuer_address=_t(info, "dirMatriz"),
        establishment=_t(info, "estab"), emission_point=_t(info, "ptoEmi"), sequential=_t(info, "secuencial"),
        number=f"{_t(info, 'estab')}-{_t(info, 'ptoEmi')}-{_t(info, 'secuencial')}",
        emission_date=emission, receiver_id_type=None, receiver_identification=None, receiver_name=None,
        currency=_t(body, "moneda") or "DOLAR", subtotal=None, total_discount=None, total=_ZERO,
        additional_info=[(el.get("nombre") or "", (el.text or "").strip())
                         for el in root.findall("infoAdicional/campoAdicional")],
        xml=text,
    )
    _READERS[tag](doc, root, body)
    return doc


_BODY = {"factura": "infoFactura", "liquidacionCompra": "infoLiquidacionCompra", "notaCredito": "infoNotaCredito",
         "notaDebito": "infoNotaDebito", "comprobanteRetencion": "infoCompRetencion"}


def _check_signature(root):
    """Refuse a comprobante whose signature is missing or does not verify (modified after signing).
    Trust in the signer's certificate is not checked (see the module docstring)."""
    try:
        signing.verify(root)
        return
    except SignatureError as exc:
        first = exc
    signature = root[-1] if len(root) and root[-1].tag == _DS_SIGNATURE else None
    if signature is None:
        if root.find(f".//{_DS_SIGNATURE}") is None:
            raise ReceivedError("El comprobante no tiene firma electrónica: no es un comprobante electrónico "
                                "válido. Pida al emisor el XML autorizado.", "signature")
        raise ReceivedError(f"La firma electrónica del comprobante no es válida: {first}", "signature")
    if _signature_intact(root, signature):
        return
    raise ReceivedError("La firma electrónica del comprobante no es válida: el XML fue modificado después de "
                        "firmarlo o está dañado. Descargue de nuevo el comprobante autorizado del portal del "
                        "SRI o pídalo al emisor; no se importa un comprobante alterado.", "signature")


def _signature_intact(root, signature) -> bool:
    """True when the enveloped signature covers the whole root and verifies (xmlsec: every reference
    digest and the signature value) with one of the certificates it carries."""
    import xmlsec
    root_id = root.get("id")
    covers = False
    for ref in signature.findall("ds:SignedInfo/ds:Reference", signing.NSMAP):
        uri = ref.get("URI")
        transforms = [t.get("Algorithm") for t in ref.findall("ds:Transforms/ds:Transform", signing.NSMAP)]
        if signing.ENVELOPED in transforms and (uri == "" or (root_id and uri == "#" + root_id)):
            covers = True
    if not covers:
        return False
    xmlsec.tree.add_ids(root, ["id", "Id", "ID"])
    for node in signature.iterfind(".//ds:X509Certificate", signing.NSMAP):
        try:
            der = base64.b64decode("".join((node.text or "").split()), validate=True)
            _info, key, _digest = signing._embedded_cert(der)
        except (ValueError, SignatureError):
            continue
        ctx = xmlsec.SignatureContext()
        ctx.key = key
        try:
            ctx.verify(signature)
            return True
        except xmlsec.Error:
            continue
    return False


def _t(node, path) -> str | None:
    if node is None:
        return None
    found = node.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip()


def _dec(node, path, default=None) -> Decimal | None:
    text = _t(node, path)
    if not text:
        return default
    try:
        return Decimal(text)
    except InvalidOperation:
        return default


def _date(text) -> datetime.date | None:
    text = (text or "").strip()
    try:
        return datetime.datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        return None


def _doc_number(text) -> str | None:
    """``001001000000123`` → ``001-001-000000123``; other forms as they are."""
    text = (text or "").strip()
    if len(text) == 15 and text.isdigit():
        return f"{text[:3]}-{text[3:6]}-{text[6:]}"
    return text or None


def _tax(node) -> ReceivedTax:
    code, rate_code = _t(node, "codigo") or "", _t(node, "codigoPorcentaje") or ""
    rate = _dec(node, "tarifa")
    if rate is None and code == "2":
        rate = VAT_RATES.get(rate_code)
    return ReceivedTax(code=code, rate_code=rate_code, rate=rate, base=_dec(node, "baseImponible", _ZERO),
                       amount=_dec(node, "valor", _ZERO))


def _lines(root, main_tag="codigoPrincipal", aux_tag="codigoAuxiliar"):
    lines = []
    for det in root.findall("detalles/detalle"):
        lines.append(ReceivedLine(
            main_code=_t(det, main_tag), aux_code=_t(det, aux_tag), description=_t(det, "descripcion") or "",
            quantity=_dec(det, "cantidad", _ZERO), unit_price=_dec(det, "precioUnitario", _ZERO),
            discount=_dec(det, "descuento", _ZERO), subtotal=_dec(det, "precioTotalSinImpuesto", _ZERO),
            taxes=[_tax(t) for t in det.findall("impuestos/impuesto")]))
    return lines


def _receiver(doc, body, suffix):
    doc.receiver_id_type = _t(body, f"tipoIdentificacion{suffix}")
    doc.receiver_identification = _t(body, f"identificacion{suffix}")
    doc.receiver_name = _t(body, f"razonSocial{suffix}")


def _modified(doc, body):
    doc.modified_doc_type = _t(body, "codDocModificado")
    doc.modified_doc_number = _doc_number(_t(body, "numDocModificado"))
    doc.modified_doc_date = _date(_t(body, "fechaEmisionDocSustento"))


def _read_sale(doc, root, body, suffix="Comprador"):
    """Factura and liquidación de compra: totals, totalConImpuestos, detalles."""
    _receiver(doc, body, suffix)
    doc.subtotal = _dec(body, "totalSinImpuestos", _ZERO)
    doc.total_discount = _dec(body, "totalDescuento", _ZERO)
    doc.total = _dec(body, "importeTotal", _ZERO)
    doc.tax_totals = [_tax(t) for t in body.findall("totalConImpuestos/totalImpuesto")]
    doc.lines = _lines(root)


def _read_liquidacion(doc, root, body):
    _read_sale(doc, root, body, "Proveedor")


def _read_nota_credito(doc, root, body):
    _receiver(doc, body, "Comprador")
    _modified(doc, body)
    doc.subtotal = _dec(body, "totalSinImpuestos", _ZERO)
    doc.total = _dec(body, "valorModificacion", _ZERO)
    doc.tax_totals = [_tax(t) for t in body.findall("totalConImpuestos/totalImpuesto")]
    doc.lines = _lines(root, "codigoInterno", "codigoAdicional")
    doc.total_discount = sum((ln.discount for ln in doc.lines), _ZERO)
    doc.reason = _t(body, "motivo")


def _read_nota_debito(doc, root, body):
    _receiver(doc, body, "Comprador")
    _modified(doc, body)
    doc.subtotal = _dec(body, "totalSinImpuestos", _ZERO)
    doc.total_discount = _ZERO
    doc.total = _dec(body, "valorTotal", _ZERO)
    doc.tax_totals = [_tax(t) for t in body.findall("impuestos/impuesto")]
    for motivo in root.findall("motivos/motivo"):
        value = _dec(motivo, "valor", _ZERO)
        doc.lines.append(ReceivedLine(main_code=None, aux_code=None, description=_t(motivo, "razon") or "",
                                      quantity=Decimal("1"), unit_price=value, discount=_ZERO, subtotal=value,
                                      taxes=[]))


def _withholding(node) -> ReceivedWithholding:
    return ReceivedWithholding(code=_t(node, "codigo") or "", withholding_code=_t(node, "codigoRetencion") or "",
                               base=_dec(node, "baseImponible", _ZERO),
                               percentage=_dec(node, "porcentajeRetener", _ZERO),
                               amount=_dec(node, "valorRetenido", _ZERO))


def _read_retencion(doc, root, body):
    _receiver(doc, body, "SujetoRetenido")
    doc.fiscal_period = _t(body, "periodoFiscal")
    supports = []
    docs = root.find("docsSustento")
    if docs is not None:  # 2.0.0
        for item in docs.findall("docSustento"):
            supports.append(ReceivedSupport(
                doc_type=_t(item, "codDocSustento"), doc_number=_doc_number(_t(item, "numDocSustento")),
                doc_date=_date(_t(item, "fechaEmisionDocSustento")), support_code=_t(item, "codSustento"),
                authorization=_t(item, "numAutDocSustento"),
                withholdings=[_withholding(r) for r in item.findall("retenciones/retencion")]))
    else:  # 1.0.0: each impuesto names its own supporting document; grouped by (type, number, date)
        groups = {}
        for imp in root.findall("impuestos/impuesto"):
            group_key = (_t(imp, "codDocSustento"), _t(imp, "numDocSustento"), _t(imp, "fechaEmisionDocSustento"))
            support = groups.get(group_key)
            if support is None:
                support = groups[group_key] = ReceivedSupport(
                    doc_type=group_key[0], doc_number=_doc_number(group_key[1]), doc_date=_date(group_key[2]))
                supports.append(support)
            support.withholdings.append(_withholding(imp))
    doc.support_documents = supports
    doc.total = sum((w.amount for s in supports for w in s.withholdings), _ZERO)


_READERS = {"factura": _read_sale, "liquidacionCompra": _read_liquidacion, "notaCredito": _read_nota_credito,
            "notaDebito": _read_nota_debito, "comprobanteRetencion": _read_retencion}
