# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Received SRI documents: facturas, notas de crédito / débito of suppliers as draft vendor documents and
retenciones of customers as withholding entries on our invoices, imported from files, access keys (the
simulator serves documents issued by others) and the SRI portal's TXT list; the refusals; the received
record as a legal record nobody changes."""
import base64
from types import SimpleNamespace
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import flow_env
from odoo.addons.l10n_ec_sri.sri import received as sri_received
from odoo.addons.l10n_ec_sri.sri import testing as sri_testing
from odoo.addons.l10n_ec_sri.tests.common import COMPANY_RUC, CUSTOMER_CEDULA, L10nEcSriFlowCase

SUPPLIER_RUC = sri_testing.SUPPLIER_RUC
OTHER_RUC = "1791004213001"  # a valid RUC of a supplier the database does not know


@tagged("post_install", "-at_install", "l10n_ec_sri_withhold")
class TestReceived(L10nEcSriFlowCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Received = cls.env["l10n_ec_sri.received"]
        chart = cls.env["account.chart.template"].with_company(cls.company)
        cls.vat15 = chart.ref("tax_vat_15_510_sup_01")
        cls.vat0 = chart.ref("tax_vat_517_sup_02")
        cls.withhold_profit = chart.ref("tax_withhold_profit_sale_1_75x100")
        cls.withhold_vat = chart.ref("tax_sale_withhold_vat_30")
        cls.purchase_journal = cls.company_data["default_journal_purchase"]
        cls.withhold_journal = cls.env["account.journal"].search([
            ("company_id", "=", cls.company.id), ("l10n_ec_sri_withhold_type", "=", "received")])
        # the customer of our invoices that sends us retenciones (the issuer of received_xml's documents)
        cls.ruc_customer = cls.env["res.partner"].create({
            "name": sri_testing.SUPPLIER_NAME,
            "vat": SUPPLIER_RUC,
            "is_company": True,
            "l10n_latam_identification_type_id": cls.env.ref("l10n_ec.ec_ruc").id,
            "country_id": cls.env.ref("base.ec").id,
            "street": "Av. 9 de Octubre 100",
        })
        cls.sequential = 0

    # helpers -------------------------------------------------------------------------------
    def _xml(self, kind, version=None, **kwargs):
        TestReceived.sequential += 1
        kwargs.setdefault("sequential", 1000 + TestReceived.sequential)
        return sri_testing.received_xml(kind, version, **kwargs)

    def _import(self, *datas, keys=()):
        return self.Received._l10n_ec_sri_import(self.company, datas=list(datas), keys=list(keys))

    def _import_one(self, data=None, keys=()):
        records, errors = self._import(*([data] if data else []), keys=keys)
        self.assertFalse(errors, errors)
        self.assertEqual(len(records), 1)
        return records

    def _refused(self, *datas, keys=()):
        """The reasons of the documents refused (nothing imported)."""
        records, errors = self._import(*datas, keys=keys)
        self.assertFalse(records)
        return [reason for _label, reason in errors]

    def _core_message(self, data):
        with self.assertRaises(sri_received.ReceivedError) as caught:
            sri_received.read(data)
        return caught.exception.message

    def _our_invoice(self, price=100.0):
        return self._invoice(partner=self.ruc_customer, price=price)

    def _retencion(self, invoices, version="2.0.0", supports=None, **kwargs):
        supports = supports or [{
            "doc_number": invoice.l10n_latam_document_number, "doc_date": invoice.invoice_date,
            "base": "%.2f" % invoice.amount_untaxed,
            "withholdings": [
                {"code": "1", "withholding_code": "312", "base": "%.2f" % invoice.amount_untaxed, "percentage": "1.75"},
                {"code": "2", "withholding_code": "1", "base": "%.2f" % invoice.amount_tax, "percentage": "30"},
            ],
        } for invoice in invoices]
        return self._xml("retencion", version, supports=supports, **kwargs)

    def _check_factura(self, record, version, data):
        move = record.move_id
        self.assertEqual(record.code, "01")
        self.assertEqual(record.version, version)
        self.assertEqual(record.state, "imported")
        self.assertEqual(record.issuer_ruc, SUPPLIER_RUC)
        self.assertEqual(record.total, 58.0)
        self.assertEqual(record.xml_id.raw, data, "the authorized XML is kept as it came")
        self.assertEqual(record.xml_id.res_model, "l10n_ec_sri.received")
        self.assertEqual(record.xml_id.res_id, record.id)
        self.assertEqual(move.l10n_ec_sri_received_id, record)
        self.assertEqual((move.move_type, move.state), ("in_invoice", "draft"))
        self.assertEqual(move.journal_id, self.purchase_journal)
        self.assertEqual(move.l10n_latam_document_type_id.code, "01")
        self.assertEqual(move.l10n_latam_document_number, record.number)
        self.assertEqual(move.invoice_date, record.emission_date)
        self.assertEqual(move.l10n_ec_sri_supplier_authorization, record.access_key)
        partner = move.partner_id
        self.assertEqual(partner, record.partner_id)
        self.assertEqual((partner.vat, partner.name), (SUPPLIER_RUC, sri_testing.SUPPLIER_NAME))
        paper, transport = move.invoice_line_ids.sorted("sequence")
        self.assertIn("Resma de papel bond A4 75 g", paper.name)
        self.assertEqual((paper.quantity, paper.price_unit), (10.0, 4.25))
        self.assertAlmostEqual(paper.price_subtotal, 40.0)
        self.assertEqual(paper.tax_ids, self.vat15)
        self.assertEqual((transport.quantity, transport.price_unit, transport.discount), (1.0, 12.0, 0.0))
        self.assertEqual(transport.tax_ids, self.vat0)
        self.assertAlmostEqual(move.amount_untaxed, 52.0)
        self.assertAlmostEqual(move.amount_tax, 6.0)
        self.assertAlmostEqual(move.amount_total, 58.0)
        self.assertFalse(record.note)

    # facturas ------------------------------------------------------------------------------
    def test_factura_every_version(self):
        self.ruc_customer.vat = "1793002242001"  # the supplier is not known yet: it is created once
        for version in ("1.0.0", "1.1.0", "2.0.0", "2.1.0"):
            with self.subTest(version=version):
                data = self._xml("factura", version)
                self._check_factura(self._import_one(data), version, data)
        partners = self.env["res.partner"].search([("vat", "=", SUPPLIER_RUC)])
        self.assertEqual(len(partners), 1)
        self.assertEqual(partners.l10n_latam_identification_type_id, self.env.ref("l10n_ec.ec_ruc"))
        self.assertEqual(partners.street, "Av. 9 de Octubre 100 y Malecón, Guayaquil")
        self.assertEqual(len(self.Received.search([("company_id", "=", self.company.id)])), 4)

    def test_factura_known_partner_and_product(self):
        paper = self.env["product.product"].create({"name": "Papel A4", "default_code": "PAP-A4-75"})
        transport = self.env["product.product"].create({"name": "Flete", "barcode": "TRA-LOC"})
        record = self._import_one(self._xml("factura"))
        move = record.move_id
        self.assertEqual(move.partner_id, self.ruc_customer, "the partner is found by its RUC")
        lines = move.invoice_line_ids.sorted("sequence")
        self.assertEqual(lines.product_id, paper | transport)
        self.assertEqual(lines[0].name, "Resma de papel bond A4 75 g")
        self.assertEqual(lines[0].tax_ids, self.vat15, "the document's taxes, not the product's")

    def test_factura_without_product_keeps_code(self):
        move = self._import_one(self._xml("factura")).move_id
        self.assertFalse(move.invoice_line_ids.product_id)
        self.assertEqual(move.invoice_line_ids.sorted("sequence")[0].name, "[PAP-A4-75] Resma de papel bond A4 75 g")

    def test_factura_total_mismatch_noted(self):
        # 6 decimals in the unit price: Odoo keeps 2 (Product Price), so its total differs from the SRI's
        data = self._xml("factura", lines=[{"main_code": "TORN", "description": "Tornillos", "quantity": "1000",
                                            "unit_price": "0.012345", "taxes": [{"code": "2", "rate_code": "4"}]}])
        record = self._import_one(data)
        move = record.move_id
        self.assertEqual(move.state, "draft", "the draft is created anyway")
        self.assertAlmostEqual(move.amount_total, 11.5)
        self.assertAlmostEqual(record.total, 14.2)
        self.assertIn("differs from the total of the supplier's document", record.note)
        self.assertIn("differs from the total", move.message_ids[:1].body)

    def test_factura_historical_rate(self):
        """IVA 12 % (codigoPorcentaje 2, until March 2024): l10n_ec keeps its purchase taxes archived."""
        data = self._xml("factura", lines=[{"main_code": "X", "description": "Algo", "quantity": "1",
                                            "unit_price": "10", "taxes": [{"code": "2", "rate_code": "2"}]}])
        move = self._import_one(data).move_id
        tax = self.env["account.chart.template"].with_company(self.company).ref("tax_vat_510_sup_01")
        self.assertEqual(move.invoice_line_ids.tax_ids, tax)
        self.assertAlmostEqual(move.amount_total, 11.2)

    def test_factura_unknown_rate_refused(self):
        data = self._xml("factura", lines=[{"main_code": "X", "description": "Algo", "quantity": "1",
                                            "unit_price": "10", "taxes": [{"code": "2", "rate_code": "3"}]}])
        reasons = self._refused(data)
        self.assertIn("no purchase tax for IVA 14 %", reasons[0])

    # notas de crédito / débito -------------------------------------------------------------
    def test_credit_note_linked_to_bill(self):
        bill = self._import_one(self._xml("factura", sequential=45)).move_id  # 002-001-000000045
        bill.action_post()
        for version in ("1.0.0", "1.1.0"):
            with self.subTest(version=version):
                record = self._import_one(self._xml("nota_credito", version))
                refund = record.move_id
                self.assertEqual((record.code, record.version), ("04", version))
                self.assertEqual((refund.move_type, refund.state), ("in_refund", "draft"))
                self.assertEqual(refund.l10n_latam_document_type_id.code, "04")
                self.assertEqual(refund.reversed_entry_id, bill)
                self.assertEqual(refund.partner_id, bill.partner_id)
                self.assertEqual((refund.invoice_line_ids.quantity, refund.invoice_line_ids.price_unit), (2.0, 4.25))
                self.assertEqual(refund.invoice_line_ids.tax_ids, self.vat15)
                self.assertAlmostEqual(refund.amount_total, 9.78)
                self.assertAlmostEqual(record.total, 9.78)
                self.assertIn("Devolución de mercadería defectuosa", refund.ref)

    def test_credit_note_without_bill(self):
        refund = self._import_one(self._xml("nota_credito", "1.1.0")).move_id
        self.assertEqual(refund.move_type, "in_refund")
        self.assertFalse(refund.reversed_entry_id)

    def test_debit_note(self):
        bill = self._import_one(self._xml("factura", sequential=45)).move_id
        record = self._import_one(self._xml("nota_debito", "1.0.0"))
        note = record.move_id
        self.assertEqual((record.code, record.version), ("05", "1.0.0"))
        self.assertEqual((note.move_type, note.state), ("in_invoice", "draft"))
        self.assertEqual(note.l10n_latam_document_type_id.code, "05")
        self.assertEqual(note.debit_origin_id, bill)
        lines = note.invoice_line_ids.sorted("sequence")
        self.assertEqual(lines.mapped("name"), ["Intereses por mora (30 días)", "Gastos de cobranza"])
        self.assertEqual(lines.mapped("price_unit"), [10.0, 2.0])
        self.assertEqual(lines.tax_ids, self.vat15)
        self.assertAlmostEqual(note.amount_total, 13.8)

    def test_debit_note_without_bill(self):
        note = self._import_one(self._xml("nota_debito")).move_id
        self.assertEqual(note.l10n_latam_document_type_id.code, "05")
        self.assertFalse(note.debit_origin_id)

    # retenciones ---------------------------------------------------------------------------
    def _check_retencion(self, record, invoice, version):
        entry = record.move_id
        self.assertEqual((record.code, record.version), ("07", version))
        self.assertAlmostEqual(record.total, 6.25)
        self.assertEqual(record.partner_id, self.ruc_customer)
        self.assertEqual(entry.state, "posted")
        self.assertEqual(entry.journal_id, self.withhold_journal)
        self.assertEqual(entry.l10n_ec_sri_withhold_number, record.number)
        self.assertEqual(entry.l10n_ec_sri_received_id, record)
        lines = entry.l10n_ec_sri_withhold_line_ids
        self.assertEqual(lines.bill_id, invoice)
        self.assertEqual(sorted((l.tax_type, l.tax_id.id, l.code, l.base, l.amount) for l in lines), sorted([
            ("profit", self.withhold_profit.id, "312", 100.0, 1.75),
            ("vat", self.withhold_vat.id, "1", 15.0, 4.5),
        ]))
        self.assertAlmostEqual(invoice.amount_residual, 115.0 - 6.25, msg="the withholding is reconciled")

    def test_retencion_by_file(self):
        for version in ("1.0.0", "2.0.0"):
            with self.subTest(version=version):
                invoice = self._our_invoice()
                record = self._import_one(self._retencion(invoice, version))
                self._check_retencion(record, invoice, version)

    def test_retencion_by_key(self):
        for version in ("1.0.0", "2.0.0"):
            with self.subTest(version=version):
                invoice = self._our_invoice()
                key = self.simulator.seed(self._retencion(invoice, version))
                record = self._import_one(keys=[key])
                self.assertEqual(record.access_key, key)
                self._check_retencion(record, invoice, version)
                self.assertIn(b"<autorizacion>", record.xml_id.raw)
                exchange = self.env["l10n_ec_sri.exchange"].search([("access_key", "=", key)])
                self.assertEqual((exchange.kind, exchange.company_id, exchange.state), ("authorize", self.company,
                                                                                       "AUTORIZADO"))

    def test_retencion_two_invoices(self):
        first, second = self._our_invoice(), self._our_invoice(price=200.0)
        record = self._import_one(self._retencion(first | second))
        self.assertEqual(record.move_id.l10n_ec_sri_withhold_line_ids.bill_id, first | second)
        self.assertAlmostEqual(first.amount_residual, 115.0 - 6.25)
        self.assertAlmostEqual(second.amount_residual, 230.0 - 12.5)

    def test_retencion_invoice_missing_or_draft(self):
        invoice = self._our_invoice()
        draft = self._our_invoice()
        draft.button_draft()
        other = self._invoice()  # issued to another customer
        reasons = self._refused(
            self._retencion(invoice, supports=[{"doc_number": "001-001-000009999", "withholdings": [
                {"code": "1", "withholding_code": "312", "base": "100.00", "percentage": "1.75"}]}]),
            self._retencion(invoice, supports=[{"doc_number": draft.l10n_latam_document_number, "withholdings": [
                {"code": "1", "withholding_code": "312", "base": "100.00", "percentage": "1.75"}]}]),
            self._retencion(other),
        )
        self.assertIn("has no invoice 001-001-000009999 issued to that customer", reasons[0])
        self.assertIn("which is not posted", reasons[1])
        self.assertIn("(it is issued to Juan Pérez)", reasons[2])
        self.assertAlmostEqual(invoice.amount_residual, 115.0)

    def test_retencion_unknown_withholding_tax(self):
        invoice = self._our_invoice()
        data = self._retencion(invoice, supports=[{"doc_number": invoice.l10n_latam_document_number, "withholdings": [
            {"code": "1", "withholding_code": "3482", "base": "100.00", "percentage": "0.5"}]}])
        reasons = self._refused(data)
        self.assertIn("no sale withholding tax of income tax (renta) at 0.5 %", reasons[0])

    def test_no_received_withholding_journal(self):
        invoice = self._our_invoice()
        self.withhold_journal.l10n_ec_sri_withhold_type = False
        reasons = self._refused(self._retencion(invoice))
        self.assertIn("has no journal for the withholdings received from customers", reasons[0])

    # keys and the TXT list ---------------------------------------------------------------
    def test_txt_list(self):
        keys = [self.simulator.seed(self._xml("factura")), self.simulator.seed(self._xml("nota_debito"))]
        txt = "\r\n".join([
            "COMPROBANTE\tSERIE_COMPROBANTE\tRUC_EMISOR\tRAZON_SOCIAL_EMISOR\tFECHA_EMISION\tCLAVE_ACCESO",
            f"Factura\t002-001-000001001\t{SUPPLIER_RUC}\tPROVEEDORA\t01/01/2025\t{keys[0]}",
            f"Notas de Débito\t002-001-000001002\t{SUPPLIER_RUC}\tPROVEEDORA\t01/01/2025\t{keys[1]}",
        ]).encode("utf-8")
        records, errors = self._import(("recibidos.txt", txt))
        self.assertFalse(errors, errors)
        self.assertEqual(records.mapped("access_key"), keys)
        self.assertEqual(records.mapped("code"), ["01", "05"])

    def test_txt_without_keys(self):
        reasons = self._refused(("recibidos.txt", b"COMPROBANTE\tCLAVE_ACCESO\nFactura\t123\n"))
        self.assertIn("no contiene ninguna clave de acceso", reasons[0])

    def test_unknown_key(self):
        key = sri_received.read(self._xml("factura")).access_key  # never sent to the SRI
        reasons = self._refused(keys=[key])
        self.assertIn("El SRI no tiene ningún comprobante autorizado con la clave de acceso %s" % key, reasons[0])
        self.assertFalse(self.Received.search([("access_key", "=", key)]))
        self.assertTrue(self.env["l10n_ec_sri.exchange"].search([("access_key", "=", key)]), "the call is logged")

    def test_sri_unreachable(self):
        self.company.l10n_ec_sri_endpoint_url = "http://127.0.0.1:9"
        key = sri_received.read(self._xml("factura")).access_key
        reasons = self._refused(keys=[key])
        self.assertIn("No se pudo consultar el SRI", reasons[0])

    def test_parse_keys(self):
        one, two = (sri_received.read(self._xml("factura")).access_key for _i in range(2))
        keys, errors = self.Received._l10n_ec_sri_parse_keys(f" {one},{two}\n{one[:-1]} ; ")
        self.assertEqual(keys, [one, two])
        self.assertIn("it has 48 digits instead of 49", errors[0][1])

    # refusals ------------------------------------------------------------------------------
    def test_duplicate_key(self):
        data = self._xml("factura")
        record = self._import_one(data)
        reasons = self._refused(data)
        self.assertIn("was already imported", reasons[0])
        self.assertIn(record.access_key, reasons[0])
        key = self.simulator.seed(data)
        self.assertIn("was already imported", self._refused(keys=[key])[0])
        self.assertEqual(self.env["account.move"].search_count([("l10n_ec_sri_received_id", "=", record.id)]), 1)

    def test_duplicate_in_one_batch(self):
        data = self._xml("factura")
        records, errors = self._import(data, data)
        self.assertEqual(len(records), 1)
        self.assertIn("is more than once in this import", errors[0][1])
        key = self.simulator.seed(self._xml("factura"))
        records, errors = self._import(keys=[key, key])
        self.assertEqual(len(records), 1)
        self.assertIn("is more than once in this import", errors[0][1])

    def test_other_receiver(self):
        data = self._xml("factura", receiver_identification=CUSTOMER_CEDULA, receiver_name="Juan Pérez")
        reason = self._refused(data)[0]
        self.assertIn(CUSTOMER_CEDULA, reason)
        self.assertIn(COMPANY_RUC, reason)
        self.assertIn("only the documents issued to the company are imported", reason)

    def test_corrupted_file(self):
        data = self._xml("factura")
        truncated = data[:len(data) // 2]
        tampered = data.replace(b"Resma de papel bond", b"Resma de papel XXXX", 1)
        reasons = self._refused(("truncated.xml", truncated), ("tampered.xml", tampered))
        self.assertEqual(reasons, [self._core_message(truncated), self._core_message(tampered)])
        self.assertIn("firma", reasons[1])

    def test_foreign_xml(self):
        foreign = b'<?xml version="1.0"?><pedido><numero>1</numero></pedido>'
        pdf = b"%PDF-1.4 not an xml"
        reasons = self._refused(("pedido.xml", foreign), ("ride.pdf", pdf))
        self.assertEqual(reasons, [self._core_message(foreign), self._core_message(pdf)])

    def test_unauthorized_and_unsigned(self):
        rejected = self._xml("factura", state="NO AUTORIZADO")
        bare = self._xml("factura", wrap=False)
        reasons = self._refused(rejected, bare)
        self.assertEqual(reasons, [self._core_message(rejected), self._core_message(bare)])

    def test_liquidacion_refused(self):
        reason = self._refused(self._xml("liquidacion_compra", receiver_identification=COMPANY_RUC))[0]
        self.assertIn("liquidación de compra", reason)

    def test_test_environment_in_production(self):
        self.company.write({"l10n_ec_sri_environment": "2"})
        reason = self._refused(self._xml("factura"))[0]
        self.assertIn("test environment", reason)

    def test_batch_all_or_nothing_per_document(self):
        bad = self._xml("factura", issuer_ruc=OTHER_RUC, lines=[{
            "main_code": "X", "description": "Algo", "quantity": "1", "unit_price": "10",
            "taxes": [{"code": "2", "rate_code": "3"}]}])  # IVA 14 %: the company has no purchase tax for it
        good = self._xml("factura")
        moves_before = self.env["account.move"].search_count([])
        records, errors = self._import(("bad.xml", bad), ("good.xml", good))
        self.assertEqual(len(records), 1)
        self.assertEqual(records.issuer_ruc, SUPPLIER_RUC)
        self.assertEqual([label for label, _reason in errors], ["bad.xml"])
        self.assertFalse(self.env["res.partner"].search([("vat", "=", OTHER_RUC)]), "the partner is rolled back")
        self.assertFalse(self.Received.search([("issuer_ruc", "=", OTHER_RUC)]))
        self.assertEqual(self.env["account.move"].search_count([]), moves_before + 1)
        self.assertFalse(self.env["ir.attachment"].search([("res_model", "=", "l10n_ec_sri.received"),
                                                           ("res_id", "=", 0)]))

    @mute_logger("odoo.addons.l10n_ec_sri_withhold.models.l10n_ec_sri_received")
    def test_unexpected_error_falls_back_document_by_document(self):
        """The vendor documents of a batch are created together; an unexpected error there rolls the whole batch
        back and each document is imported again on its own: only the failing one is refused."""
        first, second = self._xml("factura"), self._xml("factura", issuer_ruc=OTHER_RUC)
        Move = type(self.env["account.move"])
        original = Move._l10n_ec_sri_received_check_total

        def failing(move, doc):
            if doc.issuer_ruc == OTHER_RUC:
                raise RuntimeError("disk full")
            return original(move, doc)

        moves_before = self.env["account.move"].search_count([])
        with patch.object(Move, "_l10n_ec_sri_received_check_total", failing):
            records, errors = self._import(("first.xml", first), ("second.xml", second))
        self.assertEqual(records.issuer_ruc, SUPPLIER_RUC)
        self.assertEqual([label for label, _reason in errors], ["second.xml"])
        self.assertIn("disk full", errors[0][1])
        self.assertEqual(self.env["account.move"].search_count([]), moves_before + 1)
        self.assertFalse(self.env["res.partner"].search([("vat", "=", OTHER_RUC)]))

    def test_bad_issuer_ruc(self):
        doc = SimpleNamespace(issuer_ruc="1790016919000", issuer_name="RUC MALO S.A.", issuer_trade_name=None,
                              issuer_address=None, number="001-001-000000001")
        with self.assertRaises(UserError) as caught:
            self.Received._l10n_ec_sri_partner(self.company, doc)
        self.assertIn("has a RUC (1790016919000) the SRI refuses", caught.exception.args[0])
        self.assertFalse(self.env["res.partner"].search([("vat", "=", "1790016919000")]))

    # the record is a legal record ----------------------------------------------------------
    def test_record_cannot_be_changed(self):
        record = self._import_one(self._xml("factura"))
        move = record.move_id
        with self.assertRaises(UserError):
            record.write({"number": "001-001-000000999"})
        with self.assertRaises(UserError):
            record.sudo().write({"move_id": False})
        with self.assertRaises(UserError):
            record.unlink()
        with self.assertRaises(UserError):
            self.Received.create({"company_id": self.company.id, "access_key": "1" * 49, "code": "01"})
        with self.assertRaises(UserError):
            flow_env(record).write({"number": "001-001-000000999"})  # the flow only relinks the move
        with self.assertRaises(UserError):
            move.write({"l10n_ec_sri_received_id": False})
        with self.assertRaises(UserError):
            record.xml_id.unlink()
        with self.assertRaises(UserError):
            record.xml_id.write({"raw": b"<x/>"})
        self.assertEqual(move.copy().l10n_ec_sri_received_id.id, False)

    def test_deleted_move_imported_again(self):
        data = self._xml("factura")
        record = self._import_one(data)
        record.move_id.unlink()
        self.assertEqual(record.state, "deleted")
        again = self._import_one(data)
        self.assertEqual(again, record, "the same record gets the new draft")
        self.assertEqual(again.state, "imported")
        self.assertEqual(again.move_id.l10n_ec_sri_received_id, record)

    def test_cancelled_move(self):
        record = self._import_one(self._xml("factura"))
        record.move_id.button_cancel()
        self.assertEqual(record.state, "cancelled")
        self.assertIn("was already imported", self._refused(record.xml_id.raw)[0])

    # the wizard ----------------------------------------------------------------------------
    def _wizard(self, **values):
        return self.env["l10n_ec_sri.import.wizard"].create(values)

    def test_wizard(self):
        data = self._xml("factura")
        attachment = self.env["ir.attachment"].create({"name": "factura.xml", "raw": data,
                                                       "res_model": "l10n_ec_sri.import.wizard"})
        key = self.simulator.seed(self._xml("nota_debito"))
        txt_key = self.simulator.seed(self._xml("nota_credito"))
        txt = f"COMPROBANTE\tCLAVE_ACCESO\nNota de crédito\t{txt_key}\n".encode()
        wizard = self._wizard(attachment_ids=[Command.set(attachment.ids)], keys_text=f"{key}\n12345678901",
                              txt_file=base64.b64encode(txt), txt_filename="recibidos.txt")
        action = wizard.action_import()
        self.assertEqual(action["res_id"], wizard.id)
        self.assertEqual(wizard.state, "done")
        self.assertEqual(sorted(wizard.received_ids.mapped("code")), ["01", "04", "05"])
        self.assertIn("12345678901", wizard.errors)
        self.assertEqual(wizard.summary, "3 document(s) imported, 1 refused.")
        self.assertFalse(attachment.exists(), "the upload is dropped: the record keeps its own XML")
        self.assertEqual(wizard.action_open_received()["domain"], [("id", "in", wizard.received_ids.ids)])

    def test_wizard_nothing_imported(self):
        with self.assertRaises(UserError):
            self._wizard().action_import()
        wizard = self._wizard(keys_text=sri_received.read(self._xml("factura")).access_key)
        with self.assertRaises(UserError) as caught:
            wizard.action_import()
        self.assertIn("Nothing was imported", caught.exception.args[0])
        self.assertIn("El SRI no tiene ningún comprobante autorizado", caught.exception.args[0])

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_access_rights(self):
        record = self._import_one(self._xml("factura"))
        user = self.env["res.users"].create({
            "name": "Auditor", "login": "auditor_received", "company_id": self.company.id,
            "company_ids": [Command.set(self.company.ids)],
            "groups_id": [Command.set([self.env.ref("l10n_ec_sri.group_l10n_ec_sri_readonly").id])],
        })
        as_user = record.with_user(user)
        self.assertEqual(as_user.number, record.number)
        with self.assertRaises(UserError):
            as_user.write({"number": "x"})
        self.assertEqual(record.move_id.with_user(user).l10n_ec_sri_received_id, record)

    def test_editor_imports(self):
        """An SRI editor (no administrator rights) imports from the wizard: a new supplier's factura, a
        customer's retención."""
        editor = self.env["res.users"].create({
            "name": "Editor SRI", "login": "editor_received", "company_id": self.company.id,
            "company_ids": [Command.set(self.company.ids)],
            "groups_id": [Command.set([self.env.ref("l10n_ec_sri.group_l10n_ec_sri_editor").id])],
        })
        invoice = self._our_invoice()
        attachments = self.env["ir.attachment"].with_user(editor).create([
            {"name": "factura.xml", "raw": self._xml("factura", issuer_ruc=OTHER_RUC),
             "res_model": "l10n_ec_sri.import.wizard"},
            {"name": "retencion.xml", "raw": self._retencion(invoice), "res_model": "l10n_ec_sri.import.wizard"},
        ])
        wizard = self.env["l10n_ec_sri.import.wizard"].with_user(editor).create(
            {"attachment_ids": [Command.set(attachments.ids)]})
        wizard.action_import()
        self.assertFalse(wizard.errors, wizard.errors)
        self.assertEqual(wizard.received_ids.mapped("code"), ["01", "07"])
        self.assertEqual(wizard.received_ids[0].partner_id.vat, OTHER_RUC, "the new supplier is created")
        self.assertAlmostEqual(invoice.amount_residual, 115.0 - 6.25)
