# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Comprobante de retención issued to suppliers: the wizard's proposal, the entry and its reconciliation,
the SRI flow (XML, signature, authorization, RIDE, mail) and the refusals."""
from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.l10n_ec_sri.sri import schemas as sri_schemas
from odoo.addons.l10n_ec_sri.sri import signing as sri_signing
from odoo.addons.l10n_ec_sri.tests.common import L10nEcSriFlowCase
from odoo.addons.l10n_ec_sri.tests.test_ride import _pdf_text


@tagged("post_install", "-at_install", "l10n_ec_sri_withhold")
class TestWithhold(L10nEcSriFlowCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        chart = cls.env["account.chart.template"].with_company(cls.company)
        cls.tax = chart.ref
        cls.vat_purchase = chart.ref("tax_vat_15_510_sup_01")
        cls.journal_withhold = cls.env["account.journal"].search([
            ("company_id", "=", cls.company.id), ("l10n_ec_sri_withhold_type", "=", "issued")])
        cls.types = {t.code: t for t in cls.env["l10n_ec_sri.taxpayer.type"].search(
            [("company_id", "=", cls.company.id)])}
        ec, ruc = cls.env.ref("base.ec"), cls.env.ref("l10n_ec.ec_ruc")

        def supplier(name, vat, type_code=None, **values):
            partner = cls.env["res.partner"].create({
                "name": name, "vat": vat, "l10n_latam_identification_type_id": ruc.id, "country_id": ec.id,
                "is_company": True, "email": "proveedor@example.com", **values})
            if type_code:
                partner.with_company(cls.company).l10n_ec_sri_taxpayer_type_id = cls.types[type_code]
            return partner

        cls.sociedad = supplier("Distribuidora Andina S.A.", "1790016919001", "sociedad")
        cls.person = supplier("Carlos Mena", "1714283981001", "pn_no_obligada", is_company=False)
        cls.rimpe = supplier("Taller Rimpe", "1792146739001", "rimpe_emprendedor")
        cls.untyped = supplier("Sin Tipo Cía. Ltda.", "1710034065001")
        cls.goods = cls.env["product.product"].create({
            "name": "Resma de papel", "type": "consu", "supplier_taxes_id": [Command.set(cls.vat_purchase.ids)]})
        cls.service = cls.env["product.product"].create({
            "name": "Mantenimiento", "type": "service", "supplier_taxes_id": [Command.set(cls.vat_purchase.ids)]})
        cls.fees = cls.env["product.product"].create({
            "name": "Honorarios profesionales", "type": "service",
            "supplier_taxes_id": [Command.set(cls.vat_purchase.ids)]})
        cls.fees.product_tmpl_id.with_company(cls.company).l10n_ec_sri_withhold_tax_id = chart.ref(
            "tax_withhold_profit_303")
        cls.number = 100

    def _bill(self, partner, product=None, price=100.0, post=True, payment=None, journal=None, **values):
        TestWithhold.number += 1
        vals = {
            "move_type": "in_invoice", "partner_id": partner.id, "invoice_date": self.today,
            "journal_id": (journal or self.company_data["default_journal_purchase"]).id,
            "invoice_line_ids": [Command.create({
                "product_id": (product or self.goods).id, "quantity": 1, "price_unit": price,
                "tax_ids": [Command.set(self.vat_purchase.ids)]})],
            **values,
        }
        if not journal:
            vals["l10n_latam_document_number"] = "001-001-%09d" % TestWithhold.number
            vals["l10n_ec_sri_supplier_authorization"] = "%049d" % TestWithhold.number
        if payment:
            vals["l10n_ec_sri_payment_id"] = self.env["l10n_ec.sri.payment"].search([("code", "=", payment)]).id
        bill = self.env["account.move"].create(vals)
        if post:
            bill.action_post()
        return bill

    def _wizard(self, bills):
        return self.env["l10n_ec_sri.withhold.wizard"].with_context(
            active_model="account.move", active_ids=bills.ids).create({})

    def _proposal(self, bills):
        wizard = self._wizard(bills)
        return wizard, sorted((line.tax_type, line.tax_id.l10n_ec_code_base or "", abs(line.tax_id.amount),
                               line.base, line.amount) for line in wizard.line_ids)

    # --- the proposal --------------------------------------------------------------------------------
    def test_proposal_sociedad_goods(self):
        _wizard, lines = self._proposal(self._bill(self.sociedad, self.goods))
        self.assertEqual(lines, [("profit", "312", 1.75, 100.0, 1.75), ("vat", "", 30.0, 15.0, 4.5)])

    def test_proposal_person_services_company_default(self):
        _wizard, lines = self._proposal(self._bill(self.person, self.service, price=200.0))
        self.assertEqual(lines, [("profit", "3440", 2.75, 200.0, 5.5), ("vat", "", 70.0, 30.0, 21.0)])

    def test_proposal_product_withholding(self):
        _wizard, lines = self._proposal(self._bill(self.person, self.fees, price=500.0))
        self.assertEqual(lines, [("profit", "303", 10.0, 500.0, 50.0), ("vat", "", 70.0, 75.0, 52.5)])

    def test_proposal_rimpe_type_wins_over_product(self):
        _wizard, lines = self._proposal(self._bill(self.rimpe, self.fees, price=100.0))
        self.assertEqual(lines, [("profit", "343", 1.0, 100.0, 1.0), ("vat", "", 70.0, 15.0, 10.5)])

    def test_proposal_card_payment(self):
        _wizard, lines = self._proposal(self._bill(self.sociedad, self.goods, payment="19"))
        self.assertEqual(lines, [("profit", "332", 0.0, 100.0, 0.0), ("vat", "", 0.0, 15.0, 0.0)])

    def test_card_payment_withheld_at_zero_issued(self):
        bill = self._bill(self.sociedad, self.goods, payment="19")
        withhold = self.env["account.move"].browse(self._wizard(bill).action_confirm()["res_id"])
        self.assertEqual(withhold.state, "posted")
        self.assertEqual(withhold.l10n_ec_sri_state, "to_send")
        self.assertEqual(bill.amount_residual, 115.0)
        retenciones = etree.fromstring(withhold.l10n_ec_sri_xml_id.raw).findall(".//retenciones/retencion")
        self.assertEqual(sorted((r.findtext("codigoRetencion"), r.findtext("valorRetenido")) for r in retenciones),
                         [("332", "0.00"), ("7", "0.00")])

    def test_proposal_without_taxpayer_type(self):
        wizard, lines = self._proposal(self._bill(self.untyped, self.service, price=100.0))
        self.assertEqual(lines, [("profit", "3440", 2.75, 100.0, 2.75), ("vat", "", 70.0, 15.0, 10.5)])
        self.assertIn("no taxpayer type", wizard.warning)

    def test_proposal_liquidation_vat_100(self):
        journal = self.env["account.journal"].create({
            "name": "Liquidaciones", "code": "LQW", "type": "purchase", "company_id": self.company.id,
            "l10n_latam_use_documents": True, "l10n_ec_sri_liquidation": True,
            "default_account_id": self.company_data["default_account_expense"].id,
            "l10n_ec_entity": "001", "l10n_ec_emission": "003"})
        farmer = self.env["res.partner"].create({
            "name": "María Quishpe", "vat": "0926687856", "country_id": self.env.ref("base.ec").id,
            "l10n_latam_identification_type_id": self.env.ref("l10n_ec.ec_dni").id})
        farmer.with_company(self.company).l10n_ec_sri_taxpayer_type_id = self.types["pn_no_obligada"]
        bill = self._bill(farmer, self.goods, journal=journal)
        self.assertEqual(bill.l10n_latam_document_type_id.code, "03")
        _wizard, lines = self._proposal(bill)
        self.assertEqual(lines, [("profit", "312", 1.75, 100.0, 1.75), ("vat", "", 100.0, 15.0, 15.0)])
        # its docSustento authorization is our own access key
        self.assertEqual(bill._l10n_ec_sri_support_authorization(), bill.l10n_ec_sri_access_key)

    # --- issuing -------------------------------------------------------------------------------------
    def test_withhold_two_bills_reconciled_authorized(self):
        bill_1 = self._bill(self.sociedad, self.goods, price=100.0)
        bill_2 = self._bill(self.sociedad, self.service, price=200.0)
        wizard = self._wizard(bill_1 | bill_2)
        self.assertEqual(wizard.journal_id, self.journal_withhold)
        self.assertEqual(wizard.total, 1.75 + 4.5 + 5.5 + 21.0)
        action = wizard.action_confirm()
        withhold = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(withhold.state, "posted")
        # an entry, dated by its accounting date: posting gives it no invoice date (reports read that first)
        self.assertFalse(withhold.invoice_date)
        self.assertEqual(withhold.l10n_ec_sri_withhold_number, "001-001-000000001")
        self.assertEqual(withhold.l10n_ec_sri_withheld_ids, bill_1 | bill_2)
        self.assertEqual(bill_1.amount_residual, 115.0 - 6.25)
        self.assertEqual(bill_2.amount_residual, 230.0 - 26.5)
        self.assertEqual(bill_1.l10n_ec_sri_withhold_ids, withhold)
        self.assertEqual(withhold.l10n_ec_sri_state, "to_send")
        signed = withhold.l10n_ec_sri_xml_id.raw
        self.assertTrue(sri_signing.verify(signed))
        self.assertEqual(sri_schemas.validate(signed), [])
        root = etree.fromstring(signed)
        self.assertEqual((root.tag, root.get("version")), ("comprobanteRetencion", "2.0.0"))
        self.assertEqual(root.findtext("infoCompRetencion/identificacionSujetoRetenido"), "1790016919001")
        self.assertEqual(root.findtext("infoCompRetencion/periodoFiscal"), self.today.strftime("%m/%Y"))
        supports = root.findall("docsSustento/docSustento")
        self.assertEqual([s.findtext("numDocSustento") for s in supports],
                         [n.replace("-", "") for n in (bill_1 | bill_2).mapped("l10n_latam_document_number")])
        self.assertEqual(supports[0].findtext("numAutDocSustento"), bill_1.l10n_ec_sri_supplier_authorization)
        self.assertEqual(supports[0].findtext("codSustento"), "01")
        self.assertEqual(sorted((r.findtext("codigo"), r.findtext("codigoRetencion"), r.findtext("valorRetenido"))
                                for r in supports[1].findall("retenciones/retencion")),
                         [("1", "3440", "5.50"), ("2", "2", "21.00")])
        self._run_queue()
        self.assertEqual(withhold.l10n_ec_sri_state, "authorized", withhold.l10n_ec_sri_last_error)
        ride = withhold.l10n_ec_sri_ride_id
        self.assertTrue(ride.raw.startswith(b"%PDF"))
        text = _pdf_text(ride.raw)
        if text is not None:
            self.assertIn("COMPROBANTE DE RETENCIÓN", text)
            self.assertIn("001-001-000000001", text)
            self.assertIn("3440", text)
            self.assertIn("32.75", text)
        message = self.env["mail.message"].search([
            ("model", "=", "account.move"), ("res_id", "=", withhold.id), ("attachment_ids", "!=", False)], limit=1)
        self.assertIn(self.sociedad, message.partner_ids)
        self.assertIn("001-001-000000001", message.subject)
        # legal record: lines, number and the withheld bills are locked
        with self.assertRaises(UserError):
            withhold.l10n_ec_sri_withhold_line_ids[0].amount = 1.0
        with self.assertRaises(UserError):
            withhold.l10n_ec_sri_withhold_number = "001-001-000000009"
        with self.assertRaises(UserError):
            bill_1.button_draft()
        with self.assertRaises(UserError):
            withhold.button_draft()
        # the next one takes the next number
        other = self._wizard(self._bill(self.person, self.service)).action_confirm()
        self.assertEqual(self.env["account.move"].browse(other["res_id"]).l10n_ec_sri_withhold_number,
                         "001-001-000000002")

    def test_edited_proposal(self):
        bill = self._bill(self.sociedad, self.goods)
        wizard = self._wizard(bill)
        vat_line = wizard.line_ids.filtered(lambda l: l.tax_type == "vat")
        vat_line.tax_id = self.tax("tax_withhold_vat_70")
        self.assertEqual(vat_line.amount, 10.5)
        withhold = self.env["account.move"].browse(wizard.action_confirm()["res_id"])
        self.assertEqual(sorted(withhold.l10n_ec_sri_withhold_line_ids.mapped("amount")), [1.75, 10.5])

    # --- refusals: nothing half-done -----------------------------------------------------------------
    def _assert_nothing_issued(self):
        self.assertFalse(self.env["account.move"].search([("journal_id", "=", self.journal_withhold.id)]))
        self.assertEqual(self.journal_withhold.l10n_ec_sri_withhold_next, 1)

    def test_refused_above_base(self):
        wizard = self._wizard(self._bill(self.sociedad, self.goods))
        wizard.line_ids.filtered(lambda l: l.tax_type == "vat").amount = 20.0
        with self.assertRaisesRegex(UserError, "between 0 and its base"):
            wizard.action_confirm()
        wizard = self._wizard(self._bill(self.sociedad, self.goods))
        wizard.line_ids.filtered(lambda l: l.tax_type == "profit").base = 150.0
        with self.assertRaisesRegex(UserError, "above the bill"):
            wizard.action_confirm()
        self._assert_nothing_issued()

    def test_refused_draft_bill(self):
        with self.assertRaisesRegex(UserError, "is not posted"):
            self._wizard(self._bill(self.sociedad, post=False))
        self._assert_nothing_issued()

    def test_refused_dates_out_of_order(self):
        wizard = self._wizard(self._bill(self.sociedad))
        wizard.date = self.today.replace(day=1) if self.today.day > 1 else self.today.replace(year=self.today.year - 1)
        with self.assertRaisesRegex(UserError, "on or after the date"):
            wizard.action_confirm()
        self._assert_nothing_issued()

    def test_refused_two_suppliers_and_missing_authorization(self):
        with self.assertRaisesRegex(UserError, "several suppliers"):
            self._wizard(self._bill(self.sociedad) | self._bill(self.person))
        bill = self._bill(self.sociedad, l10n_ec_sri_supplier_authorization=False)
        bill.l10n_ec_sri_supplier_authorization = False
        with self.assertRaisesRegex(UserError, "no supplier's authorization"):
            self._wizard(bill).action_confirm()
        self._assert_nothing_issued()

    def test_taxpayer_types_are_editable_data(self):
        sociedad = self.types["sociedad"]
        sociedad.vat_goods_tax_id = self.tax("tax_withhold_vat_20")
        _wizard, lines = self._proposal(self._bill(self.sociedad, self.goods))
        self.assertIn(("vat", "", 20.0, 15.0, 3.0), lines)
        with self.assertRaises(Exception):
            sociedad.vat_goods_tax_id = self.tax("tax_withhold_profit_312")
