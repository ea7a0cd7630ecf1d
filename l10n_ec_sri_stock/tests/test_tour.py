# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Over HTTP: a warehouse user (Inventory / User, no accounting rights) issues the guía de remisión of a validated
delivery from its form in Chromium (static/src/js/tours/), and an integrator does it over XML-RPC, where every
change of the posted guía is refused, administrators included."""
from xmlrpc.client import Fault

from odoo.tests import new_test_user, tagged

from odoo.addons.l10n_ec_sri.tests.test_xmlrpc import L10nEcSriHttpCase


@tagged("post_install", "-at_install", "l10n_ec_sri_stock")
class TestGuideTour(L10nEcSriHttpCase):
    company_name = "Bodegas del Sur S.A."
    company_ruc = "1791234561001"

    def _setup(self):
        env = self.env
        Demo = env["l10n_ec_sri.demo"]
        self.warehouse = Demo._l10n_ec_sri_stock_warehouse(self.company, "003", "001")
        ec = env.ref("base.ec")
        self.carrier = env["res.partner"].create({
            "name": "Luis Guamán", "vat": "1713175071", "country_id": ec.id, "l10n_ec_sri_plate": "PBA-1234",
            "l10n_latam_identification_type_id": env.ref("l10n_ec.ec_dni").id})
        self.customer = env["res.partner"].create({
            "name": "Juan Pérez", "vat": "1710034065", "country_id": ec.id, "street": "Calle Larga 1-23",
            "city": "Cuenca", "l10n_latam_identification_type_id": env.ref("l10n_ec.ec_dni").id})
        product = env["product.product"].create({"name": "Cemento 50 kg", "is_storable": True,
                                                 "company_id": self.company.id})
        env["stock.quant"]._update_available_quantity(product, self.warehouse.lot_stock_id, 100)
        return Demo._l10n_ec_sri_stock_delivery(self.warehouse, self.customer, {product: 10})

    def test_xmlrpc_integrator_and_locked_guide(self):
        picking = self._setup()
        clerk = self._sri_user("bodega_rpc", "stock.group_stock_user")
        admin = self._sri_user("sri_admin_rpc", "l10n_ec_sri.group_l10n_ec_sri_admin,stock.group_stock_manager")

        def rpc(user, model, method, *args):
            password = f"{user.login}-Pa55word"
            uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, user.login, password, {})
            return self.xmlrpc_object.execute_kw(self.env.cr.dbname, uid, password, model, method, list(args))

        guide_id = rpc(clerk, "l10n_ec_sri.delivery.guide", "create", {
            "warehouse_id": self.warehouse.id, "carrier_id": self.carrier.id, "plate": "pba 1234",
            "start_address": "Bodega Quito", "line_ids": [[0, 0, {"picking_id": picking.id}]]})
        rpc(clerk, "l10n_ec_sri.delivery.guide", "action_post", [guide_id])
        guide = self.env["l10n_ec_sri.delivery.guide"].browse(guide_id)
        self.assertEqual((guide.name, guide.plate, guide.l10n_ec_sri_state), ("003-001-000000001", "PBA1234",
                                                                             "to_send"))
        line_id = guide.line_ids.id
        for user in (clerk, admin):
            for model, method, args in (
                    ("l10n_ec_sri.delivery.guide", "write", ([guide_id], {"plate": "XYZ-0001"})),
                    ("l10n_ec_sri.delivery.guide", "write", ([guide_id], {"state": "draft"})),
                    ("l10n_ec_sri.delivery.guide", "write", ([guide_id], {"name": "003-001-000000009"})),
                    ("l10n_ec_sri.delivery.guide", "write", ([guide_id], {"l10n_ec_sri_access_key": "1" * 49})),
                    ("l10n_ec_sri.delivery.guide", "unlink", ([guide_id],)),
                    ("l10n_ec_sri.delivery.guide.line", "write", ([line_id], {"reason": "Otro"})),
                    ("l10n_ec_sri.delivery.guide.line", "unlink", ([line_id],)),
                    ("stock.picking", "write", ([picking.id], {"l10n_ec_sri_guide_id": False})),
                    ("l10n_ec_sri.delivery.guide", "create", ({"warehouse_id": self.warehouse.id,
                                                                "state": "posted"},)),
            ):
                with self.subTest(user=user.login, model=model, method=method, args=args), \
                        self.assertRaises(Fault), self.env.cr.savepoint():
                    rpc(user, model, method, *args)
        guide.invalidate_recordset()
        self.assertEqual((guide.state, guide.name, guide.plate), ("posted", "003-001-000000001", "PBA1234"))
        self.assertEqual(picking.l10n_ec_sri_guide_id, guide)

    def test_warehouse_user_issues_guide_tour(self):
        env = self.env
        picking = self._setup()
        customer = self.customer
        env["res.lang"]._activate_lang("es_EC")
        env["ir.module.module"]._load_module_terms(["l10n_ec_sri", "l10n_ec_sri_stock"], ["es_EC"], overwrite=True)
        clerk = new_test_user(env, "bodeguero", groups="stock.group_stock_user", company_id=self.company.id,
                              company_ids=self.company.ids, lang="es_EC")
        self.assertFalse(clerk.has_group("account.group_account_invoice"))
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
