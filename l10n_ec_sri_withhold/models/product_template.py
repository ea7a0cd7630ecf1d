# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    l10n_ec_sri_withhold_tax_id = fields.Many2one(
        "account.tax", string="Income tax withholding", company_dependent=True,
        domain="[('company_id', 'parent_of', current_company_id), "
               "('tax_group_id.l10n_ec_type', '=', 'withhold_income_purchase')]",
        help="Renta withheld when this product is bought (e.g. 303 for professional fees), unless the supplier's "
             "taxpayer type sets one.")
