# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Liquidación de compra (codDoc 03): a vendor bill the company issues to a supplier without RUC."""
from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.l10n_ec_sri.sri import access_key as sri_access_key
from odoo.addons.l10n_ec_sri.sri import schemas as sri_schemas
from odoo.addons.l10n_ec_sri.sri import signing as sri_signing

from .common import L10nEcSriFlowCase
from .test_ride import _pdf_text

SUPPLIER_CEDULA = "0926687856"


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestLiquidation(L10nEcSriFlowCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.liquidation_journal = cls.env["account.journal"].create({
            "name": "Liquidaciones de compra", "code": "LIQ", "type": "purchase", "company_id": cls.company.id,
            "l10n_latam_use_documents": True, "l10n_ec_sri_liquidation": True,
            "default_account_id": cls.company_data["default_account_expense"].id,
            "l10n_ec_entity": "001", "l10n_ec_emission": "002",
        })
        cls.farmer = cls.env["res.partner"].create({
            "name": "María Quishpe", "vat": SUPPLIER_CEDULA, "country_id": cls.env.ref("base.ec").id,
            "l10n_latam_identification_type_id": cls.env.ref("l10n_ec.ec_dni").id,
            "street": "Vía a Cayambe km 3", "city": "Cayambe", "email": "maria.quishpe@example.com",
        })
        cls.tax_purchase_15 = cls.env["account.chart.template"].with_company(cls.company).ref(
            "tax_vat_15_510_sup_01")
        cls.tax_purchase_0 = cls.env["account.chart.template"].with_company(cls.company).ref("tax_vat_517_sup_07")

    def _liquidation(self, partner=None, post=True, reimbursements=None):
        move = self.env["account.move"].create({
            "move_type": "in_invoice",
            "partner_id": (partner or self.farmer).id,
            "journal_id": self.liquidation_journal.id,
            "invoice_date": self.today,
            "invoice_line_ids": [
                Command.create({"name": "Quintales de papa", "quantity": 10, "price_unit": 25.0,
                                "tax_ids": [Command.set(self.tax_purchase_0.ids)]}),
                Command.create({"name": "Transporte", "quantity": 1, "price_unit": 40.0,
                                "tax_ids": [Command.set(self.tax_purchase_15.ids)]}),
            ],
            "l10n_ec_sri_reimbursement_ids": reimbursements or [],
        })
        if post:
            move.action_post()
        return move

    def test_liquidation_issued_authorized_mailed(self):
        move = self._liquidation()
        self.assertEqual(move.l10n_latam_document_type_id.code, "03")
        self.assertEqual(move.l10n_latam_document_number, "001-002-000000001")
        self.assertEqual(move.l10n_ec_sri_state, "to_send")
        key = move.l10n_ec_sri_access_key
        self.assertEqual(sri_access_key.parse(key).document_type, "03")
        signed = move.l10n_ec_sri_xml_id.raw
        self.assertTrue(sri_signing.verify(signed))
        self.assertEqual(sri_schemas.validate(signed), [])
        root = etree.fromstring(signed)
        self.assertEqual(root.tag, "liquidacionCompra")
        self.assertEqual(root.get("version"), "1.1.0")
        info = root.find("infoLiquidacionCompra")
        self.assertEqual(info.findtext("tipoIdentificacionProveedor"), "05")
        self.assertEqual(info.findtext("identificacionProveedor"), SUPPLIER_CEDULA)
        self.assertEqual(info.findtext("totalSinImpuestos"), "290.00")
        self.assertEqual(info.findtext("importeTotal"), "296.00")
        self.assertEqual(len(root.findall("detalles/detalle")), 2)
        self._run_queue()
        self.assertEqual(move.l10n_ec_sri_state, "authorized", move.l10n_ec_sri_last_error)
        self.assertTrue(move.l10n_ec_sri_ride_id.name.startswith("Liquidación"), move.l10n_ec_sri_ride_id.name)
        text = _pdf_text(move.l10n_ec_sri_ride_id.raw)
        if text is not None:
            self.assertIn("LIQUIDACIÓN DE COMPRA", text)
            self.assertIn("María Quishpe", text)
            self.assertIn("296.00", text)
        message = self.env["mail.message"].search([
            ("model", "=", "account.move"), ("res_id", "=", move.id), ("attachment_ids", "!=", False)], limit=1)
        self.assertIn(self.farmer, message.partner_ids)

    def test_liquidation_with_reimbursement(self):
        provider = self.env["res.partner"].create({
            "name": "Hotel Quito S.A.", "vat": "1790016919001", "is_company": True,
            "l10n_latam_identification_type_id": self.env.ref("l10n_ec.ec_ruc").id,
            "country_id": self.env.ref("base.ec").id})
        move = self._liquidation(reimbursements=[Command.create({
            "partner_id": provider.id, "number": "001-001-000004567", "date": self.today,
            "authorization": "1234567890", "tax_id": self.tax_purchase_15.id, "base": 100.0})])
        root = etree.fromstring(move.l10n_ec_sri_xml_id.raw)
        self.assertEqual(sri_schemas.validate(root), [])
        detail = root.find("reembolsos/reembolsoDetalle")
        self.assertEqual(detail.findtext("identificacionProveedorReembolso"), "1790016919001")
        self.assertEqual(detail.findtext("secuencialDocReembolso"), "000004567")
        self.assertEqual(detail.findtext("detalleImpuestos/detalleImpuesto/impuestoReembolso"), "15.00")
        self.assertEqual(root.findtext("infoLiquidacionCompra/totalComprobantesReembolso"), "115.00")
        with self.assertRaises(UserError):
            move.l10n_ec_sri_reimbursement_ids.base = 50.0

    def test_liquidation_refused_for_supplier_with_ruc(self):
        company_supplier = self.env["res.partner"].create({
            "name": "Distribuidora S.A.", "vat": "1790016919001", "is_company": True,
            "l10n_latam_identification_type_id": self.env.ref("l10n_ec.ec_ruc").id,
            "country_id": self.env.ref("base.ec").id})
        move = self._liquidation(partner=company_supplier, post=False)
        with self.assertRaises(UserError) as caught:
            move.action_post()
        self.assertIn("has a RUC", str(caught.exception))
        self.assertEqual(move.state, "draft")
        self.assertFalse(move.l10n_ec_sri_document_id)
        self.assertFalse(self.env["l10n_ec_sri.document"].search([("res_model", "=", "account.move"),
                                                                  ("res_id", "=", move.id)]))

    def test_other_purchase_journals_untouched(self):
        bill = self.env["account.move"].create({
            "move_type": "in_invoice", "partner_id": self.farmer.id,
            "journal_id": self.company_data["default_journal_purchase"].id, "invoice_date": self.today,
            "l10n_latam_document_number": "001-001-000000077",
            "invoice_line_ids": [Command.create({"name": "Papel", "quantity": 1, "price_unit": 10.0,
                                                 "tax_ids": [Command.set(self.tax_purchase_15.ids)]})],
        })
        bill.action_post()
        self.assertFalse(bill.l10n_ec_sri_document_id)
