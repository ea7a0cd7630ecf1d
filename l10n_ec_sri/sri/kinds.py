"""The registry of SRI document kinds: one entry per document type the core builds, with what
every user of the core needs to know of it (SRI code, JSON type, printed title, core class, XML
root and schema version). Odoo's engine, the RIDE and the CLI read it instead of lists of their own."""
from __future__ import annotations

from dataclasses import dataclass

from .documents import DOCUMENT_CLASSES

#: Titles printed on the RIDE (SRI's own words, upper case).
_RIDE_TITLES = {
    "01": "FACTURA",
    "03": "LIQUIDACIÓN DE COMPRA DE BIENES Y PRESTACIÓN DE SERVICIOS",
    "04": "NOTA DE CRÉDITO",
    "05": "NOTA DE DÉBITO",
    "06": "GUÍA DE REMISIÓN",
    "07": "COMPROBANTE DE RETENCIÓN",
}


@dataclass(frozen=True)
class Kind:
    code: str          # codDoc (01, 03, 04, 05, 06, 07)
    type: str          # JSON ``type`` of ``documents.from_dict`` (factura, nota_credito, ...)
    title: str         # RIDE title
    name: str          # lower-case name used in messages
    cls: type          # the core dataclass
    root_tag: str      # XML root element
    version: str       # default XSD version

    @property
    def filename_prefix(self) -> str:
        return self.title.split(" DE BIENES")[0].title().replace(" ", "_")


KINDS: dict[str, Kind] = {
    cls.TYPE: Kind(code=code, type=cls.TYPE, title=_RIDE_TITLES[code], name=cls.TITLE, cls=cls,
                   root_tag=cls.ROOT_TAG, version=cls.VERSION)
    for code, cls in sorted(DOCUMENT_CLASSES.items())
}
BY_CODE: dict[str, Kind] = {kind.code: kind for kind in KINDS.values()}


def get(type_or_code: str) -> Kind:
    """The kind of a JSON type (``factura``) or an SRI code (``01``); KeyError when unknown."""
    return KINDS.get(type_or_code) or BY_CODE[type_or_code]
