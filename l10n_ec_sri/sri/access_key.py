"""Clave de acceso: the 49 digits that identify an SRI document (SPEC §2).

| pos   | len | field                          |
|-------|-----|--------------------------------|
| 1-8   | 8   | fecha de emisión ddmmaaaa      |
| 9-10  | 2   | codDoc                         |
| 11-23 | 13  | RUC of the issuer              |
| 24    | 1   | ambiente (1 pruebas, 2 prod.)  |
| 25-30 | 6   | establecimiento + punto emisión|
| 31-39 | 9   | secuencial                     |
| 40-47 | 8   | código numérico                |
| 48    | 1   | tipo de emisión (1 normal)     |
| 49    | 1   | dígito verificador (módulo 11) |
"""

import datetime
import secrets
from operator import mul
from dataclasses import dataclass

from .errors import FieldError, SriValidationError

DOCUMENT_TYPES = {
    "01": "factura",
    "03": "liquidacion_compra",
    "04": "nota_credito",
    "05": "nota_debito",
    "06": "guia_remision",
    "07": "retencion",
}
ENVIRONMENTS = {"1": "pruebas", "2": "produccion"}


#: weight of each of the 48 positions, left to right (2..7 repeating from the right)
_WEIGHTS = tuple(2 + i % 6 for i in range(48))[::-1]
#: what the ASCII code of "0" adds to the weighted sum over the bytes of 48 ASCII digits
_ASCII_ZERO_OFFSET = ord("0") * sum(_WEIGHTS)


def check_digit(digits48: str) -> str:
    """Módulo 11 check digit of the first 48 digits (weights 2..7 from the right)."""
    if len(digits48) != 48 or not digits48.isdigit():
        raise SriValidationError([FieldError("claveAcceso", "se esperaban 48 dígitos para calcular el verificador")])
    if type(digits48) is str and digits48.isascii():
        # hot path: weighted sum over the ASCII codes, minus what the 48 "0" codes contribute
        total = sum(map(mul, digits48.encode("ascii"), _WEIGHTS)) - _ASCII_ZERO_OFFSET
    else:  # non-ASCII Unicode digits (str.isdigit accepts them) or non-str input: the general loop
        total = 0
        for i, ch in enumerate(reversed(digits48)):
            total += int(ch) * (2 + i % 6)
    d = 11 - total % 11
    return "0" if d == 11 else "1" if d == 10 else str(d)


_DATE_DIGITS: dict = {}


def _ddmmyyyy(date) -> str:
    """``date.strftime("%d%m%Y")``, without strftime for plain dates of years 1000-9999 (the usual case;
    remembered: documents of a day share their date)."""
    if type(date) is datetime.date and date.year >= 1000:
        text = _DATE_DIGITS.get(date)
        if text is None:
            text = f"{date.day:02d}{date.month:02d}{date.year}"
            if len(_DATE_DIGITS) < 1024:
                _DATE_DIGITS[date] = text
        return text
    return date.strftime("%d%m%Y")


@dataclass(frozen=True)
class AccessKey:
    """A parsed access key."""

    emission_date: datetime.date
    document_type: str
    ruc: str
    environment: str
    establishment: str
    emission_point: str
    sequential: str
    numeric_code: str
    emission_type: str
    check_digit: str

    @property
    def value(self) -> str:
        return (
            self.emission_date.strftime("%d%m%Y") + self.document_type + self.ruc + self.environment
            + self.establishment + self.emission_point + self.sequential + self.numeric_code
            + self.emission_type + self.check_digit
        )

    @property
    def document_number(self) -> str:
        """``001-001-000000123`` as printed on the RIDE."""
        return f"{self.establishment}-{self.emission_point}-{self.sequential}"

    def __str__(self):
        return self.value


def _digits(value, width, path, label, errors):
    text = str(value if value is not None else "").strip()
    if not text.isdigit():
        errors.append(FieldError(path, f"{label} debe tener solo dígitos (recibido {text!r})"))
        return "0" * width
    if len(text) > width:
        errors.append(FieldError(path, f"{label} admite como máximo {width} dígitos (recibido {text!r})"))
        return text[-width:]
    return text.zfill(width)


def build(emission_date, document_type, ruc, environment, establishment, emission_point,
          sequential, numeric_code=None, emission_type="1") -> str:
    """Return the 49-digit access key. ``numeric_code`` defaults to 8 random digits."""
    errors = []
    if isinstance(emission_date, str):
        try:
            emission_date = datetime.datetime.strptime(emission_date, "%d/%m/%Y").date()
        except ValueError:
            try:
                emission_date = datetime.date.fromisoformat(emission_date)
            except ValueError:
                errors.append(FieldError("fechaEmision", f"fecha no válida {emission_date!r}: use dd/mm/aaaa"))
                emission_date = datetime.date(2000, 1, 1)
    elif not isinstance(emission_date, datetime.date):
        errors.append(FieldError("fechaEmision", f"fecha no válida {emission_date!r}: use dd/mm/aaaa"))
        emission_date = datetime.date(2000, 1, 1)
    before = len(errors)
    document_type = _digits(document_type, 2, "codDoc", "El tipo de documento", errors)
    if document_type not in DOCUMENT_TYPES and len(errors) == before:
        errors.append(FieldError("codDoc", f"tipo de documento {document_type} desconocido; use uno de "
                                 + ", ".join(f"{k} ({v})" for k, v in DOCUMENT_TYPES.items())))
    ruc_text = str(ruc or "").strip()
    if len(ruc_text) != 13 or not ruc_text.isdigit() or not ruc_text.endswith("001"):
        errors.append(FieldError("ruc", f"el RUC del emisor debe tener 13 dígitos y terminar en 001 (recibido {ruc_text!r})"))
        ruc_text = "0" * 13
    environment = str(environment)
    if environment not in ENVIRONMENTS:
        errors.append(FieldError("ambiente", "el ambiente debe ser 1 (pruebas) o 2 (producción)"))
        environment = "1"
    establishment = _digits(establishment, 3, "estab", "El establecimiento", errors)
    emission_point = _digits(emission_point, 3, "ptoEmi", "El punto de emisión", errors)
    sequential = _digits(sequential, 9, "secuencial", "El secuencial", errors)
    if sequential == "000000000":
        errors.append(FieldError("secuencial", "el secuencial debe ser mayor que cero"))
    if numeric_code is None:
        numeric_code = f"{secrets.randbelow(99999999) + 1:08d}"
    numeric_code = _digits(numeric_code, 8, "codigoNumerico", "El código numérico", errors)
    emission_type = str(emission_type)
    if emission_type != "1":
        errors.append(FieldError("tipoEmision", "el tipo de emisión debe ser 1 (normal)"))
    if errors:
        raise SriValidationError(errors, "No se puede generar la clave de acceso")
    first48 = (_ddmmyyyy(emission_date) + document_type + ruc_text + environment + establishment
               + emission_point + sequential + numeric_code + emission_type)
    return first48 + check_digit(first48)


def is_valid(key: str) -> bool:
    """True when ``key`` has 49 digits and a correct check digit."""
    key = str(key or "")
    return len(key) == 49 and key.isdigit() and check_digit(key[:48]) == key[48]


def parse(key: str) -> AccessKey:
    """Split a key into its fields; raises :class:`SriValidationError` when it is not valid."""
    key = str(key or "").strip()
    if len(key) != 49 or not key.isdigit():
        raise SriValidationError([FieldError("claveAcceso", f"la clave de acceso debe tener 49 dígitos (tiene {len(key)})")],
                                 "Clave de acceso no válida")
    expected = check_digit(key[:48])
    if expected != key[48]:
        raise SriValidationError([FieldError("claveAcceso", f"dígito verificador incorrecto: es {key[48]}, debería ser {expected}")],
                                 "Clave de acceso no válida")
    try:
        date = datetime.datetime.strptime(key[0:8], "%d%m%Y").date()
    except ValueError:
        raise SriValidationError([FieldError("claveAcceso", f"la fecha {key[0:8]} (ddmmaaaa) no existe")],
                                 "Clave de acceso no válida") from None
    return AccessKey(
        emission_date=date, document_type=key[8:10], ruc=key[10:23], environment=key[23],
        establishment=key[24:27], emission_point=key[27:30], sequential=key[30:39],
        numeric_code=key[39:47], emission_type=key[47], check_digit=key[48],
    )
