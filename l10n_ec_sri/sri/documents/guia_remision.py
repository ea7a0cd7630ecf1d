"""Guía de remisión (codDoc 06), version 1.1.0.

It has no fechaEmision tag; ``emission_date`` is still used for the access key.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Optional

from .base import (
    MAX_QUANTITY, Checker, _yes_no, esc_attr, Document, Extra, Party, _norm_extras, fmt_date, fmt_quantity, opt, sub,
)


@dataclass(kw_only=True)
class GuideLine:
    """``destinatario/detalles/detalle``: goods moved."""

    description: str
    quantity: Decimal
    main_code: Optional[str] = None  # codigoInterno
    aux_code: Optional[str] = None  # codigoAdicional
    extra: list[Extra] = field(default_factory=list)

    def normalize(self, ck: Checker, path):
        self.description = ck.text(self.description, f"{path}.description", "la descripción", 300)
        self.main_code = ck.text(self.main_code, f"{path}.main_code", "el código interno", 25, False)
        self.aux_code = ck.text(self.aux_code, f"{path}.aux_code", "el código adicional", 25, False)
        self.quantity = ck.decimal(self.quantity, f"{path}.quantity", "la cantidad", 6, maximum=MAX_QUANTITY)
        self.extra = _norm_extras(ck, self.extra, f"{path}.extra", 3)


@dataclass(kw_only=True)
class Recipient:
    """``destinatario``."""

    identification: str
    name: str
    address: str  # dirDestinatario
    reason: str  # motivoTraslado
    lines: list[GuideLine] = field(default_factory=list)
    customs_doc: Optional[str] = None  # docAduaneroUnico
    destination_establishment: Optional[str] = None  # codEstabDestino
    route: Optional[str] = None  # ruta
    support_doc_type: Optional[str] = None  # codDocSustento (01 factura)
    support_doc_number: Optional[str] = None  # numDocSustento 001-001-000000123
    support_doc_authorization: Optional[str] = None  # numAutDocSustento
    support_doc_date: Optional[datetime.date] = None  # fechaEmisionDocSustento

    def normalize(self, ck: Checker, path):
        self.identification = ck.text(self.identification, f"{path}.identification",
                                      "la identificación del destinatario", 20)
        self.name = ck.text(self.name, f"{path}.name", "la razón social del destinatario", 300)
        self.address = ck.text(self.address, f"{path}.address", "la dirección del destinatario", 300)
        self.reason = ck.text(self.reason, f"{path}.reason", "el motivo del traslado", 300)
        self.customs_doc = ck.text(self.customs_doc, f"{path}.customs_doc", "el documento aduanero único", 20, False)
        self.destination_establishment = ck.digits(self.destination_establishment,
                                                   f"{path}.destination_establishment",
                                                   "el establecimiento de destino", width=3, required=False, pad=True)
        self.route = ck.text(self.route, f"{path}.route", "la ruta", 300, False)
        self.support_doc_type = ck.digits(self.support_doc_type, f"{path}.support_doc_type",
                                          "el tipo de documento sustento", width=2, required=False, pad=True)
        self.support_doc_number = ck.doc_number(self.support_doc_number, f"{path}.support_doc_number",
                                                "el número del documento sustento", required=False)
        self.support_doc_authorization = ck.digits(self.support_doc_authorization,
                                                   f"{path}.support_doc_authorization",
                                                   "la autorización del documento sustento", min_width=10,
                                                   max_width=49, required=False)
        self.support_doc_date = ck.date(self.support_doc_date, f"{path}.support_doc_date",
                                        "la fecha del documento sustento", required=False)
        if self.support_doc_number and not self.support_doc_type:
            self.support_doc_type = "01"
        if not self.lines:
            ck.add(f"{path}.lines", "el destinatario no tiene líneas de detalle")
        for i, ln in enumerate(self.lines):
            ln.normalize(ck, f"{path}.lines[{i}]")


@dataclass(kw_only=True)
class GuiaRemision(Document):
    """``carrier``: transportista (Party). ``start_address``: dirPartida."""

    COD_DOC: ClassVar[str] = "06"
    ROOT_TAG: ClassVar[str] = "guiaRemision"
    TYPE: ClassVar[str] = "guia_remision"
    VERSION: ClassVar[str] = "1.1.0"
    VERSIONS: ClassVar[tuple] = ("1.1.0",)
    TITLE: ClassVar[str] = "guía de remisión"

    carrier: Optional[Party] = None
    start_address: Optional[str] = None
    transport_start: Optional[datetime.date] = None  # fechaIniTransporte (default emission date)
    transport_end: Optional[datetime.date] = None  # fechaFinTransporte (default start)
    plate: Optional[str] = None  # placa
    rise: Optional[str] = None
    recipients: list[Recipient] = field(default_factory=list)

    def _normalize_body(self, ck: Checker):
        c = self.carrier
        if not isinstance(c, Party):
            ck.add("carrier", "faltan los datos del transportista")
        else:
            c.normalize(ck, "carrier", "del transportista", final_consumer=False)
        self.start_address = ck.text(self.start_address, "start_address", "la dirección de partida", 300)
        self.plate = ck.text(self.plate, "plate", "la placa", 20)
        self.rise = ck.text(self.rise, "rise", "el RISE", 40, False)
        if self.transport_start in (None, "") and isinstance(self.emission_date, datetime.date):
            self.transport_start = self.emission_date
        self.transport_start = ck.date(self.transport_start, "transport_start", "la fecha de inicio del transporte")
        if self.transport_end in (None, ""):
            self.transport_end = self.transport_start
        self.transport_end = ck.date(self.transport_end, "transport_end", "la fecha de fin del transporte")
        if self.transport_start and self.transport_end and self.transport_end < self.transport_start:
            ck.add("transport_end", "la fecha de fin del transporte es anterior a la de inicio")
        if not self.recipients:
            ck.add("recipients", "la guía de remisión no tiene destinatarios")
        for i, r in enumerate(self.recipients):
            r.normalize(ck, f"recipients[{i}]")

    def _build_body(self, w):
        iss, c = self.issuer, self.carrier
        w.append("<infoGuiaRemision>")
        opt(w, "dirEstablecimiento", iss.establishment_address)
        sub(w, "dirPartida", self.start_address)
        sub(w, "razonSocialTransportista", c.name)
        sub(w, "tipoIdentificacionTransportista", c.id_type)
        sub(w, "rucTransportista", c.identification)
        opt(w, "rise", self.rise)
        if iss.accounting_required is not None:
            sub(w, "obligadoContabilidad", _yes_no(iss.accounting_required))
        opt(w, "contribuyenteEspecial", iss.special_taxpayer)
        sub(w, "fechaIniTransporte", fmt_date(self.transport_start))
        sub(w, "fechaFinTransporte", fmt_date(self.transport_end))
        sub(w, "placa", self.plate)
        w.append("</infoGuiaRemision><destinatarios>")
        for r in self.recipients:
            w.append("<destinatario>")
            sub(w, "identificacionDestinatario", r.identification)
            sub(w, "razonSocialDestinatario", r.name)
            sub(w, "dirDestinatario", r.address)
            sub(w, "motivoTraslado", r.reason)
            opt(w, "docAduaneroUnico", r.customs_doc)
            opt(w, "codEstabDestino", r.destination_establishment)
            opt(w, "ruta", r.route)
            opt(w, "codDocSustento", r.support_doc_type)
            opt(w, "numDocSustento", r.support_doc_number)
            opt(w, "numAutDocSustento", r.support_doc_authorization)
            if r.support_doc_date:
                sub(w, "fechaEmisionDocSustento", fmt_date(r.support_doc_date))
            w.append("<detalles>")
            for ln in r.lines:
                w.append("<detalle>")
                opt(w, "codigoInterno", ln.main_code)
                opt(w, "codigoAdicional", ln.aux_code)
                sub(w, "descripcion", ln.description)
                sub(w, "cantidad", fmt_quantity(ln.quantity))
                if ln.extra:
                    w.append("<detallesAdicionales>")
                    for e in ln.extra:
                        w.append(f'<detAdicional nombre="{esc_attr(e.name)}" valor="{esc_attr(e.value)}"/>')
                    w.append("</detallesAdicionales>")
                w.append("</detalle>")
            w.append("</detalles></destinatario>")
        w.append("</destinatarios>")
