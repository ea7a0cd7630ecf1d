"""Factura (codDoc 01), versions 2.1.0 (default) and 1.1.0."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Optional

from .. import identification as _identification
from .base import (
    Checker, Document, ForeignTrade, Line, Party, Payment, Reimbursement, TaxTotal, ZERO, check_given_totals,
    check_lines_present, compute_tax_totals, esc, fmt, fmt_date, fmt_quantity, fmt_rate,
    norm_payments, norm_reimbursements, normalize_buyer, opt, settle_total, sub,
    write_reimbursement_totals,
)

#: OCA's default limit for sales to consumidor final (SPEC §4).
FINAL_CONSUMER_LIMIT = Decimal("50.00")


@dataclass(kw_only=True)
class Factura(Document):
    COD_DOC: ClassVar[str] = "01"
    ROOT_TAG: ClassVar[str] = "factura"
    TYPE: ClassVar[str] = "factura"
    VERSION: ClassVar[str] = "2.1.0"
    VERSIONS: ClassVar[tuple] = ("2.1.0", "1.1.0")
    TITLE: ClassVar[str] = "factura"
    FINAL_CONSUMER_LIMIT: ClassVar[Decimal] = FINAL_CONSUMER_LIMIT

    buyer: Optional[Party] = None
    lines: list[Line] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    tax_totals: list[TaxTotal] = field(default_factory=list)  # totalConImpuestos (computed when empty)
    tip: Optional[Decimal] = None  # propina
    currency: str = "DOLAR"  # moneda
    remission_guide: Optional[str] = None  # guiaRemision 001-001-000000001
    subtotal: Optional[Decimal] = None  # totalSinImpuestos (computed; checked when given)
    total_discount: Optional[Decimal] = None  # totalDescuento (computed; checked when given)
    total: Optional[Decimal] = None  # importeTotal (computed; checked when given)
    reimbursements: list[Reimbursement] = field(default_factory=list)  # reembolsos
    reimbursement_doc_type: Optional[str] = None  # codDocReembolso (41 when reimbursing)
    withheld_vat: Optional[Decimal] = None  # valorRetIva
    withheld_income: Optional[Decimal] = None  # valorRetRenta
    foreign_trade: Optional[ForeignTrade] = None  # comercioExterior: an export

    def _normalize_body(self, ck: Checker):
        buyer = normalize_buyer(ck, self.buyer)
        if self.foreign_trade is not None:
            self.foreign_trade.normalize(ck, "foreign_trade")
        self.remission_guide = ck.doc_number(self.remission_guide, "remission_guide", "la guía de remisión",
                                             required=False)
        self.currency = ck.text(self.currency or "DOLAR", "currency", "la moneda", 15)
        self.tip = ck.decimal(self.tip, "tip", "la propina", required=False)
        self.withheld_vat = ck.decimal(self.withheld_vat, "withheld_vat", "el IVA retenido", required=False)
        self.withheld_income = ck.decimal(self.withheld_income, "withheld_income", "la renta retenida",
                                          required=False)
        given_subtotal = ck.decimal(self.subtotal, "subtotal", "el total sin impuestos", required=False)
        given_discount = ck.decimal(self.total_discount, "total_discount", "el total de descuentos", required=False)
        given_total = ck.decimal(self.total, "total", "el importe total", required=False)
        if check_lines_present(ck, self.lines):
            for i, line in enumerate(self.lines):
                line.normalize(ck, f"lines[{i}]")
        self.reimbursements = norm_reimbursements(ck, self.reimbursements or [], "reimbursements")
        if self.reimbursements:
            self.reimbursement_doc_type = ck.digits(self.reimbursement_doc_type or "41", "reimbursement_doc_type",
                                                    "el código de documento de reembolso", min_width=2, max_width=3)
        lines_ok = bool(self.lines) and all(ln.subtotal is not None and ln.discount is not None for ln in self.lines)
        self.tax_totals = compute_tax_totals(ck, self.lines if lines_ok else [], self.tax_totals)
        if lines_ok:
            subtotal = sum((ln.subtotal for ln in self.lines), ZERO)
            discount = sum((ln.discount for ln in self.lines), ZERO)
            check_given_totals(ck, given_subtotal, subtotal, "subtotal", "el total sin impuestos")
            check_given_totals(ck, given_discount, discount, "total_discount", "el total de descuentos")
            self.subtotal, self.total_discount = subtotal, discount
            if self.tax_totals and all(t.amount is not None for t in self.tax_totals):
                self.total = settle_total(ck, subtotal, (t.amount for t in self.tax_totals), given_total,
                                          "el importe total", extra=self.tip or ZERO, extra_label="propina")
        if (buyer is not None and buyer.id_type == _identification.CONSUMIDOR_FINAL and self.total is not None
                and self.total > self.FINAL_CONSUMER_LIMIT):
            ck.add("buyer.id_type", f"una factura a consumidor final no puede superar USD {fmt(self.FINAL_CONSUMER_LIMIT)}"
                   f" (importe total {fmt(self.total)}): identifique al comprador con cédula, RUC o pasaporte")
        self.payments = norm_payments(ck, self.payments, "payments", self.total if isinstance(self.total, Decimal)
                                      else None)
        self._email_extra(buyer)

    def _build_body(self, w):
        iss, buyer = self.issuer, self.buyer
        w.append("<infoFactura>")
        sub(w, "fechaEmision", fmt_date(self.emission_date))
        opt(w, "dirEstablecimiento", iss.establishment_address)
        self._issuer_info(w)
        if self.foreign_trade is not None:
            self.foreign_trade.header_xml(w)
        sub(w, "tipoIdentificacionComprador", buyer.id_type)
        opt(w, "guiaRemision", self.remission_guide)
        sub(w, "razonSocialComprador", buyer.name)
        sub(w, "identificacionComprador", buyer.identification)
        opt(w, "direccionComprador", buyer.address)
        sub(w, "totalSinImpuestos", fmt(self.subtotal))
        if self.foreign_trade is not None:
            self.foreign_trade.subtotal_xml(w)
        sub(w, "totalDescuento", fmt(self.total_discount))
        write_reimbursement_totals(w, self)
        w.append("<totalConImpuestos>")
        for t in self.tax_totals:
            t.to_xml(w)
        w.append("</totalConImpuestos>")
        if self.tip is not None:
            sub(w, "propina", fmt(self.tip))
        sub(w, "importeTotal", fmt(self.total))
        opt(w, "moneda", self.currency)
        if self.payments:
            w.append("<pagos>")
            for p in self.payments:
                p.to_xml(w)
            w.append("</pagos>")
        if self.withheld_vat is not None:
            sub(w, "valorRetIva", fmt(self.withheld_vat))
        if self.withheld_income is not None:
            sub(w, "valorRetRenta", fmt(self.withheld_income))
        w.append("</infoFactura><detalles>")
        append = w.append
        for ln in self.lines:  # hot path: what Line.amounts_xml/extras_xml/taxes_xml write, inlined
            main, aux, unit = ln.main_code, ln.aux_code, ln.unit
            append(f"<detalle>{f'<codigoPrincipal>{esc(main)}</codigoPrincipal>' if main else ''}"
                   f"{f'<codigoAuxiliar>{esc(aux)}</codigoAuxiliar>' if aux else ''}"
                   f"<descripcion>{esc(ln.description)}</descripcion>"
                   f"{f'<unidadMedida>{esc(unit)}</unidadMedida>' if unit else ''}"
                   f"<cantidad>{fmt_quantity(ln.quantity)}</cantidad><precioUnitario>{fmt_quantity(ln.unit_price)}"
                   f"</precioUnitario><descuento>{ln.discount:f}</descuento><precioTotalSinImpuesto>"
                   f"{ln.subtotal:f}</precioTotalSinImpuesto>")
            if ln.extra:
                ln.extras_xml(w)
            append("<impuestos>")
            for t in ln.taxes:
                append(f"<impuesto><codigo>{t.code}</codigo><codigoPorcentaje>{t.rate_code}</codigoPorcentaje>"
                       f"<tarifa>{fmt_rate(t.rate)}</tarifa><baseImponible>{t.base:f}</baseImponible>"
                       f"<valor>{t.amount:f}</valor></impuesto>")
            append("</impuestos></detalle>")
        w.append("</detalles>")
        if self.reimbursements:
            w.append("<reembolsos>")
            for r in self.reimbursements:
                r.to_xml(w)
            w.append("</reembolsos>")
