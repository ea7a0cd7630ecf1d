"""Nota de crédito (codDoc 04), version 1.1.0."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Optional

from .base import (
    Checker, Document, Line, Party, TaxTotal, ZERO, check_given_totals, check_lines_present,
    compute_tax_totals, fmt, fmt_date, normalize_buyer, normalize_modified_document, opt, settle_total, sub,
    write_modified_document,
)


@dataclass(kw_only=True)
class NotaCredito(Document):
    COD_DOC: ClassVar[str] = "04"
    ROOT_TAG: ClassVar[str] = "notaCredito"
    TYPE: ClassVar[str] = "nota_credito"
    VERSION: ClassVar[str] = "1.1.0"
    VERSIONS: ClassVar[tuple] = ("1.1.0",)
    TITLE: ClassVar[str] = "nota de crédito"

    buyer: Optional[Party] = None
    modified_doc_number: Optional[str] = None  # numDocModificado 001-001-000000123
    modified_doc_date: Optional[datetime.date] = None  # fechaEmisionDocSustento
    modified_doc_type: str = "01"  # codDocModificado
    reason: Optional[str] = None  # motivo
    lines: list[Line] = field(default_factory=list)
    tax_totals: list[TaxTotal] = field(default_factory=list)
    currency: str = "DOLAR"
    rise: Optional[str] = None
    subtotal: Optional[Decimal] = None  # totalSinImpuestos
    total: Optional[Decimal] = None  # valorModificacion

    def _normalize_body(self, ck: Checker):
        buyer = normalize_buyer(ck, self.buyer)
        normalize_modified_document(ck, self, "la nota de crédito")
        self.reason = ck.text(self.reason, "reason", "el motivo", 300)
        self.rise = ck.text(self.rise, "rise", "el RISE", 40, False)
        self.currency = ck.text(self.currency or "DOLAR", "currency", "la moneda", 15)
        given_subtotal = ck.decimal(self.subtotal, "subtotal", "el total sin impuestos", required=False)
        given_total = ck.decimal(self.total, "total", "el valor de la modificación", required=False)
        if check_lines_present(ck, self.lines):
            for i, line in enumerate(self.lines):
                line.normalize(ck, f"lines[{i}]")
        lines_ok = bool(self.lines) and all(ln.subtotal is not None for ln in self.lines)
        self.tax_totals = compute_tax_totals(ck, self.lines if lines_ok else [], self.tax_totals)
        if lines_ok:
            subtotal = sum((ln.subtotal for ln in self.lines), ZERO)
            check_given_totals(ck, given_subtotal, subtotal, "subtotal", "el total sin impuestos")
            self.subtotal = subtotal
            if all(t.amount is not None for t in self.tax_totals):
                self.total = settle_total(ck, subtotal, (t.amount for t in self.tax_totals), given_total,
                                          "el valor de la modificación")
        self._email_extra(buyer)

    def _build_body(self, w):
        iss = self.issuer
        w.append("<infoNotaCredito>")
        sub(w, "fechaEmision", fmt_date(self.emission_date))
        opt(w, "dirEstablecimiento", iss.establishment_address)
        write_modified_document(w, self)
        sub(w, "totalSinImpuestos", fmt(self.subtotal))
        sub(w, "valorModificacion", fmt(self.total))
        opt(w, "moneda", self.currency)
        w.append("<totalConImpuestos>")
        for t in self.tax_totals:
            t.to_xml(w, with_rate=False, with_discount=False)
        w.append("</totalConImpuestos>")
        sub(w, "motivo", self.reason)
        w.append("</infoNotaCredito><detalles>")
        for ln in self.lines:
            w.append("<detalle>")
            opt(w, "codigoInterno", ln.main_code)
            opt(w, "codigoAdicional", ln.aux_code)
            sub(w, "descripcion", ln.description)
            ln.amounts_xml(w)
            ln.extras_xml(w)
            ln.taxes_xml(w)
            w.append("</detalle>")
        w.append("</detalles>")
