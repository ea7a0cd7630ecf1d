# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An integrator (an ERP that records its purchases in Odoo) issues the retención of a posted vendor bill over the
JSON API, with the withholdings Odoo proposes; every answer validated against the served OpenAPI description."""
from odoo import Command
from odoo.tests import tagged

from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador
from odoo.addons.l10n_ec_sri_api.tests.common import L10nEcSriApiCase

SUPPLIER_RUC = "1790016919001"


@tagged("post_install", "-at_install", "l10n_ec_sri_api_withhold")
class TestApiWithhold(L10nEcSriApiCase):
    company_name = "Compras API S.A."

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        chart = env["account.chart.template"].with_company(cls.company)
        cls.vat_purchase = chart.ref("tax_vat_15_510_sup_01")
        sociedad = env["l10n_ec_sri.taxpayer.type"].search([("company_id", "=", cls.company.id),
                                                             ("code", "=", "sociedad")])
        cls.supplier = env["res.partner"].create({
            "name": "Distribuidora Andina S.A.", "vat": SUPPLIER_RUC, "is_company": True,
            "l10n_latam_identification_type_id": env.ref("l10n_ec.ec_ruc").id, "country_id": env.ref("base.ec").id,
            "email": "proveedor@example.com"})
        cls.supplier.with_company(cls.company).l10n_ec_sri_taxpayer_type_id = sociedad
        cls.paper = env["product.product"].create({
            "name": "Resma de papel", "type": "consu", "company_id": cls.company.id,
            "supplier_taxes_id": [Command.set(cls.vat_purchase.ids)]})
        cls.purchases = env["account.journal"].search([
            ("company_id", "=", cls.company.id), ("type", "=", "purchase"), ("l10n_ec_sri_liquidation", "=", False),
            ("l10n_ec_sri_withhold_type", "=", False)], limit=1)

    def _bill(self, number):
        bill = self.env["account.move"].create({
            "move_type": "in_invoice", "partner_id": self.supplier.id, "invoice_date": today_ecuador(),
            "journal_id": self.purchases.id, "l10n_latam_document_number": number,
            "l10n_ec_sri_supplier_authorization": number.replace("-", "").rjust(49, "1"),
            "invoice_line_ids": [Command.create({"product_id": self.paper.id, "quantity": 1, "price_unit": 100.0,
                                                 "tax_ids": [Command.set(self.vat_purchase.ids)]})]})
        bill.action_post()
        self.env.flush_all()
        return bill

    def test_withhold_issued_by_bill_number_followed_and_downloaded(self):
        bill = self._bill("001-001-000000123")
        body = {"bills": [{"supplier": SUPPLIER_RUC, "number": "001-001-000000123"}]}
        response = self.call("POST", "/withholds", json=body, headers={"Idempotency-Key": "ret-123"})
        self.assertEqual(response.status_code, 201, response.text)
        document = response.json()
        self.assertEqual((document["type"], document["state"], document["partner"]["identification"]),
                         ("retencion", "to_send", SUPPLIER_RUC))
        self.assertEqual(self.call("POST", "/withholds", json=body, headers={"Idempotency-Key": "ret-123"}).json(),
                         document)
        self.env.invalidate_all()
        withhold = bill.l10n_ec_sri_withhold_ids
        self.assertEqual(len(withhold), 1, "the retry issued nothing")
        self.assertEqual(withhold.l10n_ec_sri_document_id.id, document["id"])
        self._run_queue()
        self.assertEqual(self.call("GET", f"/documents/{document['id']}").json()["state"], "authorized")
        self.assertTrue(self.call("GET", f"/documents/{document['id']}/ride").content.startswith(b"%PDF"))
        again = self.call("POST", "/withholds", json={"bill_ids": [bill.id]})
        self.assertError(again, 422, "rejected")
        self.assertIn("already withheld", again.json()["detail"]["message"])

    def test_unknown_bills_are_refused(self):
        self._bill("001-001-000000124")  # another bill of the same supplier is not the one asked for
        self.assertError(self.call("POST", "/withholds", json={"bills": [{"supplier": SUPPLIER_RUC,
                                                                          "number": "001-001-000009999"}]}),
                         404, "bill_not_found", "bills.0")
        self.assertError(self.call("POST", "/withholds", json={"bill_ids": [999999]}), 404, "bill_not_found",
                         "bill_ids")
        self.assertError(self.call("POST", "/withholds", json={}), 422, "invalid_body", "bill_ids")
