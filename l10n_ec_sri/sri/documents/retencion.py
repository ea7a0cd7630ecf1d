"""Comprobante de retención (codDoc 07), version 2.0.0 (ATS-aligned, with ``docsSustento``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Optional

from .. import identification as _identification
from .base import (
    HUNDRED, ZERO, Checker, Document, Party, Payment, Reimbursement, Tax, fmt, fmt_date, fmt_rate,
    norm_payments, norm_reimbursements, opt, reimbursement_totals, round2, sub,
)

WITHHOLDING_TAXES = {"1": "renta", "2": "IVA", "6": "ISD"}
#: IVA withholding codigoRetencion -> percentage (SPEC §5).
VAT_WITHHOLDING_RATES = {
    "9": Decimal("10"), "10": Decimal("20"), "1": Decimal("30"), "11": Decimal("50"),
    "2": Decimal("70"), "3": Decimal("100"), "7": Decimal("0"),
}


@dataclass(kw_only=True)
class Withholding:
    """``retencion``: code 1 renta / 2 IVA / 6 ISD; ``withholding_code`` = codigoRetencion (ATS code for
    renta, 9/10/1/11/2/3/7 for IVA); ``amount`` = base × percentage / 100 when not given."""

    code: str
    withholding_code: str
    base: Decimal
    percentage: Optional[Decimal] = None  # porcentajeRetener (for IVA taken from the code when omitted)
    amount: Optional[Decimal] = None  # valorRetenido

    def normalize(self, ck: Checker, path):
        self.code = ck.choice(None if self.code is None else str(self.code), f"{path}.code",
                              "el código de impuesto retenido", tuple(WITHHOLDING_TAXES))
        self.withholding_code = ck.text(self.withholding_code, f"{path}.withholding_code", "el código de retención", 5)
        self.base = ck.decimal(self.base, f"{path}.base", "la base imponible")
        pct = ck.decimal(self.percentage, f"{path}.percentage", "el porcentaje de retención", required=False,
                         maximum=HUNDRED)
        if pct is None and self.percentage is None:
            if self.code == "2" and self.withholding_code in VAT_WITHHOLDING_RATES:
                pct = VAT_WITHHOLDING_RATES[self.withholding_code]
            else:
                ck.add(f"{path}.percentage", "falta el porcentaje de retención")
        self.percentage = pct
        amount = ck.decimal(self.amount, f"{path}.amount", "el valor retenido", required=False)
        if amount is None and self.amount is None and self.base is not None and pct is not None:
            amount = round2(self.base * pct / HUNDRED)
        self.amount = amount


@dataclass(kw_only=True)
class SupportDocument:
    """``docSustento``: the purchase document the withholding applies to."""

    doc_number: str  # numDocSustento: 001-001-000000123 or 15 digits
    doc_date: datetime.date  # fechaEmisionDocSustento
    taxes: list[Tax] = field(default_factory=list)  # impuestosDocSustento (base required)
    withholdings: list[Withholding] = field(default_factory=list)  # retenciones
    support_code: str = "01"  # codSustento (tax support, ATS table)
    doc_type: str = "01"  # codDocSustento
    accounting_date: Optional[datetime.date] = None  # fechaRegistroContable
    authorization: Optional[str] = None  # numAutDocSustento (10-49 digits)
    payment_location: str = "01"  # pagoLocExt: 01 local, 02 exterior
    tax_regime: Optional[str] = None  # tipoRegi
    payment_country: Optional[str] = None  # paisEfecPago
    double_taxation: Optional[bool] = None  # aplicConvDobTrib
    subject_to_withholding_abroad: Optional[bool] = None  # pagExtSujRetNorLeg
    tax_haven_payment: Optional[bool] = None  # pagoRegFis
    subtotal: Optional[Decimal] = None  # totalSinImpuestos (default: sum of tax bases)
    total: Optional[Decimal] = None  # importeTotal (default: subtotal + taxes)
    reimbursements: list[Reimbursement] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)

    def normalize(self, ck: Checker, path):
        num = ck.doc_number(self.doc_number, f"{path}.doc_number", "el número del documento sustento")
        self.doc_number = num.replace("-", "") if num else None
        self.doc_date = ck.date(self.doc_date, f"{path}.doc_date", "la fecha del documento sustento")
        self.accounting_date = ck.date(self.accounting_date, f"{path}.accounting_date",
                                       "la fecha de registro contable", required=False)
        self.support_code = ck.digits(self.support_code, f"{path}.support_code", "el código de sustento",
                                      width=2, pad=True)
        self.doc_type = ck.digits(self.doc_type, f"{path}.doc_type", "el tipo de documento sustento",
                                  min_width=1, max_width=3)
        self.authorization = ck.digits(self.authorization, f"{path}.authorization",
                                       "la autorización del documento sustento", min_width=10, max_width=49,
                                       required=False)
        self.payment_location = ck.choice(self.payment_location, f"{path}.payment_location",
                                          "el pago local o exterior", ("01", "02"))
        self.tax_regime = ck.digits(self.tax_regime, f"{path}.tax_regime", "el tipo de régimen", width=2,
                                    required=False)
        self.payment_country = ck.digits(self.payment_country, f"{path}.payment_country", "el país de pago",
                                         min_width=3, max_width=4, required=False)
        if self.payment_location == "02":
            for attr, label in (("payment_country", "el país de pago"),):
                if getattr(self, attr) is None:
                    ck.add(f"{path}.{attr}", f"falta {label} (pago al exterior)")
        if not self.taxes:
            ck.add(f"{path}.taxes", "el documento sustento no tiene impuestos")
        for i, t in enumerate(self.taxes):
            t.normalize(ck, f"{path}.taxes[{i}]", None)
            if t.base is None and not any(e.path == f"{path}.taxes[{i}].base" for e in ck.errors):
                ck.add(f"{path}.taxes[{i}].base", "falta la base imponible")
        if not self.withholdings:
            ck.add(f"{path}.withholdings", "el documento sustento no tiene retenciones")
        for i, w in enumerate(self.withholdings):
            w.normalize(ck, f"{path}.withholdings[{i}]")
        self.reimbursements = norm_reimbursements(ck, self.reimbursements or [], f"{path}.reimbursements")
        given_subtotal = ck.decimal(self.subtotal, f"{path}.subtotal", "el total sin impuestos", required=False)
        given_total = ck.decimal(self.total, f"{path}.total", "el importe total", required=False)
        if self.taxes and all(t.base is not None and t.amount is not None for t in self.taxes):
            subtotal = sum((t.base for t in self.taxes if t.code == "2"), ZERO) or sum((t.base for t in self.taxes), ZERO)
            self.subtotal = given_subtotal if given_subtotal is not None else subtotal
            total = self.subtotal + sum((t.amount for t in self.taxes), ZERO)
            self.total = given_total if given_total is not None else total
        self.payments = norm_payments(ck, self.payments, f"{path}.payments",
                                      self.total if isinstance(self.total, Decimal) else None)

    def to_xml(self, w):
        w.append("<docSustento>")
        sub(w, "codSustento", self.support_code)
        sub(w, "codDocSustento", self.doc_type)
        sub(w, "numDocSustento", self.doc_number)
        sub(w, "fechaEmisionDocSustento", fmt_date(self.doc_date))
        if self.accounting_date:
            sub(w, "fechaRegistroContable", fmt_date(self.accounting_date))
        opt(w, "numAutDocSustento", self.authorization)
        sub(w, "pagoLocExt", self.payment_location)
        if self.payment_location == "02":
            opt(w, "tipoRegi", self.tax_regime)
            opt(w, "paisEfecPago", self.payment_country)
            for tag, value in (("aplicConvDobTrib", self.double_taxation),
                               ("pagExtSujRetNorLeg", self.subject_to_withholding_abroad),
                               ("pagoRegFis", self.tax_haven_payment)):
                if value is not None:
                    sub(w, tag, "SI" if value else "NO")
        if self.reimbursements:
            total, base, tax = reimbursement_totals(self.reimbursements)
            sub(w, "totalComprobantesReembolso", fmt(total))
            sub(w, "totalBaseImponibleReembolso", fmt(base))
            sub(w, "totalImpuestoReembolso", fmt(tax))
        sub(w, "totalSinImpuestos", fmt(self.subtotal))
        sub(w, "importeTotal", fmt(self.total))
        w.append("<impuestosDocSustento>")
        for t in self.taxes:
            w.append("<impuestoDocSustento>")
            sub(w, "codImpuestoDocSustento", t.code)
            sub(w, "codigoPorcentaje", t.rate_code)
            sub(w, "baseImponible", fmt(t.base))
            sub(w, "tarifa", fmt_rate(t.rate))
            sub(w, "valorImpuesto", fmt(t.amount))
            w.append("</impuestoDocSustento>")
        w.append("</impuestosDocSustento><retenciones>")
        for r in self.withholdings:
            w.append("<retencion>")
            sub(w, "codigo", r.code)
            sub(w, "codigoRetencion", r.withholding_code)
            sub(w, "baseImponible", fmt(r.base))
            sub(w, "porcentajeRetener", fmt_rate(r.percentage))
            sub(w, "valorRetenido", fmt(r.amount))
            w.append("</retencion>")
        w.append("</retenciones>")
        if self.reimbursements:
            w.append("<reembolsos>")
            for r in self.reimbursements:
                r.to_xml(w, auth_tag="numeroAutorizacionDocReemb", integer_rate=True)
            w.append("</reembolsos>")
        w.append("<pagos>")
        for p in self.payments:
            p.to_xml(w, full=False)
        w.append("</pagos></docSustento>")


@dataclass(kw_only=True)
class Retencion(Document):
    """``subject``: sujeto retenido (Party; consumidor final not allowed)."""

    COD_DOC: ClassVar[str] = "07"
    ROOT_TAG: ClassVar[str] = "comprobanteRetencion"
    TYPE: ClassVar[str] = "retencion"
    VERSION: ClassVar[str] = "2.0.0"
    VERSIONS: ClassVar[tuple] = ("2.0.0",)
    SPECIAL_TAXPAYER_MAX: ClassVar[int] = 5
    TITLE: ClassVar[str] = "comprobante de retención"

    subject: Optional[Party] = None
    support_documents: list[SupportDocument] = field(default_factory=list)
    fiscal_period: Optional[str] = None  # periodoFiscal mm/aaaa (default: month of emission)
    related_party: bool = False  # parteRel SI/NO
    subject_type: Optional[str] = None  # tipoSujetoRetenido 01 persona natural / 02 sociedad (foreign IDs)

    def _normalize_body(self, ck: Checker):
        subj = self.subject
        if not isinstance(subj, Party):
            ck.add("subject", "faltan los datos del sujeto retenido")
        else:
            subj.normalize(ck, "subject", "del sujeto retenido", final_consumer=False)
        if self.fiscal_period in (None, "") and isinstance(self.emission_date, datetime.date):
            self.fiscal_period = self.emission_date.strftime("%m/%Y")
        fp = str(self.fiscal_period or "").strip()
        if len(fp) != 7 or fp[2] != "/" or not (fp[:2] + fp[3:]).isdigit() or not "01" <= fp[:2] <= "12" \
                or not fp[3:5] == "20":
            ck.add("fiscal_period", f"el período fiscal debe tener la forma mm/aaaa (recibido {fp!r})")
        self.fiscal_period = fp
        self.subject_type = ck.choice(self.subject_type, "subject_type", "el tipo de sujeto retenido",
                                      ("01", "02"), required=False)
        if (isinstance(subj, Party) and subj.id_type in (_identification.PASAPORTE, _identification.EXTERIOR)
                and self.subject_type is None):
            ck.add("subject_type", "indique el tipo de sujeto retenido (01 persona natural, 02 sociedad) para "
                   "una identificación del exterior o pasaporte")
        if not self.support_documents:
            ck.add("support_documents", "el comprobante de retención no tiene documentos sustento")
        for i, d in enumerate(self.support_documents):
            d.normalize(ck, f"support_documents[{i}]")
            if (d.doc_date is not None and isinstance(self.emission_date, datetime.date)
                    and d.doc_date > self.emission_date):
                ck.add(f"support_documents[{i}].doc_date",
                       "la fecha del documento sustento es posterior a la de la retención")
        self._email_extra(subj if isinstance(subj, Party) else None)

    def _build_body(self, w):
        iss, subj = self.issuer, self.subject
        w.append("<infoCompRetencion>")
        sub(w, "fechaEmision", fmt_date(self.emission_date))
        opt(w, "dirEstablecimiento", iss.establishment_address)
        self._issuer_info(w)
        sub(w, "tipoIdentificacionSujetoRetenido", subj.id_type)
        opt(w, "tipoSujetoRetenido", self.subject_type)
        sub(w, "parteRel", "SI" if self.related_party else "NO")
        sub(w, "razonSocialSujetoRetenido", subj.name)
        sub(w, "identificacionSujetoRetenido", subj.identification)
        sub(w, "periodoFiscal", self.fiscal_period)
        w.append("</infoCompRetencion><docsSustento>")
        for d in self.support_documents:
            d.to_xml(w)
        w.append("</docsSustento>")
