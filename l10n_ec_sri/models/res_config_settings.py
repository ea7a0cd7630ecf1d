# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    l10n_ec_sri_environment = fields.Selection(related="company_id.l10n_ec_sri_environment", readonly=False)
    l10n_ec_sri_endpoint = fields.Selection(related="company_id.l10n_ec_sri_endpoint", readonly=False)
    l10n_ec_sri_endpoint_url = fields.Char(related="company_id.l10n_ec_sri_endpoint_url", readonly=False)
    l10n_ec_sri_special_taxpayer = fields.Char(related="company_id.l10n_ec_sri_special_taxpayer", readonly=False)
    l10n_ec_sri_accounting_required = fields.Boolean(
        related="company_id.l10n_ec_sri_accounting_required", readonly=False
    )
    l10n_ec_sri_rimpe = fields.Selection(related="company_id.l10n_ec_sri_rimpe", readonly=False)
    l10n_ec_sri_withholding_agent = fields.Char(
        related="company_id.l10n_ec_sri_withholding_agent", readonly=False
    )
    l10n_ec_sri_certificate_id = fields.Many2one(
        related="company_id.l10n_ec_sri_certificate_id",
        readonly=False,
        groups="l10n_ec_sri.group_l10n_ec_sri_admin",
    )
    l10n_ec_sri_auto_send = fields.Boolean(related="company_id.l10n_ec_sri_auto_send", readonly=False)
    l10n_ec_sri_send_mail = fields.Boolean(related="company_id.l10n_ec_sri_send_mail", readonly=False)
    l10n_ec_sri_pool_size = fields.Integer(related="company_id.l10n_ec_sri_pool_size", readonly=False)
    l10n_ec_sri_final_consumer_limit = fields.Monetary(
        related="company_id.l10n_ec_sri_final_consumer_limit", readonly=False
    )
