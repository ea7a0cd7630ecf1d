# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""account.move -> the SRI core's document dict (``sri.documents.from_dict``).

Only reads Odoo data; the core checks and serialises. Every Odoo-side problem the core cannot
see (missing identification, a tax without SRI code, ...) is returned by
``_l10n_ec_sri_check_move`` as a translated line.
"""
from decimal import ROUND_HALF_UP, Decimal

from odoo import _, fields, models
from odoo.tools import float_is_zero

# l10n_ec tax group type -> IVA codigoPorcentaje (SPEC §5)
VAT_CODES = {
    "zero_vat": "0",
    "vat12": "2",
    "vat14": "3",
    "vat15": "4",
    "vat05": "5",
    "not_charged_vat": "6",
    "exempt_vat": "7",
    "vat08": "8",
    "vat13": "10",
}
# l10n_latam document type code -> core document type
DOCUMENT_TYPES = {"01": "factura", "04": "nota_credito", "05": "nota_debito"}
# l10n_ec identification type (res.partner._l10n_ec_get_identification_type) -> tipoIdentificacionComprador
ID_TYPES = {
    "ruc": "04",
    "cedula": "05",
    "passport": "06",
    "ec_passport": "06",
    "foreign": "08",
}
FINAL_CONSUMER_VAT = "9" * 13
FINAL_CONSUMER = "07"

MICRO = Decimal("0.000001")
CENT = Decimal("0.01")


def _dec(value, quantum=CENT):
    return Decimal(repr(float(value or 0.0))).quantize(quantum, ROUND_HALF_UP)


def _text(value):
    return " ".join(str(value or "").split())


class AccountMove(models.Model):
    _inherit = "account.move"

    # ------------------------------------------------------------------
    # Which moves are SRI documents
    # ------------------------------------------------------------------
    def _l10n_ec_sri_document_type(self):
        """'factura' / 'nota_credito' / 'nota_debito', or False when the move is not an SRI document."""
        self.ensure_one()
        journal = self.journal_id
        if (
            self.company_id.account_fiscal_country_id.code != "EC"
            or journal.type != "sale"
            or not journal.l10n_latam_use_documents
            or not journal.l10n_ec_entity
            or not journal.l10n_ec_emission
            or self.move_type not in ("out_invoice", "out_refund")
        ):
            return False
        code = self.l10n_latam_document_type_id.code
        if self.move_type == "out_refund":
            return "nota_credito" if code in (False, "04") else False
        if code == "05" or (self.debit_origin_id and code in (False, "05")):
            return "nota_debito"
        return DOCUMENT_TYPES.get(code, False) if code else False

    def _l10n_ec_sri_is_document(self):
        self.ensure_one()
        return bool(self._l10n_ec_sri_document_type())

    # ------------------------------------------------------------------
    # Pieces
    # ------------------------------------------------------------------
    def _l10n_ec_sri_number_parts(self):
        """(establecimiento, punto de emisión, secuencial) from the document number, falling back
        on the journal and sequential 1 while the move has no number yet."""
        self.ensure_one()
        number = (self.l10n_latam_document_number or "").strip()
        parts = number.split("-")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            return parts[0].zfill(3), parts[1].zfill(3), parts[2].zfill(9)
        return self.journal_id.l10n_ec_entity, self.journal_id.l10n_ec_emission, "000000001"

    @staticmethod
    def _l10n_ec_sri_partner_address(partner):
        parts = [partner.street, partner.street2, partner.city, partner.state_id.name]
        return _text(" ".join(p for p in parts if p)) or False

    def _l10n_ec_sri_issuer(self):
        company = self.company_id
        emission_address = self.journal_id.l10n_ec_emission_address_id
        main_address = self._l10n_ec_sri_partner_address(company.partner_id)
        return {
            "ruc": company.vat or "",
            "legal_name": _text(company.partner_id.name or company.name),
            "trade_name": _text(company.name) if company.name != company.partner_id.name else None,
            "main_address": main_address or "",
            "establishment_address": (
                self._l10n_ec_sri_partner_address(emission_address) if emission_address else main_address
            ) or None,
            "special_taxpayer": company.l10n_ec_sri_special_taxpayer or None,
            "accounting_required": bool(company.l10n_ec_sri_accounting_required),
            "withholding_agent": company.l10n_ec_sri_withholding_agent or None,
            "rimpe": company.l10n_ec_sri_rimpe not in (False, "none"),
        }

    def _l10n_ec_sri_buyer_id_type(self):
        """tipoIdentificacionComprador of the partner, or False when it has none usable."""
        partner = self.commercial_partner_id
        vat = (partner.vat or "").strip()
        if not vat:
            return False
        if vat == FINAL_CONSUMER_VAT:
            return FINAL_CONSUMER
        if not partner.l10n_latam_identification_type_id:
            return False
        return ID_TYPES.get(partner._l10n_ec_get_identification_type(), False)

    def _l10n_ec_sri_buyer(self):
        partner = self.commercial_partner_id
        id_type = self._l10n_ec_sri_buyer_id_type()
        final_consumer = id_type == FINAL_CONSUMER
        return {
            "id_type": id_type or "",
            "identification": (partner.vat or "").strip(),
            "name": "CONSUMIDOR FINAL" if final_consumer else _text(partner.name),
            "address": self._l10n_ec_sri_partner_address(partner) or None,
            "email": (self.partner_id.email or partner.email or "").split(",")[0].strip() or None,
        }

    def _l10n_ec_sri_product_lines(self):
        return self.invoice_line_ids.filtered(lambda line: line.display_type == "product")

    def _l10n_ec_sri_line_taxes(self, line):
        """The line's IVA as core ``Tax`` dicts; taxes without an SRI code are skipped here and
        reported by ``_l10n_ec_sri_check_move``."""
        taxes = []
        base = _dec(line.price_subtotal)
        for tax in line.tax_ids.flatten_taxes_hierarchy():
            code = VAT_CODES.get(tax.tax_group_id.l10n_ec_type)
            if code is None or tax.amount_type != "percent":
                continue
            taxes.append({"code": "2", "rate_code": code, "rate": _dec(tax.amount), "base": base})
        return taxes

    def _l10n_ec_sri_line(self, line):
        quantity = Decimal(repr(line.quantity)).quantize(MICRO, ROUND_HALF_UP)
        subtotal = _dec(line.price_subtotal)
        if any(line.tax_ids.mapped("price_include")) and quantity:
            # Unit price without taxes, recovered from the tax-excluded subtotal.
            factor = Decimal(1) - Decimal(repr(line.discount or 0.0)) / 100
            gross = subtotal / factor if factor else _dec(line.price_unit) * quantity
            unit_price = (gross / quantity).quantize(MICRO, ROUND_HALF_UP)
        else:
            unit_price = Decimal(repr(line.price_unit)).quantize(MICRO, ROUND_HALF_UP)
        gross = (quantity * unit_price).quantize(CENT, ROUND_HALF_UP)
        discount = max(gross - subtotal, Decimal(0))
        product = line.product_id
        return {
            "description": _text(line.name or product.display_name)[:300],
            "main_code": (product.default_code or str(product.id))[:25] if product else None,
            "aux_code": (product.barcode or "")[:25] or None,
            "unit": _text(line.product_uom_id.name)[:50] or None,
            "quantity": quantity,
            "unit_price": unit_price,
            "discount": discount.quantize(CENT),
            "subtotal": subtotal,
            "taxes": self._l10n_ec_sri_line_taxes(line),
        }

    def _l10n_ec_sri_payments(self):
        method = self.l10n_ec_sri_payment_id.code or "01"
        payment = {"method": method, "total": _dec(self.amount_total)}
        if self.invoice_date_due and self.invoice_date and self.invoice_date_due > self.invoice_date:
            payment["term"] = Decimal((self.invoice_date_due - self.invoice_date).days)
            payment["time_unit"] = "dias"
        return [payment]

    def _l10n_ec_sri_additional_info(self):
        partner = self.commercial_partner_id
        info = []
        address = self._l10n_ec_sri_partner_address(partner)
        if address:
            info.append({"name": "Dirección", "value": address[:300]})
        phone = partner.phone or partner.mobile
        if phone:
            info.append({"name": "Teléfono", "value": _text(phone)[:300]})
        email = (self.partner_id.email or partner.email or "").strip()
        if email:
            info.append({"name": "Email", "value": email[:300]})
        if self.ref and self.move_type == "out_invoice":
            info.append({"name": "Referencia", "value": _text(self.ref)[:300]})
        return info

    def _l10n_ec_sri_origin(self):
        """The modified document of a credit / debit note."""
        if self.move_type == "out_refund":
            return self.reversed_entry_id
        return self.debit_origin_id

    # ------------------------------------------------------------------
    # The document dict
    # ------------------------------------------------------------------
    def _l10n_ec_sri_document_data(self, access_key=None):
        """The core's JSON-like dict of this move (``sri.documents.from_dict``)."""
        self.ensure_one()
        doc_type = self._l10n_ec_sri_document_type()
        estab, point, sequential = self._l10n_ec_sri_number_parts()
        data = {
            "type": doc_type,
            "issuer": self._l10n_ec_sri_issuer(),
            "establishment": estab,
            "emission_point": point,
            "sequential": sequential,
            "environment": self.company_id.l10n_ec_sri_environment or "1",
            "emission_date": self.invoice_date or fields.Date.context_today(self),
            "buyer": self._l10n_ec_sri_buyer(),
            "additional_info": self._l10n_ec_sri_additional_info(),
        }
        if access_key:
            data["access_key"] = access_key
        lines = self._l10n_ec_sri_product_lines()
        if doc_type in ("nota_credito", "nota_debito"):
            origin = self._l10n_ec_sri_origin()
            data.update({
                "modified_doc_type": origin.l10n_latam_document_type_id.code or "01",
                "modified_doc_number": origin.l10n_latam_document_number or None,
                "modified_doc_date": origin.invoice_date or None,
            })
        if doc_type == "factura":
            data.update({
                "lines": [self._l10n_ec_sri_line(line) for line in lines],
                "payments": self._l10n_ec_sri_payments(),
            })
        elif doc_type == "nota_credito":
            data.update({
                "reason": _text(self.ref or "Devolución")[:300],
                "lines": [self._l10n_ec_sri_line(line) for line in lines],
            })
        elif doc_type == "nota_debito":
            taxes = {}
            for line in lines:
                for tax in self._l10n_ec_sri_line_taxes(line):
                    key = (tax["code"], tax["rate_code"])
                    if key in taxes:
                        taxes[key]["base"] += tax["base"]
                    else:
                        taxes[key] = dict(tax)
            data.update({
                "reasons": [
                    {"reason": _text(line.name or line.product_id.display_name)[:300],
                     "amount": _dec(line.price_subtotal)}
                    for line in lines
                ],
                "taxes": list(taxes.values()),
                "payments": self._l10n_ec_sri_payments(),
            })
        return data

    def _l10n_ec_sri_final_consumer_limit(self):
        return Decimal(repr(self.company_id.l10n_ec_sri_final_consumer_limit or 0.0)).quantize(CENT)

    # ------------------------------------------------------------------
    # Odoo-side checks (the core checks the rest)
    # ------------------------------------------------------------------
    def _l10n_ec_sri_check_move(self):
        """Translated problems the user must fix before this move can be posted."""
        self.ensure_one()
        errors = []
        partner = self.commercial_partner_id
        id_type = self._l10n_ec_sri_buyer_id_type()
        if not (partner.vat or "").strip():
            errors.append(_("The customer %s has no identification number (RUC, cédula or passport).",
                            partner.display_name))
        elif not id_type:
            errors.append(_("The identification type of the customer %s is not one the SRI accepts "
                            "(RUC, cédula, passport or foreign ID).", partner.display_name))
        limit = self.company_id.l10n_ec_sri_final_consumer_limit
        if (id_type == FINAL_CONSUMER and self.move_type == "out_invoice"
                and self.currency_id.compare_amounts(self.amount_total, limit) > 0):
            errors.append(_(
                "Sales to the final consumer (9999999999999) cannot exceed %(limit)s; this document totals "
                "%(total)s. Enter the customer's identification.",
                limit=self.currency_id.format(limit), total=self.currency_id.format(self.amount_total)))
        if id_type == FINAL_CONSUMER and self.move_type == "out_refund":
            errors.append(_("A credit note cannot be issued to the final consumer (9999999999999)."))
        if self.currency_id != self.env.ref("base.USD"):
            errors.append(_("SRI documents must be in US dollars (USD)."))
        lines = self._l10n_ec_sri_product_lines()
        if not lines:
            errors.append(_("The document has no product lines."))
        for line in lines:
            taxes = line.tax_ids.flatten_taxes_hierarchy()
            unknown = taxes.filtered(
                lambda tax: VAT_CODES.get(tax.tax_group_id.l10n_ec_type) is None or tax.amount_type != "percent"
            )
            for tax in unknown:
                errors.append(_(
                    "The tax %(tax)s on line \"%(line)s\" has no SRI code: its tax group must be an IVA group "
                    "(VAT 0%%, 5%%, 8%%, 12%%, 13%%, 14%%, 15%%, not charged or exempt).",
                    tax=tax.display_name, line=_text(line.name)[:60]))
            if not taxes - unknown:
                errors.append(_("The line \"%s\" has no IVA tax: SRI needs one on every line (use VAT 0%% "
                                "or exempt when no IVA applies).", _text(line.name)[:60]))
            if line.quantity < 0 or line.price_subtotal < 0:
                errors.append(_("The line \"%s\" has a negative quantity or amount: SRI documents "
                                "only accept positive lines.", _text(line.name)[:60]))
        doc_type = self._l10n_ec_sri_document_type()
        if doc_type in ("nota_credito", "nota_debito"):
            origin = self._l10n_ec_sri_origin()
            if not origin:
                errors.append(_("A credit or debit note must come from the invoice it modifies "
                                "(use Credit Note / Debit Note on the invoice)."))
            elif not origin.l10n_latam_document_number:
                errors.append(_("The modified document %s has no document number.", origin.display_name))
        if self.company_id.tax_calculation_rounding_method == "round_globally":
            # The SRI document carries each line's IVA rounded to cents; Odoo's total must be the same sum.
            per_line = sum(
                self.currency_id.round(line.price_subtotal * tax.amount / 100.0)
                for line in lines for tax in line.tax_ids.flatten_taxes_hierarchy() if tax.amount_type == "percent"
            )
            if self.currency_id.compare_amounts(per_line, self.amount_tax):
                errors.append(_(
                    "The company rounds taxes globally, so the IVA of this document (%(odoo)s) differs from the sum "
                    "of its lines' IVA rounded to cents (%(sri)s), which is what the SRI requires. Set Accounting > "
                    "Settings > Rounding Method to \"Round per Line\" and post again.",
                    odoo=self.currency_id.format(self.amount_tax), sri=self.currency_id.format(per_line)))
        return errors
