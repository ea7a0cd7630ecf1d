# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Advanced: one period against another (by default this month against the previous one), sales and purchases
by IVA rate side by side with their variation."""
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador

from ..models.l10n_ec_sri_report import IVA_TYPES, check_advanced
from ..models.l10n_ec_sri_report_tax import DIRECTIONS


class L10nEcSriReportCompare(models.TransientModel):
    _name = "l10n_ec_sri.report.compare"
    _description = "SRI report: period against period"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    date_from = fields.Date(string="From", required=True,
                            default=lambda self: today_ecuador().replace(day=1))
    date_to = fields.Date(string="To", required=True,
                          default=lambda self: today_ecuador().replace(day=1) + relativedelta(months=1, days=-1))
    compare_from = fields.Date(string="Compared with: from", required=True,
                               default=lambda self: today_ecuador().replace(day=1) - relativedelta(months=1))
    compare_to = fields.Date(string="Compared with: to", required=True,
                             default=lambda self: today_ecuador().replace(day=1) - relativedelta(days=1))
    line_ids = fields.One2many("l10n_ec_sri.report.compare.line", "wizard_id", string="Comparison", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        check_advanced(self.env)
        return super().create(vals_list)

    @api.constrains("date_from", "date_to", "compare_from", "compare_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to or wizard.compare_from > wizard.compare_to:
                raise UserError(_("A period's start must come before its end."))

    def _totals(self, date_from, date_to):
        rows = self.env["l10n_ec_sri.report.tax"]._read_group(
            [("company_id", "=", self.company_id.id), ("date", ">=", date_from), ("date", "<=", date_to)],
            ["direction", "iva"], ["base:sum", "tax:sum"])
        return {(direction, iva): (base, tax) for direction, iva, base, tax in rows}

    def action_compare(self):
        self.ensure_one()
        check_advanced(self.env)
        current = self._totals(self.date_from, self.date_to)
        previous = self._totals(self.compare_from, self.compare_to)
        order = {code: index for index, (code, _label) in enumerate(IVA_TYPES)}
        keys = sorted(set(current) | set(previous),
                      key=lambda key: ([d for d, _l in DIRECTIONS].index(key[0]), order.get(key[1], 99)))
        self.line_ids = [fields.Command.clear()] + [fields.Command.create({
            "direction": direction, "iva": iva,
            "base": current.get((direction, iva), (0.0, 0.0))[0],
            "tax": current.get((direction, iva), (0.0, 0.0))[1],
            "compare_base": previous.get((direction, iva), (0.0, 0.0))[0],
            "compare_tax": previous.get((direction, iva), (0.0, 0.0))[1],
        }) for direction, iva in keys]
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "target": "current", "name": _("Period against period")}


    def action_print(self):
        """The comparison as a PDF (compared first when it was not yet)."""
        self.ensure_one()
        check_advanced(self.env)
        if not self.line_ids:
            self.action_compare()
        return self.env.ref("l10n_ec_sri_reports.action_report_sri_compare").report_action(self, config=False)


class L10nEcSriReportCompareLine(models.TransientModel):
    _name = "l10n_ec_sri.report.compare.line"
    _description = "SRI report: period against period, one rate"
    _order = "id"

    wizard_id = fields.Many2one("l10n_ec_sri.report.compare", required=True, ondelete="cascade")
    direction = fields.Selection(DIRECTIONS, string="Sales / purchases", readonly=True)
    iva = fields.Selection(IVA_TYPES, string="IVA rate", readonly=True)
    base = fields.Float(string="Base", digits="Account", readonly=True)
    tax = fields.Float(string="IVA", digits="Account", readonly=True)
    compare_base = fields.Float(string="Base (compared)", digits="Account", readonly=True)
    compare_tax = fields.Float(string="IVA (compared)", digits="Account", readonly=True)
    variation = fields.Float(string="Base variation", digits="Account", compute="_compute_variation")
    variation_percent = fields.Float(string="Base variation (%)", digits=(16, 1), compute="_compute_variation")

    @api.depends("base", "compare_base")
    def _compute_variation(self):
        for line in self:
            line.variation = line.base - line.compare_base
            line.variation_percent = (line.variation / abs(line.compare_base) * 100) if line.compare_base else 0.0
