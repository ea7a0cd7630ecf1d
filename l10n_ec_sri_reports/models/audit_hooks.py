# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Where the SRI audit trail hears of downloads, prints, mails, exports and annulments, and what keeps
auditlog's entries of the SRI records append-only."""
import psycopg2.errors

from odoo import _, api, models
from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG
from odoo.exceptions import UserError

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import is_flow

from .l10n_ec_sri_audit import AUDITED_MODELS, refuse_change, rpc_call, rpc_request_id

CONTENT_FIELDS = frozenset({"raw", "datas", "db_datas"})
VACUUM_CONTEXT = "l10n_ec_sri_auditlog_vacuum"


def _log(env, action, records, detail=None):
    return env["l10n_ec_sri.audit"]._log(action, records, detail=detail)


def _log_attachments(env, attachments):
    """A download of these attachments: one entry per electronic document whose XML or RIDE is among them."""
    docs = env["l10n_ec_sri.audit"]._documents_of_attachments(attachments.ids)
    for attachment in attachments.sudo().filtered(lambda a: a.id in docs):
        _log(env, "download", env["l10n_ec_sri.document"].browse(docs[attachment.id]), detail=attachment.name)


class IrBinary(models.AbstractModel):
    _inherit = "ir.binary"

    def _record_to_stream(self, record, field_name):
        """/web/content: the XML or the RIDE of a document (a certificate's file is never given back)."""
        stream = super()._record_to_stream(record, field_name)
        if record._name == "ir.attachment" and field_name in CONTENT_FIELDS:
            _log_attachments(self.env, record)
        return stream


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def _read_format(self, fnames, load="_classic_read"):
        """read / search_read of an XML or a RIDE's content (XML-RPC, JSON-RPC, the web client)."""
        result = super()._read_format(fnames, load=load)
        if self and CONTENT_FIELDS.intersection(fnames) and not is_flow(self.env):
            _log_attachments(self.env, self)
        return result


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _render_qweb_pdf(self, report_ref, res_ids=None, data=None):
        result = super()._render_qweb_pdf(report_ref, res_ids=res_ids, data=data)
        report = self._get_report(report_ref)
        if res_ids and not is_flow(self.env) and report._l10n_ec_sri_is_ride():
            ids = [res_ids] if isinstance(res_ids, int) else list(res_ids)
            documents = self.env[report.model].sudo().browse(ids).mapped("l10n_ec_sri_document_id")
            _log(self.env, "print", documents, detail=report.name)
        return result


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _message_post_after_hook(self, message, msg_values):
        """A message carrying a document's authorized XML or RIDE to someone (the queue's mail, Send & Print)."""
        result = super()._message_post_after_hook(message, msg_values)
        message = message.sudo()
        if message.attachment_ids and message.partner_ids:
            docs = self.env["l10n_ec_sri.audit"]._documents_of_attachments(message.attachment_ids.ids)
            if docs:
                to = ", ".join(p.email or p.name for p in message.partner_ids)
                _log(self.env, "mail", self.env["l10n_ec_sri.document"].browse(sorted(set(docs.values()))),
                     detail=_("To: %s", to))
        return result


class L10nEcSriDocument(models.Model):
    _inherit = "l10n_ec_sri.document"

    def _annul(self, reason):
        result = super()._annul(reason)
        _log(self.env, "annul", self, detail=reason)
        return result

    def _l10n_ec_sri_audit(self, action, detail=None):
        _log(self.env, action, self, detail=detail)


# --- auditlog: the entries about SRI records are append-only, whatever the user ------------------------------
def _protected_ids(records, column):
    """The ids among ``records`` that an auditlog entry of an SRI record is, or points to (by ``column``)."""
    if not records.ids:
        return set()
    records.env["auditlog.log"].flush_model()
    records.env["auditlog.log.line"].flush_model()
    records.env.cr.execute(f"""
        SELECT DISTINCT {column} FROM auditlog_log l
          LEFT JOIN auditlog_log_line ll ON ll.log_id = l.id
         WHERE {column} IN %s AND l.model_model IN %s
    """, [tuple(records.ids), AUDITED_MODELS])  # noqa: S608 - column is one of ours
    return {row[0] for row in records.env.cr.fetchall()}


def _guarded_unlink(records, column, unlink):
    """auditlog's clean-up job deletes the other entries; anybody else deleting an SRI one is refused."""
    protected = _protected_ids(records, column)
    if protected and records.env.context.get(VACUUM_CONTEXT):
        records = records.filtered(lambda r: r.id not in protected)
    elif protected and not records.env.context.get(MODULE_UNINSTALL_FLAG):
        refuse_change(records.env)
    return unlink(records)


class AuditlogLog(models.Model):
    _inherit = "auditlog.log"

    def write(self, vals):
        if _protected_ids(self, "l.id"):
            refuse_change(self.env)
        return super().write(vals)

    def unlink(self):
        return _guarded_unlink(self, "l.id", lambda records: super(AuditlogLog, records).unlink())


class AuditlogLogLine(models.Model):
    _inherit = "auditlog.log.line"

    def write(self, vals):
        if _protected_ids(self, "ll.id"):
            refuse_change(self.env)
        return super().write(vals)

    def unlink(self):
        return _guarded_unlink(self, "ll.id", lambda records: super(AuditlogLogLine, records).unlink())


class AuditlogHttpRequest(models.Model):
    """The request an SRI entry points to (its path, its user) stays as it is."""
    _inherit = "auditlog.http.request"

    def write(self, vals):
        if _protected_ids(self, "l.http_request_id"):
            refuse_change(self.env)
        return super().write(vals)

    def unlink(self):
        return _guarded_unlink(self, "l.http_request_id",
                               lambda records: super(AuditlogHttpRequest, records).unlink())


class AuditlogHttpSession(models.Model):
    _inherit = "auditlog.http.session"

    def write(self, vals):
        if _protected_ids(self, "l.http_session_id"):
            refuse_change(self.env)
        return super().write(vals)

    def unlink(self):
        return _guarded_unlink(self, "l.http_session_id",
                               lambda records: super(AuditlogHttpSession, records).unlink())


class AuditlogRuleLogs(models.Model):
    _inherit = "auditlog.rule"

    def create_logs(self, uid, res_model, res_ids, method, old_values=None, new_values=None,
                    additional_log_values=None):
        if res_model in AUDITED_MODELS and self.env.cr.readonly:
            # the web client reads in read-only transactions: Odoo serves the request again on a read/write one
            raise psycopg2.errors.ReadOnlySqlTransaction("an SRI audit entry is to be written")
        return super().create_logs(uid, res_model, res_ids, method, old_values=old_values, new_values=new_values,
                                   additional_log_values=additional_log_values)


class AuditlogHttpRequestRpc(models.Model):
    _inherit = "auditlog.http.request"

    @api.model
    def current_http_request(self):
        """XML-RPC and JSON-RPC calls too are logged with their path (Odoo hides their HTTP request)."""
        call = rpc_call()
        if not call:
            return super().current_http_request()
        channel, path, ip, root_url = call
        cached = rpc_request_id()
        if cached and self.sudo().browse(cached).exists():
            return cached
        record = self.sudo().create({"name": path, "root_url": root_url, "user_id": self.env.uid,
                                     "user_context": str({"channel": channel, "ip": ip})})
        rpc_request_id(record.id)
        return record.id


class AuditlogAutovacuum(models.TransientModel):
    _inherit = "auditlog.autovacuum"

    @api.model
    def autovacuum(self, days, chunk_size=None):
        """Old entries go, except those of the SRI records: they are kept as long as the documents."""
        return super(AuditlogAutovacuum, self.with_context(**{VACUUM_CONTEXT: True})).autovacuum(
            days, chunk_size=chunk_size)


class AuditlogRule(models.Model):
    _inherit = "auditlog.rule"

    def _l10n_ec_sri_locked(self):
        return self.filtered(lambda r: r.model_id.model in AUDITED_MODELS or r.model_model in AUDITED_MODELS)

    def write(self, vals):
        if self._l10n_ec_sri_locked():
            raise UserError(_("The audit rules of the SRI documents and certificates cannot be changed or "
                              "switched off: their trail is kept as long as the documents."))
        return super().write(vals)

    def unsubscribe(self):
        if self._l10n_ec_sri_locked():
            raise UserError(_("The audit rules of the SRI documents and certificates cannot be switched off: "
                              "their trail is kept as long as the documents."))
        return super().unsubscribe()

    def unlink(self):
        if self._l10n_ec_sri_locked() and not self.env.context.get(MODULE_UNINSTALL_FLAG):
            raise UserError(_("The audit rules of the SRI documents and certificates cannot be deleted: their "
                              "trail is kept as long as the documents."))
        return super().unlink()
