"""sri.documents: build, check, totals, access key, XSD validity, CLI."""

import copy
import datetime
import json
import os
import random
import subprocess
import sys
from decimal import Decimal

import pytest
from lxml import etree

from sri import access_key, schemas
from sri.documents import (
    DOCUMENT_CLASSES, Factura, GuiaRemision, Issuer, Line, LiquidacionCompra, NotaCredito, NotaDebito, Party,
    Payment, Retencion, Tax, VAT_RATES, from_dict, today_ecuador,
)
from sri.errors import SriValidationError

SRI_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG_ROOT = os.path.dirname(SRI_DIR)  # l10n_ec_sri/
EXAMPLES = os.path.join(SRI_DIR, "examples")
EXAMPLE_FILES = {
    "factura.json": (Factura, "2.1.0"),
    "factura_v1.1.0.json": (Factura, "1.1.0"),
    "factura_exportacion.json": (Factura, "2.1.0"),
    "nota_credito.json": (NotaCredito, "1.1.0"),
    "nota_debito.json": (NotaDebito, "1.0.0"),
    "retencion.json": (Retencion, "2.0.0"),
    "liquidacion_compra.json": (LiquidacionCompra, "1.1.0"),
    "guia_remision.json": (GuiaRemision, "1.1.0"),
}
ISSUER = {"ruc": "1790016919001", "legal_name": "DISTRIBUIDORA ANDINA DEL PACIFICO S.A.",
          "main_address": "Av. Amazonas N34-451, Quito"}
BUYER = {"id_type": "05", "identification": "1712345675", "name": "María José Guamán"}


def load(name):
    with open(os.path.join(EXAMPLES, name), encoding="utf-8") as fh:
        return json.load(fh)


def factura_data(**over):
    data = {"type": "factura", "sequential": "1", "issuer": dict(ISSUER), "buyer": dict(BUYER),
            "lines": [{"description": "Producto", "quantity": "1", "unit_price": "10.00",
                       "taxes": [{"code": "2", "rate_code": "4"}]}]}
    data.update(over)
    return data


def errors_of(fn):
    with pytest.raises(SriValidationError) as exc:
        fn()
    return {e.path: e.message for e in exc.value.errors}


def assert_xsd_valid(xml):
    errors = schemas.validate(xml)
    assert errors == [], "\n".join(map(str, errors)) + "\n" + xml.decode()


# --------------------------------------------------------------------------- examples


@pytest.mark.parametrize("name", sorted(EXAMPLE_FILES))
def test_every_example_builds_and_validates(name):
    cls, version = EXAMPLE_FILES[name]
    data = load(name)
    assert "emission_date" not in data  # examples always use today's date
    doc = from_dict(data)
    assert type(doc) is cls and doc.version == version and DOCUMENT_CLASSES[doc.COD_DOC] is cls
    xml = doc.to_xml()
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert b"\n  " not in xml  # not pretty-printed
    assert_xsd_valid(xml)
    root = doc.to_element()
    assert root.tag == cls.ROOT_TAG and root.get("id") == "comprobante" and root.get("version") == version
    assert root.findtext("infoTributaria/claveAcceso") == doc.access_key
    assert root.findtext("infoTributaria/codDoc") == cls.COD_DOC
    assert doc.emission_date == today_ecuador()
    parsed = access_key.parse(doc.access_key)
    assert parsed.document_type == cls.COD_DOC and parsed.ruc == doc.issuer.ruc
    assert parsed.emission_date == doc.emission_date
    assert parsed.document_number == doc.document_number


def test_factura_example_totals():
    doc = from_dict(load("factura.json"))
    root = doc.to_element()
    info = root.find("infoFactura")
    assert info.findtext("totalSinImpuestos") == "176.36"
    assert info.findtext("totalDescuento") == "12.00"
    totals = {t.findtext("codigoPorcentaje"): (t.findtext("baseImponible"), t.findtext("valor"))
              for t in info.find("totalConImpuestos")}
    assert totals == {"0": ("8.55", "0.00"), "4": ("125.81", "18.87"), "5": ("42.00", "2.10")}
    assert info.findtext("propina") == "10.00"
    assert info.findtext("importeTotal") == "207.33"
    assert [p.findtext("total") for p in info.find("pagos")] == ["150.00", "57.33"]
    assert root.findall("detalles/detalle")[3].findtext("precioUnitario") == "7.123456"
    assert root.findall("detalles/detalle")[3].findtext("cantidad") == "2.50"
    names = [c.get("nombre") for c in root.find("infoAdicional")]
    assert names == ["Dirección", "Teléfono", "Vendedor", "Email"]


def test_public_names_and_constants():
    assert {k: v.__name__ for k, v in DOCUMENT_CLASSES.items()} == {
        "01": "Factura", "03": "LiquidacionCompra", "04": "NotaCredito", "05": "NotaDebito",
        "06": "GuiaRemision", "07": "Retencion"}
    assert (Factura.VERSION, Factura.ROOT_TAG) == ("2.1.0", "factura")
    assert (Retencion.ROOT_TAG, Retencion.VERSION) == ("comprobanteRetencion", "2.0.0")
    assert VAT_RATES["4"] == Decimal("15") and VAT_RATES["10"] == Decimal("13") and VAT_RATES["5"] == Decimal("5")


# --------------------------------------------------------------------------- generated cases

RATE_CODES = ["0", "2", "3", "4", "5", "6", "7", "8", "10"]


def random_factura(rng, n_lines, version, optional):
    lines = []
    for i in range(n_lines):
        q_places, p_places = rng.randint(0, 6), rng.randint(0, 6)
        qty = Decimal(rng.randint(1, 10 ** 6)).scaleb(-min(q_places + 2, 6))
        price = Decimal(rng.randint(0, 10 ** 7)).scaleb(-min(p_places + 2, 6))
        line = {"description": f"Artículo {i} & <compañía> \"especial\"", "quantity": str(qty),
                "unit_price": str(price), "taxes": [{"code": "2", "rate_code": rng.choice(RATE_CODES)}]}
        gross = qty * price
        if optional and rng.random() < 0.4 and gross >= 1:
            line["discount_percent"] = str(rng.choice([5, 10, "12.5", 50]))
        if optional and rng.random() < 0.2:
            line["taxes"].insert(0, {"code": "3", "rate_code": "3011", "rate": "15"})
        if optional and rng.random() < 0.1:
            line["taxes"].append({"code": "5", "rate_code": "5001", "rate": "0.02"})
        if optional and rng.random() < 0.3:
            line["main_code"] = f"P{i:05d}"
            line["aux_code"] = f"A{i}"
            line["unit"] = "unidad"
            line["extra"] = [{"name": f"n{k}", "value": f"valor {k}"} for k in range(rng.randint(1, 3))]
        lines.append(line)
    data = factura_data(version=version, lines=lines, sequential=str(rng.randint(1, 999999999)))
    if optional:
        data["tip"] = str(Decimal(rng.randint(0, 5000)).scaleb(-2))
        data["remission_guide"] = "001-001-000000001"
        data["buyer"] = {"id_type": "04", "identification": "0992345675001", "name": "COMERCIAL GUAYAS CIA. LTDA.",
                         "address": "Av. 9 de Octubre 1520, Guayaquil", "email": "a@b.ec"}
        data["issuer"].update(trade_name="ANDIPAC", establishment_address="Quito", special_taxpayer="5368",
                              accounting_required=True, withholding_agent="12345678", rimpe=True)
        data["additional_info"] = {f"Campo {k}": f"Valor {k}" for k in range(rng.randint(1, 14))}
    return data


@pytest.mark.parametrize("version", ["2.1.0", "1.1.0"])
@pytest.mark.parametrize("optional", [False, True])
def test_generated_facturas_validate_and_add_up(version, optional):
    rng = random.Random(f"{version}-{optional}")
    for n_lines in list(range(1, 11)) + [17, 33, 50]:
        data = random_factura(rng, n_lines, version, optional)
        doc = from_dict(copy.deepcopy(data))
        xml = doc.to_xml()
        assert_xsd_valid(xml)
        root = etree.fromstring(xml)
        info = root.find("infoFactura")
        dets = root.findall("detalles/detalle")
        assert len(dets) == n_lines
        subtotal = sum(Decimal(d.findtext("precioTotalSinImpuesto")) for d in dets)
        assert Decimal(info.findtext("totalSinImpuestos")) == subtotal
        assert Decimal(info.findtext("totalDescuento")) == sum(Decimal(d.findtext("descuento")) for d in dets)
        for d in dets:
            qty, price = Decimal(d.findtext("cantidad")), Decimal(d.findtext("precioUnitario"))
            expected = (qty * price - Decimal(d.findtext("descuento"))).quantize(Decimal("0.01"), "ROUND_HALF_UP")
            assert Decimal(d.findtext("precioTotalSinImpuesto")) == expected
        per_key = {}
        for imp in root.iterfind("detalles/detalle/impuestos/impuesto"):
            key = (imp.findtext("codigo"), imp.findtext("codigoPorcentaje"))
            base, value = per_key.get(key, (Decimal(0), Decimal(0)))
            per_key[key] = (base + Decimal(imp.findtext("baseImponible")), value + Decimal(imp.findtext("valor")))
            if key[0] == "2":
                rate = VAT_RATES[key[1]]
                assert Decimal(imp.findtext("tarifa")) == rate
                assert Decimal(imp.findtext("valor")) == (Decimal(imp.findtext("baseImponible")) * rate / 100) \
                    .quantize(Decimal("0.01"), "ROUND_HALF_UP")
        totals = {(t.findtext("codigo"), t.findtext("codigoPorcentaje")):
                  (Decimal(t.findtext("baseImponible")), Decimal(t.findtext("valor")))
                  for t in info.find("totalConImpuestos")}
        assert totals == per_key
        tip = Decimal(info.findtext("propina") or 0)
        total = subtotal + sum(v for _, v in totals.values()) + tip
        assert Decimal(info.findtext("importeTotal")) == total
        assert sum(Decimal(p.findtext("total")) for p in info.find("pagos")) == total
        assert ("&amp;" in xml.decode()) and b"<compa" not in xml


@pytest.mark.parametrize("rate_code", RATE_CODES)
def test_each_vat_rate(rate_code):
    data = factura_data(lines=[{"description": "X", "quantity": "3", "unit_price": "33.333333",
                                "taxes": [{"rate_code": rate_code}]}])
    doc = from_dict(data)
    assert_xsd_valid(doc.to_xml())
    t = doc.tax_totals[0]
    assert t.base == Decimal("100.00")
    assert t.amount == (Decimal("100.00") * VAT_RATES[rate_code] / 100).quantize(Decimal("0.01"))


@pytest.mark.parametrize("value,expected", [
    ("1", "1.00"), ("1.5", "1.50"), ("0.000001", "0.000001"), ("123456.123450", "123456.12345"),
    ("100", "100.00"), ("1E+2", "100.00"), ("2.100000", "2.10"),
])
def test_quantity_formatting(value, expected):
    doc = from_dict(factura_data(lines=[{"description": "X", "quantity": value, "unit_price": "1",
                                         "taxes": [{"rate_code": "0"}]}]))
    root = doc.to_element()
    assert root.findtext("detalles/detalle/cantidad") == expected
    assert_xsd_valid(doc.to_xml())


def test_half_up_rounding_of_computed_values():
    doc = from_dict(factura_data(lines=[{"description": "X", "quantity": "1", "unit_price": "0.125",
                                         "taxes": [{"rate_code": "4"}]},
                                        {"description": "Y", "quantity": "1", "unit_price": "0.30",
                                         "taxes": [{"rate_code": "4"}]}]))
    doc.check()
    assert doc.lines[0].subtotal == Decimal("0.13")  # 0.125 -> 0.13 (half up, not banker's)
    assert doc.lines[1].taxes[0].amount == Decimal("0.05")  # 0.045 -> 0.05
    assert doc.total == Decimal("0.43") + Decimal("0.02") + Decimal("0.05")


@pytest.mark.parametrize("name", ["nota_credito.json", "nota_debito.json", "retencion.json",
                                  "liquidacion_compra.json", "guia_remision.json"])
def test_other_types_with_variations(name):
    rng = random.Random(name)
    for i in range(12):
        data = load(name)
        data["sequential"] = str(i + 1)
        data["environment"] = rng.choice(["1", "2"])
        if rng.random() < 0.5:
            data["additional_info"] = []
        if rng.random() < 0.5:
            data["issuer"] = dict(ISSUER)
        if name in ("nota_credito.json", "liquidacion_compra.json"):
            for ln in data["lines"]:
                ln["taxes"] = [{"code": "2", "rate_code": rng.choice(RATE_CODES)}]
                ln["quantity"] = str(Decimal(rng.randint(1, 10 ** 7)).scaleb(-rng.randint(0, 6)))
            if name == "liquidacion_compra.json":
                data["payments"] = [{"method": "20"}]
                if rng.random() < 0.5:
                    data.pop("reimbursements")
        if name == "nota_debito.json":
            rc = rng.choice(RATE_CODES)
            data["taxes"] = [{"code": "2", "rate_code": rc}]
            data.pop("payments")
        if name == "guia_remision.json":
            data["recipients"] *= rng.randint(1, 3)
        if name == "retencion.json":
            data["support_documents"] *= rng.randint(1, 3)
        doc = from_dict(data)
        assert_xsd_valid(doc.to_xml())


def test_nota_debito_totals():
    doc = from_dict(load("nota_debito.json"))
    doc.check()
    assert doc.subtotal == Decimal("13.50")
    assert doc.taxes[0].base == Decimal("13.50") and doc.taxes[0].amount == Decimal("2.03")
    assert doc.total == Decimal("15.53")


def test_retencion_values():
    doc = from_dict(load("retencion.json"))
    root = doc.to_element()
    rets = root.findall("docsSustento/docSustento/retenciones/retencion")
    assert [(r.findtext("codigo"), r.findtext("porcentajeRetener"), r.findtext("valorRetenido")) for r in rets] == \
        [("1", "10", "50.00"), ("2", "20", "15.00")]
    ds = root.find("docsSustento/docSustento")
    assert ds.findtext("numDocSustento") == "001001000004521"
    assert ds.findtext("totalSinImpuestos") == "500.00" and ds.findtext("importeTotal") == "575.00"
    assert root.findtext("infoCompRetencion/periodoFiscal") == doc.emission_date.strftime("%m/%Y")


def test_liquidacion_reimbursements():
    root = from_dict(load("liquidacion_compra.json")).to_element()
    info = root.find("infoLiquidacionCompra")
    assert info.findtext("codDocReembolso") == "41"
    assert info.findtext("totalComprobantesReembolso") == "46.00"
    assert root.findtext("reembolsos/reembolsoDetalle/estabDocReembolso") == "002"


def test_dataclasses_directly():
    doc = Factura(
        issuer=Issuer(ruc="1790016919001", legal_name="ACME S.A.", main_address="Quito"),
        buyer=Party(id_type="07", identification="", name=""),
        lines=[Line(description="Café", quantity=Decimal("2"), unit_price=Decimal("1.25"),
                    taxes=[Tax(rate_code="4")])],
        payments=[Payment(method="01")],
        sequential=42,
    )
    xml = doc.to_xml()
    assert_xsd_valid(xml)
    root = etree.fromstring(xml)
    assert root.findtext("infoFactura/identificacionComprador") == "9999999999999"
    assert root.findtext("infoFactura/razonSocialComprador") == "CONSUMIDOR FINAL"
    assert root.findtext("infoFactura/importeTotal") == "2.88"
    assert root.findtext("infoTributaria/secuencial") == "000000042"


# --------------------------------------------------------------------------- access key


def test_access_key_generated_once_and_kept():
    doc = from_dict(factura_data())
    key = doc.access_key
    assert access_key.is_valid(key)
    doc.check()
    doc.to_xml()
    assert doc.access_key == key
    assert doc.numeric_code == key[39:47]
    # the Odoo side stores it and passes it back: same key, never regenerated
    again = from_dict(factura_data(access_key=key))
    assert again.access_key == key
    assert etree.fromstring(again.to_xml()).findtext("infoTributaria/claveAcceso") == key
    # numeric_code given: deterministic
    a = from_dict(factura_data(numeric_code="12345678")).access_key
    b = from_dict(factura_data(numeric_code="12345678")).access_key
    assert a == b and a[39:47] == "12345678"


def test_access_key_follows_fields_edited_before_check():
    doc = from_dict(factura_data(numeric_code="87654321"))
    doc.sequential = "99"
    doc.check()
    parsed = access_key.parse(doc.access_key)
    assert parsed.sequential == "000000099" and parsed.numeric_code == "87654321"


def test_given_access_key_must_match_document():
    key = from_dict(factura_data(sequential="5")).access_key
    errs = errors_of(lambda: from_dict(factura_data(sequential="6", access_key=key)).check())
    assert "no corresponde" in errs["access_key"] and "secuencial" in errs["access_key"]
    bad = key[:48] + str((int(key[48]) + 1) % 10)
    errs = errors_of(lambda: from_dict(factura_data(sequential="5", access_key=bad)).check())
    assert "dígito verificador" in errs["access_key"]


def test_access_key_uses_given_date():
    day = today_ecuador() - datetime.timedelta(days=3)
    doc = from_dict(factura_data(emission_date=day.isoformat()))
    assert access_key.parse(doc.access_key).emission_date == day
    assert etree.fromstring(doc.to_xml()).findtext("infoFactura/fechaEmision") == day.strftime("%d/%m/%Y")


# --------------------------------------------------------------------------- errors


def test_wrong_issuer_ruc():
    data = factura_data()
    data["issuer"]["ruc"] = "1790016918001"
    errs = errors_of(lambda: from_dict(data).check())
    assert "dígito verificador" in errs["issuer.ruc"]


@pytest.mark.parametrize("id_type,number,fragment", [
    ("04", "1712345676001", "cédula válida"),
    ("05", "1712345676", "dígito verificador"),
    ("05", "171234567", "10 dígitos"),
    ("07", "1712345675", "9999999999999"),
])
def test_wrong_buyer_identification(id_type, number, fragment):
    data = factura_data(buyer={"id_type": id_type, "identification": number, "name": "Juan"})
    errs = errors_of(lambda: from_dict(data).check())
    assert fragment in errs["buyer.identification"]


def test_negative_amount():
    data = factura_data()
    data["lines"][0]["unit_price"] = "-5"
    errs = errors_of(lambda: from_dict(data).check())
    assert "no puede ser negativo" in errs["lines[0].unit_price"]


def test_seven_decimals_quantity_is_an_error_not_rounded():
    data = factura_data()
    data["lines"] = data["lines"] * 3
    data["lines"][2] = dict(data["lines"][2], quantity="1.1234567")
    errs = errors_of(lambda: from_dict(data).check())
    assert "como máximo 6 decimales" in errs["lines[2].quantity"]
    assert list(errs) == ["lines[2].quantity"]


def test_given_total_with_three_decimals_is_an_error():
    errs = errors_of(lambda: from_dict(factura_data(total="11.501")).check())
    assert "como máximo 2 decimales" in errs["total"]
    errs = errors_of(lambda: from_dict(factura_data(tip="0.005")).check())
    assert "como máximo 2 decimales" in errs["tip"]


def test_given_total_that_does_not_add_up():
    errs = errors_of(lambda: from_dict(factura_data(total="12.00")).check())
    assert "11.50" in errs["total"]
    assert from_dict(factura_data(total="11.50", subtotal="10", total_discount="0")).to_xml()


def test_given_tax_totals_are_kept_when_consistent():
    doc = from_dict(factura_data(tax_totals=[{"code": "2", "rate_code": "4", "base": "10.00", "amount": "1.50",
                                              "additional_discount": "0.00"}]))
    root = doc.to_element()
    assert root.findtext("infoFactura/totalConImpuestos/totalImpuesto/descuentoAdicional") == "0.00"
    errs = errors_of(lambda: from_dict(factura_data(tax_totals=[
        {"code": "2", "rate_code": "4", "base": "20.00", "amount": "1.50"}])).check())
    assert "no coincide" in errs["tax_totals[0].base"]


def test_missing_buyer_and_empty_lines():
    data = factura_data(lines=[])
    data.pop("buyer")
    errs = errors_of(lambda: from_dict(data).check())
    assert "comprador" in errs["buyer"]
    assert "líneas" in errs["lines"]


def test_too_long_string_and_newlines():
    data = factura_data()
    data["lines"][0]["description"] = "x" * 301
    data["buyer"]["name"] = "Juan\nPérez\r\n  Ríos"
    data["lines"][0]["main_code"] = "C" * 26
    doc = from_dict(data)
    errs = errors_of(doc.check)
    assert "300 caracteres (tiene 301)" in errs["lines[0].description"]
    assert "25 caracteres" in errs["lines[0].main_code"]
    assert doc.buyer.name == "Juan Pérez Ríos"


def test_amounts_beyond_14_digits():
    data = factura_data()
    data["lines"][0].update(quantity="999999", unit_price="99999999")
    errs = errors_of(lambda: from_dict(data).check())
    assert "supera el máximo" in errs["lines[0].subtotal"]
    data["lines"] = [dict(data["lines"][0], quantity="9999", unit_price="99999999.99")] * 2
    errs = errors_of(lambda: from_dict(data).check())
    assert "supera el máximo" in errs["total"]


def test_every_problem_is_listed_at_once():
    data = factura_data(sequential="0", establishment="1234", environment="3")
    data["issuer"]["ruc"] = "123"
    data["buyer"]["identification"] = "1712345676"
    data["lines"][0]["quantity"] = "-1"
    data["lines"].append({"description": "", "quantity": "1", "unit_price": "abc", "taxes": []})
    errs = errors_of(lambda: from_dict(data).check())
    for path in ["sequential", "establishment", "environment", "issuer.ruc", "buyer.identification",
                 "lines[0].quantity", "lines[1].description", "lines[1].unit_price", "lines[1].taxes"]:
        assert path in errs, (path, errs)


def test_consumidor_final_limit():
    data = factura_data(buyer={"id_type": "07", "identification": "9999999999999", "name": "CONSUMIDOR FINAL"})
    data["lines"][0]["unit_price"] = "100"
    errs = errors_of(lambda: from_dict(data).check())
    assert "consumidor final" in errs["buyer.id_type"]
    data["buyer"]["name"] = "Pedro"
    data["lines"][0]["unit_price"] = "1"
    errs = errors_of(lambda: from_dict(data).check())
    assert "CONSUMIDOR FINAL" in errs["buyer.name"]


def test_emission_date_window():
    today = today_ecuador()
    errs = errors_of(lambda: from_dict(factura_data(emission_date=(today + datetime.timedelta(days=1)).isoformat()))
                     .check())
    assert "posterior a hoy" in errs["emission_date"]
    old = (today - datetime.timedelta(days=91)).isoformat()
    errs = errors_of(lambda: from_dict(factura_data(emission_date=old)).check())
    assert "extemporánea" in errs["emission_date"]
    assert_xsd_valid(from_dict(factura_data(emission_date=old)).to_xml(check_date=False))
    errs = errors_of(lambda: from_dict(factura_data(emission_date="31/02/2024")).check())
    assert "fecha válida" in errs["emission_date"]


def test_vat_rate_mismatch_and_unknown_code():
    data = factura_data()
    data["lines"][0]["taxes"] = [{"code": "2", "rate_code": "4", "rate": "12"}]
    assert "no corresponde" in errors_of(lambda: from_dict(data).check())["lines[0].taxes[0].rate"]
    data["lines"][0]["taxes"] = [{"code": "2", "rate_code": "9"}]
    assert "desconocido" in errors_of(lambda: from_dict(data).check())["lines[0].taxes[0].rate_code"]
    data["lines"][0]["taxes"] = [{"code": "4", "rate_code": "4"}]
    assert "no es válido" in errors_of(lambda: from_dict(data).check())["lines[0].taxes[0].code"]


def test_payments_must_add_up():
    data = factura_data(payments=[{"method": "01", "total": "5.00"}, {"method": "19", "total": "5.00"}])
    assert "11.50" in errors_of(lambda: from_dict(data).check())["payments"]
    data = factura_data(payments=[{"method": "99", "total": "11.50"}])
    assert "forma de pago" in errors_of(lambda: from_dict(data).check())["payments[0].method"]


def test_limits_on_additional_fields():
    data = factura_data(additional_info=[{"name": f"c{i}", "value": "v"} for i in range(16)])
    assert "15" in errors_of(lambda: from_dict(data).check())["additional_info"]
    data = factura_data()
    data["lines"][0]["extra"] = [{"name": f"c{i}", "value": "v"} for i in range(4)]
    assert "3" in errors_of(lambda: from_dict(data).check())["lines[0].extra"]
    # empty values are dropped, not sent
    doc = from_dict(factura_data(additional_info={"Vacío": "", "Lleno": "x"}))
    assert [e.name for e in doc.check().additional_info] == ["Lleno"]


def test_from_dict_structure_errors():
    with pytest.raises(SriValidationError) as exc:
        from_dict({"type": "boleta"})
    assert exc.value.errors[0].path == "type"
    data = factura_data(colour="red")
    data["lines"][0]["qty"] = 1
    errs = errors_of(lambda: from_dict(data))
    assert "campo desconocido" in errs["colour"] and "lines[0].qty" in errs
    data = factura_data()
    del data["issuer"]["ruc"]
    assert "obligatorio" in errors_of(lambda: from_dict(data))["issuer.ruc"]
    assert "versión" in errors_of(lambda: from_dict(factura_data(version="2.0.0")).check())["version"]


def test_other_types_errors():
    data = load("retencion.json")
    data["subject"] = {"id_type": "07", "identification": "9999999999999", "name": "CONSUMIDOR FINAL"}
    data["support_documents"][0]["withholdings"][0]["base"] = "1.001"
    errs = errors_of(lambda: from_dict(data).check())
    assert "consumidor final" in errs["subject.id_type"]
    assert "2 decimales" in errs["support_documents[0].withholdings[0].base"]
    data = load("liquidacion_compra.json")
    data["lines"][0]["taxes"] = [{"code": "3", "rate_code": "3011", "rate": "10"}]
    assert "no es válido" in errors_of(lambda: from_dict(data).check())["lines[0].taxes[0].code"]
    data = load("nota_credito.json")
    data["modified_doc_number"] = "001-001-12"
    assert "001-001-000000123" in errors_of(lambda: from_dict(data).check())["modified_doc_number"]
    data = load("guia_remision.json")
    data["recipients"][0]["lines"] = []
    data.pop("plate")
    errs = errors_of(lambda: from_dict(data).check())
    assert "recipients[0].lines" in errs and "plate" in errs


# --------------------------------------------------------------------------- CLI


def run_cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "sri", *args], cwd=PKG_ROOT, capture_output=True, input=stdin,
                          timeout=60)


def test_cli_build_and_validate(tmp_path):
    res = run_cli("build", os.path.join(EXAMPLES, "factura.json"))
    assert res.returncode == 0, res.stderr.decode()
    assert_xsd_valid(res.stdout.strip())
    out = tmp_path / "nc.xml"
    res = run_cli("build", os.path.join(EXAMPLES, "nota_credito.json"), "-o", str(out))
    assert res.returncode == 0, res.stderr.decode()
    res = run_cli("validate", str(out))
    assert res.returncode == 0 and res.stdout.decode().strip() == "válido"
    root = etree.fromstring(out.read_bytes())
    root.find("infoNotaCredito/valorModificacion").text = "1.234"
    out.write_bytes(etree.tostring(root))
    res = run_cli("validate", str(out))
    assert res.returncode == 1
    assert "/notaCredito/infoNotaCredito/valorModificacion" in res.stdout.decode()


def test_cli_build_reports_errors(tmp_path):
    data = load("factura.json")
    data["buyer"]["identification"] = "1712345676"
    data["lines"][1]["quantity"] = "1.1234567"
    src = tmp_path / "bad.json"
    src.write_text(json.dumps(data), encoding="utf-8")
    res = run_cli("build", str(src))
    assert res.returncode == 2
    err = res.stderr.decode()
    assert "buyer.identification" in err and "lines[1].quantity" in err
    src.write_text("{not json", encoding="utf-8")
    res = run_cli("build", str(src))
    assert res.returncode == 2 and "JSON mal formado" in res.stderr.decode()


@pytest.mark.parametrize("name", sorted(EXAMPLE_FILES))
def test_to_dict_round_trip_keeps_key_and_xml(name):
    doc = from_dict(load(name))
    xml = doc.to_xml()
    again = from_dict(json.loads(json.dumps(doc.to_dict())))
    assert again.access_key == doc.access_key
    assert again.to_xml() == xml


# --------------------------------------------------------------------------- caches and fast paths


def test_decimal_text_cache_keeps_every_check():
    from sri.documents import base
    base._DECIMAL_TEXTS.clear()
    ck = base.Checker()
    # accepted texts are remembered per (text, places, maximum) ...
    assert ck.decimal("1.234", "lines[0].quantity", "la cantidad", 6, maximum=base.MAX_QUANTITY) == Decimal("1.234")
    assert ck.decimal("1.234", "lines[1].quantity", "la cantidad", 6, maximum=base.MAX_QUANTITY) == Decimal("1.234")
    assert ("1.234", 6, base.MAX_QUANTITY) in base._DECIMAL_TEXTS
    assert ck.errors == []
    # ... so the same text still fails where fewer decimals or a lower maximum apply, every time, with its path
    for path in ("tip", "total"):
        assert ck.decimal("1.234", path, "la propina") is None
    assert [(e.path, e.message) for e in ck.errors] == [
        (p, "la propina admite como máximo 2 decimales (recibido 1.234); redondee el valor antes de enviarlo")
        for p in ("tip", "total")]
    ck = base.Checker()
    assert ck.decimal("150", "tip", "la propina") == Decimal("150.00")
    assert str(ck.decimal("150", "tip", "la propina")) == "150.00"
    assert ck.decimal("150", "lines[0].taxes[0].rate", "la tarifa", maximum=base.MAX_RATE) is None
    assert [(e.path, e.message) for e in ck.errors] == [
        ("lines[0].taxes[0].rate", "la tarifa supera el máximo permitido (99.99); recibido 150")]
    # rejected texts are never cached: same message on every call
    ck = base.Checker()
    for _ in range(2):
        assert ck.decimal("-1", "tip", "la propina") is None
        assert ck.decimal(" ", "tip", "la propina") is None
    assert [e.message for e in ck.errors] == [
        "la propina no puede ser negativo (recibido -1)", "la propina debe ser un número (recibido ' ')"] * 2
    assert ("-1", 2, base.MAX_AMOUNT) not in base._DECIMAL_TEXTS
    # a value that needed normalising (1.100 -> 1.10) is right but not cached; non-str values are not cached
    assert base.Checker().decimal("1.100", "tip", "la propina") == Decimal("1.10")
    assert ("1.100", 2, base.MAX_AMOUNT) not in base._DECIMAL_TEXTS
    assert base.Checker().decimal(Decimal("2.5"), "tip", "la propina") == Decimal("2.50")
    assert base.Checker().decimal(2.5, "tip", "la propina") == Decimal("2.50")
    assert all(type(k[0]) is str for k in base._DECIMAL_TEXTS)


def test_decimal_text_cache_is_bounded():
    from sri.documents import base
    base._DECIMAL_TEXTS.clear()
    ck = base.Checker()
    for i in range(base._DECIMAL_TEXTS_MAX + 50):
        assert ck.decimal(f"{i}.5", "tip", "la propina") == Decimal(f"{i}.50")
    assert len(base._DECIMAL_TEXTS) == base._DECIMAL_TEXTS_MAX
    assert ck.errors == []


def test_optional_line_values_skipped_when_none_still_checked_when_given():
    issuer = dict(ruc="1790016919001", legal_name="X", main_address="Quito")
    data = {"type": "factura", "issuer": issuer,
            "buyer": {"id_type": "05", "identification": "1712345675", "name": "Ana"},
            "lines": [{"description": "a", "quantity": "1", "unit_price": "10", "taxes": [{}]},
                      {"description": "b", "quantity": "1", "unit_price": "10", "discount": "x", "discount_percent": "-1",
                       "subtotal": "1.001", "main_code": "C" * 26, "unit": "\x01", "extra": [{"name": "n", "value": "v"}],
                       "taxes": [{"rate": "100", "base": "-2", "amount": "y"}]}]}
    with pytest.raises(SriValidationError) as exc:
        from_dict(data).check()
    assert [(e.path, e.message) for e in exc.value.errors] == [
        ("lines[1].main_code", "el código principal admite como máximo 25 caracteres (tiene 26)"),
        ("lines[1].discount", "el descuento debe ser un número (recibido 'x')"),
        ("lines[1].discount_percent", "el porcentaje de descuento no puede ser negativo (recibido -1)"),
        ("lines[1].subtotal", "el precio total sin impuestos admite como máximo 2 decimales (recibido 1.001); "
                              "redondee el valor antes de enviarlo"),
        ("lines[1].taxes[0].rate", "la tarifa supera el máximo permitido (99.99); recibido 100"),
        ("lines[1].taxes[0].base", "la base imponible no puede ser negativo (recibido -2)"),
        ("lines[1].taxes[0].amount", "el valor del impuesto debe ser un número (recibido 'y')"),
    ]


def test_from_dict_fast_path_keeps_unknown_and_missing_key_errors_in_order():
    issuer = dict(ruc="1790016919001", legal_name="X", main_address="Quito")
    data = {"type": "factura", "issuer": issuer, "zz": 1,
            "lines": [{"quantity": "1", "unit_price": "1", "taxes": [{"code": "2", "bad": 1}], "extra": [{"name": "n"}]},
                      {"description": "ok", "quantity": "1", "unit_price": "1", "extra": [{"x": 1}], "taxes": [3]}]}
    with pytest.raises(SriValidationError) as exc:
        from_dict(data)
    assert [(e.path, e.message) for e in exc.value.errors] == [
        ("zz", "campo desconocido; revise el nombre (ver sri/examples/README.md)"),
        ("lines[0].taxes[0].bad", "campo desconocido; revise el nombre (ver sri/examples/README.md)"),
        ("lines[0].extra[0].value", "falta este campo obligatorio"),
        ("lines[0].description", "falta este campo obligatorio"),
        ("lines[1].extra[0].x", "campo desconocido; revise el nombre (ver sri/examples/README.md)"),
        ("lines[1].extra[0].name", "falta este campo obligatorio"),
        ("lines[1].extra[0].value", "falta este campo obligatorio"),
        ("lines[1].taxes[0]", "se esperaba un objeto JSON (recibido int)"),
    ]


@pytest.mark.parametrize("value", ["3", "3.00", "2.5", "2.500000", "2.5000000", "7.1234565", "1E+2", "0", "-0", "0.000",
                                   "0.0000004", "999999999999.999999", "0.000001"])
def test_fmt_quantity_cache_gives_the_plain_text(value):
    from sri.documents import base
    dec = Decimal(value)
    head, _, tail = f"{dec:f}".partition(".")
    if len(tail) > 6:
        head, _, tail = f"{dec.quantize(base.MICRO, 'ROUND_HALF_UP'):f}".partition(".")
    if len(tail) > 2:
        tail = tail.rstrip("0")
    expected = f"{head}.{tail:0<2}"
    assert base.fmt_quantity(dec) == base.fmt_quantity(dec) == expected
    assert base.fmt_quantity(Decimal("-0")) == "-0.00" and base.fmt_quantity(Decimal("0.0")) == "0.00"


@pytest.mark.parametrize("value", [datetime.date(2024, 1, 5), datetime.date(999, 2, 3),
                                   datetime.datetime(2024, 3, 4, 23, 59)])
def test_fmt_date_equals_strftime(value):
    from sri.documents import base
    assert base.fmt_date(value) == value.strftime("%d/%m/%Y")


def test_factura_inlined_detail_and_info_tributaria_match_the_element_helpers():
    from sri.documents import base
    with open(os.path.join(EXAMPLES, "factura.json"), encoding="utf-8") as f:
        data = json.load(f)
    data["issuer"]["rimpe"] = True
    data["issuer"]["trade_name"] = "A & B <x>"
    data["lines"][0]["aux_code"] = "Q&1"
    doc = from_dict(data)
    xml = doc.to_xml(check_date=False).decode("utf-8")
    for ln in doc.lines:  # what the generic per-element writers give for each detalle
        w = ["<detalle>"]
        base.opt(w, "codigoPrincipal", ln.main_code)
        base.opt(w, "codigoAuxiliar", ln.aux_code)
        base.sub(w, "descripcion", ln.description)
        base.opt(w, "unidadMedida", ln.unit)
        ln.amounts_xml(w)
        ln.extras_xml(w)
        ln.taxes_xml(w)
        w.append("</detalle>")
        assert "".join(w) in xml
    w = ["<infoTributaria>"]
    for tag, value, required in (
            ("ambiente", doc.environment, True), ("tipoEmision", "1", True), ("razonSocial", doc.issuer.legal_name, True),
            ("nombreComercial", doc.issuer.trade_name, False), ("ruc", doc.issuer.ruc, True),
            ("claveAcceso", doc.access_key, True), ("codDoc", "01", True), ("estab", doc.establishment, True),
            ("ptoEmi", doc.emission_point, True), ("secuencial", doc.sequential, True),
            ("dirMatriz", doc.issuer.main_address, True), ("agenteRetencion", doc.issuer.withholding_agent, False),
            ("contribuyenteRimpe", base.RIMPE_LEGEND, True)):
        (base.sub if required else base.opt)(w, tag, value)
    w.append("</infoTributaria>")
    assert "".join(w) in xml
    assert "<nombreComercial>A &amp; B &lt;x&gt;</nombreComercial>" in xml
    assert "<codigoAuxiliar>Q&amp;1</codigoAuxiliar>" in xml


def test_fmt_date_cache_is_per_date_and_bounded():
    from sri.documents import base
    base._DATE_TEXT.clear()
    start = datetime.date(2020, 1, 1)
    for i in range(1500):
        day = start + datetime.timedelta(days=i)
        assert base.fmt_date(day) == base.fmt_date(day) == day.strftime("%d/%m/%Y")
    assert len(base._DATE_TEXT) == 1024


@pytest.mark.parametrize("value", ["Arroz", "  Arroz  ", "", "   ", None, False, 12, "a\\tb", "a\tb\nc", "x\x01y",
                                   "\xa0Arroz\xa0", "soft\xadhyphen", "Ñandú ó", "C" * 25, "C" * 26, " " + "C" * 25 + " ",
                                   "U" * 50, "U" * 51, "D" * 300, "D" * 301, "\u2028x"])
def test_line_text_fast_path_equals_checker_text(value):
    from sri.documents import base
    ln = Line(description=value, quantity="1", unit_price="1", main_code=value, unit=value, taxes=[Tax()])
    ck = base.Checker()
    ln.normalize(ck, "lines[0]")
    ref = base.Checker()
    expected = (ref.text(value, "lines[0].description", "la descripción", 300),
                ref.text(value, "lines[0].main_code", "el código principal", 25, False),
                ref.text(value, "lines[0].unit", "la unidad de medida", 50, False))
    assert (ln.description, ln.main_code, ln.unit) == expected
    assert [(e.path, e.message) for e in ck.errors] == [(e.path, e.message) for e in ref.errors]


@pytest.mark.parametrize("name, title", [("nota_credito.json", "la nota de crédito"),
                                         ("nota_debito.json", "la nota de débito")])
def test_modified_document_cannot_be_later_than_the_note(name, title):
    data = load(name)
    today = today_ecuador()
    data["emission_date"] = (today - datetime.timedelta(days=2)).isoformat()
    data["modified_doc_date"] = today.isoformat()
    errs = errors_of(lambda: from_dict(data).check())
    assert errs["modified_doc_date"] == f"la fecha del documento modificado es posterior a la de {title}"
    data["modified_doc_date"] = (today - datetime.timedelta(days=3)).isoformat()
    from_dict(data).check()


# --------------------------------------------------------------------------- comercio exterior

EXPORT = {"incoterm": "fob", "incoterm_place": "Guayaquil", "origin_country": "593", "port_of_loading": "Guayaquil",
          "port_of_destination": "Rotterdam", "destination_country": "129", "acquisition_country": "129"}
FOREIGN_BUYER = {"id_type": "08", "identification": "NL123456789B01", "name": "Fruit Import B.V."}


@pytest.mark.parametrize("version", ["2.1.0", "1.1.0"])
def test_export_factura_writes_comercio_exterior_in_the_schemas_places(version):
    doc = from_dict(factura_data(version=version, buyer=dict(FOREIGN_BUYER), foreign_trade=dict(EXPORT),
                                 lines=[{"description": "Banano", "quantity": "1000", "unit_price": "9.50",
                                         "taxes": [{"rate_code": "0"}]}]))
    xml = doc.to_xml()
    assert_xsd_valid(xml)
    info = etree.fromstring(xml).find("infoFactura")
    tags = [child.tag for child in info]
    block = ["comercioExterior", "incoTermFactura", "lugarIncoTerm", "paisOrigen", "puertoEmbarque", "puertoDestino",
             "paisDestino", "paisAdquisicion"]
    start = tags.index("comercioExterior")
    assert tags[start:start + len(block)] == block and tags[start + len(block)] == "tipoIdentificacionComprador"
    assert tags[tags.index("totalSinImpuestos") + 1] == "incoTermTotalSinImpuestos"
    assert [info.findtext(tag) for tag in block] == ["EXPORTADOR", "FOB", "Guayaquil", "593", "Guayaquil",
                                                     "Rotterdam", "129", "129"]
    assert info.findtext("incoTermTotalSinImpuestos") == "FOB"  # the invoice's Incoterm unless given
    # the block changes no amount: freight and insurance charged are lines of the invoice
    assert info.findtext("importeTotal") == "9500.00" and info.find("fleteInternacional") is None


def test_factura_without_export_has_no_comercio_exterior():
    info = etree.fromstring(from_dict(factura_data()).to_xml()).find("infoFactura")
    assert info.find("comercioExterior") is None and info.find("incoTermTotalSinImpuestos") is None


def test_export_factura_refuses_an_incomplete_or_malformed_block():
    errors = errors_of(lambda: from_dict(factura_data(foreign_trade={
        **EXPORT, "incoterm": "F.O.B", "subtotal_incoterm": "CIF", "port_of_destination": " ",
        "destination_country": "NL", "acquisition_country": "12"})).check())
    assert set(errors) == {"foreign_trade.incoterm", "foreign_trade.port_of_destination",
                           "foreign_trade.destination_country", "foreign_trade.acquisition_country"}
    assert "Incoterm" in errors["foreign_trade.incoterm"]
    assert "tabla de países del SRI" in errors["foreign_trade.destination_country"]
    assert "3 dígitos" in errors["foreign_trade.acquisition_country"]
