# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An integrator (a warehouse system) issues the guía de remisión of a validated delivery over the JSON API,
follows it and downloads its RIDE; every answer validated against the served OpenAPI description."""
from odoo.tests import tagged

from odoo.addons.l10n_ec_sri_api.tests.common import L10nEcSriApiCase


@tagged("post_install", "-at_install", "l10n_ec_sri_api_stock")
class TestApiGuide(L10nEcSriApiCase):
    company_name = "Bodegas API S.A."

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.editor.groups_id = [(4, cls.env.ref("stock.group_stock_user").id)]
        env = cls.env
        Demo = env["l10n_ec_sri.demo"]
        cls.warehouse = Demo._l10n_ec_sri_stock_warehouse(cls.company, "003", "001")
        ec = env.ref("base.ec")
        cls.customer = env["res.partner"].create({
            "name": "Juan Pérez", "vat": "1710034065", "country_id": ec.id, "street": "Calle Larga 1-23",
            "city": "Cuenca", "l10n_latam_identification_type_id": env.ref("l10n_ec.ec_dni").id})
        cls.cement = env["product.product"].create({"name": "Cemento 50 kg", "is_storable": True,
                                                    "company_id": cls.company.id})
        env["stock.quant"]._update_available_quantity(cls.cement, cls.warehouse.lot_stock_id, 100)

    def _delivery(self, validate=True):
        return self.env["l10n_ec_sri.demo"]._l10n_ec_sri_stock_delivery(
            self.warehouse, self.customer, {self.cement: 10}, validate=validate)

    def test_guide_issued_followed_and_downloaded(self):
        picking = self._delivery()
        self.env.flush_all()
        body = {"pickings": [picking.name], "plate": "pba-1234", "route": "Quito - Cuenca",
                "carrier": {"identification": "1104567894", "identification_type": "cedula", "name": "Luis Guamán"}}
        response = self.call("POST", "/guides", json=body, headers={"Idempotency-Key": "guia-1"})
        self.assertEqual(response.status_code, 201, response.text)
        document = response.json()
        self.assertEqual((document["type"], document["number"], document["state"]),
                         ("guia_remision", "003-001-000000001", "to_send"))
        retry = self.call("POST", "/guides", json=body, headers={"Idempotency-Key": "guia-1"})
        self.assertEqual(retry.json(), document)
        self.assertEqual(self.env["l10n_ec_sri.delivery.guide"].search_count([("company_id", "=", self.company.id)]),
                         1, "the retry issued nothing")
        self.env.invalidate_all()  # written by the request
        self.assertEqual(picking.l10n_ec_sri_guide_id.plate, "PBA-1234")
        self.assertEqual(picking.l10n_ec_sri_guide_id.carrier_id.vat, "1104567894")

        self._run_queue()
        self.assertEqual(self.call("GET", f"/documents/{document['id']}").json()["state"], "authorized")
        self.assertTrue(self.call("GET", f"/documents/{document['id']}/ride").content.startswith(b"%PDF"))
        listed = self.call("GET", "/documents", params={"type": "guia_remision"}).json()
        self.assertEqual([d["id"] for d in listed["items"]], [document["id"]])
        # the same delivery cannot travel on a second guía
        again = self.call("POST", "/guides", json=body)
        self.assertError(again, 422, "rejected")
        self.assertIn(picking.name, again.json()["detail"]["message"])

    def test_bad_guides_are_refused_whole(self):
        draft = self._delivery(validate=False)
        self.env.flush_all()
        carrier = {"identification": "1104567894", "identification_type": "cedula", "name": "Luis Guamán"}
        self.assertError(self.call("POST", "/guides", json={"pickings": ["NOPE/0001"], "carrier": carrier}),
                         404, "picking_not_found", "pickings")
        self.assertError(self.call("POST", "/guides", json={"picking_ids": [draft.id]}), 422, "invalid_body",
                         "carrier")
        not_done = self.call("POST", "/guides", json={"picking_ids": [draft.id], "carrier": carrier,
                                                      "plate": "PBA-1234"})
        self.assertError(not_done, 422, "rejected")
        self.env.invalidate_all()
        self.assertFalse(self.env["l10n_ec_sri.delivery.guide"].search([("company_id", "=", self.company.id)]))
        self.assertFalse(self.env["res.partner"].search([("vat", "=", "1104567894")]), "the carrier rolled back")
