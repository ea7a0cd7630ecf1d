"""Access key (clave de acceso): check digit, build, parse (SPEC §2)."""

import datetime

import pytest

from sri import access_key
from sri.errors import SriValidationError

REAL_KEYS = [
    # ec-sri-invoice-signer issue #45, issue #33, TaxoWS production fixture (SPEC §2)
    ("1903202501092653173200110050010000016190000161916", datetime.date(2025, 3, 19), "01", "0926531732001", "1",
     "005", "001", "000001619", "00001619"),
    ("0210202401040173772100110030010000000159148637819", datetime.date(2024, 10, 2), "01", "0401737721001", "1",
     "003", "001", "000000015", "91486378"),
    ("1811202301179001691900120721260002540020711013510", datetime.date(2023, 11, 18), "01", "1790016919001", "2",
     "072", "126", "000254002", "07110135"),
]


@pytest.mark.parametrize("key,date,cod,ruc,env,estab,pto,seq,code", REAL_KEYS)
def test_real_keys_are_valid_and_parse(key, date, cod, ruc, env, estab, pto, seq, code):
    assert access_key.is_valid(key)
    parsed = access_key.parse(key)
    assert parsed.emission_date == date
    assert parsed.document_type == cod
    assert parsed.ruc == ruc
    assert parsed.environment == env
    assert (parsed.establishment, parsed.emission_point, parsed.sequential) == (estab, pto, seq)
    assert parsed.numeric_code == code
    assert parsed.emission_type == "1"
    assert parsed.value == key and str(parsed) == key
    assert parsed.document_number == f"{estab}-{pto}-{seq}"


@pytest.mark.parametrize("key,date,cod,ruc,env,estab,pto,seq,code", REAL_KEYS)
def test_build_reproduces_real_keys(key, date, cod, ruc, env, estab, pto, seq, code):
    assert access_key.build(date, cod, ruc, env, estab, pto, seq, code) == key
    assert access_key.build(date.strftime("%d/%m/%Y"), cod, ruc, env, estab, pto, seq, code) == key
    assert access_key.build(date.isoformat(), cod, ruc, env, int(estab), int(pto), int(seq), code) == key


@pytest.mark.parametrize("key", [k[0] for k in REAL_KEYS])
def test_any_single_digit_change_is_detected(key):
    for pos in range(49):
        for delta in (1, 5):
            digit = str((int(key[pos]) + delta) % 10)
            changed = key[:pos] + digit + key[pos + 1:]
            # módulo 11 detects every single-digit substitution except where the check digit maps 10/11
            if access_key.is_valid(changed):
                assert access_key.check_digit(changed[:48]) == changed[48]
                pytest.fail(f"change at {pos} not detected: {changed}")


def test_check_digit_special_cases():
    # d = 11 -> 0 and d = 10 -> 1: search prefixes that hit both
    seen = set()
    base = "190320250109265317320011005001000001619000016191"
    for n in range(200):
        prefix = base[:40] + f"{n:08d}"
        total = sum(int(c) * (2 + i % 6) for i, c in enumerate(reversed(prefix)))
        d = 11 - total % 11
        expected = "0" if d == 11 else "1" if d == 10 else str(d)
        assert access_key.check_digit(prefix) == expected
        seen.add(d)
    assert {10, 11} <= seen


def test_random_numeric_code_is_8_digits_and_valid():
    keys = {access_key.build(datetime.date(2024, 5, 2), "01", "1790016919001", "1", "001", "001", "1")
            for _ in range(20)}
    assert len(keys) > 1
    for k in keys:
        assert access_key.is_valid(k) and len(k) == 49
        assert k[39:47].isdigit() and k[39:47] != "00000000"


@pytest.mark.parametrize("bad", ["", "123", "x" * 49, "1903202501092653173200110050010000016190000161917",
                                 "19032025010926531732001100500100000161900001619161", None])
def test_invalid_keys(bad):
    assert not access_key.is_valid(bad)
    with pytest.raises(SriValidationError) as exc:
        access_key.parse(bad)
    assert exc.value.errors[0].path == "claveAcceso"


def test_parse_wrong_check_digit_message():
    with pytest.raises(SriValidationError) as exc:
        access_key.parse("1903202501092653173200110050010000016190000161917")
    assert "dígito verificador incorrecto" in exc.value.errors[0].message
    assert "debería ser 6" in exc.value.errors[0].message


def test_parse_impossible_date():
    first48 = "3102202401040173772100110030010000000159148637811"[:48]
    key = first48 + access_key.check_digit(first48)
    with pytest.raises(SriValidationError) as exc:
        access_key.parse(key)
    assert "no existe" in exc.value.errors[0].message


def test_build_reports_every_error_with_its_path():
    with pytest.raises(SriValidationError) as exc:
        access_key.build("32/13/2024", "02", "179001691900", "3", "1a", "0001", "0", "123456789", "2")
    paths = {e.path for e in exc.value.errors}
    assert {"fechaEmision", "codDoc", "ruc", "ambiente", "estab", "ptoEmi", "secuencial", "codigoNumerico",
            "tipoEmision"} <= paths


def test_build_pads_fields():
    key = access_key.build(datetime.date(2024, 1, 5), "7", "1790016919001", 2, "1", "2", "45", "7")
    parsed = access_key.parse(key)
    assert (parsed.document_type, parsed.establishment, parsed.emission_point, parsed.sequential,
            parsed.numeric_code, parsed.environment) == ("07", "001", "002", "000000045", "00000007", "2")


def test_build_rejects_missing_date_without_crashing():
    with pytest.raises(SriValidationError) as exc:
        access_key.build(None, "01", "1790016919001", "1", "001", "001", "1", "12345678")
    assert [e.path for e in exc.value.errors] == ["fechaEmision"]


def _reference_check_digit(digits48):
    """The módulo 11 rule written out plainly (what check_digit's precomputed-weight path must match)."""
    total = sum(int(c) * (2 + i % 6) for i, c in enumerate(reversed(digits48)))
    d = 11 - total % 11
    return "0" if d == 11 else "1" if d == 10 else str(d)


def test_check_digit_matches_the_plain_rule_on_random_prefixes():
    import random
    rnd = random.Random(2024)
    for _ in range(2000):
        prefix = "".join(rnd.choice("0123456789") for _ in range(48))
        assert access_key.check_digit(prefix) == _reference_check_digit(prefix)
    for prefix in ("0" * 48, "9" * 48, "1" * 48):
        assert access_key.check_digit(prefix) == _reference_check_digit(prefix)


def test_check_digit_non_ascii_digits_take_the_general_path():
    ascii_prefix = "190320250109265317320011005001000001619000016191"
    arabic = ascii_prefix.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert arabic.isdigit() and not arabic.isascii()
    assert access_key.check_digit(arabic) == access_key.check_digit(ascii_prefix) == "6"


@pytest.mark.parametrize("bad", ["1" * 47, "1" * 49, "1" * 47 + "x", "1" * 47 + " ", ""])
def test_check_digit_still_rejects_bad_input(bad):
    with pytest.raises(SriValidationError) as exc:
        access_key.check_digit(bad)
    assert exc.value.errors[0].path == "claveAcceso"
    assert exc.value.errors[0].message == "se esperaban 48 dígitos para calcular el verificador"


@pytest.mark.parametrize("value", [datetime.date(2024, 1, 5), datetime.date(2099, 12, 31), datetime.date(1000, 2, 3),
                                   datetime.date(999, 2, 3), datetime.date(5, 6, 7),
                                   datetime.datetime(2024, 3, 4, 23, 59)])
def test_date_digits_equal_strftime(value):
    assert access_key._ddmmyyyy(value) == value.strftime("%d%m%Y")


def test_date_digits_cache_is_per_date_and_bounded():
    access_key._DATE_DIGITS.clear()
    start = datetime.date(2020, 1, 1)
    for i in range(1500):
        day = start + datetime.timedelta(days=i)
        assert access_key._ddmmyyyy(day) == access_key._ddmmyyyy(day) == day.strftime("%d%m%Y")
    assert len(access_key._DATE_DIGITS) == 1024
