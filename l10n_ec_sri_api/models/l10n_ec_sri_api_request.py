# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Idempotency keys and the rate limit's counters: written by the API only."""
import hashlib
import json
import time
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import flow_env

KEEP_DAYS = 30


def claim(cr, uid, company_id, key, endpoint, body_hash):
    """(claimed, id) of the row of (``uid``, ``key``), inserted with ``INSERT ... ON CONFLICT DO NOTHING``. A
    concurrent request with the same key waits there for the first one's commit, then fails to serialize
    (REPEATABLE READ: the row is not in its snapshot); Odoo replays such a request, and the replay finds the
    first one's answer."""
    cr.execute("""
        INSERT INTO l10n_ec_sri_api_idempotency
               (user_id, key, endpoint, body_hash, company_id, create_uid, write_uid, create_date, write_date)
        VALUES (%(uid)s, %(key)s, %(endpoint)s, %(hash)s, %(company)s, %(uid)s, %(uid)s,
                now() at time zone 'utc', now() at time zone 'utc')
        ON CONFLICT (user_id, key) DO NOTHING
        RETURNING id
    """, {"uid": uid, "key": key, "endpoint": endpoint, "hash": body_hash, "company": company_id})
    row = cr.fetchone()
    if row:
        return True, row[0]
    cr.execute("SELECT id FROM l10n_ec_sri_api_idempotency WHERE user_id = %s AND key = %s", [uid, key])
    return False, cr.fetchone()[0]


class L10nEcSriApiIdempotency(models.Model):
    _name = "l10n_ec_sri.api.idempotency"
    _inherit = ["l10n_ec_sri.api.record"]
    _description = "SRI API: idempotency key"
    _order = "id desc"
    _rec_name = "key"

    user_id = fields.Many2one("res.users", required=True, readonly=True, index=True, ondelete="cascade")
    key = fields.Char(required=True, readonly=True)
    endpoint = fields.Char(required=True, readonly=True)
    body_hash = fields.Char(required=True, readonly=True)
    status_code = fields.Integer(readonly=True)
    response = fields.Text(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)

    _sql_constraints = [("user_key_unique", "UNIQUE(user_id, key)", "An idempotency key is used once per user.")]

    @api.model
    def _l10n_ec_sri_refuse(self):
        # nor deleted: a key gone would let a retry issue its document a second time (the autovacuum, in SQL,
        # deletes the keys older than KEEP_DAYS)
        raise AccessError(_("Idempotency keys are recorded by the API only."))


    def _hash(self, endpoint, body):
        """Of the request's endpoint, company (X-SRI-RUC) and body."""
        text = json.dumps({"endpoint": endpoint, "company": self.env.company.id, "body": body}, sort_keys=True,
                          separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    @api.autovacuum
    def _gc_old_keys(self):
        """A key is idempotent for ``KEEP_DAYS`` days (a retry comes within minutes, a day at most)."""
        self.env.cr.execute("DELETE FROM l10n_ec_sri_api_idempotency WHERE create_date < %s",
                            [fields.Datetime.now() - timedelta(days=KEEP_DAYS)])
        self.env.cr.execute("DELETE FROM l10n_ec_sri_api_rate WHERE window_start < %s",
                            [int(time.time()) - 86400])

    @api.model
    def _claim(self, key, endpoint, body):
        """Take ``key`` for this user, or return what it already holds: (claimed, record). See ``claim``."""
        claimed, record_id = claim(self.env.cr, self.env.uid, self.env.company.id, key, endpoint,
                                   self._hash(endpoint, body))
        return claimed, self.browse(record_id)

    def _same_request(self, endpoint, body):
        self.ensure_one()
        return self.endpoint == endpoint and self.body_hash == self.with_env(self.env)._hash(endpoint, body)

    def _store(self, status_code, payload):
        flow_env(self).write({
            "status_code": status_code, "response": json.dumps(payload)})


class L10nEcSriApiRate(models.Model):
    """One row per API key: the current window's start and hits (see ``deps._rate_limit``)."""

    _name = "l10n_ec_sri.api.rate"
    _description = "SRI API: rate limit counter"
    _log_access = False

    key_id = fields.Integer(required=True, readonly=True)
    window_start = fields.Integer(required=True, readonly=True)
    hits = fields.Integer(required=True, readonly=True)

    _sql_constraints = [("key_unique", "UNIQUE(key_id)", "One counter per API key.")]
