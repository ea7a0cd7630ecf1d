# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""With the plans module: the API and its batches are paid features (HTTP 402 with a JSON error). `make test`
runs this class in the plans module's own database; elsewhere it is skipped."""
from odoo.tests import tagged

from .common import L10nEcSriApiCase


@tagged("post_install", "-at_install", "l10n_ec_sri_api")
class TestApiPlan(L10nEcSriApiCase):

    def setUp(self):
        super().setUp()
        if "l10n_ec_sri.plan" not in self.env:
            self.skipTest("the plans module (l10n_ec_sri_plan) is not installed")

    def test_free_plan_refuses_the_api_and_an_upgrade_opens_it(self):
        subscription = self.company.l10n_ec_sri_subscription_id
        self.assertEqual(subscription.plan_id, self.env.ref("l10n_ec_sri_plan.plan_free"), "new companies start free")
        detail = self.assertError(self.call("GET", "/partners"), 402, "plan_limit_api")
        self.assertIn("Mi suscripción", detail["message"])
        self.assertIn(subscription.plan_id.name, detail["message"])
        self.assertError(self.call("POST", "/documents", json=self._factura()), 402, "plan_limit_api")
        self.assertFalse(self.env["account.move"].search([("company_id", "=", self.company.id)]), "nothing issued")
        # the description stays readable on every plan
        self.assertEqual(self.call("GET", "/openapi.json", token=False, validate=False).status_code, 200)

        pro = self.env.ref("l10n_ec_sri_plan.plan_pro")
        subscription.sudo()._l10n_ec_sri_change_plan(pro)
        self.env.flush_all()
        self.assertEqual(self.call("GET", "/partners").status_code, 200, "an upgrade applies at once")
        self.assertEqual(self.call("POST", "/batches", json={"documents": [self._factura()]}).status_code, 202)
        pro.sudo().batch_allowed = False
        self.env.flush_all()
        self.assertError(self.call("POST", "/batches", json={"documents": [self._factura()]}), 402,
                         "plan_limit_batch")
