# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""With the plans module: the advanced reports (per customer / supplier, period against period, the XLSX/CSV
export for BI) are refused on a plan without them, through the ORM as XML-RPC would call it; the basic ones
stay open. `make test` runs this class in the plans module's own database; elsewhere it is skipped."""
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import L10nEcSriReportsCase


@tagged("post_install", "-at_install", "l10n_ec_sri_reports")
class TestReportsPlan(L10nEcSriReportsCase):

    def setUp(self):
        super().setUp()
        if "l10n_ec_sri.plan" not in self.env:
            self.skipTest("the plans module (l10n_ec_sri_plan) is not installed")
        self.subscription = self.company.l10n_ec_sri_subscription_id
        self.subscription.sudo()._l10n_ec_sri_change_plan(self.env.ref("l10n_ec_sri_plan.plan_basic"))
        self.env = self.env(context=dict(self.env.context, allowed_company_ids=self.company.ids))

    def test_advanced_reports_refused_then_opened_by_an_upgrade(self):
        self.assertFalse(self.subscription.plan_id.advanced_reports_allowed)
        Partner = self.env["l10n_ec_sri.report.partner"]
        self._invoice(price=100.0)
        self.env.flush_all()
        self.env.cr.execute("SELECT id FROM l10n_ec_sri_report_partner WHERE company_id = %s", self.company.ids)
        known_ids = [row[0] for row in self.env.cr.fetchall()]
        self.assertTrue(known_ids)
        for call in (lambda: Partner.search([]), lambda: Partner.browse(known_ids).read(["base"]),
                     lambda: Partner.read_group([], ["base:sum"], ["partner_id"]),
                     lambda: Partner.search_count([]),
                     lambda: self.env["l10n_ec_sri.report.compare"].create({}),
                     lambda: self.env["ir.actions.report"]._render_qweb_html(
                         "l10n_ec_sri_reports.report_sri_partners", known_ids),
                     lambda: self.env["ir.actions.report"]._render_qweb_pdf(
                         "l10n_ec_sri_reports.report_sri_compare", [1]),
                     lambda: self.env["l10n_ec_sri.report.tax"].search([]).export_data(["base"])):
            with self.assertRaises(UserError) as caught:
                call()
            self.assertEqual(getattr(caught.exception, "code", None), "advanced_reports")
            self.assertIn(self.subscription.plan_id.name, str(caught.exception))
        # the basic reports stay open on every plan
        self.assertIsNotNone(self.env["l10n_ec_sri.report.tax"].search_count([]))
        self.env["l10n_ec_sri.report.document"].read_group([], ["__count"], ["state"])

        self.subscription.sudo()._l10n_ec_sri_change_plan(self.env.ref("l10n_ec_sri_plan.plan_pro"))
        self.assertTrue(self.subscription.plan_id.advanced_reports_allowed)
        self.assertEqual(len(Partner.browse(known_ids).read(["base"])), len(known_ids))
        self.assertTrue(Partner.search([]))
        self.env["l10n_ec_sri.report.compare"].create({}).action_compare()
        self.assertIn("datas", self.env["l10n_ec_sri.report.tax"].search([], limit=1).export_data(["base"]))
