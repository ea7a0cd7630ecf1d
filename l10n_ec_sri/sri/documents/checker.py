"""The :class:`Checker`: collects every problem of a document as a :class:`~sri.errors.FieldError`
while coercing its values (texts, digits, choices, Decimals, dates, document numbers, identifications).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from .. import identification as _identification
from ..errors import FieldError, SriValidationError
from .formatting import _CONTROL, _DOC_NUMBER, _NEWLINES, CENT, MAX_AMOUNT, fmt

#: (text, places, maximum) -> the Decimal ``Checker.decimal`` returned for that text. Only accepted
#: values whose exponent needed no normalising are stored (their result is exact, whatever the decimal
#: context); rejected values are never stored, so their errors are reported on every call.
_DECIMAL_TEXTS: dict = {}
_DECIMAL_TEXTS_MAX = 4096


def _shown(value, limit=40):
    """``value`` as quoted in a message: a long text is cut (the whole text helps nobody)."""
    text = repr(value) if not isinstance(value, str) else value
    if len(text) > limit:
        text = text[:limit - 1].rstrip() + "…"
    return f"'{text}'" if isinstance(value, str) else text


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
            self.add(path, f"{label} debe tener solo dígitos (recibido {_shown(text)})")
            return None
        if pad and width and len(text) < width:
            text = text.zfill(width)
        lo = width or min_width or 1
        hi = width or max_width or lo
        if not lo <= len(text) <= hi:
            size = f"{width}" if width else f"entre {lo} y {hi}"
            self.add(path, f"{label} debe tener {size} dígitos (recibido {_shown(text)})")
        return text

    def choice(self, value, path, label, choices, required=True):
        text = "" if value is None else str(value).strip()
        if not text:
            if required:
                self.add(path, f"falta {label}")
            return None
        if text not in choices:
            self.add(path, f"{label} {_shown(text)} no es válido; use uno de: " + ", ".join(choices))
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
            self.add(path, f"{label} debe ser un número (recibido {_shown(value)})")
            return None
        if isinstance(value, Decimal):
            dec = value
        else:
            try:
                dec = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
            except (InvalidOperation, ValueError):
                self.add(path, f"{label} debe ser un número (recibido {_shown(value)})")
                return None
        if not dec.is_finite():
            self.add(path, f"{label} debe ser un número finito (recibido {_shown(value)})")
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
        self.add(path, f"{label} no es una fecha válida (recibido {_shown(text)}); use aaaa-mm-dd o dd/mm/aaaa")
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
            self.add(path, f"{label} debe tener la forma 001-001-000000123 (recibido {_shown(text)})")
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
