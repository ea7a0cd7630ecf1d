# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The limits over XML-RPC, as an integrator meets them: the 13th document and the 13th customer refused with the
plan's message, nothing created."""
from xmlrpc.client import Fault

from odoo.tests import tagged

from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador
from odoo.addons.l10n_ec_sri.tests.test_xmlrpc import L10nEcSriHttpCase


@tagged("post_install", "-at_install", "l10n_ec_sri_plan")
class TestPlanXmlRpc(L10nEcSriHttpCase):
    company_name = "Plan Gratis S.A."

    def _rpc(self, user, model, method, *args):
        password = f"{user.login}-Pa55word"
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, user.login, password, {})
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, uid, password, model, method, list(args))

    def test_limits_over_xmlrpc(self):
        account = self.company.l10n_ec_sri_subscription_id
        self.assertEqual(account.plan_id.code, "free")
        editor = self._sri_user("plan_rpc_editor", "l10n_ec_sri.group_l10n_ec_sri_editor,base.group_partner_manager")
        ec = self.env.ref("base.ec").id
        dni = self.env.ref("l10n_ec.ec_dni").id
        customer_id = self._rpc(editor, "res.partner", "create", {
            "name": "Lucía Chiriboga", "vat": "1710034065", "country_id": ec, "l10n_latam_identification_type_id": dni,
            "street": "Av. 10 de Agosto N25-12", "city": "Quito"})
        self.assertEqual(self.env["res.partner"].browse(customer_id).l10n_ec_sri_subscription_id, account)

        def invoice():
            return self._rpc(editor, "account.move", "create", {
                "move_type": "out_invoice", "partner_id": customer_id, "journal_id": self.journal.id,
                "invoice_date": today_ecuador().isoformat(),
                "invoice_line_ids": [[0, 0, {"product_id": self.product.id, "quantity": 1, "price_unit": 120.0,
                                             "tax_ids": [[6, 0, self.tax_15.ids]]}]]})

        self.env.cr.execute("UPDATE l10n_ec_sri_subscription SET usage_documents = 11, usage_month = %s WHERE id = %s",
                            [account._l10n_ec_sri_month(), account.id])
        twelfth = invoice()
        self._rpc(editor, "account.move", "action_post", [twelfth])
        thirteenth = invoice()
        with self.assertRaises(Fault) as caught:
            self._rpc(editor, "account.move", "action_post", [thirteenth])
        self.assertIn("allows 12 electronic documents a month", caught.exception.faultString)
        move = self.env["account.move"].browse(thirteenth)
        move.invalidate_recordset()
        self.assertEqual((move.state, move.l10n_ec_sri_access_key), ("draft", False))
        account.invalidate_recordset()
        self.assertEqual(account.usage_documents, 12)

        # customers: up to 12, the 13th refused
        for number in range(12 - account._l10n_ec_sri_partners_count()):
            self._rpc(editor, "res.partner", "create", {"name": f"Cliente RPC {number}"})
        with self.assertRaises(Fault) as caught:
            self._rpc(editor, "res.partner", "create", {"name": "Cliente RPC 13"})
        self.assertIn("allows 12 customers and suppliers", caught.exception.faultString)
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Cliente RPC 13")]))
        # an import over XML-RPC (what Odoo's import dialog calls) reports it and creates nothing
        result = self._rpc(editor, "res.partner", "load", ["name"], [["Cliente importado RPC"]])
        self.assertFalse(result["ids"])
        self.assertIn("12 customers and suppliers", result["messages"][0]["message"])
