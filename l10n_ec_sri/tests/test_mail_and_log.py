# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer's mail is retried until done and never sent twice; the exchange record of each SRI
call exists before the call is made."""
from unittest.mock import patch

import psycopg2.errors

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.l10n_ec_sri.models import l10n_ec_sri_document as document_mod
from odoo.addons.l10n_ec_sri.sri import client as sri_client

from .common import L10nEcSriFlowCase


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestSriMailRetry(L10nEcSriFlowCase):

    def _mails(self, move):
        return self.env["mail.message"].search([
            ("model", "=", "account.move"), ("res_id", "=", move.id), ("message_type", "=", "comment"),
            ("attachment_ids", "in", move.l10n_ec_sri_authorized_xml_id.ids),
        ])

    def _run_queue(self):
        with mute_logger("odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document"):
            return super()._run_queue()

    def test_mail_retried_after_a_concurrent_update_and_sent_once(self):
        invoice = self._invoice()
        Move = self.registry["account.move"]
        original = Move._l10n_ec_sri_send_mail
        failures = [psycopg2.errors.SerializationFailure("could not serialize access due to concurrent update")]

        def send_mail(move, document):
            if failures:
                raise failures.pop()
            return original(move, document)

        with patch.object(Move, "_l10n_ec_sri_send_mail", send_mail):
            self._run_queue()
            document = invoice.l10n_ec_sri_document_id
            self.assertEqual(invoice.l10n_ec_sri_state, "authorized")
            self.assertEqual(document.mail_state, "retry")
            self.assertFalse(document.mailed)
            self.assertFalse(self._mails(invoice))
            self.assertGreater(document.mail_next_try, fields.Datetime.now())
            # a message a user can act on: no psycopg2 text, the next try in Ecuador's time
            self.assertIn("another user or process was changing the same customer", document.mail_error)
            self.assertIn("Ecuador time", document.mail_error)
            self.assertNotIn("serialize", document.mail_error)
            note = invoice.message_ids.filtered(lambda m: "could not be mailed" in str(m.body))
            self.assertEqual(len(note), 1)
            self.assertNotIn("serialize", str(note.body))
            # not due yet: the next run leaves it
            self._run_queue()
            self.assertFalse(self._mails(invoice))
            # due: mailed once
            self._flow_write(invoice, {"mail_next_try": fields.Datetime.now()})
            self._run_queue()
            self.assertEqual(document.mail_state, "sent")
            self.assertTrue(document.mailed)
            self.assertFalse(document.mail_error)
            self.assertEqual(len(self._mails(invoice)), 1)
            # and never again
            self._flow_write(invoice, {"mail_next_try": fields.Datetime.now()})
            self._run_queue()
            document_mod.flow_env(document)._mail_authorized()
            self.assertEqual(len(self._mails(invoice)), 1)

    def test_receiver_without_email_not_retried(self):
        self.customer.email = False
        invoice = self._invoice()
        self._run_queue()
        document = invoice.l10n_ec_sri_document_id
        self.assertEqual(document.mail_state, "none")
        self.assertIn("no e-mail address", document.mail_error)
        self.assertFalse(self._mails(invoice))

    def test_company_not_mailing(self):
        self.company.l10n_ec_sri_send_mail = False
        invoice = self._invoice()
        self._run_queue()
        self.assertFalse(invoice.l10n_ec_sri_document_id.mail_state)
        self.assertFalse(self._mails(invoice))


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestSriExchangeBeforeCall(L10nEcSriFlowCase):

    def test_exchange_recorded_before_each_call(self):
        invoice = self._invoice()
        document = invoice.l10n_ec_sri_document_id
        seen = []
        originals = {name: getattr(sri_client.SriClient, name) for name in ("send", "authorize")}
        cr = self.env.cr

        def spy(name):
            def call(client, *args, **kwargs):
                # runs in a pool thread: the main thread waits for this call, so its cursor is idle
                cr.execute("SELECT kind, state, request FROM l10n_ec_sri_exchange WHERE document_id = %s "
                           "ORDER BY id DESC LIMIT 1", [document.id])
                seen.append((name, cr.fetchone()))
                return originals[name](client, *args, **kwargs)
            return call

        with patch.object(sri_client.SriClient, "send", spy("send")), \
                patch.object(sri_client.SriClient, "authorize", spy("authorize")):
            self._run_queue()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized")
        # each call found its own record already there, without an answer yet
        self.assertEqual(seen, [("send", ("send", "none", None)), ("authorize", ("authorize", "none", None))])
        # and the answers were added to those same records
        self.assertEqual(document.exchange_ids.sorted("id").mapped("state"), ["RECIBIDA", "AUTORIZADO"])
        self.assertTrue(all(document.exchange_ids.mapped("request")))

    def test_prelog_outside_tests_uses_its_own_transaction(self):
        invoice = self._invoice()
        document = document_mod.flow_env(invoice.l10n_ec_sri_document_id)
        plan = {"doc": document, "client": sri_client.SriClient(self.simulator.url)}
        Document = self.env["l10n_ec_sri.document"]
        # outside tests the cursor is a new connection; here it must see the test's uncommitted document
        self.registry.enter_test_mode(self.env.cr)
        self.addCleanup(self.registry.leave_test_mode)
        cursors = []
        real_cursor = type(self.registry).cursor

        def cursor(registry, *args, **kwargs):
            cr = real_cursor(registry, *args, **kwargs)
            cursors.append(cr)
            return cr

        with patch.object(type(Document), "_commit_allowed", lambda self: True), \
                patch.object(type(self.registry), "cursor", cursor):
            [exchange] = Document._prelog([(plan, "send")])
        self.assertEqual(len(cursors), 1)  # written (and committed) through a cursor of its own
        self.assertEqual((exchange.kind, exchange.state, exchange.document_id), ("send", "none", document))
        # the answer too: the queue's own transaction may not even see the record
        reception = plan["client"].send(document.xml_id.raw)
        with patch.object(type(Document), "_commit_allowed", lambda self: True), \
                patch.object(type(self.registry), "cursor", cursor):
            Document._record_answer(plan, exchange, "send", reception)
        self.assertEqual(len(cursors), 2)
        self.assertEqual((exchange.state, exchange.outcome), ("RECIBIDA", "received"))

    def test_crash_during_a_send_queries_before_sending_again(self):
        """A send whose answer was never recorded (the worker died) may have reached the SRI: the next
        run asks for the authorization first and does not send the key again."""
        invoice = self._invoice()
        document = document_mod.flow_env(invoice.l10n_ec_sri_document_id)
        client = sri_client.SriClient(self.simulator.url)
        plan = {"doc": document, "client": client}
        self.env["l10n_ec_sri.document"]._prelog([(plan, "send")])  # what the killed worker left
        client.send(document.xml_id.raw)                            # and its request reached the SRI
        self.assertFalse(document.sent)                              # its transaction died
        self._run_queue()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized")
        answered = document.exchange_ids.filtered("outcome").sorted("id")
        self.assertEqual(answered.mapped("kind"), ["authorize"])     # no second send


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestSriLegalDocuments(L10nEcSriFlowCase):

    def test_portal_and_download_serve_the_ride_and_the_authorized_xml(self):
        invoice = self._invoice()
        self._run_queue()
        ride, xml = invoice.l10n_ec_sri_ride_id, invoice.l10n_ec_sri_authorized_xml_id
        self.assertTrue(ride and xml)
        pdf = invoice._get_invoice_legal_documents("pdf")
        self.assertEqual((pdf["filename"], pdf["content"]), (ride.name, ride.raw))
        files = invoice._get_invoice_legal_documents("all")
        self.assertEqual([f["filename"] for f in files], [ride.name, xml.name])

    def test_not_authorized_yet_keeps_odoo_behaviour(self):
        self.company.l10n_ec_sri_auto_send = False
        invoice = self._invoice()
        self.assertEqual(invoice.l10n_ec_sri_state, "to_send")
        self.assertFalse(invoice._get_invoice_legal_documents("pdf"))
        self.assertTrue(invoice._get_invoice_legal_documents("pdf", allow_fallback=True))  # a proforma


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestSriMessages(L10nEcSriFlowCase):

    def test_core_errors_use_the_form_s_words(self):
        self.customer.name = "Comercial " + "X" * 390
        with self.assertRaises(UserError) as caught:
            self._invoice()
        text = str(caught.exception)
        self.assertIn("Customer > Name:", text)
        self.assertNotIn("buyer.", text)
        self.assertNotIn("X" * 60, text)  # the 400-character name is not repeated whole

    def test_item_paths_name_the_line(self):
        invoice = self._invoice(post=False)
        label = invoice._l10n_ec_sri_field_label("lines[0].unit_price")
        self.assertTrue(label.startswith("Line 1 ("), label)
        self.assertIn("Servicio de consultoría", label)
        self.assertTrue(label.endswith(") > Unit Price"), label)
        self.assertEqual(invoice._l10n_ec_sri_field_label("payments[1].total"), "Payment 2 > Total")

    def test_network_error_in_words_and_next_try_in_ecuador_time(self):
        self.simulator.set_knobs(drop=1)
        invoice = self._invoice()
        self._run_queue()
        self.assertEqual(invoice.l10n_ec_sri_state, "retry")
        error = invoice.l10n_ec_sri_last_error
        self.assertIn("Sin conexión con el SRI", error)
        self.assertIn("Ecuador time", error)
        self.assertNotIn("RemoteDisconnected", error)
        self.assertNotIn("ConnectionError", error)
        # the technical detail stays in the exchange log, for support
        send = invoice.l10n_ec_sri_exchange_ids.filtered(lambda e: e.kind == "send")
        self.assertIn("ConnectionError", send.error)

    def test_documents_of_this_transaction_logged_in_it(self):
        """Posted and sent in one transaction (a server action, a script): another transaction cannot see
        the document yet, so its exchanges are recorded by this one."""
        invoice = self._invoice()
        document = document_mod.flow_env(invoice.l10n_ec_sri_document_id)
        plan = {"doc": document, "client": sri_client.SriClient(self.simulator.url)}
        Document = self.env["l10n_ec_sri.document"]
        with patch.object(type(Document), "_commit_allowed", lambda self: True), \
                mute_logger("odoo.sql_db"):
            [exchange] = Document._prelog([(plan, "send")])
            Document._record_answer(plan, exchange, "send", plan["client"].send(document.xml_id.raw))
        self.assertEqual((exchange.document_id, exchange.state, exchange.outcome), (document, "RECIBIDA", "received"))
