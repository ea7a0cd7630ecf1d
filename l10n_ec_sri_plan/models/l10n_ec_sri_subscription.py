# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An account's subscription: its plan, its monthly period, the change waiting for the period's end, the usage
counters and the history of every change.

An account is a company (RUC); on the plans that allow several RUCs, several companies of one customer share one
account. The documents of the month are counted on the subscription's row itself (``usage_month``,
``usage_documents``), incremented by one conditional UPDATE when documents are issued: counting never scans the
documents' history, and two postings racing for the last slot conflict on that row (the second waits, then its
transaction is retried by Odoo and refused).
"""
import datetime

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.l10n_ec_sri.sri.constants import ECUADOR_TZ_NAME

WARNING_LEVELS = (80, 100)


def ecuador_now(env):
    """Now in Ecuador (naive local datetime)."""
    return fields.Datetime.context_timestamp(env["res.users"].with_context(tz=ECUADOR_TZ_NAME),
                                             fields.Datetime.now()).replace(tzinfo=None)


def reserve_documents_sql(cr, subscription_id, month, count, limit):
    """The counter's one conditional UPDATE: ``count`` more documents in ``month`` for the subscription, unless
    ``limit`` (0: none) would be passed. Returns (new count,) or None when refused. Two transactions racing on it
    serialize on the row (REPEATABLE READ: the second fails and is retried)."""
    cr.execute("""
        UPDATE l10n_ec_sri_subscription
           SET usage_documents = (CASE WHEN usage_month = %(month)s THEN usage_documents ELSE 0 END) + %(count)s,
               usage_month = %(month)s
         WHERE id = %(id)s
           AND (%(limit)s = 0
                OR (CASE WHEN usage_month = %(month)s THEN usage_documents ELSE 0 END) + %(count)s <= %(limit)s)
     RETURNING usage_documents
    """, {"month": month, "count": count, "id": subscription_id, "limit": limit})
    return cr.fetchone()


class PlanLimitError(UserError):
    """A plan's limit refuses an action. ``code``: the limit (documents, partners, users, guides, api,
    advanced_reports, batch, companies), for callers that answer otherwise (the API: HTTP 402)."""

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


class L10nEcSriSubscription(models.Model):
    _name = "l10n_ec_sri.subscription"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "SRI subscription (account)"
    _order = "id desc"

    name = fields.Char(compute="_compute_name", store=True)
    company_ids = fields.One2many("res.company", "l10n_ec_sri_subscription_id", string="Companies (RUCs)")
    plan_id = fields.Many2one("l10n_ec_sri.plan", required=True, tracking=True, ondelete="restrict")
    next_plan_id = fields.Many2one("l10n_ec_sri.plan", string="Next plan", tracking=True, ondelete="restrict",
                                   help="The plan that starts at the end of the period (a downgrade or a "
                                        "cancellation waiting).")
    state = fields.Selection([("active", "Active"), ("cancelled", "Cancelled (active to the end of the period)")],
                             default="active", required=True, tracking=True)
    date_start = fields.Date(string="Subscribed on", required=True, default=lambda self: ecuador_now(self.env).date(),
                             help="When the current paid subscription started (refunds count from it).")
    period_start = fields.Date(required=True, default=lambda self: ecuador_now(self.env).date())
    period_end = fields.Date(required=True,
                             default=lambda self: ecuador_now(self.env).date() + relativedelta(months=1, days=-1))
    cancel_date = fields.Date(readonly=True)
    amount_paid = fields.Monetary(currency_field="currency_id", help="What the customer paid for the current period.")
    bank_fees = fields.Monetary(currency_field="currency_id", help="Bank fees of that payment (not refunded).")
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.ref("base.USD"), required=True)
    usage_month = fields.Char(readonly=True, help="YYYY-MM (Ecuador) of usage_documents.")
    usage_documents = fields.Integer(readonly=True)
    history_ids = fields.One2many("l10n_ec_sri.subscription.history", "subscription_id", string="History")
    warning_ids = fields.One2many("l10n_ec_sri.subscription.warning", "subscription_id")
    # usage, for "Mi suscripción"
    documents_this_month = fields.Integer(compute="_compute_usage")
    documents_limit = fields.Integer(related="plan_id.documents_month", string="Documents a month allowed")
    partners_count = fields.Integer(compute="_compute_usage", string="Customers and suppliers")
    partners_limit = fields.Integer(related="plan_id.partners_limit", string="Customers and suppliers allowed")
    users_count = fields.Integer(compute="_compute_usage", string="Internal users")
    users_limit = fields.Integer(related="plan_id.users_limit", string="Internal users allowed")
    refund_eligible = fields.Boolean(compute="_compute_refund")
    refund_amount = fields.Monetary(compute="_compute_refund", currency_field="currency_id")
    refund_note = fields.Char(compute="_compute_refund")

    @api.depends("company_ids.name")
    def _compute_name(self):
        for subscription in self:
            subscription.name = ", ".join(subscription.company_ids.mapped("name")) or _("Account %s", subscription.id)

    def _compute_usage(self):
        month = self._l10n_ec_sri_month()
        for subscription in self:
            subscription.documents_this_month = subscription.usage_documents if subscription.usage_month == month else 0
            subscription.partners_count = subscription._l10n_ec_sri_partners_count()
            subscription.users_count = subscription._l10n_ec_sri_users_count()

    @api.depends("state", "cancel_date", "date_start", "amount_paid", "bank_fees")
    def _compute_refund(self):
        for subscription in self:
            subscription.refund_eligible, subscription.refund_amount, subscription.refund_note = \
                subscription._l10n_ec_sri_refund()

    # ------------------------------------------------------------------
    # Counting
    # ------------------------------------------------------------------
    @api.model
    def _l10n_ec_sri_month(self):
        return ecuador_now(self.env).strftime("%Y-%m")

    def _l10n_ec_sri_partners_count(self):
        self.ensure_one()
        return self.env["res.partner"].sudo().search_count(self._l10n_ec_sri_partners_domain())

    def _l10n_ec_sri_partners_domain(self):
        return [("l10n_ec_sri_subscription_id", "=", self.id), ("parent_id", "=", False), ("active", "=", True)]

    def _l10n_ec_sri_users_count(self):
        self.ensure_one()
        return self.env["res.users"].sudo().search_count(self._l10n_ec_sri_users_domain())

    def _l10n_ec_sri_users_domain(self):
        return [("share", "=", False), ("active", "=", True), ("company_id", "in", self.company_ids.ids)]

    def _l10n_ec_sri_reserve_documents(self, count):
        """Count ``count`` more documents this month, or refuse them all (PlanLimitError) when the plan's limit
        would be passed. One conditional UPDATE on this row: concurrent postings serialize on it."""
        self.ensure_one()
        plan = self.plan_id
        month = self._l10n_ec_sri_month()
        limit = plan.documents_month
        self.env.flush_all()
        row = reserve_documents_sql(self.env.cr, self.id, month, count, limit)
        self.invalidate_recordset(["usage_month", "usage_documents"])
        if not row:
            used = self.usage_documents if self.usage_month == month else 0
            raise PlanLimitError(_(
                "The plan %(plan)s of %(account)s allows %(limit)s electronic documents a month (%(kinds)s), and "
                "%(used)s were issued in %(month)s: these %(count)s cannot be issued. Upgrade the plan (Settings > "
                "SRI Ecuador > Mi suscripción) to issue more this month.", plan=plan.name, account=self.name,
                limit=limit, kinds=", ".join(plan.counted_kind_ids.mapped("name")), used=used, month=month,
                count=count), "documents")
        if limit:
            self._l10n_ec_sri_warn_usage("documents", row[0], limit, month)

    def _l10n_ec_sri_check_count(self, resource):
        """After a change: refuse it (PlanLimitError) when ``resource`` (partners / users) is over the plan."""
        self.ensure_one()
        plan = self.plan_id
        limit = plan.partners_limit if resource == "partners" else plan.users_limit
        if not limit:
            return
        count = self._l10n_ec_sri_partners_count() if resource == "partners" else self._l10n_ec_sri_users_count()
        if count > limit:
            if resource == "partners":
                message = _("The plan %(plan)s of %(account)s allows %(limit)s customers and suppliers, and it has "
                            "%(count)s with this one. Upgrade the plan (Settings > SRI Ecuador > Mi suscripción) to "
                            "register more.", plan=plan.name, account=self.name, limit=limit, count=count)
            else:
                message = _("The plan %(plan)s of %(account)s allows %(limit)s active internal users, and it would "
                            "have %(count)s. Upgrade the plan (Settings > SRI Ecuador > Mi suscripción), or archive "
                            "a user first.", plan=plan.name, account=self.name, limit=limit, count=count)
            raise PlanLimitError(message, resource)
        self._l10n_ec_sri_warn_usage(resource, count, limit, self.period_start.isoformat())

    def _l10n_ec_sri_check_feature(self, feature):
        """Refuse (PlanLimitError) a feature the plan does not include: guides, api, advanced_reports, batch."""
        self.ensure_one()
        plan = self.plan_id
        allowed = {"guides": plan.guides_allowed, "api": plan.api_allowed,
                   "advanced_reports": plan.advanced_reports_allowed, "batch": plan.batch_allowed}[feature]
        if not allowed:
            names = {"guides": _("Guías de remisión"), "api": _("The API and integrations"),
                     "advanced_reports": _("Advanced reports"), "batch": _("Batch processing")}
            raise PlanLimitError(_(
                "%(feature)s are not included in the plan %(plan)s of %(account)s. Upgrade the plan (Settings > SRI "
                "Ecuador > Mi suscripción) to use them.", feature=names[feature], plan=plan.name, account=self.name),
                feature)

    # ------------------------------------------------------------------
    # Warnings at 80 % and 100 % of a limit: an activity and a mail to the SRI administrators, once a period
    # ------------------------------------------------------------------
    def _l10n_ec_sri_warn_usage(self, resource, used, limit, period):
        for level in WARNING_LEVELS:
            if used * 100 < limit * level:
                continue
            key = f"{resource}:{period}:{level}"
            self.env.cr.execute("""
                INSERT INTO l10n_ec_sri_subscription_warning (subscription_id, key, create_date, write_date)
                VALUES (%s, %s, now() at time zone 'utc', now() at time zone 'utc')
                ON CONFLICT (subscription_id, key) DO NOTHING RETURNING id
            """, [self.id, key])
            if self.env.cr.fetchone():
                self._l10n_ec_sri_send_warning(resource, used, limit, level)

    def _l10n_ec_sri_admins(self):
        admin_group = self.env.ref("l10n_ec_sri.group_l10n_ec_sri_admin")
        return admin_group.sudo().users.filtered(lambda u: u.active and u.company_ids & self.company_ids)

    def _l10n_ec_sri_send_warning(self, resource, used, limit, level):
        names = {"documents": _("electronic documents this month"), "partners": _("customers and suppliers"),
                 "users": _("internal users")}
        summary = _("%(level)s %% of the plan's %(resource)s", level=level, resource=names[resource])
        body = _("%(account)s has used %(used)s of the %(limit)s %(resource)s its plan %(plan)s allows (%(level)s %%). "
                 "Upgrade the plan in Settings > SRI Ecuador > Mi suscripción before the limit stops the work.",
                 account=self.name, used=used, limit=limit, resource=names[resource], plan=self.plan_id.name,
                 level=level)
        subscription = self.sudo()
        admins = self._l10n_ec_sri_admins()
        activity_type = self.env.ref("mail.mail_activity_data_warning", raise_if_not_found=False) \
            or self.env.ref("mail.mail_activity_data_todo")
        for admin in admins:
            subscription.activity_schedule(activity_type_id=activity_type.id, summary=summary, note=body,
                                           user_id=admin.id)
        subscription.message_post(body=body, subject=summary, partner_ids=admins.partner_id.ids,
                                  message_type="comment", subtype_xmlid="mail.mt_comment")

    # ------------------------------------------------------------------
    # Changing the plan
    # ------------------------------------------------------------------
    def _l10n_ec_sri_check_may_change(self):
        user = self.env.user
        if user.has_group("l10n_ec_sri_plan.group_l10n_ec_sri_plan_manager") or self.env.su:
            return
        if not (user.has_group("l10n_ec_sri.group_l10n_ec_sri_admin") and self.company_ids & user.company_ids):
            raise AccessError(_("Only the SRI administrators of %s, or the provider, change its subscription.",
                                self.name))

    def _l10n_ec_sri_log(self, action, plan_from, plan_to, note=False):
        self.env["l10n_ec_sri.subscription.history"].sudo().create({
            "subscription_id": self.id, "action": action, "plan_from_id": plan_from.id, "plan_to_id": plan_to.id,
            "user_id": self.env.user.id, "note": note})

    def _l10n_ec_sri_change_plan(self, plan):
        """Upgrade at once; downgrade at the end of the period."""
        self.ensure_one()
        self._l10n_ec_sri_check_may_change()
        current = self.plan_id
        subscription = self.sudo()
        if not plan.active:
            raise UserError(_("The plan %s is no longer offered.", plan.name))
        if plan == current:
            if self.state == "cancelled" or self.next_plan_id:
                subscription.write({"state": "active", "next_plan_id": False, "cancel_date": False})
                self._l10n_ec_sri_log("keep", current, plan)
            return
        if plan.companies_limit and len(self.company_ids) > plan.companies_limit:
            raise PlanLimitError(_("The plan %(plan)s holds %(limit)s RUCs, and %(account)s has %(count)s.",
                                   plan=plan.name, limit=plan.companies_limit, account=self.name,
                                   count=len(self.company_ids)), "companies")
        today = ecuador_now(self.env).date()
        if (plan.sequence, plan.id) > (current.sequence, current.id):
            vals = {"plan_id": plan.id, "next_plan_id": False, "state": "active", "cancel_date": False}
            if current.code == "free":  # a paid subscription starts today
                vals.update({"date_start": today, "period_start": today,
                             "period_end": today + relativedelta(months=1, days=-1), "amount_paid": plan.price,
                             "bank_fees": 0.0})
            subscription.write(vals)
            self._l10n_ec_sri_log("upgrade", current, plan)
        else:
            subscription.write({"next_plan_id": plan.id})
            self._l10n_ec_sri_log("downgrade_scheduled", current, plan,
                                  _("From %s (end of the period).", self.period_end + datetime.timedelta(days=1)))

    def _l10n_ec_sri_cancel(self):
        """The plan stays active to the end of the period; then the account falls back to the free plan."""
        self.ensure_one()
        self._l10n_ec_sri_check_may_change()
        if self.plan_id.code == "free":
            raise UserError(_("The free plan has nothing to cancel."))
        free = self.env["l10n_ec_sri.plan"]._l10n_ec_sri_free()
        self.sudo().write({"state": "cancelled", "next_plan_id": free.id, "cancel_date": ecuador_now(self.env).date()})
        self._l10n_ec_sri_log("cancel", self.plan_id, free)

    @api.model
    def _cron_period_end(self):
        """Each account whose period ended: the waiting plan starts (downgrade, or free after a cancellation) and a
        new period begins."""
        today = ecuador_now(self.env).date()
        for subscription in self.sudo().search([("period_end", "<", today)]):
            start = subscription.period_end + datetime.timedelta(days=1)
            while start + relativedelta(months=1) <= today:  # a server stopped for months
                start += relativedelta(months=1)
            vals = {"period_start": start, "period_end": start + relativedelta(months=1, days=-1)}
            if subscription.next_plan_id:
                previous, plan = subscription.plan_id, subscription.next_plan_id
                vals.update({"plan_id": plan.id, "next_plan_id": False, "state": "active"})
                if plan.code == "free":
                    vals.update({"amount_paid": 0.0, "bank_fees": 0.0, "cancel_date": False})
                subscription.write(vals)
                subscription._l10n_ec_sri_log("fallback" if plan.code == "free" else "downgrade", previous, plan)
            else:
                subscription.write(vals)

    # ------------------------------------------------------------------
    # Refund: cancelled within 7 days of the start, with at most 2 electronic invoices issued in that time
    # ------------------------------------------------------------------
    def _l10n_ec_sri_refund(self):
        self.ensure_one()
        if self.state != "cancelled" or not self.cancel_date or not self.amount_paid:
            return False, 0.0, _("Only a cancelled paid subscription may be refunded.")
        last_day = self.date_start + datetime.timedelta(days=7)
        if self.cancel_date > last_day:
            return False, 0.0, _("Cancelled %(days)s days after the start (at most 7).",
                                 days=(self.cancel_date - self.date_start).days)
        invoices = self._l10n_ec_sri_invoices_between(self.date_start, last_day)
        if invoices > 2:
            return False, 0.0, _("%s electronic invoices were issued in the first 7 days (at most 2).", invoices)
        return True, max(self.amount_paid - self.bank_fees, 0.0), _("Eligible: 100 % of the amount paid minus the "
                                                                    "bank fees.")

    def _l10n_ec_sri_invoices_between(self, first_day, last_day):
        """Electronic invoices (facturas) the account's companies issued from ``first_day`` to ``last_day``
        (Ecuador's days)."""
        self.env.cr.execute("""
            SELECT count(*) FROM l10n_ec_sri_document
             WHERE company_id IN %s AND kind = 'factura'
               AND (create_date AT TIME ZONE 'UTC' AT TIME ZONE %s)::date BETWEEN %s AND %s
        """, [tuple(self.company_ids.ids) or (0,), ECUADOR_TZ_NAME, first_day, last_day])
        return self.env.cr.fetchone()[0]

    # ------------------------------------------------------------------
    # Buttons of "Mi suscripción"
    # ------------------------------------------------------------------
    def action_l10n_ec_sri_change_plan(self):
        self.ensure_one()
        self._l10n_ec_sri_check_may_change()
        return {
            "type": "ir.actions.act_window",
            "name": _("Change plan"),
            "res_model": "l10n_ec_sri.plan.change.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_subscription_id": self.id},
        }

    def action_l10n_ec_sri_cancel(self):
        self._l10n_ec_sri_cancel()
        return True

    @api.constrains("company_ids", "plan_id")
    def _check_companies_limit(self):
        for subscription in self:
            limit = subscription.plan_id.companies_limit
            if limit and len(subscription.company_ids) > limit:
                raise ValidationError(_(
                    "The plan %(plan)s holds %(limit)s RUCs per account: upgrade the plan of %(account)s to add "
                    "another company.", plan=subscription.plan_id.name, limit=limit, account=subscription.name))


class L10nEcSriSubscriptionHistory(models.Model):
    _name = "l10n_ec_sri.subscription.history"
    _description = "Change of an SRI subscription"
    _order = "id desc"

    subscription_id = fields.Many2one("l10n_ec_sri.subscription", required=True, ondelete="cascade", index=True)
    action = fields.Selection([
        ("start", "Start"), ("upgrade", "Upgrade"), ("downgrade_scheduled", "Downgrade scheduled"),
        ("downgrade", "Downgrade"), ("cancel", "Cancellation"), ("fallback", "Back to the free plan"),
        ("keep", "Change withdrawn"),
    ], required=True)
    plan_from_id = fields.Many2one("l10n_ec_sri.plan", string="From")
    plan_to_id = fields.Many2one("l10n_ec_sri.plan", string="To")
    user_id = fields.Many2one("res.users", string="By")
    note = fields.Char()

    def write(self, vals):
        raise UserError(_("The history of a subscription is never changed."))

    def unlink(self):
        if not self.env.context.get("l10n_ec_sri_subscription_unlink"):
            raise UserError(_("The history of a subscription is never deleted."))
        return super().unlink()


class L10nEcSriSubscriptionWarning(models.Model):
    _name = "l10n_ec_sri.subscription.warning"
    _description = "Usage warning sent (once per resource, period and level)"

    subscription_id = fields.Many2one("l10n_ec_sri.subscription", required=True, ondelete="cascade")
    key = fields.Char(required=True)

    _sql_constraints = [("key_unique", "UNIQUE(subscription_id, key)", "Each warning is sent once.")]
