# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""account.move -> the SRI core's document dict (``sri.documents.from_dict``).

Only reads Odoo data; the core checks and serialises. Every Odoo-side problem the core cannot
see (missing identification, a tax without SRI code, ...) is returned by
``_l10n_ec_sri_check_move`` as a translated line.
"""
from decimal import ROUND_HALF_UP, Decimal

from odoo import _, fields, models

from odoo.addons.l10n_ec_sri.sri import kinds as sri_kinds

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
# l10n_latam document type code -> core document type, for the kinds account.move issues (sri.kinds)
DOCUMENT_TYPES = {code: sri_kinds.BY_CODE[code].type for code in ("01", "03", "04", "05")}
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

# SRI XSD limits (SPEC §7): texts (descripción, motivo, razón, campoAdicional, detAdicional) 300; codigoPrincipal /
# codigoAuxiliar (codigoInterno / codigoAdicional) 25; unidadMedida 50; correo 100; detAdicional ≤ 3 per detalle;
# campoAdicional ≤ 15 per document.
TEXT_MAX = 300
CODE_MAX = 25
UNIT_MAX = 50
EMAIL_MAX = 100
LINE_EXTRAS_MAX = 3
INFO_MAX = 15
# A line's label longer than TEXT_MAX: the first piece is its descripción, the others follow in its
# detallesAdicionales under these names (factura and nota de crédito; a nota de débito's razón has no such place).
DESCRIPTION_NAME = "Descripción"


def _dec(value, quantum=CENT):
    return Decimal(repr(float(value or 0.0))).quantize(quantum, ROUND_HALF_UP)


def _text(value):
    return " ".join(str(value or "").split())


def _short(text, size=60):
    """A label for a message (never for the SRI document): ``text`` shortened, marked with "…" when it is."""
    text = _text(text)
    return text if len(text) <= size else text[:size - 1].rstrip() + "…"


def _split_text(text, size=TEXT_MAX):
    """``text`` (whitespace collapsed by ``_text``) in pieces of at most ``size`` characters, each cut at its
    last space (the space is dropped: the pieces read joined by one space); a word longer than ``size`` is cut
    where it reaches it. Nothing is lost: every character but those separating spaces is in a piece."""
    pieces = []
    while len(text) > size:
        cut = text.rfind(" ", 1, size + 1)
        if cut > 0:
            pieces.append(text[:cut])
            text = text[cut + 1:]
        else:
            pieces.append(text[:size])
            text = text[size:]
    if text:
        pieces.append(text)
    return pieces


def _named_pieces(name, text, size=TEXT_MAX):
    """[{name, value}]: ``text`` whole, in pieces of ``size`` named ``name``, ``name (continuación)`` or
    ``name (continuación i/n)`` (an SRI name/value field holds 300 characters: a longer text takes several)."""
    pieces = _split_text(text, size)
    rest = len(pieces) - 1
    named = [{"name": name, "value": pieces[0]}] if pieces else []
    for i, piece in enumerate(pieces[1:], 1):
        suffix = "continuación" if rest == 1 else f"continuación {i}/{rest}"
        named.append({"name": f"{name} ({suffix})", "value": piece})
    return named


class AccountMove(models.Model):
    _inherit = "account.move"

    # ------------------------------------------------------------------
    # Which moves are SRI documents
    # ------------------------------------------------------------------
    def _l10n_ec_sri_is_document(self):
        """True when the move is a sale that must reach the SRI: posting it either issues its SRI document
        or is refused (``_l10n_ec_sri_configuration_problems``). Never silently skipped. What is not one:

        - a company whose fiscal country is not Ecuador;
        - a journal that is not a sale journal: vendor bills and refunds are the supplier's documents (the
          liquidación de compra and the retención are the companion modules'), entries are no comprobante;
          account forbids a customer document on another journal type anyway;
        - a sale journal that does not use documents: by l10n_latam's own definition ("Use Documents?") it
          is "used to register accounting entries not related to invoicing legal documents", and its moves
          have no document type nor number; a sale meant for the SRI is posted on a journal using documents;
        - a sales receipt (out_receipt): l10n_latam refuses document types on receipts, so one cannot be
          posted on a journal using documents;
        - an entry (move_type entry), whatever its journal.
        """
        self.ensure_one()
        journal = self.journal_id
        return bool(
            self.company_id.account_fiscal_country_id.code == "EC"
            and journal.l10n_latam_use_documents
            and ((journal.type == "sale" and self.move_type in ("out_invoice", "out_refund"))
                 or self._l10n_ec_sri_is_liquidation())
        )

    def _l10n_ec_sri_is_liquidation(self):
        """A vendor bill on a purchase journal that issues liquidaciones de compra (``l10n_ec_sri_liquidation``):
        the company issues it to a supplier without RUC, numbered by the journal."""
        self.ensure_one()
        journal = self.journal_id
        return bool(journal.type == "purchase" and journal.l10n_ec_sri_liquidation
                    and journal.l10n_latam_use_documents and self.move_type == "in_invoice")

    @staticmethod
    def _l10n_ec_sri_point_ok(value):
        # 1 to 3 digits: l10n_ec pads the document number to 001-001-000000001 (as the SRI numbers it)
        value = (value or "").strip()
        return value.isdigit() and value.isascii() and len(value) <= 3 and int(value) > 0

    def _l10n_ec_sri_document_type(self):
        """'factura' / 'nota_credito' / 'nota_debito', or False when the move is not an SRI document, or is
        one that cannot be issued as it is (``_l10n_ec_sri_configuration_problems`` says why)."""
        self.ensure_one()
        if not self._l10n_ec_sri_is_document():
            return False
        journal = self.journal_id
        if not (self._l10n_ec_sri_point_ok(journal.l10n_ec_entity)
                and self._l10n_ec_sri_point_ok(journal.l10n_ec_emission)):
            return False
        code = self.l10n_latam_document_type_id.code
        if self._l10n_ec_sri_is_liquidation():
            return "liquidacion_compra" if code in (False, "03") else False
        if self.move_type == "out_refund":
            return "nota_credito" if code in (False, "04") else False
        if code == "05" or (self.debit_origin_id and code in (False, "05")):
            return "nota_debito"
        return DOCUMENT_TYPES.get(code, False) if code else False

    def _l10n_ec_sri_configuration_problems(self):
        """Why a move that must reach the SRI (``_l10n_ec_sri_is_document``) has no SRI document type:
        translated lines, empty when it has one."""
        self.ensure_one()
        if not self._l10n_ec_sri_is_document() or self._l10n_ec_sri_document_type():
            return []
        errors = []
        journal = self.journal_id
        if not (self._l10n_ec_sri_point_ok(journal.l10n_ec_entity)
                and self._l10n_ec_sri_point_ok(journal.l10n_ec_emission)):
            errors.append(_(
                "The journal \"%(journal)s\" issues legal documents (Use Documents) but its Emission Entity "
                "(%(entity)s) and Emission Point (%(point)s) are not the establecimiento and punto de emisión "
                "given by the SRI (3 digits each, e.g. 001 and 001): without them the sale cannot be sent to the "
                "SRI. Fill them in on the journal (Accounting > Configuration > Journals) and post again.",
                journal=journal.display_name, entity=journal.l10n_ec_entity or _("empty"),
                point=journal.l10n_ec_emission or _("empty")))
        document_type = self.l10n_latam_document_type_id
        code = document_type.code
        if self._l10n_ec_sri_is_liquidation() and code not in (False, "03"):
            errors.append(_(
                "The journal \"%(journal)s\" issues liquidaciones de compra: its bills must use the document type "
                "Purchase Liquidation (03), not \"%(type)s\" (code %(code)s). Record other suppliers' bills on "
                "another purchase journal.", journal=journal.display_name, type=document_type.display_name, code=code))
        elif self.move_type == "out_refund" and code not in (False, "04"):
            errors.append(_(
                "The document type \"%(type)s\" (code %(code)s) cannot be issued electronically to the SRI: a "
                "customer credit note is issued as Credit Note (04). Choose that document type.",
                type=document_type.display_name, code=code))
        elif self.move_type == "out_invoice" and code not in (False, "01", "05"):
            # 02 nota de venta, 08/09/11/12/... preprinted or cash-register comprobantes and the ATS codes 41, 47,
            # 48, 370-373 (sold as factura / notes with extra content this module does not write): a journal
            # with an establecimiento and punto de emisión issues facturas electrónicas; posting one of these
            # would number a sale that never reaches the SRI.
            errors.append(_(
                "The document type \"%(type)s\" (code %(code)s) cannot be issued electronically to the SRI: a "
                "customer invoice is issued as Invoice (01) and a debit note as Debit Note (05). Choose one of "
                "them, or record this document on a journal that does not use documents.",
                type=document_type.display_name, code=code))
        elif not code and self.move_type == "out_invoice" and not self.debit_origin_id:
            errors.append(_("The document has no document type: choose Invoice (01) or Debit Note (05)."))
        if not errors:  # never silently skipped, whatever a later change of _l10n_ec_sri_document_type says
            errors.append(_("This document cannot be issued as an SRI electronic document: check its journal "
                            "and its document type."))
        return errors

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

    def _l10n_ec_sri_establishment_partner(self):
        return self.journal_id.l10n_ec_emission_address_id

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
        # Nothing is cut: a label longer than 300 characters keeps its first piece as descripción and the
        # rest in the line's detallesAdicionales (``_l10n_ec_sri_line_description``); codes and unit longer
        # than the SRI accepts are refused at posting (``_l10n_ec_sri_check_texts``).
        pieces = self._l10n_ec_sri_line_description(line)
        values = {
            "description": pieces[0]["value"] if pieces else "",
            "main_code": self._l10n_ec_sri_main_code(product) if product else None,
            "aux_code": (product.barcode or "").strip() or None,
            "unit": _text(line.product_uom_id.name) or None,
            "quantity": quantity,
            "unit_price": unit_price,
            "discount": discount.quantize(CENT),
            "subtotal": subtotal,
            "taxes": self._l10n_ec_sri_line_taxes(line),
        }
        if len(pieces) > 1:
            values["extra"] = pieces[1:]
        return values

    @staticmethod
    def _l10n_ec_sri_line_label(line):
        return _text(line.name or line.product_id.display_name)

    def _l10n_ec_sri_line_description(self, line):
        """The line's label whole, as [{name, value}] pieces of 300 characters: the first is the descripción,
        the others its detAdicional "Descripción (continuación …)". More than 1 + 3 pieces is refused at posting."""
        return _named_pieces(DESCRIPTION_NAME, self._l10n_ec_sri_line_label(line))

    @staticmethod
    def _l10n_ec_sri_main_code(product):
        return (product.default_code or "").strip() or str(product.id)

    def _l10n_ec_sri_payments(self):
        method = self.l10n_ec_sri_payment_id.code or "01"
        payment = {"method": method, "total": _dec(self.amount_total)}
        if self.invoice_date_due and self.invoice_date and self.invoice_date_due > self.invoice_date:
            payment["term"] = Decimal((self.invoice_date_due - self.invoice_date).days)
            payment["time_unit"] = "dias"
        return [payment]

    def _l10n_ec_sri_additional_info(self):
        """infoAdicional: each value whole, in as many campoAdicional of 300 characters as it needs
        (``_named_pieces``). The address is also the buyer's dirección (≤ 300): a longer one is refused at
        posting, as are more than 15 fields (``_l10n_ec_sri_check_texts``)."""
        partner = self.commercial_partner_id
        info = []
        address = self._l10n_ec_sri_partner_address(partner)
        if address:
            info.extend(_named_pieces("Dirección", address))
        phone = partner.phone or partner.mobile
        if phone:
            info.extend(_named_pieces("Teléfono", _text(phone)))
        email = _text(self.partner_id.email or partner.email)
        if email:
            info.extend(_named_pieces("Email", email))
        if self.ref and self.move_type == "out_invoice":
            info.extend(_named_pieces("Referencia", _text(self.ref)))
        return info

    def _l10n_ec_sri_credit_reason(self):
        return _text(self.ref or "Devolución")

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
            "emission_date": self._l10n_ec_sri_emission_date(),
            "additional_info": self._l10n_ec_sri_additional_info(),
        }
        data["supplier" if doc_type == "liquidacion_compra" else "buyer"] = self._l10n_ec_sri_buyer()
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
        if doc_type == "liquidacion_compra":
            data.update({
                "lines": [self._l10n_ec_sri_line(line) for line in lines],
                "payments": self._l10n_ec_sri_payments(),
            })
            if self.l10n_ec_sri_reimbursement_ids:
                data["reimbursements"] = self._l10n_ec_sri_reimbursements()
        if doc_type == "factura":
            data.update({
                "lines": [self._l10n_ec_sri_line(line) for line in lines],
                "payments": self._l10n_ec_sri_payments(),
            })
        elif doc_type == "nota_credito":
            data.update({
                "reason": self._l10n_ec_sri_credit_reason(),
                "lines": [self._l10n_ec_sri_line(line) for line in lines],
            })
        elif doc_type == "nota_debito":
            data.update({
                "reasons": [
                    {"reason": self._l10n_ec_sri_line_label(line),
                     "amount": _dec(line.price_subtotal)}
                    for line in lines
                ],
                "taxes": self._l10n_ec_sri_tax_summary(),
                "payments": self._l10n_ec_sri_payments(),
            })
        return data

    def _l10n_ec_sri_tax_summary(self):
        """The IVA of the product lines summed per (code, rate code): core ``Tax`` dicts with their bases."""
        taxes = {}
        for line in self._l10n_ec_sri_product_lines():
            for tax in self._l10n_ec_sri_line_taxes(line):
                key = (tax["code"], tax["rate_code"])
                if key in taxes:
                    taxes[key]["base"] += tax["base"]
                else:
                    taxes[key] = dict(tax)
        return list(taxes.values())

    def _l10n_ec_sri_reimbursements(self):
        """reembolsos of a liquidación de compra, one per reimbursed document (its IVA rates summed)."""
        result = []
        for line in self.l10n_ec_sri_reimbursement_ids:
            partner = line.partner_id.commercial_partner_id
            tax = line.tax_id
            result.append({
                "supplier_id_type": ID_TYPES.get(partner._l10n_ec_get_identification_type(), ""),
                "supplier_identification": (partner.vat or "").strip(),
                "supplier_kind": "02" if partner.is_company else "01",
                "country": "593" if (partner.country_id.code or "EC") == "EC" else None,
                "doc_type": line.document_type_id.code or "01",
                "doc_number": (line.number or "").strip(),
                "doc_date": line.date,
                "authorization": (line.authorization or "").strip(),
                "taxes": [{"code": "2", "rate_code": VAT_CODES.get(tax.tax_group_id.l10n_ec_type, ""),
                           "rate": _dec(tax.amount), "base": _dec(line.base), "amount": _dec(line.amount)}],
            })
        return result

    def _l10n_ec_sri_final_consumer_limit(self):
        return Decimal(repr(self.company_id.l10n_ec_sri_final_consumer_limit or 0.0)).quantize(CENT)

    # ------------------------------------------------------------------
    # Odoo-side checks (the core checks the rest)
    # ------------------------------------------------------------------
    def _l10n_ec_sri_check_move(self):
        """Translated problems the user must fix before this move can be posted."""
        self.ensure_one()
        errors = self._l10n_ec_sri_configuration_problems()
        partner = self.commercial_partner_id
        id_type = self._l10n_ec_sri_buyer_id_type()
        liquidation = self._l10n_ec_sri_is_liquidation()
        if liquidation:
            if not (partner.vat or "").strip():
                errors.append(_("The supplier %s has no identification number (cédula, passport or foreign ID).",
                                partner.display_name))
            elif id_type == "04":
                errors.append(_(
                    "%s has a RUC: a supplier with RUC issues its own invoice, so no liquidación de compra can be "
                    "issued to it. Record its invoice as a vendor bill on another purchase journal.",
                    partner.display_name))
            elif id_type not in ("05", "06", "08"):
                errors.append(_("A liquidación de compra is issued to a supplier identified by cédula, passport or "
                                "foreign ID; %s has none of them.", partner.display_name))
        elif not (partner.vat or "").strip():
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
                    tax=tax.display_name, line=_short(line.name)))
            if not taxes - unknown:
                errors.append(_("The line \"%s\" has no IVA tax: SRI needs one on every line (use VAT 0%% "
                                "or exempt when no IVA applies).", _short(line.name)))
            if line.quantity < 0 or line.price_subtotal < 0:
                errors.append(_("The line \"%s\" has a negative quantity or amount: SRI documents "
                                "only accept positive lines.", _short(line.name)))
        doc_type = self._l10n_ec_sri_document_type()
        if doc_type in ("nota_credito", "nota_debito"):
            origin = self._l10n_ec_sri_origin()
            if not origin:
                errors.append(_("A credit or debit note must come from the invoice it modifies "
                                "(use Credit Note / Debit Note on the invoice)."))
            elif not origin.l10n_latam_document_number:
                errors.append(_("The modified document %s has no document number.", origin.display_name))
            else:
                errors.extend(self._l10n_ec_sri_check_origin(origin, doc_type))
        errors.extend(self._l10n_ec_sri_check_texts(doc_type))
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

    def _l10n_ec_sri_check_origin(self, origin, doc_type):
        """A nota de crédito / débito modifies an authorized comprobante (the SRI's rule); a nota de crédito
        may not exceed what is left of its invoice (totals with IVA, in the invoice's currency, in cents)."""
        errors = []
        note = _("credit note") if doc_type == "nota_credito" else _("debit note")
        state = origin.l10n_ec_sri_state
        if state != "authorized":
            hints = {
                "to_send": _("It is still waiting to be sent: send it (Send to SRI) and post this note once the "
                             "SRI has authorized it."),
                "retry": _("The SRI has not answered yet: post this note once the SRI has authorized it."),
                "received": _("The SRI received it but has not authorized it yet: post this note once it has."),
                "returned": _("The SRI returned it without registering it: reset it to draft, fix it and post "
                              "it again (or cancel it) instead of issuing a note."),
                "not_authorized": _("The SRI did NOT AUTHORIZE it, so there is nothing to modify at the SRI: "
                                    "cancel it, and issue a new invoice if needed."),
                "annulled": _("It was annulled at the SRI: it cannot be modified any more."),
            }
            state_label = dict(origin._fields["l10n_ec_sri_state"]._description_selection(self.env)).get(state)
            errors.append(_(
                "This %(note)s modifies %(origin)s, which is not authorized by the SRI (SRI state: %(state)s); the "
                "SRI only accepts notes that modify an authorized document. %(hint)s",
                note=note, origin=origin.display_name, state=state_label or _("not issued to the SRI"),
                hint=hints.get(state) or _("Only an invoice issued and authorized through the SRI can be "
                                           "modified.")))
        if doc_type == "nota_credito":
            errors.extend(self._l10n_ec_sri_check_credited(origin))
        return errors

    def _l10n_ec_sri_check_credited(self, origin):
        """What the posted credit notes of ``origin`` (and those being posted with this one) leave to credit."""
        currency = origin.currency_id

        def amount(move):
            value = move.amount_total
            if move.currency_id != currency:
                value = move.currency_id._convert(value, currency, move.company_id,
                                                  move.invoice_date or move.date or fields.Date.context_today(move))
            return _dec(value)

        Move = self.env["account.move"].sudo()
        others = Move.search([
            ("reversed_entry_id", "=", origin.id), ("move_type", "=", "out_refund"), ("state", "=", "posted"),
            ("id", "!=", self.id),
        ])
        # credit notes of the same invoice posted in the same call count too (one batch, one check)
        together = Move.browse(self.env.context.get("l10n_ec_sri_posting_ids") or ()).filtered(
            lambda m: m.id != self.id and m.state == "draft" and m.move_type == "out_refund"
            and m.reversed_entry_id == origin)
        total = _dec(origin.amount_total)
        credited = sum((amount(move) for move in others | together), Decimal(0))
        this = amount(self)
        left = max(total - credited, Decimal(0))
        if this > left:
            return [_(
                "This credit note (%(amount)s) exceeds what is left to credit on %(invoice)s: the invoice totals "
                "%(total)s, %(credited)s is already credited by its other credit notes%(together)s, so %(left)s "
                "is left.",
                amount=currency.format(float(this)), invoice=origin.display_name,
                total=currency.format(float(total)), credited=currency.format(float(credited)),
                together=_(" (including %s posted together with this one)", ", ".join(
                    together.mapped(lambda m: m._l10n_ec_sri_label()))) if together else "",
                left=currency.format(float(left)))]
        return []

    def _l10n_ec_sri_check_texts(self, doc_type):
        """Texts longer than the SRI accepts where the document has no place for the rest: refused, never cut
        (the labels of factura and nota de crédito lines and the infoAdicional values are split instead)."""
        errors = []

        def too_long(field, length, limit):
            return _("%(field)s is %(length)s characters long; the SRI accepts at most %(limit)s. Shorten it.",
                     field=field, length=length, limit=limit)

        partner = self.commercial_partner_id
        address = self._l10n_ec_sri_partner_address(partner) or ""
        if len(address) > TEXT_MAX:  # also the buyer's dirección, which has no continuation
            errors.append(too_long(
                _("The address of the customer %s (Street, Street 2, City, State)", partner.display_name),
                len(address), TEXT_MAX))
        email = (self.partner_id.email or partner.email or "").split(",")[0].strip()
        if len(email) > EMAIL_MAX:
            errors.append(too_long(
                _("The first email address of the customer %s", self.partner_id.display_name),
                len(email), EMAIL_MAX))
        if doc_type == "nota_credito":
            reason = self._l10n_ec_sri_credit_reason()
            if len(reason) > TEXT_MAX:
                errors.append(too_long(
                    _("The Customer Reference of this credit note (its reason, motivo, for the SRI)"),
                    len(reason), TEXT_MAX))
        seen_products = set()
        for line in self._l10n_ec_sri_product_lines():
            label = self._l10n_ec_sri_line_label(line)
            if doc_type == "nota_debito":  # a razón has no detallesAdicionales to continue in
                if len(label) > TEXT_MAX:
                    errors.append(too_long(
                        _("The Label of line \"%s\" (a reason, razón, of the debit note)", _short(label)),
                        len(label), TEXT_MAX))
                continue
            if len(self._l10n_ec_sri_line_description(line)) > 1 + LINE_EXTRAS_MAX:
                errors.append(_(
                    "The Label of line \"%(line)s\" is %(length)s characters long; the SRI document holds at most "
                    "about %(limit)s per line (a description of %(size)s characters and %(extras)s additional "
                    "details of %(size)s, cut between words). Shorten it.",
                    line=_short(label), length=len(label), limit=(1 + LINE_EXTRAS_MAX) * TEXT_MAX, size=TEXT_MAX,
                    extras=LINE_EXTRAS_MAX))
            product = line.product_id
            if product and product not in seen_products:
                seen_products.add(product)
                code = self._l10n_ec_sri_main_code(product)
                if len(code) > CODE_MAX:
                    errors.append(too_long(
                        _("The Internal Reference of product %s", product.display_name), len(code), CODE_MAX))
                barcode = (product.barcode or "").strip()
                if len(barcode) > CODE_MAX:
                    errors.append(too_long(
                        _("The Barcode of product %s", product.display_name), len(barcode), CODE_MAX))
            unit = _text(line.product_uom_id.name)
            if len(unit) > UNIT_MAX:
                errors.append(too_long(
                    _("The name of the unit of measure %(unit)s (line \"%(line)s\")", unit=_short(unit),
                      line=_short(label)),
                    len(unit), UNIT_MAX))
        info = self._l10n_ec_sri_additional_info()
        if len(info) > INFO_MAX:
            errors.append(_(
                "The additional information of this document (address, phone, email, Customer Reference) needs "
                "%(count)s fields of %(size)s characters; the SRI accepts at most %(limit)s. Shorten the Customer "
                "Reference.", count=len(info), size=TEXT_MAX, limit=INFO_MAX))
        return errors

    def _l10n_ec_sri_check_before_issue(self, prebuilt=None):
        # the credit notes posted in one call are counted together against their invoice
        # (``_l10n_ec_sri_check_credited``)
        moves = self.with_context(l10n_ec_sri_posting_ids=tuple(self.ids))
        return super(AccountMove, moves)._l10n_ec_sri_check_before_issue(prebuilt)
