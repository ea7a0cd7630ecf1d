import io
from decimal import Decimal

import pytest
from PIL import Image
from pyzbar import pyzbar  # an independent reader of the bars (Debian's libzbar0)

from sri import ride
from sri.errors import SriValidationError

KEY = "1903202501092653173200110050010000016190000161916"  # real key quoted in SPEC §2


def _decode(png):
    return [(r.type, r.data.decode()) for r in pyzbar.decode(Image.open(io.BytesIO(png)))]


def test_barcode_is_code128_of_the_49_digits():
    png = ride.barcode_png(KEY)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert _decode(png) == [("CODE128", KEY)]


def test_barcode_svg_has_bars():
    svg = ride.barcode_svg(KEY)
    assert svg.lstrip().startswith("<?xml") and svg.count("<rect") > 50


def test_qr_holds_the_text():
    png = ride.qr_png(KEY)
    assert _decode(png) == [("QRCODE", KEY)]
    assert ride.data_uri(png).startswith("data:image/png;base64,iVBOR")


@pytest.mark.parametrize("bad", ["", "123", KEY[:-1] + "x", None])
def test_barcode_refuses_a_bad_key(bad):
    with pytest.raises(SriValidationError, match="49 dígitos"):
        ride.barcode_png(bad)


@pytest.mark.parametrize("amount, words", [
    (Decimal("121.50"), "CIENTO VEINTIÚN CON 50/100 DÓLARES"),
    ("1", "UN CON 00/100 DÓLAR"),
    (0, "CERO CON 00/100 DÓLARES"),
    (Decimal("1000.05"), "MIL CON 05/100 DÓLARES"),
    (Decimal("2345678.999"), "DOS MILLONES TRESCIENTOS CUARENTA Y CINCO MIL SEISCIENTOS SETENTA Y NUEVE CON 00/100 DÓLARES"),
    (Decimal("31.10"), "TREINTA Y UN CON 10/100 DÓLARES"),
    (Decimal("0.995"), "UN CON 00/100 DÓLAR"),
])
def test_amount_in_words(amount, words):
    assert ride.amount_in_words(amount) == words


def test_amount_in_words_refuses_negative_and_garbage():
    with pytest.raises(SriValidationError, match="negativo"):
        ride.amount_in_words(Decimal("-1"))
    with pytest.raises(SriValidationError, match="no válido"):
        ride.amount_in_words("doce")
