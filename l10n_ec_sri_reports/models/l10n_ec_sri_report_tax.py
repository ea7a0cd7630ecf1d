# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Sales and purchases by IVA rate (0 %, 5 %, 15 %, no objeto, exento...): bases and IVA of the posted invoices,
credit notes and bills, a credit note subtracting."""
from odoo import fields, models
from odoo.tools import SQL

from .l10n_ec_sri_report import IVA_TYPES, form_action, tax_rows_sql

DIRECTIONS = [("sale", "Sales"), ("purchase", "Purchases")]
MOVE_TYPES = [("out_invoice", "Customer invoice"), ("out_refund", "Customer credit note"),
              ("in_invoice", "Vendor bill"), ("in_refund", "Vendor credit note")]


class L10nEcSriReportTax(models.Model):
    _name = "l10n_ec_sri.report.tax"
    _inherit = ["l10n_ec_sri.report"]
    _description = "Sales and purchases by IVA rate"
    _auto = False
    _order = "date desc, id desc"

    move_id = fields.Many2one("account.move", string="Document", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    journal_id = fields.Many2one("account.journal", string="Journal", readonly=True)
    date = fields.Date(string="Date", readonly=True)
    direction = fields.Selection(DIRECTIONS, string="Sales / purchases", readonly=True)
    move_type = fields.Selection(MOVE_TYPES, string="Type", readonly=True)
    iva = fields.Selection(IVA_TYPES, string="IVA rate", readonly=True)
    base = fields.Float(string="Base", readonly=True, digits="Account")
    tax = fields.Float(string="IVA", readonly=True, digits="Account")

    def _l10n_ec_sri_view_sql(self):
        return SQL("SELECT id, move_id, company_id, journal_id, date, direction, move_type, iva, base, tax FROM (%s) rows",
                   tax_rows_sql())

    def action_open_move(self):
        self.ensure_one()
        return form_action(self.move_id)
