# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    l10n_ec_sri_taxpayer_type_id = fields.Many2one(
        "l10n_ec_sri.taxpayer.type", string="Taxpayer type", company_dependent=True,
        domain="[('company_id', '=', current_company_id)]",
        help="Decides the withholdings proposed on this supplier's bills (SRI withholding tables).")
