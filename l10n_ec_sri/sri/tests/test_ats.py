"""sri.ats: the ATS XML in the schema's order, validated against the SRI's at.xsd (shipped unmodified)."""

import hashlib

from lxml import etree

from sri import ats

AT_XSD_SHA256 = "4756fe58c139aff5073137ca3b2e66f7a6a55b096861c682b007d5f99b276a9a"


def _compra(**values):
    compra = {
        "codSustento": "01", "tpIdProv": "01", "idProv": "1790016919001", "tipoComprobante": "01", "parteRel": "NO",
        "fechaRegistro": "15/11/2026", "establecimiento": "001", "puntoEmision": "002", "secuencial": 4567,
        "fechaEmision": "15/11/2026", "autorizacion": "1" * 49, "baseNoGraIva": 30, "baseImponible": 0,
        "baseImpGrav": 100, "baseImpExe": 0, "montoIce": 0, "montoIva": 15, "valRetBien10": 0, "valRetServ20": 0,
        "valorRetBienes": 4.5, "valRetServ50": 0, "valorRetServicios": 0, "valRetServ100": 0,
        "pagoExterior": {"pagoLocExt": "01", "paisEfecPago": "NA", "aplicConvDobTrib": "NA",
                         "pagExtSujRetNorLeg": "NA"},
        "formasDePago": ["20"],
        "air": [{"codRetAir": "312", "baseImpAir": 130, "porcentajeAir": 1.75, "valRetAir": 2.275}],
        "estabRetencion1": "001", "ptoEmiRetencion1": "001", "secRetencion1": 1, "autRetencion1": "2" * 49,
        "fechaEmiRet1": "15/11/2026",
    }
    compra.update(values)
    return compra


def _report(**values):
    report = {
        "IdInformante": "1790012345001", "razonSocial": "Andes Demo S.A.", "Anio": 2026, "Mes": 11,
        "numEstabRuc": 1, "totalVentas": 300,
        "compras": [_compra()],
        "ventas": [{"tpIdCliente": "05", "idCliente": "1710034065", "parteRelVtas": "NO", "tipoComprobante": "18",
                    "tipoEmision": "E", "numeroComprobantes": 2, "baseNoGraIva": 0, "baseImponible": 200,
                    "baseImpGrav": 100, "montoIva": 15, "montoIce": 0, "valorRetIva": 0, "valorRetRenta": 0,
                    "formasDePago": ["20"]}],
        "ventasEstablecimiento": [{"codEstab": "001", "ventasEstab": 300, "ivaComp": 0}],
        "anulados": [{"tipoComprobante": "01", "establecimiento": "001", "puntoEmision": "001",
                      "secuencialInicio": 7, "secuencialFin": 7, "autorizacion": "3" * 49}],
    }
    report.update(values)
    return report


def test_schema_is_the_unmodified_sri_file():
    with open(ats.SCHEMA_FILE, "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == AT_XSD_SHA256


def test_report_validates_and_keeps_the_schemas_order():
    xml = ats.build(_report())
    assert ats.validate(xml) == []
    root = etree.fromstring(xml)
    assert [child.tag for child in root][:9] == ["TipoIDInformante", "IdInformante", "razonSocial", "Anio", "Mes",
                                                 "numEstabRuc", "totalVentas", "codigoOperativo", "compras"]
    assert root.findtext("razonSocial") == "ANDES DEMO SA"
    assert root.findtext("Mes") == "11"
    assert root.findtext("numEstabRuc") == "001"
    assert root.findtext("codigoOperativo") == "IVA"
    compra = root.find("compras/detalleCompras")
    assert compra.findtext("baseImpGrav") == "100.00"
    assert compra.findtext("air/detalleAir/valRetAir") == "2.28", "amounts rounded half up to cents"
    tags = [child.tag for child in compra]
    assert tags.index("pagoExterior") < tags.index("formasDePago") < tags.index("air") < tags.index("estabRetencion1")


def test_order_of_the_dicts_does_not_matter():
    compra = dict(reversed(list(_compra().items())))
    assert ats.validate(ats.build(_report(compras=[compra]))) == []


def test_broken_report_names_the_element():
    errors = ats.validate(ats.build(_report(compras=[_compra(idProv="17-9001", establecimiento="1")])))
    paths = " ".join(error.path for error in errors)
    assert "/iva/compras/detalleCompras/idProv" in paths
    assert "/iva/compras/detalleCompras/establecimiento" in paths


def test_semestral_and_empty_sections():
    xml = ats.build(_report(Mes=6, regimenMicroempresa="SI", compras=[], ventas=[], ventasEstablecimiento=[],
                            anulados=[]))
    assert ats.validate(xml) == []
    root = etree.fromstring(xml)
    assert root.findtext("regimenMicroempresa") == "SI"
    assert root.find("compras") is None


def test_plain_name():
    assert ats.plain_name("Compañía Ñandú & Cía. Ltda.") == "COMPANIA NANDU CIA LTDA"
    assert ats.plain_name("A.B") == "AB   "
    assert ats.validate(ats.build(_report(razonSocial="A.B"))) == []
    assert ats.validate(b"<iva>") and "mal formado" in ats.validate(b"<iva>")[0].message


def _exportacion(**values):
    exportacion = {
        "tpIdClienteEx": "21", "idClienteEx": "US123456789", "parteRelExp": "NO", "tipoCli": "02",
        "denoExpCli": "Fresh Fruits Inc", "tipoRegi": "01", "paisEfecPagoGen": "110", "paisEfecExp": "110",
        "exportacionDe": "01", "tipoComprobante": "01", "distAduanero": "028", "anio": "2026", "regimen": "40",
        "correlativo": "00012345", "docTransp": "MAEU123456", "fechaEmbarque": "20/11/2026", "valorFOB": 1250.456,
        "valorFOBComprobante": 1250.456, "establecimiento": "001", "puntoEmision": "001", "secuencial": 321,
        "autorizacion": "4" * 49, "fechaEmision": "18/11/2026",
    }
    exportacion.update(values)
    return exportacion


def test_exportaciones_in_the_schemas_order():
    export = dict(reversed(list(_exportacion().items())))
    xml = ats.build(_report(exportaciones=[export]))
    assert ats.validate(xml) == []
    root = etree.fromstring(xml)
    sections = [child.tag for child in root]
    assert sections.index("ventasEstablecimiento") < sections.index("exportaciones") < sections.index("anulados")
    detail = root.find("exportaciones/detalleExportaciones")
    assert [child.tag for child in detail] == [name for name in ats._EXPORTACION if name in _exportacion()]
    assert detail.findtext("valorFOB") == "1250.46" and detail.findtext("valorFOBComprobante") == "1250.46"
    # goods without refrendo and services carry no DAE
    assert ats.validate(ats.build(_report(exportaciones=[_exportacion(
        exportacionDe="03", distAduanero=None, anio=None, regimen=None, correlativo=None, docTransp=None)]))) == []


def test_broken_exportacion_names_the_element():
    errors = ats.validate(ats.build(_report(exportaciones=[_exportacion(distAduanero="28", tipoRegi="09")])))
    paths = " ".join(error.path for error in errors)
    assert "/iva/exportaciones/detalleExportaciones/distAduanero" in paths
    assert "/iva/exportaciones/detalleExportaciones/tipoRegi" in paths
    assert ats.validate(ats.build(_report(exportaciones=[_exportacion(fechaEmbarque=None)])))  # required
