# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Odoo's Send & Print for SRI documents: the authorized XML and the RIDE, never Odoo's invoice PDF;
documents the SRI has not authorized are refused; other moves are left to Odoo."""
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import L10nEcSriFlowCase


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestMoveSend(L10nEcSriFlowCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the queue's own mail is not the one under test
        cls.company.l10n_ec_sri_send_mail = False

    def _wizard(self, moves):
        model = "account.move.send.wizard" if len(moves) == 1 else "account.move.send.batch.wizard"
        return self.env[model].with_context(active_model="account.move", active_ids=moves.ids).create({})

    def _mails(self, move):
        return self.env["mail.message"].search([
            ("model", "=", "account.move"), ("res_id", "=", move.id), ("message_type", "=", "comment"),
            ("attachment_ids", "!=", False),
        ])

    def _authorized_invoice(self):
        invoice = self._invoice()
        self._run_queue()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized", invoice.l10n_ec_sri_last_error)
        self.assertTrue(invoice.l10n_ec_sri_ride_id)
        return invoice

    # -- authorized ---------------------------------------------------------------------------
    def test_authorized_sends_xml_and_ride(self):
        invoice = self._authorized_invoice()
        xml, ride = invoice.l10n_ec_sri_authorized_xml_id, invoice.l10n_ec_sri_ride_id
        wizard = self._wizard(invoice)
        self.assertFalse(wizard.alerts)
        self.assertFalse(wizard.display_pdf_report_id)
        self.assertEqual(wizard.mail_template_id, self.env.ref("l10n_ec_sri.mail_template_sri_authorized"))
        widget = wizard.mail_attachments_widget
        self.assertFalse([values for values in widget if values.get("placeholder")], widget)
        self.assertEqual({values["id"] for values in widget}, {xml.id, ride.id})

        wizard.action_send_and_print()

        self.assertFalse(invoice.invoice_pdf_report_id, "Odoo's invoice PDF was generated")
        mail = self._mails(invoice)
        self.assertEqual(len(mail), 1)
        self.assertIn(self.customer, mail.partner_ids)
        self.assertIn(invoice.l10n_latam_document_number, mail.subject)
        self.assertEqual(sorted(mail.attachment_ids.mapped("name")), sorted([xml.name, ride.name]))
        self.assertEqual({a.raw for a in mail.attachment_ids}, {xml.raw, ride.raw})
        self.assertTrue(invoice.is_move_sent)
        self.assertTrue(invoice.l10n_ec_sri_mailed)
        self.assertEqual(invoice.l10n_ec_sri_mail_state, "sent")
        # the SRI files stay on the invoice
        self.assertEqual(invoice.l10n_ec_sri_ride_id, ride)
        self.assertEqual((ride | xml).mapped("res_id"), [invoice.id, invoice.id])

    def test_authorized_download(self):
        invoice = self._authorized_invoice()
        wizard = self._wizard(invoice)
        wizard.sending_methods = ["manual"]
        action = wizard.action_send_and_print()
        files = invoice.l10n_ec_sri_authorized_xml_id | invoice.l10n_ec_sri_ride_id
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(sorted(action["url"].rsplit("/", 1)[1].split(",")), sorted(map(str, files.ids)))
        self.assertFalse(invoice.invoice_pdf_report_id)

    def test_missing_ride_rendered_when_sending(self):
        invoice = self._authorized_invoice()
        self._flow_write(invoice, {"ride_id": False})
        wizard = self._wizard(invoice)
        placeholders = [values for values in wizard.mail_attachments_widget if values.get("placeholder")]
        self.assertEqual([values["name"] for values in placeholders], [invoice._l10n_ec_sri_ride_filename()])
        wizard.action_send_and_print()
        ride = invoice.l10n_ec_sri_ride_id
        self.assertTrue(ride.raw.startswith(b"%PDF"))
        self.assertEqual(sorted(self._mails(invoice).attachment_ids.mapped("name")),
                         sorted([invoice.l10n_ec_sri_authorized_xml_id.name, ride.name]))
        self.assertFalse(invoice.invoice_pdf_report_id)

    def test_batch_authorized(self):
        invoices = self._invoice() + self._invoice(price=50.0)
        self._run_queue()
        self.assertEqual(set(invoices.mapped("l10n_ec_sri_state")), {"authorized"})
        wizard = self._wizard(invoices)
        self.assertFalse(wizard.alerts)
        wizard.action_send_and_print(force_synchronous=True)
        for invoice in invoices:
            self.assertEqual(sorted(self._mails(invoice).attachment_ids.mapped("name")), sorted(
                [invoice.l10n_ec_sri_authorized_xml_id.name, invoice.l10n_ec_sri_ride_id.name]))
            self.assertFalse(invoice.invoice_pdf_report_id)

    # -- not authorized -----------------------------------------------------------------------
    def test_not_authorized_yet_blocks(self):
        invoice = self._invoice()
        self.assertEqual(invoice.l10n_ec_sri_state, "to_send")
        wizard = self._wizard(invoice)
        alert = wizard.alerts["l10n_ec_sri_not_authorized_yet"]
        self.assertEqual(alert["level"], "danger")
        self.assertIn("wait for the SRI's authorization", alert["message"])
        self.assertIn(invoice.display_name, alert["message"])
        self.assertFalse([values for values in wizard.mail_attachments_widget or []
                          if values["name"] == invoice._get_invoice_report_filename()])
        with self.assertRaisesRegex(UserError, "wait for the SRI's authorization"):
            wizard.action_send_and_print()
        self.assertFalse(self._mails(invoice))
        self.assertFalse(invoice.invoice_pdf_report_id)
        self.assertFalse(invoice.is_move_sent)

    def test_not_authorized_yet_translated(self):
        self.env["res.lang"]._activate_lang("es_EC")
        self.env["ir.module.module"]._load_module_terms(["l10n_ec_sri"], ["es_EC"], overwrite=True)
        invoice = self._invoice()
        wizard = self.env["account.move.send.wizard"].with_context(
            lang="es_EC", active_model="account.move", active_ids=invoice.ids).create({})
        message = wizard.alerts["l10n_ec_sri_not_authorized_yet"]["message"]
        self.assertIn("espere la autorización del SRI", message)

    def test_returned_and_not_authorized_block(self):
        for state in ("returned", "not_authorized"):
            with self.subTest(state=state):
                invoice = self._invoice()
                self._flow_write(invoice, {"state": state})
                wizard = self._wizard(invoice)
                self.assertNotIn("l10n_ec_sri_not_authorized_yet", wizard.alerts)
                self.assertEqual(wizard.alerts["l10n_ec_sri_refused"]["level"], "danger")
                with self.assertRaisesRegex(UserError, "cannot be sent to the customer"):
                    wizard.action_send_and_print()
                self.assertFalse(self._mails(invoice))
                self.assertFalse(invoice.invoice_pdf_report_id)

    def test_batch_with_pending_blocks(self):
        authorized = self._authorized_invoice()
        pending = self._invoice(price=30.0)
        wizard = self._wizard(authorized + pending)
        message = wizard.alerts["l10n_ec_sri_not_authorized_yet"]["message"]
        self.assertIn(pending.display_name, message)
        self.assertNotIn(authorized.display_name, message)
        with self.assertRaisesRegex(UserError, "wait for the SRI's authorization"):
            wizard.action_send_and_print()
        self.assertFalse(self._mails(authorized) | self._mails(pending))

    def test_direct_send_without_raising(self):
        """Sending without the wizard (e.g. the background send of a batch): the document that is not
        authorized is not mailed, neither with Odoo's PDF nor with a proforma; its chatter says why."""
        invoice = self._invoice()
        for fallback in (False, True):
            attachments = self.env["account.move.send"]._generate_and_send_invoices(
                invoice, allow_raising=False, allow_fallback_pdf=fallback)
            self.assertFalse(attachments)
        self.assertFalse(self._mails(invoice))
        self.assertFalse(invoice.invoice_pdf_report_id)
        self.assertTrue(invoice.message_ids.filtered(
            lambda m: "wait for the SRI's authorization" in str(m.body)))

    # -- other moves --------------------------------------------------------------------------
    def test_non_sri_invoice_unaffected(self):
        """An invoice of a sale journal without SRI documents gets Odoo's PDF, as in Odoo."""
        journal = self.env["account.journal"].create({
            "name": "Ventas sin comprobantes", "code": "VSC", "type": "sale",
            "company_id": self.company.id, "l10n_latam_use_documents": False,
        })
        invoice = self._invoice(journal_id=journal.id)
        self.assertFalse(invoice.l10n_ec_sri_is_document)
        self.assertFalse(invoice.l10n_ec_sri_document_id)
        wizard = self._wizard(invoice)
        self.assertFalse({key for key in wizard.alerts or {} if key.startswith("l10n_ec_sri")})
        self.assertNotEqual(wizard.mail_template_id, self.env.ref("l10n_ec_sri.mail_template_sri_authorized"))
        filename = invoice._get_invoice_report_filename()
        self.assertIn(filename, [values["name"] for values in wizard.mail_attachments_widget])
        wizard.action_send_and_print()
        self.assertTrue(invoice.invoice_pdf_report_id)
        self.assertIn(filename, self._mails(invoice).attachment_ids.mapped("name"))

    def test_vendor_bill_unaffected(self):
        bill = self._invoice(move_type="in_invoice", journal_id=self.company_data["default_journal_purchase"].id,
                             l10n_latam_document_number="001-001-000000123", taxes=self.env["account.tax"])
        Send = self.env["account.move.send"]
        self.assertFalse(Send._l10n_ec_sri_handles(bill))
        self.assertEqual(Send._get_invoice_extra_attachments(bill), bill.invoice_pdf_report_id)
        moves_data = {bill: {"sending_methods": ["email"], "invoice_edi_format": False, "extra_edis": []}}
        self.assertFalse(Send._get_alerts(bill, moves_data))
        with self.assertRaisesRegex(UserError, "You can only generate sales documents."):
            self._wizard(bill)
