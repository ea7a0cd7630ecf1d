# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Plans and their limits: every limit at its edge (12 allowed, the 13th refused, nothing half-done), the month in
Ecuador's time zone, the features a plan lacks, upgrades at once and downgrades at the end of the period, the
cancellation, refund eligibility on both sides of 7 days and 2 invoices, warnings at 80 % and 100 %, and two
postings racing for the last slot."""
import contextlib
import threading
import time
from unittest.mock import patch

import psycopg2
from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.l10n_ec_sri.tests.common import L10nEcSriFlowCase
from odoo.addons.l10n_ec_sri_plan.models.l10n_ec_sri_subscription import (
    PlanLimitError, ecuador_now, reserve_documents_sql,
)


@tagged("post_install", "-at_install", "l10n_ec_sri_plan")
class TestPlan(L10nEcSriFlowCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.company.l10n_ec_sri_subscription_id
        cls.plans = {code: cls.env.ref(f"l10n_ec_sri_plan.plan_{code}") for code in ("free", "basic", "pro",
                                                                                   "enterprise")}

    def _set_usage(self, count, month=None):
        self.env.cr.execute("UPDATE l10n_ec_sri_subscription SET usage_documents = %s, usage_month = %s WHERE id = %s",
                            [count, month or self.account._l10n_ec_sri_month(), self.account.id])
        self.account.invalidate_recordset()

    @contextlib.contextmanager
    def _refused(self, pattern, code=None):
        """A PlanLimitError whose message matches ``pattern``, the change undone (assertRaises' savepoint)."""
        with self.assertRaises(PlanLimitError) as caught:
            yield caught
        self.assertRegex(str(caught.exception), pattern)
        if code:
            self.assertEqual(caught.exception.code, code)
        self.env.invalidate_all()

    def _partner(self, name, **values):
        return self.env["res.partner"].create({"name": name, **values})

    # --- a new company starts on the free plan -----------------------------------------------------------------
    def test_new_company_on_free_plan(self):
        self.assertEqual(self.account.plan_id, self.plans["free"])
        company = self.env["res.company"].create({"name": "Otra S.A."})
        self.assertEqual(company.l10n_ec_sri_subscription_id.plan_id, self.plans["free"])
        self.assertNotEqual(company.l10n_ec_sri_subscription_id, self.account)
        self.assertEqual(company.l10n_ec_sri_subscription_id.history_ids.action, "start")

    # --- documents a month -------------------------------------------------------------------------------------
    def test_documents_limit_12_allowed_13th_refused(self):
        self._set_usage(10)
        invoices = self._invoice(post=False) | self._invoice(post=False)
        invoices.action_post()  # the 11th and 12th
        self.assertEqual(self.account.usage_documents, 12)
        self.assertEqual(set(invoices.mapped("l10n_ec_sri_state")), {"to_send"})
        thirteenth = self._invoice(post=False)
        with self._refused(r"plan Free .* allows 12 electronic documents a month .* and 12 were issued .*Mi "
                           r"suscripción", "documents"):
            thirteenth.action_post()
        self.assertEqual((thirteenth.state, thirteenth.l10n_ec_sri_access_key), ("draft", False))
        self.assertFalse(thirteenth.l10n_ec_sri_document_id)
        self.assertEqual(self.account.usage_documents, 12)
        # a returned document issued again is not counted twice; a credit note counts
        self._set_usage(11)
        invoice = self._invoice()
        invoice.button_draft()
        invoice.action_post()
        self.assertEqual(self.account.usage_documents, 12)
        self._run_queue()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized")
        with self._refused("allows 12 electronic documents", "documents"):
            self._credit_note(invoice).action_post()

    def test_two_documents_in_one_posting_all_or_nothing(self):
        self._set_usage(11)
        invoices = self._invoice(post=False) | self._invoice(post=False)
        with self.assertRaises(PlanLimitError):
            invoices.action_post()
        self.assertEqual(set(invoices.mapped("state")), {"draft"})
        self.assertFalse(invoices.l10n_ec_sri_document_id)
        self.assertEqual(self.account.usage_documents, 11)

    def test_uncounted_kind_and_unlimited_plan(self):
        # a liquidación de compra is not counted by the free plan
        self.assertNotIn("liquidacion_compra", self.plans["free"].counted_kind_ids.mapped("code"))
        self.account.sudo().plan_id = self.plans["enterprise"]
        self._set_usage(5000)
        self._invoice()
        self.assertEqual(self.account.usage_documents, 5001)

    def test_month_boundary_in_ecuador(self):
        account = self.account
        # 04:30 UTC on 1 December is 23:30 on 30 November in Ecuador: November's 12 are used up
        with freeze_time("2026-12-01 04:30:00"):
            self.assertEqual(account._l10n_ec_sri_month(), "2026-11")
            self._set_usage(12, "2026-11")
            with self.assertRaises(PlanLimitError):
                account._l10n_ec_sri_reserve_documents(1)
        # 05:30 UTC is 00:30 on 1 December in Ecuador: a new month
        with freeze_time("2026-12-01 05:30:00"):
            self.assertEqual(account._l10n_ec_sri_month(), "2026-12")
            account._l10n_ec_sri_reserve_documents(1)
            account.invalidate_recordset()
            self.assertEqual((account.usage_month, account.usage_documents, account.documents_this_month),
                             ("2026-12", 1, 1))

    # --- customers and suppliers ---------------------------------------------------------------------------------
    def test_partners_limit_12_allowed_13th_refused(self):
        start = self.account._l10n_ec_sri_partners_count()
        self.assertLessEqual(start, 12)
        for number in range(12 - start):
            self._partner(f"Cliente {number}")
        self.assertEqual(self.account._l10n_ec_sri_partners_count(), 12)
        # addresses and contact persons of a customer are not customers
        self._partner("Bodega del cliente", parent_id=self.customer.id, type="delivery")
        with self._refused("allows 12 customers and suppliers, and it has 13", "partners"):
            self._partner("Cliente 13")
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Cliente 13")]))
        # an import refuses it too, and creates nothing
        result = self.env["res.partner"].load(["name"], [["Cliente importado"]])
        self.assertFalse(result["ids"])
        self.assertIn("12 customers and suppliers", result["messages"][0]["message"])
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Cliente importado")]))
        # another company's account is not this one's
        other = self.env["res.company"].create({"name": "Otra S.A."})
        self._partner("Cliente de otra", company_id=other.id)
        self.assertEqual(self.account._l10n_ec_sri_partners_count(), 12)
        # archived, a customer frees its place; unarchived, it takes one again
        archived = self.env["res.partner"].search([("l10n_ec_sri_subscription_id", "=", self.account.id)], limit=1)
        archived.active = False
        self._partner("Cliente 13")
        with self._refused("allows 12 customers and suppliers", "partners"):
            archived.active = True
        self.assertFalse(archived.active)

    # --- users ---------------------------------------------------------------------------------------------------
    def test_users_limit_3_allowed_4th_refused(self):
        start = self.account._l10n_ec_sri_users_count()
        self.assertLessEqual(start, 2)
        users = self.env["res.users"]
        for number in range(3 - start):
            users |= new_test_user(self.env, f"usuario{number}", groups="base.group_user",
                                   company_id=self.company.id, company_ids=self.company.ids)
        self.assertEqual(self.account._l10n_ec_sri_users_count(), 3)
        with self._refused("allows 3 active internal users, and it would have 4", "users"):
            new_test_user(self.env, "cuarto", groups="base.group_user", company_id=self.company.id,
                          company_ids=self.company.ids)
        self.assertFalse(self.env["res.users"].search([("login", "=", "cuarto")]))
        # a portal user is not an internal user
        new_test_user(self.env, "portal_plan", groups="base.group_portal", company_id=self.company.id,
                      company_ids=self.company.ids)
        # nor an archived one, until it is activated again
        user = users[-1]
        user.active = False
        self.assertEqual(self.account._l10n_ec_sri_users_count(), 2)
        other = new_test_user(self.env, "reemplazo", groups="base.group_user", company_id=self.company.id,
                              company_ids=self.company.ids)
        with self._refused("allows 3 active internal users"):
            user.active = True
        self.assertFalse(user.active)
        self.assertTrue(other.active)

    # --- features ------------------------------------------------------------------------------------------------
    def test_features_of_the_free_plan(self):
        for feature in ("guides", "api", "advanced_reports", "batch"):
            with self.subTest(feature=feature), self.assertRaises(PlanLimitError) as caught:
                self.company._l10n_ec_sri_plan_check(feature)
            self.assertEqual(caught.exception.code, feature)
            self.assertIn("Free", str(caught.exception))
        # the engine refuses a guía on the free plan, before any key
        invoice = self._invoice(post=False)
        with patch.object(type(invoice), "_l10n_ec_sri_kind", lambda self: "guia_remision"), \
                self._refused("Guías de remisión are not included in the plan Free", "guides"):
            self.env["l10n_ec_sri.document"]._l10n_ec_sri_reserve(invoice)
        self.account._l10n_ec_sri_change_plan(self.plans["pro"])
        for feature in ("guides", "api", "advanced_reports", "batch"):
            self.assertTrue(self.company._l10n_ec_sri_plan_check(feature))

    # --- changing the plan ---------------------------------------------------------------------------------------
    def test_free_to_paid_at_once_then_downgrade_at_period_end(self):
        account = self.account
        self._set_usage(12)
        with self.assertRaises(PlanLimitError):
            self._invoice()
        with self.assertRaises(PlanLimitError):
            self.company._l10n_ec_sri_plan_check("api")
        today = ecuador_now(self.env).date()
        account._l10n_ec_sri_change_plan(self.plans["pro"])
        self.assertEqual((account.plan_id, account.date_start, account.period_start, account.amount_paid),
                         (self.plans["pro"], today, today, 29.90))
        self.assertEqual(account.period_end, today + relativedelta(months=1, days=-1))
        self._invoice()  # the 13th: Pro allows 1000 at once
        self.assertTrue(self.company._l10n_ec_sri_plan_check("api"))
        # a downgrade waits for the end of the period
        account._l10n_ec_sri_change_plan(self.plans["basic"])
        self.assertEqual((account.plan_id, account.next_plan_id), (self.plans["pro"], self.plans["basic"]))
        self.env["l10n_ec_sri.subscription"]._cron_period_end()
        self.assertEqual(account.plan_id, self.plans["pro"])  # not yet
        with freeze_time(fields.Datetime.to_string(fields.Datetime.now() + relativedelta(months=1, days=1))):
            self.env["l10n_ec_sri.subscription"]._cron_period_end()
        self.assertEqual((account.plan_id, account.next_plan_id), (self.plans["basic"], self.env["l10n_ec_sri.plan"]))
        self.assertEqual(account.period_start, today + relativedelta(months=1))
        self.assertEqual(account.history_ids.mapped("action")[:3], ["downgrade", "downgrade_scheduled", "upgrade"])

    def test_cancel_active_to_period_end_then_free(self):
        account = self.account
        account._l10n_ec_sri_change_plan(self.plans["pro"])
        invoice = self._invoice()
        account._l10n_ec_sri_cancel()
        self.assertEqual((account.state, account.plan_id, account.next_plan_id),
                         ("cancelled", self.plans["pro"], self.plans["free"]))
        self.assertTrue(self.company._l10n_ec_sri_plan_check("api"))  # still Pro until the end of the period
        with freeze_time(fields.Datetime.to_string(fields.Datetime.now() + relativedelta(months=1, days=1))):
            self.env["l10n_ec_sri.subscription"]._cron_period_end()
        self.assertEqual((account.state, account.plan_id, account.amount_paid), ("active", self.plans["free"], 0.0))
        self.assertEqual(account.history_ids[0].action, "fallback")
        with self.assertRaises(PlanLimitError):
            self.company._l10n_ec_sri_plan_check("api")
        # nothing is deleted: the documents stay readable and downloadable
        self.assertTrue(invoice.exists())
        self.assertTrue(invoice.l10n_ec_sri_xml_id.raw)

    def test_refund_eligibility(self):
        account = self.account
        account._l10n_ec_sri_change_plan(self.plans["pro"])
        account.sudo().bank_fees = 1.50
        self._invoice()
        self._invoice()
        start = account.date_start

        def cancel_on(day):
            account.sudo().write({"state": "active", "next_plan_id": False, "cancel_date": False})
            with freeze_time(fields.Datetime.to_string(fields.Datetime.to_datetime(day) + relativedelta(hours=12))):
                account._l10n_ec_sri_cancel()
            account.invalidate_recordset()

        cancel_on(start + relativedelta(days=7))  # 2 invoices, on the 7th day
        self.assertTrue(account.refund_eligible, account.refund_note)
        self.assertAlmostEqual(account.refund_amount, 29.90 - 1.50)
        cancel_on(start + relativedelta(days=8))  # one day late
        self.assertFalse(account.refund_eligible)
        self.assertEqual(account.refund_amount, 0.0)
        self._invoice()  # a third invoice in the first week
        cancel_on(start + relativedelta(days=3))
        self.assertFalse(account.refund_eligible)
        self.assertIn("3 electronic invoices", account.refund_note)

    def test_only_admins_or_provider_change_the_plan(self):
        editor = new_test_user(self.env, "editor_sri", groups="base.group_user,l10n_ec_sri.group_l10n_ec_sri_editor",
                               company_id=self.company.id, company_ids=self.company.ids)
        with self.assertRaises(AccessError):
            self.account.with_user(editor)._l10n_ec_sri_change_plan(self.plans["pro"])
        with self.assertRaises(AccessError):
            self.account.with_user(editor).write({"plan_id": self.plans["pro"].id})
        self.assertEqual(self.account.plan_id, self.plans["free"])

    def test_several_rucs_only_where_the_plan_allows(self):
        other = self.env["res.company"].create({"name": "Segunda RUC S.A."})
        with self.assertRaises(UserError):  # only the provider groups companies
            other._l10n_ec_sri_plan_join(self.account)
        with self.assertRaises(ValidationError):  # the free plan holds one RUC
            other.sudo()._l10n_ec_sri_plan_join(self.account)
        self.account._l10n_ec_sri_change_plan(self.plans["pro"])
        other.sudo()._l10n_ec_sri_plan_join(self.account)
        self.assertEqual(self.account.company_ids, self.company | other)
        with self.assertRaises(PlanLimitError):
            self.account._l10n_ec_sri_change_plan(self.plans["basic"])

    # --- warnings ------------------------------------------------------------------------------------------------
    def test_warnings_at_80_and_100_percent_once(self):
        account = self.account
        Activity = self.env["mail.activity"]

        def warnings():
            return Activity.search([("res_model", "=", account._name), ("res_id", "=", account.id)])

        self._set_usage(8)
        account._l10n_ec_sri_reserve_documents(1)  # 9 of 12: 75 %
        self.assertFalse(warnings())
        account._l10n_ec_sri_reserve_documents(1)  # 10 of 12: 83 %
        self.assertEqual(len(warnings()), 1)
        self.assertEqual(warnings().user_id, self.env.user)
        self.assertIn("80 %", warnings().summary)
        account._l10n_ec_sri_reserve_documents(1)  # 11: no new warning
        self.assertEqual(len(warnings()), 1)
        account._l10n_ec_sri_reserve_documents(1)  # 12: 100 %
        self.assertEqual(len(warnings()), 2)
        message = self.env["mail.message"].search([("model", "=", account._name), ("res_id", "=", account.id),
                                                   ("subject", "ilike", "100 %")])
        self.assertIn(self.env.user.partner_id, message.partner_ids)


@tagged("post_install", "-at_install", "l10n_ec_sri_plan")
class TestPlanConcurrency(L10nEcSriFlowCase):
    """Two postings racing for the last slot of the month, in two real transactions: exactly one passes."""

    def test_last_slot_taken_once(self):
        dbname = self.env.cr.dbname
        free = self.env.ref("l10n_ec_sri_plan.plan_free")
        with sql_db.db_connect(dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account = env["l10n_ec_sri.subscription"].create({"plan_id": free.id})
            cr.execute("UPDATE l10n_ec_sri_subscription SET usage_documents = 11, usage_month = %s WHERE id = %s",
                       [account._l10n_ec_sri_month(), account.id])
            account_id = account.id
            cr.commit()
        results = {}

        month = self.env["l10n_ec_sri.subscription"]._l10n_ec_sri_month()

        def post(name, delay, hold):
            # the engine's reservation, on a connection of its own (the ORM's registry is the test's)
            time.sleep(delay)
            with sql_db.db_connect(dbname).cursor() as cr:
                try:
                    row = reserve_documents_sql(cr, account_id, month, 1, free.documents_month)
                    if not row:
                        raise PlanLimitError("refused", "documents")
                    time.sleep(hold)  # the rest of the posting
                    cr.commit()
                    results[name] = "issued"
                except psycopg2.errors.SerializationFailure:
                    cr.rollback()
                    results[name] = "retried"  # Odoo retries the request: the retry is refused below
                except PlanLimitError:
                    cr.rollback()
                    results[name] = "refused"

        try:
            threads = [threading.Thread(target=post, args=("first", 0, 1.0)),
                       threading.Thread(target=post, args=("second", 0.3, 0))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
            self.assertEqual(results["first"], "issued")
            self.assertIn(results["second"], ("retried", "refused"))
            post("second (retry)", 0, 0)
            self.assertEqual(results["second (retry)"], "refused")
            with sql_db.db_connect(dbname).cursor() as cr:
                cr.execute("SELECT usage_documents FROM l10n_ec_sri_subscription WHERE id = %s", [account_id])
                self.assertEqual(cr.fetchone()[0], 12)
        finally:
            with sql_db.db_connect(dbname).cursor() as cr:
                cr.execute("DELETE FROM l10n_ec_sri_subscription_warning WHERE subscription_id = %s", [account_id])
                cr.execute("DELETE FROM l10n_ec_sri_subscription_history WHERE subscription_id = %s", [account_id])
                cr.execute("DELETE FROM mail_message WHERE model = 'l10n_ec_sri.subscription' AND res_id = %s",
                           [account_id])
                cr.execute("DELETE FROM mail_activity WHERE res_model = 'l10n_ec_sri.subscription' AND res_id = %s",
                           [account_id])
                cr.execute("DELETE FROM l10n_ec_sri_subscription WHERE id = %s", [account_id])
                cr.commit()
