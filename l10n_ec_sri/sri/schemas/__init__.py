"""Validation against the official SRI XSDs shipped in ``xsd/`` (unmodified; see PROVENANCE.md).

``validate(xml)`` returns a list of :class:`~sri.errors.FieldError` (empty = valid) whose ``path`` is
the failing element's path (``/factura/detalles/detalle[2]/cantidad``); ``assert_valid(xml)``
raises :class:`~sri.errors.SriValidationError`. The schema is chosen from the root tag and its
``version`` attribute. Each schema is compiled once per process; validation is serialised per
schema with a lock because lxml keeps the error log on the schema object. Signed documents
validate too (``ds:Signature`` comes from ``xmldsig-core-schema.xsd`` next to the SRI files).
"""

from __future__ import annotations

import os
import threading

from lxml import etree

from ..errors import FieldError, SriValidationError
from ..constants import safe_parser

XSD_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "xsd")

#: (root tag, version) -> XSD file name
SCHEMAS = {
    ("factura", "1.1.0"): "factura_V1.1.0.xsd",
    ("factura", "2.1.0"): "factura_V2.1.0.xsd",
    ("notaCredito", "1.1.0"): "NotaCredito_V1.1.0.xsd",
    ("notaDebito", "1.0.0"): "NotaDebito_V1.0.0.xsd",
    ("comprobanteRetencion", "2.0.0"): "ComprobanteRetencion_V2.0.0.xsd",
    ("liquidacionCompra", "1.1.0"): "LiquidacionCompra_V1.1.0.xsd",
    ("guiaRemision", "1.1.0"): "GuiaRemision_V1.1.0.xsd",
}

_compiled: dict = {}
_locks: dict = {}
_compile_lock = threading.Lock()
# No network, no entity expansion: documents come from outside.


def get_schema(root_tag: str, version: str):
    """The compiled :class:`lxml.etree.XMLSchema` for a document type/version (cached)."""
    key = (root_tag, version)
    schema = _compiled.get(key)
    if schema is None:
        name = SCHEMAS.get(key)
        if name is None:
            raise KeyError(key)
        with _compile_lock:
            schema = _compiled.get(key)
            if schema is None:
                xsd_parser = etree.XMLParser(no_network=True, resolve_entities=False)
                schema = etree.XMLSchema(etree.parse(os.path.join(XSD_DIR, name), xsd_parser))
                _locks[key] = threading.Lock()
                _compiled[key] = schema
    return schema


def _root_of(xml):
    """Return (root element, parse errors)."""
    if isinstance(xml, etree._ElementTree):
        return xml.getroot(), []
    if isinstance(xml, etree._Element):
        return xml, []
    if isinstance(xml, str):
        xml = xml.encode("utf-8")  # lxml refuses str input that carries an encoding declaration
    try:
        return etree.fromstring(xml, safe_parser(huge_tree=False)), []
    except etree.XMLSyntaxError as exc:
        return None, [FieldError(f"línea {exc.lineno}" if exc.lineno else "",
                                 f"el XML está mal formado: {exc.msg}")]


def _local(tag):
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def validate(xml) -> list[FieldError]:
    """Validate ``xml`` (bytes, str, element or tree) against the official XSD of its type/version."""
    root, errors = _root_of(xml)
    if root is None:
        return errors
    tag, version = _local(root.tag), root.get("version")
    if not any(t == tag for t, _ in SCHEMAS):
        return [FieldError(f"/{tag}", f"elemento raíz {tag!r} desconocido: no es un comprobante del SRI ("
                           + ", ".join(sorted({t for t, _ in SCHEMAS})) + ")")]
    try:
        schema = get_schema(tag, version)
    except KeyError:
        known = ", ".join(v for t, v in SCHEMAS if t == tag)
        return [FieldError(f"/{tag}", f"versión {version!r} de {tag} no soportada (versiones disponibles: {known})")]
    if root.getroottree().docinfo.internalDTD is not None:
        return [FieldError(f"/{tag}", "el XML no debe tener declaración DOCTYPE ni entidades (el SRI no las acepta)")]
    with _locks[(tag, version)]:
        try:
            if schema.validate(root):
                return []
        except etree.XMLSchemaValidateError as exc:
            return [FieldError(f"/{tag}", f"no se pudo validar el XML contra el esquema del SRI: {exc}")]
        log = list(schema.error_log)
    result = []
    for entry in log:
        path = getattr(entry, "path", None) or (f"línea {entry.line}" if entry.line else f"/{tag}")
        result.append(FieldError(path, f"no cumple el esquema XSD del SRI: {entry.message}"))
    return result


def assert_valid(xml) -> None:
    """Raise :class:`SriValidationError` when ``xml`` does not validate against its XSD."""
    errors = validate(xml)
    if errors:
        raise SriValidationError(errors, "El XML no cumple el esquema del SRI")


def is_valid(xml) -> bool:
    return not validate(xml)
