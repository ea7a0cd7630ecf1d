# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import io
import shutil
import subprocess
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger
from odoo.tools.pdf import PdfFileReader

from odoo.addons.base.models import ir_actions_report as ir_actions_report_mod
from odoo.addons.l10n_ec_sri.models import l10n_ec_sri_document as document_mod

from .common import L10nEcSriFlowCase


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestSriRide(L10nEcSriFlowCase):

    def _html(self, move):
        html, _type = self.env["ir.actions.report"]._render_qweb_html("l10n_ec_sri.action_report_ride", move.ids)
        return html.decode()

    def _pdf(self, move):
        pdf, _type = self.env["ir.actions.report"].with_context(force_report_rendering=True)._render_qweb_pdf(
            "l10n_ec_sri.action_report_ride", move.ids)
        return pdf

    def test_ride_factura(self):
        invoice = self._invoice(price=100.0, quantity=3.0)
        self._run_queue()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized")
        html = self._html(invoice)
        key = invoice.l10n_ec_sri_access_key
        for text in ("FACTURA", invoice.l10n_latam_document_number, "NÚMERO DE AUTORIZACIÓN", key,
                     "FECHA Y HORA DE AUTORIZACIÓN", "AMBIENTE", "PRUEBAS", "EMISIÓN", "NORMAL", "CLAVE DE ACCESO",
                     "OBLIGADO A LLEVAR CONTABILIDAD", self.company.vat, self.customer.vat, self.customer.name,
                     "SUBTOTAL 15%", "SUBTOTAL 0%", "SUBTOTAL NO OBJETO DE IVA", "SUBTOTAL EXENTO DE IVA",
                     "IVA 15%", "45.00", "VALOR TOTAL", "345.00", "Forma de pago", "Información Adicional",
                     "TRESCIENTOS CUARENTA Y CINCO CON 00/100 DÓLARES", "Servicio de consultoría"):
            self.assertIn(text, html)
        # Code 128 and QR embedded as images (no network)
        values = invoice._l10n_ec_sri_ride_values()
        self.assertIn(values["barcode"], html)
        self.assertIn(values["qr"], html)
        pdf = self._pdf(invoice)
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertGreater(len(pdf), 5000)

    def test_ride_prints_a_long_description_whole(self):
        words = " ".join(f"palabra{i:03d}" for i in range(45)) + " FINDELTEXTO"  # about 500 characters
        invoice = self._invoice(post=False)
        invoice.invoice_line_ids.name = words
        invoice.action_post()
        self._run_queue()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized", invoice.l10n_ec_sri_last_error)
        html = self._html(invoice)
        self.assertIn("palabra000", html)
        self.assertIn("FINDELTEXTO", html)  # beyond the XML description's 300 characters

    def test_ride_credit_note(self):
        invoice = self._invoice(price=40.0)
        self._run_queue()
        refund = self._credit_note(invoice, reason="Producto defectuoso")
        refund.action_post()
        self._run_queue()
        self.assertEqual(refund.l10n_ec_sri_state, "authorized")
        html = self._html(refund)
        for text in ("NOTA DE CRÉDITO", refund.l10n_latam_document_number, "Comprobante que se modifica",
                     invoice.l10n_latam_document_number, "Razón de Modificación", "Producto defectuoso",
                     refund.l10n_ec_sri_access_key):
            self.assertIn(text, html)
        pdf = self._pdf(refund)
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_ride_before_authorization(self):
        """Printable while waiting: authorization date shows PENDIENTE."""
        invoice = self._invoice()
        html = self._html(invoice)
        self.assertIn("PENDIENTE", html)
        self.assertIn(invoice.l10n_ec_sri_access_key, html)


def _pdf_text(pdf):
    """Text of a PDF (poppler's pdftotext), to tell which document a RIDE prints."""
    if not shutil.which("pdftotext"):
        return None
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True,
                          timeout=60).stdout.decode("utf-8", "replace")


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestSriRideBatch(L10nEcSriFlowCase):
    """RIDEs of the documents authorized in one queue run are rendered together (one wkhtmltopdf run
    per chunk, split per document), then each customer is mailed once."""

    def setUp(self):
        super().setUp()
        # the "batches are broken here" switch is per process: each test starts from batches
        self.startPatcher(patch.object(document_mod, "_RIDE_BATCH_BROKEN", []))
        self.Report = self.registry["ir.actions.report"]
        self.render_calls = []
        original = self.Report._render_qweb_pdf_prepare_streams
        test = self

        def spy(report, report_ref, data, res_ids=None):
            name = report_ref if isinstance(report_ref, str) else report_ref.report_name
            if name in ("l10n_ec_sri.action_report_ride", "l10n_ec_sri.report_ride"):
                test.render_calls.append(list(res_ids or []))
                failing = set(res_ids or []) & test.failing_ids
                if failing:
                    raise UserError(f"wkhtmltopdf failed for {sorted(failing)}")
            return original(report, report_ref, data, res_ids=res_ids)

        self.failing_ids = set()
        self.startPatcher(patch.object(self.Report, "_render_qweb_pdf_prepare_streams", spy))
        # the real wkhtmltopdf runs, counted with their input HTML files
        self.wkhtmltopdf_runs = []
        real_popen = subprocess.Popen

        def popen(args, *a, **kw):
            if isinstance(args, (list, tuple)) and args and "wkhtmltopdf" in str(args[0]):
                test.wkhtmltopdf_runs.append([
                    arg for i, arg in enumerate(args)
                    if str(arg).endswith(".html") and args[i - 1] not in ("--header-html", "--footer-html")])
            return real_popen(args, *a, **kw)

        self.startPatcher(patch.object(ir_actions_report_mod.subprocess, "Popen", popen))

    def _run_queue(self):
        # the expected rendering and mail failures are logged as errors by the queue
        with mute_logger("odoo.addons.l10n_ec_sri.models.l10n_ec_sri_mixin",
                         "odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document"):
            return super()._run_queue()

    def _mails(self, move):
        return self.env["mail.message"].search([
            ("model", "=", "account.move"), ("res_id", "=", move.id), ("message_type", "=", "comment"),
        ])

    def _alone(self, move):
        pdf, _type = self.env["ir.actions.report"].with_context(
            force_report_rendering=True, l10n_ec_sri_report_url="http://127.0.0.1:9",
        )._render_qweb_pdf("l10n_ec_sri.action_report_ride", move.ids)
        return pdf

    def _assert_own_ride(self, move, others):
        ride = move.l10n_ec_sri_ride_id
        self.assertTrue(ride, f"{move.name} has no RIDE")
        self.assertEqual((ride.res_model, ride.res_id), ("account.move", move.id))
        self.assertEqual(ride.mimetype, "application/pdf")
        self.assertTrue(ride.raw.startswith(b"%PDF"), ride.raw[:20])
        self.assertIn(move.l10n_latam_document_number, ride.name)
        text = _pdf_text(ride.raw)
        if text is None:
            # no pdftotext: the document alone must give a PDF of the same number of pages
            alone, _type = self.env["ir.actions.report"].with_context(force_report_rendering=True)._render_qweb_pdf(
                "l10n_ec_sri.action_report_ride", move.ids)
            self.assertEqual(ride.raw.count(b"/Type /Page\n"), alone.count(b"/Type /Page\n"))
            return
        compact = "".join(text.split())
        self.assertIn(move.l10n_latam_document_number, text)
        self.assertIn(move.l10n_ec_sri_access_key, compact)
        for other in others:
            self.assertNotIn(other.l10n_latam_document_number, text,
                             f"the RIDE of {move.name} prints {other.name} too")
            self.assertNotIn(other.l10n_ec_sri_access_key, compact)

    def _pages(self, pdf):
        return PdfFileReader(io.BytesIO(pdf)).numPages

    def test_one_run_each_document_its_own_ride_and_one_mail(self):
        # the second one has many lines: its RIDE takes several pages
        invoices = self._invoice(price=11.0) + self._invoice(price=22.0, post=False) + self._invoice(price=33.0)
        invoices[1].write({"invoice_line_ids": [Command.create({
            "product_id": self.product.id, "quantity": 1.0, "price_unit": 1.0 + i,
            "tax_ids": [Command.set(self.tax_15.ids)],
        }) for i in range(90)]})
        invoices[1].action_post()
        self._run_queue()
        self.assertEqual(set(invoices.mapped("l10n_ec_sri_state")), {"authorized"})
        # rendered together: one wkhtmltopdf run, on one HTML file, for the three
        self.assertFalse(document_mod._RIDE_BATCH_BROKEN)
        self.assertEqual([sorted(ids) for ids in self.render_calls], [sorted(invoices.ids)])
        self.assertEqual(len(self.wkhtmltopdf_runs), 1, self.wkhtmltopdf_runs)
        self.assertEqual(len(self.wkhtmltopdf_runs[0]), 1, self.wkhtmltopdf_runs)
        # split per document: the long one keeps all its pages, the others one page each
        self.wkhtmltopdf_runs.clear()
        pages = [self._pages(invoice.l10n_ec_sri_ride_id.raw) for invoice in invoices]
        self.assertGreater(pages[1], 1)
        self.assertEqual(pages[1], self._pages(self._alone(invoices[1])))
        self.assertEqual((pages[0], pages[2]), (1, 1))
        self.assertEqual(len(invoices.l10n_ec_sri_ride_id), 3)
        for invoice in invoices:
            self._assert_own_ride(invoice, invoices - invoice)
            mails = self._mails(invoice)
            self.assertEqual(len(mails), 1, f"{invoice.name}: {len(mails)} mails")
            self.assertEqual(mails.attachment_ids,
                             invoice.l10n_ec_sri_authorized_xml_id | invoice.l10n_ec_sri_ride_id)
            self.assertIn(self.customer, mails.partner_ids)
        # a later run has nothing to do: no new RIDE, no second mail
        rides = invoices.l10n_ec_sri_ride_id
        self.render_calls.clear()
        self._run_queue()
        self.assertFalse(self.render_calls)
        self.assertEqual(invoices.l10n_ec_sri_ride_id, rides)
        for invoice in invoices:
            self.assertEqual(len(self._mails(invoice)), 1)

    def test_failed_document_in_batch_rendered_alone(self):
        """A chunk that fails is rendered one by one: the others get their RIDE, the failing one
        stays authorized without it."""
        invoices = self._invoice(price=11.0) + self._invoice(price=22.0) + self._invoice(price=33.0)
        bad = invoices[1]
        self.failing_ids = {bad.id}
        self._run_queue()
        self.assertEqual(set(invoices.mapped("l10n_ec_sri_state")), {"authorized"})
        self.assertFalse(bad.l10n_ec_sri_ride_id)
        for invoice in invoices - bad:
            self._assert_own_ride(invoice, invoices - invoice)
        self.assertTrue(bad.message_ids.filtered(lambda m: "wkhtmltopdf failed" in str(m.body)))

    def test_missing_ride_made_by_next_run_and_mailed_once(self):
        invoice = self._invoice(price=44.0)
        self.failing_ids = {invoice.id}
        self._run_queue()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized")
        self.assertEqual(invoice.l10n_ec_sri_authorization_number, invoice.l10n_ec_sri_access_key)
        self.assertFalse(invoice.l10n_ec_sri_ride_id)
        self.assertTrue(invoice.message_ids.filtered(lambda m: "wkhtmltopdf failed" in str(m.body)))
        # mailed once, with the authorized XML (the RIDE could not be made)
        mails = self._mails(invoice)
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.attachment_ids, invoice.l10n_ec_sri_authorized_xml_id)
        # the next queue run (nothing left to send) makes the missing RIDE, and does not mail again
        self.failing_ids = set()
        self.render_calls.clear()
        self.assertFalse(self._run_queue())
        self.assertEqual(self.render_calls, [invoice.ids])
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized")
        self._assert_own_ride(invoice, self.env["account.move"])
        self.assertEqual(len(self._mails(invoice)), 1)
        # and then it is left alone
        self.render_calls.clear()
        self._run_queue()
        self.assertFalse(self.render_calls)

    def test_missing_ride_not_retried_after_retry_window(self):
        invoice = self._invoice()
        self.failing_ids = {invoice.id}
        self._run_queue()
        self.assertFalse(invoice.l10n_ec_sri_ride_id)
        self._flow_write(invoice, {"authorization_date": fields.Datetime.now() - timedelta(
            days=document_mod.RIDE_RETRY_DAYS + 1)})
        self.failing_ids = set()
        self.render_calls.clear()
        self._run_queue()
        self.assertFalse(self.render_calls)
        self.assertFalse(invoice.l10n_ec_sri_ride_id)

    def test_ride_and_mail_failures_keep_the_sri_state(self):
        invoices = self._invoice(price=11.0) + self._invoice(price=22.0)
        self.failing_ids = {invoices[0].id}
        Move = self.registry["account.move"]
        with patch.object(Move, "_l10n_ec_sri_send_mail", side_effect=RuntimeError("SMTP down"), autospec=True):
            self._run_queue()
        for invoice in invoices:
            self.assertEqual(invoice.l10n_ec_sri_state, "authorized")
            self.assertEqual(invoice.l10n_ec_sri_authorization_number, invoice.l10n_ec_sri_access_key)
            self.assertTrue(invoice.l10n_ec_sri_authorized_xml_id)
            self.assertFalse(invoice.l10n_ec_sri_last_error)
            self.assertFalse(self._mails(invoice))
            self.assertTrue(invoice.message_ids.filtered(lambda m: "SMTP down" in str(m.body)))
        self.assertFalse(invoices[0].l10n_ec_sri_ride_id)
        self._assert_own_ride(invoices[1], invoices[0])
        self.assertEqual(set(invoices.mapped("l10n_ec_sri_mail_state")), {"retry"})
        # the next run makes the missing RIDE; the mails wait for their next try
        self.failing_ids = set()
        self._run_queue()
        self._assert_own_ride(invoices[0], invoices[1])
        self.assertFalse(self._mails(invoices[0]) | self._mails(invoices[1]))
        # once due, each document is mailed once, with its XML and its RIDE
        self._flow_write(invoices, {"mail_next_try": fields.Datetime.now()})
        self._run_queue()
        for invoice in invoices:
            mails = self._mails(invoice)
            self.assertEqual(len(mails), 1)
            self.assertEqual(mails.attachment_ids, invoice.l10n_ec_sri_authorized_xml_id | invoice.l10n_ec_sri_ride_id)
            self.assertEqual(invoice.l10n_ec_sri_state, "authorized")
            self.assertEqual(invoice.l10n_ec_sri_mail_state, "sent")

    def test_already_mailed_not_mailed_again(self):
        invoice = self._invoice()
        self._run_queue()
        self.assertEqual(len(self._mails(invoice)), 1)
        # nobody can delete the RIDE
        with self.assertRaises(UserError):
            invoice.l10n_ec_sri_ride_id.unlink()
        # the RIDE is lost (e.g. a file store accident): the next run makes it again but does not mail twice
        self._flow_write(invoice, {"ride_id": False})
        self.assertFalse(invoice.l10n_ec_sri_ride_id)
        self._run_queue()
        self._assert_own_ride(invoice, self.env["account.move"])
        self.assertEqual(len(self._mails(invoice)), 1)
        # and called directly on a document already mailed, it is skipped
        document_mod.flow_env(invoice.l10n_ec_sri_document_id)._mail_authorized()
        self.assertEqual(len(self._mails(invoice)), 1)
