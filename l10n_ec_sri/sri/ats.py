"""The ATS (Anexo Transaccional Simplificado): the monthly (or, for those who may, semestral) XML a taxpayer
uploads to the SRI with its purchases and their withholdings, its sales per customer, its sales per
establishment, its exports and its annulled documents.

``build(report)`` returns the XML (bytes, UTF-8) of a report given as plain data: dicts keyed by the schema's
own element names (``codSustento``, ``baseImpGrav``...), lists for repeated elements; ``None`` or a missing key
leaves an optional element out. Elements are written in the schema's order whatever the dicts' order; amounts
are rounded to cents. ``validate(xml)`` checks it against the SRI's ``at.xsd`` (``schemas/xsd/ats/``, shipped
unmodified: see ``schemas/PROVENANCE.md``) and returns :class:`~sri.errors.FieldError` s with the failing
element's path (empty = valid).

``report``::

    {"TipoIDInformante": "R", "IdInformante": "1790012345001", "razonSocial": "Andes Demo S.A.",
     "Anio": 2026, "Mes": 11, "regimenMicroempresa": None, "numEstabRuc": 1, "totalVentas": 300,
     "compras": [{...detalleCompras...}], "ventas": [{...detalleVentas...}],
     "ventasEstablecimiento": [{"codEstab": "001", "ventasEstab": 300, "ivaComp": 0}],
     "exportaciones": [{...detalleExportaciones...}], "anulados": [{...detalleAnulados...}]}

A detalleCompras may carry ``formasDePago`` (a list of codes), ``pagoExterior`` (a dict), ``air`` (a list of
detalleAir dicts) and ``reembolsos`` (a list of reembolso dicts); a detalleVentas ``formasDePago``.
"""
from __future__ import annotations

import os
import threading
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from .constants import safe_parser
from .errors import FieldError

SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemas", "xsd", "ats", "at.xsd")

_HEADER = ("TipoIDInformante", "IdInformante", "razonSocial", "Anio", "Mes", "regimenMicroempresa", "numEstabRuc",
           "totalVentas", "codigoOperativo")
_COMPRA = ("codSustento", "tpIdProv", "idProv", "tipoComprobante", "tipoProv", "denoProv", "parteRel",
           "fechaRegistro", "establecimiento", "puntoEmision", "secuencial", "fechaEmision", "autorizacion",
           "baseNoGraIva", "baseImponible", "baseImpGrav", "baseImpExe", "montoIce", "montoIva", "valRetBien10",
           "valRetServ20", "valorRetBienes", "valRetServ50", "valorRetServicios", "valRetServ100",
           "valorRetencionNc", "totbasesImpReemb", "pagoExterior", "formasDePago", "air", "estabRetencion1",
           "ptoEmiRetencion1", "secRetencion1", "autRetencion1", "fechaEmiRet1", "estabRetencion2",
           "ptoEmiRetencion2", "secRetencion2", "autRetencion2", "fechaEmiRet2", "docModificado", "estabModificado",
           "ptoEmiModificado", "secModificado", "autModificado", "reembolsos")
_PAGO_EXTERIOR = ("pagoLocExt", "tipoRegi", "paisEfecPagoGen", "paisEfecPagoParFis", "denopagoRegFis", "paisEfecPago",
                  "aplicConvDobTrib", "pagExtSujRetNorLeg", "pagoRegFis")
_AIR = ("codRetAir", "baseImpAir", "porcentajeAir", "valRetAir")
_REEMBOLSO = ("tipoComprobanteReemb", "tpIdProvReemb", "idProvReemb", "establecimientoReemb", "puntoEmisionReemb",
              "secuencialReemb", "fechaEmisionReemb", "autorizacionReemb", "baseImponibleReemb", "baseImpGravReemb",
              "baseNoGraIvaReemb", "baseImpExeReemb", "montoIceRemb", "montoIvaRemb")
_VENTA = ("tpIdCliente", "idCliente", "parteRelVtas", "tipoCliente", "denoCli", "tipoComprobante", "tipoEmision",
          "numeroComprobantes", "baseNoGraIva", "baseImponible", "baseImpGrav", "montoIva", "compensaciones",
          "montoIce", "valorRetIva", "valorRetRenta", "formasDePago")
_VENTA_EST = ("codEstab", "ventasEstab", "ivaComp")
_EXPORTACION = ("tpIdClienteEx", "idClienteEx", "parteRelExp", "tipoCli", "denoExpCli", "tipoRegi", "paisEfecPagoGen",
                "paisEfecPagoParFis", "denopagoRegFis", "paisEfecExp", "pagoRegFis", "exportacionDe", "tipIngExt",
                "ingExtGravOtroPais", "impuestoOtroPais", "tipoComprobante", "distAduanero", "anio", "regimen",
                "correlativo", "verificador", "docTransp", "fechaEmbarque", "fue", "valorFOB", "valorFOBComprobante",
                "establecimiento", "puntoEmision", "secuencial", "autorizacion", "fechaEmision")
_ANULADO = ("tipoComprobante", "establecimiento", "puntoEmision", "secuencialInicio", "secuencialFin",
            "autorizacion")
#: elements whose value is an amount (written with two decimals)
AMOUNTS = frozenset({
    "totalVentas", "baseNoGraIva", "baseImponible", "baseImpGrav", "baseImpExe", "montoIce", "montoIva",
    "valRetBien10", "valRetServ20", "valorRetBienes", "valRetServ50", "valorRetServicios", "valRetServ100",
    "valorRetencionNc", "totbasesImpReemb", "baseImpAir", "porcentajeAir", "valRetAir", "baseImponibleReemb",
    "baseImpGravReemb", "baseNoGraIvaReemb", "baseImpExeReemb", "montoIceRemb", "montoIvaRemb", "valorRetIva",
    "valorRetRenta", "ventasEstab", "ivaComp", "impuestoOtroPais", "valorFOB", "valorFOBComprobante",
})
CENT = Decimal("0.01")

_schema = None
_schema_lock = threading.Lock()


def money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def plain_name(name: str, min_length: int = 5) -> str:
    """A name as the ATS takes it (letters, digits and spaces, no accents): ``Andes Demo S.A.`` -> ``ANDES DEMO SA``."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = "".join(ch if ch.isascii() and ch.isalnum() else (" " if ch.isspace() or ch in "-/,&" else "")
                   for ch in text)
    text = " ".join(text.split()).upper()
    return text.ljust(min_length) if len(text) < min_length else text[:500]


def _text(name, value):
    if name in AMOUNTS:
        return f"{money(value):.2f}"
    if isinstance(value, bool):
        return "SI" if value else "NO"
    return str(value)


def _add(parent, name, value):
    if value is None or value == [] or value == {}:
        return
    if name == "formasDePago":
        node = etree.SubElement(parent, name)
        for code in value:
            etree.SubElement(node, "formaPago").text = str(code)
    elif name == "pagoExterior":
        _fill(etree.SubElement(parent, name), value, _PAGO_EXTERIOR)
    elif name == "air":
        node = etree.SubElement(parent, name)
        for detail in value:
            _fill(etree.SubElement(node, "detalleAir"), detail, _AIR)
    elif name == "reembolsos":
        node = etree.SubElement(parent, name)
        for detail in value:
            _fill(etree.SubElement(node, "reembolso"), detail, _REEMBOLSO)
    else:
        etree.SubElement(parent, name).text = _text(name, value)


def _fill(node, values, order):
    for name in order:
        _add(node, name, values.get(name))
    return node


def build(report: dict) -> bytes:
    """The ATS XML of ``report`` (see the module's docstring)."""
    header = dict(report)
    header.setdefault("TipoIDInformante", "R")
    header.setdefault("codigoOperativo", "IVA")
    header["razonSocial"] = plain_name(header.get("razonSocial", ""))
    header["Mes"] = f"{int(header['Mes']):02d}"
    if header.get("numEstabRuc") is not None:
        header["numEstabRuc"] = f"{int(header['numEstabRuc']):03d}"
    root = _fill(etree.Element("iva"), header, _HEADER)
    for section, item, order in (("compras", "detalleCompras", _COMPRA), ("ventas", "detalleVentas", _VENTA),
                                 ("ventasEstablecimiento", "ventaEst", _VENTA_EST),
                                 ("exportaciones", "detalleExportaciones", _EXPORTACION),
                                 ("anulados", "detalleAnulados", _ANULADO)):
        rows = report.get(section)
        if rows:
            node = etree.SubElement(root, section)
            for row in rows:
                _fill(etree.SubElement(node, item), row, order)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def get_schema():
    global _schema
    with _schema_lock:
        if _schema is None:
            parser = etree.XMLParser(no_network=True, resolve_entities=False)
            _schema = etree.XMLSchema(etree.parse(SCHEMA_FILE, parser))
    return _schema


def validate(xml) -> list[FieldError]:
    """Check ``xml`` (bytes) against the SRI's at.xsd: the problems, each with its element's path."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    try:
        root = etree.fromstring(xml, safe_parser(huge_tree=True)) if isinstance(xml, bytes) else xml
    except etree.XMLSyntaxError as exc:
        return [FieldError("", f"el XML está mal formado: {exc.msg}")]
    schema = get_schema()
    with _schema_lock:
        if schema.validate(root):
            return []
        return [FieldError(error.path or "", error.message) for error in schema.error_log]
