"""The building blocks of the documents: :class:`Extra`, :class:`Issuer`, :class:`Party`, :class:`Tax`,
:class:`TaxTotal`, :class:`Line` and :class:`Payment`, each with its ``normalize`` (checks, in place)
and its XML writers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from .. import identification as _identification
from ..errors import SriValidationError
from .checker import Checker
from .formatting import (
    CENT, DEFAULT_PAYMENT_METHOD, HUNDRED, MAX_AMOUNT, MAX_QUANTITY, MAX_RATE, PAYMENT_METHODS, RIMPE_LEGEND,
    TAX_ICE, TAX_IRBPNR, TAX_NAMES, TAX_VAT, VAT_RATES, ZERO, ZERO_CENTS, _yes_no, esc, esc_attr, fmt,
    fmt_quantity, fmt_rate, opt, round2, sub,
)


@dataclass(kw_only=True)
class Extra:
    """A name/value pair: ``infoAdicional/campoAdicional`` or ``detallesAdicionales/detAdicional``."""

    name: str
    value: str


def _norm_extras(ck: Checker, extras, path, maximum):
    """Coerce a list of :class:`Extra` (or a dict name -> value); empty values are dropped."""
    if not extras:
        return []
    if isinstance(extras, dict):
        extras = [Extra(name=k, value=v) for k, v in extras.items()]
    result = []
    for i, item in enumerate(extras):
        if isinstance(item, dict):
            item = Extra(**item)
        p = f"{path}[{i}]"
        value = "" if item.value is None or item.value is False else str(item.value)
        if not value.strip():
            continue
        item.name = ck.text(item.name, p + ".name", "el nombre del campo adicional", 300)
        item.value = ck.text(value, p + ".value", "el valor del campo adicional", 300)
        result.append(item)
    if len(result) > maximum:
        ck.add(path, f"se admiten como máximo {maximum} campos adicionales (hay {len(result)})")
    return result


@dataclass(kw_only=True)
class Issuer:
    """The emisor: ``infoTributaria`` plus the issuer fields of ``info<Documento>``."""

    ruc: str
    legal_name: str  # razonSocial
    main_address: str  # dirMatriz
    trade_name: Optional[str] = None  # nombreComercial
    establishment_address: Optional[str] = None  # dirEstablecimiento
    special_taxpayer: Optional[str] = None  # contribuyenteEspecial (resolution number)
    accounting_required: Optional[bool] = None  # obligadoContabilidad SI/NO (None: tag omitted)
    withholding_agent: Optional[str] = None  # agenteRetencion (resolution number, ≤ 8 digits)
    rimpe: bool = False  # contribuyenteRimpe = "CONTRIBUYENTE RÉGIMEN RIMPE"

    def normalize(self, ck: Checker, path="issuer", special_max=13):
        try:
            self.ruc = _identification.validate_ruc(self.ruc, f"{path}.ruc")
        except SriValidationError as exc:
            ck.errors.extend(exc.errors)
        self.legal_name = ck.text(self.legal_name, f"{path}.legal_name", "la razón social del emisor", 300)
        self.main_address = ck.text(self.main_address, f"{path}.main_address", "la dirección matriz", 300)
        self.trade_name = ck.text(self.trade_name, f"{path}.trade_name", "el nombre comercial", 300, False)
        self.establishment_address = ck.text(self.establishment_address, f"{path}.establishment_address",
                                             "la dirección del establecimiento", 300, False)
        if self.special_taxpayer not in (None, ""):
            sp = str(self.special_taxpayer).strip()
            if not (3 <= len(sp) <= special_max and sp.isalnum() and sp.isascii()):
                ck.add(f"{path}.special_taxpayer", f"el número de contribuyente especial debe tener entre 3 y "
                       f"{special_max} letras o dígitos (recibido {sp!r})")
            self.special_taxpayer = sp
        else:
            self.special_taxpayer = None
        if isinstance(self.accounting_required, str):
            self.accounting_required = _yes_no(self.accounting_required) == "SI"
        if self.withholding_agent not in (None, "", False):
            self.withholding_agent = ck.digits(self.withholding_agent, f"{path}.withholding_agent",
                                               "la resolución de agente de retención", min_width=1, max_width=8)
        else:
            self.withholding_agent = None

    def info_tributaria(self, root, doc: "Document"):
        # one string (what sub()/opt() would append element by element)
        trade, agent = self.trade_name, self.withholding_agent
        root.append(
            f"<infoTributaria><ambiente>{esc(doc.environment)}</ambiente><tipoEmision>1</tipoEmision>"
            f"<razonSocial>{esc(self.legal_name)}</razonSocial>"
            f"{f'<nombreComercial>{esc(trade)}</nombreComercial>' if trade else ''}"
            f"<ruc>{esc(self.ruc)}</ruc><claveAcceso>{esc(doc.access_key)}</claveAcceso><codDoc>{esc(doc.COD_DOC)}"
            f"</codDoc><estab>{esc(doc.establishment)}</estab><ptoEmi>{esc(doc.emission_point)}</ptoEmi>"
            f"<secuencial>{esc(doc.sequential)}</secuencial><dirMatriz>{esc(self.main_address)}</dirMatriz>"
            f"{f'<agenteRetencion>{esc(agent)}</agenteRetencion>' if agent else ''}"
            f"{f'<contribuyenteRimpe>{esc(RIMPE_LEGEND)}</contribuyenteRimpe>' if self.rimpe else ''}"
            "</infoTributaria>")


@dataclass(kw_only=True)
class Party:
    """Buyer (comprador), supplier (proveedor), withheld subject (sujeto retenido) or carrier."""

    id_type: str  # 04 RUC, 05 cédula, 06 pasaporte, 07 consumidor final, 08 exterior
    identification: str
    name: str
    address: Optional[str] = None
    email: Optional[str] = None  # not an XSD field: goes to infoAdicional when given

    def normalize(self, ck: Checker, path, label="del comprador", final_consumer=True):
        if self.id_type is not None:
            self.id_type = str(self.id_type).strip().zfill(2)
        if self.id_type == _identification.CONSUMIDOR_FINAL:
            if not final_consumer:
                ck.add(f"{path}.id_type", f"el consumidor final (07) no se admite como identificación {label}")
            if not self.name:
                self.name = _identification.CONSUMIDOR_FINAL_NAME
            if not self.identification:
                self.identification = _identification.CONSUMIDOR_FINAL_ID
        self.id_type, self.identification = ck.identification(self.id_type, self.identification,
                                                              f"{path}.identification")
        self.name = ck.text(self.name, f"{path}.name", f"la razón social {label}", 300)
        if (self.id_type == _identification.CONSUMIDOR_FINAL and self.name
                and self.name.upper() != _identification.CONSUMIDOR_FINAL_NAME):
            ck.add(f"{path}.name", f"el consumidor final debe llamarse {_identification.CONSUMIDOR_FINAL_NAME!r} "
                   f"(recibido {self.name!r})")
        self.address = ck.text(self.address, f"{path}.address", f"la dirección {label}", 300, False)
        self.email = ck.text(self.email, f"{path}.email", f"el correo {label}", 100, False)


@dataclass(kw_only=True)
class Tax:
    """A tax of a line (``impuesto``) or of a nota de débito.

    ``code``: 2 IVA, 3 ICE, 5 IRBPNR. ``rate_code``: codigoPorcentaje. ``rate``: tarifa in % (for IVA
    taken from the table when omitted; for IRBPNR: USD per unit). ``base`` defaults to the line
    subtotal, ``amount`` to ``base × rate / 100`` (IRBPNR: ``quantity × rate``), rounded half-up.
    """

    code: str = TAX_VAT
    rate_code: str = "4"
    rate: Optional[Decimal] = None
    base: Optional[Decimal] = None
    amount: Optional[Decimal] = None

    def normalize(self, ck: Checker, path, default_base, quantity=None, allowed=(TAX_VAT, TAX_ICE, TAX_IRBPNR)):
        code, rc = self.code, self.rate_code
        # fast path: a known tax code / an IVA rate code, as plain strings, is what choice()/digits() return
        # unchanged and without error; anything else goes through them
        if not (type(code) is str and code in TAX_NAMES and code in allowed):
            self.code = ck.choice(None if code is None else str(code), f"{path}.code", "el código de impuesto",
                                  allowed)
        if not (type(rc) is str and rc in VAT_RATES):
            rc = ck.digits(rc, f"{path}.rate_code", "el código de porcentaje", min_width=1, max_width=4)
        self.rate_code = rc
        rate = None if self.rate is None else ck.decimal(self.rate, f"{path}.rate", "la tarifa", required=False,
                                                         maximum=MAX_RATE)
        if self.code == TAX_VAT and rc is not None:
            if rc not in VAT_RATES:
                ck.add(f"{path}.rate_code", f"código de porcentaje de IVA {rc!r} desconocido; use uno de "
                       + ", ".join(f"{k} ({fmt(v)} %)" for k, v in VAT_RATES.items()))
            elif rate is None:
                rate = VAT_RATES[rc]
            elif rate != VAT_RATES[rc]:
                ck.add(f"{path}.rate", f"la tarifa {fmt_rate(rate)} % no corresponde al código de IVA {rc} "
                       f"({fmt_rate(VAT_RATES[rc])} %)")
        elif self.code in (TAX_ICE, TAX_IRBPNR) and rate is None and self.rate is None:
            ck.add(f"{path}.rate", f"indique la tarifa del {TAX_NAMES[self.code]}")
        self.rate = rate
        base = None if self.base is None else ck.decimal(self.base, f"{path}.base", "la base imponible",
                                                         required=False)
        if base is None and self.base is None:
            base = default_base
        self.base = base
        amount = None if self.amount is None else ck.decimal(self.amount, f"{path}.amount", "el valor del impuesto",
                                                             required=False)
        if amount is None and self.amount is None and base is not None and rate is not None:
            if self.code == TAX_IRBPNR and quantity is not None:
                amount = round2(quantity * rate)
            else:
                amount = round2(base * rate / HUNDRED)
        self.amount = amount


@dataclass(kw_only=True)
class TaxTotal:
    """``totalImpuesto``: one per (code, rate_code). Computed from the lines when not given."""

    code: str
    rate_code: str
    base: Decimal
    amount: Decimal
    rate: Optional[Decimal] = None
    additional_discount: Optional[Decimal] = None  # descuentoAdicional
    vat_refund: Optional[Decimal] = None  # valorDevolucionIva

    def normalize(self, ck: Checker, path, allowed=(TAX_VAT, TAX_ICE, TAX_IRBPNR)):
        self.code = ck.choice(None if self.code is None else str(self.code), f"{path}.code",
                              "el código de impuesto", allowed)
        self.rate_code = ck.digits(self.rate_code, f"{path}.rate_code", "el código de porcentaje",
                                   min_width=1, max_width=4)
        self.base = ck.decimal(self.base, f"{path}.base", "la base imponible")
        self.amount = ck.decimal(self.amount, f"{path}.amount", "el valor del impuesto")
        self.rate = ck.decimal(self.rate, f"{path}.rate", "la tarifa", required=False, maximum=Decimal("99.99"))
        if self.rate is None and self.code == TAX_VAT and self.rate_code in VAT_RATES:
            self.rate = VAT_RATES[self.rate_code]
        self.additional_discount = ck.decimal(self.additional_discount, f"{path}.additional_discount",
                                              "el descuento adicional", required=False)
        self.vat_refund = ck.decimal(self.vat_refund, f"{path}.vat_refund", "el valor de devolución de IVA",
                                     required=False)

    def to_xml(self, parent, with_rate=True, with_discount=True):
        t = parent
        t.append("<totalImpuesto>")
        sub(t, "codigo", self.code)
        sub(t, "codigoPorcentaje", self.rate_code)
        if with_discount and self.additional_discount is not None:
            sub(t, "descuentoAdicional", fmt(self.additional_discount))
        sub(t, "baseImponible", fmt(self.base))
        if with_rate and self.rate is not None:
            sub(t, "tarifa", fmt_rate(self.rate))
        sub(t, "valor", fmt(self.amount))
        if self.vat_refund is not None:
            sub(t, "valorDevolucionIva", fmt(self.vat_refund))
        t.append("</totalImpuesto>")


def sum_taxes(taxes_lists) -> list[TaxTotal]:
    """Group line taxes by (code, rate_code) in order of first appearance; sum bases and values."""
    groups: dict = {}
    for taxes in taxes_lists:
        for t in taxes:
            key = (t.code, t.rate_code)
            g = groups.get(key)
            if g is None:
                groups[key] = TaxTotal(code=t.code, rate_code=t.rate_code, base=t.base, amount=t.amount, rate=t.rate)
            else:
                g.base += t.base
                g.amount += t.amount
    return list(groups.values())


@dataclass(kw_only=True)
class Line:
    """A detail line (``detalle``) of factura, nota de crédito and liquidación de compra.

    ``subtotal`` (precioTotalSinImpuesto) = ``quantity × unit_price − discount`` rounded to cents when
    not given; ``discount`` may also be given as ``discount_percent`` of ``quantity × unit_price``.
    """

    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Optional[Decimal] = None
    discount_percent: Optional[Decimal] = None
    subtotal: Optional[Decimal] = None
    main_code: Optional[str] = None  # codigoPrincipal / codigoInterno
    aux_code: Optional[str] = None  # codigoAuxiliar / codigoAdicional
    unit: Optional[str] = None  # unidadMedida (factura 2.1.0/1.1.0, liquidación)
    taxes: list[Tax] = field(default_factory=list)
    extra: list[Extra] = field(default_factory=list)  # detAdicional (≤ 3)

    def normalize(self, ck: Checker, path, allowed_taxes=(TAX_VAT, TAX_ICE, TAX_IRBPNR)):
        # hot path (~10 lines per document): optional values left as None need no check (ck.text and
        # ck.decimal return None for them, with no error), and a printable str whose stripped text is not
        # empty and fits is exactly what ck.text returns, without error; the rest goes through ck.text
        text = self.description
        if type(text) is str and text.isprintable() and 0 < len(text := text.strip()) <= 300:
            self.description = text
        else:
            self.description = ck.text(self.description, f"{path}.description", "la descripción", 300)
        text = self.main_code
        if type(text) is str and text.isprintable() and 0 < len(text := text.strip()) <= 25:
            self.main_code = text
        elif self.main_code is not None:
            self.main_code = ck.text(self.main_code, f"{path}.main_code", "el código principal", 25, False)
        if self.aux_code is not None:
            self.aux_code = ck.text(self.aux_code, f"{path}.aux_code", "el código auxiliar", 25, False)
        text = self.unit
        if type(text) is str and text.isprintable() and 0 < len(text := text.strip()) <= 50:
            self.unit = text
        elif self.unit is not None:
            self.unit = ck.text(self.unit, f"{path}.unit", "la unidad de medida", 50, False)
        qty = self.quantity = ck.decimal(self.quantity, f"{path}.quantity", "la cantidad", 6, maximum=MAX_QUANTITY)
        price = self.unit_price = ck.decimal(self.unit_price, f"{path}.unit_price", "el precio unitario", 6,
                                             maximum=MAX_QUANTITY)
        discount = None if self.discount is None else ck.decimal(self.discount, f"{path}.discount", "el descuento",
                                                                 required=False)
        percent = None if self.discount_percent is None else ck.decimal(
            self.discount_percent, f"{path}.discount_percent", "el porcentaje de descuento", 6, required=False,
            maximum=HUNDRED)
        gross = qty * price if qty is not None and price is not None else None
        if discount is None and percent is not None and gross is not None:
            discount = round2(gross * percent / HUNDRED)
        if discount is None and self.discount is None:
            discount = ZERO_CENTS
        self.discount = discount
        subtotal = None if self.subtotal is None else ck.decimal(self.subtotal, f"{path}.subtotal",
                                                                 "el precio total sin impuestos", required=False)
        if subtotal is None and self.subtotal is None and gross is not None and discount is not None:
            subtotal = round2(gross - discount)
            if subtotal < 0:
                ck.add(f"{path}.discount", f"el descuento ({fmt(discount)}) es mayor que cantidad × precio "
                       f"({fmt(round2(gross))})")
                subtotal = None
            elif subtotal > MAX_AMOUNT:
                ck.add(f"{path}.subtotal", f"cantidad × precio − descuento = {fmt(subtotal)} supera el máximo que "
                       f"admite el SRI ({fmt(MAX_AMOUNT)})")
                subtotal = None
        elif subtotal is not None and gross is not None and discount is not None:
            expected = round2(gross - discount)
            if abs(subtotal - expected) > CENT:
                ck.add(f"{path}.subtotal", f"el precio total sin impuestos {fmt(subtotal)} no coincide con "
                       f"cantidad × precio − descuento = {fmt(expected)}")
        self.subtotal = subtotal
        if not self.taxes:
            ck.add(f"{path}.taxes", "la línea no tiene impuestos: indique al menos el IVA (código 2)")
        for i, tax in enumerate(self.taxes):
            tax.normalize(ck, f"{path}.taxes[{i}]", subtotal, qty, allowed_taxes)
        self.extra = _norm_extras(ck, self.extra, f"{path}.extra", 3) if self.extra else []

    def extras_xml(self, det):
        if self.extra:
            det.append("<detallesAdicionales>")
            for e in self.extra:
                det.append(f'<detAdicional nombre="{esc_attr(e.name)}" valor="{esc_attr(e.value)}"/>')
            det.append("</detallesAdicionales>")

    def amounts_xml(self, w):
        """cantidad, precioUnitario, descuento, precioTotalSinImpuesto (one string: hot path)."""
        w.append(f"<cantidad>{fmt_quantity(self.quantity)}</cantidad><precioUnitario>{fmt_quantity(self.unit_price)}"
                 f"</precioUnitario><descuento>{self.discount:f}</descuento><precioTotalSinImpuesto>"
                 f"{self.subtotal:f}</precioTotalSinImpuesto>")

    def taxes_xml(self, w, with_rate=True):
        w.append("<impuestos>")
        for t in self.taxes:
            rate = f"<tarifa>{fmt_rate(t.rate)}</tarifa>" if with_rate else ""
            w.append(f"<impuesto><codigo>{t.code}</codigo><codigoPorcentaje>{t.rate_code}</codigoPorcentaje>{rate}"
                     f"<baseImponible>{t.base:f}</baseImponible><valor>{t.amount:f}</valor></impuesto>")
        w.append("</impuestos>")


@dataclass(kw_only=True)
class Payment:
    """``pagos/pago``: formaPago (SPEC §6), total, optional plazo + unidadTiempo."""

    method: str = DEFAULT_PAYMENT_METHOD
    total: Optional[Decimal] = None
    term: Optional[Decimal] = None  # plazo
    time_unit: Optional[str] = None  # unidadTiempo, e.g. "dias"

    def normalize(self, ck: Checker, path, default_total=None):
        self.method = ck.choice(None if self.method is None else str(self.method).zfill(2), f"{path}.method",
                                "la forma de pago", tuple(PAYMENT_METHODS))
        total = ck.decimal(self.total, f"{path}.total", "el total del pago", required=default_total is None)
        self.total = default_total if total is None and self.total is None else total
        self.term = ck.decimal(self.term, f"{path}.term", "el plazo", required=False)
        self.time_unit = ck.text(self.time_unit, f"{path}.time_unit", "la unidad de tiempo", 10, False)

    def to_xml(self, pagos, full=True):
        p = pagos
        p.append("<pago>")
        sub(p, "formaPago", self.method)
        sub(p, "total", fmt(self.total))
        if full:
            if self.term is not None:
                sub(p, "plazo", fmt(self.term))
            opt(p, "unidadTiempo", self.time_unit)
        p.append("</pago>")


def norm_payments(ck: Checker, payments, path, total, required=True):
    """Default: one payment with method 01 for the whole total. The sum must equal ``total``."""
    if not payments:
        if not required or total is None:
            return []
        return [Payment(method=DEFAULT_PAYMENT_METHOD, total=total)]
    single = len(payments) == 1
    for i, p in enumerate(payments):
        p.normalize(ck, f"{path}[{i}]", total if single else None)
    if total is not None and all(p.total is not None for p in payments):
        paid = sum((p.total for p in payments), ZERO)
        if paid != total:
            ck.add(path, f"la suma de los pagos ({fmt(paid)}) no coincide con el importe total ({fmt(total)})")
    return payments
