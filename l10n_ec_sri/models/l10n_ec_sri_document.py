# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The SRI document engine: one ``l10n_ec_sri.document`` per electronic document, whatever its source
(an invoice, a credit or debit note today; a retención, a liquidación, a guía de remisión in the
companion modules). The sending queue, the authorization, the RIDE and the mail run here, the same
for every source; a source model becomes issuable by inheriting ``l10n_ec_sri.mixin``.

Life of a document (``state``)::

    issue ──► to_send ──send──► received ──authorize──► authorized ──(portal)──► annulled
                │  ▲              │                └─► not_authorized
                │  └── retry ◄────┘ (network, HTTP 5xx, 70, EN PROCESO, 0 comprobantes)
                └─► returned (DEVUELTA: SRI did not register the key; fix the source, issue again)

The signed XML is built ONCE when the source is issued (same access key and signature on every
re-send). The queue never sends inside the issuing transaction. A document that may have reached the
SRI (``sent``) is re-sent only after an authorization query says the SRI does not know it.

Only the flow writes a document: every create/write/unlink that does not come from this module's
code (``FLOW``, a marker no RPC call can carry) is refused, administrators included; the same holds
for the exchange log and for the XML and RIDE attachments of a document that may be at the SRI.

A queue run keeps up to ``res.company.l10n_ec_sri_pool_size`` SOAP calls in flight (a thread pool
that only talks to the SRI; every database read and write stays in the cron's thread), still once per
document: the documents of a batch are locked (``FOR NO KEY UPDATE SKIP LOCKED``) until their outcome is
committed.
"""
import contextlib
import logging
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from datetime import timedelta, timezone

import psycopg2.errors
from markupsafe import Markup

from odoo import SUPERUSER_ID, _, api, fields, models, modules
from odoo.exceptions import UserError
from odoo.tools import config, sql

from odoo.addons.l10n_ec_sri.sri import client as sri_client
from odoo.addons.l10n_ec_sri.sri import kinds as sri_kinds
from odoo.addons.l10n_ec_sri.sri.constants import ECUADOR_TZ_NAME

_logger = logging.getLogger(__name__)

#: The flow's marker in the context. An object, not a value: XML-RPC, JSON-RPC, imports and the web
#: client can only send JSON values, so no user can pass it.
FLOW = object()
FLOW_KEY = "l10n_ec_sri_flow"

SRI_STATES = [
    ("to_send", "Por enviar"),
    ("retry", "Reintentar más tarde"),
    ("received", "Recibido"),
    ("authorized", "Autorizado"),
    ("not_authorized", "No autorizado"),
    ("returned", "Devuelto"),
    ("annulled", "Anulado"),
]
QUEUE_STATES = ("to_send", "retry", "received")
#: States in which the SRI registered the access key.
REGISTERED_STATES = ("received", "authorized", "not_authorized", "annulled")
MAX_BACKOFF = timedelta(hours=6)
MAIL_STATES = [
    ("pending", "Por enviar"),
    ("retry", "Reintentar más tarde"),
    ("sent", "Enviado"),
    ("none", "Sin correo del receptor"),
]
#: Authorized documents whose mail failed are retried for this long.
MAIL_RETRY_DAYS = 7
DEFAULT_BATCH = 50
#: Documents locked per batch: this many per call in flight keeps the pool busy to the end of a batch.
BATCH_PER_CALL = 8
#: Locks (a queue run's picks) tried on a fresh snapshot when another worker changed the rows meanwhile.
LOCK_TRIES = 5
# RIDEs rendered per wkhtmltopdf run.
RIDE_CHUNK = 25
# A RIDE that could not be rendered is tried again by the queue runs for this long.
RIDE_RETRY_DAYS = 3

KIND_SELECTION = [(kind.type, kind.title.capitalize()) for kind in sri_kinds.KINDS.values()]

# Set when wkhtmltopdf cannot print several documents in one run: RIDEs are then rendered one per
# run. (Debian's build on unpatched Qt refuses several input files, "Exit with code 1": the RIDEs of a
# chunk are therefore merged into one HTML document, see ir_actions_report.py.)
_RIDE_BATCH_BROKEN = []


def is_flow(env):
    return env.context.get(FLOW_KEY) is FLOW


def flow_env(records):
    """``records`` as superuser with the flow's marker: the only way to write SRI data."""
    return records.sudo().with_context(**{FLOW_KEY: FLOW})


def _naive_utc(value):
    if not value:
        return False
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _sri_single_call(client, semaphore, kind, arg):
    """One SOAP call, run in a pool thread: no database access here. Returns (result, exception)."""
    try:
        with semaphore:
            return (client.send(arg) if kind == "send" else client.authorize(arg)), None
    except Exception as exc:  # noqa: BLE001 - recorded by the caller, the document is retried
        _logger.exception("SRI: %s call failed", kind)
        return None, exc


class L10nEcSriFlowRecord(models.AbstractModel):
    """Records created and written by the SRI flow only (``FLOW``): anyone else gets the model's
    ``_l10n_ec_sri_refuse`` message."""

    _name = "l10n_ec_sri.flow.record"
    _description = "Record written by the SRI flow only"

    @api.model
    def _l10n_ec_sri_refuse(self):
        raise NotImplementedError

    @api.model_create_multi
    def create(self, vals_list):
        if not is_flow(self.env):
            self._l10n_ec_sri_refuse()
        return super().create(vals_list)

    def write(self, vals):
        if not is_flow(self.env):
            self._l10n_ec_sri_refuse()
        return super().write(vals)


class L10nEcSriDocument(models.Model):
    _name = "l10n_ec_sri.document"
    _inherit = ["l10n_ec_sri.flow.record"]
    _description = "SRI electronic document"
    _order = "id desc"
    _rec_name = "name"
    _check_company_auto = True

    name = fields.Char(string="Número", readonly=True, help="Establecimiento-punto de emisión-secuencial.")
    kind = fields.Selection(KIND_SELECTION, string="Tipo de comprobante", required=True, readonly=True)
    res_model = fields.Char(string="Modelo de origen", required=True, readonly=True, index=True)
    res_id = fields.Many2oneReference(string="Documento de origen", model_field="res_model", required=True,
                                      readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Receptor", readonly=True)
    access_key = fields.Char(string="Clave de acceso", size=49, readonly=True, index=True)
    state = fields.Selection(SRI_STATES, string="Estado SRI", readonly=True, index=True)
    environment = fields.Selection([("1", "Pruebas"), ("2", "Producción")], string="Ambiente", readonly=True)
    next_try = fields.Datetime(string="Próximo intento SRI", readonly=True)
    attempts = fields.Integer(string="Intentos SRI", readonly=True)
    sent = fields.Boolean(string="Enviado al SRI", readonly=True,
                          help="The document may have reached the SRI: before sending it again, its "
                          "authorization is queried.")
    authorization_number = fields.Char(string="Número de autorización", readonly=True)
    authorization_date = fields.Datetime(string="Fecha de autorización", readonly=True)
    environment_name = fields.Char(string="Ambiente SRI", readonly=True,
                                   help="Ambiente named by the SRI in its authorization.")
    xml_id = fields.Many2one("ir.attachment", string="XML firmado", readonly=True, index="btree_not_null")
    authorized_xml_id = fields.Many2one("ir.attachment", string="XML autorizado", readonly=True,
                                        index="btree_not_null")
    ride_id = fields.Many2one("ir.attachment", string="RIDE", readonly=True, index="btree_not_null")
    last_error = fields.Text(string="Mensajes del SRI", readonly=True)
    annul_reason = fields.Text(string="Motivo de anulación", readonly=True)
    mailed = fields.Boolean(string="Enviado por correo", readonly=True,
                            help="The authorized XML and the RIDE were mailed to the receiver.")
    mail_state = fields.Selection(MAIL_STATES, string="Correo al receptor", readonly=True,
                                  help="Mailing of the authorized XML and the RIDE, retried by the queue until "
                                  "done; never sent twice.")
    mail_attempts = fields.Integer(string="Intentos de correo", readonly=True)
    mail_next_try = fields.Datetime(string="Próximo intento de correo", readonly=True)
    mail_error = fields.Text(string="Problema del correo", readonly=True)
    exchange_ids = fields.One2many("l10n_ec_sri.exchange", "document_id", string="Intercambios con el SRI",
                                   readonly=True)
    exchange_count = fields.Integer(compute="_compute_exchange_count")

    _sql_constraints = [
        ("access_key_unique", "UNIQUE(access_key)", "An access key can only be used by one electronic document."),
        ("source_unique", "UNIQUE(res_model, res_id)", "A record has only one electronic document."),
    ]

    def init(self):
        super().init()
        # The queue run looks for authorized documents whose RIDE is missing: few rows, whatever the
        # history. Without this partial index the look-up walks every authorized document ever.
        sql.create_index(self.env.cr, "l10n_ec_sri_document_ride_missing_idx", self._table, ["id"],
                         where="state = 'authorized' AND ride_id IS NULL")
        sql.create_index(self.env.cr, "l10n_ec_sri_document_queue_idx", self._table, ["next_try", "id"],
                         where="state IN ('to_send', 'retry', 'received')")

    @api.depends("exchange_ids")
    def _compute_exchange_count(self):
        for document in self:
            document.exchange_count = len(document.exchange_ids)

    # ------------------------------------------------------------------
    # Integrity: only the flow writes
    # ------------------------------------------------------------------
    @api.model
    def _l10n_ec_sri_refuse(self):
        raise UserError(_(
            "Electronic documents are legal records kept as the SRI registered them: only the SRI flow "
            "(posting, sending, the SRI's answers, the annulment wizard of SRI administrators) can change "
            "them. Nobody, administrators included, can edit or delete them."))

    def unlink(self):
        if not is_flow(self.env) or any(doc._may_be_at_sri() or doc.exchange_ids for doc in self):
            self._l10n_ec_sri_refuse()
        return super().unlink()

    def _flow(self):
        return flow_env(self)

    @api.model
    def _l10n_ec_sri_reserve(self, sources):
        """Hook called before ``sources`` (records of one model) get their first electronic document: a module
        that limits or counts documents (l10n_ec_sri_plan) raises a translated UserError here to refuse them
        all, or counts them; the posting's transaction undoes the count when it fails later."""
        return None

    def _may_be_at_sri(self):
        """True when the SRI has, or may have, this document."""
        self.ensure_one()
        return self.state in REGISTERED_STATES or bool(self.sent)

    # ------------------------------------------------------------------
    # Source
    # ------------------------------------------------------------------
    def _source(self):
        self.ensure_one()
        return self.env[self.res_model].browse(self.res_id)

    def _sources(self):
        """The source records of these documents, per model: {model: records} (queue order kept)."""
        by_model = {}
        for doc in self:
            by_model.setdefault(doc.res_model, []).append(doc.res_id)
        return {model: self.env[model].browse(ids) for model, ids in by_model.items()}

    def _note(self, body):
        """Internal note on the source's chatter (no notification to compute)."""
        source = self._source()
        if hasattr(source, "_message_log"):
            source._message_log(body=body)

    def _l10n_ec_sri_audit(self, action, detail=None):
        """Hook: ``action`` ("download", "print", "mail", ...) was done to these documents by the current user,
        through a path the audit trail does not see by itself (the JSON API's downloads). The audit trail
        (l10n_ec_sri_reports) records it; without it nothing is kept."""
        return None

    def action_open_source(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Queue
    # ------------------------------------------------------------------
    @api.model
    def _commit_allowed(self):
        return not (
            self.env.registry.in_test_mode()
            or modules.module.current_test
            or config.get("test_enable")
            or self.env.context.get("l10n_ec_sri_no_commit")
        )

    @api.model
    def _pick(self, limit=1, job=None, exclude=(), company_ids=None, ids=None, new_snapshot=False):
        """Lock and return up to ``limit`` ids of documents due for the SRI, skipping rows other
        workers hold (``FOR NO KEY UPDATE SKIP LOCKED``): two workers never process the same document.
        ``ids``: only among these.

        A row another worker changed and committed after this transaction's snapshot cannot be locked
        (PostgreSQL: "could not serialize access"): ``_lock_rows`` undoes the pick and, with
        ``new_snapshot`` (a queue run that commits anyway), commits and picks again on a fresh snapshot;
        otherwise nothing is picked: the documents are left to the next run."""
        conditions = [
            "d.state IN %(states)s",
            "(d.next_try IS NULL OR d.next_try <= %(now)s)",
            # Companies without automatic sending wait for the "Enviar al SRI" button.
            "(d.state != 'to_send' OR c.l10n_ec_sri_auto_send)",
        ]
        if job == "send":
            conditions.append("(d.state = 'to_send' OR (d.state = 'retry' AND NOT COALESCE(d.sent, FALSE)))")
        elif job == "authorize":
            conditions.append("(d.state = 'received' OR (d.state = 'retry' AND COALESCE(d.sent, FALSE)))")
        if exclude:
            conditions.append("d.id NOT IN %(exclude)s")
        if company_ids:
            conditions.append("d.company_id IN %(company_ids)s")
        if ids is not None:
            if not ids:
                return []
            conditions.append("d.id IN %(ids)s")
        self.env.flush_all()
        query = f"""
            SELECT d.id
              FROM l10n_ec_sri_document d
              JOIN res_company c ON c.id = d.company_id
             WHERE {" AND ".join(conditions)}
          ORDER BY d.next_try NULLS FIRST, d.id
             LIMIT %(limit)s
               FOR NO KEY UPDATE OF d SKIP LOCKED
        """
        return self._lock_rows(query, {
            "states": QUEUE_STATES,
            "now": fields.Datetime.now(),
            "exclude": tuple(exclude) or (0,),
            "company_ids": tuple(company_ids or ()) or (0,),
            "ids": tuple(ids or ()) or (0,),
            "limit": limit,
        }, new_snapshot=new_snapshot)

    @api.model
    def _cron_send(self, limit=None):
        return self._process_queue(limit=limit, job="send")

    @api.model
    def _cron_authorize(self, limit=None):
        return self._process_queue(limit=limit, job="authorize")

    @api.model
    def _pool_size(self, companies):
        return max([company.l10n_ec_sri_pool_size or 1 for company in companies] or [1])

    @api.model
    def _process_queue(self, limit=None, job=None, company_ids=None):
        """Process up to ``limit`` due documents (of ``company_ids``, default all) in batches: each
        batch is locked (SKIP LOCKED), its SOAP calls run concurrently (at most the company's pool size
        in flight), the outcomes are written in this thread and committed together outside tests
        (the locks are held until then, so no other worker touches them). Runs as superuser in each
        document's company, like a cron. The RIDEs of the documents authorized in the run are then
        rendered together and the receivers mailed, with the documents of the last days whose RIDE is
        missing. Returns the processed documents."""
        if limit is None:
            limit = int(self.env["ir.config_parameter"].sudo().get_param("l10n_ec_sri.batch_size", DEFAULT_BATCH))
        commit = self._commit_allowed()
        done = []
        clients = {}
        authorized = self.browse()
        companies = self.env["res.company"].sudo().browse(company_ids) if company_ids else \
            self.env["res.company"].sudo().search([])
        batch_size = self._pool_size(companies) * BATCH_PER_CALL
        while len(done) < limit:
            ids = self._pick(min(batch_size, limit - len(done)), job=job, exclude=done, company_ids=company_ids,
                             new_snapshot=commit)
            if not ids:
                break
            done.extend(ids)
            batch = self._flow().browse(ids)
            batch._process_batch(clients)
            authorized |= batch.filtered(lambda d: d.state == "authorized")
            if commit:
                self.env.cr.commit()
        self._flow()._after_authorization(authorized, company_ids=company_ids, retry_missing=True, commit=commit)
        return self.browse(done)

    def _client(self, clients=None):
        """The SRI client of the document's company; ``clients``: a dict kept by the caller for a run."""
        self.ensure_one()
        company = self.company_id
        if clients is not None and company.id in clients:
            return clients[company.id]
        client = company._l10n_ec_sri_client()
        if clients is not None:
            clients[company.id] = client
        return client

    def _send_history(self):
        """{document id: (a send of its key may have reached the SRI (any send but a DEVUELTA, answered
        or not: the transaction that recorded ``sent`` may have died after it), the SRI confirmed it has
        the key (RECIBIDA or error 43))} from the exchange log, for these documents."""
        if not self:
            return {}
        self.env["l10n_ec_sri.exchange"].flush_model()
        self.env.cr.execute("""
            SELECT e.document_id,
                   bool_or(e.outcome IS NULL OR e.outcome != 'rejected'),
                   bool_or(e.outcome IN ('received', 'already_received'))
              FROM l10n_ec_sri_exchange e
              JOIN l10n_ec_sri_document d ON d.id = e.document_id AND d.access_key = e.access_key
             WHERE e.document_id IN %s AND e.kind = 'send'
          GROUP BY e.document_id
        """, [tuple(self.ids)])
        return {doc_id: (unanswered, received) for doc_id, unanswered, received in self.env.cr.fetchall()}

    def _process_batch(self, clients=None):
        """One step forward for each of these (locked) documents. Their SOAP calls run in a bounded
        pool (at most each company's ``l10n_ec_sri_pool_size`` in flight); this thread decides each
        document's next call from the previous answer, writes the outcomes as they come (each document
        in its own savepoint: one bad document never stops the others). The exchange record of every
        call is committed BEFORE the call (a separate transaction outside tests), its answer written
        after: a crash leaves a record of every request that may have reached the SRI."""
        clients = {} if clients is None else clients
        history = self._send_history()
        plans = {}
        semaphores = {}
        sizes = {}  # company id: its calls in flight
        for doc in self:
            doc = doc.with_company(doc.company_id)
            source = doc._source()
            if doc.state not in QUEUE_STATES or not source.exists() or not source._l10n_ec_sri_can_process():
                continue
            company = doc.company_id
            if company.id not in semaphores:
                sizes[company.id] = max(company.l10n_ec_sri_pool_size or 1, 1)
                semaphores[company.id] = threading.BoundedSemaphore(sizes[company.id])
            maybe_sent, known_received = history.get(doc.id, (False, False))
            authorize_first = bool(doc.sent or doc.state == "received" or maybe_sent)
            known_received = authorize_first and known_received
            signed = doc.xml_id.sudo().raw if not known_received else b""
            if not signed and not authorize_first:
                doc.write({
                    "state": "returned",
                    "last_error": _("The signed XML of the document is missing: issue the document again "
                                    "(reset it to draft and post it)."),
                })
                continue
            try:
                client = doc._client(clients)
            except Exception as exc:  # noqa: BLE001 - a company without a usable endpoint
                doc._set_retry(_("The SRI web service of the company cannot be used: %s", exc))
                continue
            plans[doc.id] = {
                "doc": doc,
                "client": client,
                "semaphore": semaphores[company.id],
                "signed": signed,
                "authorize_first": authorize_first,
                "known_received": known_received,
                "calls": [],  # [(kind, result, exchange)]
                "error": None,
            }
        if not plans:
            return
        workers = min(len(plans), sum(sizes.values()))
        first = {doc_id: ("authorize" if plan["authorize_first"] else "send") for doc_id, plan in plans.items()}
        exchanges = self._prelog([(plans[doc_id], kind) for doc_id, kind in first.items()])
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sri") as pool:
            futures = {}

            def submit(doc_id, kind, exchange):
                plan = plans[doc_id]
                arg = plan["signed"] if kind == "send" else plan["doc"].access_key
                future = pool.submit(_sri_single_call, plan["client"], plan["semaphore"], kind, arg)
                futures[future] = (doc_id, kind, exchange)

            for (doc_id, kind), exchange in zip(first.items(), exchanges):
                submit(doc_id, kind, exchange)
            while futures:
                done, _pending = wait(futures, return_when=FIRST_COMPLETED)
                for future in done:
                    doc_id, kind, exchange = futures.pop(future)
                    plan = plans[doc_id]
                    result, error = future.result()
                    self._record_answer(plan, exchange, kind, result, error)
                    plan["calls"].append((kind, result, exchange))
                    plan["error"] = error
                    following = None if error else self._next_call(plan, kind, result)
                    if following:
                        submit(doc_id, following, self._prelog([(plan, following)])[0])
                    else:
                        self._finish(plan)

    @api.model
    def _next_call(self, plan, kind, result):
        """The call that follows ``kind`` answered by ``result`` for a document, or None when done."""
        Outcome = sri_client.Outcome
        if kind == "authorize":
            if len(plan["calls"]) > 1:
                return None
            not_found = result.outcome == Outcome.RETRY and not result.error and not result.count
            if not (not_found and not plan["known_received"]) or not plan["signed"]:
                return None
            return "send"  # the SRI does not know the key: sending it (again) is safe
        if result.outcome in (Outcome.RECEIVED, Outcome.ALREADY_RECEIVED):
            return "authorize"
        return None

    @api.model
    def _finish(self, plan):
        doc = plan["doc"]
        try:
            with self.env.cr.savepoint():
                doc._apply_calls(plan["calls"], plan["client"], plan["error"])
        except Exception as exc:  # noqa: BLE001 - one bad document must not stop the queue
            _logger.exception("SRI: processing %s failed", doc.display_name)
            doc._set_retry(_("Unexpected error while processing the document: %s", exc))

    @api.model
    @contextlib.contextmanager
    def _own_transaction(self):
        """An environment of the flow on a cursor of its own, committed when the block ends."""
        with self.env.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {**self.env.context, FLOW_KEY: FLOW})

    @api.model
    def _prelog(self, items):
        """Exchange records of the calls about to be made (``items``: [(plan, kind)]), committed in a
        transaction of their own outside tests (the documents are locked FOR NO KEY UPDATE, which lets
        their exchanges be inserted meanwhile), so that they survive a crash of this one."""
        in_progress = _("Call in progress: no answer recorded yet.")
        vals_list = [{
            "document_id": plan["doc"].id,
            "company_id": plan["doc"].company_id.id,
            "access_key": plan["doc"].access_key,
            "kind": kind,
            "endpoint": plan["client"].base_url,
            "state": "none",
            "error": in_progress,
        } for plan, kind in items]
        Exchange = self.env["l10n_ec_sri.exchange"]
        if not self._commit_allowed():
            return list(flow_env(Exchange).create(vals_list))
        try:
            with self._own_transaction() as env:
                ids = env["l10n_ec_sri.exchange"].create(vals_list).ids
        except psycopg2.errors.ForeignKeyViolation:
            # documents issued in this very transaction (posted and sent in one call): not visible to
            # another one, so their exchanges go with this transaction
            return list(flow_env(Exchange).create(vals_list))
        return list(flow_env(Exchange).browse(ids))

    @api.model
    def _record_answer(self, plan, exchange, kind, result, error=None):
        """Write the answer of a call on its exchange record, committed at once in a transaction of its
        own outside tests: the record was inserted by another transaction after this one's snapshot
        (REPEATABLE READ), so this one could not even see it, and the answer is kept whatever happens
        to this transaction."""
        Exchange = self.env["l10n_ec_sri.exchange"]
        if result is not None:
            vals = Exchange._l10n_ec_sri_values(plan["doc"], kind, result, plan["client"].base_url)
        else:
            vals = {"error": _("No answer: %s", error)}
        if not self._commit_allowed():
            flow_env(exchange).write(vals)
            return
        with self._own_transaction() as env:
            record = env["l10n_ec_sri.exchange"].browse(exchange.id)
            found = bool(record.exists())
            if found:
                record.write(vals)
        if found:
            exchange.invalidate_recordset()
        else:  # recorded by this transaction (see _prelog)
            flow_env(exchange).write(vals)

    def _apply_calls(self, calls, client, error=None):
        """Apply the outcome of the calls made for this document (their answers are already logged)."""
        self.ensure_one()
        Outcome = sri_client.Outcome
        if error is not None:
            self._set_retry(_("Unexpected error while talking to the SRI: %s", error),
                            {"sent": True} if any(kind == "send" for kind, _r, _e in calls) else None)
            return
        if not calls:
            self._set_retry(_("The SRI was not called."))
            return
        sends = [result for kind, result, _e in calls if kind == "send"]
        auths = [result for kind, result, _e in calls if kind == "authorize"]
        if not sends:
            self._apply_authorization(auths[-1])
            return
        reception = sends[-1]
        outcome = reception.outcome
        # from now on, query authorization before any re-send (written with the outcome: one write)
        sent = {"sent": True}
        if outcome in (Outcome.RECEIVED, Outcome.ALREADY_RECEIVED):
            self._apply_authorization(auths[-1], {**sent, "state": "received", "last_error": False})
        elif outcome == Outcome.REJECTED:
            reasons = "\n".join(reception.reasons) or _("The SRI returned the document without a reason.")
            self.write({
                "state": "returned",
                "sent": False,  # DEVUELTA: the SRI did not register the key
                "next_try": False,
                "last_error": _(
                    "The SRI returned (DEVUELTA) the document:\n%s\n\nThe SRI did not register it: fix "
                    "the problem, reset the document to draft and post it again (it keeps its access "
                    "key when its date and number do not change).", reasons),
            })
            self._note(_("SRI: document returned (DEVUELTA): %s", reasons))
        else:
            self._set_retry("\n".join(reception.reasons), sent)

    def _apply_authorization(self, auth, vals=None):
        """``vals``: values of the step before (reception) written with the outcome."""
        Outcome = sri_client.Outcome
        vals = dict(vals or {})
        if auth.outcome == Outcome.AUTHORIZED:
            self._on_authorized(auth, vals)
        elif auth.outcome == Outcome.REJECTED and auth.state:
            reasons = "\n".join(auth.reasons) or _("The SRI gave no reason.")
            self.write({
                **vals,
                "state": "not_authorized",
                "next_try": False,
                "last_error": _(
                    "The SRI did NOT AUTHORIZE the document:\n%s\n\nThe SRI registered its access key: "
                    "cancel this document and issue a new one with the next number.", reasons),
            })
            self._note(_("SRI: document NOT AUTHORIZED: %s", reasons))
        else:
            reasons = auth.reasons or ([_("The SRI is still processing the document (%s).",
                                          auth.state or _("no answer yet"))])
            self._set_retry("\n".join(reasons), vals)

    @api.model
    def _backoff(self, attempts):
        """Wait before try ``attempts`` + 1: 2, 4, 8, ... minutes, at most ``MAX_BACKOFF``. The system
        parameter ``l10n_ec_sri.retry_base_seconds`` (default 60) scales it (the fault suite uses 1)."""
        base = float(self.env["ir.config_parameter"].sudo().get_param("l10n_ec_sri.retry_base_seconds", 60) or 60)
        return min(timedelta(seconds=base * 2 ** min(attempts, 16)), MAX_BACKOFF)

    @api.model
    def _next_try(self, attempts):
        """(UTC datetime of the next try after ``attempts`` tries, the same in Ecuador's time)."""
        next_try = fields.Datetime.now() + self._backoff(attempts)
        return next_try, fields.Datetime.context_timestamp(self.with_context(tz=ECUADOR_TZ_NAME), next_try)

    def _set_retry(self, reason, vals=None):
        self.ensure_one()
        attempts = self.attempts + 1
        next_try, local = self._next_try(attempts)
        self._flow().write({
            **(vals or {}),
            "state": "retry",
            "attempts": attempts,
            "next_try": next_try,
            "last_error": _("Attempt %(attempt)s did not finish; next try at %(date)s (Ecuador time).\n%(reason)s",
                            attempt=attempts, date=local.strftime("%d/%m/%Y %H:%M:%S"), reason=reason or ""),
        })

    def _on_authorized(self, auth, vals=None):
        """Authorization recorded with the authorized XML, in one write. The RIDE and the mail come
        after, for all the documents authorized together (``_after_authorization``)."""
        self.ensure_one()
        key = self.access_key
        number = auth.number or key
        xml = self.env["ir.attachment"].sudo().create({
            "name": f"{key}.xml",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "raw": auth.to_xml(),
            "mimetype": "application/xml",
            "description": _("Electronic document authorized by the SRI"),
        })
        self.write({
            **(vals or {}),
            "state": "authorized",
            "authorization_number": number,
            "authorization_date": _naive_utc(auth.date) or fields.Datetime.now(),
            "environment_name": auth.environment or False,
            "next_try": False,
            "attempts": 0,
            "sent": True,
            "last_error": False,
            "authorized_xml_id": xml.id,
            "mail_state": "pending" if self.company_id.l10n_ec_sri_send_mail and not self.mailed else self.mail_state,
        })
        body = _("SRI: document authorized, authorization number %s.", number)
        if auth.number and auth.number != key:
            body = Markup("%s<br/>%s") % (body, _(
                "SRI: the authorization number %(number)s differs from the access key %(key)s.",
                number=auth.number, key=key))
        self._note(body)
        self._source()._l10n_ec_sri_on_authorized(self)

    # ------------------------------------------------------------------
    # After authorization: RIDE and mail
    # ------------------------------------------------------------------
    @api.model
    def _after_authorization(self, documents, company_ids=None, retry_missing=False, commit=False):
        """RIDE and mail of authorized ``documents``, in chunks of ``RIDE_CHUNK`` (one wkhtmltopdf run
        each), committed per chunk when ``commit``. Each document is locked first (SKIP LOCKED:
        another worker finishing it is left alone) and must still lack its RIDE. ``retry_missing``:
        also the documents (of ``company_ids``) authorized in the last ``RIDE_RETRY_DAYS`` days whose
        RIDE is missing. A failure never undoes an authorization. The mail is sent once per document
        (``mailed``), with the RIDE when it could be rendered."""
        ids = list(documents.ids)
        if retry_missing:
            self.env.flush_all()
            query = """
                SELECT id FROM l10n_ec_sri_document
                 WHERE state = 'authorized' AND ride_id IS NULL
                   AND authorization_date >= %(since)s AND id NOT IN %(ids)s
            """
            if company_ids:
                query += " AND company_id IN %(company_ids)s"
            self.env.cr.execute(query + " ORDER BY id LIMIT %(limit)s", {
                "since": fields.Datetime.now() - timedelta(days=RIDE_RETRY_DAYS),
                "ids": tuple(ids) or (0,),
                "company_ids": tuple(company_ids or ()) or (0,),
                "limit": RIDE_CHUNK,
            })
            ids += [row[0] for row in self.env.cr.fetchall()]
        fresh = set(documents.ids)
        for start in range(0, len(ids), RIDE_CHUNK):
            chunk = ids[start:start + RIDE_CHUNK]
            self.env.flush_all()
            locked = set(self._lock_rows("""
                SELECT id FROM l10n_ec_sri_document
                 WHERE id IN %s AND state = 'authorized' AND ride_id IS NULL
                   FOR NO KEY UPDATE SKIP LOCKED
            """, [tuple(chunk)]))
            todo = self._flow().browse([doc_id for doc_id in chunk if doc_id in locked])
            if not todo:
                continue
            todo.invalidate_recordset(["ride_id", "state"])
            failures = todo._attach_rides()
            for doc in todo:
                if doc.id in failures and doc.id in fresh:
                    doc._note(_("SRI: the RIDE could not be generated: %s", failures[doc.id]))
            todo._mail_authorized()
            if commit:
                self.env.cr.commit()
        if retry_missing:
            self._retry_mails(exclude=ids, company_ids=company_ids, commit=commit)

    @api.model
    def _lock_rows(self, query, params, new_snapshot=False):
        """Ids locked by ``query`` (``... FOR NO KEY UPDATE SKIP LOCKED``). When another worker changed one
        of the rows since this transaction's snapshot, the lock is undone (savepoint) and, with
        ``new_snapshot``, this transaction is committed and the lock tried again on a fresh snapshot, at
        most ``LOCK_TRIES`` times; otherwise none (that worker finishes them, or the next run does)."""
        for attempt in range(1, LOCK_TRIES + 1):
            try:
                with self.env.cr.savepoint(flush=False):
                    # a conflict is expected between workers: logged below, not as a bad query
                    self.env.cr.execute(query, params, log_exceptions=False)
                    return [row[0] for row in self.env.cr.fetchall()]
            except psycopg2.errors.SerializationFailure:
                if not new_snapshot or attempt == LOCK_TRIES:
                    _logger.info("SRI: documents changed by another worker meanwhile, left to it or to the next run")
                    return []
                _logger.info("SRI: documents changed by another worker meanwhile, locking again")
                self.env.cr.commit()  # a new transaction: its snapshot sees what that worker committed

    @api.model
    def _retry_mails(self, exclude=(), company_ids=None, commit=False):
        """Mail the authorized documents (of the last ``MAIL_RETRY_DAYS`` days) whose mail is due: never
        sent, or failed and its next try reached. Locked first (SKIP LOCKED)."""
        self.env.flush_all()
        query = """
            SELECT d.id FROM l10n_ec_sri_document d JOIN res_company c ON c.id = d.company_id
             WHERE d.state = 'authorized' AND NOT COALESCE(d.mailed, FALSE) AND c.l10n_ec_sri_send_mail
               AND COALESCE(d.mail_state, 'pending') IN ('pending', 'retry')
               AND (d.mail_next_try IS NULL OR d.mail_next_try <= %(now)s)
               AND d.authorization_date >= %(since)s AND d.id NOT IN %(exclude)s
        """
        if company_ids:
            query += " AND d.company_id IN %(company_ids)s"
        todo = self._flow().browse(self._lock_rows(
            query + " ORDER BY d.id LIMIT %(limit)s FOR NO KEY UPDATE OF d SKIP LOCKED", {
                "now": fields.Datetime.now(),
                "since": fields.Datetime.now() - timedelta(days=MAIL_RETRY_DAYS),
                "exclude": tuple(exclude) or (0,),
                "company_ids": tuple(company_ids or ()) or (0,),
                "limit": DEFAULT_BATCH,
            }))
        if todo:
            todo._mail_authorized()
            if commit:
                self.env.cr.commit()

    def _render_rides(self):
        """RIDE PDFs of these documents: ({doc id: PDF bytes}, {doc id: error text}, {doc id: attachment
        of the report saved by a print}). Documents of one source model share one report; chunks of
        ``RIDE_CHUNK`` share one wkhtmltopdf run on one HTML document, the PDF being split per document
        on their access keys (see ``ir.actions.report``); a document the split cannot isolate, or a
        chunk that fails, is rendered alone. Never raises."""
        pdfs, failures, saved = {}, {}, {}
        for model, sources in self._sources().items():
            docs = {doc.res_id: doc for doc in self if doc.res_model == model}
            s_pdfs, s_failures, s_saved = sources._l10n_ec_sri_render_rides()
            for res_id, value in s_pdfs.items():
                pdfs[docs[res_id].id] = value
            for res_id, value in s_failures.items():
                failures[docs[res_id].id] = value
            for res_id, value in s_saved.items():
                saved[docs[res_id].id] = value
        return pdfs, failures, saved

    def _attach_rides(self):
        """Render the RIDEs of these documents (batched) and attach each one (``ride_id``, replacing a
        previous one). Returns {doc id: error text} of those that failed."""
        if not self:
            return {}
        pdfs, failures, saved = self._render_rides()
        done = self.filtered(lambda d: d.id in pdfs)
        Attachment = flow_env(self.env["ir.attachment"])
        # the attachment a print saved (same name) becomes the RIDE instead of a second copy
        reuse = {doc_id: flow_env(attachment) for doc_id, attachment in saved.items()
                 if doc_id in pdfs and attachment != self.browse(doc_id).ride_id}
        (flow_env(done.ride_id) - Attachment.union(*reuse.values())).unlink()
        new = done.filtered(lambda d: d.id not in reuse)
        attachments = Attachment.create([{
            "name": doc._source()._l10n_ec_sri_ride_filename(),
            "res_model": doc.res_model,
            "res_id": doc.res_id,
            "raw": pdfs[doc.id],
            "mimetype": "application/pdf",
        } for doc in new])
        created = dict(zip(new.ids, attachments))
        for doc in done:
            attachment = reuse.get(doc.id) or created[doc.id]
            if doc.id in reuse:
                attachment.write({"raw": pdfs[doc.id], "mimetype": "application/pdf"})
            doc.write({"ride_id": attachment.id})
        return failures

    def _attach_ride(self):
        """RIDE of one or a few documents, attached; raises UserError when one could not be rendered."""
        failures = self._flow()._attach_rides()
        if failures:
            raise UserError("\n".join(failures.values()))

    def _mail_authorized(self):
        """Mail each authorized document not mailed yet whose mail is due, of a company that mails
        them (one savepoint per mail: a failure never undoes anything). A failure is retried by the
        next queue runs with a growing wait (``mail_state`` retry); a receiver without an e-mail
        address is not retried (``none``). Never mails a document twice (``mailed``)."""
        now = fields.Datetime.now()
        for doc in self.filtered(lambda d: d.state == "authorized" and not d.mailed
                                 and d.company_id.l10n_ec_sri_send_mail
                                 and d.mail_state in (False, "pending", "retry")
                                 and (not d.mail_next_try or d.mail_next_try <= now)):
            doc = doc._flow()
            try:
                with self.env.cr.savepoint():
                    # no new follower on the receiver: the mail touches no shared record it needs not
                    source = doc._source().with_company(doc.company_id).with_context(mail_post_autofollow=False)
                    sent = source._l10n_ec_sri_send_mail(doc)
                    if sent:
                        doc._mark_mailed()
                    else:
                        doc.write({"mail_state": "none", "mail_next_try": False, "mail_error": _(
                            "The receiver has no e-mail address: add one to the contact and send the "
                            "document from its form.")})
            except Exception as exc:  # noqa: BLE001 - retried by the next runs
                _logger.warning("SRI: mail of %s could not be sent: %s", doc.display_name, exc)
                doc._set_mail_retry(exc)

    def _mark_mailed(self):
        """The receiver got the authorized XML and the RIDE (by the queue or by Send & Print)."""
        self._flow().write({"mailed": True, "mail_state": "sent", "mail_next_try": False, "mail_error": False})

    def _set_mail_retry(self, exc):
        self.ensure_one()
        attempts = self.mail_attempts + 1
        next_try, local = self._next_try(attempts)
        if isinstance(exc, (psycopg2.errors.SerializationFailure, psycopg2.errors.LockNotAvailable,
                            psycopg2.errors.DeadlockDetected)):
            reason = _("another user or process was changing the same customer or document at that moment")
        else:
            reason = _("the mail could not be prepared or queued (%s)", str(exc.args[0] if exc.args else exc)[:200])
        message = _("The authorized document could not be mailed: %(reason)s. It will be tried again at %(date)s "
                    "(Ecuador time).", reason=reason, date=local.strftime("%d/%m/%Y %H:%M"))
        self._flow().write({"mail_state": "retry", "mail_attempts": attempts, "mail_next_try": next_try,
                            "mail_error": message})
        if attempts == 1:
            self._note(_("SRI: %s", message))

    # ------------------------------------------------------------------
    # Annulment (SRI administrators, through the wizard)
    # ------------------------------------------------------------------
    def _annul(self, reason):
        """Record that the documents were annulled on the SRI portal (SRI administrators only)."""
        if not self.env.user.has_group("l10n_ec_sri.group_l10n_ec_sri_admin"):
            raise UserError(_("Only SRI administrators can record an annulment."))
        for doc in self:
            if doc.state != "authorized":
                raise UserError(_("Only authorized documents can be annulled (%s).", doc.display_name))
            doc._flow().write({"state": "annulled", "annul_reason": reason})
            source = doc._source()
            if hasattr(source, "message_post"):
                source.message_post(body=_("Annulled on the SRI portal. Reason: %s", reason))
            source._l10n_ec_sri_on_annulled(doc)
        return True
