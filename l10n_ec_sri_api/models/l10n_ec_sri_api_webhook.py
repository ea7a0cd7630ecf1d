# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhooks: an integrator's URL told when a document of its company is authorized, not authorized or
returned. Each delivery is a POST of JSON signed with HMAC-SHA256, retried with backoff, logged.

A webhook acts for the API key that registered it: once the key is revoked or expired, or its user archived or
out of the company, nothing more is queued or sent; and it only tells of the documents that user may read."""
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
from collections import defaultdict
from datetime import timedelta
from urllib.parse import unquote, urlsplit

import requests
import urllib3
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import flow_env

from .. import services
from ..errors import ApiError

_logger = logging.getLogger(__name__)

EVENTS = ("authorized", "not_authorized", "returned")
#: minutes to wait after attempt 1, 2, ...: the delivery fails for good after the last one
BACKOFF_MINUTES = (1, 5, 30, 120, 720)
TIMEOUT = (5, 10)
BATCH = 50


def signature(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def resolve(host, port):
    """The addresses of ``host``, in the resolver's order, each once."""
    return list(dict.fromkeys(info[4][0] for info in socket.getaddrinfo(host, port)))


def post(url, addresses, body, headers):
    """POST ``body`` to ``url`` at one of ``addresses`` (the ones just checked), the next one only when the
    connection cannot be made; returns the HTTP status. Connecting to the checked address itself leaves no
    second resolution a DNS rebinding could answer with a private address; the URL's host is kept for the
    Host header, the TLS server name and the certificate's check. Redirects are not followed, and the answer's
    body is not even read."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {**headers, "Host": parts.netloc.rpartition("@")[2]}
    if parts.username:
        headers.update(urllib3.make_headers(basic_auth=f"{unquote(parts.username)}:{unquote(parts.password or '')}"))
    timeout = urllib3.Timeout(connect=TIMEOUT[0], read=TIMEOUT[1])
    error = None
    for address in addresses:
        if https:
            pool = urllib3.HTTPSConnectionPool(
                address, port, timeout=timeout, retries=False, cert_reqs="CERT_REQUIRED",
                ca_certs=requests.certs.where(), server_hostname=parts.hostname, assert_hostname=parts.hostname)
        else:
            pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
        try:
            response = pool.urlopen("POST", path, body=body, headers=headers, redirect=False,
                                    assert_same_host=False, preload_content=False)
            status = response.status
            response.close()
            return status
        except (NewConnectionError, ConnectTimeoutError) as exc:
            error = exc
        finally:
            pool.close()
    raise error


class L10nEcSriApiWebhook(models.Model):
    _name = "l10n_ec_sri.api.webhook"
    _inherit = ["l10n_ec_sri.api.record"]
    _description = "SRI API: webhook"
    _order = "id"
    _rec_name = "url"

    user_id = fields.Many2one("res.users", required=True, readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    url = fields.Char(required=True, readonly=True)
    events = fields.Char(required=True, readonly=True, help="Comma-separated: authorized, not_authorized, "
                         "returned.")
    secret = fields.Char(required=True, readonly=True, groups="base.group_system")
    active = fields.Boolean(default=True, readonly=True)
    api_key_id = fields.Many2one("res.users.apikeys", string="API key", readonly=True, index=True,
                                 ondelete="set null")
    delivery_ids = fields.One2many("l10n_ec_sri.api.webhook.delivery", "webhook_id", readonly=True)

    @api.model
    def _l10n_ec_sri_refuse(self):
        raise AccessError(_("Webhooks are registered and removed through the API."))

    def init(self):
        self._l10n_ec_sri_key_foreign_key()

    @api.model
    def _l10n_ec_sri_register(self, url, events):
        """(webhook, secret) for this user, company and API key."""
        secret = secrets.token_urlsafe(32)
        webhook = flow_env(self).create({
            "user_id": self.env.uid, "company_id": self.env.company.id, "url": url,
            "events": ",".join(events), "secret": secret,
            "api_key_id": self.env.context.get("l10n_ec_sri_api_key_id") or False,
        })
        return self.browse(webhook.id), secret

    @api.model
    def _l10n_ec_sri_check_url(self, url):
        """The addresses to POST to for ``url``, each one checked; else ``ApiError`` 422 ``invalid_url``.

        https:// to a public address. Plain http:// and the machine's own addresses only when the system
        parameter ``l10n_ec_sri_api.webhook_allow_local`` is set (a receiver on the same machine, tests):
        an API user must not make Odoo POST to the services of its private network. Checked at registration
        and again at each delivery, whose POST goes to the addresses checked then (see ``post``)."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise ApiError(422, "invalid_url", self.env._("The webhook's URL must be https://host/path."), "url")
        allow_local = self.env["ir.config_parameter"].sudo().get_param("l10n_ec_sri_api.webhook_allow_local")
        problem, addresses = None, []
        if parts.scheme not in ("https", "http") or not parts.hostname:
            problem = self.env._("The webhook's URL must be https://host/path.")
        elif parts.scheme == "http" and not allow_local:
            problem = self.env._("The webhook's URL must be https://.")
        else:
            try:
                addresses = resolve(parts.hostname, port or 443)
            except (socket.gaierror, UnicodeError):
                pass
            if not addresses:
                problem = self.env._("The webhook's host %s cannot be resolved.", parts.hostname)
            for address in addresses:
                ip = ipaddress.ip_address(address.split("%")[0])
                if not ip.is_global and not (allow_local and ip.is_loopback):
                    problem = self.env._("The webhook's host %(host)s is a private address (%(ip)s): give a public "
                                         "https:// URL.", host=parts.hostname, ip=address)
        if problem:
            raise ApiError(422, "invalid_url", problem, "url")
        return addresses

    def _l10n_ec_sri_remove(self):
        """Archive the webhook; its deliveries not yet made are dropped (failed, said so)."""
        flow = flow_env(self)
        flow.write({"active": False})
        pending = flow.env["l10n_ec_sri.api.webhook.delivery"].search([
            ("webhook_id", "in", self.ids), ("state", "=", "pending")])
        pending.write({"state": "failed", "next_try": False,
                       "last_error": self.env._("The webhook was removed before this delivery.")})

    def _l10n_ec_sri_events(self):
        return [event for event in (self.events or "").split(",") if event]


class L10nEcSriApiWebhookDelivery(models.Model):
    _name = "l10n_ec_sri.api.webhook.delivery"
    _inherit = ["l10n_ec_sri.api.record"]
    _description = "SRI API: webhook delivery"
    _order = "id desc"

    webhook_id = fields.Many2one("l10n_ec_sri.api.webhook", required=True, readonly=True, index=True,
                                 ondelete="cascade")
    company_id = fields.Many2one(related="webhook_id.company_id", store=True, index=True)
    event = fields.Selection([(e, e) for e in EVENTS], required=True, readonly=True)
    document_id = fields.Many2one("l10n_ec_sri.document", required=True, readonly=True, index=True)
    payload = fields.Text(readonly=True)
    state = fields.Selection([("pending", "Pendiente"), ("done", "Entregado"), ("failed", "Fallido")],
                             required=True, default="pending", readonly=True, index=True)
    attempts = fields.Integer(readonly=True)
    next_try = fields.Datetime(readonly=True, default=fields.Datetime.now, index=True)
    last_status = fields.Integer(readonly=True)
    last_error = fields.Text(readonly=True)

    @api.model
    def _l10n_ec_sri_refuse(self):
        self.env["l10n_ec_sri.api.webhook"]._l10n_ec_sri_refuse()


    @api.model
    def _l10n_ec_sri_enqueue(self, documents, event):
        """Deliveries of ``event`` for ``documents`` to every active webhook of their companies still acting
        for its user (see ``_l10n_ec_sri_acting``), of the documents that user may read."""
        Webhook = self.env["l10n_ec_sri.api.webhook"].sudo()
        webhooks = Webhook.search([("company_id", "in", documents.company_id.ids)]).filtered(
            lambda w: event in w._l10n_ec_sri_events())._l10n_ec_sri_acting()
        targets = defaultdict(Webhook.browse)  # (user, company): their webhooks
        for webhook in webhooks:
            targets[webhook.user_id, webhook.company_id] |= webhook
        documents = documents.sudo()
        snapshots, vals_list = {}, []
        for (user, company), hooks in targets.items():
            readable = documents.filtered(lambda d: d.company_id == company).with_user(user).with_context(
                allowed_company_ids=company.ids)._filtered_access("read")
            for document in readable.sudo():
                if document.id not in snapshots:
                    # the document as it is at the event, whenever the delivery is made
                    snapshots[document.id] = json.dumps(services.dump(services.document_out(document)),
                                                        sort_keys=True)
                vals_list += [{"webhook_id": webhook.id, "event": event, "document_id": document.id,
                               "payload": snapshots[document.id]} for webhook in hooks]
        if vals_list:
            flow_env(self).create(vals_list)
            self.env.ref("l10n_ec_sri_api.ir_cron_l10n_ec_sri_api_webhook").sudo()._trigger()

    def _body(self):
        """The same bytes on every attempt: the event, this delivery, and the document at the event."""
        self.ensure_one()
        payload = {
            "event": self.event,
            "delivery_id": self.id,
            "created_at": services.utc(self.create_date).isoformat(),
            "document": json.loads(self.payload),
        }
        return json.dumps(payload, sort_keys=True).encode()

    @api.model
    def _cron_deliver(self, limit=BATCH):
        self.env.flush_all()
        self.env.cr.execute("""
            SELECT id FROM l10n_ec_sri_api_webhook_delivery
             WHERE state = 'pending' AND next_try <= %s
             ORDER BY next_try, id LIMIT %s FOR NO KEY UPDATE SKIP LOCKED
        """, [fields.Datetime.now(), limit])
        deliveries = flow_env(self).browse(
            [row[0] for row in self.env.cr.fetchall()])
        live = deliveries.webhook_id._l10n_ec_sri_acting()
        for delivery in deliveries:
            delivery._deliver(live)
            self.env.flush_all()
            if not self.env.registry.in_test_mode():
                self.env.cr.commit()
        if len(deliveries) == limit:  # more may be due: the next run now rather than in a minute
            self.env.ref("l10n_ec_sri_api.ir_cron_l10n_ec_sri_api_webhook").sudo()._trigger()
        return deliveries

    def _deliver(self, live=None):
        """One attempt; ``live``: the webhooks known to act for their user still (else checked here)."""
        self.ensure_one()
        webhook = self.webhook_id
        if webhook not in (live if live is not None else webhook._l10n_ec_sri_acting()):
            self.write({"state": "failed", "next_try": False, "last_status": False, "last_error": _(
                "Not delivered: the API key that registered this webhook was revoked or has expired, or its user "
                "was archived or left the company.")})
            return
        attempts = self.attempts + 1
        status, error = None, None
        try:
            # again at each delivery: the host may resolve elsewhere now than at the registration
            addresses = webhook._l10n_ec_sri_check_url(webhook.url)
        except ApiError as exc:
            error = exc.detail["message"]
        else:
            body = self._body()
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "l10n_ec_sri_api-webhook/1",
                "X-SRI-Event": self.event,
                "X-SRI-Delivery": str(self.id),
                "X-SRI-Signature": signature(webhook.secret, body),
            }
            try:
                status = post(webhook.url, addresses, body, headers)
                if not 200 <= status < 300:
                    # the status only: the answer's body is the receiver's (or, pointed elsewhere, another
                    # service's), never shown to the API's user
                    error = _("The receiver answered HTTP %s.", status)
            except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
                # urllib3 names its connection object first ("<...HTTPConnection object at 0x...>: Failed...")
                error = _("The receiver could not be reached: %s", str(exc).rpartition(">: ")[2][:200])
        vals = {"attempts": attempts, "last_status": status or False, "last_error": error or False}
        if error is None:
            vals.update(state="done", next_try=False)
        elif attempts > len(BACKOFF_MINUTES):
            vals.update(state="failed", next_try=False)
        else:
            vals["next_try"] = fields.Datetime.now() + timedelta(minutes=BACKOFF_MINUTES[attempts - 1])
        self.write(vals)
