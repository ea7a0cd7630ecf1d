"""Formatting helpers and constants shared by every SRI document.

* Amounts are :class:`decimal.Decimal`; values computed here are rounded ROUND_HALF_UP to 2 decimals.
* The XML is written straight into a list of strings (``sub``/``opt`` append one escaped element).
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

from ..constants import ECUADOR_TZ

ZERO = Decimal("0")
ZERO_CENTS = Decimal("0.00")  # == ZERO.quantize(CENT)
CENT = Decimal("0.01")
MICRO = Decimal("0.000001")
HUNDRED = Decimal("100")
MAX_AMOUNT = Decimal("999999999999.99")  # totalDigits 14, fractionDigits 2
MAX_QUANTITY = Decimal("999999999999.999999")  # totalDigits 18, fractionDigits 6
MAX_RATE = Decimal("99.99")  # tarifa of a tax

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


def _yes_no(value):
    if isinstance(value, str):
        return "SI" if value.strip().upper() in ("SI", "SÍ", "S", "YES", "TRUE", "1") else "NO"
    return "SI" if value else "NO"
