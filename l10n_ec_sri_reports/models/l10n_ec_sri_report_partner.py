# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Advanced: sales and purchases per customer / supplier (bases by IVA rate, IVA, withheld), for the plans that
allow advanced reports."""
from odoo import fields, models
from odoo.tools import SQL

from .l10n_ec_sri_report import IVA_TYPES, tax_rows_sql
from .l10n_ec_sri_report_tax import DIRECTIONS


class L10nEcSriReportPartner(models.Model):
    _name = "l10n_ec_sri.report.partner"
    _inherit = ["l10n_ec_sri.report.advanced"]
    _description = "Sales and purchases per customer / supplier"
    _auto = False
    _order = "date desc, id desc"

    move_id = fields.Many2one("account.move", string="Document", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer / supplier", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    date = fields.Date(string="Date", readonly=True)
    direction = fields.Selection(DIRECTIONS, string="Sales / purchases", readonly=True)
    iva = fields.Selection(IVA_TYPES, string="IVA rate", readonly=True)
    base = fields.Float(string="Base", readonly=True, digits="Account")
    tax = fields.Float(string="IVA", readonly=True, digits="Account")
    withheld = fields.Float(string="Withheld", readonly=True, digits="Account",
                            help="Withheld by us (purchases) or by the customer (sales) on these documents.")

    def _l10n_ec_sri_view_sql(self):
        # ids: even/odd for the IVA rows (as the tax report), negative for the withholding rows
        return SQL("""
            SELECT id, move_id, partner_id, company_id, date, direction, iva, base, tax, 0.0 AS withheld
              FROM (%s) rows
            UNION ALL
            SELECT -line.id, line.bill_id, bill.commercial_partner_id, bill.company_id,
                   COALESCE(bill.invoice_date, bill.date),
                   CASE WHEN withhold.l10n_ec_sri_withhold_type = 'issued' THEN 'purchase' ELSE 'sale' END,
                   NULL, 0.0, 0.0, line.amount
              FROM l10n_ec_sri_withhold_line line
              JOIN account_move withhold ON withhold.id = line.withhold_id
              JOIN account_move bill ON bill.id = line.bill_id
             WHERE withhold.state = 'posted' AND bill.state = 'posted'
        """, tax_rows_sql())
