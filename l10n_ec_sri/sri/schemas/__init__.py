"""Validation against the official SRI XSDs shipped in ``xsd/`` (unmodified; see PROVENANCE.md),
and against OCA's copies of the superseded versions in ``xsd/legacy/`` (see below).

``validate(xml)`` returns a list of :class:`~sri.errors.FieldError` (empty = valid) whose ``path`` is
the failing element's path (``/factura/detalles/detalle[2]/cantidad``); ``assert_valid(xml)``
raises :class:`~sri.errors.SriValidationError`. The schema is chosen from the root tag and its
``version`` attribute. Each schema is compiled once per process; validation is serialised per
schema with a lock because lxml keeps the error log on the schema object. Signed documents
validate too (``ds:Signature`` comes from ``xmldsig-core-schema.xsd`` next to the SRI files).

Legacy versions (:data:`LEGACY_SCHEMAS`: factura 1.0.0 and 2.0.0, nota de crédito 1.0.0,
retención 1.0.0, liquidación de compra 1.0.0, guía de remisión 1.0.0) are only *read*: the SRI
still authorizes them, so documents received from suppliers may use them, but the builders
never emit them. No unmodified SRI copy of those XSDs is public; the only ones are OCA's, and
OCA removed the root's final optional ``ds:Signature`` element from them, so they reject every
signed document. A signed legacy document is therefore validated on a copy whose last child, when
it is the top-level ``ds:Signature``, is removed: that is exactly what the official schema would
have allowed there (one optional ``ds:Signature`` after everything else), and the signature itself
is checked by :func:`sri.signing.verify`, not by the XSD. A ``ds:Signature`` anywhere else stays
and fails validation, as with the official schemas. The input is never modified.
"""

from __future__ import annotations

import copy
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
#: Superseded versions, OCA's edited copies (no ``ds:Signature`` in the root; PROVENANCE.md).
LEGACY_SCHEMAS = {
    ("factura", "1.0.0"): "legacy/factura_V1.0.0.xsd",
    ("factura", "2.0.0"): "legacy/factura_V2.0.0.xsd",
    ("notaCredito", "1.0.0"): "legacy/NotaCredito_V1.0.0.xsd",
    ("comprobanteRetencion", "1.0.0"): "legacy/ComprobanteRetencion_V1.0.0.xsd",
    ("liquidacionCompra", "1.0.0"): "legacy/LiquidacionCompra_V1.0.0.xsd",
    ("guiaRemision", "1.0.0"): "legacy/GuiaRemision_V1.0.0.xsd",
}
SCHEMAS.update(LEGACY_SCHEMAS)

DS_SIGNATURE = "{http://www.w3.org/2000/09/xmldsig#}Signature"

_compiled: dict = {}
_locks: dict = {}
_compile_lock = threading.Lock()
# No network, no entity expansion: documents come from outside.


class _XmldsigResolver(etree.Resolver):
    """Points the legacy schemas' ``xsd:import`` of ``xmldsig-core-schema.xsd`` (relative to
    ``legacy/``, where there is no copy) at the one in ``xsd/``: libxml2 would otherwise print an
    "I/O warning" on stderr and skip the import (harmless, nothing in them references ``ds:*``)."""

    def resolve(self, url, pubid, context):
        if url and os.path.basename(url) == "xmldsig-core-schema.xsd" and not os.path.exists(url):
            return self.resolve_filename(os.path.join(XSD_DIR, "xmldsig-core-schema.xsd"), context)
        return None


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
                xsd_parser.resolvers.add(_XmldsigResolver())
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


def _without_signature(root):
    """``root`` itself when its last child is not a ``ds:Signature``, else a copy without it (for
    the legacy schemas, which lack the official optional final ``ds:Signature``)."""
    if len(root) and root[-1].tag == DS_SIGNATURE:
        root = copy.deepcopy(root)
        del root[-1]
    return root


def is_legacy(root_tag: str, version: str) -> bool:
    """True for a superseded version the core reads but never emits (OCA-edited schema)."""
    return (root_tag, version) in LEGACY_SCHEMAS


def validate(xml) -> list[FieldError]:
    """Validate ``xml`` (bytes, str, element or tree) against the XSD of its type/version: the
    official one, or for a legacy version OCA's copy, ignoring the final ``ds:Signature``."""
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
        known = ", ".join(sorted(v for t, v in SCHEMAS if t == tag))
        return [FieldError(f"/{tag}", f"versión {version!r} de {tag} no soportada (versiones disponibles: {known})")]
    if root.getroottree().docinfo.internalDTD is not None:
        return [FieldError(f"/{tag}", "el XML no debe tener declaración DOCTYPE ni entidades (el SRI no las acepta)")]
    if (tag, version) in LEGACY_SCHEMAS:
        root = _without_signature(root)
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
