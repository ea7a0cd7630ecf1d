# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

WITHHOLD_DOMAIN = "[('company_id', 'parent_of', id), ('tax_group_id.l10n_ec_type', '=', 'withhold_income_purchase')]"


class ResCompany(models.Model):
    _inherit = "res.company"

    l10n_ec_sri_withhold_goods_tax_id = fields.Many2one(
        "account.tax", string="Default income tax withholding on goods", domain=WITHHOLD_DOMAIN,
        help="Renta withheld on goods when neither the supplier's taxpayer type nor the product sets one.")
    l10n_ec_sri_withhold_services_tax_id = fields.Many2one(
        "account.tax", string="Default income tax withholding on services", domain=WITHHOLD_DOMAIN,
        help="Renta withheld on services (and lines without product) when neither the supplier's taxpayer "
             "type nor the product sets one.")

    def _l10n_ec_sri_chart_tax(self, name):
        """The company's tax of Odoo's l10n_ec chart named ``name`` (``tax_withhold_vat_30``), or an empty set."""
        self.ensure_one()
        return self.env["account.chart.template"].with_company(self).ref(name, raise_if_not_found=False) \
            or self.env["account.tax"]

    def _l10n_ec_sri_withhold_setup(self):
        """Taxpayer types, default withholdings and the two withholding journals of an Ecuadorian company with
        the l10n_ec chart (idempotent: what exists is kept)."""
        for company in self:
            if company.chart_template != "ec":
                continue
            self.env["l10n_ec_sri.taxpayer.type"].sudo()._l10n_ec_sri_create_defaults(company)
            if not company.l10n_ec_sri_withhold_goods_tax_id:
                company.l10n_ec_sri_withhold_goods_tax_id = company._l10n_ec_sri_chart_tax("tax_withhold_profit_312")
            if not company.l10n_ec_sri_withhold_services_tax_id:
                company.l10n_ec_sri_withhold_services_tax_id = company._l10n_ec_sri_chart_tax(
                    "tax_withhold_profit_3440")
            Journal = self.env["account.journal"].sudo()
            for kind, code, name in (("issued", "RETC", "Retenciones emitidas"),
                                     ("received", "RETV", "Retenciones recibidas")):
                if not Journal.search_count([("company_id", "=", company.id), ("l10n_ec_sri_withhold_type", "=", kind)]):
                    vals = {"name": name, "code": code, "type": "general", "company_id": company.id,
                            "l10n_ec_sri_withhold_type": kind}
                    if kind == "issued":
                        vals.update({"l10n_ec_entity": "001", "l10n_ec_emission": "001"})
                    Journal.create(vals)
