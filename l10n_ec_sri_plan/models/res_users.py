# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Active internal users counted against the plan of their company's account, whatever makes them so (a new user,
one unarchived, one given internal rights or moved to another company)."""
from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model_create_multi
    def create(self, vals_list):
        users = super(ResUsers, self.with_context(l10n_ec_sri_plan_skip_partner=True)).create(vals_list)
        users.with_env(self.env)._l10n_ec_sri_plan_check_users()
        return users.with_env(self.env)

    def write(self, vals):
        res = super().write(vals)
        if {"active", "groups_id", "company_id", "share"} & set(vals) or any(k.startswith("in_group_") or
                                                                               k.startswith("sel_groups_")
                                                                               for k in vals):
            self._l10n_ec_sri_plan_check_users()
        return res

    def _l10n_ec_sri_plan_check_users(self):
        accounts = self.filtered(lambda u: u.active and not u.share).company_id.sudo().l10n_ec_sri_subscription_id
        for account in accounts:
            account._l10n_ec_sri_check_count("users")
