"""Helpers for the RIDE (printed representation of an electronic document, SPEC §11).

- ``barcode_png(access_key)``: Code 128 of the 49 digits (python-barcode + Pillow);
- ``qr_png(text)``: a QR code (qrcode), by default of the access key;
- ``amount_in_words(amount)``: the total in Spanish words (num2words, ``lang='es'``),
  as Ecuadorian documents print it: ``CIENTO VEINTIÚN CON 50/100 DÓLARES``;
- ``data_uri(png)``: embed an image in a QWeb/HTML report without a network request.
"""

import base64
import io
from decimal import ROUND_HALF_UP, Decimal

import barcode
import qrcode
from barcode.writer import ImageWriter
from num2words import num2words

from .errors import FieldError, SriValidationError

_CENT = Decimal("0.01")


def _check_key(access_key):
    key = str(access_key or "")
    if len(key) != 49 or not key.isdigit():
        raise SriValidationError([FieldError("claveAcceso", "el código de barras necesita los 49 dígitos de la clave de acceso")])
    return key


def barcode_png(access_key, module_width=0.2, module_height=12.0, text=False) -> bytes:
    """PNG of the Code 128 barcode of the access key (without the human-readable line by default:
    the RIDE prints the key itself under the bars)."""
    key = _check_key(access_key)
    out = io.BytesIO()
    barcode.get("code128", key, writer=ImageWriter()).write(out, options={
        "module_width": module_width, "module_height": module_height, "quiet_zone": 2.0,
        "write_text": text, "font_size": 8, "text_distance": 3.0, "dpi": 300,
    })
    return out.getvalue()


def barcode_svg(access_key) -> str:
    """SVG of the same Code 128 barcode (vector, for HTML views)."""
    key = _check_key(access_key)
    out = io.BytesIO()
    barcode.get("code128", key).write(out, options={"write_text": False, "module_height": 12.0})
    return out.getvalue().decode("utf-8")


def qr_png(text, box_size=4, border=2) -> bytes:
    """PNG of a QR code holding ``text`` (the access key or a verification URL)."""
    if not text:
        raise SriValidationError([FieldError("qr", "no hay texto para el código QR")])
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=border)
    qr.add_data(str(text))
    qr.make(fit=True)
    out = io.BytesIO()
    qr.make_image().save(out, format="PNG")
    return out.getvalue()


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _apocope(words: str) -> str:
    """``uno`` before a masculine noun is ``un``; ``veintiuno`` is ``veintiún``."""
    if words.endswith("veintiuno"):
        return words[:-len("veintiuno")] + "veintiún"
    if words == "uno" or words.endswith(" uno"):
        return words[:-3] + "un"
    return words


def amount_in_words(amount, currency_singular="DÓLAR", currency_plural="DÓLARES") -> str:
    """``Decimal('121.50')`` → ``CIENTO VEINTIÚN CON 50/100 DÓLARES``."""
    try:
        value = Decimal(str(amount)).quantize(_CENT, rounding=ROUND_HALF_UP)
    except ArithmeticError:
        raise SriValidationError([FieldError("importeTotal", f"importe no válido: {amount!r}")]) from None
    if value < 0:
        raise SriValidationError([FieldError("importeTotal", "el importe no puede ser negativo")])
    units = int(value)
    cents = int((value - units) * 100)
    words = _apocope(num2words(units, lang="es")).upper()
    currency = currency_singular if units == 1 else currency_plural
    return f"{words} CON {cents:02d}/100 {currency}"
