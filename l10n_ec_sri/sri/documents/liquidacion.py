"""Liquidación de compra de bienes y prestación de servicios (codDoc 03), version 1.1.0.

The issuer buys from a ``supplier`` who cannot issue comprobantes; only IVA (code 2) is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Optional

from .base import (
    Checker, Document, Line, Party, Payment, Reimbursement, TAX_VAT, TaxTotal, ZERO, check_given_totals,
    check_lines_present, compute_tax_totals, fmt, fmt_date, norm_payments,
    norm_reimbursements, normalize_buyer, opt, settle_total, sub,
    write_reimbursement_totals,
)


@dataclass(kw_only=True)
class LiquidacionCompra(Document):
    COD_DOC: ClassVar[str] = "03"
    ROOT_TAG: ClassVar[str] = "liquidacionCompra"
    TYPE: ClassVar[str] = "liquidacion_compra"
    VERSION: ClassVar[str] = "1.1.0"
    VERSIONS: ClassVar[tuple] = ("1.1.0",)
    TITLE: ClassVar[str] = "liquidación de compra"

    supplier: Optional[Party] = None
    lines: list[Line] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    tax_totals: list[TaxTotal] = field(default_factory=list)
    currency: str = "DOLAR"
    subtotal: Optional[Decimal] = None
    total_discount: Optional[Decimal] = None
    total: Optional[Decimal] = None
    reimbursements: list[Reimbursement] = field(default_factory=list)
    reimbursement_doc_type: Optional[str] = None

    def _normalize_body(self, ck: Checker):
        supplier = normalize_buyer(ck, self.supplier, "supplier", "del proveedor", final_consumer=False)
        self.currency = ck.text(self.currency or "DOLAR", "currency", "la moneda", 15)
        given_subtotal = ck.decimal(self.subtotal, "subtotal", "el total sin impuestos", required=False)
        given_discount = ck.decimal(self.total_discount, "total_discount", "el total de descuentos", required=False)
        given_total = ck.decimal(self.total, "total", "el importe total", required=False)
        if check_lines_present(ck, self.lines):
            for i, line in enumerate(self.lines):
                line.normalize(ck, f"lines[{i}]", allowed_taxes=(TAX_VAT,))
        self.reimbursements = norm_reimbursements(ck, self.reimbursements or [], "reimbursements")
        if self.reimbursements:
            self.reimbursement_doc_type = ck.digits(self.reimbursement_doc_type or "41", "reimbursement_doc_type",
                                                    "el código de documento de reembolso", min_width=2, max_width=3)
        lines_ok = bool(self.lines) and all(ln.subtotal is not None and ln.discount is not None for ln in self.lines)
        self.tax_totals = compute_tax_totals(ck, self.lines if lines_ok else [], self.tax_totals,
                                             allowed=(TAX_VAT,))
        if lines_ok:
            subtotal = sum((ln.subtotal for ln in self.lines), ZERO)
            discount = sum((ln.discount for ln in self.lines), ZERO)
            check_given_totals(ck, given_subtotal, subtotal, "subtotal", "el total sin impuestos")
            check_given_totals(ck, given_discount, discount, "total_discount", "el total de descuentos")
            self.subtotal, self.total_discount = subtotal, discount
            if self.tax_totals and all(t.amount is not None for t in self.tax_totals):
                self.total = settle_total(ck, subtotal, (t.amount for t in self.tax_totals), given_total,
                                          "el importe total")
        self.payments = norm_payments(ck, self.payments, "payments",
                                      self.total if isinstance(self.total, Decimal) else None)
        self._email_extra(supplier)

    def _build_body(self, w):
        iss, sup = self.issuer, self.supplier
        w.append("<infoLiquidacionCompra>")
        sub(w, "fechaEmision", fmt_date(self.emission_date))
        opt(w, "dirEstablecimiento", iss.establishment_address)
        self._issuer_info(w)
        sub(w, "tipoIdentificacionProveedor", sup.id_type)
        sub(w, "razonSocialProveedor", sup.name)
        sub(w, "identificacionProveedor", sup.identification)
        opt(w, "direccionProveedor", sup.address)
        sub(w, "totalSinImpuestos", fmt(self.subtotal))
        sub(w, "totalDescuento", fmt(self.total_discount))
        write_reimbursement_totals(w, self)
        w.append("<totalConImpuestos>")
        for t in self.tax_totals:
            t.to_xml(w, with_rate=True, with_discount=True)
        w.append("</totalConImpuestos>")
        sub(w, "importeTotal", fmt(self.total))
        opt(w, "moneda", self.currency)
        if self.payments:
            w.append("<pagos>")
            for p in self.payments:
                p.to_xml(w)
            w.append("</pagos>")
        w.append("</infoLiquidacionCompra><detalles>")
        for ln in self.lines:
            w.append("<detalle>")
            opt(w, "codigoPrincipal", ln.main_code)
            opt(w, "codigoAuxiliar", ln.aux_code)
            sub(w, "descripcion", ln.description)
            opt(w, "unidadMedida", ln.unit)
            ln.amounts_xml(w)
            ln.extras_xml(w)
            ln.taxes_xml(w)
            w.append("</detalle>")
        w.append("</detalles>")
        if self.reimbursements:
            w.append("<reembolsos>")
            for r in self.reimbursements:
                r.to_xml(w)
            w.append("</reembolsos>")
