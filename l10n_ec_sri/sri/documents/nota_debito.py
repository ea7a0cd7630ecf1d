"""Nota de débito (codDoc 05), version 1.0.0 (the only one)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Optional

from .base import (
    Checker, Document, Party, Payment, Tax, ZERO, check_given_totals, fmt, fmt_date, fmt_rate,
    norm_payments, normalize_buyer, normalize_modified_document, opt, settle_total, sub,
    write_modified_document,
)


@dataclass(kw_only=True)
class DebitReason:
    """``motivos/motivo``: razon + valor."""

    reason: str
    amount: Decimal


@dataclass(kw_only=True)
class NotaDebito(Document):
    """``taxes``: document-level impuestos; a tax without ``base`` takes the sum of the reasons."""

    COD_DOC: ClassVar[str] = "05"
    ROOT_TAG: ClassVar[str] = "notaDebito"
    TYPE: ClassVar[str] = "nota_debito"
    VERSION: ClassVar[str] = "1.0.0"
    VERSIONS: ClassVar[tuple] = ("1.0.0",)
    TITLE: ClassVar[str] = "nota de débito"

    buyer: Optional[Party] = None
    modified_doc_number: Optional[str] = None
    modified_doc_date: Optional[datetime.date] = None
    modified_doc_type: str = "01"
    reasons: list[DebitReason] = field(default_factory=list)
    taxes: list[Tax] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    rise: Optional[str] = None
    subtotal: Optional[Decimal] = None  # totalSinImpuestos
    total: Optional[Decimal] = None  # valorTotal

    def _normalize_body(self, ck: Checker):
        buyer = normalize_buyer(ck, self.buyer)
        normalize_modified_document(ck, self, "la nota de débito")
        self.rise = ck.text(self.rise, "rise", "el RISE", 40, False)
        given_subtotal = ck.decimal(self.subtotal, "subtotal", "el total sin impuestos", required=False)
        given_total = ck.decimal(self.total, "total", "el valor total", required=False)
        if not self.reasons:
            ck.add("reasons", "la nota de débito no tiene motivos")
        for i, r in enumerate(self.reasons):
            r.reason = ck.text(r.reason, f"reasons[{i}].reason", "la razón", 300)
            r.amount = ck.decimal(r.amount, f"reasons[{i}].amount", "el valor del motivo")
        subtotal = None
        if self.reasons and all(r.amount is not None for r in self.reasons):
            subtotal = sum((r.amount for r in self.reasons), ZERO)
            check_given_totals(ck, given_subtotal, subtotal, "subtotal", "el total sin impuestos")
            self.subtotal = subtotal
        if not self.taxes:
            ck.add("taxes", "indique al menos un impuesto (IVA, código 2)")
        for i, t in enumerate(self.taxes):
            t.normalize(ck, f"taxes[{i}]", subtotal)
        if subtotal is not None and self.taxes and all(t.amount is not None for t in self.taxes):
            self.total = settle_total(ck, subtotal, (t.amount for t in self.taxes), given_total, "el valor total")
        self.payments = norm_payments(ck, self.payments, "payments",
                                      self.total if isinstance(self.total, Decimal) else None)
        self._email_extra(buyer)

    def _build_body(self, w):
        iss = self.issuer
        w.append("<infoNotaDebito>")
        sub(w, "fechaEmision", fmt_date(self.emission_date))
        opt(w, "dirEstablecimiento", iss.establishment_address)
        write_modified_document(w, self)
        sub(w, "totalSinImpuestos", fmt(self.subtotal))
        w.append("<impuestos>")
        for t in self.taxes:
            w.append("<impuesto>")
            sub(w, "codigo", t.code)
            sub(w, "codigoPorcentaje", t.rate_code)
            sub(w, "tarifa", fmt_rate(t.rate))
            sub(w, "baseImponible", fmt(t.base))
            sub(w, "valor", fmt(t.amount))
            w.append("</impuesto>")
        w.append("</impuestos>")
        sub(w, "valorTotal", fmt(self.total))
        if self.payments:
            w.append("<pagos>")
            for p in self.payments:
                p.to_xml(w)
            w.append("</pagos>")
        w.append("</infoNotaDebito><motivos>")
        for r in self.reasons:
            w.append("<motivo>")
            sub(w, "razon", r.reason)
            sub(w, "valor", fmt(r.amount))
            w.append("</motivo>")
        w.append("</motivos>")
