# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Batches: up to 500 documents in one call, issued by a scheduled job as the calling user, each item with
its own outcome (a bad item never stops the others)."""
import json
import logging

from pydantic import ValidationError as PydanticValidationError

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import flow_env

from ..errors import translate, validation_error
from ..schemas import DocumentIn
from .. import services

_logger = logging.getLogger(__name__)

CHUNK = 50


class L10nEcSriApiBatch(models.Model):
    _name = "l10n_ec_sri.api.batch"
    _inherit = ["l10n_ec_sri.api.record"]
    _description = "SRI API: batch of documents"
    _order = "id desc"

    user_id = fields.Many2one("res.users", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    api_key_id = fields.Many2one("res.users.apikeys", string="API key", readonly=True, index=True,
                                 ondelete="set null")
    state = fields.Selection([("queued", "En cola"), ("processing", "En proceso"), ("done", "Terminado")],
                             required=True, default="queued", readonly=True, index=True)
    item_ids = fields.One2many("l10n_ec_sri.api.batch.item", "batch_id", readonly=True)
    total = fields.Integer(compute="_compute_counts")
    done = fields.Integer(compute="_compute_counts")
    failed = fields.Integer(compute="_compute_counts")
    pending = fields.Integer(compute="_compute_counts")

    @api.depends("item_ids.state")
    def _compute_counts(self):
        for batch in self:
            states = batch.item_ids.mapped("state")
            batch.total = len(states)
            batch.done = states.count("done")
            batch.failed = states.count("failed")
            batch.pending = states.count("pending")

    @api.model
    def _l10n_ec_sri_refuse(self):
        raise AccessError(_("API batches are written by the API only."))

    def init(self):
        self._l10n_ec_sri_key_foreign_key()

    @api.model
    def _l10n_ec_sri_enqueue(self, payloads):
        """A batch of ``payloads`` (the documents' JSON, already validated) for this user, company and API key."""
        batch = flow_env(self).create({
            "user_id": self.env.uid,
            "company_id": self.env.company.id,
            "api_key_id": self.env.context.get("l10n_ec_sri_api_key_id") or False,
            "item_ids": [fields.Command.create({"sequence": index, "payload": json.dumps(payload)})
                         for index, payload in enumerate(payloads)],
        })
        self.env.ref("l10n_ec_sri_api.ir_cron_l10n_ec_sri_api_batch").sudo()._trigger()
        return self.browse(batch.id)

    @api.model
    def _cron_process(self, limit=20):
        for _i in range(limit):
            self.env.cr.execute("""
                SELECT id FROM l10n_ec_sri_api_batch WHERE state IN ('queued', 'processing')
                 ORDER BY id LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED
            """)
            row = self.env.cr.fetchone()
            if not row:
                return
            self.sudo().browse(row[0])._process()

    def _commit(self):
        self.env.flush_all()
        if not self.env.registry.in_test_mode():
            self.env.cr.commit()

    def _process(self):
        """Issue the pending items in chunks (a restart resumes at the first pending one): a chunk is
        created and posted in one go; if that fails, its items one by one, each in a savepoint. A batch whose
        API key was revoked (or expired, or whose user was archived or left the company) issues nothing more:
        its pending items fail."""
        self.ensure_one()
        flow = flow_env(self)
        flow.state = "processing"
        user_env = self.env(user=self.user_id.id, su=False,
                            context=dict(self.env.context, allowed_company_ids=self.company_id.ids,
                                         lang=self.user_id.lang))
        if not self._l10n_ec_sri_acting():
            flow_env(self.item_ids.filtered(lambda i: i.state == "pending")).write({
                "state": "failed", "error_code": "key_revoked", "error_field": False,
                "error_message": self.with_context(lang=self.user_id.lang).env._(
                    "Not issued: the API key that queued this batch was revoked or has expired, or its user was "
                    "archived or left the company.")})
        while True:
            items = self.item_ids.filtered(lambda i: i.state == "pending").sorted("sequence")[:CHUNK]
            if not items:
                break
            self._process_chunk(items, user_env)
            self._commit()
        flow.state = "done"
        self._commit()

    def _process_chunk(self, items, env):
        Items = flow_env(items)
        prepared = []
        for item in Items:
            try:
                with self.env.cr.savepoint():
                    data = DocumentIn.model_validate(json.loads(item.payload))
                    prepared.append((item, services.document_values(env, data)))
            except Exception as exc:  # noqa: BLE001 - every item gets its outcome
                item._fail(exc, env)
        if not prepared:
            return
        try:
            self._issue(env, prepared)
            return
        except Exception:  # noqa: BLE001 - one of them is at fault: find which, one by one
            _logger.info("SRI API batch %s: a chunk failed, its items are issued one by one", self.id)
        for item, values in prepared:
            try:
                self._issue(env, [(item, values)])
            except Exception as exc:  # noqa: BLE001
                item._fail(exc, env)

    def _issue(self, env, prepared):
        """Create and post the moves of ``prepared`` ([(item, move values)]) in one savepoint, the items done."""
        with self.env.cr.savepoint():
            moves = services.create_moves(env, [values for _item, values in prepared])
            services.post_documents(env, moves)
            for (item, _values), move in zip(prepared, moves):
                item.write({"state": "done", "document_id": move.l10n_ec_sri_document_id.id})


class L10nEcSriApiBatchItem(models.Model):
    _name = "l10n_ec_sri.api.batch.item"
    _inherit = ["l10n_ec_sri.api.record"]
    _description = "SRI API: document of a batch"
    _order = "batch_id, sequence"

    batch_id = fields.Many2one("l10n_ec_sri.api.batch", required=True, readonly=True, ondelete="cascade",
                               index=True)
    sequence = fields.Integer(readonly=True)
    payload = fields.Text(readonly=True)
    state = fields.Selection([("pending", "Pendiente"), ("done", "Emitido"), ("failed", "Con error")],
                             required=True, default="pending", readonly=True)
    document_id = fields.Many2one("l10n_ec_sri.document", readonly=True)
    error_code = fields.Char(readonly=True)
    error_message = fields.Text(readonly=True)
    error_field = fields.Char(readonly=True)

    @api.model
    def _l10n_ec_sri_refuse(self):
        self.env["l10n_ec_sri.api.batch"]._l10n_ec_sri_refuse()

    def _fail(self, exc, env):
        """``env``: the batch user's (their language)."""
        if isinstance(exc, PydanticValidationError):
            error = validation_error(exc, env)
        else:
            error = translate(exc, env)
        if error is None:
            _logger.exception("SRI API batch item %s failed", self.id)
            detail = {"code": "internal_error", "message": env._("Unexpected error: %s", exc), "field": None}
        else:
            detail = error.detail
        self.write({"state": "failed", "error_code": detail["code"], "error_message": detail["message"],
                    "error_field": detail.get("field") or False})
