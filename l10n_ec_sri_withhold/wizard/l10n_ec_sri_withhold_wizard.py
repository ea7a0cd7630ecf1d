# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The "Withhold" wizard: from one or more posted vendor bills / liquidaciones of one supplier, propose the
withholdings (renta and IVA), let the user edit them, and issue the comprobante de retención.

Proposal rules (decided with the SRI's tables in mind; every tax is one of Odoo's l10n_ec chart):

- renta: the supplier's taxpayer type's tax, else the product's, else the company's default for goods or
  services (a line without product counts as a service); one line per tax and bill, base = the subtotals;
- IVA: the taxpayer type's tax for goods or services, base = the IVA of those lines; a supplier without
  taxpayer type is proposed the "sociedad" withholdings, with a warning to set the type;
- a liquidación de compra (document 03): IVA 100 %;
- a bill paid by credit or debit card (SRI payment 16 / 19): the card issuer withholds, so renta 332G 0 %
  and IVA 0 %.
"""
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador

from ..models.account_move import CARD_PAYMENTS


class L10nEcSriWithholdWizard(models.TransientModel):
    _name = "l10n_ec_sri.withhold.wizard"
    _description = "Issue a comprobante de retención"

    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Supplier", required=True, readonly=True)
    bill_ids = fields.Many2many("account.move", string="Withheld documents", readonly=True)
    journal_id = fields.Many2one(
        "account.journal", string="Withholding journal", required=True,
        domain="[('company_id', '=', company_id), ('l10n_ec_sri_withhold_type', '=', 'issued')]")
    # today in Ecuador (the SRI refuses a retención dated after its own today), whatever the user's time zone
    date = fields.Date(required=True, default=lambda self: today_ecuador())
    line_ids = fields.One2many("l10n_ec_sri.withhold.wizard.line", "wizard_id", string="Withholdings")
    total = fields.Monetary(compute="_compute_total", string="Total withheld")
    warning = fields.Text(readonly=True)

    @api.depends("line_ids.amount")
    def _compute_total(self):
        for wizard in self:
            wizard.total = sum(wizard.line_ids.mapped("amount"))

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        bills = self.env["account.move"].browse(self.env.context.get("active_ids") or [])
        if self.env.context.get("active_model") != "account.move" or not bills:
            return values
        self._check_bills(bills)
        company = bills.company_id
        journal = self.env["account.journal"].search([
            ("company_id", "=", company.id), ("l10n_ec_sri_withhold_type", "=", "issued")], limit=1)
        lines, warnings = self._propose(bills)
        values.update({
            "company_id": company.id,
            "partner_id": bills.commercial_partner_id.id,
            "bill_ids": [fields.Command.set(bills.ids)],
            "journal_id": journal.id,
            "line_ids": [fields.Command.create(vals) for vals in lines],
            "warning": "\n".join(warnings) or False,
        })
        return values

    @api.model
    def _check_bills(self, bills):
        problems = []
        for bill in bills:
            label = bill._l10n_ec_sri_label()
            if bill.move_type != "in_invoice":
                problems.append(_("%s is not a vendor bill or liquidación de compra.", label))
            elif bill.state != "posted":
                problems.append(_("%s is not posted: post it before withholding it.", label))
            elif bill.l10n_ec_sri_withhold_ids.filtered(lambda w: w.state == "posted"):
                problems.append(_("%(bill)s is already withheld by %(withholds)s.", bill=label, withholds=", ".join(
                    bill.l10n_ec_sri_withhold_ids.filtered(lambda w: w.state == "posted").mapped("display_name"))))
        if len(bills.company_id) > 1:
            problems.append(_("The documents belong to several companies: withhold each company's separately."))
        if len(bills.commercial_partner_id) > 1:
            problems.append(_("The documents are from several suppliers (%s): one retención withholds the documents "
                              "of one supplier.", ", ".join(bills.commercial_partner_id.mapped("display_name"))))
        if problems:
            raise UserError("\n".join([_("These documents cannot be withheld:")] + problems))

    # ------------------------------------------------------------------
    # The proposal
    # ------------------------------------------------------------------
    @api.model
    def _propose(self, bills):
        """([wizard line values], [warnings]) for ``bills`` (one supplier, one company)."""
        company = bills.company_id
        bills = bills.with_company(company)
        partner = bills.commercial_partner_id.with_company(company)
        taxpayer_type = partner.l10n_ec_sri_taxpayer_type_id
        warnings = []
        if not taxpayer_type:
            taxpayer_type = self.env["l10n_ec_sri.taxpayer.type"].search(
                [("company_id", "=", company.id), ("code", "=", "sociedad")], limit=1)
            warnings.append(_(
                "The supplier %(partner)s has no taxpayer type: the IVA withholdings proposed are those of "
                "\"%(type)s\". Set its taxpayer type (Contacts > Accounting) so that the next proposal is right.",
                partner=partner.display_name, type=taxpayer_type.name or _("Sociedad")))
        chart = company._l10n_ec_sri_chart_tax
        lines = []
        for bill in bills:
            amounts = defaultdict(float)  # (tax_type, tax) -> base
            card = bill.l10n_ec_sri_payment_id.code in CARD_PAYMENTS
            liquidation = bill.l10n_latam_document_type_id.code == "03"
            for line in bill._l10n_ec_sri_product_lines():
                service = not line.product_id or line.product_id.type == "service"
                if card:
                    profit = chart("tax_withhold_profit_332G")
                else:
                    profit = (taxpayer_type.profit_tax_id or line.product_id.l10n_ec_sri_withhold_tax_id
                              or (company.l10n_ec_sri_withhold_services_tax_id if service
                                  else company.l10n_ec_sri_withhold_goods_tax_id))
                if profit:
                    amounts[("profit", profit)] += line.price_subtotal
                vat = bill._l10n_ec_sri_line_vat(line)
                if vat:
                    if card:
                        vat_tax = chart("tax_withhold_vat_0")
                    elif liquidation:
                        vat_tax = chart("tax_withhold_vat_100")
                    else:
                        vat_tax = taxpayer_type.vat_services_tax_id if service else taxpayer_type.vat_goods_tax_id
                    if vat_tax:
                        amounts[("vat", vat_tax)] += vat
            if card:
                warnings.append(_("%s was paid by card: the card issuer withholds, so renta 332G and IVA 0 %% are "
                                  "proposed.", bill._l10n_ec_sri_label()))
            for (tax_type, tax), base in amounts.items():
                base = company.currency_id.round(base)
                lines.append({"bill_id": bill.id, "tax_type": tax_type, "tax_id": tax.id, "base": base,
                              "amount": company.currency_id.round(base * abs(tax.amount) / 100)})
        return lines, warnings

    # ------------------------------------------------------------------
    # Confirm
    # ------------------------------------------------------------------
    def action_confirm(self):
        self.ensure_one()
        self._check_bills(self.bill_ids)
        currency = self.currency_id
        problems = []
        if not self.line_ids:
            problems.append(_("Add at least one withholding line."))
        for line in self.line_ids:
            if line.bill_id not in self.bill_ids:
                problems.append(_("The line %s withholds a document that is not one of this wizard's.",
                                  line.tax_id.display_name))
            if line.base <= 0:
                problems.append(_("The base of %s must be positive.", line.tax_id.display_name))
            if line.amount < 0 or float_compare(line.amount, line.base, precision_rounding=currency.rounding) > 0:
                problems.append(_("The amount withheld by %(tax)s (%(amount)s) must be between 0 and its base "
                                  "(%(base)s).", tax=line.tax_id.display_name, amount=currency.format(line.amount),
                                  base=currency.format(line.base)))
        if problems:
            raise UserError("\n".join(problems))
        lines = [{"bill": line.bill_id, "tax": line.tax_id, "tax_type": line.tax_type, "base": line.base,
                  "amount": line.amount} for line in self.line_ids]
        withhold = self.env["account.move"]._l10n_ec_sri_withhold_create(
            self.journal_id, self.partner_id, self.date, lines)
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": withhold.id,
            "view_mode": "form",
        }


class L10nEcSriWithholdWizardLine(models.TransientModel):
    _name = "l10n_ec_sri.withhold.wizard.line"
    _description = "Proposed withholding"

    wizard_id = fields.Many2one("l10n_ec_sri.withhold.wizard", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    company_id = fields.Many2one(related="wizard_id.company_id")
    bill_id = fields.Many2one("account.move", string="Document", required=True)
    tax_type = fields.Selection([("profit", "Income tax (renta)"), ("vat", "VAT (IVA)")], string="Tax",
                                required=True, default="profit")
    tax_id = fields.Many2one(
        "account.tax", string="Withholding", required=True,
        domain="[('company_id', 'parent_of', company_id), ('tax_group_id.l10n_ec_type', '=', "
               "tax_type == 'vat' and 'withhold_vat_purchase' or 'withhold_income_purchase')]")
    base = fields.Monetary(required=True)
    amount = fields.Monetary(string="Withheld", compute="_compute_amount", store=True, readonly=False)

    @api.depends("tax_id", "base")
    def _compute_amount(self):
        for line in self:
            line.amount = line.currency_id.round(line.base * abs(line.tax_id.amount) / 100) if line.currency_id \
                else line.base * abs(line.tax_id.amount) / 100
