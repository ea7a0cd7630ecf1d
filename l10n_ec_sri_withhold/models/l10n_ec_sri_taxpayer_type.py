# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Taxpayer types (tipos de contribuyente) and the withholdings they call for.

The SRI's withholding tables depend on who the supplier is (sociedad, persona natural, contribuyente
especial, RIMPE ...). They change by resolution, so they are records an accountant edits, one set per
company (the withholding taxes are the company's own, those Odoo's ``l10n_ec`` chart ships: never copies).
"""
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

#: code: (name, IVA goods %, IVA services %, renta tax xmlid suffix or None). Created per company from
#: the l10n_ec chart's taxes (``tax_withhold_vat_<pct>``, ``tax_withhold_profit_<code>``).
DEFAULT_TYPES = {
    "sociedad": ("Sociedad", 30, 70, None),
    "pn_obligada": ("Persona natural obligada a llevar contabilidad", 30, 70, None),
    "pn_no_obligada": ("Persona natural no obligada a llevar contabilidad", 30, 70, None),
    "especial": ("Contribuyente especial", 0, 0, None),
    "rimpe_emprendedor": ("RIMPE emprendedor", 30, 70, "343"),
    "rimpe_popular": ("RIMPE negocio popular", 0, 0, "332"),
}


class L10nEcSriTaxpayerType(models.Model):
    _name = "l10n_ec_sri.taxpayer.type"
    _description = "Taxpayer type (SRI withholdings)"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Short code of the type (sociedad, rimpe_emprendedor, ...).")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company,
                                 index=True)
    profit_tax_id = fields.Many2one(
        "account.tax", string="Income tax withholding",
        domain="[('company_id', 'parent_of', company_id), ('tax_group_id.l10n_ec_type', '=', 'withhold_income_purchase')]",
        help="Renta withheld from every purchase of a supplier of this type. Empty: the product's withholding, "
             "else the company's default for goods or services.")
    vat_goods_tax_id = fields.Many2one(
        "account.tax", string="VAT withholding on goods",
        domain="[('company_id', 'parent_of', company_id), ('tax_group_id.l10n_ec_type', '=', 'withhold_vat_purchase')]")
    vat_services_tax_id = fields.Many2one(
        "account.tax", string="VAT withholding on services",
        domain="[('company_id', 'parent_of', company_id), ('tax_group_id.l10n_ec_type', '=', 'withhold_vat_purchase')]")

    _sql_constraints = [
        ("code_company_uniq", "unique(code, company_id)", "A taxpayer type code is used once per company."),
    ]

    @api.constrains("profit_tax_id", "vat_goods_tax_id", "vat_services_tax_id")
    def _check_taxes(self):
        for record in self:
            for field, group in (("profit_tax_id", "withhold_income_purchase"),
                                 ("vat_goods_tax_id", "withhold_vat_purchase"),
                                 ("vat_services_tax_id", "withhold_vat_purchase")):
                tax = record[field]
                if tax and tax.tax_group_id.l10n_ec_type != group:
                    raise ValidationError(_(
                        "%(field)s of the taxpayer type %(type)s must be a withholding tax of the group "
                        "\"%(group)s\" (%(tax)s is not).", field=record._fields[field].string, type=record.name,
                        group=dict(tax.tax_group_id._fields["l10n_ec_type"]._description_selection(self.env))[group],
                        tax=tax.display_name))

    @api.model
    def _l10n_ec_sri_create_defaults(self, company):
        """The default taxpayer types of ``company`` from its l10n_ec withholding taxes (idempotent)."""
        existing = set(self.with_context(active_test=False).search([("company_id", "=", company.id)]).mapped("code"))
        vals_list = []
        for sequence, (code, (name, goods, services, profit)) in enumerate(DEFAULT_TYPES.items(), 1):
            if code in existing:
                continue
            vals_list.append({
                "name": name, "code": code, "sequence": sequence * 10, "company_id": company.id,
                "vat_goods_tax_id": company._l10n_ec_sri_chart_tax(f"tax_withhold_vat_{goods}").id,
                "vat_services_tax_id": company._l10n_ec_sri_chart_tax(f"tax_withhold_vat_{services}").id,
                "profit_tax_id": company._l10n_ec_sri_chart_tax(f"tax_withhold_profit_{profit}").id if profit else False,
            })
        return self.create(vals_list)
