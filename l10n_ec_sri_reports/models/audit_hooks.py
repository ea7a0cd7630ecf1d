# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Where the SRI audit trail hears of downloads, prints, mails, exports and annulments, and what keeps
auditlog's entries of the SRI records append-only."""
import psycopg2.errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import is_flow

from .l10n_ec_sri_audit import AUDITED_MODELS, refuse_change, rpc_call, rpc_request_id, uninstalling

CONTENT_FIELDS = frozenset({"raw", "datas", "db_datas"})
#: a source's fields that show its electronic document (opening its form with them is a view of it)
VIEW_FIELDS = frozenset({"l10n_ec_sri_access_key", "l10n_ec_sri_authorization_number", "l10n_ec_sri_state"})
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
        # as superuser it is Odoo's own code reading (the mail being sent, a report): not a user's download
        if self and CONTENT_FIELDS.intersection(fnames) and not self.env.su and not is_flow(self.env):
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
                to = ", ".join(p.email or p.display_name or f"#{p.id}" for p in message.partner_ids)
                _log(self.env, "mail", self.env["l10n_ec_sri.document"].browse(sorted(set(docs.values()))),
                     detail=_("To: %s", to))
        return result


class L10nEcSriMixin(models.AbstractModel):
    """An invoice (or any source) opened with its electronic document's key, state or authorization on screen
    is a view of that document (auditlog sees only reads of the document record itself)."""
    _inherit = "l10n_ec_sri.mixin"

    def web_read(self, specification):
        result = super().web_read(specification)
        if VIEW_FIELDS.intersection(specification) and not is_flow(self.env):
            documents = self.sudo().l10n_ec_sri_document_id
            if documents:
                _log(self.env, "view", documents, detail=_("Opened %s", ", ".join(self.mapped("display_name"))))
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
#: The entries of auditlog that are about an SRI record (or that such an entry points to), by model: SQL giving
#: their ids, with the audited models as its parameters.
_PROTECTED = {
    "auditlog.log": SQL("SELECT id FROM auditlog_log WHERE model_model IN %s", AUDITED_MODELS),
    "auditlog.log.line": SQL("""SELECT ll.id FROM auditlog_log_line ll JOIN auditlog_log l ON l.id = ll.log_id
                                 WHERE l.model_model IN %s""", AUDITED_MODELS),
    "auditlog.http.request": SQL("""SELECT http_request_id FROM auditlog_log
                                     WHERE model_model IN %s AND http_request_id IS NOT NULL""", AUDITED_MODELS),
    "auditlog.http.session": SQL("""SELECT http_session_id FROM auditlog_log
                                     WHERE model_model IN %s AND http_session_id IS NOT NULL
                                    UNION
                                    SELECT r.http_session_id FROM auditlog_http_request r
                                      JOIN auditlog_log l ON l.http_request_id = r.id
                                     WHERE l.model_model IN %s AND r.http_session_id IS NOT NULL""",
                                 AUDITED_MODELS, AUDITED_MODELS),
}
#: auditlog's log creation (``create_logs``) puts this marker in the context: only it writes SRI entries.
AUDITLOG = object()
AUDITLOG_KEY = "l10n_ec_sri_auditlog_writes"


def _protected_ids(records):
    """The ids among ``records`` that are, or belong to, an auditlog entry of an SRI record."""
    if not records.ids:
        return set()
    for model in ("auditlog.log", "auditlog.log.line", "auditlog.http.request"):
        records.env[model].flush_model()
    rows = records.env.execute_query(SQL("SELECT id FROM (%s) AS p(id) WHERE id IN %s",
                                         _PROTECTED[records._name], tuple(records.ids)))
    return {row[0] for row in rows}


class AuditlogProtected(models.AbstractModel):
    """What keeps auditlog's entries of the SRI records as they are: nobody changes or deletes one (only
    uninstalling this module takes the rules away), and auditlog's clean-up job never picks one."""
    _name = "l10n_ec_sri.auditlog.protected"
    _description = "auditlog entries of SRI records, append-only"

    def write(self, vals):
        if _protected_ids(self):
            refuse_change(self.env)
        return super().write(vals)

    def unlink(self):
        protected = _protected_ids(self)
        if protected and self.env.context.get(VACUUM_CONTEXT):
            self = self.filtered(lambda r: r.id not in protected)
        elif protected and not uninstalling(self.env):
            refuse_change(self.env)
        return super().unlink()

    @api.model
    def _search(self, domain, *args, **kwargs):
        if self.env.context.get(VACUUM_CONTEXT):
            domain = [*domain, ("id", "not in", SQL("(%s)", _PROTECTED[self._name]))]
        return super()._search(domain, *args, **kwargs)


class AuditlogLog(models.Model):
    _name = "auditlog.log"
    _inherit = ["auditlog.log", "l10n_ec_sri.auditlog.protected"]

    l10n_ec_sri_company_id = fields.Many2one(
        "res.company", string="Company of the SRI record", compute="_compute_l10n_ec_sri_company_id", store=True,
        index="btree_not_null", help="The company of the electronic document or certificate this entry is about.")

    @api.depends("model_model", "res_id")
    def _compute_l10n_ec_sri_company_id(self):
        by_model = {}
        for log in self:
            by_model.setdefault(log.model_model, []).append(log)
        for model, logs in by_model.items():
            if model not in AUDITED_MODELS:
                for log in logs:
                    log.l10n_ec_sri_company_id = False
                continue
            companies = {record.id: record.company_id.id for record in
                         self.env[model].sudo().browse({log.res_id for log in logs if log.res_id}).exists()}
            for log in logs:
                log.l10n_ec_sri_company_id = companies.get(log.res_id, False)

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get(AUDITLOG_KEY) is not AUDITLOG:
            audited = {self.env["ir.model"]._get_id(model) for model in AUDITED_MODELS}
            if any(vals.get("model_id") in audited or vals.get("model_model") in AUDITED_MODELS
                   for vals in vals_list):
                raise UserError(_("The entries of the SRI documents and certificates are written by auditlog "
                                  "itself when something happens, never by hand."))
        return super().create(vals_list)


class AuditlogLogLine(models.Model):
    _name = "auditlog.log.line"
    _inherit = ["auditlog.log.line", "l10n_ec_sri.auditlog.protected"]

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get(AUDITLOG_KEY) is not AUDITLOG:
            logs = self.env["auditlog.log"].sudo().browse({vals.get("log_id") for vals in vals_list} - {None, False})
            if _protected_ids(logs):
                refuse_change(self.env)
        return super().create(vals_list)


class AuditlogHttpRequest(models.Model):
    """The request an SRI entry points to (its path, its user) stays as it is."""
    _name = "auditlog.http.request"
    _inherit = ["auditlog.http.request", "l10n_ec_sri.auditlog.protected"]


class AuditlogHttpSession(models.Model):
    _name = "auditlog.http.session"
    _inherit = ["auditlog.http.session", "l10n_ec_sri.auditlog.protected"]


class ResUsers(models.Model):
    _inherit = "res.users"

    def unlink(self):
        """A user who left a trail on the SRI records is archived, never deleted (the trail names them)."""
        if self.ids:
            self.env["auditlog.log"].flush_model(["user_id"])
            rows = self.env.execute_query(SQL("""
                SELECT user_id FROM auditlog_log WHERE user_id IN %s AND model_model IN %s
                UNION SELECT user_id FROM l10n_ec_sri_audit WHERE user_id IN %s
            """, tuple(self.ids), AUDITED_MODELS, tuple(self.ids)))
            if rows:
                names = ", ".join(self.browse({row[0] for row in rows}).mapped("name"))
                raise UserError(_("%s left a trail on the SRI documents or certificates, which names them: archive "
                                  "the user instead of deleting it.", names))
        return super().unlink()


class AuditlogRuleLogs(models.Model):
    _inherit = "auditlog.rule"

    def create_logs(self, uid, res_model, res_ids, method, old_values=None, new_values=None,
                    additional_log_values=None):
        if res_model in AUDITED_MODELS and self.env.cr.readonly:
            # the web client reads in read-only transactions: Odoo serves the request again on a read/write one
            raise psycopg2.errors.ReadOnlySqlTransaction("an SRI audit entry is to be written")
        return super(AuditlogRuleLogs, self.with_context(**{AUDITLOG_KEY: AUDITLOG})).create_logs(
            uid, res_model, res_ids, method, old_values=old_values, new_values=new_values,
            additional_log_values=additional_log_values)

    def _patch_method(self, model, method_name, check_attr):
        """A read of an SRI record is logged even when the caller's context says ``auditlog_disabled``:
        auditlog honours that key to skip its own reads (made as superuser), but an XML-RPC, JSON-RPC or web
        call can carry it too, and a user's read of an electronic document is never hidden."""
        patched = super()._patch_method(model, method_name, check_attr)
        if patched and method_name == "read" and model._name in AUDITED_MODELS:
            model_class = type(model)
            logged_read = model_class.read

            def read(self, fields=None, load="_classic_read", **kwargs):
                if self.env.context.get("auditlog_disabled") and not self.env.su:
                    self = self.with_context(auditlog_disabled=False)
                return logged_read(self, fields, load, **kwargs)

            read.origin = logged_read.origin  # what auditlog puts back when the rule is switched off
            model_class.read = read
        return patched


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
        if self._l10n_ec_sri_locked() and not uninstalling(self.env):
            raise UserError(_("The audit rules of the SRI documents and certificates cannot be changed or "
                              "switched off: their trail is kept as long as the documents."))
        return super().write(vals)

    def unsubscribe(self):
        if self._l10n_ec_sri_locked() and not uninstalling(self.env):
            raise UserError(_("The audit rules of the SRI documents and certificates cannot be switched off: "
                              "their trail is kept as long as the documents."))
        return super().unsubscribe()

    def unlink(self):
        if self._l10n_ec_sri_locked() and not uninstalling(self.env):
            raise UserError(_("The audit rules of the SRI documents and certificates cannot be deleted: their "
                              "trail is kept as long as the documents."))
        return super().unlink()
