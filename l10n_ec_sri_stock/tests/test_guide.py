# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Guía de remisión from deliveries: the SRI flow (XML, schema, signature, authorization, RIDE, mail), one guía for
two deliveries to two destinatarios, the legal record's locks, and each refusal leaving nothing behind."""
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.l10n_ec_sri.sri import schemas as sri_schemas
from odoo.addons.l10n_ec_sri.sri import signing as sri_signing
from odoo.addons.l10n_ec_sri.tests.common import L10nEcSriFlowCase
from odoo.addons.l10n_ec_sri.tests.test_ride import _pdf_text


@tagged("post_install", "-at_install", "l10n_ec_sri_stock")
class TestDeliveryGuide(L10nEcSriFlowCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Demo = cls.env["l10n_ec_sri.demo"]
        cls.warehouse = Demo._l10n_ec_sri_stock_warehouse(cls.company, "002", "001")
        ec = cls.env.ref("base.ec")
        cls.carrier = cls.env["res.partner"].create({
            "name": "Luis Guamán", "vat": "1713175071", "country_id": ec.id, "l10n_ec_sri_plate": "pba-1234",
            "l10n_latam_identification_type_id": cls.env.ref("l10n_ec.ec_dni").id})
        cls.customer_2 = cls.env["res.partner"].create({
            "name": "Ferretería Guayas Cía. Ltda.", "vat": "0990004196001", "country_id": ec.id, "is_company": True,
            "l10n_latam_identification_type_id": cls.env.ref("l10n_ec.ec_ruc").id,
            "street": "Av. 9 de Octubre 1520", "city": "Guayaquil", "email": "compras@ferreteria.ec"})
        cls.cement, cls.rebar = cls.env["product.product"].create([
            {"name": "Cemento 50 kg", "default_code": "CEM-50", "barcode": "7861234500011", "is_storable": True},
            {"name": "Varilla 12 mm", "default_code": "VAR-12", "is_storable": True},
        ])
        for product in cls.cement | cls.rebar:
            cls.env["stock.quant"]._update_available_quantity(product, cls.warehouse.lot_stock_id, 1000)

    def _delivery(self, partner=None, products=None, validate=True):
        return self.env["l10n_ec_sri.demo"]._l10n_ec_sri_stock_delivery(
            self.warehouse, partner or self.customer, products or {self.cement: 40}, validate=validate)

    def _guide(self, pickings, **values):
        guide = self.env["l10n_ec_sri.delivery.guide"].browse(pickings.action_l10n_ec_sri_guide()["res_id"])
        guide.write({"carrier_id": self.carrier.id, "plate": "PBA-1234", "route": "Quito - Guayaquil", **values})
        return guide

    def _assert_nothing_issued(self, guide):
        self.assertEqual(guide.state, "draft")
        self.assertFalse(guide.name)
        self.assertFalse(guide.l10n_ec_sri_document_id)
        self.assertFalse(guide.line_ids.picking_id.l10n_ec_sri_guide_id)
        self.assertEqual(self.warehouse.l10n_ec_sri_guide_next, 1)
        self.assertFalse(self.env["ir.attachment"].search([("res_model", "=", guide._name), ("res_id", "=", guide.id)]))

    # --- the flow ---------------------------------------------------------------------------------------
    def test_one_guide_two_deliveries_two_recipients_authorized(self):
        invoice = self._invoice()
        delivery_1 = self._delivery(self.customer, {self.cement: 40, self.rebar: 2.5})
        delivery_2 = self._delivery(self.customer_2, {self.rebar: 100})
        guide = self._guide(delivery_1 | delivery_2)
        self.assertEqual(guide.warehouse_id, self.warehouse)
        self.assertEqual(guide.line_ids.mapped("partner_id"), self.customer | self.customer_2)
        self.assertEqual(guide.line_ids.mapped("reason"), ["Venta", "Venta"])
        guide.line_ids[0].invoice_id = invoice
        guide.action_post()
        self.assertEqual((guide.state, guide.name), ("posted", "002-001-000000001"))
        self.assertEqual(guide.l10n_ec_sri_state, "to_send")
        self.assertEqual((delivery_1 | delivery_2).l10n_ec_sri_guide_id, guide)
        signed = guide.l10n_ec_sri_xml_id.raw
        self.assertTrue(sri_signing.verify(signed))
        self.assertEqual(sri_schemas.validate(signed), [])
        root = etree.fromstring(signed)
        self.assertEqual((root.tag, root.get("version")), ("guiaRemision", "1.1.0"))
        self.assertEqual(root.findtext("infoTributaria/codDoc"), "06")
        self.assertEqual((root.findtext("infoTributaria/estab"), root.findtext("infoTributaria/ptoEmi"),
                          root.findtext("infoTributaria/secuencial")), ("002", "001", "000000001"))
        info = root.find("infoGuiaRemision")
        self.assertEqual(info.findtext("rucTransportista"), "1713175071")
        self.assertEqual(info.findtext("tipoIdentificacionTransportista"), "05")
        self.assertEqual(info.findtext("placa"), "PBA-1234")
        self.assertEqual(info.findtext("fechaIniTransporte"), self.today.strftime("%d/%m/%Y"))
        recipients = root.findall("destinatarios/destinatario")
        self.assertEqual([r.findtext("identificacionDestinatario") for r in recipients],
                         [self.customer.vat, "0990004196001"])
        self.assertEqual(recipients[0].findtext("numDocSustento"), invoice.l10n_latam_document_number)
        self.assertEqual(recipients[0].findtext("numAutDocSustento"), invoice.l10n_ec_sri_access_key)
        self.assertEqual(recipients[0].findtext("codDocSustento"), "01")
        self.assertEqual(recipients[0].findtext("ruta"), "Quito - Guayaquil")
        self.assertIsNone(recipients[1].find("numDocSustento"))
        self.assertEqual(recipients[1].findtext("dirDestinatario"), "Av. 9 de Octubre 1520 Guayaquil")
        self.assertEqual(sorted((d.findtext("codigoInterno"), d.findtext("cantidad"))
                                for d in recipients[0].findall("detalles/detalle")),
                         [("CEM-50", "40.00"), ("VAR-12", "2.50")])
        self.assertEqual(recipients[0].find("detalles/detalle").findtext("codigoAdicional"), "7861234500011")
        # the queue sends it, the simulator authorizes it
        self._run_queue()
        self.assertEqual(guide.l10n_ec_sri_state, "authorized", guide.l10n_ec_sri_last_error)
        ride = guide.l10n_ec_sri_ride_id
        self.assertTrue(ride.raw.startswith(b"%PDF"))
        text = _pdf_text(ride.raw)
        self.assertIsNotNone(text, "pdftotext (poppler-utils) is installed by scripts/setup.sh")
        for expected in ("GUÍA DE REMISIÓN", "002-001-000000001", "PBA-1234", "Luis Guamán", "Juan Pérez",
                         "Ferretería Guayas", invoice.l10n_latam_document_number, "Cemento 50 kg", "Quito - Guayaquil",
                         guide.l10n_ec_sri_access_key):
            self.assertIn(expected, text)
        message = self.env["mail.message"].search([
            ("model", "=", guide._name), ("res_id", "=", guide.id), ("attachment_ids", "!=", False)])
        self.assertEqual(len(message), 1)
        self.assertEqual(message.partner_ids, self.customer | self.customer_2)
        self.assertIn("002-001-000000001", message.subject)
        self.assertEqual(set(message.attachment_ids.mapped("mimetype")), {"application/pdf", "application/xml"})
        self.assertEqual(guide.l10n_ec_sri_mail_state, "sent")
        # a legal record: nothing of it changes, by any path
        with self.assertRaises(UserError):
            guide.plate = "XYZ-9999"
        with self.assertRaises(UserError):
            guide.line_ids[0].reason = "Otro"
        with self.assertRaises(UserError):
            guide.line_ids[0].unlink()
        with self.assertRaises(UserError):
            guide.write({"state": "draft"})
        with self.assertRaises(UserError):
            guide.button_draft()
        with self.assertRaises(UserError):
            guide.button_cancel()
        with self.assertRaises(UserError):
            guide.unlink()
        with self.assertRaises(UserError):
            delivery_1.l10n_ec_sri_guide_id = False
        # the delivery travels with one guía: a second one is refused, with nothing half-done
        other = self.env["l10n_ec_sri.delivery.guide"].create({
            "warehouse_id": self.warehouse.id, "carrier_id": self.carrier.id, "plate": "PBA-1234",
            "start_address": "Bodega Quito", "line_ids": [Command.create({"picking_id": delivery_1.id})]})
        with self.assertRaisesRegex(UserError, "already on the authorized guía 002-001-000000001"):
            other.action_post()
        self.assertEqual((other.state, other.name), ("draft", False))
        self.assertEqual(self.warehouse.l10n_ec_sri_guide_next, 2)
        with self.assertRaisesRegex(UserError, "already travel with a guía"):
            delivery_1.action_l10n_ec_sri_guide()

    def test_reset_to_draft_keeps_number_and_key(self):
        self.company.l10n_ec_sri_auto_send = False
        delivery = self._delivery()
        guide = self._guide(delivery)
        guide.action_post()
        key = guide.l10n_ec_sri_access_key
        guide.button_draft()
        self.assertEqual((guide.state, guide.name, guide.l10n_ec_sri_access_key), ("draft", "002-001-000000001", key))
        self.assertFalse(guide.l10n_ec_sri_state)
        self.assertFalse(delivery.l10n_ec_sri_guide_id)
        guide.route = "Quito - Ambato"  # a draft can be fixed
        guide.action_post()
        self.assertEqual((guide.name, guide.l10n_ec_sri_access_key), ("002-001-000000001", key))
        self.assertEqual(self.warehouse.l10n_ec_sri_guide_next, 2)
        signed = self.env["ir.attachment"].search([("res_model", "=", guide._name), ("res_id", "=", guide.id)])
        self.assertEqual(len(signed), 1)
        self.assertIn(b"Quito - Ambato", signed.raw)
        guide.action_l10n_ec_sri_send()  # "Enviar al SRI" (the company does not send on validation)
        self.assertEqual(guide.l10n_ec_sri_state, "authorized", guide.l10n_ec_sri_last_error)

    def test_annulled_guide_cancelled_and_delivery_released(self):
        delivery = self._delivery()
        guide = self._guide(delivery)
        guide.action_post()
        self._run_queue()
        self.assertEqual(guide.l10n_ec_sri_state, "authorized")
        action = guide.action_l10n_ec_sri_annul_wizard()
        self.env[action["res_model"]].with_context(action["context"]).create(
            {"reason": "Transporte no realizado", "confirm": True}).action_annul()
        self.assertEqual((guide.l10n_ec_sri_state, guide.state), ("annulled", "cancel"))
        self.assertFalse(delivery.l10n_ec_sri_guide_id)
        new = self._guide(delivery)
        new.action_post()
        self.assertEqual((new.name, delivery.l10n_ec_sri_guide_id), ("002-001-000000002", new))

    def test_plate_proposed_from_carrier_and_normalized(self):
        guide = self.env["l10n_ec_sri.delivery.guide"].new({"carrier_id": self.carrier.id})
        guide._onchange_carrier_id()
        self.assertEqual(guide.plate, "pba-1234")
        saved = self._guide(self._delivery(), plate=" pba-1234 ")
        self.assertEqual(saved.plate, "PBA-1234")

    def test_internal_transfer_reason(self):
        picking_type = self.warehouse.int_type_id
        picking = self.env["stock.picking"].create({
            "picking_type_id": picking_type.id, "partner_id": self.company.partner_id.id,
            "location_id": self.warehouse.lot_stock_id.id, "location_dest_id": self.warehouse.lot_stock_id.id,
            "move_ids": [Command.create({"name": "Cemento", "product_id": self.cement.id, "product_uom_qty": 5,
                                         "product_uom": self.cement.uom_id.id,
                                         "location_id": self.warehouse.lot_stock_id.id,
                                         "location_dest_id": self.warehouse.lot_stock_id.id})]})
        picking.action_confirm()
        picking.move_ids.quantity = 5
        picking.move_ids.picked = True
        picking.button_validate()
        guide = self._guide(picking)
        self.assertEqual(guide.line_ids.reason, "Traslado entre establecimientos")

    def test_cancel_never_sent_releases_deliveries(self):
        delivery = self._delivery()
        guide = self._guide(delivery)
        self.company.l10n_ec_sri_auto_send = False
        guide.action_post()
        self.assertEqual(delivery.l10n_ec_sri_guide_id, guide)
        guide.button_cancel()
        self.assertEqual(guide.state, "cancel")
        self.assertFalse(delivery.l10n_ec_sri_guide_id)
        self.assertFalse(guide.l10n_ec_sri_state)
        # the delivery may now travel with a new guía
        self._guide(delivery).action_post()
        self.assertEqual(delivery.l10n_ec_sri_guide_id.name, "002-001-000000002")

    def test_warehouse_user_issues_guide(self):
        clerk = new_test_user(self.env, "bodeguero", groups="stock.group_stock_user",
                              company_id=self.company.id, company_ids=self.company.ids)
        invoice = self._invoice()
        delivery = self._delivery().with_user(clerk)
        with self.assertRaises(AccessError):
            invoice.with_user(clerk).read(["name"])
        guide = self.env["l10n_ec_sri.delivery.guide"].with_user(clerk).browse(
            delivery.action_l10n_ec_sri_guide()["res_id"])
        guide.write({"carrier_id": self.carrier.id, "plate": "PBA-1234"})
        guide.line_ids.sudo().invoice_id = invoice
        guide.action_post()
        self.assertEqual(guide.l10n_ec_sri_state, "to_send")
        self.assertEqual(guide.line_ids.invoice_number, invoice.l10n_latam_document_number)
        with self.assertRaises(UserError):
            guide.sudo().write({"state": "draft"})

    # --- refusals: a clear message, nothing half-done ---------------------------------------------------
    def test_refused_missing_plate(self):
        guide = self._guide(self._delivery(), plate=False)
        with self.assertRaisesRegex(UserError, "no vehicle plate"):
            guide.action_post()
        self._assert_nothing_issued(guide)
        guide.plate = "P@1"
        with self.assertRaisesRegex(UserError, "is not a plate"):
            guide.action_post()
        self._assert_nothing_issued(guide)

    def test_refused_carrier_identification(self):
        guide = self._guide(self._delivery())
        self.carrier.vat = "1713175072"  # wrong check digit
        with self.assertRaisesRegex(UserError, "carrier Luis Guamán is not valid for the SRI"):
            guide.action_post()
        self._assert_nothing_issued(guide)
        self.carrier.vat = False
        with self.assertRaisesRegex(UserError, "carrier Luis Guamán has no identification"):
            guide.action_post()
        self._assert_nothing_issued(guide)
        guide.carrier_id = False
        with self.assertRaisesRegex(UserError, "no carrier"):
            guide.action_post()
        self._assert_nothing_issued(guide)

    def test_refused_dates_out_of_order(self):
        guide = self._guide(self._delivery(), transport_start="2026-12-10", transport_end="2026-12-09")
        with self.assertRaisesRegex(UserError, "before the start date"):
            guide.action_post()
        self._assert_nothing_issued(guide)

    def test_refused_delivery_not_validated(self):
        delivery = self._delivery(validate=False)
        with self.assertRaisesRegex(UserError, "Only validated deliveries"):
            delivery.action_l10n_ec_sri_guide()
        guide = self.env["l10n_ec_sri.delivery.guide"].create({
            "warehouse_id": self.warehouse.id, "carrier_id": self.carrier.id, "plate": "PBA-1234",
            "start_address": "Bodega Quito", "line_ids": [Command.create({"picking_id": delivery.id})]})
        with self.assertRaisesRegex(UserError, "is not validated"):
            guide.action_post()
        self._assert_nothing_issued(guide)

    def test_refused_delivery_on_pending_guide(self):
        delivery = self._delivery()
        self.company.l10n_ec_sri_auto_send = False
        self._guide(delivery).action_post()
        other = self.env["l10n_ec_sri.delivery.guide"].create({
            "warehouse_id": self.warehouse.id, "carrier_id": self.carrier.id, "plate": "PBA-1234",
            "start_address": "Bodega Quito", "line_ids": [Command.create({"picking_id": delivery.id})]})
        with self.assertRaisesRegex(UserError, "already on the guía 002-001-000000001: cancel that one first"):
            other.action_post()
        self.assertEqual((other.state, other.name), ("draft", False))

    def test_refused_warehouse_not_configured_and_invoice_of_another_customer(self):
        guide = self._guide(self._delivery())
        guide.line_ids.invoice_id = self._invoice(partner=self.customer_2)
        self.warehouse.l10n_ec_sri_guide_emission = False
        with self.assertRaises(UserError) as caught:
            guide.action_post()
        message = str(caught.exception)
        self.assertIn("needs the establecimiento and punto de emisión", message)
        self.assertIn("not of the destinatario Juan Pérez", message)
        self._assert_nothing_issued(guide)

    def test_created_as_draft_only(self):
        with self.assertRaises(UserError):
            self.env["l10n_ec_sri.delivery.guide"].create({"warehouse_id": self.warehouse.id, "state": "posted"})
        with self.assertRaises(UserError):
            self.env["l10n_ec_sri.delivery.guide"].create({"warehouse_id": self.warehouse.id, "name": "002-001-1"})
