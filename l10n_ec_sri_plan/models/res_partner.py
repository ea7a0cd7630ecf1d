# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A customer or supplier belongs to the account of the company it is created in (its own company, else the
creating user's current one); the plan's limit counts the account's commercial contacts (not their addresses and
contact persons, nor users' and companies' own partners)."""
from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    l10n_ec_sri_subscription_id = fields.Many2one(
        "l10n_ec_sri.subscription", string="SRI account", readonly=True, index="btree_not_null", copy=False)

    def _l10n_ec_sri_plan_account(self):
        """The account a customer or supplier belongs to: its company's, else the current company's."""
        self.ensure_one()
        return (self.company_id or self.env.company).sudo().l10n_ec_sri_subscription_id

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get("l10n_ec_sri_plan_skip_partner"):
            return super().create(vals_list)
        partners = super().create(vals_list)
        counted = partners.filtered(lambda p: not p.parent_id)
        accounts = self.env["l10n_ec_sri.subscription"]
        for partner in counted:
            account = partner._l10n_ec_sri_plan_account()
            if account:
                partner.sudo().l10n_ec_sri_subscription_id = account
                accounts |= account
        for account in accounts:
            account._l10n_ec_sri_check_count("partners")
        return partners

    def write(self, vals):
        res = super().write(vals)
        if vals.get("active") or ("parent_id" in vals and not vals["parent_id"]):
            # a customer unarchived, or a contact person made a customer of its own
            unassigned = self.filtered(lambda p: not p.parent_id and not p.l10n_ec_sri_subscription_id)
            company_partners = self.env["res.company"].sudo().search([]).partner_id if unassigned else unassigned
            for partner in unassigned - company_partners:
                account = partner._l10n_ec_sri_plan_account()
                if account and not partner.user_ids:
                    partner.sudo().l10n_ec_sri_subscription_id = account
            for account in self.filtered(lambda p: not p.parent_id).sudo().l10n_ec_sri_subscription_id:
                account._l10n_ec_sri_check_count("partners")
        return res
