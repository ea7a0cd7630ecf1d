"""sri.received: documents received from suppliers/customers; the legacy schemas; the simulator
serving documents issued by others; testing.received_xml."""

import base64
import copy
import datetime
import hashlib
import os
import socket
import subprocess
import sys
import time
from decimal import Decimal
from xml.sax.saxutils import escape

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from lxml import etree

from sri import access_key, received, schemas, signing, testing
from sri.__main__ import make_parser
from sri.client import Authorization, AuthorizationEntry, Message, Outcome, SriClient
from sri.constants import ECUADOR_TZ
from sri.documents import Factura, LiquidacionCompra, NotaCredito, NotaDebito, Retencion
from sri.received import ReceivedError
from sri.simulator import Simulator
from sri.simulator.server import authorization_response, autorizacion_xml

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
DS = "{http://www.w3.org/2000/09/xmldsig#}Signature"
D = Decimal
DATE = datetime.date(2025, 3, 14)

LEGACY_SHA256 = {
    "factura_V1.0.0.xsd": "3c1025eeecc81e0240e69c21b10a12fd60ab12d730d344b647074163e528529a",
    "factura_V2.0.0.xsd": "88a6fd139d19f79f75549860372fa5af26ab85f7e9e57d12196dcae8d8b86edf",
    "NotaCredito_V1.0.0.xsd": "104a391ec4b9238c9ef53a2f3a62c5c8a9b8c23c84cbb1891af3c6c2c9242de5",
    "GuiaRemision_V1.0.0.xsd": "35ea4a791bd757a942aba3c47b2833608024d94d66b9fe075cb13ed707ffe765",
    "LiquidacionCompra_V1.0.0.xsd": "5cdb7736e68bed49d3224a861ec3a821e98ea60b7438a523614857d5a0470ae6",
    "ComprobanteRetencion_V1.0.0.xsd": "cb30a135a3dee07ee7c2244342e33c01c0ad9e6a2e5ae4a77aafc146af9c5350",
}
LEGACY = [("factura", "1.0.0"), ("factura", "2.0.0"), ("nota_credito", "1.0.0"), ("retencion", "1.0.0"),
          ("liquidacion_compra", "1.0.0"), ("guia_remision", "1.0.0")]
READ = [("factura", "1.0.0"), ("factura", "1.1.0"), ("factura", "2.0.0"), ("factura", "2.1.0"),
        ("nota_credito", "1.0.0"), ("nota_credito", "1.1.0"), ("nota_debito", "1.0.0"),
        ("retencion", "1.0.0"), ("retencion", "2.0.0"), ("liquidacion_compra", "1.0.0"),
        ("liquidacion_compra", "1.1.0")]


def comprobante_of(wrapper: bytes) -> str:
    return etree.fromstring(wrapper).findtext("comprobante")


def wrap(signed, state="AUTORIZADO", number=None, date=None) -> bytes:
    """``signed`` in an ``<autorizacion>`` wrapper (Authorization.to_xml)."""
    text = signed.decode("utf-8") if isinstance(signed, bytes) else signed
    key = etree.fromstring(text.encode()).findtext("infoTributaria/claveAcceso")
    return Authorization(state=state, outcome=Outcome.AUTHORIZED, access_key=key,
                         number=key if number is None else number,
                         date=date or datetime.datetime(2025, 3, 14, 10, 30, tzinfo=ECUADOR_TZ),
                         environment="PRUEBAS", authorized_xml=text).to_xml()


def unsigned(kind="factura", version="2.1.0", **kwargs) -> bytes:
    root = etree.fromstring(testing.received_xml(kind, version, wrap=False, **kwargs))
    del root[-1]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def refused(data, **kwargs) -> ReceivedError:
    with pytest.raises(ReceivedError) as exc:
        received.read(data, **kwargs)
    err = exc.value
    assert isinstance(err, ValueError) and err.message == str(err) and "Traceback" not in err.message
    return err


# ------------------------------------------------------------------------------ legacy schemas

@pytest.mark.parametrize("name,digest", sorted(LEGACY_SHA256.items()))
def test_legacy_xsd_files_are_the_oca_copies(name, digest):
    with open(os.path.join(schemas.XSD_DIR, "legacy", name), "rb") as fh:
        data = fh.read()
    assert hashlib.sha256(data).hexdigest() == digest
    shared = os.path.join("/work/shared/sri/xsd/oca-modified", name)
    if os.path.exists(shared):
        with open(shared, "rb") as fh:
            assert fh.read() == data


def test_legacy_versions_registered_but_never_emitted():
    for key in [("factura", "1.0.0"), ("factura", "2.0.0"), ("notaCredito", "1.0.0"),
                ("comprobanteRetencion", "1.0.0"), ("liquidacionCompra", "1.0.0"), ("guiaRemision", "1.0.0")]:
        assert key in schemas.SCHEMAS and schemas.is_legacy(*key)
        assert isinstance(schemas.get_schema(*key), etree.XMLSchema)
    assert not schemas.is_legacy("factura", "2.1.0")
    assert Factura.VERSIONS == ("2.1.0", "1.1.0") and NotaCredito.VERSIONS == ("1.1.0",)
    assert NotaDebito.VERSIONS == ("1.0.0",) and Retencion.VERSIONS == ("2.0.0",)
    assert LiquidacionCompra.VERSIONS == ("1.1.0",)
    doc = Factura(issuer=None, version="1.0.0")
    with pytest.raises(Exception) as exc:
        doc.check()
    assert "1.0.0" in str(exc.value) and "no soportada" in str(exc.value)


@pytest.mark.parametrize("kind,version", LEGACY)
def test_validate_legacy_signed_and_unsigned(kind, version):
    signed = testing.received_xml(kind, version, wrap=False)
    assert schemas.validate(signed) == []
    assert schemas.validate(unsigned(kind, version)) == []
    root = etree.fromstring(signed)
    schema = schemas.get_schema(etree.QName(root).localname, version)
    assert not schema.validate(root)  # OCA's copy alone rejects the signature...
    assert schemas.validate(root) == [] and root[-1].tag == DS  # ...validate() ignores it, input untouched
    root.insert(0, root[-1])  # a signature elsewhere than last still fails, as with the official schemas
    assert schemas.validate(root)


def test_legacy_schema_keeps_its_own_limits():
    def six_decimals(root):
        root.find("detalles/detalle/cantidad").text = "1.123456"
    root = etree.fromstring(unsigned("factura", "1.0.0", edit=six_decimals))
    errors = schemas.validate(root)
    assert [e.path for e in errors] == ["/factura/detalles/detalle[1]/cantidad"]
    root.set("version", "1.1.0")
    assert schemas.validate(root) == []


def test_current_versions_validate_as_before():
    signed = testing.received_xml("factura", "2.1.0", wrap=False)
    assert schemas.validate(signed) == []
    root = etree.fromstring(signed)
    root.insert(0, root[-1])
    assert schemas.validate(root)
    errs = schemas.validate(b'<factura id="comprobante" version="9.9.9"/>')
    assert "1.0.0, 1.1.0, 2.0.0, 2.1.0" in errs[0].message


# ------------------------------------------------------------------------------ each version

@pytest.mark.parametrize("kind,version", READ)
def test_every_version_is_read(kind, version):
    xml = testing.received_xml(kind, version, sequential=321, emission_date=DATE)
    doc = received.read(xml)
    assert (doc.type, doc.version, doc.code) == (kind, version, access_key.parse(doc.access_key).document_type)
    assert doc.issuer_ruc == testing.SUPPLIER_RUC and doc.issuer_name == testing.SUPPLIER_NAME
    assert doc.issuer_trade_name == "PROLITORAL" and doc.issuer_address.startswith("Av. 9 de Octubre")
    assert (doc.establishment, doc.emission_point, doc.sequential) == ("002", "001", "000000321")
    assert doc.number == "002-001-000000321" and doc.emission_date == DATE
    assert doc.receiver_identification == testing.DEFAULT_RUC and doc.receiver_id_type == "04"
    assert doc.receiver_name == testing.RECEIVER_NAME
    assert doc.authorization_number == doc.access_key and doc.environment == "1"
    assert doc.authorization_date == datetime.datetime(2025, 3, 14, 10, 30, tzinfo=ECUADOR_TZ)
    assert doc.currency == "DOLAR"
    assert ("Email", "facturacion@prolitoral.example.ec") in doc.additional_info
    signing.verify(doc.xml.encode("utf-8"))
    assert doc.xml == comprobante_of(xml)
    assert all(isinstance(v, Decimal) for v in (doc.total,) + tuple(
        x for t in doc.tax_totals for x in (t.base, t.amount)))


@pytest.mark.parametrize("version", ["1.0.0", "1.1.0", "2.0.0", "2.1.0"])
def test_factura_amounts_lines_taxes(version):
    doc = received.read(testing.received_xml("factura", version))
    assert (doc.subtotal, doc.total_discount, doc.total) == (D("52.00"), D("2.50"), D("58.00"))
    assert [(t.code, t.rate_code, t.rate, t.base, t.amount) for t in doc.tax_totals] == [
        ("2", "4", D("15"), D("40.00"), D("6.00")), ("2", "0", D("0"), D("12.00"), D("0.00"))]
    first, second = doc.lines
    assert (first.main_code, first.aux_code, first.description) == (
        "PAP-A4-75", "7861234500012", "Resma de papel bond A4 75 g")
    assert (first.quantity, first.unit_price, first.discount, first.subtotal) == (D(10), D("4.25"), D("2.50"),
                                                                                D("40.00"))
    assert [(t.code, t.rate_code, t.rate, t.base, t.amount) for t in first.taxes] == [
        ("2", "4", D("15"), D("40.00"), D("6.00"))]
    assert second.aux_code is None and second.taxes[0].rate == 0
    assert doc.modified_doc_number is None and doc.support_documents == [] and doc.reason is None


def test_factura_six_decimals_and_missing_tarifa():
    lines = [{"description": "Combustible", "quantity": "12.345678", "unit_price": "2.123456",
              "taxes": [{"code": "2", "rate_code": "4"}]}]

    def drop_total_rates(root):  # tarifa is optional in totalImpuesto: the rate comes from the table
        for node in root.findall("infoFactura/totalConImpuestos/totalImpuesto/tarifa"):
            node.getparent().remove(node)
    doc = received.read(testing.received_xml("factura", "2.1.0", lines=lines, edit=drop_total_rates))
    assert doc.lines[0].quantity == D("12.345678") and doc.lines[0].unit_price == D("2.123456")
    assert doc.tax_totals[0].rate == D("15")


def test_nota_credito():
    for version in ("1.0.0", "1.1.0"):
        doc = received.read(testing.received_xml("nota_credito", version, emission_date=DATE))
        assert doc.reason == "Devolución de mercadería defectuosa"
        assert (doc.modified_doc_type, doc.modified_doc_number, doc.modified_doc_date) == (
            "01", "002-001-000000045", DATE - datetime.timedelta(days=10))
        assert (doc.subtotal, doc.total_discount, doc.total) == (D("8.50"), D("0.00"), D("9.78"))
        assert [(t.rate_code, t.rate, t.base, t.amount) for t in doc.tax_totals] == [("4", D(15), D("8.50"),
                                                                                     D("1.28"))]
        line = doc.lines[0]
        assert (line.main_code, line.quantity, line.unit_price, line.subtotal) == ("PAP-A4-75", D(2), D("4.25"),
                                                                                D("8.50"))


def test_nota_debito_reasons_become_lines():
    doc = received.read(testing.received_xml("nota_debito", "1.0.0", emission_date=DATE))
    assert (doc.subtotal, doc.total_discount, doc.total) == (D("12.00"), D("0.00"), D("13.80"))
    assert [(ln.description, ln.quantity, ln.unit_price, ln.discount, ln.subtotal, ln.taxes) for ln in doc.lines] == [
        ("Intereses por mora (30 días)", D(1), D("10.00"), D("0.00"), D("10.00"), []),
        ("Gastos de cobranza", D(1), D("2.00"), D("0.00"), D("2.00"), [])]
    assert [(t.code, t.rate_code, t.rate, t.base, t.amount) for t in doc.tax_totals] == [
        ("2", "4", D(15), D("12.00"), D("1.80"))]
    assert doc.modified_doc_number == "002-001-000000045" and doc.reason is None


def test_liquidacion_receiver_is_the_supplier():
    doc = received.read(testing.received_xml("liquidacion_compra", "1.1.0", receiver_identification="0912345675",
                                             receiver_name="Juan Pérez"))
    assert (doc.receiver_id_type, doc.receiver_identification, doc.receiver_name) == ("05", "0912345675",
                                                                                      "Juan Pérez")
    assert doc.total == D("58.00") and len(doc.lines) == 2


SUPPORTS = [
    {"doc_number": "001-001-000000123", "doc_date": "2025-03-01", "base": "100.00",
     "authorization": "0103202501179001691900120010010000001231234567811",
     "withholdings": [{"code": "1", "withholding_code": "312", "base": "100.00", "percentage": "1.75"},
                      {"code": "2", "withholding_code": "1", "base": "15.00"}]},
    {"doc_number": "001-001-000000130", "doc_date": "2025-03-05", "base": "200.00",
     "withholdings": [{"code": "1", "withholding_code": "303", "base": "200.00", "percentage": "10"}]},
]


def test_retencion_2_0_0():
    doc = received.read(testing.received_xml("retencion", "2.0.0", supports=SUPPORTS, emission_date=DATE))
    assert doc.fiscal_period == "03/2025" and doc.subtotal is None and doc.total_discount is None
    assert doc.total == D("1.75") + D("4.50") + D("20.00") and doc.lines == [] and doc.tax_totals == []
    first, second = doc.support_documents
    assert (first.doc_type, first.doc_number, first.doc_date, first.support_code, first.authorization) == (
        "01", "001-001-000000123", datetime.date(2025, 3, 1), "01", SUPPORTS[0]["authorization"])
    assert [(w.code, w.withholding_code, w.base, w.percentage, w.amount) for w in first.withholdings] == [
        ("1", "312", D("100.00"), D("1.75"), D("1.75")), ("2", "1", D("15.00"), D("30"), D("4.50"))]
    assert second.doc_number == "001-001-000000130" and second.withholdings[0].amount == D("20.00")


def test_retencion_1_0_0_grouped_by_support_document():
    supports = SUPPORTS + [dict(SUPPORTS[1], doc_date="2025-03-06")]  # same number, another date

    def interleave(root):  # 1.0.0 is a flat list: the impuestos of a document need not be together
        impuestos = root.find("impuestos")
        items = list(impuestos)
        impuestos.insert(1, items[2])
    xml = testing.received_xml("retencion", "1.0.0", supports=supports, emission_date=DATE, edit=interleave)
    flat = etree.fromstring(comprobante_of(xml).encode())
    assert flat.find("docsSustento") is None
    assert [n.text for n in flat.iter("numDocSustento")] == ["001001000000123", "001001000000130",
                                                             "001001000000123", "001001000000130"]
    doc = received.read(xml)
    assert doc.version == "1.0.0" and doc.fiscal_period == "03/2025"
    groups = [(s.doc_type, s.doc_number, s.doc_date, s.support_code, s.authorization,
               [w.withholding_code for w in s.withholdings]) for s in doc.support_documents]
    assert groups == [
        ("01", "001-001-000000123", datetime.date(2025, 3, 1), None, None, ["312", "1"]),
        ("01", "001-001-000000130", datetime.date(2025, 3, 5), None, None, ["303"]),
        ("01", "001-001-000000130", datetime.date(2025, 3, 6), None, None, ["303"]),
    ]
    assert doc.total == D("1.75") + D("4.50") + D("20.00") + D("20.00")


# ------------------------------------------------------------------------------ input variants

@pytest.fixture(scope="module")
def factura():
    return testing.received_xml("factura", "2.1.0", sequential=77, emission_date=DATE)


def test_authorization_to_xml_is_read(factura):
    doc = received.read(factura)
    again = received.read(wrap(doc.xml, number=doc.authorization_number, date=doc.authorization_date))
    assert again == doc


def test_wrapper_escaped_and_nested(factura):
    root = etree.fromstring(factura)
    comp = root.findtext("comprobante")
    key = root.findtext("numeroAutorizacion")
    head = (f"<estado>AUTORIZADO</estado><numeroAutorizacion>{key}</numeroAutorizacion>"
            "<fechaAutorizacion>14/03/2025 10:30:00</fechaAutorizacion><ambiente>PRUEBAS</ambiente>")
    escaped = f"<autorizacion>{head}<comprobante>{escape(comp)}</comprobante></autorizacion>"
    doc = received.read(escaped.encode())
    assert doc.number == "002-001-000000077"
    assert doc.authorization_date == datetime.datetime(2025, 3, 14, 10, 30, tzinfo=ECUADOR_TZ)
    body = comp.split("?>", 1)[1]
    for attrs in ("", ' xmlns:otro="urn:otro"'):  # the wrapper's namespaces do not leak into the comprobante
        nested = f'<?xml version="1.0"?>\n<autorizacion{attrs}>{head}<comprobante>{body}</comprobante></autorizacion>'
        doc = received.read(nested)
        assert doc.number == "002-001-000000077" and "urn:otro" not in doc.xml
        signing.verify(doc.xml.encode())


def test_soap_envelope_takes_the_authorized_entry(factura):
    comp = comprobante_of(factura)
    key = etree.fromstring(comp.encode()).findtext("infoTributaria/claveAcceso")
    older = autorizacion_xml("NO AUTORIZADO", "", "2025-03-14T10:00:00-05:00", "PRUEBAS", comp,
                             [{"identificador": "56", "mensaje": "ESTABLECIMIENTO CERRADO", "tipo": "ERROR"}])
    good = autorizacion_xml("AUTORIZADO", key, "2025-03-14T10:31:38.123-05:00", "PRUEBAS", comp, [])
    envelope = authorization_response(key, [older, good])
    doc = received.read(envelope)
    assert doc.access_key == key
    assert doc.authorization_date == datetime.datetime(2025, 3, 14, 10, 31, 38, 123000, tzinfo=ECUADOR_TZ)
    answer = etree.fromstring(envelope).find(".//RespuestaAutorizacionComprobante")
    assert received.read(etree.tostring(answer)).access_key == key
    err = refused(authorization_response(key, [older]))
    assert err.kind == "not_authorized" and "NO AUTORIZADO" in err.message and "[56] ESTABLECIMIENTO" in err.message
    err = refused(authorization_response(key, []))
    assert err.kind == "not_found" and "ninguna autorización" in err.message


def test_declaration_bom_whitespace_and_encodings(factura):
    no_declaration = factura.split(b"?>", 1)[1]
    for data in (b"\xef\xbb\xbf" + factura, b" \r\n\t" + factura, no_declaration, factura.decode("utf-8"),
                 "\ufeff\n" + factura.decode("utf-8"), factura.decode("utf-8").encode("utf-16")):
        assert received.read(data).number == "002-001-000000077"
    latin = factura.decode("utf-8").replace('encoding="UTF-8"', 'encoding="ISO-8859-1"', 1).encode("latin-1")
    assert b"Malec\xf3n" in latin
    doc = received.read(latin)
    assert doc.issuer_address == "Av. 9 de Octubre 100 y Malecón, Guayaquil"
    # Latin-1 bytes with no declaration at all (an editor saved it so): read as Windows-1252
    undeclared = no_declaration.decode("utf-8").encode("latin-1")
    assert received.read(undeclared).issuer_address == doc.issuer_address
    assert "no es un XML válido" in refused(undeclared.replace(b"</autorizacion>", b"</autoriz>")).message
    # a bare comprobante declared ISO-8859-1: ``xml`` gets a UTF-8 declaration, the content as signed
    comp = comprobante_of(factura)
    bare = comp.replace("encoding='UTF-8'", "encoding='ISO-8859-1'", 1).encode("latin-1")
    doc = received.read(bare, require_authorization=False)
    assert 'encoding="UTF-8"' in doc.xml.splitlines()[0] and "Malecón" in doc.xml
    signing.verify(doc.xml.encode("utf-8"))


def test_bare_comprobante(factura):
    comp = comprobante_of(factura).encode("utf-8")
    key = etree.fromstring(comp).findtext("infoTributaria/claveAcceso")
    err = refused(comp)
    assert err.kind == "no_authorization"
    assert "sin la autorización del SRI" in err.message and f"clave de acceso {key}" in err.message
    doc = received.read(comp, require_authorization=False)
    assert doc.access_key == key and doc.authorization_number is None and doc.authorization_date is None
    assert doc.total == D("58.00")


# ------------------------------------------------------------------------------ refusals

def test_not_xml_corrupted_and_empty(factura):
    err = refused(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3")
    assert "no es un XML" in err.message and "PDF" in err.message
    err = refused(factura[: len(factura) // 2])
    assert "no es un XML válido o está dañado" in err.message and "línea" in err.message
    assert "\n" not in err.message
    assert "vacío" in refused(b"  \r\n").message
    assert "DOCTYPE" in refused(b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><autorizacion>&e;'
                                b"</autorizacion>").message
    with pytest.raises(ReceivedError):
        received.read(12345)


@pytest.mark.parametrize("data,found", [
    (b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><cbc:ID xmlns:cbc="urn:oasis:'
     b'names:specification:ubl:schema:xsd:CommonBasicComponents-2">F1</cbc:ID></Invoice>', "UBL"),
    (b'<?xml version="1.0"?><odoo><record id="move_1" model="account.move"><field name="name">F1</field>'
     b"</record></odoo>", "Odoo"),
    (b"<catalogo><libro>x</libro></catalogo>", "<catalogo>"),
    (b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ns2:validarComprobante'
     b'Response xmlns:ns2="http://ec.gob.sri.ws.recepcion"><RespuestaRecepcionComprobante><estado>RECIBIDA'
     b"</estado></RespuestaRecepcionComprobante></ns2:validarComprobanteResponse></soap:Body></soap:Envelope>",
     "recepción"),
    (b'<factura xmlns="urn:otro" id="comprobante" version="2.1.0"/>', "urn:otro"),
])
def test_xml_that_is_not_an_sri_comprobante(data, found):
    err = refused(data)
    assert err.kind == "invalid" and "no es un comprobante electrónico del SRI" in err.message
    assert found in err.message


def test_states_other_than_autorizado(factura):
    comp = comprobante_of(factura)
    err = refused(factura.replace(b"<estado>AUTORIZADO</estado>", b"<estado>NO AUTORIZADO</estado>"))
    assert err.kind == "not_authorized" and "«NO AUTORIZADO»" in err.message
    item = autorizacion_xml("NO AUTORIZADO", "", "2025-03-14T10:00:00-05:00", "PRUEBAS", comp,
                            [{"identificador": "39", "mensaje": "FIRMA INVALIDA", "informacionAdicional":
                              "certificado caducado", "tipo": "ERROR"}])
    err = refused(item.encode())
    assert "[39] FIRMA INVALIDA: certificado caducado" in err.message
    err = refused(autorizacion_xml("EN PROCESO", "", "", "PRUEBAS", "", []).encode())
    assert err.kind == "in_process" and "EN PROCESO" in err.message
    err = refused(b"<autorizacion><comprobante>x</comprobante></autorizacion>")
    assert "no indica el estado" in err.message
    err = refused(b"<autorizacion><estado>AUTORIZADO</estado><comprobante/></autorizacion>")
    assert "no contiene el comprobante" in err.message


def test_modified_after_signing(factura):
    tampered = factura.replace(b"<importeTotal>58.00</importeTotal>", b"<importeTotal>5.80</importeTotal>")
    assert tampered != factura
    err = refused(tampered)
    assert err.kind == "signature" and "modificado después de firmarlo" in err.message
    err = refused(wrap(unsigned()))
    assert err.kind == "signature" and "no tiene firma electrónica" in err.message


def test_key_mismatch_and_bad_keys():
    def other_sequential(root):
        root.find("infoTributaria/secuencial").text = "000000999"
    err = refused(testing.received_xml("factura", "2.1.0", sequential=5, edit=other_sequential))
    assert err.kind == "invalid" and "no corresponde al comprobante" in err.message
    assert "secuencial 000000005 en la clave y 000000999 en el comprobante" in err.message

    def other_ruc_and_date(root):
        root.find("infoTributaria/ruc").text = testing.DEFAULT_RUC
        root.find("infoFactura/fechaEmision").text = "13/03/2025"
    err = refused(testing.received_xml("factura", "2.1.0", emission_date=DATE, edit=other_ruc_and_date))
    assert f"RUC {testing.SUPPLIER_RUC} en la clave y {testing.DEFAULT_RUC} en el comprobante" in err.message
    assert "fecha de emisión 14/03/2025 en la clave y 13/03/2025 en el comprobante" in err.message

    def other_cod_doc(root):
        root.find("infoTributaria/codDoc").text = "04"
    err = refused(testing.received_xml("factura", "2.1.0", edit=other_cod_doc))
    assert "tipo de documento 01 en la clave y 04 en el comprobante" in err.message

    def bad_check_digit(root):
        node = root.find("infoTributaria/claveAcceso")
        node.text = node.text[:48] + str((int(node.text[48]) + 1) % 10)
    err = refused(testing.received_xml("factura", "2.1.0", edit=bad_check_digit))
    assert "dígito verificador incorrecto" in err.message

    def short_key(root):
        node = root.find("infoTributaria/claveAcceso")
        node.text = node.text[:40]
    err = refused(testing.received_xml("factura", "2.1.0", edit=short_key))
    assert "debe tener 49 dígitos (tiene 40)" in err.message


def test_unsupported_type_version_and_schema():
    for version in ("1.0.0", "1.1.0"):
        err = refused(testing.received_xml("guia_remision", version))
        assert err.kind == "unsupported" and "guía de remisión" in err.message and "no se importan" in err.message
    err = refused(testing.received_xml("guia_remision", "1.1.0", wrap=False), require_authorization=False)
    assert "guía de remisión" in err.message

    def future_version(root):
        root.set("version", "3.0.0")
    err = refused(testing.received_xml("factura", "2.1.0", edit=future_version))
    assert err.kind == "unsupported" and "«3.0.0»" in err.message and "1.0.0, 1.1.0, 2.0.0, 2.1.0" in err.message

    def broken(root):
        info = root.find("infoFactura")
        info.remove(info.find("totalSinImpuestos"))
        root.find("infoTributaria/ambiente").text = "7"
        for node in root.iter("descripcion"):
            node.text = ""
    err = refused(testing.received_xml("factura", "2.1.0", edit=broken))
    assert err.kind == "invalid" and "no cumple el esquema XSD del SRI" in err.message
    assert "/factura/infoTributaria/ambiente" in err.message and "error(es) más" in err.message


def _foreign_signed(xml, *, sha256_cert_digest=False, chain_first=False):
    """Signed by xmlsec with variations other signers make, which our own ``signing.verify``
    refuses although nothing was modified after signing."""
    cert = copy.copy(testing.supplier_certificate())
    template = cert._template
    if sha256_cert_digest:
        template = template.replace(
            f'<etsi:CertDigest><ds:DigestMethod Algorithm="{signing.SHA1}"/><ds:DigestValue>{cert.cert_digest_b64}',
            '<etsi:CertDigest><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
            f"<ds:DigestValue>{base64.b64encode(hashlib.sha256(cert.der).digest()).decode()}")
    if chain_first:
        ca = base64.b64encode(cert.chain[0].public_bytes(serialization.Encoding.DER)).decode()
        template = template.replace(f"<ds:X509Certificate>{cert.cert_b64}",
                                    f"<ds:X509Certificate>{ca}</ds:X509Certificate><ds:X509Certificate>"
                                    f"{cert.cert_b64}")
    assert template != cert._template
    cert._template = template
    values = {"u": "a1b2c3", "t": "2025-03-14T10:00:00-05:00", "r": "comprobante"}
    return signing._sign_xmlsec(etree.fromstring(xml), cert, values)


@pytest.mark.parametrize("variant", ["sha256_cert_digest", "chain_first"])
def test_foreign_signatures_checked_for_integrity_only(variant):
    signed = _foreign_signed(unsigned(), **{variant: True})
    with pytest.raises(signing.SignatureError):
        signing.verify(signed)
    doc = received.read(wrap(signed))
    assert doc.total == D("58.00")
    err = refused(wrap(signed.replace(b"<importeTotal>58.00<", b"<importeTotal>59.00<")))
    assert err.kind == "signature"


def test_expired_foreign_certificate_is_not_a_reason_to_refuse():
    key = testing.rsa_key(2048, "supplier")
    now = datetime.datetime.now(datetime.timezone.utc)
    old = testing.make_certificate(key.public_key(), ruc=testing.SUPPLIER_RUC, ca=testing.supplier_ca(),
                                   not_before=now - datetime.timedelta(days=400),
                                   not_after=now - datetime.timedelta(days=10))
    cert = signing.Certificate(old, key, [])
    root = etree.fromstring(unsigned())
    signed = signing._sign_xmlsec(root, cert, {"u": "0f0f0f", "t": "2024-01-01T10:00:00-05:00",
                                               "r": "comprobante"})
    assert received.read(wrap(signed)).total == D("58.00")


# ------------------------------------------------------------------------------ from_authorization

def test_from_authorization_outcomes_without_network(factura):
    comp = comprobante_of(factura)
    key = etree.fromstring(comp.encode()).findtext("infoTributaria/claveAcceso")
    date = datetime.datetime(2025, 3, 14, 11, 0, tzinfo=ECUADOR_TZ)
    ok = Authorization(state="AUTORIZADO", outcome=Outcome.AUTHORIZED, access_key=key, number=key, date=date,
                       authorized_xml=comp, count=1)
    doc = received.from_authorization(ok)
    assert doc.authorization_number == key and doc.authorization_date == date and doc.total == D("58.00")

    rejected = Authorization(state="NO AUTORIZADO", outcome=Outcome.REJECTED, access_key=key, count=1,
                             messages=[Message("39", "FIRMA INVALIDA", "", "ERROR")],
                             entries=[AuthorizationEntry(state="NO AUTORIZADO")])
    with pytest.raises(ReceivedError) as exc:
        received.from_authorization(rejected)
    assert exc.value.kind == "not_authorized" and "[39] FIRMA INVALIDA" in exc.value.message

    nothing = Authorization(state="", outcome=Outcome.RETRY, access_key=key, count=0)
    with pytest.raises(ReceivedError) as exc:
        received.from_authorization(nothing)
    assert exc.value.kind == "not_found" and "no tiene ningún comprobante autorizado" in exc.value.message
    assert "revise que la clave" in exc.value.message and "ambiente de pruebas" in exc.value.message

    offline = Authorization(state="", outcome=Outcome.RETRY, access_key=key,
                            error="Sin conexión con el SRI: la conexión no se pudo establecer.",
                            error_detail="ConnectionError: refused")
    with pytest.raises(ReceivedError) as exc:
        received.from_authorization(offline)
    assert exc.value.kind == "unreachable" and "No se pudo consultar el SRI" in exc.value.message
    assert "más tarde" in exc.value.message and "revise" not in exc.value.message

    in_process = Authorization(state="EN PROCESO", outcome=Outcome.RETRY, access_key=key, count=1,
                               entries=[AuthorizationEntry(state="EN PROCESO")])
    with pytest.raises(ReceivedError) as exc:
        received.from_authorization(in_process)
    assert exc.value.kind == "in_process"

    wrong = Authorization(state="AUTORIZADO", outcome=Outcome.AUTHORIZED, access_key=key[:48] + "0"
                          if key[48] != "0" else key[:48] + "1", authorized_xml=comp)
    with pytest.raises(ReceivedError) as exc:
        received.from_authorization(wrong)
    assert "no es válida" in exc.value.message


def test_from_authorization_against_the_simulator(sim):
    xml = testing.received_xml("factura", "1.0.0", sequential=4101)
    key = sim.seed(xml)
    with SriClient(sim.url, connect_timeout=2, read_timeout=10) as client:
        auth = client.authorize(key)
        assert auth.outcome is Outcome.AUTHORIZED and auth.number == key
        doc = received.from_authorization(auth)
        assert doc.version == "1.0.0" and doc.access_key == key and doc.authorization_date == auth.date
        assert doc == received.read(auth.to_xml())
        assert doc.xml == comprobante_of(xml)

        unknown = access_key.build(DATE, "01", testing.SUPPLIER_RUC, "1", "009", "009", "1")
        with pytest.raises(ReceivedError) as exc:
            received.from_authorization(client.authorize(unknown))
        assert exc.value.kind == "not_found"

        sim.set_knobs(http_500=1)
        with pytest.raises(ReceivedError) as exc:
            received.from_authorization(client.authorize(key))
        assert exc.value.kind == "unreachable"

        sim.set_knobs(en_proceso_polls=1)
        with pytest.raises(ReceivedError) as exc:
            received.from_authorization(client.authorize(key))
        assert exc.value.kind == "in_process"
        assert received.from_authorization(client.authorize(key)).access_key == key

    with SriClient(f"http://127.0.0.1:{_free_port()}", connect_timeout=0.5, read_timeout=1) as closed:
        with pytest.raises(ReceivedError) as exc:
            received.from_authorization(closed.authorize(key))
    assert exc.value.kind == "unreachable" and "Sin conexión" in exc.value.message


# ------------------------------------------------------------------------------ keys_from_txt

TXT_KEYS = [
    "0303202501179001691900120010450000058714587120314",
    "0503202504099000419600120020110000332100003321014",
    "1003202507179125123700120010010000009871000098713",
    "1203202505099100421100120020010000000172000001717",
    "1403202501099100421100120020010000012032000120311",
]


def test_keys_from_txt_fixture():
    with open(os.path.join(DATA, "comprobantes_recibidos.txt"), "rb") as fh:
        data = fh.read()
    assert b"\r\n" in data and b"CORPORACI\xd3N" in data  # Latin-1, CRLF
    assert received.keys_from_txt(data) == TXT_KEYS
    text = data.decode("latin-1")
    assert received.keys_from_txt(text) == TXT_KEYS
    assert received.keys_from_txt(text.encode("utf-8")) == TXT_KEYS
    assert received.keys_from_txt(b"\xef\xbb\xbf" + text.replace("\r\n", "\n").encode("utf-8")) == TXT_KEYS
    bad = "1403202501099100421100120020010000012032000120312"
    assert bad in text and bad not in TXT_KEYS
    assert all(access_key.is_valid(k) for k in TXT_KEYS)


def test_keys_from_txt_other_shapes_and_none():
    # only the NUMERO_AUTORIZACION column, no header
    rows = "".join(f"Factura\t001-001-00000000{i}\t{key}\t10.00\n" for i, key in enumerate(TXT_KEYS[:2]))
    assert received.keys_from_txt(rows) == TXT_KEYS[:2]
    with pytest.raises(ReceivedError) as exc:
        received.keys_from_txt(b"COMPROBANTE\tCLAVE_ACCESO\r\nFactura\t" + TXT_KEYS[0][:48].encode() + b"9\r\n")
    assert exc.value.kind == "no_keys" and "dígito verificador incorrecto" in exc.value.message
    with pytest.raises(ReceivedError) as exc:
        received.keys_from_txt(b"")
    assert "ninguna clave de acceso" in exc.value.message and "TXT" in exc.value.message


# ------------------------------------------------------------------------------ simulator seeding

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_simulator_seeded_from_files_and_dirs(tmp_path):
    folder = tmp_path / "recibidos"
    folder.mkdir()
    docs = {"a.xml": testing.received_xml("factura", "2.0.0", sequential=11),
            "b.XML": testing.received_xml("retencion", "1.0.0", sequential=12),
            "notas.txt": b"not a document"}
    for name, data in docs.items():
        (folder / name).write_bytes(data)
    single = tmp_path / "nc.xml"
    single.write_bytes(testing.received_xml("nota_credito", "1.0.0", sequential=13))
    bare = testing.received_xml("nota_debito", "1.0.0", sequential=14, wrap=False)
    with Simulator(port=0, db_path=tmp_path / "sim.sqlite3", seed=[folder, str(single), bare]) as sim:
        assert len(sim.seeded) == 4 and sim.status()["seeded_keys"] == 4
        with SriClient(sim.url, connect_timeout=2, read_timeout=10) as client:
            for key, version in zip(sim.seeded, ("2.0.0", "1.0.0", "1.0.0", "1.0.0")):
                auth = client.authorize(key)
                assert auth.outcome is Outcome.AUTHORIZED and auth.number == key and auth.date is not None
                assert received.from_authorization(auth).version == version
            # a seeded key is registered: sending it again is 43, as SRI answers
            rec = client.send(comprobante_of(docs["a.xml"]).encode("utf-8"))
            assert [m.identifier for m in rec.messages] == ["43"]
            # the bare comprobante got an authorization date at seeding time
            assert client.authorize(sim.seeded[3]).date.tzinfo is not None
    # restart on the same database with the same seeds: replaced, not refused
    with Simulator(port=0, db_path=tmp_path / "sim.sqlite3", seed=[folder]) as sim:
        assert len(sim.seeded) == 2


def test_seed_errors(tmp_path):
    with pytest.raises(ValueError) as exc:
        Simulator(port=0, db_path=tmp_path / "a.sqlite3", seed=[tmp_path / "no-existe.xml"])
    assert "no existe" in str(exc.value)
    bad = tmp_path / "roto.xml"
    bad.write_bytes(b"<factura>")
    with pytest.raises(ValueError) as exc:
        Simulator(port=0, db_path=tmp_path / "b.sqlite3", seed=[bad])
    assert str(bad) in str(exc.value) and "no se puede sembrar" in str(exc.value)
    empty = tmp_path / "vacia"
    empty.mkdir()
    with pytest.raises(ValueError):
        Simulator(port=0, db_path=tmp_path / "c.sqlite3", seed=[empty])
    sim = Simulator(port=0, db_path=tmp_path / "d.sqlite3")
    try:
        sim.seed(testing.received_xml("factura", "2.1.0", sequential=21))
        # another key with the same issuer and number cannot be seeded
        with pytest.raises(ValueError) as exc:
            sim.seed(testing.received_xml("factura", "2.1.0", sequential=21))
        assert "ya está registrado con otra clave" in str(exc.value)
        with pytest.raises(ValueError):
            sim.seed(empty)
        with pytest.raises(TypeError):
            sim.seed(42)
    finally:
        sim.stop()


def test_seed_through_control(sim):
    xml = testing.received_xml("factura", "2.1.0", sequential=4201)
    other = testing.received_xml("nota_credito", "1.1.0", sequential=4202)
    r = requests.post(sim.url + "/control", json={"seed": xml.decode("utf-8"), "latency_ms": 0}, timeout=5)
    assert r.status_code == 200, r.text
    (key,) = r.json()["seeded"]
    r = requests.post(sim.url + "/control", json={"seed": [base64.b64encode(other).decode()]}, timeout=5)
    assert r.status_code == 200 and len(r.json()["seeded"]) == 1
    for bad in ("/etc/hostname", "<factura/>", 5):
        r = requests.post(sim.url + "/control", json={"seed": bad}, timeout=5)
        assert r.status_code == 400 and "error" in r.json()
    with SriClient(sim.url, connect_timeout=2, read_timeout=10) as client:
        doc = received.from_authorization(client.authorize(key))
    assert doc.access_key == key and doc.number == "002-001-000004201"


def test_reception_accepts_legacy_versions(sim):
    cert = signing.load_p12(testing.make_p12(password="clave"), "clave")  # the CA the simulator trusts
    with SriClient(sim.url, connect_timeout=2, read_timeout=10) as client:
        for i, (kind, version) in enumerate([("factura", "1.0.0"), ("factura", "2.0.0"),
                                             ("nota_credito", "1.0.0"), ("retencion", "1.0.0"),
                                             ("liquidacion_compra", "1.0.0")]):
            xml = testing.received_xml(kind, version, issuer_ruc=testing.DEFAULT_RUC, sequential=4300 + i,
                                       certificate=cert, wrap=False)
            rec = client.send(xml)
            assert rec.outcome is Outcome.RECEIVED, rec.reasons
            auth = client.authorize(rec.access_key)
            assert auth.outcome is Outcome.AUTHORIZED, auth.reasons
            assert received.from_authorization(auth).version == version


def test_cli_seed_argument(tmp_path):
    args = make_parser().parse_args(["simulator", "--seed", "a.xml", "--seed", str(tmp_path)])
    assert args.seed == ["a.xml", str(tmp_path)]
    assert make_parser().parse_args(["simulator"]).seed == []
    (tmp_path / "f.xml").write_bytes(testing.received_xml("factura", "2.1.0", sequential=31))
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(HERE)))
    proc = subprocess.Popen([sys.executable, "-m", "sri", "simulator", "--port", str(port), "--db",
                             str(tmp_path / "cli.sqlite3"), "--seed", str(tmp_path)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                status = requests.get(f"http://127.0.0.1:{port}/control", timeout=1).json()
                break
            except requests.ConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read().decode()
                time.sleep(0.1)
        assert status["seeded_keys"] == 1
    finally:
        proc.terminate()
        proc.wait(10)
    assert b"1 seeded document(s)" in proc.stdout.read()
    failed = subprocess.run([sys.executable, "-m", "sri", "simulator", "--port", str(_free_port()), "--db",
                             str(tmp_path / "cli2.sqlite3"), "--seed", str(tmp_path / "nada.xml")],
                            env=env, capture_output=True, text=True, timeout=60)
    assert failed.returncode == 2 and "no existe" in failed.stderr


# ------------------------------------------------------------------------------ testing helpers

def test_supplier_ruc_and_helpers():
    from sri import identification
    assert identification.validate_ruc(testing.SUPPLIER_RUC) == testing.SUPPLIER_RUC
    assert testing.SUPPLIER_RUC != testing.DEFAULT_RUC and testing.SUPPLIER_RUC[2] == "9"
    with pytest.raises(ValueError):
        testing.private_ruc("171234567")
    with pytest.raises(ValueError):
        testing.received_xml("factura", "9.9.9")
    assert testing.supplier_certificate() is testing.supplier_certificate()
    assert testing.SUPPLIER_CA_COMMON_NAME in testing.supplier_certificate().issuer
    wrapper = etree.fromstring(testing.received_xml("07", "2.0.0", authorization_number="X" * 10))
    assert wrapper.findtext("numeroAutorizacion") == "X" * 10 and wrapper.findtext("ambiente") == "PRUEBAS"
    assert received.read(etree.tostring(wrapper)).authorization_number == "X" * 10


def test_received_xml_is_fast():
    started = time.perf_counter()
    for i in range(100):
        received.read(testing.received_xml("factura", "2.0.0" if i % 2 else "2.1.0", sequential=i + 1))
    assert time.perf_counter() - started < 10  # ~3 ms per document made and read
