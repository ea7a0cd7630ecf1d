# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class L10nEcSriPlanChangeWizard(models.TransientModel):
    _name = "l10n_ec_sri.plan.change.wizard"
    _description = "Change the SRI plan"

    subscription_id = fields.Many2one("l10n_ec_sri.subscription", required=True, readonly=True)
    current_plan_id = fields.Many2one(related="subscription_id.plan_id", string="Current plan")
    plan_id = fields.Many2one("l10n_ec_sri.plan", string="New plan", required=True)
    is_upgrade = fields.Boolean(compute="_compute_is_upgrade")

    @api.depends("plan_id", "current_plan_id")
    def _compute_is_upgrade(self):
        for wizard in self:
            current, plan = wizard.current_plan_id, wizard.plan_id
            wizard.is_upgrade = bool(plan and current and (plan.sequence, plan.id) > (current.sequence, current.id))

    def action_confirm(self):
        self.subscription_id._l10n_ec_sri_change_plan(self.plan_id)
        return {"type": "ir.actions.client", "tag": "reload"}
