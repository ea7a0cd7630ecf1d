# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The plans a provider sells, as records its administrator edits: what each allows, 0 meaning unlimited."""
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import KIND_SELECTION

PLAN_CODES = [("free", "Free"), ("basic", "Basic"), ("pro", "Pro"), ("enterprise", "Enterprise")]


class L10nEcSriPlanKind(models.Model):
    _name = "l10n_ec_sri.plan.kind"
    _description = "SRI document type a plan counts"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(KIND_SELECTION, required=True)
    sequence = fields.Integer(default=10)

    _sql_constraints = [("code_unique", "UNIQUE(code)", "One record per SRI document type.")]


class L10nEcSriPlan(models.Model):
    _name = "l10n_ec_sri.plan"
    _description = "SRI subscription plan"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(PLAN_CODES, required=True,
                            help="free: the plan every new company starts on; the others are sold.")
    sequence = fields.Integer(default=10, help="Plans are ordered from the smallest to the largest: moving to a later "
                                               "plan is an upgrade (at once), to an earlier one a downgrade (at the "
                                               "end of the period).")
    active = fields.Boolean(default=True)
    price = fields.Monetary(string="Price a month", currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.ref("base.USD"), required=True)
    documents_month = fields.Integer(
        string="Documents a month", help="Electronic documents of the counted types issued in a calendar month "
                                         "(Ecuador's time). 0: unlimited.")
    counted_kind_ids = fields.Many2many("l10n_ec_sri.plan.kind", string="Counted document types",
                                        help="The documents the monthly limit counts.")
    partners_limit = fields.Integer(string="Customers and suppliers", help="Customers and suppliers an account may "
                                                                          "create. 0: unlimited.")
    users_limit = fields.Integer(string="Internal users", help="Active internal users of the account's companies. "
                                                               "0: unlimited.")
    companies_limit = fields.Integer(string="RUCs per account", default=1,
                                     help="Companies (RUCs) one account may hold. 0: unlimited.")
    guides_allowed = fields.Boolean(string="Guías de remisión")
    api_allowed = fields.Boolean(string="API and integrations")
    advanced_reports_allowed = fields.Boolean(string="Advanced reports")
    batch_allowed = fields.Boolean(string="Batch processing")
    description = fields.Text(translate=True)

    _sql_constraints = [("code_unique", "UNIQUE(code)", "One plan per code.")]

    @api.constrains("documents_month", "partners_limit", "users_limit", "companies_limit")
    def _check_limits(self):
        for plan in self:
            if min(plan.documents_month, plan.partners_limit, plan.users_limit, plan.companies_limit) < 0:
                raise ValidationError(_("The limits of the plan %s are 0 (unlimited) or more.", plan.name))

    @api.model
    def _l10n_ec_sri_free(self):
        plan = self.with_context(active_test=False).search([("code", "=", "free")], limit=1)
        if not plan:
            raise ValidationError(_("The free plan is missing: restore it in SRI > Plans."))
        return plan

    def _l10n_ec_sri_limit_text(self, value):
        return _("unlimited") if not value else str(value)
