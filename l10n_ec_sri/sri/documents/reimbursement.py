"""Reimbursements (reembolsos) of a factura, a liquidación de compra or a retención."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from .checker import Checker
from .formatting import TAX_VAT, ZERO, fmt, fmt_date, fmt_rate, opt, sub
from .parts import Tax


@dataclass(kw_only=True)
class ReimbursementTax:
    """``detalleImpuesto`` of a reimbursed document."""

    code: str = TAX_VAT
    rate_code: str = "4"
    base: Decimal = ZERO
    rate: Optional[Decimal] = None
    amount: Optional[Decimal] = None


@dataclass(kw_only=True)
class Reimbursement:
    """``reembolsoDetalle``: a third-party document being reimbursed (factura, liquidación, retención)."""

    supplier_id_type: str  # tipoIdentificacionProveedorReembolso
    supplier_identification: str
    doc_number: str  # 001-001-000000123 -> estab, ptoEmi, secuencial
    doc_date: datetime.date
    authorization: str  # numeroautorizacionDocReemb (10-49 digits)
    doc_type: str = "01"  # codDocReembolso
    supplier_kind: str = "01"  # tipoProveedorReembolso: 01 persona natural, 02 sociedad
    country: Optional[str] = None  # codPaisPagoProveedorReembolso (3 digits), e.g. 593
    taxes: list[ReimbursementTax] = field(default_factory=list)

    def normalize(self, ck: Checker, path):
        self.supplier_id_type, self.supplier_identification = ck.identification(
            self.supplier_id_type, self.supplier_identification, f"{path}.supplier_identification")
        self.doc_number = ck.doc_number(self.doc_number, f"{path}.doc_number", "el número del comprobante")
        self.doc_date = ck.date(self.doc_date, f"{path}.doc_date", "la fecha del comprobante")
        self.authorization = ck.digits(self.authorization, f"{path}.authorization", "la autorización",
                                       min_width=10, max_width=49)
        self.doc_type = ck.digits(self.doc_type, f"{path}.doc_type", "el tipo de comprobante", min_width=2,
                                  max_width=3, pad=True, width=None)
        self.supplier_kind = ck.choice(self.supplier_kind, f"{path}.supplier_kind", "el tipo de proveedor",
                                       ("01", "02"))
        self.country = ck.digits(self.country, f"{path}.country", "el código de país", width=3, required=False)
        if not self.taxes:
            ck.add(f"{path}.taxes", "el reembolso no tiene impuestos")
        for i, t in enumerate(self.taxes):
            if isinstance(t, dict):
                t = self.taxes[i] = ReimbursementTax(**t)
            p = f"{path}.taxes[{i}]"
            tax = Tax(code=t.code, rate_code=t.rate_code, rate=t.rate, base=t.base, amount=t.amount)
            tax.normalize(ck, p, None)
            t.code, t.rate_code, t.rate, t.base, t.amount = tax.code, tax.rate_code, tax.rate, tax.base, tax.amount

    @property
    def total(self):
        return sum((t.base + t.amount for t in self.taxes), ZERO)

    def to_xml(self, parent, auth_tag="numeroautorizacionDocReemb", integer_rate=False):
        r = parent
        r.append("<reembolsoDetalle>")
        sub(r, "tipoIdentificacionProveedorReembolso", self.supplier_id_type)
        sub(r, "identificacionProveedorReembolso", self.supplier_identification)
        opt(r, "codPaisPagoProveedorReembolso", self.country)
        sub(r, "tipoProveedorReembolso", self.supplier_kind)
        sub(r, "codDocReembolso", self.doc_type)
        estab, pto, seq = self.doc_number.split("-")
        sub(r, "estabDocReembolso", estab)
        sub(r, "ptoEmiDocReembolso", pto)
        sub(r, "secuencialDocReembolso", seq)
        sub(r, "fechaEmisionDocReembolso", fmt_date(self.doc_date))
        sub(r, auth_tag, self.authorization)
        d = r
        d.append("<detalleImpuestos>")
        for t in self.taxes:
            d.append("<detalleImpuesto>")
            sub(d, "codigo", t.code)
            sub(d, "codigoPorcentaje", t.rate_code)
            sub(d, "tarifa", str(int(t.rate)) if integer_rate else fmt_rate(t.rate))
            sub(d, "baseImponibleReembolso", fmt(t.base))
            sub(d, "impuestoReembolso", fmt(t.amount))
            d.append("</detalleImpuesto>")
        d.append("</detalleImpuestos>")
        r.append("</reembolsoDetalle>")


def norm_reimbursements(ck, items, path):
    for i, r in enumerate(items):
        r.normalize(ck, f"{path}[{i}]")
    return items


def reimbursement_totals(items):
    """(totalComprobantesReembolso, totalBaseImponibleReembolso, totalImpuestoReembolso)."""
    base = sum((t.base for r in items for t in r.taxes if t.base is not None), ZERO)
    tax = sum((t.amount for r in items for t in r.taxes if t.amount is not None), ZERO)
    return base + tax, base, tax


def write_reimbursement_totals(w, doc):
    """The reembolso totals of a factura or liquidación (only when it has reimbursements)."""
    if doc.reimbursements:
        total, base, tax = reimbursement_totals(doc.reimbursements)
        sub(w, "codDocReembolso", doc.reimbursement_doc_type)
        sub(w, "totalComprobantesReembolso", fmt(total))
        sub(w, "totalBaseImponibleReembolso", fmt(base))
        sub(w, "totalImpuestoReembolso", fmt(tax))
