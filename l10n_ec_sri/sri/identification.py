"""Identification of buyers, suppliers and issuers: cédula, RUC, pasaporte, consumidor final (SPEC §4).

The check-digit arithmetic comes from python-stdnum (``stdnum.ec``); this module adds the
SRI identification-type codes and a precise Spanish message for each way an input can be wrong.
"""

import functools

from stdnum.ec import ci as stdnum_ci
from stdnum.ec import ruc as stdnum_ruc
from stdnum.exceptions import ValidationError as StdnumError

from .errors import FieldError, SriValidationError

RUC = "04"
CEDULA = "05"
PASAPORTE = "06"
CONSUMIDOR_FINAL = "07"
EXTERIOR = "08"
TYPES = {
    RUC: "RUC",
    CEDULA: "Cédula",
    PASAPORTE: "Pasaporte",
    CONSUMIDOR_FINAL: "Consumidor final",
    EXTERIOR: "Identificación del exterior",
}
CONSUMIDOR_FINAL_ID = "9999999999999"
CONSUMIDOR_FINAL_NAME = "CONSUMIDOR FINAL"
# Provinces 01-24, 30 (Ecuadorians registered abroad) and 50 (SRI's newer series), as stdnum accepts.
_EXTRA_PROVINCES = ("30", "50")


def _fail(path, message):
    raise SriValidationError([FieldError(path, message)], "Identificación no válida")


def _clean(value):
    if type(value) is str and value.isdigit():  # hot path: nothing to remove (no spaces, no dashes)
        return value
    return "".join(str(value or "").split()).replace("-", "")


# The checks below are pure functions of the cleaned number: the reason it is wrong (a message) or None.
# They are cached (the same issuer RUC and the same customers come back on every document); the
# SriValidationError, with the caller's path, is raised by the validate_* functions on every call.
_CACHE_SIZE = 4096


def _province_problem(number, label):
    prov = number[:2]
    if not ("01" <= prov <= "24" or prov in _EXTRA_PROVINCES):
        return f"{label} {number}: los dos primeros dígitos ({prov}) no son un código de provincia (01 a 24, 30 o 50)"
    return None


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _cedula_problem(number):
    if not number:
        return "falta el número de cédula"
    if not number.isdigit():
        return f"la cédula {number} debe tener solo dígitos"
    if len(number) != 10:
        return f"la cédula {number} debe tener 10 dígitos (tiene {len(number)})"
    problem = _province_problem(number, "la cédula")
    if problem:
        return problem
    if number[2] > "6":
        return f"la cédula {number}: el tercer dígito ({number[2]}) debe estar entre 0 y 6"
    try:
        stdnum_ci.validate(number)
    except StdnumError:
        return f"la cédula {number} tiene el dígito verificador incorrecto (módulo 10)"
    return None


def validate_cedula(value, path="identificacion") -> str:
    """Return the cédula (10 digits) or raise with the reason it is wrong."""
    number = _clean(value)
    problem = _cedula_problem(number)
    if problem is not None:
        _fail(path, problem)
    return number


def ruc_kind(number: str) -> str:
    """``natural``, ``public`` or ``private`` from the third digit of a RUC."""
    third = number[2]
    return "public" if third == "6" else "private" if third == "9" else "natural"


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _ruc_problem(number):
    if not number:
        return "falta el número de RUC"
    if not number.isdigit():
        return f"el RUC {number} debe tener solo dígitos"
    if len(number) != 13:
        return f"el RUC {number} debe tener 13 dígitos (tiene {len(number)})"
    if number == CONSUMIDOR_FINAL_ID:
        return "9999999999999 es el código de consumidor final, no un RUC"
    problem = _province_problem(number, "el RUC")
    if problem:
        return problem
    third = number[2]
    if third in "78":
        return f"el RUC {number}: el tercer dígito ({third}) debe ser 0-5 (persona natural), 6 (sector público) o 9 (sociedad privada)"
    if number[-3:] == "000":
        return f"el RUC {number} debe terminar en un número de establecimiento (por ejemplo 001), no en 000"
    if third < "6":
        try:
            stdnum_ci.validate(number[:10])
        except StdnumError:
            return f"el RUC {number} de persona natural no empieza con una cédula válida (dígito verificador incorrecto)"
    try:
        stdnum_ruc.validate(number)
    except StdnumError:
        kind = "sector público" if third == "6" else "sociedad privada" if third == "9" else "persona natural"
        return f"el RUC {number} ({kind}) tiene el dígito verificador incorrecto (módulo 11)"
    return None


def validate_ruc(value, path="identificacion") -> str:
    """Return the RUC (13 digits) or raise with the reason it is wrong."""
    number = _clean(value)
    problem = _ruc_problem(number)
    if problem is not None:
        _fail(path, problem)
    return number


def validate_passport(value, path="identificacion") -> str:
    number = str(value or "").strip()
    if not number:
        _fail(path, "falta el número de pasaporte")
    if len(number) > 20:
        _fail(path, f"el pasaporte {number} tiene más de 20 caracteres")
    if any(c in number for c in "\n\r\t"):
        _fail(path, "el pasaporte no puede contener saltos de línea ni tabulaciones")
    return number


def validate(id_type: str, value, path="identificacion") -> str:
    """Validate ``value`` as an identification of SRI type ``id_type`` (04..08); return it normalised."""
    id_type = str(id_type or "").zfill(2)
    if id_type == RUC:
        return validate_ruc(value, path)
    if id_type == CEDULA:
        return validate_cedula(value, path)
    if id_type == CONSUMIDOR_FINAL:
        number = _clean(value) or CONSUMIDOR_FINAL_ID
        if number != CONSUMIDOR_FINAL_ID:
            _fail(path, f"el consumidor final se identifica con 9999999999999 (recibido {number})")
        return number
    if id_type in (PASAPORTE, EXTERIOR):
        return validate_passport(value, path)
    _fail(path, f"tipo de identificación {id_type!r} desconocido; use 04 RUC, 05 cédula, 06 pasaporte, "
          "07 consumidor final u 08 identificación del exterior")


def guess_type(value) -> str:
    """The SRI type code an identification most likely has (no validation of check digits)."""
    number = _clean(value)
    if number == CONSUMIDOR_FINAL_ID:
        return CONSUMIDOR_FINAL
    if number.isdigit() and len(number) == 13:
        return RUC
    if number.isdigit() and len(number) == 10:
        return CEDULA
    return PASAPORTE
