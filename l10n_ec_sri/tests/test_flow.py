# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
from datetime import timedelta

from lxml import etree

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from odoo.addons.l10n_ec_sri.sri import access_key as sri_access_key
from odoo.addons.l10n_ec_sri.sri import signing as sri_signing

from .common import L10nEcSriFlowCase


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestSriFlow(L10nEcSriFlowCase):

    def test_post_sign_send_authorize(self):
        invoice = self._invoice(price=100.0, quantity=2.0)
        self.assertEqual(invoice.l10n_ec_sri_state, "to_send")
        key = invoice.l10n_ec_sri_access_key
        self.assertTrue(sri_access_key.is_valid(key), key)
        parsed = sri_access_key.parse(key)
        self.assertEqual(parsed.document_type, "01")
        self.assertEqual(parsed.ruc, self.company.vat)
        self.assertEqual(parsed.sequential, invoice.l10n_latam_document_number.split("-")[2])
        # the signed XML is stored once, and verifies
        signed = invoice.l10n_ec_sri_xml_id.raw
        verified = sri_signing.verify(signed)
        self.assertTrue(verified)
        root = etree.fromstring(signed)
        self.assertEqual(root.findtext("infoTributaria/claveAcceso"), key)
        self.assertEqual(root.findtext("infoFactura/importeTotal"), "230.00")
        self.assertEqual(root.findtext("infoFactura/identificacionComprador"), self.customer.vat)
        self.assertEqual(root.findtext("infoFactura/totalConImpuestos/totalImpuesto/codigoPorcentaje"), "4")

        self._run_queue()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized", invoice.l10n_ec_sri_last_error)
        self.assertEqual(invoice.l10n_ec_sri_authorization_number, key)
        self.assertTrue(invoice.l10n_ec_sri_authorization_date)
        # same bytes as signed at posting
        self.assertEqual(invoice.l10n_ec_sri_xml_id.raw, signed)
        # authorized XML: the autorizacion wrapper
        authorized = invoice.l10n_ec_sri_authorized_xml_id
        self.assertEqual(authorized.name, f"{key}.xml")
        wrapper = etree.fromstring(authorized.raw)
        self.assertEqual(wrapper.tag, "autorizacion")
        self.assertEqual(wrapper.findtext("estado"), "AUTORIZADO")
        self.assertEqual(wrapper.findtext("numeroAutorizacion"), key)
        self.assertTrue(wrapper.findtext("fechaAutorizacion"))
        self.assertTrue(wrapper.findtext("ambiente"))
        inner = etree.fromstring(wrapper.findtext("comprobante").encode())
        self.assertEqual(inner.findtext("infoTributaria/claveAcceso"), key)
        # RIDE
        ride = invoice.l10n_ec_sri_ride_id
        self.assertTrue(ride.raw.startswith(b"%PDF"), ride.raw[:20])
        self.assertIn(invoice.l10n_latam_document_number, ride.name)
        self.assertTrue(ride.name.startswith("Factura"))
        # exchange log: one reception, one authorization
        exchanges = invoice.l10n_ec_sri_exchange_ids
        self.assertEqual(sorted(exchanges.mapped("kind")), ["authorize", "send"])
        send = exchanges.filtered(lambda e: e.kind == "send")
        self.assertEqual(send.state, "RECIBIDA")
        self.assertIn("validarComprobante", send.request)
        self.assertIn("RECIBIDA", send.response)
        self.assertGreater(send.duration, 0)
        self.assertEqual(exchanges.filtered(lambda e: e.kind == "authorize").outcome, "authorized")
        # mail to the customer with both files
        message = self.env["mail.message"].search([
            ("model", "=", "account.move"), ("res_id", "=", invoice.id), ("message_type", "=", "comment"),
            ("attachment_ids", "!=", False),
        ], limit=1)
        self.assertTrue(message, "the authorized document was not mailed")
        self.assertIn(self.customer, message.partner_ids)
        self.assertIn(invoice.l10n_latam_document_number, message.subject)
        self.assertIn("Adjuntamos el archivo XML autorizado", str(message.body))
        self.assertFalse(invoice.message_ids.filtered(lambda m: "not updated from the attachment" in str(m.body)))
        self.assertEqual(set(message.attachment_ids.mapped("name")), {authorized.name, ride.name})
        # nothing left in the queue
        self.assertFalse(self._run_queue())

    def test_evening_in_ecuador_no_payment_term(self):
        """At 21:00 in Ecuador it is already tomorrow in UTC: an invoice without payment terms is due today in
        Ecuador, so its XML carries no plazo."""
        utc_tomorrow = fields.Date.today() + timedelta(days=1)
        with freeze_time(f"{utc_tomorrow} 02:00:00"):  # the day before, 21:00, in Ecuador
            self.env.user.tz = False
            ecuador_today = utc_tomorrow - timedelta(days=1)
            invoice = self._invoice(invoice_date=ecuador_today)
            self.assertEqual(invoice.invoice_date_due, ecuador_today)
            pago = etree.fromstring(invoice.l10n_ec_sri_xml_id.raw).find("infoFactura/pagos/pago")
            self.assertIsNone(pago.find("plazo"))

    def test_evening_in_ecuador_undated_invoice(self):
        """An invoice posted undated at 21:00 in Ecuador (tomorrow in UTC, user without a time zone) is dated
        Ecuador's today, and the SRI authorizes it: Odoo's own default would date it tomorrow, which the SRI
        refuses."""
        utc_tomorrow = fields.Date.today() + timedelta(days=1)
        ecuador_today = utc_tomorrow - timedelta(days=1)  # 02:00 UTC is 21:00 of the day before in Ecuador
        with freeze_time(f"{utc_tomorrow} 02:00:00"):
            self.env.user.tz = False
            invoice = self._invoice(invoice_date=False)
            self.assertEqual(invoice.invoice_date, ecuador_today)
            self._run_queue()
            self.assertEqual(invoice.l10n_ec_sri_state, "authorized", invoice.l10n_ec_sri_last_error)
            emission = etree.fromstring(invoice.l10n_ec_sri_xml_id.raw).findtext("infoFactura/fechaEmision")
            self.assertEqual(emission, ecuador_today.strftime("%d/%m/%Y"))

    def test_no_mail_when_disabled(self):
        self.company.l10n_ec_sri_send_mail = False
        invoice = self._invoice()
        self._run_queue()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized")
        self.assertFalse(self.env["mail.message"].search_count([
            ("model", "=", "account.move"), ("res_id", "=", invoice.id), ("message_type", "=", "comment"),
        ]))

    def test_button_send_now(self):
        invoice = self._invoice()
        invoice.action_l10n_ec_sri_send()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized")
        with self.assertRaises(UserError):
            invoice.action_l10n_ec_sri_send()

    def test_auto_send_disabled_waits_for_button(self):
        self.company.l10n_ec_sri_auto_send = False
        invoice = self._invoice()
        self.assertFalse(self._run_queue())
        self.assertEqual(invoice.l10n_ec_sri_state, "to_send")
        invoice.action_l10n_ec_sri_send()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized")

    def test_credit_note(self):
        invoice = self._invoice(price=50.0)
        self._run_queue()
        refund = self._credit_note(invoice)
        refund.action_post()
        self.assertEqual(refund.l10n_ec_sri_state, "to_send")
        root = etree.fromstring(refund.l10n_ec_sri_xml_id.raw)
        self.assertEqual(root.tag, "notaCredito")
        self.assertEqual(root.findtext("infoNotaCredito/numDocModificado"), invoice.l10n_latam_document_number)
        self.assertEqual(root.findtext("infoNotaCredito/codDocModificado"), "01")
        self.assertEqual(root.findtext("infoNotaCredito/valorModificacion"), "57.50")
        self.assertEqual(sri_access_key.parse(refund.l10n_ec_sri_access_key).document_type, "04")
        self._run_queue()
        self.assertEqual(refund.l10n_ec_sri_state, "authorized", refund.l10n_ec_sri_last_error)
        self.assertTrue(refund.l10n_ec_sri_ride_id.name.startswith("Nota_De_Crédito"))

    def test_debit_note(self):
        invoice = self._invoice(price=80.0)
        self._run_queue()
        wizard = self.env["account.debit.note"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"reason": "Intereses por mora", "copy_lines": True, "date": self.today})
        debit = self.env["account.move"].browse(wizard.create_debit()["res_id"])
        debit.invoice_line_ids.write({"price_unit": 10.0})
        self.assertEqual(debit.l10n_latam_document_type_id.code, "05")
        debit.action_post()
        self.assertEqual(debit.l10n_ec_sri_state, "to_send")
        root = etree.fromstring(debit.l10n_ec_sri_xml_id.raw)
        self.assertEqual(root.tag, "notaDebito")
        self.assertEqual(root.findtext("infoNotaDebito/numDocModificado"), invoice.l10n_latam_document_number)
        self.assertEqual(root.findtext("infoNotaDebito/valorTotal"), "11.50")
        self.assertEqual(root.findtext("motivos/motivo/valor"), "10.00")
        self.assertEqual(sri_access_key.parse(debit.l10n_ec_sri_access_key).document_type, "05")
        self._run_queue()
        self.assertEqual(debit.l10n_ec_sri_state, "authorized", debit.l10n_ec_sri_last_error)

    def test_access_key_assigned_once(self):
        """A returned document keeps its access key after reset to draft and a new posting."""
        invoice = self._invoice()
        key = invoice.l10n_ec_sri_access_key
        invoice.button_draft()
        self.assertFalse(invoice.l10n_ec_sri_state)
        self.assertEqual(invoice.l10n_ec_sri_access_key, key)
        invoice.action_post()
        self.assertEqual(invoice.l10n_ec_sri_access_key, key)
        self.assertEqual(len(invoice.attachment_ids.filtered(lambda a: a.name.endswith("_firmado.xml"))), 1)
        self._run_queue()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized")

    def test_non_sri_moves_untouched(self):
        """Vendor bills and entries are not electronic documents."""
        bill = self.env["account.move"].create({
            "move_type": "in_invoice",
            "partner_id": self.customer.id,
            "invoice_date": self.today,
            "l10n_latam_document_number": "001-001-000000123",
            "invoice_line_ids": [Command.create({"name": "Compra", "quantity": 1, "price_unit": 10.0,
                                                 "tax_ids": False})],
        })
        bill.action_post()
        self.assertFalse(bill.l10n_ec_sri_state)
        self.assertFalse(bill.l10n_ec_sri_access_key)

    # -- checks at posting ------------------------------------------------------------------
    def _assert_post_refused(self, move, *fragments):
        with self.assertRaises(UserError) as ctx:
            move.action_post()
        message = str(ctx.exception.args[0])
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assertEqual(move.state, "draft")
        return message

    def test_refused_partner_without_identification(self):
        partner = self.env["res.partner"].create({"name": "Sin Cédula", "country_id": self.env.ref("base.ec").id})
        move = self._invoice(partner=partner, post=False)
        self._assert_post_refused(move, "has no identification number", "Sin Cédula")

    def test_refused_tax_without_sri_code(self):
        group = self.env["account.tax.group"].create({"name": "Otro", "country_id": self.env.ref("base.ec").id,
                                                      "company_id": self.company.id})
        tax = self.env["account.tax"].create({"name": "Impuesto raro", "amount": 10, "type_tax_use": "sale",
                                              "tax_group_id": group.id, "company_id": self.company.id,
                                              "country_id": self.env.ref("base.ec").id})
        move = self._invoice(taxes=tax, post=False)
        self._assert_post_refused(move, "has no SRI code", "Impuesto raro")

    def test_refused_final_consumer_over_limit(self):
        self.company.l10n_ec_sri_final_consumer_limit = 50.0
        move = self._invoice(partner=self.final_consumer, price=100.0, post=False)
        self._assert_post_refused(move, "final consumer", "cannot exceed")
        # under the limit it is fine
        small = self._invoice(partner=self.final_consumer, price=20.0)
        self.assertEqual(small.l10n_ec_sri_state, "to_send")
        root = etree.fromstring(small.l10n_ec_sri_xml_id.raw)
        self.assertEqual(root.findtext("infoFactura/tipoIdentificacionComprador"), "07")
        # a higher company limit is respected (the core's default of 50 is not imposed)
        self.company.l10n_ec_sri_final_consumer_limit = 200.0
        move.action_post()
        self.assertEqual(move.l10n_ec_sri_state, "to_send")

    def test_refused_global_rounding_that_differs_from_per_line_iva(self):
        self.company.tax_calculation_rounding_method = "round_globally"
        lines = [Command.create({"product_id": self.product.id, "quantity": 1.0, "price_unit": 0.10,
                                 "tax_ids": [Command.set(self.tax_15.ids)]}) for _i in range(3)]
        move = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": self.customer.id, "journal_id": self.journal.id,
            "invoice_date": self.today, "invoice_line_ids": lines,
        })
        # Odoo: 0.30 x 15 % = 0.045 -> 0.05; SRI: three lines of 0.015 -> 0.02 each = 0.06
        self.assertAlmostEqual(move.amount_tax, 0.05)
        self._assert_post_refused(move, "rounds taxes globally", "Round per Line")
        # an invoice whose global rounding agrees with the per-line sum posts as usual
        self._invoice(price=100.0)

    def test_refused_without_certificate(self):
        self.company.l10n_ec_sri_certificate_id = False
        move = self._invoice(post=False)
        self._assert_post_refused(move, "No SRI signing certificate")

    def test_refused_expired_certificate(self):
        expired = self.env["l10n_ec_sri.certificate"].create({
            "name": "Firma vencida",
            "company_id": self.company.id,
            "p12_file": base64.b64encode(self._expired_p12()),
            "password": "secret",
        }) if self._can_upload_expired() else self.certificate
        if expired == self.certificate:
            # the certificate model refuses expired uploads: age the stored one instead
            self.env.cr.execute("UPDATE l10n_ec_sri_certificate SET date_end = %s WHERE id = %s",
                                [fields.Datetime.now() - timedelta(days=1), self.certificate.id])
            self.certificate.invalidate_recordset(["date_end"])
        self.company.l10n_ec_sri_certificate_id = expired
        move = self._invoice(post=False)
        self._assert_post_refused(move, "expired")

    def _expired_p12(self):
        from odoo.addons.l10n_ec_sri.sri import testing

        return testing.make_p12(password="secret", ruc=self.company.vat, expired=True)

    def _can_upload_expired(self):
        try:
            with self.env.cr.savepoint():
                self.env["l10n_ec_sri.certificate"].create({
                    "name": "probe", "company_id": self.company.id,
                    "p12_file": base64.b64encode(self._expired_p12()), "password": "secret",
                })
            return True
        except Exception:  # noqa: BLE001
            return False

    def test_all_problems_in_one_message(self):
        self.company.l10n_ec_sri_certificate_id = False
        partner = self.env["res.partner"].create({"name": "Sin Cédula"})
        move_a = self._invoice(partner=partner, post=False)
        move_b = self._invoice(partner=self.final_consumer, price=500.0, post=False)
        with self.assertRaises(UserError) as ctx:
            (move_a + move_b).action_post()
        message = str(ctx.exception.args[0])
        self.assertIn("has no identification number", message)
        self.assertIn("cannot exceed", message)
        self.assertIn("No SRI signing certificate", message)
        self.assertEqual((move_a + move_b).mapped("state"), ["draft", "draft"])

    def test_message_translated(self):
        self.env["res.lang"]._activate_lang("es_EC")
        self.env["ir.module.module"]._load_module_terms(["l10n_ec_sri"], ["es_EC"], overwrite=True)
        partner = self.env["res.partner"].create({"name": "Sin Cédula"})
        move = self._invoice(partner=partner, post=False)
        with self.assertRaises(UserError) as ctx:
            move.with_context(lang="es_EC").action_post()
        message = str(ctx.exception.args[0])
        self.assertIn("no tiene número de identificación", message)
        self.assertIn("No se pueden emitir los comprobantes electrónicos", message)

    # -- cancelling ---------------------------------------------------------------------------
    def test_cancel_authorized_refused_then_annul(self):
        invoice = self._invoice()
        self._run_queue()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized")
        with self.assertRaises(UserError):
            invoice.button_cancel()
        with self.assertRaises(UserError):
            invoice.button_draft()
        self.assertEqual(invoice.state, "posted")
        wizard = self.env["l10n_ec_sri.annul.wizard"].create({
            "document_ids": [Command.set(invoice.l10n_ec_sri_document_id.ids)], "reason": "Cliente equivocado", "confirm": True,
        })
        wizard.action_annul()
        self.assertEqual(invoice.l10n_ec_sri_state, "annulled")
        self.assertEqual(invoice.state, "cancel")
        self.assertEqual(invoice.l10n_ec_sri_annul_reason, "Cliente equivocado")

    def test_annul_needs_admin(self):
        invoice = self._invoice()
        self._run_queue()
        user = self.env["res.users"].create({
            "name": "Facturador", "login": "facturador_sri",
            "company_id": self.company.id, "company_ids": [Command.set(self.company.ids)],
            "groups_id": [Command.set([self.env.ref("l10n_ec_sri.group_l10n_ec_sri_editor").id,
                                       self.env.ref("base.group_user").id])],
        })
        with self.assertRaises(UserError):
            invoice.l10n_ec_sri_document_id.with_user(user)._annul("no")
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized")

    def test_cancel_before_sending_allowed(self):
        invoice = self._invoice()
        invoice.button_cancel()
        self.assertEqual(invoice.state, "cancel")
        self.assertFalse(invoice.l10n_ec_sri_state)
        self.assertFalse(self._run_queue())
