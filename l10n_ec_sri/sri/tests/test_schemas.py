"""sri.schemas: the official XSDs, validation with element paths, signed documents."""

import hashlib
import json
import os
import threading

import pytest
from lxml import etree

from sri import schemas
from sri.documents import from_dict
from sri.errors import SriValidationError

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
SHA256 = {
    "factura_V1.1.0.xsd": "62db9bf0ecceb00ef2b7ed136e59224815e5e5e33c77efc6a0552001e052eb8b",
    "factura_V2.1.0.xsd": "5f2c37bc1a58bb40e8bbbc366cabe05d5dc199598aeea1561137370f8bd4eace",
    "NotaCredito_V1.1.0.xsd": "379e9f270d71ab4578f130a736c9abe5eb1d7969375ecdef55d2973583ec5ab0",
    "NotaDebito_V1.0.0.xsd": "f40323adef667a2d95de75a611272a78b73a7f82711201bd7a7a52d3bb353fd6",
    "GuiaRemision_V1.1.0.xsd": "4777fd94b5f7b108da3db0dd3d2c71d1539ced221cba246ebeaa40fb17f3dee1",
    "ComprobanteRetencion_V2.0.0.xsd": "1e006d6d16c791c8f5b23d1f3e006cd066ccba2bfb797a3cb9098bd09c793cb7",
    "LiquidacionCompra_V1.1.0.xsd": "58c9cd96edf93d92ef6692cd028e689080257c9ba2941fe04fe1d426ebc4b5b6",
    "xmldsig-core-schema.xsd": "35cf8197da812c85e40d57891b35c94187569ed474a2dac813ce5090dafcd35c",
}
DS = "http://www.w3.org/2000/09/xmldsig#"


def _factura_xml():
    with open(os.path.join(EXAMPLES, "factura.json"), encoding="utf-8") as fh:
        return from_dict(json.load(fh)).to_xml()


@pytest.mark.parametrize("name,digest", sorted(SHA256.items()))
def test_xsd_files_are_the_unmodified_official_ones(name, digest):
    with open(os.path.join(schemas.XSD_DIR, name), "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == digest


def test_every_schema_compiles_once():
    for key in schemas.SCHEMAS:
        first = schemas.get_schema(*key)
        assert isinstance(first, etree.XMLSchema)
        assert schemas.get_schema(*key) is first


def test_valid_document_accepts_bytes_str_element_tree():
    xml = _factura_xml()
    assert schemas.validate(xml) == []
    assert schemas.validate(xml.decode("utf-8")) == []
    root = etree.fromstring(xml)
    assert schemas.validate(root) == []
    assert schemas.validate(etree.ElementTree(root)) == []
    schemas.assert_valid(xml)
    assert schemas.is_valid(xml)


def test_broken_element_reports_its_path():
    root = etree.fromstring(_factura_xml())
    root.findall("detalles/detalle")[1].find("cantidad").text = "1.1234567"
    errors = schemas.validate(root)
    assert len(errors) == 1
    assert errors[0].path == "/factura/detalles/detalle[2]/cantidad"
    assert errors[0].message.startswith("no cumple el esquema XSD del SRI")
    assert "fractionDigits" in errors[0].message or "1.1234567" in errors[0].message
    with pytest.raises(SriValidationError) as exc:
        schemas.assert_valid(root)
    assert exc.value.errors == errors


def test_several_errors_are_all_reported():
    root = etree.fromstring(_factura_xml())
    root.find("infoTributaria/ruc").text = "179001691900"
    root.find("infoFactura/importeTotal").text = "-1.00"
    paths = [e.path for e in schemas.validate(root)]
    assert "/factura/infoTributaria/ruc" in paths
    assert "/factura/infoFactura/importeTotal" in paths


def test_wrong_order_is_rejected():
    root = etree.fromstring(_factura_xml())
    info = root.find("infoFactura")
    info.insert(0, info.find("importeTotal"))
    assert schemas.validate(root)


def test_missing_required_element():
    root = etree.fromstring(_factura_xml())
    info = root.find("infoFactura")
    info.remove(info.find("totalSinImpuestos"))
    errors = schemas.validate(root)
    assert errors and errors[0].path.startswith("/factura/infoFactura")


def test_unknown_root_and_version_and_garbage():
    assert "desconocido" in schemas.validate(b"<foo/>")[0].message
    errs = schemas.validate(b'<factura id="comprobante" version="9.9.9"/>')
    assert "no soportada" in errs[0].message and "2.1.0" in errs[0].message
    errs = schemas.validate(b"<factura><oops></factura>")
    assert "mal formado" in errs[0].message


def test_no_entity_expansion():
    evil = (b'<?xml version="1.0"?><!DOCTYPE factura [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<factura id="comprobante" version="2.1.0">&x;</factura>')
    errors = schemas.validate(evil)
    assert errors and all("root:" not in e.message for e in errors)


def _fake_signature(root):
    """A structurally valid (not cryptographically meaningful) ds:Signature as the last child."""
    ds = f"{{{DS}}}"
    sig = etree.SubElement(root, ds + "Signature", nsmap={"ds": DS}, Id="Signature123")
    si = etree.SubElement(sig, ds + "SignedInfo")
    etree.SubElement(si, ds + "CanonicalizationMethod", Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315")
    etree.SubElement(si, ds + "SignatureMethod", Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1")
    ref = etree.SubElement(si, ds + "Reference", URI="#comprobante")
    tr = etree.SubElement(ref, ds + "Transforms")
    etree.SubElement(tr, ds + "Transform", Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature")
    etree.SubElement(ref, ds + "DigestMethod", Algorithm="http://www.w3.org/2000/09/xmldsig#sha1")
    etree.SubElement(ref, ds + "DigestValue").text = "AAAA"
    etree.SubElement(sig, ds + "SignatureValue").text = "AAAA"
    return sig


@pytest.mark.parametrize("name", ["factura.json", "factura_v1.1.0.json", "nota_credito.json", "nota_debito.json",
                                  "retencion.json", "liquidacion_compra.json", "guia_remision.json"])
def test_signed_documents_validate(name):
    with open(os.path.join(EXAMPLES, name), encoding="utf-8") as fh:
        root = from_dict(json.load(fh)).to_element()
    _fake_signature(root)
    assert schemas.validate(etree.tostring(root, xml_declaration=True, encoding="UTF-8")) == []
    # a signature in the wrong place is rejected
    root.insert(0, root[-1])
    assert schemas.validate(root)


def test_thread_safe_validation():
    good = _factura_xml()
    bad_root = etree.fromstring(good)
    bad_root.find("infoTributaria/ambiente").text = "3"
    bad = etree.tostring(bad_root)
    results = []

    def work():
        for _ in range(30):
            results.append((schemas.validate(good), schemas.validate(bad)))

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 180
    for ok, ko in results:
        assert ok == []
        assert [e.path for e in ko] == ["/factura/infoTributaria/ambiente"]
