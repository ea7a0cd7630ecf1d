# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Browser tour (Chromium): "Mi suscripción" in the settings, for the SRI administrator of a company on the free
plan: usage shown, upgrade to Pro at once (static/src/js/tours/)."""
from odoo import Command
from odoo.tests import tagged

from odoo.addons.l10n_ec_sri.tests.test_xmlrpc import L10nEcSriHttpCase


@tagged("post_install", "-at_install", "l10n_ec_sri_plan")
class TestSubscriptionTour(L10nEcSriHttpCase):
    company_name = "Suscripción Gratis S.A."

    def test_mi_suscripcion_upgrade_tour(self):
        account = self.company.l10n_ec_sri_subscription_id
        self.assertEqual(account.plan_id.code, "free")
        self.env.cr.execute("UPDATE l10n_ec_sri_subscription SET usage_documents = 10, usage_month = %s WHERE id = %s",
                            [account._l10n_ec_sri_month(), account.id])
        admin = self.env.ref("base.user_admin")
        admin.write({"company_ids": [Command.link(self.company.id)], "company_id": self.company.id,
                     "groups_id": [Command.link(self.env.ref("l10n_ec_sri.group_l10n_ec_sri_admin").id)]})
        self.start_tour("/odoo/action-account.action_account_config", "l10n_ec_sri_plan_subscription", login="admin")
        account.invalidate_recordset()
        self.assertEqual(account.plan_id.code, "pro")
        self.assertEqual(account.history_ids[0].action, "upgrade")
