# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Browser tour (Chromium): a warehouse user (Inventory / User, no accounting rights) issues the guía de remisión
of a validated delivery from its form, and the simulator authorizes it (static/src/js/tours/)."""
from odoo.tests import new_test_user, tagged

from odoo.addons.l10n_ec_sri.tests.test_xmlrpc import L10nEcSriHttpCase


@tagged("post_install", "-at_install", "l10n_ec_sri_stock")
class TestGuideTour(L10nEcSriHttpCase):
    company_name = "Bodegas del Sur S.A."
    company_ruc = "1791234561001"

    def test_warehouse_user_issues_guide_tour(self):
        env = self.env
        Demo = env["l10n_ec_sri.demo"]
        warehouse = Demo._l10n_ec_sri_stock_warehouse(self.company, "003", "001")
        env["res.lang"]._activate_lang("es_EC")
        env["ir.module.module"]._load_module_terms(["l10n_ec_sri", "l10n_ec_sri_stock"], ["es_EC"], overwrite=True)
        clerk = new_test_user(env, "bodeguero", groups="stock.group_stock_user", company_id=self.company.id,
                              company_ids=self.company.ids, lang="es_EC")
        self.assertFalse(clerk.has_group("account.group_account_invoice"))
        ec = env.ref("base.ec")
        env["res.partner"].create({
            "name": "Luis Guamán", "vat": "1713175071", "country_id": ec.id, "l10n_ec_sri_plate": "PBA-1234",
            "l10n_latam_identification_type_id": env.ref("l10n_ec.ec_dni").id})
        customer = env["res.partner"].create({
            "name": "Juan Pérez", "vat": "1710034065", "country_id": ec.id, "street": "Calle Larga 1-23",
            "city": "Cuenca", "l10n_latam_identification_type_id": env.ref("l10n_ec.ec_dni").id})
        product = env["product.product"].create({"name": "Cemento 50 kg", "is_storable": True,
                                                 "company_id": self.company.id})
        env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 100)
        picking = Demo._l10n_ec_sri_stock_delivery(warehouse, customer, {product: 10})
        self.assertEqual(picking.state, "done")

        self.start_tour(f"/odoo/action-stock.action_picking_tree_all/{picking.id}", "l10n_ec_sri_stock_guide",
                        login="bodeguero")

        guide = picking.l10n_ec_sri_guide_id
        self.assertEqual(guide.name, "003-001-000000001")
        self.assertEqual(guide.create_uid, clerk)
        self.assertEqual(guide.l10n_ec_sri_state, "authorized", guide.l10n_ec_sri_last_error)
        self.assertEqual(guide.plate, "PBA-1234")
        self.assertTrue(guide.l10n_ec_sri_authorized_xml_id)
        self.assertEqual(guide.line_ids.partner_id, customer)
