# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The audit trail: each action (view, change, export, download, print, mail, annulment) on an electronic
document and on a certificate leaves an entry with the user, the time and the path (web, XML-RPC, JSON-RPC,
API, server), and nobody, administrators and the superuser included, changes or deletes one."""
import base64
import json
from datetime import timedelta

import requests

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import L10nEcSriReportsHttpCase


@tagged("post_install", "-at_install", "l10n_ec_sri_reports")
class TestAudit(L10nEcSriReportsHttpCase):
    company_name = "Auditoría SRI S.A."
    user_prefix = "sri_audit"
    readonly_groups = "l10n_ec_sri.group_l10n_ec_sri_readonly,base.group_allow_export"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.move, cls.document = cls.moves, cls.documents

    def _entries(self, **filters):
        domain = [("document_id", "=", self.document.id)] + [(k, "=", v) for k, v in filters.items()]
        return self.env["l10n_ec_sri.audit"].sudo().search(domain)

    def _auditlog(self, method, model="l10n_ec_sri.document", res_id=None):
        return self.env["auditlog.log"].sudo().search([
            ("model_model", "=", model), ("method", "=", method), ("res_id", "=", res_id or self.document.id)])

    def _rpc(self, user, model, method, *args, **kwargs):
        password = f"{user.login}-Pa55word"
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, user.login, password, {})
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, uid, password, model, method, list(args), kwargs)

    def _jsonrpc(self, user, model, method, *args):
        password = f"{user.login}-Pa55word"
        body = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
            "service": "object", "method": "execute",
            "args": [self.env.cr.dbname, user.id, password, model, method, *args]}}
        response = self.url_open("/jsonrpc", data=json.dumps(body), headers={"Content-Type": "application/json"})
        result = response.json()
        self.assertNotIn("error", result, result)
        return result["result"]

    # downloads, by path --------------------------------------------------------------------------------
    def test_download_from_the_web_client(self):
        self.authenticate(self.readonly.login, f"{self.readonly.login}-Pa55word")
        response = self.url_open(f"/web/content/{self.document.authorized_xml_id.id}?download=true")
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"numeroAutorizacion", response.content)
        [entry] = self._entries(action="download")
        self.assertEqual(entry.user_id, self.readonly)
        self.assertEqual(entry.channel, "web")
        self.assertEqual(entry.path, f"/web/content/{self.document.authorized_xml_id.id}")
        self.assertEqual(entry.detail, self.document.authorized_xml_id.name)
        self.assertEqual(entry.company_id, self.company)
        self.assertTrue(entry.ip)
        self.assertLessEqual(abs((fields.Datetime.now() - entry.date).total_seconds()), 60)

    def test_download_over_xmlrpc_and_jsonrpc(self):
        files = self._rpc(self.readonly, "ir.attachment", "read", [self.document.ride_id.id], fields=["datas"])
        self.assertTrue(base64.b64decode(files[0]["datas"]).startswith(b"%PDF"))
        [entry] = self._entries(action="download")
        self.assertEqual((entry.user_id, entry.channel, entry.path), (self.readonly, "xmlrpc", "/xmlrpc/2/object"))
        # a read without the content is no download
        self._rpc(self.readonly, "ir.attachment", "read", [self.document.ride_id.id], fields=["name"])
        self.assertEqual(len(self._entries(action="download")), 1)
        self._jsonrpc(self.readonly, "ir.attachment", "search_read",
                      [("id", "=", self.document.authorized_xml_id.id)], ["raw"])
        entry = self._entries(action="download", channel="jsonrpc")
        self.assertEqual((len(entry), entry.user_id, entry.path), (1, self.readonly, "/jsonrpc"))

    def test_download_from_the_api(self):
        if not self.env.ref("l10n_ec_sri_api.endpoint_l10n_ec_sri_api", raise_if_not_found=False):
            self.skipTest("l10n_ec_sri_api is not installed")
        editor = self._sri_user("sri_audit_api", "l10n_ec_sri.group_l10n_ec_sri_editor")
        token = self.env["res.users.apikeys"].with_user(editor)._generate(
            None, "audit test", fields.Datetime.now() + timedelta(days=1))
        self.env.flush_all()
        endpoint = self.env.ref("l10n_ec_sri_api.endpoint_l10n_ec_sri_api")
        response = requests.get(f"{self.base_url()}{endpoint.root_path}/documents/{self.document.id}/ride",
                                headers={"Authorization": f"Bearer {token}"}, timeout=60)
        self.assertEqual(response.status_code, 200, response.text)
        [entry] = self._entries(action="download")
        self.assertEqual((entry.user_id, entry.channel), (editor, "api"))
        self.assertEqual(entry.path, f"{endpoint.root_path}/documents/{self.document.id}/ride")

    def test_certificate_read_and_change(self):
        certificate = self.company.l10n_ec_sri_certificate_id
        self.authenticate(self.sri_admin.login, f"{self.sri_admin.login}-Pa55word")
        # opening the certificate's form (web_read) is in auditlog, without the file or its password
        self.make_jsonrpc_request("/web/dataset/call_kw/l10n_ec_sri.certificate/web_read", {
            "model": "l10n_ec_sri.certificate", "method": "web_read", "args": [[certificate.id]],
            "kwargs": {"specification": {"name": {}, "subject": {}, "password": {}, "p12_encrypted": {}}}})
        [log] = self._auditlog("read", "l10n_ec_sri.certificate", certificate.id).filtered(
            lambda log: log.user_id == self.sri_admin)
        self.assertEqual(log.user_id, self.sri_admin)
        self.assertEqual(log.http_request_id.name, "/web/dataset/call_kw/l10n_ec_sri.certificate/web_read")
        self.assertIn("subject", log.line_ids.mapped("field_name"))
        self.assertFalse({"password", "p12_encrypted"} & set(log.line_ids.mapped("field_name")))
        self._rpc(self.sri_admin, "l10n_ec_sri.certificate", "write", [certificate.id], {"name": "Firma 2027"})
        [change] = self._auditlog("write", "l10n_ec_sri.certificate", certificate.id).filtered(
            lambda log: log.user_id == self.sri_admin)
        self.assertEqual((change.user_id, change.http_request_id.name), (self.sri_admin, "/xmlrpc/2/object"))
        line = change.line_ids.filtered(lambda line: line.field_name == "name")
        self.assertEqual((line.old_value, line.new_value), (f"Certificado de pruebas {self.company.name}", "Firma 2027"))

    # views, changes, exports (auditlog) ---------------------------------------------------------------
    def test_view_change_and_list_export_in_auditlog(self):
        created = self._auditlog("create")
        self.assertEqual(len(created), 1, "the document's creation by the flow")
        self.assertTrue(self._auditlog("write"), "the flow's changes (sent, authorized)")
        self.assertIn("state", self._auditlog("write").line_ids.mapped("field_name"))

        self.authenticate(self.readonly.login, f"{self.readonly.login}-Pa55word")
        self.make_jsonrpc_request("/web/dataset/call_kw/l10n_ec_sri.document/web_read", {
            "model": "l10n_ec_sri.document", "method": "web_read", "args": [[self.document.id]],
            "kwargs": {"specification": {"name": {}, "state": {}, "access_key": {}}}})
        [view] = self._auditlog("read").filtered(lambda log: log.user_id == self.readonly)
        self.assertEqual(view.user_id, self.readonly)
        self.assertEqual(view.http_request_id.name, "/web/dataset/call_kw/l10n_ec_sri.document/web_read")

        self._rpc(self.readonly, "l10n_ec_sri.document", "export_data", [self.document.id], ["name", "access_key"])
        [export] = self.env["auditlog.log"].sudo().search([
            ("model_model", "=", "l10n_ec_sri.document"), ("method", "=", "export_data")])
        self.assertEqual(export.user_id, self.readonly)
        self.assertEqual(export.res_ids, str([self.document.id]))
        self.assertEqual(export.http_request_id.name, "/xmlrpc/2/object")

    def test_report_export(self):
        report = self.env["l10n_ec_sri.report.document"].with_user(self.readonly)
        rows = report.search([("company_id", "=", self.company.id)])
        rows.export_data(["name", "state"])
        [entry] = self.env["l10n_ec_sri.audit"].sudo().search([("res_model", "=", "ir.model"), ("action", "=", "export")])
        self.assertEqual((entry.user_id, entry.channel, entry.detail), (self.readonly, "system", f"{len(rows)} rows"))
        self.assertEqual(entry.res_id, self.env["ir.model"]._get_id("l10n_ec_sri.report.document"))

    # prints, mails, annulments -----------------------------------------------------------------------
    def test_print_from_the_web_client(self):
        report = self.move._l10n_ec_sri_ride_report()
        self.authenticate(self.readonly.login, f"{self.readonly.login}-Pa55word")
        response = self.url_open(f"/report/pdf/{self.env.ref(report).report_name}/{self.move.id}")
        self.assertEqual(response.status_code, 200)
        [entry] = self._entries(action="print")
        self.assertEqual((entry.user_id, entry.channel), (self.readonly, "web"))
        self.assertTrue(entry.path.startswith("/report/pdf/"))

    def test_mail_by_the_queue(self):
        self.company.l10n_ec_sri_send_mail = True
        self.document._flow().write({"mail_state": "pending", "mailed": False})
        self.document._mail_authorized()
        self.assertTrue(self.document.mailed, self.document.mail_error)
        [entry] = self._entries(action="mail")
        self.assertEqual(entry.channel, "system")
        self.assertIn("lucia@example.com", entry.detail)
        self.env["mail.mail"].sudo().search([("attachment_ids", "in", self.document.authorized_xml_id.ids)]).send()
        self.assertFalse(self._entries(action="download"), "the mail's own reading of its files is no download")

    def test_note_with_attachments_is_no_mail(self):
        other = self.env["ir.attachment"].create({"name": "nota.txt", "raw": b"nota", "res_model": "account.move",
                                                  "res_id": self.move.id})
        self.move.message_post(body="Nota interna", attachment_ids=other.ids)
        self.move.message_post(body="El XML, para el archivo", attachment_ids=self.document.authorized_xml_id.ids)
        self.assertFalse(self._entries(action="mail"), "nobody received anything")

    def test_annulment(self):
        wizard_user = self.document.with_user(self.sri_admin)
        wizard_user._annul("Error en el valor")
        [entry] = self._entries(action="annul")
        self.assertEqual((entry.user_id, entry.detail), (self.sri_admin, "Error en el valor"))
        self.assertEqual(self.document.state, "annulled")

    # append-only -------------------------------------------------------------------------------------
    def test_nobody_changes_or_deletes_an_entry(self):
        self.document.with_user(self.sri_admin)._l10n_ec_sri_audit("download", detail="x.xml")
        entry = self._entries(action="download")
        for env in (self.env, self.env(su=True), self.env(user=self.sri_admin)):
            with self.assertRaises(UserError):
                entry.with_env(env).write({"detail": "nothing happened"})
            with self.assertRaises(UserError):
                entry.with_env(env).unlink()
        with self.assertRaises(UserError):  # nor forges one
            self.env["l10n_ec_sri.audit"].sudo().create({"action": "print", "channel": "web"})
        self.assertEqual(self.env["l10n_ec_sri.audit"].with_user(self.sri_admin).search([("id", "=", entry.id)]),
                         entry, "visible to SRI administrators")
        with self.assertRaises(AccessError):  # and to them only
            self.env["l10n_ec_sri.audit"].with_user(self.readonly).search([])

        log = self._auditlog("write")[:1]
        for target in (log, log.line_ids[:1]):
            with self.assertRaises(UserError):
                target.sudo().unlink()
            with self.assertRaises(UserError):
                target.sudo().write({"old_value" if target._name.endswith("line") else "name": "x"})
        rule = self.env.ref("l10n_ec_sri_reports.auditlog_rule_document")
        with self.assertRaises(UserError):
            rule.sudo().unsubscribe()
        with self.assertRaises(UserError):
            rule.sudo().unlink()

    def test_cleanup_job_keeps_the_sri_entries(self):
        other = self.env["auditlog.log"].sudo().create({
            "model_id": self.env["ir.model"]._get_id("res.partner"), "res_id": self.customer.id, "method": "write",
            "name": self.customer.name})
        sri = self.env["auditlog.log"].sudo().search([("model_model", "=", "l10n_ec_sri.document")])
        self.assertTrue(sri)
        self.env.flush_all()
        # the SRI entries are the oldest: a clean-up a chunk at a time still reaches the others
        self.env.cr.execute("UPDATE auditlog_log SET create_date = now() - interval '400 days'")
        self.env.cr.execute("UPDATE auditlog_log SET create_date = now() - interval '500 days' WHERE id IN %s",
                            [tuple(sri.ids)])
        self.env["auditlog.log"].invalidate_model()
        self.env["auditlog.autovacuum"].sudo().autovacuum(days=30, chunk_size=1)
        self.assertFalse(other.exists())
        self.assertEqual(sri.exists(), sri)
        self.assertTrue(sri.http_request_id.exists() or not sri.http_request_id)

    def test_no_context_forges_or_deletes_an_entry(self):
        """What an XML-RPC call can put in its context (strings, booleans) opens nothing."""
        self.document.with_user(self.sri_admin)._l10n_ec_sri_audit("download", detail="x.xml")
        entry = self._entries(action="download")
        forged = {"l10n_ec_sri_audit_create": True, "_force_unlink": True, "l10n_ec_sri_auditlog_writes": True}
        with self.assertRaises(UserError):
            self.env["l10n_ec_sri.audit"].sudo().with_context(**forged).create({"action": "print", "channel": "web"})
        with self.assertRaises(UserError):
            entry.sudo().with_context(**forged).unlink()
        log = self._auditlog("write")[:1]
        for target in (log, log.line_ids[:1]):
            with self.assertRaises(UserError):
                target.sudo().with_context(**forged).unlink()
        with self.assertRaises(UserError):
            self.env.ref("l10n_ec_sri_reports.auditlog_rule_document").sudo().with_context(**forged).unlink()
        with self.assertRaises(UserError):  # nor a made-up auditlog entry about a document
            self.env["auditlog.log"].sudo().with_context(**forged).create({
                "model_id": self.env["ir.model"]._get_id("l10n_ec_sri.document"), "res_id": self.document.id,
                "method": "unlink", "name": "nothing happened"})
        with self.assertRaises(UserError):  # nor a line added to a real one
            self.env["auditlog.log.line"].sudo().create({
                "log_id": log.id, "field_id": self.env["ir.model.fields"]._get("l10n_ec_sri.document", "state").id,
                "old_value": "authorized", "new_value": "annulled"})
        self.assertTrue(entry.exists() and log.exists())

    def test_a_read_is_logged_whatever_the_context(self):
        self._rpc(self.readonly, "l10n_ec_sri.document", "read", [self.document.id], fields=["access_key"],
                  context={"auditlog_disabled": True})
        [read] = self._auditlog("read").filtered(lambda log: log.user_id == self.readonly)
        self.assertEqual(read.http_request_id.name, "/xmlrpc/2/object")

    def test_sri_administrators_see_their_companies_entries_only(self):
        logs = self._auditlog("write")
        self.assertEqual(logs.l10n_ec_sri_company_id, self.company)
        Log = self.env["auditlog.log"].with_user(self.sri_admin)
        self.assertEqual(Log.search([("id", "in", logs.ids)]), logs)
        other = self.env.ref("base.main_company")
        self.env.flush_all()
        self.env.cr.execute("UPDATE auditlog_log SET l10n_ec_sri_company_id = %s WHERE id IN %s",
                            [other.id, tuple(logs.ids)])
        self.env.invalidate_all()
        self.assertFalse(Log.search([("id", "in", logs.ids)]), "another company's trail")
        self.assertFalse(self.env["auditlog.log.line"].with_user(self.sri_admin).search(
            [("log_id", "in", logs.ids)]))

    def test_a_user_with_a_trail_is_archived_not_deleted(self):
        self.document.with_user(self.readonly)._l10n_ec_sri_audit("download", detail="x.xml")
        with self.assertRaises(UserError):
            self.readonly.sudo().unlink()
        self.assertTrue(self.readonly.exists())

    def test_opening_the_invoice_is_a_view_of_its_document(self):
        self.authenticate(self.readonly.login, f"{self.readonly.login}-Pa55word")
        self.make_jsonrpc_request("/web/dataset/call_kw/account.move/web_read", {
            "model": "account.move", "method": "web_read", "args": [[self.move.id]],
            "kwargs": {"specification": {"name": {}, "l10n_ec_sri_access_key": {}, "l10n_ec_sri_state": {}}}})
        [entry] = self._entries(action="view")
        self.assertEqual((entry.user_id, entry.channel), (self.readonly, "web"))
        self.assertIn(self.move.name, entry.detail)
        # a read of the invoice without its document's fields is no view of it
        self.make_jsonrpc_request("/web/dataset/call_kw/account.move/web_read", {
            "model": "account.move", "method": "web_read", "args": [[self.move.id]],
            "kwargs": {"specification": {"name": {}}}})
        self.assertEqual(len(self._entries(action="view")), 1)
