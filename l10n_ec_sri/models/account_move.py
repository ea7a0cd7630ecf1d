# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Electronic documents of account.move: checks and signing at posting, the SRI sending queue,
authorization, attachments, mail, and the guards on cancelling.

Life of a document (``l10n_ec_sri_state``)::

    post ──► to_send ──send──► received ──authorize──► authorized ──(portal)──► annulled
                │  ▲              │                └─► not_authorized
                │  └── retry ◄────┘ (network, HTTP 5xx, 70, EN PROCESO, 0 comprobantes)
                └─► returned (DEVUELTA: SRI did not register the key; fix, reset to draft, post again)

The signed XML is built ONCE at posting (same access key and signature on every re-send). The
queue never sends inside the posting transaction: posting only queues, the cron (or the
"Enviar al SRI" button) sends after the posting is committed, so a posting that rolls back never
leaves a key at the SRI. A document that may have reached the SRI (``l10n_ec_sri_sent``) is
re-sent only after an authorization query says the SRI does not know it.
"""
import base64
import logging
from datetime import timedelta, timezone
from decimal import Decimal

from markupsafe import Markup

from odoo import _, api, fields, models, modules
from odoo.exceptions import UserError
from odoo.tools import config, sql

_logger = logging.getLogger(__name__)

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
MAX_BACKOFF = timedelta(hours=6)
DEFAULT_BATCH = 50
# Ids locked per pick of the queue (SKIP LOCKED), then processed one by one.
PICK_BATCH = 20
# RIDEs rendered per wkhtmltopdf run.
RIDE_CHUNK = 25
# A RIDE that could not be rendered is tried again by the queue runs for this long.
RIDE_RETRY_DAYS = 3
# account.move.write re-synchronizes the invoice lines and checks the balance on every write: the
# SRI fields touch neither, and they are not a manual modification of the move.
SRI_WRITE_CONTEXT = {"skip_invoice_sync": True, "check_move_validity": False, "skip_is_manually_modified": True}
# No limit from the core: the company's limit is checked (translated) by the adapter.
NO_FINAL_CONSUMER_LIMIT = Decimal("999999999999.99")
DOCUMENT_TITLES = {
    "factura": "FACTURA",
    "nota_credito": "NOTA DE CRÉDITO",
    "nota_debito": "NOTA DE DÉBITO",
}


# Set when wkhtmltopdf cannot print several documents in one run: RIDEs are then rendered one per
# run. (Debian's build on unpatched Qt refuses several input files, "Exit with code 1": the RIDEs of a
# chunk are therefore merged into one HTML document, see ir_actions_report.py.)
_RIDE_BATCH_BROKEN = []


def _sri():
    from odoo.addons.l10n_ec_sri.sri import client, documents, errors, ride, schemas, signing

    return client, documents, errors, ride, schemas, signing


def _naive_utc(value):
    if not value:
        return False
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


class AccountMove(models.Model):
    _inherit = "account.move"

    l10n_ec_sri_access_key = fields.Char(
        string="Clave de acceso",
        size=49,
        copy=False,
        readonly=True,
        index="btree_not_null",
        tracking=True,
        help="49-digit access key of the electronic document. Assigned once at the first posting and "
        "never regenerated once the SRI may have received the document.",
    )
    l10n_ec_sri_state = fields.Selection(
        SRI_STATES,
        string="Estado SRI",
        copy=False,
        readonly=True,
        index=True,
        # Not tracked: every transition would add a tracking message; the chatter gets one note per
        # final outcome (authorized, not authorized, returned) instead.
    )
    l10n_ec_sri_next_try = fields.Datetime(string="Próximo intento SRI", copy=False, readonly=True)
    l10n_ec_sri_attempts = fields.Integer(string="Intentos SRI", copy=False, readonly=True)
    l10n_ec_sri_sent = fields.Boolean(
        string="Enviado al SRI",
        copy=False,
        readonly=True,
        help="The document may have reached the SRI: before sending it again, its authorization is queried.",
    )
    l10n_ec_sri_authorization_number = fields.Char(string="Número de autorización", copy=False, readonly=True)
    l10n_ec_sri_authorization_date = fields.Datetime(string="Fecha de autorización", copy=False, readonly=True)
    l10n_ec_sri_environment_name = fields.Char(string="Ambiente SRI", copy=False, readonly=True)
    l10n_ec_sri_xml_id = fields.Many2one("ir.attachment", string="XML firmado", copy=False, readonly=True)
    l10n_ec_sri_authorized_xml_id = fields.Many2one(
        "ir.attachment", string="XML autorizado", copy=False, readonly=True
    )
    l10n_ec_sri_ride_id = fields.Many2one("ir.attachment", string="RIDE", copy=False, readonly=True)
    l10n_ec_sri_last_error = fields.Text(string="Mensajes del SRI", copy=False, readonly=True)
    l10n_ec_sri_annul_reason = fields.Text(string="Motivo de anulación", copy=False, readonly=True)
    l10n_ec_sri_exchange_ids = fields.One2many(
        "l10n_ec_sri.exchange", "move_id", string="Intercambios con el SRI", readonly=True
    )
    l10n_ec_sri_exchange_count = fields.Integer(compute="_compute_l10n_ec_sri_exchange_count")
    l10n_ec_sri_is_document = fields.Boolean(compute="_compute_l10n_ec_sri_is_document")

    _sql_constraints = [
        (
            "l10n_ec_sri_access_key_unique",
            "UNIQUE(l10n_ec_sri_access_key, company_id)",
            "An access key can only be used by one document of the company.",
        ),
    ]

    def init(self):
        super().init()
        # The queue run looks for authorized documents whose RIDE is missing: few rows, whatever the
        # history. Without this partial index the look-up walks every authorized document ever.
        sql.create_index(self.env.cr, "account_move_l10n_ec_sri_ride_missing_idx", self._table, ["id"],
                         where="l10n_ec_sri_state = 'authorized' AND l10n_ec_sri_ride_id IS NULL")

    @api.depends("l10n_ec_sri_exchange_ids")
    def _compute_l10n_ec_sri_exchange_count(self):
        for move in self:
            move.l10n_ec_sri_exchange_count = len(move.l10n_ec_sri_exchange_ids)

    @api.depends("move_type", "journal_id", "l10n_latam_document_type_id", "company_id")
    def _compute_l10n_ec_sri_is_document(self):
        for move in self:
            move.l10n_ec_sri_is_document = bool(move.journal_id) and move._l10n_ec_sri_is_document()

    # ------------------------------------------------------------------
    # Posting
    # ------------------------------------------------------------------
    def _post(self, soft=True):
        sri_moves = self.filtered(lambda m: m.state == "draft" and m._l10n_ec_sri_is_document())
        prebuilt = {}  # move id: document data of the check, reused after posting
        if sri_moves:
            sri_moves._l10n_ec_sri_check_before_post(prebuilt)
        posted = super()._post(soft=soft)
        to_prepare = posted & sri_moves
        if to_prepare:
            to_prepare._l10n_ec_sri_prepare_documents(prebuilt)
            if any(to_prepare.company_id.mapped("l10n_ec_sri_auto_send")):
                cron = self.env.ref("l10n_ec_sri.ir_cron_l10n_ec_sri_send", raise_if_not_found=False)
                if cron:
                    cron.sudo()._trigger()
        return posted

    def _l10n_ec_sri_move_label(self):
        self.ensure_one()
        if self.name and self.name != "/":
            return self.name
        return _("Draft of %(partner)s for %(amount)s", partner=self.partner_id.display_name or "?",
                 amount=self.currency_id.format(self.amount_total))

    def _l10n_ec_sri_certificate_problem(self, company):
        """Translated text when ``company`` cannot sign, else False."""
        certificate = company.sudo().l10n_ec_sri_certificate_id
        if not certificate:
            return _("No SRI signing certificate is configured for %s. Upload one in Accounting > "
                     "Configuration > Settings > SRI Ecuador.", company.name)
        if certificate.date_end and certificate.date_end <= fields.Datetime.now():
            return _("The SRI signing certificate %(name)s of %(company)s expired on %(date)s: "
                     "upload a valid one.", name=certificate.name, company=company.name,
                     date=certificate.date_end)
        try:
            company._l10n_ec_sri_signing_certificate()
        except UserError as exc:
            return exc.args[0]
        return False

    def _l10n_ec_sri_build_document(self, access_key=None, data=None):
        """Core document of the move (from ``data`` when given), checked. Raises the core's
        SriValidationError."""
        documents = _sri()[1]
        if data is None:
            data = self._l10n_ec_sri_document_data(access_key=access_key)
        doc = documents.from_dict(dict(data))
        doc.FINAL_CONSUMER_LIMIT = NO_FINAL_CONSUMER_LIMIT
        doc.check()
        return doc

    def _l10n_ec_sri_check_before_post(self, prebuilt=None):
        """Collect every problem of every move into one translated UserError. ``prebuilt``: a dict
        filled with the document data of each move that passed (see ``_l10n_ec_sri_prepare_documents``)."""
        errors_mod = _sri()[2]
        problems = []
        company_problems = {}
        for move in self:
            lines = list(move._l10n_ec_sri_check_move())
            company = move.company_id
            if company not in company_problems:
                company_problems[company] = move._l10n_ec_sri_certificate_problem(company)
            if company_problems[company]:
                lines.append(company_problems[company])
            if not lines:
                try:
                    data = move._l10n_ec_sri_document_data(access_key=move._l10n_ec_sri_reusable_key())
                    move._l10n_ec_sri_build_document(data=data)
                    if prebuilt is not None:
                        prebuilt[move.id] = data
                except errors_mod.SriValidationError as exc:
                    lines.extend(str(error) for error in exc.errors)
            if lines:
                problems.append((move._l10n_ec_sri_move_label(), lines))
        if problems:
            raise UserError(self._l10n_ec_sri_format_problems(problems))

    @api.model
    def _l10n_ec_sri_format_problems(self, problems):
        text = [_("The electronic documents cannot be issued. Fix the following and post again:")]
        for label, lines in problems:
            text.append("")
            text.append(label)
            text.extend(f"  - {line}" for line in lines)
        return "\n".join(text)

    def _l10n_ec_sri_reusable_key(self):
        """The stored access key when it still matches the document (a returned or reset document
        keeps its key), else None (a new one is built)."""
        self.ensure_one()
        key = self.l10n_ec_sri_access_key
        if not key:
            return None
        from odoo.addons.l10n_ec_sri.sri import access_key as access_key_mod

        try:
            parsed = access_key_mod.parse(key)
        except Exception:  # noqa: BLE001 - a damaged key is simply not reused
            return None
        estab, point, sequential = self._l10n_ec_sri_number_parts()
        doc_type = self._l10n_ec_sri_document_type()
        cod_doc = {"factura": "01", "nota_credito": "04", "nota_debito": "05"}.get(doc_type)
        same = (
            parsed.emission_date == (self.invoice_date or fields.Date.context_today(self))
            and parsed.document_type == cod_doc
            and parsed.ruc == (self.company_id.vat or "")
            and parsed.environment == (self.company_id.l10n_ec_sri_environment or "1")
            and parsed.establishment == estab
            and parsed.emission_point == point
            and parsed.sequential == sequential
        )
        return key if same else None

    def _l10n_ec_sri_posted_data(self, data, access_key=None):
        """The document data of the check before posting, brought up to date with what posting set:
        number, date (and so the payment term), access key. The rest (issuer, buyer, lines,
        additional information, modified document) is reused as built."""
        self.ensure_one()
        fresh = dict(data)
        estab, point, sequential = self._l10n_ec_sri_number_parts()
        fresh.update({
            "establishment": estab,
            "emission_point": point,
            "sequential": sequential,
            "environment": self.company_id.l10n_ec_sri_environment or "1",
            "emission_date": self.invoice_date or fields.Date.context_today(self),
        })
        fresh.pop("access_key", None)
        if access_key:
            fresh["access_key"] = access_key
        if "payments" in fresh:
            fresh["payments"] = self._l10n_ec_sri_payments()
        return fresh

    def _l10n_ec_sri_prepare_documents(self, prebuilt=None):
        """After posting: access key (kept when valid) -> XML -> schema -> signature -> attachment.
        ``prebuilt``: {move id: document data} of the check before posting, reused."""
        _client, _documents, errors_mod, _ride, schemas, signing = _sri()
        problems = []
        certificates = {}
        prebuilt = prebuilt or {}
        for move in self:
            try:
                if move.l10n_ec_sri_state in ("received", "authorized", "not_authorized", "annulled"):
                    raise UserError(_("The SRI already registered the access key %s of this document: "
                                      "it cannot be issued again.", move.l10n_ec_sri_access_key))
                access_key = move._l10n_ec_sri_reusable_key()
                data = prebuilt.get(move.id)
                doc = move._l10n_ec_sri_build_document(
                    access_key=access_key,
                    data=move._l10n_ec_sri_posted_data(data, access_key) if data is not None else None)
                xml = doc.to_xml()
                schemas.assert_valid(xml)
                company = move.company_id
                if company.id not in certificates:
                    certificates[company.id] = company._l10n_ec_sri_signing_certificate()
                certificate = certificates[company.id]
                signed = signing.sign(xml, certificate)
            except errors_mod.SriValidationError as exc:
                problems.append((move._l10n_ec_sri_move_label(), [str(e) for e in exc.errors]))
                continue
            except (errors_mod.SriError, UserError) as exc:
                problems.append((move._l10n_ec_sri_move_label(), [str(exc.args[0] if exc.args else exc)]))
                continue
            if move.l10n_ec_sri_xml_id:
                move.l10n_ec_sri_xml_id.sudo().unlink()
            attachment = self.env["ir.attachment"].sudo().create({
                "name": f"{doc.access_key}_firmado.xml",
                "res_model": "account.move",
                "res_id": move.id,
                "raw": signed,
                "mimetype": "application/xml",
                "description": _("Signed electronic document sent to the SRI"),
            })
            move._l10n_ec_sri_write({
                "l10n_ec_sri_access_key": doc.access_key,
                "l10n_ec_sri_xml_id": attachment.id,
                "l10n_ec_sri_state": "to_send",
                "l10n_ec_sri_next_try": fields.Datetime.now(),
                "l10n_ec_sri_attempts": 0,
                "l10n_ec_sri_sent": False,
                "l10n_ec_sri_last_error": False,
            })
        if problems:
            raise UserError(self._l10n_ec_sri_format_problems(problems))

    # ------------------------------------------------------------------
    # Cancel / reset guards and annulment
    # ------------------------------------------------------------------
    def _l10n_ec_sri_pending_at_sri(self):
        """True when the SRI has, or may have, this document."""
        self.ensure_one()
        state = self.l10n_ec_sri_state
        return state in ("received", "authorized") or (state in ("to_send", "retry") and self.l10n_ec_sri_sent)

    def button_cancel(self):
        for move in self:
            if move.l10n_ec_sri_state == "authorized":
                raise UserError(_(
                    "%(move)s is authorized by the SRI and cannot be cancelled here. Annul it on the SRI "
                    "portal first (SRI en línea > Anulación de comprobantes), then an SRI administrator "
                    "records the annulment with \"Record SRI annulment\".", move=move.display_name))
            if move._l10n_ec_sri_pending_at_sri():
                raise UserError(_(
                    "%s is being processed by the SRI: wait for its answer before cancelling it.",
                    move.display_name))
        return super(AccountMove, self.with_context(l10n_ec_sri_cancelling=True)).button_cancel()

    def button_draft(self):
        cancelling = self.env.context.get("l10n_ec_sri_cancelling")
        for move in self:
            state = move.l10n_ec_sri_state
            if state == "authorized" or (state == "annulled" and not cancelling):
                raise UserError(_(
                    "%s is authorized by the SRI: it cannot be reset to draft. Issue a credit note instead, "
                    "or annul it on the SRI portal.", move.display_name))
            if state == "not_authorized" and not cancelling:
                raise UserError(_(
                    "The SRI registered the access key of %s as NOT AUTHORIZED, so its number cannot be "
                    "used again. Cancel this document and issue a new one (Duplicate) with the next number.",
                    move.display_name))
            if move._l10n_ec_sri_pending_at_sri():
                raise UserError(_(
                    "%s is being processed by the SRI: wait for its answer before resetting it to draft.",
                    move.display_name))
        res = super().button_draft()
        # A returned (or never sent) document keeps its access key: the SRI never registered it.
        self.filtered(lambda m: m.l10n_ec_sri_state in ("to_send", "retry", "returned"))._l10n_ec_sri_write({
            "l10n_ec_sri_state": False,
            "l10n_ec_sri_next_try": False,
            "l10n_ec_sri_sent": False,
        })
        return res

    def _l10n_ec_sri_annul(self, reason):
        """Record that the document was annulled on the SRI portal (SRI administrators only)."""
        if not self.env.user.has_group("l10n_ec_sri.group_l10n_ec_sri_admin"):
            raise UserError(_("Only SRI administrators can record an annulment."))
        for move in self:
            if move.l10n_ec_sri_state != "authorized":
                raise UserError(_("Only authorized documents can be annulled (%s).", move.display_name))
            move._l10n_ec_sri_write({"l10n_ec_sri_state": "annulled", "l10n_ec_sri_annul_reason": reason})
            move.message_post(body=_("Annulled on the SRI portal. Reason: %s", reason))
            move.button_cancel()
        return True

    def action_l10n_ec_sri_annul_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Record SRI annulment"),
            "res_model": "l10n_ec_sri.annul.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_ids": self.ids},
        }

    # ------------------------------------------------------------------
    # Queue
    # ------------------------------------------------------------------
    @api.model
    def _l10n_ec_sri_commit_allowed(self):
        return not (
            self.env.registry.in_test_mode()
            or modules.module.current_test
            or config.get("test_enable")
            or self.env.context.get("l10n_ec_sri_no_commit")
        )

    @api.model
    def _l10n_ec_sri_pick(self, limit=1, job=None, exclude=(), company_ids=None, ids=None):
        """Lock and return up to ``limit`` ids of documents due for the SRI, skipping rows other
        workers hold (``FOR UPDATE SKIP LOCKED``): two workers never process the same document.
        ``ids``: only among these (to lock again, after a commit, documents picked earlier)."""
        conditions = [
            "m.l10n_ec_sri_state IN %(states)s",
            "(m.l10n_ec_sri_next_try IS NULL OR m.l10n_ec_sri_next_try <= %(now)s)",
            # Companies without automatic sending wait for the "Enviar al SRI" button.
            "(m.l10n_ec_sri_state != 'to_send' OR c.l10n_ec_sri_auto_send)",
        ]
        if job == "send":
            conditions.append("(m.l10n_ec_sri_state = 'to_send' OR "
                              "(m.l10n_ec_sri_state = 'retry' AND NOT COALESCE(m.l10n_ec_sri_sent, FALSE)))")
        elif job == "authorize":
            conditions.append("(m.l10n_ec_sri_state = 'received' OR "
                              "(m.l10n_ec_sri_state = 'retry' AND COALESCE(m.l10n_ec_sri_sent, FALSE)))")
        if exclude:
            conditions.append("m.id NOT IN %(exclude)s")
        if company_ids:
            conditions.append("m.company_id IN %(company_ids)s")
        if ids is not None:
            if not ids:
                return []
            conditions.append("m.id IN %(ids)s")
        self.env.flush_all()
        query = f"""
            SELECT m.id
              FROM account_move m
              JOIN res_company c ON c.id = m.company_id
             WHERE {" AND ".join(conditions)}
          ORDER BY m.l10n_ec_sri_next_try NULLS FIRST, m.id
             LIMIT %(limit)s
               FOR UPDATE OF m SKIP LOCKED
        """
        self.env.cr.execute(query, {
            "states": QUEUE_STATES,
            "now": fields.Datetime.now(),
            "exclude": tuple(exclude) or (0,),
            "company_ids": tuple(company_ids or ()) or (0,),
            "ids": tuple(ids or ()) or (0,),
            "limit": limit,
        })
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _cron_l10n_ec_sri_send(self, limit=None):
        return self._l10n_ec_sri_process_queue(limit=limit, job="send")

    @api.model
    def _cron_l10n_ec_sri_authorize(self, limit=None):
        return self._l10n_ec_sri_process_queue(limit=limit, job="authorize")

    @api.model
    def _l10n_ec_sri_process_queue(self, limit=None, job=None, company_ids=None):
        """Process up to ``limit`` due documents (of ``company_ids``, default all), committing after
        each one outside tests (a crash never loses finished work; the lock is held while the SRI is
        called). Ids are locked a few at a time (``PICK_BATCH``); after a commit released the locks,
        each one is locked again (and checked still due) before it is processed, so two workers never
        process the same document. Runs as superuser in each document's company, like a cron.
        The RIDEs of the documents authorized in the run are then rendered together and the
        customers mailed (``_l10n_ec_sri_after_authorization``), with the documents of the last
        days whose RIDE is missing. Returns the processed moves."""
        if limit is None:
            limit = int(self.env["ir.config_parameter"].sudo().get_param("l10n_ec_sri.batch_size", DEFAULT_BATCH))
        commit = self._l10n_ec_sri_commit_allowed()
        done = []
        pending = []
        locked = False  # whether the ids of ``pending`` are still locked by this transaction
        clients = {}
        authorized = self.browse()
        while len(done) < limit:
            if not pending:
                pending = self._l10n_ec_sri_pick(min(PICK_BATCH, limit - len(done)), job=job, exclude=done,
                                                 company_ids=company_ids)
                if not pending:
                    break
                locked = True
            move_id = pending.pop(0)
            if not locked and not self._l10n_ec_sri_pick(1, job=job, company_ids=company_ids, ids=[move_id]):
                continue  # another worker holds it, or already moved it on
            done.append(move_id)
            move = self.sudo().browse(move_id)
            move = move.with_company(move.company_id)
            try:
                with self.env.cr.savepoint():
                    move._l10n_ec_sri_process(clients=clients)
            except Exception as exc:  # noqa: BLE001 - one bad document must not stop the queue
                _logger.exception("SRI: processing %s failed", move.display_name)
                move._l10n_ec_sri_set_retry(_("Unexpected error while processing the document: %s", exc))
            if move.l10n_ec_sri_state == "authorized":
                authorized |= move
            if commit:
                self.env.cr.commit()
                locked = False
        self.sudo()._l10n_ec_sri_after_authorization(authorized, company_ids=company_ids, retry_missing=True,
                                                      commit=commit)
        return self.browse(done)

    def action_l10n_ec_sri_send(self):
        """Button "Enviar al SRI": process the selected documents now."""
        moves = self.filtered(lambda m: m.l10n_ec_sri_state in QUEUE_STATES)
        if not moves:
            raise UserError(_("None of the selected documents is waiting for the SRI."))
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id FROM account_move WHERE id IN %s FOR UPDATE SKIP LOCKED", [tuple(moves.ids)]
        )
        locked = {row[0] for row in self.env.cr.fetchall()}
        if len(locked) != len(moves):
            raise UserError(_("The SRI queue is processing some of these documents right now: try again "
                              "in a moment."))
        clients = {}
        for move in moves:
            move._l10n_ec_sri_process(clients=clients)
        self._l10n_ec_sri_after_authorization(moves.filtered(lambda m: m.l10n_ec_sri_state == "authorized"))
        return True

    def _l10n_ec_sri_write(self, vals):
        """Write SRI fields: no invoice line synchronization, balance check or "manually modified"
        flag (see ``SRI_WRITE_CONTEXT``)."""
        return self.with_context(**SRI_WRITE_CONTEXT).write(vals)

    def _l10n_ec_sri_note(self, body):
        """Internal note in the chatter (no notification to compute)."""
        return self._message_log(body=body)

    # ------------------------------------------------------------------
    # Talking to the SRI
    # ------------------------------------------------------------------
    def _l10n_ec_sri_client(self, clients=None):
        """The SRI client of the move's company; ``clients``: a dict kept by the caller for a run
        (timeouts read and client looked up once per company)."""
        self.ensure_one()
        company = self.company_id
        if clients is not None and company.id in clients:
            return clients[company.id]
        client_mod = _sri()[0]
        params = self.env["ir.config_parameter"].sudo()
        connect = float(params.get_param("l10n_ec_sri.connect_timeout", 10))
        read = float(params.get_param("l10n_ec_sri.read_timeout", 30))
        client = client_mod.get_client(company._l10n_ec_sri_endpoint_url(), connect, read)
        if clients is not None:
            clients[company.id] = client
        return client

    def _l10n_ec_sri_log(self, kind, result, client):
        Exchange = self.env["l10n_ec_sri.exchange"].sudo()
        return Exchange.create(Exchange._l10n_ec_sri_values(self, kind, result, client.base_url))

    def _l10n_ec_sri_known_received(self):
        """Whether the SRI ever confirmed it has this document (RECIBIDA or error 43)."""
        self.ensure_one()
        return bool(self.env["l10n_ec_sri.exchange"].sudo().search_count([
            ("move_id", "=", self.id),
            ("access_key", "=", self.l10n_ec_sri_access_key),
            ("kind", "=", "send"),
            ("outcome", "in", ("received", "already_received")),
        ], limit=1))

    def _l10n_ec_sri_process(self, clients=None):
        """One step forward for one document; every call to the SRI is logged."""
        self.ensure_one()
        if self.l10n_ec_sri_state not in QUEUE_STATES or self.state != "posted":
            return
        Outcome = _sri()[0].Outcome
        client = self._l10n_ec_sri_client(clients)
        if self.l10n_ec_sri_sent or self.l10n_ec_sri_state == "received":
            auth = client.authorize(self.l10n_ec_sri_access_key)
            self._l10n_ec_sri_log("authorize", auth, client)
            not_found = auth.outcome == Outcome.RETRY and not auth.error and not auth.count
            if not (not_found and not self._l10n_ec_sri_known_received()):
                self._l10n_ec_sri_apply_authorization(auth)
                return
            # The SRI does not know the key: sending it (again) is safe.
        self._l10n_ec_sri_send(client)

    def _l10n_ec_sri_send(self, client):
        Outcome = _sri()[0].Outcome
        signed = self.l10n_ec_sri_xml_id.sudo().raw
        if not signed:
            self._l10n_ec_sri_write({
                "l10n_ec_sri_state": "returned",
                "l10n_ec_sri_last_error": _("The signed XML of the document is missing: reset the document to "
                                            "draft and post it again.")})
            return
        reception = client.send(signed)
        self._l10n_ec_sri_log("send", reception, client)
        outcome = reception.outcome
        # from now on, query authorization before any re-send (written with the outcome: one write)
        sent = {"l10n_ec_sri_sent": True}
        if outcome in (Outcome.RECEIVED, Outcome.ALREADY_RECEIVED):
            auth = client.authorize(self.l10n_ec_sri_access_key)
            self._l10n_ec_sri_log("authorize", auth, client)
            self._l10n_ec_sri_apply_authorization(
                auth, {**sent, "l10n_ec_sri_state": "received", "l10n_ec_sri_last_error": False})
        elif outcome == Outcome.REJECTED:
            reasons = "\n".join(reception.reasons) or _("The SRI returned the document without a reason.")
            self._l10n_ec_sri_write({
                "l10n_ec_sri_state": "returned",
                "l10n_ec_sri_sent": False,  # DEVUELTA: the SRI did not register the key
                "l10n_ec_sri_next_try": False,
                "l10n_ec_sri_last_error": _(
                    "The SRI returned (DEVUELTA) the document:\n%s\n\nThe SRI did not register it: fix "
                    "the problem, reset the document to draft and post it again (it keeps its access "
                    "key when its date and number do not change).", reasons),
            })
            self._l10n_ec_sri_note(_("SRI: document returned (DEVUELTA): %s", reasons))
        else:
            self._l10n_ec_sri_set_retry("\n".join(reception.reasons), sent)

    def _l10n_ec_sri_apply_authorization(self, auth, vals=None):
        """``vals``: values of the step before (reception) written with the outcome."""
        Outcome = _sri()[0].Outcome
        vals = dict(vals or {})
        if auth.outcome == Outcome.AUTHORIZED:
            self._l10n_ec_sri_on_authorized(auth, vals)
        elif auth.outcome == Outcome.REJECTED and auth.state:
            reasons = "\n".join(auth.reasons) or _("The SRI gave no reason.")
            self._l10n_ec_sri_write({
                **vals,
                "l10n_ec_sri_state": "not_authorized",
                "l10n_ec_sri_next_try": False,
                "l10n_ec_sri_last_error": _(
                    "The SRI did NOT AUTHORIZE the document:\n%s\n\nThe SRI registered its access key: "
                    "cancel this document and issue a new one with the next number.", reasons),
            })
            self._l10n_ec_sri_note(_("SRI: document NOT AUTHORIZED: %s", reasons))
        else:
            reasons = auth.reasons or ([_("The SRI is still processing the document (%s).",
                                          auth.state or _("no answer yet"))])
            self._l10n_ec_sri_set_retry("\n".join(reasons), vals)

    def _l10n_ec_sri_set_retry(self, reason, vals=None):
        self.ensure_one()
        attempts = self.l10n_ec_sri_attempts + 1
        delay = min(timedelta(minutes=2 ** min(attempts, 16)), MAX_BACKOFF)
        next_try = fields.Datetime.now() + delay
        self._l10n_ec_sri_write({
            **(vals or {}),
            "l10n_ec_sri_state": "retry",
            "l10n_ec_sri_attempts": attempts,
            "l10n_ec_sri_next_try": next_try,
            "l10n_ec_sri_last_error": _("Attempt %(attempt)s did not finish; next try at %(date)s UTC.\n%(reason)s",
                                        attempt=attempts, date=next_try, reason=reason or ""),
        })

    # ------------------------------------------------------------------
    # Authorized
    # ------------------------------------------------------------------
    def _l10n_ec_sri_on_authorized(self, auth, vals=None):
        """Authorization recorded with the authorized XML, in one write. The RIDE and the mail come
        after, for all the documents authorized together (``_l10n_ec_sri_after_authorization``)."""
        self.ensure_one()
        key = self.l10n_ec_sri_access_key
        number = auth.number or key
        xml = self.env["ir.attachment"].sudo().create({
            "name": f"{key}.xml",
            "res_model": "account.move",
            "res_id": self.id,
            "raw": auth.to_xml(),
            "mimetype": "application/xml",
            "description": _("Electronic document authorized by the SRI"),
        })
        self._l10n_ec_sri_write({
            **(vals or {}),
            "l10n_ec_sri_state": "authorized",
            "l10n_ec_sri_authorization_number": number,
            "l10n_ec_sri_authorization_date": _naive_utc(auth.date) or fields.Datetime.now(),
            "l10n_ec_sri_environment_name": auth.environment or False,
            "l10n_ec_sri_next_try": False,
            "l10n_ec_sri_attempts": 0,
            "l10n_ec_sri_sent": True,
            "l10n_ec_sri_last_error": False,
            "l10n_ec_sri_authorized_xml_id": xml.id,
        })
        body = _("SRI: document authorized, authorization number %s.", number)
        if auth.number and auth.number != key:
            body = Markup("%s<br/>%s") % (body, _(
                "SRI: the authorization number %(number)s differs from the access key %(key)s.",
                number=auth.number, key=key))
        self._l10n_ec_sri_note(body)

    @api.model
    def _l10n_ec_sri_after_authorization(self, moves, company_ids=None, retry_missing=False, commit=False):
        """RIDE and mail of authorized ``moves``, in chunks of ``RIDE_CHUNK`` (one wkhtmltopdf run
        each), committed per chunk outside tests. Each document is locked first (SKIP LOCKED:
        another worker finishing it is left alone) and must still lack its RIDE. ``retry_missing``:
        also the documents (of ``company_ids``) authorized in the last ``RIDE_RETRY_DAYS`` days whose
        RIDE is missing (rendering failed, or a crash came before it). A failure never undoes an
        authorization: the RIDE is then missing and tried again at the next queue run. The mail is
        sent once per document, with the RIDE when it could be rendered. ``commit``: commit after
        each chunk (queue runs outside tests)."""
        ids = list(moves.ids)
        if retry_missing:
            self.env.flush_all()
            query = """
                SELECT id FROM account_move
                 WHERE l10n_ec_sri_state = 'authorized' AND l10n_ec_sri_ride_id IS NULL
                   AND l10n_ec_sri_authorization_date >= %(since)s AND id NOT IN %(ids)s
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
        fresh = set(moves.ids)
        for start in range(0, len(ids), RIDE_CHUNK):
            chunk = ids[start:start + RIDE_CHUNK]
            self.env.flush_all()
            self.env.cr.execute("""
                SELECT id FROM account_move
                 WHERE id IN %s AND l10n_ec_sri_state = 'authorized' AND l10n_ec_sri_ride_id IS NULL
                   FOR UPDATE SKIP LOCKED
            """, [tuple(chunk)])
            locked = {row[0] for row in self.env.cr.fetchall()}
            todo = self.browse([move_id for move_id in chunk if move_id in locked])
            if not todo:
                continue
            todo.invalidate_recordset(["l10n_ec_sri_ride_id", "l10n_ec_sri_state"])
            failures = todo._l10n_ec_sri_attach_rides()
            for move in todo:
                if move.id in failures and move.id in fresh:
                    move._l10n_ec_sri_note(_("SRI: the RIDE could not be generated: %s", failures[move.id]))
            todo._l10n_ec_sri_mail_authorized(only_unsent=not fresh.issuperset(todo.ids))
            if commit:
                self.env.cr.commit()

    def _l10n_ec_sri_render_rides(self):
        """RIDE PDFs of these moves: ({move id: PDF bytes}, {move id: error text}, {move id: attachment
        of the report saved by a print}). Chunks of
        ``RIDE_CHUNK`` documents share one wkhtmltopdf run on one HTML document, the PDF being split
        per document on their access keys (see ``ir.actions.report``); a document the split cannot
        isolate, or a chunk that fails, is rendered alone. Never raises."""
        report = self.env.ref("l10n_ec_sri.action_report_ride")
        context = {"force_report_rendering": True, "webp_as_jpg": True}
        if not self._l10n_ec_sri_commit_allowed():
            # tests: wkhtmltopdf would fetch the report assets from the test HTTP server, which waits on
            # the test transaction (deadlock when the RIDE is rendered inside a request).
            context["l10n_ec_sri_report_url"] = "http://127.0.0.1:9"
        Report = self.env["ir.actions.report"].with_context(**context)
        pdfs, failures = {}, {}
        saved = {}  # move id: the attachment Odoo saved when the authorized RIDE was printed

        def render(ids):
            with self.env.cr.savepoint():
                streams = Report._render_qweb_pdf_prepare_streams(report, {}, res_ids=ids)
            for move_id in ids:
                stream_data = streams.get(move_id) or {}
                if stream_data.get("stream") is not None:
                    pdfs[move_id] = stream_data["stream"].getvalue()
                if stream_data.get("attachment"):
                    saved[move_id] = stream_data["attachment"]

        for start in range(0, len(self), RIDE_CHUNK):
            chunk = self.ids[start:start + RIDE_CHUNK]
            alone = chunk if len(chunk) > 1 else []
            if alone and _RIDE_BATCH_BROKEN:
                chunk_ids = []
            else:
                chunk_ids = chunk
            try:
                if chunk_ids:
                    render(chunk_ids)
            except Exception as exc:  # noqa: BLE001 - each document alone below
                if len(chunk) == 1:
                    _logger.exception("SRI: RIDE of account.move %s could not be rendered", chunk[0])
                    failures[chunk[0]] = str(exc.args[0] if exc.args else exc)
                elif not any(move_id in pdfs for move_id in chunk):
                    # nothing came out of a run of several documents: this wkhtmltopdf cannot do it
                    _logger.warning("SRI: wkhtmltopdf could not print %s RIDEs in one run (%s): they are "
                                    "printed one by one from now on", len(chunk), exc)
                    _RIDE_BATCH_BROKEN.append(True)
                else:
                    _logger.exception("SRI: RIDEs of %s documents could not be rendered together", len(chunk))
            for move_id in alone:
                if move_id in pdfs:
                    continue
                try:
                    render([move_id])
                except Exception as exc:  # noqa: BLE001 - the caller records it
                    _logger.exception("SRI: RIDE of account.move %s could not be rendered", move_id)
                    failures[move_id] = str(exc.args[0] if exc.args else exc)
            for move_id in chunk:
                if move_id not in pdfs and move_id not in failures:
                    failures[move_id] = _("The PDF could not be generated.")
        return pdfs, failures, saved

    def _l10n_ec_sri_attach_rides(self):
        """Render the RIDEs of these moves (batched) and attach each one (``l10n_ec_sri_ride_id``,
        replacing a previous one). Returns {move id: error text} of those that failed."""
        if not self:
            return {}
        pdfs, failures, saved = self._l10n_ec_sri_render_rides()
        done = self.filtered(lambda m: m.id in pdfs)
        Attachment = self.env["ir.attachment"].sudo()
        # the attachment a print saved (same name) becomes the RIDE instead of a second copy
        reuse = {move_id: attachment.sudo() for move_id, attachment in saved.items()
                 if move_id in pdfs and attachment != self.browse(move_id).l10n_ec_sri_ride_id}
        (done.l10n_ec_sri_ride_id.sudo() - Attachment.union(*reuse.values())).unlink()
        new = done.filtered(lambda m: m.id not in reuse)
        attachments = Attachment.create([{
            "name": move._l10n_ec_sri_ride_filename(),
            "res_model": "account.move",
            "res_id": move.id,
            "raw": pdfs[move.id],
            "mimetype": "application/pdf",
        } for move in new])
        created = dict(zip(new.ids, attachments))
        for move in done:
            attachment = reuse.get(move.id) or created[move.id]
            if move.id in reuse:
                attachment.write({"raw": pdfs[move.id], "mimetype": "application/pdf"})
            move._l10n_ec_sri_write({"l10n_ec_sri_ride_id": attachment.id})
        return failures

    def _l10n_ec_sri_attach_ride(self):
        """RIDE of one or a few moves, attached; raises UserError when one could not be rendered."""
        failures = self._l10n_ec_sri_attach_rides()
        if failures:
            raise UserError("\n".join(failures.values()))

    def _l10n_ec_sri_mail_authorized(self, only_unsent=False):
        """Mail each authorized move of a company that mails them (one savepoint per mail: a failure
        is noted in the chatter, never undoes anything). ``only_unsent``: skip the moves whose
        authorized XML was already mailed."""
        moves = self.filtered(lambda m: m.l10n_ec_sri_state == "authorized" and m.company_id.l10n_ec_sri_send_mail)
        if moves and only_unsent:
            self.env.flush_all()
            self.env.cr.execute("""
                SELECT DISTINCT m.res_id FROM mail_message m
                  JOIN message_attachment_rel r ON r.message_id = m.id
                 WHERE m.model = 'account.move' AND m.res_id IN %s AND r.attachment_id IN %s
            """, [tuple(moves.ids), tuple(moves.l10n_ec_sri_authorized_xml_id.ids) or (0,)])
            mailed = {row[0] for row in self.env.cr.fetchall()}
            moves = moves.filtered(lambda m: m.id not in mailed)
        for move in moves:
            try:
                with self.env.cr.savepoint():
                    move.with_company(move.company_id)._l10n_ec_sri_send_mail()
            except Exception as exc:  # noqa: BLE001
                _logger.exception("SRI: mail of %s could not be sent", move.display_name)
                move._l10n_ec_sri_note(_("SRI: the authorized document could not be mailed: %s", exc))

    def _l10n_ec_sri_document_title(self):
        self.ensure_one()
        return DOCUMENT_TITLES.get(self._l10n_ec_sri_document_type(), "COMPROBANTE")

    def _l10n_ec_sri_ride_filename(self):
        self.ensure_one()
        title = self._l10n_ec_sri_document_title().title().replace(" ", "_")
        return f"{title}_{self.l10n_latam_document_number or self.name}.pdf"

    def _l10n_ec_sri_send_mail(self):
        template = self.env.ref("l10n_ec_sri.mail_template_sri_authorized", raise_if_not_found=False)
        partner = self.partner_id
        if not template or not (partner.email or "").strip():
            return False
        attachments = self.l10n_ec_sri_authorized_xml_id | self.l10n_ec_sri_ride_id
        # no_new_invoice: the attached XML is ours, not a vendor bill for account to import.
        return self.with_context(lang=partner.lang, no_new_invoice=True).message_post_with_source(
            template,
            subtype_xmlid="mail.mt_comment",
            message_type="comment",
            attachment_ids=attachments.ids,
            partner_ids=partner.ids,
        )

    # ------------------------------------------------------------------
    # RIDE helpers (called from QWeb)
    # ------------------------------------------------------------------
    def _l10n_ec_sri_ride_values(self):
        """Everything the RIDE prints that is not a plain field (called from QWeb)."""
        self.ensure_one()
        ride = _sri()[3]
        from .sri_adapter import VAT_CODES

        key = self.l10n_ec_sri_access_key or ""
        company = self.company_id
        values = {
            "title": self._l10n_ec_sri_document_title(),
            "number": self.l10n_latam_document_number or self.name,
            "barcode": False,
            "qr": False,
            "amount_words": "",
            "environment": "PRODUCCIÓN" if company.l10n_ec_sri_environment == "2" else "PRUEBAS",
            "emission": "NORMAL",
            "authorization_date": "",
            "rimpe": company._l10n_ec_sri_rimpe_legend() if hasattr(company, "_l10n_ec_sri_rimpe_legend") else "",
            "buyer": self._l10n_ec_sri_buyer(),
            "origin": self._l10n_ec_sri_origin() if self._l10n_ec_sri_document_type() != "factura" else False,
            "additional_info": self._l10n_ec_sri_additional_info(),
        }
        if len(key) == 49 and key.isdigit():
            values["barcode"] = ride.data_uri(ride.barcode_png(key))
            values["qr"] = ride.data_uri(ride.qr_png(key))
        try:
            values["amount_words"] = ride.amount_in_words(round(self.amount_total, 2))
        except Exception:  # noqa: BLE001 - a wording problem never blocks the RIDE
            values["amount_words"] = ""
        if self.l10n_ec_sri_authorization_date:
            local = fields.Datetime.context_timestamp(
                self.with_context(tz="America/Guayaquil"), self.l10n_ec_sri_authorization_date)
            values["authorization_date"] = local.strftime("%d/%m/%Y %H:%M:%S")
        # Subtotals and IVA per rate, as in the XML (IVA of each line rounded to cents).
        labels = {
            "not_charged_vat": "NO OBJETO DE IVA",
            "exempt_vat": "EXENTO DE IVA",
        }
        subtotals, vat = {}, {}
        for line in self._l10n_ec_sri_product_lines():
            for tax in line.tax_ids.flatten_taxes_hierarchy():
                group_type = tax.tax_group_id.l10n_ec_type
                if group_type not in VAT_CODES:
                    continue
                rate = tax.amount
                label = labels.get(group_type) or "%s%%" % (int(rate) if rate == int(rate) else rate)
                subtotals[label] = subtotals.get(label, 0.0) + line.price_subtotal
                if rate:
                    vat[label] = vat.get(label, 0.0) + self.currency_id.round(line.price_subtotal * rate / 100.0)
        for label in ("15%", "5%", "0%", "NO OBJETO DE IVA", "EXENTO DE IVA"):
            subtotals.setdefault(label, 0.0)

        def order(label):
            return (0, -float(label[:-1])) if label.endswith("%") else (1, label)

        values["subtotal_rows"] = [("SUBTOTAL " + label, subtotals[label]) for label in sorted(subtotals, key=order)]
        values["vat_rows"] = [("IVA " + label, vat[label]) for label in sorted(vat, key=order)] or [("IVA 15%", 0.0)]
        lines = [self._l10n_ec_sri_line(line) for line in self._l10n_ec_sri_product_lines()]
        values["lines"] = lines
        values["subtotal"] = float(sum(line["subtotal"] for line in lines))
        values["discount"] = float(sum(line["discount"] for line in lines))
        values["payment"] = self.l10n_ec_sri_payment_id or False
        return values
