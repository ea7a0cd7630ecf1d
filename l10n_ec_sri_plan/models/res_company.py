# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ResCompany(models.Model):
    _inherit = "res.company"

    l10n_ec_sri_subscription_id = fields.Many2one(
        "l10n_ec_sri.subscription", string="SRI subscription", readonly=True, index=True, ondelete="restrict",
        copy=False, help="The account (plan and limits) this company belongs to.")

    @api.model_create_multi
    def create(self, vals_list):
        # the company's own partner is not one of its customers or suppliers
        companies = super(ResCompany, self.with_context(l10n_ec_sri_plan_skip_partner=True)).create(vals_list)
        companies.filtered(lambda c: not c.l10n_ec_sri_subscription_id)._l10n_ec_sri_plan_start_free()
        return companies.with_env(self.env)

    def _l10n_ec_sri_plan_start_free(self):
        """Each company its own account on the free plan."""
        Subscription = self.env["l10n_ec_sri.subscription"].sudo()
        free = self.env["l10n_ec_sri.plan"]._l10n_ec_sri_free()
        for company in self:
            subscription = Subscription.create({"plan_id": free.id})
            company.sudo().l10n_ec_sri_subscription_id = subscription
            subscription._l10n_ec_sri_log("start", free, free)

    @api.model
    def _l10n_ec_sri_plan_setup_existing(self):
        """The companies that exist when the module is installed get their account on the Enterprise plan
        (unlimited): installing it restricts nobody, and the provider then sets the plans it sold; companies
        created afterwards start on the free plan. Their existing customers and suppliers (the commercial contacts
        of the company) belong to that account. Idempotent (the install hook and the demo call it)."""
        enterprise = self.env.ref("l10n_ec_sri_plan.plan_enterprise")
        Subscription = self.env["l10n_ec_sri.subscription"].sudo()
        for company in self.sudo().with_context(active_test=False).search([("l10n_ec_sri_subscription_id", "=", False)]):
            subscription = Subscription.create({"plan_id": enterprise.id})
            company.l10n_ec_sri_subscription_id = subscription
            subscription._l10n_ec_sri_log("start", enterprise, enterprise)
            self.env.cr.execute("""
                UPDATE res_partner SET l10n_ec_sri_subscription_id = %s
                 WHERE company_id = %s AND l10n_ec_sri_subscription_id IS NULL AND parent_id IS NULL
            """, [subscription.id, company.id])

    def _l10n_ec_sri_plan_join(self, subscription):
        """Move these companies into ``subscription`` (one account, several RUCs), within its plan's limit."""
        if not (self.env.su or self.env.user.has_group("l10n_ec_sri_plan.group_l10n_ec_sri_plan_manager")):
            raise UserError(_("Only the provider groups companies into one account."))
        self.sudo().l10n_ec_sri_subscription_id = subscription
        # the constraint is the subscription's (its one2many is not what was written)
        subscription.sudo()._check_companies_limit()

    def _l10n_ec_sri_plan_check(self, feature):
        """Refuse ``feature`` (guides, api, advanced_reports, batch) when this company's plan lacks it; a
        ``PlanLimitError`` says what and how to upgrade (other modules call it: the API answers 402)."""
        for company in self:
            if company.l10n_ec_sri_subscription_id:
                company.l10n_ec_sri_subscription_id.sudo()._l10n_ec_sri_check_feature(feature)
        return True
