# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import tagged

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
