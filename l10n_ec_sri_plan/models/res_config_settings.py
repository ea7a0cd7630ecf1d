# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    l10n_ec_sri_subscription_id = fields.Many2one(related="company_id.l10n_ec_sri_subscription_id")
    l10n_ec_sri_plan_id = fields.Many2one(related="company_id.l10n_ec_sri_subscription_id.plan_id",
                                          string="Plan")
    l10n_ec_sri_next_plan_id = fields.Many2one(related="company_id.l10n_ec_sri_subscription_id.next_plan_id",
                                               string="Next plan")
    l10n_ec_sri_subscription_state = fields.Selection(related="company_id.l10n_ec_sri_subscription_id.state",
                                                      string="Subscription state")
    l10n_ec_sri_period_start = fields.Date(related="company_id.l10n_ec_sri_subscription_id.period_start",
                                           string="Period start")
    l10n_ec_sri_period_end = fields.Date(related="company_id.l10n_ec_sri_subscription_id.period_end",
                                         string="Period end")
    l10n_ec_sri_documents_this_month = fields.Integer(
        related="company_id.l10n_ec_sri_subscription_id.documents_this_month", string="Documents this month")
    l10n_ec_sri_documents_limit = fields.Integer(related="company_id.l10n_ec_sri_subscription_id.documents_limit",
                                                 string="Documents a month")
    l10n_ec_sri_partners_count = fields.Integer(related="company_id.l10n_ec_sri_subscription_id.partners_count",
                                                string="Customers and suppliers")
    l10n_ec_sri_partners_limit = fields.Integer(related="company_id.l10n_ec_sri_subscription_id.partners_limit",
                                                string="Customers and suppliers allowed")
    l10n_ec_sri_users_count = fields.Integer(related="company_id.l10n_ec_sri_subscription_id.users_count",
                                             string="Internal users")
    l10n_ec_sri_users_limit = fields.Integer(related="company_id.l10n_ec_sri_subscription_id.users_limit",
                                             string="Internal users allowed")

    def action_l10n_ec_sri_change_plan(self):
        return self.company_id.l10n_ec_sri_subscription_id.action_l10n_ec_sri_change_plan()

    def action_l10n_ec_sri_cancel_subscription(self):
        self.company_id.l10n_ec_sri_subscription_id.action_l10n_ec_sri_cancel()
        return {"type": "ir.actions.client", "tag": "reload"}
