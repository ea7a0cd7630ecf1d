# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The moves made of received SRI documents (``l10n_ec_sri.received``).

- factura (01) → draft vendor bill (``in_invoice``, document type 01);
- nota de crédito (04) → draft vendor credit note (``in_refund``, type 04), reversing the supplier's bill it
  modifies when the company has it (same supplier, its number);
- nota de débito (05) → draft vendor bill of document type 05, debiting that bill when found;
- comprobante de retención (07) of a customer → a posted withholding entry on the company's journal of
  withholdings received, reconciled with our posted invoices it withholds.

Bills are left in draft: the accountant checks them (accounts, sustento, withholdings) and posts them.

Taxes. Each IVA of a line becomes the company's PURCHASE tax of the tax group of that rate (l10n_ec
``l10n_ec_type`` from the SRI codigoPorcentaje, the base module's ``VAT_CODES`` read backwards). Among those,
active taxes first, then the sustento of the l10n_ec chart's xml id (``..._sup_01``) in the order of
``SUPPORT_PREFERENCE`` (a purchase with IVA gives tax credit, 01; a 0 % one is a cost, 02), then the lowest
form 104 code (``l10n_ec_code_base``) and sequence. The accountant changes the taxes of the draft when the
purchase is a fixed asset, inventory or gives no credit. No tax for a rate: the document is refused, naming it.
ICE (3) and IRBPNR (5) need a purchase tax of their group whose form 104 code is the document's
codigoPorcentaje.

Totals. Odoo rounds the supplier's unit prices and discounts to the database's precisions and its taxes per
line; the supplier's program may not. The bill is created as Odoo computes it: when its total differs from the
document's by more than one cent, the draft is still created and a note on it (and on the received record)
gives both totals, for the accountant to fix the draft before posting it.
"""
import dataclasses
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import is_flow
from odoo.addons.l10n_ec_sri.models.sri_adapter import VAT_CODES
from odoo.addons.l10n_ec_sri.sri import received as sri_received

from .account_move import _SUPPORT_IN_XMLID

#: SRI codigoPorcentaje of IVA -> l10n_ec tax group type
VAT_GROUPS = {code: group_type for group_type, code in VAT_CODES.items()}
#: SRI tax code (other than IVA) -> l10n_ec tax group type
OTHER_TAX_GROUPS = {"3": "ice", "5": "irbpnr"}
#: Sustentos preferred for a purchase tax, best first (tax credit before cost; assets, inventory later).
SUPPORT_PREFERENCE = ("01", "02", "06", "03", "07", "04", "05", "15", "08", "09")
#: Received document code -> (move type, l10n_latam internal type of its document type)
MOVE_TYPES = {"01": ("in_invoice", "invoice"), "04": ("in_refund", "credit_note"), "05": ("in_invoice", "debit_note")}
#: Withholding code of a retención -> (tax_type of the withholding line, l10n_ec tax group type of the SALE tax)
WITHHOLD_GROUPS = {"1": ("profit", "withhold_income_sale"), "2": ("vat", "withhold_vat_sale")}
#: Documents a retención received may withhold: our invoices (01) and debit notes (05), both out_invoice.
WITHHELD_TYPES = ("01", "05")
#: The largest difference accepted silently between the bill's total and the document's.
TOTAL_TOLERANCE = 0.01


def _number(value):
    """A Decimal of the document for a message: ``1.75``, ``30`` (not ``30.00`` nor ``3E+1``)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class AccountMove(models.Model):
    _inherit = "account.move"

    l10n_ec_sri_received_id = fields.Many2one(
        "l10n_ec_sri.received", string="Received SRI document", readonly=True, copy=False, index="btree_not_null",
        help="The supplier's (or customer's) authorized document this move was imported from.")

    @api.model_create_multi
    def create(self, vals_list):
        if not is_flow(self.env) and any(vals.get("l10n_ec_sri_received_id") for vals in vals_list):
            self.env["l10n_ec_sri.received"]._l10n_ec_sri_refuse()
        return super().create(vals_list)

    def write(self, vals):
        if "l10n_ec_sri_received_id" in vals and not is_flow(self.env):
            self.env["l10n_ec_sri.received"]._l10n_ec_sri_refuse()
        return super().write(vals)

    def action_l10n_ec_sri_open_received(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "l10n_ec_sri.received",
            "res_id": self.l10n_ec_sri_received_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Factura, nota de crédito, nota de débito -> draft vendor document
    # ------------------------------------------------------------------
    @api.model
    def _l10n_ec_sri_received_bill_vals(self, company, doc, partner):
        """The values of the draft vendor bill / credit note / debit note of ``doc`` (UserError when it cannot
        be made: no journal, a tax without counterpart, ...)."""
        move_type, internal_type = MOVE_TYPES[doc.code]
        journal = self._l10n_ec_sri_received_journal(company)
        doc_type = self._l10n_ec_sri_received_document_type(doc.code, internal_type)
        taxes = {}  # (code, rate_code): account.tax, for this document
        vals = {
            "move_type": move_type,
            "company_id": company.id,
            "journal_id": journal.id,
            "partner_id": partner.id,
            "invoice_date": doc.emission_date,
            "l10n_latam_document_type_id": doc_type.id,
            # the name l10n_latam would write from the document number (one write per move less)
            "name": f"{doc_type.doc_code_prefix} {doc.number}" if doc_type.doc_code_prefix else doc.number,
            "ref": f"{doc.number} - {doc.reason}" if doc.reason else doc.number,
            "l10n_ec_sri_supplier_authorization": doc.authorization_number or doc.access_key,
            "invoice_line_ids": [fields.Command.create(self._l10n_ec_sri_received_line(company, line, taxes, journal))
                                 for line in self._l10n_ec_sri_received_lines(doc)],
        }
        origin = self._l10n_ec_sri_received_origin(company, doc, partner)
        if origin and doc.code == "04":
            vals["reversed_entry_id"] = origin.id
        elif origin and doc.code == "05":
            vals["debit_origin_id"] = origin.id
        return vals

    @api.model
    def _l10n_ec_sri_received_journal(self, company):
        """The company's first purchase journal using documents (not a liquidación de compra journal)."""
        journal = self.env["account.journal"].search([
            ("company_id", "=", company.id),
            ("type", "=", "purchase"),
            ("l10n_latam_use_documents", "=", True),
            ("l10n_ec_sri_liquidation", "=", False),
        ], order="sequence, id", limit=1)
        if not journal:
            raise UserError(_(
                "%s has no purchase journal using documents to record the suppliers' documents: create one "
                "(Accounting > Configuration > Journals, type Purchase, \"Use Documents\" checked).",
                company.display_name))
        return journal

    @api.model
    def _l10n_ec_sri_received_document_type(self, code, internal_type):
        doc_type = self.env["l10n_latam.document.type"].search([
            ("code", "=", code), ("country_id.code", "=", "EC"), ("internal_type", "=", internal_type)], limit=1)
        if not doc_type:
            raise UserError(_("The Ecuadorian document type %s is missing (l10n_ec data): update the module "
                              "l10n_ec.", code))
        return doc_type

    @api.model
    def _l10n_ec_sri_received_origin(self, company, doc, partner):
        """The supplier's bill a nota de crédito / débito modifies (same supplier, the number it names), posted
        ones first, or an empty recordset."""
        if doc.code not in ("04", "05") or not doc.modified_doc_number:
            return self.browse()
        bills = self._l10n_ec_sri_received_by_number(company, "in_invoice", doc.modified_doc_number).filtered(
            lambda m: m.commercial_partner_id == partner)
        return (bills.filtered(lambda m: m.state == "posted") or bills)[:1]

    @api.model
    def _l10n_ec_sri_received_by_number(self, company, move_type, number):
        """The moves of ``company`` of ``move_type`` whose document number is ``number`` (not cancelled).
        ``l10n_latam_document_number`` is not stored: it is the end of the move's name (``Fact 001-001-...``)."""
        moves = self.search([("company_id", "=", company.id), ("move_type", "=", move_type),
                             ("name", "like", number), ("state", "!=", "cancel")], order="id")
        return moves.filtered(lambda m: m.l10n_latam_document_number == number)

    @api.model
    def _l10n_ec_sri_received_lines(self, doc):
        """The ``ReceivedLine`` of the document, each with its taxes. A nota de débito's motivos carry no taxes:
        with one rate per tax they all take the document's; with several IVA rates (which motivo bears which
        is not written), one line per rate, the motivos joined, the rate's base as its price."""
        if doc.code != "05" or any(line.taxes for line in doc.lines):
            return doc.lines
        codes = [tax.code for tax in doc.tax_totals]
        if len(codes) == len(set(codes)):
            return [dataclasses.replace(line, taxes=list(doc.tax_totals)) for line in doc.lines]
        reasons = "; ".join(line.description for line in doc.lines if line.description)
        return [sri_received.ReceivedLine(
            main_code=None, aux_code=None, description=reasons, quantity=Decimal("1"), unit_price=tax.base,
            discount=Decimal("0"), subtotal=tax.base, taxes=[tax]) for tax in doc.tax_totals if tax.code == "2"]

    @api.model
    def _l10n_ec_sri_received_line(self, company, line, taxes, journal=None):
        """The invoice line values of a ``ReceivedLine``; its account the product's expense account, else the
        journal's default (given: Odoo would otherwise look up the partner's most used account per line)."""
        product = self._l10n_ec_sri_received_product(company, line)
        quantity, price = float(line.quantity or 0), float(line.unit_price or 0)
        gross = quantity * price
        discount = float(line.discount or 0) / gross * 100 if line.discount and gross else 0.0
        name = line.description or ""
        if line.main_code and not product:
            name = f"[{line.main_code}] {name}"
        line_taxes = self.env["account.tax"]
        for tax in line.taxes:
            line_taxes |= self._l10n_ec_sri_received_tax(company, tax, taxes)
        vals = {
            "name": name,
            "quantity": quantity,
            "price_unit": price,
            "discount": discount,
            "tax_ids": [fields.Command.set(line_taxes.ids)],
        }
        if product:
            vals["product_id"] = product.id
        account = (product.product_tmpl_id.with_company(company)._get_product_accounts()["expense"] if product
                   else False) or (journal.default_account_id if journal else False)
        if account:
            vals["account_id"] = account.id
        return vals

    @api.model
    def _l10n_ec_sri_received_product(self, company, line):
        """The product whose internal reference or barcode is the supplier's code (main, then auxiliary)."""
        Product = self.env["product.product"]
        for code in (line.main_code, line.aux_code):
            code = (code or "").strip()
            if not code:
                continue
            product = Product.search([*Product._check_company_domain(company), "|", ("default_code", "=", code),
                                      ("barcode", "=", code)], limit=1)
            if product:
                return product
        return Product

    @api.model
    def _l10n_ec_sri_received_tax(self, company, tax, cache):
        """The company's purchase tax for a ``ReceivedTax`` (see the module docstring), or a UserError."""
        key = (tax.code, tax.rate_code)
        if key not in cache:
            cache[key] = self._l10n_ec_sri_received_find_tax(company, tax)
        return cache[key]

    @api.model
    def _l10n_ec_sri_received_find_tax(self, company, tax):
        Tax = self.env["account.tax"].with_context(active_test=False)
        domain = [*Tax._check_company_domain(company), ("type_tax_use", "=", "purchase")]
        if tax.code == "2":
            group_type = VAT_GROUPS.get(tax.rate_code)
            domain += [("tax_group_id.l10n_ec_type", "=", group_type), ("amount_type", "=", "percent")]
        elif tax.code in OTHER_TAX_GROUPS:
            group_type = OTHER_TAX_GROUPS[tax.code]
            domain += [("tax_group_id.l10n_ec_type", "=", group_type), ("l10n_ec_code_base", "=", tax.rate_code)]
        else:
            group_type = None
        candidates = Tax.search(domain) if group_type else Tax
        if tax.code == "2" and tax.rate is not None:
            candidates = candidates.filtered(lambda t: float_compare(t.amount, float(tax.rate), 2) == 0)
        if not candidates:
            raise UserError(self._l10n_ec_sri_received_tax_missing(company, tax))
        xmlids = candidates.get_external_id()

        def rank(candidate):
            found = _SUPPORT_IN_XMLID.search(xmlids.get(candidate.id) or "")
            support = found.group(1) if found else None
            order = SUPPORT_PREFERENCE.index(support) if support in SUPPORT_PREFERENCE else len(SUPPORT_PREFERENCE)
            return (not candidate.active, order, candidate.l10n_ec_code_base or "999", candidate.sequence,
                    candidate.id)

        return candidates.sorted(rank)[:1].with_context(active_test=True)

    @api.model
    def _l10n_ec_sri_received_tax_missing(self, company, tax):
        names = {"2": _("IVA"), "3": _("ICE"), "5": _("IRBPNR")}
        rate = ("%s %%" % _number(tax.rate)) if tax.rate is not None else _("code %s", tax.rate_code)
        return _(
            "%(company)s has no purchase tax for %(tax)s %(rate)s (SRI tax code %(code)s, codigoPorcentaje "
            "%(rate_code)s): create one in the tax group of that rate (Accounting > Configuration > Taxes) and "
            "import the document again.", company=company.display_name, tax=names.get(tax.code, tax.code),
            rate=rate, code=tax.code, rate_code=tax.rate_code)

    def _l10n_ec_sri_received_check_total(self, doc):
        """A note (also posted on the draft) when its total differs from the document's by more than a cent."""
        self.ensure_one()
        expected = float(doc.total or 0)
        difference = abs(self.amount_total) - expected
        if float_compare(abs(difference), TOTAL_TOLERANCE, precision_digits=2) <= 0:
            return False
        currency = self.currency_id
        note = _(
            "The total of this draft (%(odoo)s) differs from the total of the supplier's document (%(sri)s) by "
            "%(difference)s: Odoo rounds unit prices, discounts and taxes differently. Check the lines and the "
            "taxes against the document before posting.", odoo=currency.format(abs(self.amount_total)),
            sri=currency.format(expected), difference=currency.format(difference))
        self._message_log(body=note)
        return note

    # ------------------------------------------------------------------
    # Comprobante de retención of a customer -> posted withholding entry
    # ------------------------------------------------------------------
    @api.model
    def _l10n_ec_sri_received_withhold(self, company, doc):
        """The withholding entry of a retención received from a customer (posted, reconciled with our invoices)."""
        journal = self.env["account.journal"].search([
            ("company_id", "=", company.id), ("l10n_ec_sri_withhold_type", "=", "received")], limit=1)
        if not journal:
            raise UserError(_(
                "%s has no journal for the withholdings received from customers: create a Miscellaneous journal "
                "with \"SRI withholdings\" set to \"Withholdings received from customers\".", company.display_name))
        if not doc.support_documents:
            raise UserError(_("The retención %s withholds no document.", doc.number))
        lines, partner = [], self.env["res.partner"]
        for support in doc.support_documents:
            invoice = self._l10n_ec_sri_received_withheld_invoice(company, doc, support)
            partner = partner or invoice.commercial_partner_id
            for withholding in support.withholdings:
                lines.append(self._l10n_ec_sri_received_withhold_line(company, doc, invoice, withholding))
        if not lines:
            raise UserError(_("The retención %s has no withholdings.", doc.number))
        return self._l10n_ec_sri_withhold_create(
            journal, partner, doc.emission_date, lines, number=doc.number,
            ref=_("Retención %(number)s of %(customer)s", number=doc.number, customer=doc.issuer_name))

    @api.model
    def _l10n_ec_sri_received_withheld_invoice(self, company, doc, support):
        """Our posted customer invoice a retención withholds (its number, issued to the retención's issuer)."""
        number = support.doc_number or ""
        if support.doc_type and support.doc_type.zfill(2) not in WITHHELD_TYPES:
            raise UserError(_(
                "The retención %(number)s withholds a document of type %(type)s (%(document)s): only invoices and "
                "debit notes are withheld.", number=doc.number, type=support.doc_type, document=number))
        invoices = self._l10n_ec_sri_received_by_number(company, "out_invoice", number)
        mine = invoices.filtered(lambda m: (m.commercial_partner_id.vat or "").strip() == doc.issuer_ruc)
        if not mine:
            others = ", ".join(invoices.commercial_partner_id.mapped("display_name"))
            raise UserError(_(
                "The retención %(number)s of %(customer)s (RUC %(ruc)s) withholds the invoice %(invoice)s, but "
                "%(company)s has no invoice %(invoice)s issued to that customer%(others)s. Check the document, or "
                "the customer's identification on the invoice.", number=doc.number, customer=doc.issuer_name,
                ruc=doc.issuer_ruc, invoice=number, company=company.display_name,
                others=_(" (it is issued to %s)", others) if others else ""))
        posted = mine.filtered(lambda m: m.state == "posted")
        if not posted:
            raise UserError(_(
                "The retención %(number)s withholds the invoice %(invoice)s, which is not posted: post the invoice, "
                "then import its retención.", number=doc.number, invoice=number))
        return posted[:1]

    @api.model
    def _l10n_ec_sri_received_withhold_line(self, company, doc, invoice, withholding):
        """The ``_l10n_ec_sri_withhold_create`` line of one withholding: the company's SALE withholding tax of
        its kind (renta or IVA) whose amount is minus the percentage withheld."""
        kind = WITHHOLD_GROUPS.get(withholding.code)
        if not kind:
            raise UserError(_(
                "The retención %(number)s withholds a tax of code %(code)s (6 is ISD) on %(invoice)s: only renta "
                "(1) and IVA (2) withholdings are imported; record this one by hand.", number=doc.number,
                code=withholding.code, invoice=invoice.l10n_latam_document_number))
        tax_type, group_type = kind
        percentage = float(withholding.percentage or 0)
        Tax = self.env["account.tax"]
        taxes = Tax.search([*Tax._check_company_domain(company), ("tax_group_id.l10n_ec_type", "=", group_type)],
                           order="sequence, id").filtered(
            lambda t: float_is_zero(t.amount + percentage, precision_digits=4))
        if not taxes:
            label = _("income tax (renta)") if tax_type == "profit" else _("VAT (IVA)")
            raise UserError(_(
                "%(company)s has no sale withholding tax of %(kind)s at %(percentage)s %% (code %(code)s, withheld "
                "by the retención %(number)s): create one (Accounting > Configuration > Taxes, amount "
                "-%(percentage)s) and import the document again.", company=company.display_name, kind=label,
                percentage=_number(withholding.percentage), code=withholding.withholding_code, number=doc.number))
        return {
            "bill": invoice,
            "tax": taxes[0],
            "tax_type": tax_type,
            "base": float(withholding.base or 0),
            "amount": float(withholding.amount or 0),
            "code": withholding.withholding_code,
        }
