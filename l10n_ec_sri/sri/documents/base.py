"""Shared pieces of every SRI document: value checks, issuer, parties, taxes, lines, payments,
reimbursements, additional information, and the :class:`Document` base class.

Conventions
-----------
* Amounts are :class:`decimal.Decimal`. Values the caller gives are checked (never silently
  rounded): at most 2 decimals for amounts, at most 6 for ``quantity``/``unit_price``.
  Values this module computes are rounded ROUND_HALF_UP to 2 decimals.
* ``check()`` collects EVERY problem as a :class:`~sri.errors.FieldError` whose path uses the
  JSON/dataclass names with 0-based indexes (``lines[2].quantity``) and raises one
  :class:`~sri.errors.SriValidationError`.
* Serialisation writes the elements in the exact XSD order straight into a list of strings
  (escaped here; about 5x faster than ``etree.SubElement``); ``to_element()`` parses those bytes
  with lxml. Text is cleaned by :meth:`Checker.text` (no newlines, no control characters).
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import secrets
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import ClassVar, Optional

from lxml import etree

from .. import access_key as _access_key
from .. import identification as _identification
from ..errors import FieldError, SriValidationError

ZERO = Decimal("0")
ZERO_CENTS = Decimal("0.00")  # == ZERO.quantize(CENT)
CENT = Decimal("0.01")
MICRO = Decimal("0.000001")
HUNDRED = Decimal("100")
MAX_AMOUNT = Decimal("999999999999.99")  # totalDigits 14, fractionDigits 2
MAX_QUANTITY = Decimal("999999999999.999999")  # totalDigits 18, fractionDigits 6
MAX_RATE = Decimal("99.99")  # tarifa of a tax

#: Ecuador has no daylight saving time: America/Guayaquil is always UTC-5.
ECUADOR_TZ = datetime.timezone(datetime.timedelta(hours=-5), "America/Guayaquil")
#: SRI rejects an emission date more than 129 600 minutes (90 days) from its clock (error 65).
DATE_TOLERANCE_DAYS = 90

#: IVA codigoPorcentaje -> tarifa (%), SPEC §5.
VAT_RATES = {
    "0": Decimal("0"),
    "2": Decimal("12"),
    "3": Decimal("14"),
    "4": Decimal("15"),
    "5": Decimal("5"),
    "6": Decimal("0"),
    "7": Decimal("0"),
    "8": Decimal("8"),
    "10": Decimal("13"),
}
TAX_VAT, TAX_ICE, TAX_IRBPNR = "2", "3", "5"
TAX_NAMES = {TAX_VAT: "IVA", TAX_ICE: "ICE", TAX_IRBPNR: "IRBPNR"}
PAYMENT_METHODS = {
    "01": "sin utilización del sistema financiero",
    "15": "compensación de deudas",
    "16": "tarjeta de débito",
    "17": "dinero electrónico",
    "18": "tarjeta prepago",
    "19": "tarjeta de crédito",
    "20": "otros con utilización del sistema financiero",
    "21": "endoso de títulos",
}
DEFAULT_PAYMENT_METHOD = "01"
RIMPE_LEGEND = "CONTRIBUYENTE RÉGIMEN RIMPE"
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_NEWLINES = re.compile(r"[ \t]*[\r\n\t\v\f\u2028\u2029]+[ \t]*")
# characters XML 1.0 cannot carry (and other C0/C1 controls): removed from texts
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_DOC_NUMBER = re.compile(r"^\d{3}-\d{3}-\d{9}$")


def today_ecuador() -> datetime.date:
    """Today's date in Ecuador (America/Guayaquil, UTC-5)."""
    return datetime.datetime.now(ECUADOR_TZ).date()


def fmt(value: Decimal) -> str:
    """Decimal as plain text, never with an exponent."""
    return format(value, "f")


_RATE_TEXT: dict = {}


def fmt_rate(value: Decimal) -> str:
    """A percentage (tarifa) with 2 decimals at most and no trailing zeros: ``15``, ``12.5``."""
    text = _RATE_TEXT.get(value)
    if text is None:
        text = format(value.quantize(CENT, ROUND_HALF_UP), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        text = text or "0"
        if len(_RATE_TEXT) < 1000:
            _RATE_TEXT[value] = text
    return text


_QUANTITY_TEXT: dict = {}


def fmt_quantity(value: Decimal) -> str:
    """Quantity / unit price: up to 6 decimals, trailing zeros trimmed to at least 2."""
    # the text depends only on the numeric value, except for zero (-0 gives "-0.00"): cache non-zero ones
    text = _QUANTITY_TEXT.get(value) if value else None
    if text is None:
        head, dot, tail = f"{value:f}".partition(".")
        if len(tail) > 6:
            head, _, tail = f"{value.quantize(MICRO, ROUND_HALF_UP):f}".partition(".")
        if len(tail) > 2:
            tail = tail.rstrip("0")
        text = f"{head}.{tail:0<2}"
        if value and len(_QUANTITY_TEXT) < 4096:
            _QUANTITY_TEXT[value] = text
    return text


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


_DATE_TEXT: dict = {}


def fmt_date(value: datetime.date) -> str:
    if type(value) is datetime.date and value.year >= 1000:  # strftime("%d/%m/%Y") without strftime, remembered
        text = _DATE_TEXT.get(value)
        if text is None:
            text = f"{value.day:02d}/{value.month:02d}/{value.year}"
            if len(_DATE_TEXT) < 1024:
                _DATE_TEXT[value] = text
        return text
    return value.strftime("%d/%m/%Y")


def esc(text: str) -> str:
    """Escape text content for XML."""
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def esc_attr(text: str) -> str:
    return esc(text).replace('"', "&quot;")


def sub(w, tag, text):
    """Append ``<tag>text</tag>`` to the writer list ``w``."""
    w.append(f"<{tag}>{esc(text)}</{tag}>")


def opt(w, tag, text):
    """Like :func:`sub`, only when ``text`` is not empty/None."""
    if text:
        w.append(f"<{tag}>{esc(text)}</{tag}>")


# --------------------------------------------------------------------------- value checks

#: (text, places, maximum) -> the Decimal ``Checker.decimal`` returned for that text. Only accepted
#: values whose exponent needed no normalising are stored (their result is exact, whatever the decimal
#: context); rejected values are never stored, so their errors are reported on every call.
_DECIMAL_TEXTS: dict = {}
_DECIMAL_TEXTS_MAX = 4096


class Checker:
    """Collects errors while coercing values; each method returns the clean value (or None)."""

    __slots__ = ("errors",)

    def __init__(self):
        self.errors: list[FieldError] = []

    def add(self, path, message):
        self.errors.append(FieldError(path, message))

    def text(self, value, path, label, max_len, required=True):
        if value is None or value is False:
            value = ""
        if not isinstance(value, str):
            value = str(value)
        if not value.isprintable():
            value = _CONTROL.sub("", _NEWLINES.sub(" ", value))
        value = value.strip()
        if not value:
            if required:
                self.add(path, f"falta {label}")
            return None
        if len(value) > max_len:
            self.add(path, f"{label} admite como máximo {max_len} caracteres (tiene {len(value)})")
        return value

    def digits(self, value, path, label, width=None, min_width=None, max_width=None, required=True, pad=False):
        text = "" if value is None else str(value).strip()
        if not text:
            if required:
                self.add(path, f"falta {label}")
            return None
        if not text.isdigit() or not text.isascii():
            self.add(path, f"{label} debe tener solo dígitos (recibido {text!r})")
            return None
        if pad and width and len(text) < width:
            text = text.zfill(width)
        lo = width or min_width or 1
        hi = width or max_width or lo
        if not lo <= len(text) <= hi:
            size = f"{width}" if width else f"entre {lo} y {hi}"
            self.add(path, f"{label} debe tener {size} dígitos (recibido {text!r})")
        return text

    def choice(self, value, path, label, choices, required=True):
        text = "" if value is None else str(value).strip()
        if not text:
            if required:
                self.add(path, f"falta {label}")
            return None
        if text not in choices:
            self.add(path, f"{label} {text!r} no es válido; use uno de: " + ", ".join(choices))
            return None
        return text

    def decimal(self, value, path, label, places=2, required=True, maximum=MAX_AMOUNT):
        """A non-negative Decimal with at most ``places`` decimals (checked, not rounded)."""
        if type(value) is str:
            key = (value, places, maximum)
            cached = _DECIMAL_TEXTS.get(key)
            if cached is not None:
                return cached
        else:
            key = None
        if value is None or value == "":
            if required:
                self.add(path, f"falta {label}")
            return None
        if isinstance(value, bool):
            self.add(path, f"{label} debe ser un número (recibido {value!r})")
            return None
        if isinstance(value, Decimal):
            dec = value
        else:
            try:
                dec = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
            except (InvalidOperation, ValueError):
                self.add(path, f"{label} debe ser un número (recibido {value!r})")
                return None
        if not dec.is_finite():
            self.add(path, f"{label} debe ser un número finito (recibido {value!r})")
            return None
        if dec < 0:
            self.add(path, f"{label} no puede ser negativo (recibido {fmt(dec)})")
            return None
        exponent = dec.as_tuple().exponent
        if exponent < -places:
            normal = dec.normalize()
            if normal.as_tuple().exponent < -places:
                self.add(path, f"{label} admite como máximo {places} decimales (recibido {fmt(dec)}); "
                         "redondee el valor antes de enviarlo")
                return None
            dec = normal
            key = None  # normalised under the decimal context: not cached
        if dec > maximum:
            self.add(path, f"{label} supera el máximo permitido ({fmt(maximum)}); recibido {fmt(dec)}")
            return None
        result = dec.quantize(CENT) if places == 2 else dec
        if key is not None and len(_DECIMAL_TEXTS) < _DECIMAL_TEXTS_MAX:
            _DECIMAL_TEXTS[key] = result
        return result

    def date(self, value, path, label, required=True):
        if value is None or value == "":
            if required:
                self.add(path, f"falta {label}")
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        for parse in (datetime.date.fromisoformat, lambda t: datetime.datetime.strptime(t, "%d/%m/%Y").date()):
            try:
                result = parse(text)
            except ValueError:
                continue
            if not 2000 <= result.year <= 2099:
                self.add(path, f"{label}: el año {result.year} está fuera del rango 2000-2099 que acepta el SRI")
                return None
            return result
        self.add(path, f"{label} no es una fecha válida (recibido {text!r}); use aaaa-mm-dd o dd/mm/aaaa")
        return None

    def doc_number(self, value, path, label, required=True):
        """``001-001-000000123`` (also accepts 15 digits without dashes)."""
        text = "" if value is None else str(value).strip()
        if not text:
            if required:
                self.add(path, f"falta {label}")
            return None
        if text.isdigit() and len(text) == 15:
            text = f"{text[:3]}-{text[3:6]}-{text[6:]}"
        if not _DOC_NUMBER.match(text):
            self.add(path, f"{label} debe tener la forma 001-001-000000123 (recibido {text!r})")
            return None
        return text

    def identification(self, id_type, value, path, label_type="el tipo de identificación"):
        """Validate a (type, number) pair; returns (type, number)."""
        id_type = self.choice(None if id_type is None else str(id_type).zfill(2), path.rsplit(".", 1)[0] + ".id_type",
                              label_type, tuple(_identification.TYPES))
        number = "" if value is None else str(value).strip()
        if id_type is None:
            return None, number or None
        try:
            number = _identification.validate(id_type, number, path)
        except SriValidationError as exc:
            self.errors.extend(exc.errors)
            return id_type, None
        if len(number) > 20:
            self.add(path, f"la identificación admite como máximo 20 caracteres (tiene {len(number)})")
        return id_type, number

    def raise_if_any(self, title):
        if self.errors:
            raise SriValidationError(self.errors, title)


def _yes_no(value):
    if isinstance(value, str):
        return "SI" if value.strip().upper() in ("SI", "SÍ", "S", "YES", "TRUE", "1") else "NO"
    return "SI" if value else "NO"


# --------------------------------------------------------------------------- building blocks


@dataclass(kw_only=True)
class Extra:
    """A name/value pair: ``infoAdicional/campoAdicional`` or ``detallesAdicionales/detAdicional``."""

    name: str
    value: str


def _norm_extras(ck: Checker, extras, path, maximum):
    """Coerce a list of :class:`Extra` (or a dict name -> value); empty values are dropped."""
    if not extras:
        return []
    if isinstance(extras, dict):
        extras = [Extra(name=k, value=v) for k, v in extras.items()]
    result = []
    for i, item in enumerate(extras):
        if isinstance(item, dict):
            item = Extra(**item)
        p = f"{path}[{i}]"
        value = "" if item.value is None or item.value is False else str(item.value)
        if not value.strip():
            continue
        item.name = ck.text(item.name, p + ".name", "el nombre del campo adicional", 300)
        item.value = ck.text(value, p + ".value", "el valor del campo adicional", 300)
        result.append(item)
    if len(result) > maximum:
        ck.add(path, f"se admiten como máximo {maximum} campos adicionales (hay {len(result)})")
    return result


@dataclass(kw_only=True)
class Issuer:
    """The emisor: ``infoTributaria`` plus the issuer fields of ``info<Documento>``."""

    ruc: str
    legal_name: str  # razonSocial
    main_address: str  # dirMatriz
    trade_name: Optional[str] = None  # nombreComercial
    establishment_address: Optional[str] = None  # dirEstablecimiento
    special_taxpayer: Optional[str] = None  # contribuyenteEspecial (resolution number)
    accounting_required: Optional[bool] = None  # obligadoContabilidad SI/NO (None: tag omitted)
    withholding_agent: Optional[str] = None  # agenteRetencion (resolution number, ≤ 8 digits)
    rimpe: bool = False  # contribuyenteRimpe = "CONTRIBUYENTE RÉGIMEN RIMPE"

    def normalize(self, ck: Checker, path="issuer", special_max=13):
        try:
            self.ruc = _identification.validate_ruc(self.ruc, f"{path}.ruc")
        except SriValidationError as exc:
            ck.errors.extend(exc.errors)
        self.legal_name = ck.text(self.legal_name, f"{path}.legal_name", "la razón social del emisor", 300)
        self.main_address = ck.text(self.main_address, f"{path}.main_address", "la dirección matriz", 300)
        self.trade_name = ck.text(self.trade_name, f"{path}.trade_name", "el nombre comercial", 300, False)
        self.establishment_address = ck.text(self.establishment_address, f"{path}.establishment_address",
                                             "la dirección del establecimiento", 300, False)
        if self.special_taxpayer not in (None, ""):
            sp = str(self.special_taxpayer).strip()
            if not (3 <= len(sp) <= special_max and sp.isalnum() and sp.isascii()):
                ck.add(f"{path}.special_taxpayer", f"el número de contribuyente especial debe tener entre 3 y "
                       f"{special_max} letras o dígitos (recibido {sp!r})")
            self.special_taxpayer = sp
        else:
            self.special_taxpayer = None
        if isinstance(self.accounting_required, str):
            self.accounting_required = _yes_no(self.accounting_required) == "SI"
        if self.withholding_agent not in (None, "", False):
            self.withholding_agent = ck.digits(self.withholding_agent, f"{path}.withholding_agent",
                                               "la resolución de agente de retención", min_width=1, max_width=8)
        else:
            self.withholding_agent = None

    def info_tributaria(self, root, doc: "Document"):
        # one string (what sub()/opt() would append element by element)
        trade, agent = self.trade_name, self.withholding_agent
        root.append(
            f"<infoTributaria><ambiente>{esc(doc.environment)}</ambiente><tipoEmision>1</tipoEmision>"
            f"<razonSocial>{esc(self.legal_name)}</razonSocial>"
            f"{f'<nombreComercial>{esc(trade)}</nombreComercial>' if trade else ''}"
            f"<ruc>{esc(self.ruc)}</ruc><claveAcceso>{esc(doc.access_key)}</claveAcceso><codDoc>{esc(doc.COD_DOC)}"
            f"</codDoc><estab>{esc(doc.establishment)}</estab><ptoEmi>{esc(doc.emission_point)}</ptoEmi>"
            f"<secuencial>{esc(doc.sequential)}</secuencial><dirMatriz>{esc(self.main_address)}</dirMatriz>"
            f"{f'<agenteRetencion>{esc(agent)}</agenteRetencion>' if agent else ''}"
            f"{f'<contribuyenteRimpe>{esc(RIMPE_LEGEND)}</contribuyenteRimpe>' if self.rimpe else ''}"
            "</infoTributaria>")


@dataclass(kw_only=True)
class Party:
    """Buyer (comprador), supplier (proveedor), withheld subject (sujeto retenido) or carrier."""

    id_type: str  # 04 RUC, 05 cédula, 06 pasaporte, 07 consumidor final, 08 exterior
    identification: str
    name: str
    address: Optional[str] = None
    email: Optional[str] = None  # not an XSD field: goes to infoAdicional when given

    def normalize(self, ck: Checker, path, label="del comprador", final_consumer=True):
        if self.id_type is not None:
            self.id_type = str(self.id_type).strip().zfill(2)
        if self.id_type == _identification.CONSUMIDOR_FINAL:
            if not final_consumer:
                ck.add(f"{path}.id_type", f"el consumidor final (07) no se admite como identificación {label}")
            if not self.name:
                self.name = _identification.CONSUMIDOR_FINAL_NAME
            if not self.identification:
                self.identification = _identification.CONSUMIDOR_FINAL_ID
        self.id_type, self.identification = ck.identification(self.id_type, self.identification,
                                                              f"{path}.identification")
        self.name = ck.text(self.name, f"{path}.name", f"la razón social {label}", 300)
        if (self.id_type == _identification.CONSUMIDOR_FINAL and self.name
                and self.name.upper() != _identification.CONSUMIDOR_FINAL_NAME):
            ck.add(f"{path}.name", f"el consumidor final debe llamarse {_identification.CONSUMIDOR_FINAL_NAME!r} "
                   f"(recibido {self.name!r})")
        self.address = ck.text(self.address, f"{path}.address", f"la dirección {label}", 300, False)
        self.email = ck.text(self.email, f"{path}.email", f"el correo {label}", 100, False)


@dataclass(kw_only=True)
class Tax:
    """A tax of a line (``impuesto``) or of a nota de débito.

    ``code``: 2 IVA, 3 ICE, 5 IRBPNR. ``rate_code``: codigoPorcentaje. ``rate``: tarifa in % (for IVA
    taken from the table when omitted; for IRBPNR: USD per unit). ``base`` defaults to the line
    subtotal, ``amount`` to ``base × rate / 100`` (IRBPNR: ``quantity × rate``), rounded half-up.
    """

    code: str = TAX_VAT
    rate_code: str = "4"
    rate: Optional[Decimal] = None
    base: Optional[Decimal] = None
    amount: Optional[Decimal] = None

    def normalize(self, ck: Checker, path, default_base, quantity=None, allowed=(TAX_VAT, TAX_ICE, TAX_IRBPNR)):
        code, rc = self.code, self.rate_code
        # fast path: a known tax code / an IVA rate code, as plain strings, is what choice()/digits() return
        # unchanged and without error; anything else goes through them
        if not (type(code) is str and code in TAX_NAMES and code in allowed):
            self.code = ck.choice(None if code is None else str(code), f"{path}.code", "el código de impuesto",
                                  allowed)
        if not (type(rc) is str and rc in VAT_RATES):
            rc = ck.digits(rc, f"{path}.rate_code", "el código de porcentaje", min_width=1, max_width=4)
        self.rate_code = rc
        rate = None if self.rate is None else ck.decimal(self.rate, f"{path}.rate", "la tarifa", required=False,
                                                         maximum=MAX_RATE)
        if self.code == TAX_VAT and rc is not None:
            if rc not in VAT_RATES:
                ck.add(f"{path}.rate_code", f"código de porcentaje de IVA {rc!r} desconocido; use uno de "
                       + ", ".join(f"{k} ({fmt(v)} %)" for k, v in VAT_RATES.items()))
            elif rate is None:
                rate = VAT_RATES[rc]
            elif rate != VAT_RATES[rc]:
                ck.add(f"{path}.rate", f"la tarifa {fmt_rate(rate)} % no corresponde al código de IVA {rc} "
                       f"({fmt_rate(VAT_RATES[rc])} %)")
        elif self.code in (TAX_ICE, TAX_IRBPNR) and rate is None and self.rate is None:
            ck.add(f"{path}.rate", f"indique la tarifa del {TAX_NAMES[self.code]}")
        self.rate = rate
        base = None if self.base is None else ck.decimal(self.base, f"{path}.base", "la base imponible",
                                                         required=False)
        if base is None and self.base is None:
            base = default_base
        self.base = base
        amount = None if self.amount is None else ck.decimal(self.amount, f"{path}.amount", "el valor del impuesto",
                                                             required=False)
        if amount is None and self.amount is None and base is not None and rate is not None:
            if self.code == TAX_IRBPNR and quantity is not None:
                amount = round2(quantity * rate)
            else:
                amount = round2(base * rate / HUNDRED)
        self.amount = amount


@dataclass(kw_only=True)
class TaxTotal:
    """``totalImpuesto``: one per (code, rate_code). Computed from the lines when not given."""

    code: str
    rate_code: str
    base: Decimal
    amount: Decimal
    rate: Optional[Decimal] = None
    additional_discount: Optional[Decimal] = None  # descuentoAdicional
    vat_refund: Optional[Decimal] = None  # valorDevolucionIva

    def normalize(self, ck: Checker, path, allowed=(TAX_VAT, TAX_ICE, TAX_IRBPNR)):
        self.code = ck.choice(None if self.code is None else str(self.code), f"{path}.code",
                              "el código de impuesto", allowed)
        self.rate_code = ck.digits(self.rate_code, f"{path}.rate_code", "el código de porcentaje",
                                   min_width=1, max_width=4)
        self.base = ck.decimal(self.base, f"{path}.base", "la base imponible")
        self.amount = ck.decimal(self.amount, f"{path}.amount", "el valor del impuesto")
        self.rate = ck.decimal(self.rate, f"{path}.rate", "la tarifa", required=False, maximum=Decimal("99.99"))
        if self.rate is None and self.code == TAX_VAT and self.rate_code in VAT_RATES:
            self.rate = VAT_RATES[self.rate_code]
        self.additional_discount = ck.decimal(self.additional_discount, f"{path}.additional_discount",
                                              "el descuento adicional", required=False)
        self.vat_refund = ck.decimal(self.vat_refund, f"{path}.vat_refund", "el valor de devolución de IVA",
                                     required=False)

    def to_xml(self, parent, with_rate=True, with_discount=True):
        t = parent
        t.append("<totalImpuesto>")
        sub(t, "codigo", self.code)
        sub(t, "codigoPorcentaje", self.rate_code)
        if with_discount and self.additional_discount is not None:
            sub(t, "descuentoAdicional", fmt(self.additional_discount))
        sub(t, "baseImponible", fmt(self.base))
        if with_rate and self.rate is not None:
            sub(t, "tarifa", fmt_rate(self.rate))
        sub(t, "valor", fmt(self.amount))
        if self.vat_refund is not None:
            sub(t, "valorDevolucionIva", fmt(self.vat_refund))
        t.append("</totalImpuesto>")


def sum_taxes(taxes_lists) -> list[TaxTotal]:
    """Group line taxes by (code, rate_code) in order of first appearance; sum bases and values."""
    groups: dict = {}
    for taxes in taxes_lists:
        for t in taxes:
            key = (t.code, t.rate_code)
            g = groups.get(key)
            if g is None:
                groups[key] = TaxTotal(code=t.code, rate_code=t.rate_code, base=t.base, amount=t.amount, rate=t.rate)
            else:
                g.base += t.base
                g.amount += t.amount
    return list(groups.values())


@dataclass(kw_only=True)
class Line:
    """A detail line (``detalle``) of factura, nota de crédito and liquidación de compra.

    ``subtotal`` (precioTotalSinImpuesto) = ``quantity × unit_price − discount`` rounded to cents when
    not given; ``discount`` may also be given as ``discount_percent`` of ``quantity × unit_price``.
    """

    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Optional[Decimal] = None
    discount_percent: Optional[Decimal] = None
    subtotal: Optional[Decimal] = None
    main_code: Optional[str] = None  # codigoPrincipal / codigoInterno
    aux_code: Optional[str] = None  # codigoAuxiliar / codigoAdicional
    unit: Optional[str] = None  # unidadMedida (factura 2.1.0/1.1.0, liquidación)
    taxes: list[Tax] = field(default_factory=list)
    extra: list[Extra] = field(default_factory=list)  # detAdicional (≤ 3)

    def normalize(self, ck: Checker, path, allowed_taxes=(TAX_VAT, TAX_ICE, TAX_IRBPNR)):
        # hot path (~10 lines per document): optional values left as None need no check (ck.text and
        # ck.decimal return None for them, with no error), and a printable str whose stripped text is not
        # empty and fits is exactly what ck.text returns, without error; the rest goes through ck.text
        text = self.description
        if type(text) is str and text.isprintable() and 0 < len(text := text.strip()) <= 300:
            self.description = text
        else:
            self.description = ck.text(self.description, f"{path}.description", "la descripción", 300)
        text = self.main_code
        if type(text) is str and text.isprintable() and 0 < len(text := text.strip()) <= 25:
            self.main_code = text
        elif self.main_code is not None:
            self.main_code = ck.text(self.main_code, f"{path}.main_code", "el código principal", 25, False)
        if self.aux_code is not None:
            self.aux_code = ck.text(self.aux_code, f"{path}.aux_code", "el código auxiliar", 25, False)
        text = self.unit
        if type(text) is str and text.isprintable() and 0 < len(text := text.strip()) <= 50:
            self.unit = text
        elif self.unit is not None:
            self.unit = ck.text(self.unit, f"{path}.unit", "la unidad de medida", 50, False)
        qty = self.quantity = ck.decimal(self.quantity, f"{path}.quantity", "la cantidad", 6, maximum=MAX_QUANTITY)
        price = self.unit_price = ck.decimal(self.unit_price, f"{path}.unit_price", "el precio unitario", 6,
                                             maximum=MAX_QUANTITY)
        discount = None if self.discount is None else ck.decimal(self.discount, f"{path}.discount", "el descuento",
                                                                 required=False)
        percent = None if self.discount_percent is None else ck.decimal(
            self.discount_percent, f"{path}.discount_percent", "el porcentaje de descuento", 6, required=False,
            maximum=HUNDRED)
        gross = qty * price if qty is not None and price is not None else None
        if discount is None and percent is not None and gross is not None:
            discount = round2(gross * percent / HUNDRED)
        if discount is None and self.discount is None:
            discount = ZERO_CENTS
        self.discount = discount
        subtotal = None if self.subtotal is None else ck.decimal(self.subtotal, f"{path}.subtotal",
                                                                 "el precio total sin impuestos", required=False)
        if subtotal is None and self.subtotal is None and gross is not None and discount is not None:
            subtotal = round2(gross - discount)
            if subtotal < 0:
                ck.add(f"{path}.discount", f"el descuento ({fmt(discount)}) es mayor que cantidad × precio "
                       f"({fmt(round2(gross))})")
                subtotal = None
            elif subtotal > MAX_AMOUNT:
                ck.add(f"{path}.subtotal", f"cantidad × precio − descuento = {fmt(subtotal)} supera el máximo que "
                       f"admite el SRI ({fmt(MAX_AMOUNT)})")
                subtotal = None
        elif subtotal is not None and gross is not None and discount is not None:
            expected = round2(gross - discount)
            if abs(subtotal - expected) > CENT:
                ck.add(f"{path}.subtotal", f"el precio total sin impuestos {fmt(subtotal)} no coincide con "
                       f"cantidad × precio − descuento = {fmt(expected)}")
        self.subtotal = subtotal
        if not self.taxes:
            ck.add(f"{path}.taxes", "la línea no tiene impuestos: indique al menos el IVA (código 2)")
        for i, tax in enumerate(self.taxes):
            tax.normalize(ck, f"{path}.taxes[{i}]", subtotal, qty, allowed_taxes)
        self.extra = _norm_extras(ck, self.extra, f"{path}.extra", 3) if self.extra else []

    def extras_xml(self, det):
        if self.extra:
            det.append("<detallesAdicionales>")
            for e in self.extra:
                det.append(f'<detAdicional nombre="{esc_attr(e.name)}" valor="{esc_attr(e.value)}"/>')
            det.append("</detallesAdicionales>")

    def amounts_xml(self, w):
        """cantidad, precioUnitario, descuento, precioTotalSinImpuesto (one string: hot path)."""
        w.append(f"<cantidad>{fmt_quantity(self.quantity)}</cantidad><precioUnitario>{fmt_quantity(self.unit_price)}"
                 f"</precioUnitario><descuento>{self.discount:f}</descuento><precioTotalSinImpuesto>"
                 f"{self.subtotal:f}</precioTotalSinImpuesto>")

    def taxes_xml(self, w, with_rate=True):
        w.append("<impuestos>")
        for t in self.taxes:
            rate = f"<tarifa>{fmt_rate(t.rate)}</tarifa>" if with_rate else ""
            w.append(f"<impuesto><codigo>{t.code}</codigo><codigoPorcentaje>{t.rate_code}</codigoPorcentaje>{rate}"
                     f"<baseImponible>{t.base:f}</baseImponible><valor>{t.amount:f}</valor></impuesto>")
        w.append("</impuestos>")


@dataclass(kw_only=True)
class Payment:
    """``pagos/pago``: formaPago (SPEC §6), total, optional plazo + unidadTiempo."""

    method: str = DEFAULT_PAYMENT_METHOD
    total: Optional[Decimal] = None
    term: Optional[Decimal] = None  # plazo
    time_unit: Optional[str] = None  # unidadTiempo, e.g. "dias"

    def normalize(self, ck: Checker, path, default_total=None):
        self.method = ck.choice(None if self.method is None else str(self.method).zfill(2), f"{path}.method",
                                "la forma de pago", tuple(PAYMENT_METHODS))
        total = ck.decimal(self.total, f"{path}.total", "el total del pago", required=default_total is None)
        self.total = default_total if total is None and self.total is None else total
        self.term = ck.decimal(self.term, f"{path}.term", "el plazo", required=False)
        self.time_unit = ck.text(self.time_unit, f"{path}.time_unit", "la unidad de tiempo", 10, False)

    def to_xml(self, pagos, full=True):
        p = pagos
        p.append("<pago>")
        sub(p, "formaPago", self.method)
        sub(p, "total", fmt(self.total))
        if full:
            if self.term is not None:
                sub(p, "plazo", fmt(self.term))
            opt(p, "unidadTiempo", self.time_unit)
        p.append("</pago>")


def norm_payments(ck: Checker, payments, path, total, required=True):
    """Default: one payment with method 01 for the whole total. The sum must equal ``total``."""
    if not payments:
        if not required or total is None:
            return []
        return [Payment(method=DEFAULT_PAYMENT_METHOD, total=total)]
    single = len(payments) == 1
    for i, p in enumerate(payments):
        p.normalize(ck, f"{path}[{i}]", total if single else None)
    if total is not None and all(p.total is not None for p in payments):
        paid = sum((p.total for p in payments), ZERO)
        if paid != total:
            ck.add(path, f"la suma de los pagos ({fmt(paid)}) no coincide con el importe total ({fmt(total)})")
    return payments


@dataclass(kw_only=True)
class ReimbursementTax:
    """``detalleImpuesto`` of a reimbursed document."""

    code: str = TAX_VAT
    rate_code: str = "4"
    base: Decimal = ZERO
    rate: Optional[Decimal] = None
    amount: Optional[Decimal] = None


@dataclass(kw_only=True)
class Reimbursement:
    """``reembolsoDetalle``: a third-party document being reimbursed (factura, liquidación, retención)."""

    supplier_id_type: str  # tipoIdentificacionProveedorReembolso
    supplier_identification: str
    doc_number: str  # 001-001-000000123 -> estab, ptoEmi, secuencial
    doc_date: datetime.date
    authorization: str  # numeroautorizacionDocReemb (10-49 digits)
    doc_type: str = "01"  # codDocReembolso
    supplier_kind: str = "01"  # tipoProveedorReembolso: 01 persona natural, 02 sociedad
    country: Optional[str] = None  # codPaisPagoProveedorReembolso (3 digits), e.g. 593
    taxes: list[ReimbursementTax] = field(default_factory=list)

    def normalize(self, ck: Checker, path):
        self.supplier_id_type, self.supplier_identification = ck.identification(
            self.supplier_id_type, self.supplier_identification, f"{path}.supplier_identification")
        self.doc_number = ck.doc_number(self.doc_number, f"{path}.doc_number", "el número del comprobante")
        self.doc_date = ck.date(self.doc_date, f"{path}.doc_date", "la fecha del comprobante")
        self.authorization = ck.digits(self.authorization, f"{path}.authorization", "la autorización",
                                       min_width=10, max_width=49)
        self.doc_type = ck.digits(self.doc_type, f"{path}.doc_type", "el tipo de comprobante", min_width=2,
                                  max_width=3, pad=True, width=None)
        self.supplier_kind = ck.choice(self.supplier_kind, f"{path}.supplier_kind", "el tipo de proveedor",
                                       ("01", "02"))
        self.country = ck.digits(self.country, f"{path}.country", "el código de país", width=3, required=False)
        if not self.taxes:
            ck.add(f"{path}.taxes", "el reembolso no tiene impuestos")
        for i, t in enumerate(self.taxes):
            if isinstance(t, dict):
                t = self.taxes[i] = ReimbursementTax(**t)
            p = f"{path}.taxes[{i}]"
            tax = Tax(code=t.code, rate_code=t.rate_code, rate=t.rate, base=t.base, amount=t.amount)
            tax.normalize(ck, p, None)
            t.code, t.rate_code, t.rate, t.base, t.amount = tax.code, tax.rate_code, tax.rate, tax.base, tax.amount

    @property
    def total(self):
        return sum((t.base + t.amount for t in self.taxes), ZERO)

    def to_xml(self, parent, auth_tag="numeroautorizacionDocReemb", integer_rate=False):
        r = parent
        r.append("<reembolsoDetalle>")
        sub(r, "tipoIdentificacionProveedorReembolso", self.supplier_id_type)
        sub(r, "identificacionProveedorReembolso", self.supplier_identification)
        opt(r, "codPaisPagoProveedorReembolso", self.country)
        sub(r, "tipoProveedorReembolso", self.supplier_kind)
        sub(r, "codDocReembolso", self.doc_type)
        estab, pto, seq = self.doc_number.split("-")
        sub(r, "estabDocReembolso", estab)
        sub(r, "ptoEmiDocReembolso", pto)
        sub(r, "secuencialDocReembolso", seq)
        sub(r, "fechaEmisionDocReembolso", fmt_date(self.doc_date))
        sub(r, auth_tag, self.authorization)
        d = r
        d.append("<detalleImpuestos>")
        for t in self.taxes:
            d.append("<detalleImpuesto>")
            sub(d, "codigo", t.code)
            sub(d, "codigoPorcentaje", t.rate_code)
            sub(d, "tarifa", str(int(t.rate)) if integer_rate else fmt_rate(t.rate))
            sub(d, "baseImponibleReembolso", fmt(t.base))
            sub(d, "impuestoReembolso", fmt(t.amount))
            d.append("</detalleImpuesto>")
        d.append("</detalleImpuestos>")
        r.append("</reembolsoDetalle>")


def norm_reimbursements(ck, items, path):
    for i, r in enumerate(items):
        r.normalize(ck, f"{path}[{i}]")
    return items


def reimbursement_totals(items):
    """(totalComprobantesReembolso, totalBaseImponibleReembolso, totalImpuestoReembolso)."""
    base = sum((t.base for r in items for t in r.taxes if t.base is not None), ZERO)
    tax = sum((t.amount for r in items for t in r.taxes if t.amount is not None), ZERO)
    return base + tax, base, tax


# --------------------------------------------------------------------------- the document


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
        return XML_DECLARATION + "".join(w).encode("utf-8")

    def to_element(self, *, check_date=True):
        """The unsigned document as an lxml element (the bytes of :meth:`to_xml`, parsed)."""
        return etree.fromstring(self.to_xml(check_date=check_date), _XML_PARSER)

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


def write_reimbursement_totals(w, doc):
    """The reembolso totals of a factura or liquidación (only when it has reimbursements)."""
    if doc.reimbursements:
        total, base, tax = reimbursement_totals(doc.reimbursements)
        sub(w, "codDocReembolso", doc.reimbursement_doc_type)
        sub(w, "totalComprobantesReembolso", fmt(total))
        sub(w, "totalBaseImponibleReembolso", fmt(base))
        sub(w, "totalImpuestoReembolso", fmt(tax))


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
