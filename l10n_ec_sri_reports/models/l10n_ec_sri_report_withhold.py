# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Withholdings issued (to suppliers) and received (from customers) by SRI code: the lines of the posted
comprobantes de retención."""
from odoo import fields, models
from odoo.tools import SQL

from .l10n_ec_sri_report import form_action


class L10nEcSriReportWithhold(models.Model):
    _name = "l10n_ec_sri.report.withhold"
    _inherit = ["l10n_ec_sri.report"]
    _description = "Withholdings by code"
    _auto = False
    _order = "date desc, id desc"

    withhold_id = fields.Many2one("account.move", string="Withholding", readonly=True)
    bill_id = fields.Many2one("account.move", string="Withheld document", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    date = fields.Date(string="Date", readonly=True)
    direction = fields.Selection([("issued", "Issued"), ("received", "Received")], string="Issued / received",
                                 readonly=True)
    tax_type = fields.Selection([("profit", "Income tax (renta)"), ("vat", "VAT (IVA)")], string="Tax",
                                readonly=True)
    code = fields.Char(string="SRI code", readonly=True)
    tax_id = fields.Many2one("account.tax", string="Withholding tax", readonly=True)
    percentage = fields.Float(string="Percentage", readonly=True, aggregator=None)
    base = fields.Float(string="Base", readonly=True, digits="Account")
    amount = fields.Float(string="Withheld", readonly=True, digits="Account")

    def _l10n_ec_sri_view_sql(self):
        return SQL("""
            SELECT line.id, line.withhold_id, line.bill_id, move.company_id, move.date,
                   move.l10n_ec_sri_withhold_type AS direction, line.tax_type, line.code, line.tax_id,
                   line.percentage, line.base, line.amount
              FROM l10n_ec_sri_withhold_line line
              JOIN account_move move ON move.id = line.withhold_id
             WHERE move.state = 'posted'
        """)

    def action_open_withhold(self):
        self.ensure_one()
        return form_action(self.withhold_id)
