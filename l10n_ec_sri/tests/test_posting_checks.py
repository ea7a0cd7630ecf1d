# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Posting checks (issue 8): no sale of an Ecuadorian company skips the SRI silently, credit and debit
notes are checked against the document they modify, and no text is cut without a word."""
from datetime import timedelta

from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import L10nEcSriFlowCase


def _words(length):
    """A text of exactly ``length`` characters: words separated by single spaces."""
    text, i = "", 0
    while True:
        candidate = f"{text} palabra{i}" if text else f"palabra{i}"
        if len(candidate) > length:
            return text + "x" * (length - len(text))
        text, i = candidate, i + 1


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestSriPostingChecks(L10nEcSriFlowCase):

    # helpers -------------------------------------------------------------------------------
    def _refused(self, moves, *fragments, post=None):
        with self.assertRaises(UserError) as ctx:
            (post or moves.action_post)()
        message = str(ctx.exception.args[0])
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assertEqual(set(moves.mapped("state")), {"draft"})
        return message

    def _sale_journal(self, code, **values):
        return self.env["account.journal"].create({
            "name": f"Ventas {code}",
            "code": code,
            "type": "sale",
            "company_id": self.company.id,
            "default_account_id": self.company_data["default_account_revenue"].id,
            "l10n_latam_use_documents": True,
            **values,
        })

    def _authorized_invoice(self, price=100.0, **values):
        invoice = self._invoice(price=price, **values)
        self._run_queue()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized", invoice.l10n_ec_sri_last_error)
        return invoice

    def _refund(self, invoice, price=None):
        refund = self._credit_note(invoice)
        if price is not None:
            refund.invoice_line_ids.write({"price_unit": price})
        return refund

    def _debit_note(self, invoice, price=10.0):
        wizard = self.env["account.debit.note"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"reason": "Intereses por mora", "copy_lines": True, "date": self.today})
        debit = self.env["account.move"].browse(wizard.create_debit()["res_id"])
        debit.invoice_line_ids.write({"price_unit": price})
        return debit

    @staticmethod
    def _xml(move):
        return etree.fromstring(move.l10n_ec_sri_xml_id.raw)

    # -- 1. no sale of an Ecuadorian company skips the SRI ------------------------------------
    def test_journal_without_emission_point_refused(self):
        journal = self._sale_journal("VSP")
        self.assertFalse(journal.l10n_ec_entity)
        move = self._invoice(post=False, journal_id=journal.id)
        self.assertTrue(move.l10n_ec_sri_is_document)
        self._refused(move, journal.display_name, "Emission Entity", "Emission Point", "establecimiento",
                      "Accounting > Configuration > Journals")
        self.assertFalse(move.l10n_ec_sri_access_key)

    def test_journal_with_bad_emission_point_refused(self):
        journal = self._sale_journal("VSB", l10n_ec_entity="0A1", l10n_ec_emission="001")
        move = self._invoice(post=False, journal_id=journal.id)
        self._refused(move, journal.display_name, "0A1")

    def test_journal_emission_point_fixed_then_issued(self):
        journal = self._sale_journal("VSF")
        move = self._invoice(post=False, journal_id=journal.id)
        self._refused(move, journal.display_name)
        journal.write({"l10n_ec_entity": "002", "l10n_ec_emission": "003"})
        move.action_post()
        self.assertEqual(move.l10n_ec_sri_state, "to_send")
        self.assertEqual(self._xml(move).findtext("infoTributaria/estab"), "002")
        self.assertEqual(self._xml(move).findtext("infoTributaria/ptoEmi"), "003")

    def test_invoice_document_type_not_electronic_refused(self):
        move = self._invoice(post=False)
        move.l10n_latam_document_type_id = self.env.ref("l10n_ec.ec_dt_02")  # nota de venta
        self._refused(move, "(code 02)", "Invoice (01)")

    def test_refund_document_type_not_04_refused(self):
        invoice = self._authorized_invoice()
        refund = self._refund(invoice)
        refund.l10n_latam_document_type_id = self.env.ref("l10n_ec.ec_dt_47")
        self._refused(refund, "(code 47)", "Credit Note (04)")

    def test_journal_without_documents_is_not_an_sri_document(self):
        """l10n_latam: a journal without documents registers entries that are no legal document."""
        journal = self._sale_journal("VND", l10n_latam_use_documents=False)
        move = self._invoice(journal_id=journal.id)
        self.assertEqual(move.state, "posted")
        self.assertFalse(move.l10n_ec_sri_is_document)
        self.assertFalse(move.l10n_ec_sri_state)
        self.assertFalse(move.l10n_ec_sri_access_key)

    def test_currency_other_than_usd_refused(self):
        eur = self.setup_other_currency("EUR")
        move = self._invoice(post=False, currency_id=eur.id)
        self._refused(move, "US dollars")

    def test_post_not_soft_refused(self):
        journal = self._sale_journal("VSS")
        move = self._invoice(post=False, journal_id=journal.id)
        self._refused(move, journal.display_name, post=lambda: move._post(soft=False))

    def test_soft_post_of_a_future_invoice_waits_for_its_date(self):
        """A soft posting leaves a future document to the auto-post cron: it is checked when it is posted."""
        move = self._invoice(post=False, invoice_date=self.today + timedelta(days=3))
        move._post(soft=True)
        self.assertEqual(move.state, "draft")
        self.assertEqual(move.auto_post, "at_date")
        self.assertFalse(move.l10n_ec_sri_state)

    def test_auto_post_cron_posts_the_good_and_reports_the_bad(self):
        journal = self._sale_journal("VSA")
        good = self._invoice(post=False, auto_post="at_date")
        bad = self._invoice(post=False, journal_id=journal.id, auto_post="at_date")
        (good | bad).write({"checked": True})
        self.env["account.move"]._autopost_draft_entries()
        self.assertEqual(good.state, "posted")
        self.assertEqual(good.l10n_ec_sri_state, "to_send")
        self.assertEqual(bad.state, "draft")
        self.assertFalse(bad.l10n_ec_sri_state)
        self.assertIn(journal.display_name, bad.message_ids[:1].body)

    def test_created_posted_refused(self):
        with self.assertRaises(UserError):
            self.env["account.move"].create({
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "journal_id": self.journal.id,
                "invoice_date": self.today,
                "state": "posted",
                "invoice_line_ids": [Command.create({"product_id": self.product.id, "price_unit": 10.0})],
            })

    def test_several_moves_one_bad_none_posted(self):
        journal = self._sale_journal("VSM")
        good = self._invoice(post=False)
        bad = self._invoice(post=False, journal_id=journal.id)
        message = self._refused(good | bad, journal.display_name)
        self.assertEqual(message.count("Emission Entity"), 1)
        self.assertFalse(any((good | bad).mapped("l10n_ec_sri_access_key")))

    # -- 2. credit and debit notes checked against what they modify ---------------------------
    def test_credit_note_of_invoice_not_authorized_refused(self):
        invoice = self._invoice()
        cases = {
            "to_send": "still waiting",
            "retry": "not answered",
            "received": "received it",
            "returned": "reset it to draft",
            "not_authorized": "did NOT AUTHORIZE it",
            "annulled": "annulled",
        }
        for state, hint in cases.items():
            with self.subTest(state=state):
                self._flow_write(invoice, {"state": state})
                refund = self._refund(invoice)
                self._refused(refund, invoice.display_name, "not authorized by the SRI", hint)
                refund.unlink()

    def test_debit_note_of_invoice_not_authorized_refused(self):
        invoice = self._invoice(price=80.0)
        self.assertEqual(invoice.l10n_ec_sri_state, "to_send")
        debit = self._debit_note(invoice)
        self._refused(debit, "debit note", invoice.display_name, "not authorized by the SRI")
        self._run_queue()
        debit.action_post()
        self.assertEqual(debit.l10n_ec_sri_state, "to_send")

    def test_credit_notes_cannot_exceed_the_invoice(self):
        invoice = self._authorized_invoice(price=100.0)  # 115.00 with IVA
        first = self._refund(invoice, price=60.0)  # 69.00
        first.action_post()
        self.assertEqual(first.l10n_ec_sri_state, "to_send")
        second = self._refund(invoice)  # 115.00
        message = self._refused(second, invoice.display_name, "115.00", "69.00", "46.00")
        self.assertIn("exceeds what is left", message)
        second.invoice_line_ids.write({"price_unit": 40.0})  # 46.00: exactly what is left
        second.action_post()
        self.assertEqual(second.l10n_ec_sri_state, "to_send")
        third = self._refund(invoice, price=0.01)
        self._refused(third, "0.00 is left")

    def test_credit_notes_posted_together_counted_together(self):
        invoice = self._authorized_invoice(price=100.0)
        first = self._refund(invoice, price=60.0)
        second = self._refund(invoice, price=60.0)
        self._refused(first | second, "posted together with this one", "115.00", "69.00")
        first.action_post()
        self.assertEqual(first.state, "posted")

    def test_full_credit_note_of_authorized_invoice_allowed(self):
        invoice = self._authorized_invoice(price=50.0)
        refund = self._refund(invoice)
        refund.action_post()
        self.assertEqual(self._xml(refund).findtext("infoNotaCredito/valorModificacion"), "57.50")

    # -- 3. no text cut silently ----------------------------------------------------------------
    def test_long_line_label_kept_whole_in_additional_details(self):
        text = _words(700)
        self.assertEqual(len(text), 700)
        move = self._invoice(post=False)
        move.invoice_line_ids.name = text
        move.action_post()
        detail = self._xml(move).find("detalles/detalle")
        description = detail.findtext("descripcion")
        self.assertLessEqual(len(description), 300)
        extras = detail.findall("detallesAdicionales/detAdicional")
        self.assertEqual([e.get("nombre") for e in extras],
                         ["Descripción (continuación 1/2)", "Descripción (continuación 2/2)"])
        self.assertTrue(all(len(e.get("valor")) <= 300 for e in extras))
        self.assertEqual(" ".join([description] + [e.get("valor") for e in extras]), text)
        self._run_queue()
        self.assertEqual(move.l10n_ec_sri_state, "authorized", move.l10n_ec_sri_last_error)

    def test_long_line_label_of_credit_note_kept_whole(self):
        invoice = self._authorized_invoice()
        refund = self._refund(invoice)
        text = _words(400)
        refund.invoice_line_ids.name = text
        refund.action_post()
        detail = self._xml(refund).find("detalles/detalle")
        extras = detail.findall("detallesAdicionales/detAdicional")
        self.assertEqual([e.get("nombre") for e in extras], ["Descripción (continuación)"])
        self.assertEqual(detail.findtext("descripcion") + " " + extras[0].get("valor"), text)

    def test_label_of_300_unchanged(self):
        text = _words(300)
        move = self._invoice(post=False)
        move.invoice_line_ids.name = text
        move.action_post()
        detail = self._xml(move).find("detalles/detalle")
        self.assertEqual(detail.findtext("descripcion"), text)
        self.assertIsNone(detail.find("detallesAdicionales"))

    def test_line_label_too_long_refused(self):
        move = self._invoice(post=False)
        move.invoice_line_ids.name = _words(1300)
        self._refused(move, "Label of line", "1300 characters", "1200")

    def test_long_internal_reference_refused(self):
        self.product.default_code = "REF-" + "9" * 26
        move = self._invoice(post=False)
        self._refused(move, f"Internal Reference of product {self.product.display_name}", "30 characters",
                      "at most 25")

    def test_long_barcode_refused(self):
        self.product.barcode = "7" * 30
        move = self._invoice(post=False)
        self._refused(move, "Barcode of product", "30 characters", "at most 25")

    def test_long_unit_of_measure_refused(self):
        uom = self.env["uom.uom"].create({
            "name": "Caja " + "de doce unidades " * 4,
            "category_id": self.env.ref("uom.product_uom_categ_unit").id,
            "uom_type": "bigger",
            "factor_inv": 12,
        })
        move = self._invoice(post=False)
        move.invoice_line_ids.product_uom_id = uom
        self._refused(move, "unit of measure", f"{len(' '.join(uom.name.split()))} characters", "at most 50")

    def test_long_credit_note_reason_refused(self):
        invoice = self._authorized_invoice()
        refund = self._refund(invoice)
        refund.ref = _words(350)
        self._refused(refund, "Customer Reference of this credit note", "350 characters", "at most 300")

    def test_long_debit_note_reason_refused(self):
        invoice = self._authorized_invoice()
        debit = self._debit_note(invoice)
        debit.invoice_line_ids.name = _words(350)
        self._refused(debit, "debit note", "350 characters", "at most 300")

    def test_long_reference_kept_whole_in_additional_info(self):
        text = _words(420)
        move = self._invoice(post=False, ref=text)
        move.action_post()
        fields_ = {e.get("nombre"): e.text for e in self._xml(move).findall("infoAdicional/campoAdicional")}
        self.assertEqual(fields_["Referencia"] + " " + fields_["Referencia (continuación)"], text)

    def test_reference_needing_too_many_fields_refused(self):
        move = self._invoice(post=False, ref=_words(300 * 14))
        self._refused(move, "additional information", "at most 15")

    def test_long_customer_address_refused(self):
        self.customer.street = _words(320)
        move = self._invoice(post=False)
        self._refused(move, f"address of the customer {self.customer.display_name}", "at most 300")
