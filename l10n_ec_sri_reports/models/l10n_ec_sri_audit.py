# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The audit trail of the SRI documents and certificates.

OCA's ``auditlog`` logs who read, created, changed, deleted or exported (Odoo's list export) an electronic
document or a certificate (rules in data/auditlog_rules.xml). This model logs what auditlog does not see:
the XML and RIDE downloaded, a RIDE printed, a document mailed, a report or the complete export taken out,
an annulment, a restore; each with the user, the time and where it came from (web client, XML-RPC,
JSON-RPC, the JSON API, or the server itself: scheduled jobs and the shell).

Both are append-only for everyone, administrators included: nobody changes or deletes an entry (they are
kept as long as the documents), and auditlog's clean-up job leaves the SRI entries alone."""
import contextlib
import threading

import psycopg2.errors

from odoo import _, api, fields, models
from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG
from odoo.exceptions import UserError
from odoo.http import request

#: The records whose trail is kept (auditlog's rules cover them, and nobody deletes their entries).
AUDITED_MODELS = ("l10n_ec_sri.document", "l10n_ec_sri.certificate")
#: The JSON API's mount point (l10n_ec_sri_api's fastapi endpoint).
API_PREFIX = "/api/sri/"
CREATE_CONTEXT = "l10n_ec_sri_audit_create"
#: The marker ``_log`` puts under CREATE_CONTEXT: an object, which no RPC call's context can carry.
AUDIT = object()
MODULE = "l10n_ec_sri_reports"

ACTIONS = [
    ("view", "Viewed"),
    ("download", "Downloaded"),
    ("print", "Printed"),
    ("mail", "Mailed"),
    ("export", "Exported"),
    ("annul", "Annulled"),
    ("restore", "Restored"),
]
CHANNELS = [
    ("web", "Web client"),
    ("xmlrpc", "XML-RPC"),
    ("jsonrpc", "JSON-RPC"),
    ("api", "JSON API"),
    ("system", "Server (scheduled job, shell)"),
]


_rpc = threading.local()


@contextlib.contextmanager
def rpc_channel(channel):
    """While an XML-RPC / JSON-RPC call is served (Odoo hides its HTTP request meanwhile)."""
    httprequest = request.httprequest
    previous = getattr(_rpc, "value", None), getattr(_rpc, "request_id", None)
    _rpc.value = (channel, (httprequest.path or "")[:256], httprequest.remote_addr or False,
                  httprequest.url_root)
    _rpc.request_id = None
    try:
        yield
    finally:
        _rpc.value, _rpc.request_id = previous


def rpc_request_id(value=None):
    """The auditlog request record of the XML-RPC / JSON-RPC call being served (set with ``value``)."""
    if value:
        _rpc.request_id = value
    return getattr(_rpc, "request_id", None)


def rpc_call():
    """(channel, path, ip, root url) of the XML-RPC / JSON-RPC call being served, or None."""
    return getattr(_rpc, "value", None)


def current_channel():
    """(channel, path, ip) of the request being served; ("system", False, False) without one."""
    if rpc_call():
        return rpc_call()[:3]
    try:
        httprequest = request.httprequest if request else None
    except RuntimeError:  # no request bound to this thread
        httprequest = None
    if httprequest is None:
        return "system", False, False
    path = httprequest.path or ""
    if path.startswith("/xmlrpc"):
        channel = "xmlrpc"
    elif path.startswith("/jsonrpc"):
        channel = "jsonrpc"
    elif path.startswith(API_PREFIX):
        channel = "api"
    else:
        channel = "web"
    return channel, path[:256], httprequest.remote_addr or False


def uninstalling(env):
    """True while this module is being uninstalled (the trail goes with it, as its tables do). The context
    flag alone is not enough: an RPC call can carry it; the module must be on its way out too."""
    if not env.context.get(MODULE_UNINSTALL_FLAG):
        return False
    return bool(env["ir.module.module"].sudo().search_count([("name", "=", MODULE), ("state", "=", "to remove")]))


def refuse_change(env):
    raise UserError(env._(
        "The SRI audit trail is append-only: nobody, administrators included, can change or delete its entries."))


class L10nEcSriAudit(models.Model):
    _name = "l10n_ec_sri.audit"
    _description = "SRI audit trail entry"
    _order = "id desc"
    _rec_name = "name"

    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="User", readonly=True, index=True, ondelete="restrict")
    company_id = fields.Many2one("res.company", readonly=True, index=True, ondelete="restrict")
    action = fields.Selection(ACTIONS, required=True, readonly=True, index=True)
    channel = fields.Selection(CHANNELS, string="From", required=True, readonly=True)
    path = fields.Char(string="Address", readonly=True, help="The address of the request (web, XML-RPC, API).")
    ip = fields.Char(string="IP address", readonly=True)
    # a document deleted with its never-sent source (or a certificate deleted) keeps its entries: their
    # model, id and name stay, the link goes (a document that may be at the SRI is never deleted)
    document_id = fields.Many2one("l10n_ec_sri.document", string="Electronic document", readonly=True,
                                  index="btree_not_null", ondelete="set null")
    certificate_id = fields.Many2one("l10n_ec_sri.certificate", string="Certificate", readonly=True,
                                     index="btree_not_null", ondelete="set null")
    res_model = fields.Char(string="Model", readonly=True)
    res_id = fields.Integer(string="Record ID", readonly=True)
    name = fields.Char(string="Record", readonly=True)
    detail = fields.Text(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get(CREATE_CONTEXT) is not AUDIT:
            raise UserError(_("SRI audit entries are written by Odoo itself when something happens, never by hand."))
        return super().create(vals_list)

    def write(self, vals):
        refuse_change(self.env)

    def unlink(self):
        if not uninstalling(self.env):
            refuse_change(self.env)
        return super().unlink()

    @api.model
    def _log(self, action, records, detail=None):
        """One entry per record (an electronic document, a certificate, or any other record such as a
        report or a company for the complete export), as the current user, from the current request."""
        if not records:
            return self.browse()
        if self.env.cr.readonly:
            # a read-only request (served by a replica): Odoo serves it again on the primary database
            raise psycopg2.errors.ReadOnlySqlTransaction("an SRI audit entry is to be written")
        channel, path, ip = current_channel()
        user = self.env.user
        vals_list = []
        for record in records.sudo():
            vals = {
                "user_id": user.id, "action": action, "channel": channel, "path": path, "ip": ip,
                "res_model": record._name, "res_id": record.id, "name": (record.display_name or "")[:256],
                "detail": detail or False,
            }
            if record._name == "l10n_ec_sri.document":
                vals.update(document_id=record.id, company_id=record.company_id.id)
            elif record._name == "l10n_ec_sri.certificate":
                vals.update(certificate_id=record.id, company_id=record.company_id.id)
            elif record._name == "res.company":
                vals["company_id"] = record.id
            else:
                vals["company_id"] = self.env.company.id
            vals_list.append(vals)
        return self.sudo().with_context(**{CREATE_CONTEXT: AUDIT}).create(vals_list)

    @api.model
    def _documents_of_attachments(self, attachment_ids):
        """{attachment id: document id} for the XML and RIDE files of electronic documents."""
        if not attachment_ids:
            return {}
        self.env["l10n_ec_sri.document"].flush_model(["xml_id", "authorized_xml_id", "ride_id"])
        self.env.cr.execute("""
            SELECT a.id, d.id
              FROM l10n_ec_sri_document d
              JOIN ir_attachment a ON a.id IN (d.xml_id, d.authorized_xml_id, d.ride_id)
             WHERE a.id IN %s
        """, [tuple(attachment_ids)])
        return dict(self.env.cr.fetchall())

    def action_open_record(self):
        self.ensure_one()
        if not self.res_model or self.res_model not in self.env or not self.res_id:
            return False
        return {
            "type": "ir.actions.act_window", "res_model": self.res_model, "res_id": self.res_id,
            "view_mode": "form", "target": "current",
        }
