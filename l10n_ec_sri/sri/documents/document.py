"""The :class:`Document` base class (access key, ``check()``, ``to_xml()``) and the normalisers and
writers the six document types share.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Optional

from lxml import etree

from .. import access_key as _access_key
from ..constants import safe_parser
from ..errors import FieldError, SriValidationError
from .checker import Checker
from .formatting import (
    CENT, DATE_TOLERANCE_DAYS, MAX_AMOUNT, TAX_ICE, TAX_IRBPNR, TAX_VAT, XML_DECLARATION, ZERO, _yes_no, esc,
    esc_attr, fmt, fmt_date, opt, sub, today_ecuador,
)
from .parts import Extra, Issuer, Party, _norm_extras, sum_taxes


class DocumentXml(bytes):
    """The bytes :meth:`Document.to_xml` returns (a plain ``bytes`` for every other use), with
    ``c14n``: the inclusive C14N 1.0 form of the root element, derived from the bytes as written,
    or ``None``. :func:`sri.signing.sign` digests it instead of parsing and canonicalizing the
    document again."""

    c14n = None


# Control characters (tab, newline and CR included: attribute values would be normalised by a
# parser, a CR in text is written &#xD; by C14N): never written by the core (Checker.text drops or
# replaces them); a document with one is left to the parser and lxml's C14N.
_CONTROLS = bytes(range(0x20))
_GT_IN_TAG = re.compile(rb"<[^>]*&gt;")


def canonical_form(body: bytes):
    """The inclusive C14N 1.0 of a root element written by this module, or ``None`` when it is not
    derived cheaply. What the writers produce is canonical already — elements without prefixes
    or namespace declarations, attributes in name order with double quotes, text escaped as C14N
    does (``&amp; &lt; &gt;``), no comment, PI, CDATA or character reference — except for
    empty-element tags (C14N writes a start and an end tag) and ``&gt;`` in an attribute value
    (C14N writes ``>``: such rare documents get ``None``). Tested against lxml's C14N."""
    if len(body.translate(None, _CONTROLS)) != len(body):
        return None
    if b"&gt;" in body and _GT_IN_TAG.search(body) is not None:
        return None
    if b"/>" not in body:
        return body
    # "/>" only ends empty-element tags: ">" is always escaped in texts and attribute values.
    pieces = body.split(b"/>")
    out = []
    for piece in pieces[:-1]:
        start = piece.rindex(b"<") + 1
        end = piece.find(b" ", start)
        out.append(piece)
        out.append(b"></" + piece[start:end if end >= 0 else len(piece)] + b">")
    out.append(pieces[-1])
    return b"".join(out)


@dataclass(kw_only=True)
class Document:
    """Common part of the six SRI documents. Subclasses set the class constants and implement
    ``_normalize_body(ck)`` and ``_build_body(root)``."""

    COD_DOC: ClassVar[str] = ""
    ROOT_TAG: ClassVar[str] = ""
    TYPE: ClassVar[str] = ""
    VERSION: ClassVar[str] = ""
    VERSIONS: ClassVar[tuple] = ()
    SPECIAL_TAXPAYER_MAX: ClassVar[int] = 13
    TITLE: ClassVar[str] = "comprobante"

    issuer: Issuer
    establishment: str = "001"  # estab
    emission_point: str = "001"  # ptoEmi
    sequential: str = "1"  # secuencial (zero-padded to 9)
    environment: str = "1"  # ambiente: 1 pruebas, 2 producción
    emission_date: Optional[datetime.date] = None  # default: today in Ecuador
    access_key: Optional[str] = None  # claveAcceso: built once from the fields when not given
    numeric_code: Optional[str] = None  # 8 digits of the key: random when not given
    version: Optional[str] = None  # XSD version; default VERSION of the class
    additional_info: list[Extra] = field(default_factory=list)  # infoAdicional (≤ 15)

    def __post_init__(self):
        if self.version is None:
            self.version = self.VERSION
        if self.emission_date is None:
            self.emission_date = today_ecuador()
        self._generated_key = None
        self._checked = False
        if self.access_key in (None, ""):
            self.access_key = None
            if self.numeric_code in (None, ""):
                self.numeric_code = f"{secrets.randbelow(99999999) + 1:08d}"
            try:
                self._generate_key()
            except (SriValidationError, ValueError, TypeError, AttributeError):
                pass  # reported by check()

    # -- access key --------------------------------------------------------------------------

    def _key_fields(self):
        date = self.emission_date
        if isinstance(date, str):
            date = Checker().date(date, "", "")
        return (date, self.COD_DOC, str(self.issuer.ruc).strip(), str(self.environment),
                str(self.establishment).strip().zfill(3), str(self.emission_point).strip().zfill(3),
                str(self.sequential).strip().zfill(9))

    def _generate_key(self):
        fields = self._key_fields()
        self.access_key = _access_key.build(*fields, numeric_code=self.numeric_code)
        self._generated_key = (fields, self.access_key)

    def _check_key(self, ck: Checker):
        fields = self._key_fields()
        if self._generated_key is not None and self.access_key == self._generated_key[1]:
            if self._generated_key[0] != fields:  # fields edited after construction: rebuild, same code
                self._generate_key()
            return
        if self.access_key is None:
            try:
                self._generate_key()
            except SriValidationError as exc:
                ck.errors.extend(FieldError(f"access_key.{e.path}" if e.path else "access_key", e.message)
                                 for e in exc.errors)
            return
        key = str(self.access_key).strip()
        self.access_key = key
        try:
            parsed = _access_key.parse(key)
        except SriValidationError as exc:
            ck.errors.extend(FieldError("access_key", e.message) for e in exc.errors)
            return
        date, cod, ruc, env, estab, pto, seq = fields
        mismatches = [(label, have, want) for label, have, want in (
            ("fecha de emisión", parsed.emission_date, date), ("tipo de documento", parsed.document_type, cod),
            ("RUC", parsed.ruc, ruc), ("ambiente", parsed.environment, env),
            ("establecimiento", parsed.establishment, estab), ("punto de emisión", parsed.emission_point, pto),
            ("secuencial", parsed.sequential, seq)) if have != want]
        for label, have, want in mismatches:
            if isinstance(have, datetime.date):
                have, want = fmt_date(have), fmt_date(want) if isinstance(want, datetime.date) else want
            ck.add("access_key", f"la clave de acceso no corresponde al documento: {label} {have} en la clave, "
                   f"{want} en el documento")
        self.numeric_code = parsed.numeric_code

    # -- validation --------------------------------------------------------------------------

    def check(self, *, check_date=True, today=None):
        """Validate and normalise the document in place (coerce Decimals/dates, compute totals,
        build the access key). Raises :class:`SriValidationError` listing every problem.

        ``check_date=False`` skips the 90-day emission-date window (to rebuild an old document)."""
        ck = Checker()
        if not isinstance(self.issuer, Issuer):
            ck.add("issuer", "falta el emisor")
        else:
            self.issuer.normalize(ck, "issuer", self.SPECIAL_TAXPAYER_MAX)
        if self.version not in self.VERSIONS:
            ck.add("version", f"versión {self.version!r} no soportada para {self.TITLE}; use "
                   + " o ".join(self.VERSIONS))
        self.environment = ck.choice(None if self.environment is None else str(self.environment),
                                     "environment", "el ambiente", ("1", "2"))
        self.establishment = ck.digits(self.establishment, "establishment", "el establecimiento", width=3, pad=True)
        self.emission_point = ck.digits(self.emission_point, "emission_point", "el punto de emisión", width=3,
                                        pad=True)
        self.sequential = ck.digits(self.sequential, "sequential", "el secuencial", width=9, pad=True)
        if self.sequential == "000000000":
            ck.add("sequential", "el secuencial debe ser mayor que cero")
        self.emission_date = ck.date(self.emission_date, "emission_date", "la fecha de emisión")
        if check_date and self.emission_date is not None:
            today = today or today_ecuador()
            if self.emission_date > today:
                ck.add("emission_date", f"la fecha de emisión {fmt_date(self.emission_date)} es posterior a hoy "
                       f"({fmt_date(today)})")
            elif (today - self.emission_date).days > DATE_TOLERANCE_DAYS:
                ck.add("emission_date", f"la fecha de emisión {fmt_date(self.emission_date)} tiene más de "
                       f"{DATE_TOLERANCE_DAYS} días: el SRI la rechaza como extemporánea (error 65)")
        if self.numeric_code not in (None, ""):
            self.numeric_code = ck.digits(self.numeric_code, "numeric_code", "el código numérico", width=8, pad=True)
        self._normalize_body(ck)
        extras = list(self.additional_info or [])
        self.additional_info = _norm_extras(ck, extras, "additional_info", 15)
        if not ck.errors:
            self._check_key(ck)
        self._checked = not ck.errors
        ck.raise_if_any(f"No se puede generar el {self.TITLE}")
        return self

    def _normalize_body(self, ck: Checker):  # pragma: no cover - abstract
        raise NotImplementedError

    # -- XML ---------------------------------------------------------------------------------

    def to_xml(self, *, check_date=True) -> bytes:
        """UTF-8 bytes with an XML declaration, unsigned, not pretty-printed (runs :meth:`check`
        once if it has not succeeded yet)."""
        if not self._checked:
            self.check(check_date=check_date)
        w = [f'<{self.ROOT_TAG} id="comprobante" version="{esc_attr(self.version)}">']
        self.issuer.info_tributaria(w, self)
        self._build_body(w)
        if self.additional_info:
            w.append("<infoAdicional>")
            for e in self.additional_info:
                w.append(f'<campoAdicional nombre="{esc_attr(e.name)}">{esc(e.value)}</campoAdicional>')
            w.append("</infoAdicional>")
        w.append(f"</{self.ROOT_TAG}>")
        body = "".join(w).encode("utf-8")
        xml = DocumentXml(XML_DECLARATION + body)
        xml.c14n = canonical_form(body)
        return xml

    def to_element(self, *, check_date=True):
        """The unsigned document as an lxml element (the bytes of :meth:`to_xml`, parsed)."""
        return etree.fromstring(self.to_xml(check_date=check_date), safe_parser())

    def _build_body(self, root):  # pragma: no cover - abstract
        raise NotImplementedError

    def _issuer_info(self, info, special_first=True):
        """dirEstablecimiento is written by the caller; this writes contribuyenteEspecial + obligado."""
        iss = self.issuer
        if special_first:
            opt(info, "contribuyenteEspecial", iss.special_taxpayer)
        if iss.accounting_required is not None:
            sub(info, "obligadoContabilidad", _yes_no(iss.accounting_required))

    def _email_extra(self, party: Optional[Party]):
        """Add the party's e-mail as ``campoAdicional nombre="Email"`` unless one is already there."""
        if party is None or not party.email:
            return
        names = {(e.name or "").strip().lower() for e in self.additional_info}
        if not names & {"email", "e-mail", "correo", "correo electrónico", "correo electronico"}:
            self.additional_info.append(Extra(name="Email", value=party.email))

    # -- misc --------------------------------------------------------------------------------

    @property
    def document_number(self) -> str:
        """``001-001-000000123``."""
        return f"{str(self.establishment).zfill(3)}-{str(self.emission_point).zfill(3)}-{str(self.sequential).zfill(9)}"

    def to_dict(self) -> dict:
        """The dataclass as a JSON-friendly dict (Decimals and dates as strings)."""
        def conv(v):
            if isinstance(v, Decimal):
                return fmt(v)
            if isinstance(v, datetime.date):
                return v.isoformat()
            if isinstance(v, list):
                return [conv(x) for x in v]
            if dataclasses.is_dataclass(v):
                return {f.name: conv(getattr(v, f.name)) for f in dataclasses.fields(v)
                        if getattr(v, f.name) is not None}
            return v
        data = conv(self)
        data["type"] = self.TYPE
        return data


def check_lines_present(ck: Checker, lines, path="lines"):
    if not lines:
        ck.add(path, "el documento no tiene líneas de detalle")
        return False
    return True


def normalize_buyer(ck: Checker, buyer, path="buyer", label="del comprador", final_consumer=True):
    if not isinstance(buyer, Party):
        ck.add(path, f"faltan los datos {label}")
        return None
    buyer.normalize(ck, path, label, final_consumer)
    return buyer


def check_max(ck: Checker, value, path, label):
    """A computed amount must fit the XSD (14 digits, 2 decimals); returns True when it does."""
    if value is not None and value > MAX_AMOUNT:
        ck.add(path, f"{label} calculado ({fmt(value)}) supera el máximo que admite el SRI ({fmt(MAX_AMOUNT)})")
        return False
    return True


def settle_total(ck: Checker, subtotal, amounts, given_total, label, extra=ZERO, extra_label=""):
    """``subtotal`` + ``amounts`` (+ ``extra``, e.g. the propina): the document total, compared with the
    caller's total when one was given and checked against the XSD maximum."""
    total = subtotal + sum(amounts, ZERO) + extra
    if given_total is not None and given_total != total:
        parts = "total sin impuestos + impuestos" + (f" + {extra_label}" if extra_label else "")
        ck.add("total", f"{label} {fmt(given_total)} no coincide con {parts} = {fmt(total)}")
    check_max(ck, total, "total", label)
    return total


def normalize_modified_document(ck: Checker, doc, title):
    """The document a nota de crédito / débito modifies: type, number and a date not after the note's."""
    doc.modified_doc_type = ck.digits(doc.modified_doc_type, "modified_doc_type",
                                      "el tipo del documento modificado", width=2, pad=True)
    doc.modified_doc_number = ck.doc_number(doc.modified_doc_number, "modified_doc_number",
                                            "el número del documento modificado")
    doc.modified_doc_date = ck.date(doc.modified_doc_date, "modified_doc_date", "la fecha del documento modificado")
    if (doc.modified_doc_date is not None and isinstance(doc.emission_date, datetime.date)
            and doc.modified_doc_date > doc.emission_date):
        ck.add("modified_doc_date", f"la fecha del documento modificado es posterior a la de {title}")


def write_modified_document(w, doc):
    """Buyer, issuer info and the document a nota de crédito / débito modifies, in their XSD order."""
    buyer = doc.buyer
    sub(w, "tipoIdentificacionComprador", buyer.id_type)
    sub(w, "razonSocialComprador", buyer.name)
    sub(w, "identificacionComprador", buyer.identification)
    doc._issuer_info(w)
    opt(w, "rise", doc.rise)
    sub(w, "codDocModificado", doc.modified_doc_type)
    sub(w, "numDocModificado", doc.modified_doc_number)
    sub(w, "fechaEmisionDocSustento", fmt_date(doc.modified_doc_date))


def check_given_totals(ck: Checker, given, computed, path, label):
    """A total given by the caller must equal what the lines add up to."""
    if given is not None and computed is not None and given != computed:
        ck.add(path, f"{label} {fmt(given)} no coincide con la suma calculada de las líneas ({fmt(computed)})")


def compute_tax_totals(ck: Checker, doc_lines, given, path="tax_totals", allowed=(TAX_VAT, TAX_ICE, TAX_IRBPNR)):
    """Return the totalConImpuestos list: the caller's (checked) or one per (code, rate_code)."""
    lines_ok = all(t.base is not None and t.amount is not None for ln in doc_lines for t in ln.taxes)
    computed = sum_taxes(ln.taxes for ln in doc_lines) if lines_ok else None
    if not given:
        return computed or []
    for i, t in enumerate(given):
        t.normalize(ck, f"{path}[{i}]", allowed)
    if computed is not None and all(t.base is not None and t.amount is not None for t in given):
        by_key = {(t.code, t.rate_code): t for t in computed}
        for i, t in enumerate(given):
            c = by_key.pop((t.code, t.rate_code), None)
            if c is None:
                ck.add(f"{path}[{i}]", f"ninguna línea tiene el impuesto {t.code} con código de porcentaje "
                       f"{t.rate_code}")
                continue
            if abs(c.base - t.base) > CENT:
                ck.add(f"{path}[{i}].base", f"la base imponible {fmt(t.base)} no coincide con la suma de las "
                       f"líneas ({fmt(c.base)})")
            if abs(c.amount - t.amount) > CENT * max(1, len(doc_lines)):
                ck.add(f"{path}[{i}].amount", f"el valor {fmt(t.amount)} no coincide con la suma de las líneas "
                       f"({fmt(c.amount)})")
        for (code, rc) in by_key:
            ck.add(path, f"falta el total del impuesto {code} con código de porcentaje {rc}")
    return given
