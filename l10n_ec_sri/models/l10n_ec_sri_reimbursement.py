# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reembolsos of a liquidación de compra: the third parties' comprobantes the company reimburses to the
supplier (its ``reembolsos`` block). Part of the document: changed only while it is a draft."""

from odoo import _, api, fields, models


class L10nEcSriReimbursement(models.Model):
    _name = "l10n_ec_sri.reimbursement"
    _inherit = ["l10n_ec_sri.move.part"]
    _description = "Reimbursed document (reembolso)"
    _order = "move_id, id"

    move_id = fields.Many2one("account.move", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="move_id.company_id", store=True)
    currency_id = fields.Many2one(related="move_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Issuer", required=True,
                                 help="Who issued the reimbursed document.")
    document_type_id = fields.Many2one("l10n_latam.document.type", string="Document type", required=True,
                                       domain="[('country_id.code', '=', 'EC')]",
                                       default=lambda self: self.env.ref("l10n_ec.ec_dt_01", raise_if_not_found=False))
    number = fields.Char(required=True, help="001-001-000000123")
    date = fields.Date(required=True)
    authorization = fields.Char(required=True, help="Its access key (49 digits) or authorization (10 digits).")
    tax_id = fields.Many2one("account.tax", string="IVA", required=True,
                             domain="[('company_id', 'parent_of', company_id), ('type_tax_use', '=', 'purchase')]")
    base = fields.Monetary(required=True)
    amount = fields.Monetary(string="IVA amount", compute="_compute_amount", store=True)

    @api.depends("tax_id", "base")
    def _compute_amount(self):
        for line in self:
            line.amount = (line.currency_id or self.env.company.currency_id).round(
                line.base * (line.tax_id.amount or 0.0) / 100)

    def _l10n_ec_sri_part_moves(self):
        return self.move_id

    def _l10n_ec_sri_part_locked_message(self):
        return _("The reimbursed documents of a posted liquidación de compra cannot be changed.")
