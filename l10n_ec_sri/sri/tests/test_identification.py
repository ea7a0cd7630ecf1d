"""Identification checks: cédula, RUC (natural, private, public), pasaporte, consumidor final (SPEC §4)."""

import pytest

from sri import identification as ident
from sri.errors import SriValidationError

VALID_CEDULAS = ["1712345675", "0912345675", "0102030400", "1728394659", "0601234560", "1710034065"]
VALID_RUCS = {
    "1790016919001": "private",  # sociedad privada (third digit 9)
    "0992345675001": "private",
    "1791234561001": "private",
    "1712345675001": "natural",  # persona natural: cédula + 001
    "0926531732001": "natural",
    "1760001200001": "public",  # sector público (third digit 6)
    "1760000040001": "public",
}


def _error(fn, *args):
    with pytest.raises(SriValidationError) as exc:
        fn(*args)
    assert len(exc.value.errors) == 1
    return exc.value.errors[0]


@pytest.mark.parametrize("number", VALID_CEDULAS)
def test_valid_cedulas(number):
    assert ident.validate_cedula(number) == number
    assert ident.validate(ident.CEDULA, number) == number
    assert ident.validate("5", f" {number[:5]} {number[5:]} ") == number  # spaces, unpadded type


@pytest.mark.parametrize("number,kind", sorted(VALID_RUCS.items()))
def test_valid_rucs(number, kind):
    assert ident.validate_ruc(number) == number
    assert ident.validate(ident.RUC, number) == number
    assert ident.ruc_kind(number) == kind


@pytest.mark.parametrize("value,fragment", [
    ("", "falta el número de cédula"),
    ("17123456A5", "solo dígitos"),
    ("171234567", "10 dígitos (tiene 9)"),
    ("2512345678", "código de provincia"),
    ("1772345675", "tercer dígito (7)"),
    ("1712345676", "dígito verificador incorrecto"),
])
def test_invalid_cedulas(value, fragment):
    err = _error(ident.validate_cedula, value, "buyer.identification")
    assert err.path == "buyer.identification"
    assert fragment in err.message


@pytest.mark.parametrize("value,fragment", [
    ("", "falta el número de RUC"),
    ("179001691900A", "solo dígitos"),
    ("179001691900", "13 dígitos (tiene 12)"),
    ("9999999999999", "consumidor final"),
    ("9990016919001", "código de provincia"),
    ("1780016919001", "tercer dígito (8)"),
    ("1790016919000", "no en 000"),
    ("1712345676001", "persona natural no empieza con una cédula válida"),
    ("1790016918001", "sociedad privada"),
    ("1760001210001", "sector público"),
])
def test_invalid_rucs(value, fragment):
    err = _error(ident.validate_ruc, value, "issuer.ruc")
    assert err.path == "issuer.ruc"
    assert fragment in err.message


def test_consumidor_final():
    assert ident.validate(ident.CONSUMIDOR_FINAL, "9999999999999") == "9999999999999"
    assert ident.validate(ident.CONSUMIDOR_FINAL, "") == "9999999999999"
    err = _error(ident.validate, ident.CONSUMIDOR_FINAL, "1712345675", "buyer.identification")
    assert err.path == "buyer.identification" and "9999999999999" in err.message


def test_passport_and_foreign():
    assert ident.validate(ident.PASAPORTE, " AB123456 ") == "AB123456"
    assert ident.validate(ident.EXTERIOR, "X-99887766") == "X-99887766"
    assert "más de 20" in _error(ident.validate, ident.PASAPORTE, "A" * 21, "p").message
    assert "falta el número de pasaporte" in _error(ident.validate, ident.PASAPORTE, "", "p").message


def test_unknown_type():
    err = _error(ident.validate, "09", "1712345675", "buyer.identification")
    assert err.path == "buyer.identification" and "desconocido" in err.message


def test_guess_type():
    assert ident.guess_type("9999999999999") == ident.CONSUMIDOR_FINAL
    assert ident.guess_type("1790016919001") == ident.RUC
    assert ident.guess_type("1712345675") == ident.CEDULA
    assert ident.guess_type("AB123") == ident.PASAPORTE


def test_cached_results_still_raise_every_time_with_the_callers_path():
    # the pure checks are cached per number: an invalid number fails on every call, each time with the
    # path of that call and the same message; a valid one keeps passing
    ident._ruc_problem.cache_clear()
    ident._cedula_problem.cache_clear()
    messages = set()
    for path in ("issuer.ruc", "buyer.identification", "suppliers[3].ruc"):
        err = _error(ident.validate_ruc, "1790016918001", path)
        assert err.path == path
        messages.add(err.message)
    assert messages == {"el RUC 1790016918001 (sociedad privada) tiene el dígito verificador incorrecto (módulo 11)"}
    assert ident._ruc_problem.cache_info().hits >= 2
    for path in ("a", "b"):
        err = _error(ident.validate, ident.CEDULA, "1712345676", path)
        assert (err.path, err.message) == (
            path, "la cédula 1712345676 tiene el dígito verificador incorrecto (módulo 10)")
    for _ in range(3):
        assert ident.validate_ruc("1790016919001") == "1790016919001"
        assert ident.validate(ident.CEDULA, "1712345675") == "1712345675"
    # a valid number cached first does not make a near miss pass, nor the reverse
    assert _error(ident.validate_ruc, "1790016919000", "x").message.endswith("no en 000")
    assert _error(ident.validate_cedula, "1712345675 9", "y").message == "la cédula 17123456759 debe tener 10 dígitos (tiene 11)"


def test_cleaning_before_the_cache_keeps_spaces_dashes_and_non_strings_working():
    assert ident.validate_ruc(" 1790016919-001 ") == "1790016919001"
    assert ident.validate_ruc(1790016919001) == "1790016919001"
    assert ident.validate_cedula(1712345675) == "1712345675"
    assert _error(ident.validate_cedula, None, "p").message == "falta el número de cédula"
    assert _error(ident.validate_ruc, 0, "p").message == "falta el número de RUC"
    # non-ASCII digits are digits for str.isdigit but not for the check-digit rules
    err = _error(ident.validate_cedula, "١٧١٢٣٤٥٦٧٥", "p")
    assert (err.path, err.message) == ("p", "la cédula ١٧١٢٣٤٥٦٧٥: los dos primeros dígitos (١٧) no son un código "
                                            "de provincia (01 a 24, 30 o 50)")
