# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    l10n_ec_sri_withhold_goods_tax_id = fields.Many2one(
        related="company_id.l10n_ec_sri_withhold_goods_tax_id", readonly=False)
    l10n_ec_sri_withhold_services_tax_id = fields.Many2one(
        related="company_id.l10n_ec_sri_withhold_services_tax_id", readonly=False)
