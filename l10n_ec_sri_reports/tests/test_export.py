# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The complete export: built by the scheduled job a part at a time (resumed after an interruption), sound
by the core's ``verify``, mailed as a link, downloaded by an SRI administrator only, and read back by
``python -m sri export restore`` into a database without those documents: every key, state, XML and RIDE."""
import base64
import hashlib
import io
import os
import shutil
import zipfile
from datetime import timedelta
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import config

from odoo.addons.l10n_ec_sri.sri import access_key as sri_access_key
from odoo.addons.l10n_ec_sri.sri import archive as sri_archive
from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador
from odoo.addons.l10n_ec_sri.tests.test_xmlrpc import CUSTOMER_CEDULA

from .common import L10nEcSriReportsHttpCase
from odoo.addons.l10n_ec_sri_reports.models import l10n_ec_sri_export


@tagged("post_install", "-at_install", "l10n_ec_sri_reports")
class TestExport(L10nEcSriReportsHttpCase):
    company_name = "Exportadora SRI S.A."
    user_prefix = "sri_export"
    invoice_prices = (100.0, 250.0, 40.0)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sri_admin.email = "contadora@example.com"

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
        code, taxes = self.product.default_code, self.product.taxes_id
        self.product.default_code = f"{code}-OLD"  # a database without that product either
        self.env.flush_all()
        out = []
        totals = sri_archive.restore(export._file_path(), self.base_url(), self.env.cr.dbname, self.sri_admin.login,
                                     f"{self.sri_admin.login}-Pa55word", batch_size=2, out=out.append)
        self.assertEqual((totals["documents_created"], totals["documents_skipped"]), (3, 0))
        self.assertEqual(totals["products_created"], 1)
        product = self.env["product.product"].search([("default_code", "=", code)])
        self.assertEqual((product.name, product.company_id, product.taxes_id), (self.product.name, self.company, taxes))
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
        self.assertEqual((totals["partners_created"], totals["products_created"]), (0, 0))

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

    def _restore_row(self, **values):
        key = sri_access_key.build(today_ecuador(), "01", self.company.vat, "1", "001", "009", "78", "12345678")
        xml = self.documents[0].authorized_xml_id.raw  # another document's XML
        return {"access_key": key, "kind": "factura", "state": "authorized", "number": "001-009-000000078",
                "environment": "1", "authorization_number": key, "xml_kind": "authorized",
                "xml_b64": base64.b64encode(xml).decode(), "xml_sha256": hashlib.sha256(xml).hexdigest(),
                "ride_b64": None, **values}

    def test_restore_checks_each_document_on_the_server(self):
        Export = self.env["l10n_ec_sri.export"].with_user(self.sri_admin)
        head = {"format": sri_archive.FORMAT, "version": sri_archive.VERSION, "company_ruc": self.company.vat}
        row = self._restore_row()
        cases = {
            "claveAcceso": row,  # the XML is of another document
            "xml_sha256": {**row, "xml_sha256": None},
            "environment": {**row, "environment": "2"},
            "without its XML": {**row, "xml_b64": None, "xml_sha256": None},
        }
        for words, bad in cases.items():
            with self.subTest(words), self.assertRaises(UserError) as caught:
                Export.restore_batch({**head, "documents": [bad]})
            self.assertIn(words, str(caught.exception))
        self.assertFalse(self.env["l10n_ec_sri.document"].search([("access_key", "=", row["access_key"])]))
        # the genuine XML of that key goes in
        doc = self.documents[0]
        xml = doc.authorized_xml_id.raw
        self.env.flush_all()
        self.env.cr.execute("UPDATE l10n_ec_sri_document SET access_key = NULL WHERE id = %s", [doc.id])
        good = {**row, "access_key": doc.access_key, "authorization_number": doc.authorization_number}
        self.assertEqual(Export.restore_batch({**head, "documents": [good]}), {"created": 1, "skipped": 0})
        self.assertEqual(self.env["l10n_ec_sri.document"].search([("access_key", "=", doc.access_key)])
                         .authorized_xml_id.raw, xml)

    def test_old_exports_expire_and_the_job_time_fits_the_server_limit(self):
        export = self._export()
        self.env["l10n_ec_sri.export"]._cron_run()
        self.assertEqual(export.state, "done")
        self.assertTrue(os.path.exists(export._file_path()))
        export.date_done = export.date_done - timedelta(days=l10n_ec_sri_export.KEEP_DAYS + 1)
        self.env["l10n_ec_sri.export"]._cron_run()
        self.assertEqual(export.state, "expired")
        self.assertFalse(os.path.exists(export._folder()))
        with self.assertRaises(UserError):
            export.with_user(self.sri_admin).action_download()
        with patch.dict(config.options, {"limit_time_real_cron": -1, "limit_time_real": 120}):
            self.assertEqual(l10n_ec_sri_export.run_seconds(), 60)
        with patch.dict(config.options, {"limit_time_real_cron": 0, "limit_time_real": 120}):
            self.assertEqual(l10n_ec_sri_export.run_seconds(), l10n_ec_sri_export.RUN_SECONDS)
        with patch.dict(config.options, {"limit_time_real_cron": 1000}):
            self.assertEqual(l10n_ec_sri_export.run_seconds(), l10n_ec_sri_export.RUN_SECONDS)
