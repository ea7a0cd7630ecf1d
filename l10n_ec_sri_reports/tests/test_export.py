# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The complete export: built by the scheduled job a part at a time (resumed after an interruption), sound
by the core's ``verify``, mailed as a link, downloaded by an SRI administrator only, and read back by
``python -m sri export restore`` into a database without those documents: every key, state, XML and RIDE."""
import io
import os
import shutil
import zipfile
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.l10n_ec_sri.sri import access_key as sri_access_key
from odoo.addons.l10n_ec_sri.sri import archive as sri_archive
from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador
from odoo.addons.l10n_ec_sri.tests.test_xmlrpc import CUSTOMER_CEDULA, L10nEcSriHttpCase
from odoo.addons.l10n_ec_sri_reports.models import l10n_ec_sri_export


@tagged("post_install", "-at_install", "l10n_ec_sri_reports")
class TestExport(L10nEcSriHttpCase):
    company_name = "Exportadora SRI S.A."

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.readonly = cls._sri_user("sri_export_readonly", "l10n_ec_sri.group_l10n_ec_sri_readonly")
        cls.sri_admin = cls._sri_user("sri_export_admin", "l10n_ec_sri.group_l10n_ec_sri_admin")
        cls.sri_admin.email = "contadora@example.com"
        cls.customer = cls.env["res.partner"].create({
            "name": "Lucía Chiriboga", "vat": CUSTOMER_CEDULA,
            "l10n_latam_identification_type_id": cls.env.ref("l10n_ec.ec_dni").id,
            "country_id": cls.env.ref("base.ec").id, "street": "Av. 10 de Agosto N25-12", "city": "Quito",
        })
        cls.moves = cls.env["account.move"]
        for price in (100.0, 250.0, 40.0):
            move = cls.env["account.move"].create({
                "move_type": "out_invoice", "partner_id": cls.customer.id, "journal_id": cls.journal.id,
                "invoice_line_ids": [(0, 0, {"product_id": cls.product.id, "quantity": 1, "price_unit": price,
                                             "tax_ids": [(6, 0, cls.tax_15.ids)]})],
            })
            move.action_post()
            move.action_l10n_ec_sri_send()
            cls.moves |= move
        cls.documents = cls.moves.l10n_ec_sri_document_id
        assert set(cls.documents.mapped("state")) == {"authorized"}, cls.documents.mapped("last_error")

    def _export(self):
        action = self.env["l10n_ec_sri.export"].with_user(self.sri_admin).action_request()
        export = self.env["l10n_ec_sri.export"].browse(action["res_id"])
        self.addCleanup(shutil.rmtree, export._folder(), True)  # the filestore is not rolled back
        return export

    def test_export_built_in_parts_resumed_and_sound(self):
        export = self._export()
        self.assertEqual((export.state, export.company_id, export.user_id), ("queued", self.company, self.sri_admin))
        with self.assertRaises(UserError):  # one at a time per company
            self._export()
        with patch.object(l10n_ec_sri_export, "DOCUMENTS_PER_PART", 2):
            self.assertFalse(export._step())  # partners and products
            self.assertEqual((export.state, export.total, export.part_count), ("running", 3, 1))
            self.assertFalse(export._step())  # documents 1-2
            self.assertEqual((export.done_count, round(export.progress)), (2, 67))
            # the server stopped while it wrote the next part: a half-written file is there, not committed
            with open(export._part_path(2), "wb") as broken:
                broken.write(b"PK\x03\x04 half a part")
            self.env["l10n_ec_sri.export"]._cron_run()  # after the restart
        self.assertEqual(export.state, "done", export.error)
        path = export._file_path()
        self.assertEqual(sri_archive.verify(path), [])
        self.assertEqual(sorted(os.listdir(export._folder())), [export.file_name], "the parts are gone")
        with sri_archive.Archive(path) as archive:
            counts = archive.manifest["counts"]
            self.assertEqual((counts["documents"], counts["xml"], counts["ride"]), (3, 3, 3))
            self.assertEqual(archive.manifest["company"]["ruc"], self.company.vat)
            documents = {row["access_key"]: row for row in archive.iter("documents")}
            self.assertEqual(set(documents), set(self.documents.mapped("access_key")))
            for doc in self.documents:
                row = documents[doc.access_key]
                self.assertEqual((row["state"], row["number"], row["authorization_number"], row["partner_vat"]),
                                 ("authorized", doc.name, doc.authorization_number, CUSTOMER_CEDULA))
                self.assertEqual(archive.read(row["xml"]), doc.authorized_xml_id.raw)
                self.assertEqual(archive.read(row["ride"]), doc.ride_id.raw)
            self.assertIn(CUSTOMER_CEDULA, [p["vat"] for p in archive.iter("partners")])
            self.assertIn("INT-01", [p["default_code"] for p in archive.iter("products")])
        mail = self.env["mail.mail"].search([("email_to", "ilike", "contadora@example.com")])
        self.assertEqual(len(mail), 1)
        self.assertIn(export._download_url().replace("&", "&amp;"), mail.body_html)
        entry = self.env["l10n_ec_sri.audit"].sudo().search([("action", "=", "export"), ("res_model", "=", "res.company")])
        self.assertEqual((len(entry), entry.user_id, entry.res_id), (1, self.sri_admin, self.company.id))

    def test_only_sri_administrators(self):
        with self.assertRaises(AccessError):
            self.env["l10n_ec_sri.export"].with_user(self.readonly).action_request()
        with self.assertRaises(AccessError):
            self.env["l10n_ec_sri.export"].with_user(self.readonly).search([])

    def test_download(self):
        export = self._export()
        self.env["l10n_ec_sri.export"]._cron_run()
        self.env.flush_all()
        self.authenticate(self.readonly.login, f"{self.readonly.login}-Pa55word")
        self.assertEqual(self.url_open(export._download_url()).status_code, 404)
        self.authenticate(self.sri_admin.login, f"{self.sri_admin.login}-Pa55word")
        self.assertEqual(self.url_open(export._download_url() + "x").status_code, 404)
        response = self.url_open(export._download_url())
        self.assertEqual(response.status_code, 200)
        with open(export._file_path(), "rb") as f:
            self.assertEqual(response.content, f.read())
        self.assertIn(export.file_name, response.headers["Content-Disposition"])
        self.assertTrue(zipfile.ZipFile(io.BytesIO(response.content)).testzip() is None)
        entry = self.env["l10n_ec_sri.audit"].sudo().search([("action", "=", "download"), ("res_model", "=", "res.company")])
        self.assertEqual((entry.user_id, entry.channel, entry.detail), (self.sri_admin, "web", export.file_name))

    def test_restore_with_the_command(self):
        export = self._export()
        self.env["l10n_ec_sri.export"]._cron_run()
        original = {doc.access_key: (doc.state, doc.authorization_number, doc.authorization_date,
                                     doc.authorized_xml_id.raw, doc.ride_id.raw, doc.name) for doc in self.documents}
        # a database without these documents: their keys are not in it
        self.env.flush_all()
        self.env.cr.execute("UPDATE l10n_ec_sri_document SET access_key = NULL WHERE id IN %s",
                            [tuple(self.documents.ids)])
        self.env.invalidate_all()
        out = []
        totals = sri_archive.restore(export._file_path(), self.base_url(), self.env.cr.dbname, self.sri_admin.login,
                                     f"{self.sri_admin.login}-Pa55word", batch_size=2, out=out.append)
        self.assertEqual((totals["documents_created"], totals["documents_skipped"]), (3, 0))
        restored = self.env["l10n_ec_sri.document"].search([("access_key", "in", list(original))])
        self.assertEqual(len(restored), 3)
        for doc in restored:
            state, number, date, xml, ride, name = original[doc.access_key]
            self.assertEqual((doc.state, doc.authorization_number, doc.authorization_date, doc.name),
                             (state, number, date, name))
            self.assertEqual(doc.authorized_xml_id.raw, xml)
            self.assertEqual(doc.ride_id.raw, ride)
            self.assertEqual(doc.res_model, "l10n_ec_sri.restored")
            self.assertEqual(doc._source().document_id, doc)
            self.assertEqual(doc.partner_id, self.customer)
        with self.assertRaises(UserError):  # a restored legal record is as locked as any other
            doc.authorized_xml_id.write({"raw": b"<nothing/>"})
        entries = self.env["l10n_ec_sri.audit"].sudo().search([("action", "=", "restore")])
        self.assertEqual(entries.document_id, restored)
        # run again (after an interruption): nothing twice
        totals = sri_archive.restore(export._file_path(), self.base_url(), self.env.cr.dbname, self.sri_admin.login,
                                     f"{self.sri_admin.login}-Pa55word", out=out.append)
        self.assertEqual((totals["documents_created"], totals["documents_skipped"]), (0, 3))
        self.assertEqual(totals["partners_created"], 0)

    def test_restored_pending_document_is_never_sent(self):
        key = sri_access_key.build(today_ecuador(), "01", self.company.vat, "1", "001", "009", "77", "12345678")
        answer = self.env["l10n_ec_sri.export"].with_user(self.sri_admin).restore_batch({
            "format": sri_archive.FORMAT, "version": sri_archive.VERSION, "company_ruc": self.company.vat,
            "documents": [{"access_key": key, "kind": "factura", "state": "to_send", "number": "001-009-000000077",
                           "partner_vat": CUSTOMER_CEDULA, "xml_b64": None, "ride_b64": None}]})
        self.assertEqual(answer, {"created": 1, "skipped": 0})
        document = self.env["l10n_ec_sri.document"].search([("access_key", "=", key)])
        self.assertEqual(document.state, "to_send")
        self.company.l10n_ec_sri_auto_send = True
        self.env.flush_all()
        self.assertNotIn(document.id, self.env["l10n_ec_sri.document"]._pick(limit=50, company_ids=self.company.ids),
                         "the database it came from sends it")

    def test_restore_refuses_another_company(self):
        with self.assertRaises(UserError):
            self.env["l10n_ec_sri.export"].with_user(self.sri_admin).restore_batch({
                "format": sri_archive.FORMAT, "version": sri_archive.VERSION, "company_ruc": "1790016919001",
                "documents": []})
        with self.assertRaises(AccessError):
            self.env["l10n_ec_sri.export"].with_user(self.readonly).restore_batch({
                "format": sri_archive.FORMAT, "version": sri_archive.VERSION, "company_ruc": self.company.vat,
                "documents": []})
