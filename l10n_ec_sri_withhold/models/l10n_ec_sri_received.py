# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Documents other taxpayers issued to the company (facturas, notas de crédito and de débito of suppliers,
retenciones of customers), imported from their authorized XML: a file (the XML the supplier mailed, or the one
the SRI portal gives), or an access key whose XML is fetched from the SRI's authorization service (typed, pasted
or read from the TXT list of received documents the SRI portal exports).

One ``l10n_ec_sri.received`` per access key and company is the legal record of what was received: the
authorized XML (an attachment), who issued it, its number, dates and total, and the move the import made of it
(a draft vendor bill / credit note / debit note, or the posted withholding entry reconciled with our invoices).
It is created by the import only (``FLOW``) and nobody, administrators included, changes or deletes it; the
import may only link it to a new move when the user deleted the one it made.

The entry point is ``_l10n_ec_sri_import(company, datas=..., keys=...)`` (the wizard, the demo data and the
benchmark call it): each document is imported whole or not at all (a savepoint per document), and the documents
refused are returned with the reason, the others are imported.
"""
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from threading import BoundedSemaphore

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import _naive_utc, _sri_single_call, flow_env, is_flow
from odoo.addons.l10n_ec_sri.sri import client as sri_client
from odoo.addons.l10n_ec_sri.sri import kinds as sri_kinds
from odoo.addons.l10n_ec_sri.sri import received as sri_received

_logger = logging.getLogger(__name__)

#: The kinds of documents a company receives (codDoc), titled as the SRI titles them.
RECEIVED_CODES = ("01", "03", "04", "05", "07")
RECEIVED_KINDS = [(code, sri_kinds.BY_CODE[code].title.capitalize()) for code in RECEIVED_CODES]
#: The kinds imported (a liquidación de compra is issued by the buyer: the company issues its own).
IMPORTED_CODES = ("01", "04", "05", "07")
#: Fields the flow may write on an existing record: the link to the move (a new one when the user deleted the
#: draft the import made) and the note about it.
FLOW_WRITABLE = frozenset({"move_id", "note"})
#: A run of 49 digits, whatever separates the keys (spaces, commas, new lines, tabs...).
_DIGITS = re.compile(r"\d+")
ACCESS_KEY_SIZE = 49


#: Imported drafts are created without the chatter's "created" note nor field tracking: the received record
#: (linked on the draft) tells where each comes from; the user's later changes are tracked as usual.
IMPORT_CONTEXT = {"mail_create_nolog": True, "tracking_disable": True}


class L10nEcSriReceived(models.Model):
    _name = "l10n_ec_sri.received"
    _inherit = ["l10n_ec_sri.flow.record"]
    _description = "Received SRI document"
    _order = "emission_date desc, id desc"
    _rec_name = "name"
    _check_company_auto = True

    name = fields.Char(string="Document", readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    access_key = fields.Char(string="Access key", size=49, required=True, readonly=True, index=True)
    code = fields.Selection(RECEIVED_KINDS, string="Document type", required=True, readonly=True, index=True)
    version = fields.Char(readonly=True, help="Version of the SRI schema of the document.")
    partner_id = fields.Many2one("res.partner", string="Issuer", readonly=True, index=True)
    issuer_ruc = fields.Char(string="Issuer's RUC", readonly=True, index=True)
    issuer_name = fields.Char(string="Issuer's name", readonly=True)
    number = fields.Char(readonly=True, index=True, help="Establecimiento-punto de emisión-secuencial.")
    emission_date = fields.Date(readonly=True, index=True)
    authorization_number = fields.Char(readonly=True)
    authorization_date = fields.Datetime(readonly=True)
    environment = fields.Selection([("1", "Pruebas"), ("2", "Producción")], readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    total = fields.Monetary(readonly=True, help="The document's total; for a retención, the total withheld.")
    move_id = fields.Many2one("account.move", string="Accounting document", readonly=True, index="btree_not_null",
                              ondelete="set null",
                              help="The draft vendor bill, credit note or debit note made of the document, or the "
                                   "withholding entry of a retención.")
    state = fields.Selection([("imported", "Imported"), ("cancelled", "Cancelled in Odoo"),
                              ("deleted", "Accounting document deleted")],
                             compute="_compute_state", store=True, index=True)
    xml_id = fields.Many2one("ir.attachment", string="Authorized XML", readonly=True)
    xml_file = fields.Binary(related="xml_id.datas", string="XML file")
    xml_filename = fields.Char(related="xml_id.name", string="XML file name")
    note = fields.Text(readonly=True,
                       help="What the import found worth checking (e.g. totals Odoo rounds differently).")

    _sql_constraints = [
        ("access_key_company_unique", "UNIQUE(company_id, access_key)",
         "A received document is imported once per company."),
    ]

    @api.depends("move_id", "move_id.state")
    def _compute_state(self):
        for record in self:
            if not record.move_id:
                record.state = "deleted"
            elif record.move_id.state == "cancel":
                record.state = "cancelled"
            else:
                record.state = "imported"

    # ------------------------------------------------------------------
    # Integrity: a legal record, made by the import only
    # ------------------------------------------------------------------
    @api.model
    def _l10n_ec_sri_refuse(self):
        raise UserError(_(
            "Received SRI documents are legal records kept as the SRI authorized them: they are created by the "
            "import (Received documents > Import) only, and nobody, administrators included, can change or "
            "delete them."))

    def write(self, vals):
        if not is_flow(self.env) or set(vals) - FLOW_WRITABLE:
            self._l10n_ec_sri_refuse()
        return super().write(vals)

    def unlink(self):
        if not is_flow(self.env):
            self._l10n_ec_sri_refuse()
        return super().unlink()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_open_move(self):
        self.ensure_one()
        if not self.move_id:
            raise UserError(_("The accounting document made of %s was deleted.", self.display_name))
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Import: entry point
    # ------------------------------------------------------------------
    @api.model
    def _l10n_ec_sri_import(self, company, datas=(), keys=()):
        """Import documents issued to ``company``: ``datas``, file contents (bytes, or ``(file name, bytes)``):
        authorized XML, or the TXT list of the SRI portal (its access keys are fetched); ``keys``: access keys
        whose authorized XML is fetched from the company's SRI authorization service.

        Returns ``(records, errors)``: the ``l10n_ec_sri.received`` imported, and ``[(label, reason)]`` for every
        document refused (a file name, an access key or a document number; the reason says what to fix).
        Each document is imported whole or not at all; one refused never stops the others."""
        company.ensure_one()
        self = self.with_company(company)
        items, errors = self._l10n_ec_sri_import_items(datas, keys)
        fetched = self._l10n_ec_sri_fetch(company, [value for kind, _label, value in items if kind == "key"
                                                    and not self._l10n_ec_sri_existing(company, value).move_id])
        try:
            with self.env.cr.savepoint():
                records, refused = self._l10n_ec_sri_import_batch(company, items, fetched, set())
            return records, errors + refused
        except Exception:  # noqa: BLE001 - rolled back whole: each document again, on its own
            _logger.info("SRI: the batch import failed; importing the documents one by one", exc_info=True)
        records, seen = self.browse(), set()
        for item in items:
            try:
                with self.env.cr.savepoint():
                    imported, refused = self._l10n_ec_sri_import_batch(company, [item], fetched, seen)
            except Exception as exc:  # noqa: BLE001 - its savepoint is rolled back; the others go on
                _logger.exception("SRI: importing the received document %s failed", item[1])
                errors.append((item[1], _("Unexpected error while importing the document: %s", exc)))
            else:
                records |= imported
                errors.extend(refused)
        return records, errors

    @api.model
    def _l10n_ec_sri_import_batch(self, company, items, fetched, seen):
        """The fast path of ``_l10n_ec_sri_import``: each document read and checked on its own (a refused one
        leaves nothing), then the vendor documents of every accepted one created by one ``create`` (Odoo creates
        moves much faster together). Raises on anything unexpected: the caller then rolls the whole batch back
        and imports the documents one by one."""
        imported, errors, pending = {}, [], []  # imported: {item index: record}, returned in the items' order
        Move = self.env["account.move"].with_company(company)

        def flush():
            # the records first, so that each move is created linked to its own (no write of the moves after)
            records = [self._l10n_ec_sri_record(company, doc, raw, Move, False, existing,
                                                partner=Move.env["res.partner"].browse(vals["partner_id"]))
                       for _index, doc, raw, existing, vals in pending]
            vals_list = [dict(vals, l10n_ec_sri_received_id=record.id)
                         for (_index, _doc, _raw, _existing, vals), record in zip(pending, records)]
            moves = flow_env(Move).with_context(**IMPORT_CONTEXT).create(vals_list).with_env(Move.env)
            for (index, doc, _raw, _existing, _vals), move, record in zip(pending, moves, records):
                flow_env(record).write({"move_id": move.id, "note": move._l10n_ec_sri_received_check_total(doc)})
                imported[index] = record.with_env(self.env)
            pending.clear()

        for index, (kind, label, value) in enumerate(items):
            try:
                if kind == "key":
                    self._l10n_ec_sri_check_new(company, value, seen)
                doc, raw = self._l10n_ec_sri_load(kind, value, fetched)
                if doc.code == "07":
                    imported[index] = self._l10n_ec_sri_import_withhold(company, doc, raw, seen)
                    continue
                existing = self._l10n_ec_sri_check_new(company, doc.access_key, seen, doc.number)
                self._l10n_ec_sri_check_document(company, doc)
                if doc.code in ("04", "05") and pending:
                    flush()  # the bill it modifies may be one of this batch
                with self.env.cr.savepoint():  # a partner created for a document refused here goes with it
                    partner = self._l10n_ec_sri_partner(company, doc)
                    vals = Move._l10n_ec_sri_received_bill_vals(company, doc, partner)
                seen.add(doc.access_key)
                pending.append((index, doc, raw, existing, vals))
            except sri_received.ReceivedError as exc:
                errors.append((label, exc.message))
            except UserError as exc:
                errors.append((label, exc.args[0]))
        if pending:
            flush()
        return self.browse().union(*(imported[index] for index in sorted(imported))), errors

    @api.model
    def _l10n_ec_sri_import_items(self, datas, keys):
        """([(kind "file" / "key", label, bytes or key)], [(label, reason)]) of what was given; a TXT list (a
        file that is not XML) gives its keys."""
        items, errors = [], []
        for index, item in enumerate(datas or (), 1):
            name, data = item if isinstance(item, (tuple, list)) else (None, item)
            label = name or _("File %s", index)
            if isinstance(data, str):
                data = data.encode()
            if not data or not data.strip():
                errors.append((label, _("The file is empty.")))
                continue
            if not self._l10n_ec_sri_looks_like_xml(data):
                try:
                    items.extend(("key", key, key) for key in sri_received.keys_from_txt(data))
                    continue
                except sri_received.ReceivedError as exc:
                    if (name or "").lower().endswith(".txt"):
                        errors.append((label, exc.message))
                        continue
            items.append(("file", label, data))  # not a TXT list: read() says what it is not
        for key in keys or ():
            key = "".join(str(key).split())
            if len(key) != ACCESS_KEY_SIZE or not key.isdigit():
                errors.append((key, _("%s is not an access key (49 digits).", key)))
                continue
            items.append(("key", key, key))
        return items, errors

    @staticmethod
    def _l10n_ec_sri_looks_like_xml(data):
        return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")

    @api.model
    def _l10n_ec_sri_parse_keys(self, text):
        """(access keys, [(label, reason)]) from a text where the user typed or pasted keys, with any separators.
        A run of digits that is not 49 long is reported (a key cut or mistyped)."""
        keys, errors = [], []
        for digits in _DIGITS.findall(text or ""):
            if len(digits) == ACCESS_KEY_SIZE:
                keys.append(digits)
            elif len(digits) >= 10:
                errors.append((digits, _("%(digits)s is not an access key: it has %(count)s digits instead of 49.",
                                         digits=digits, count=len(digits))))
        return keys, errors

    @api.model
    def _l10n_ec_sri_existing(self, company, key):
        """The record of ``key`` already imported for ``company`` (whatever the user's companies)."""
        return self.sudo().with_context(active_test=False).search(
            [("company_id", "=", company.id), ("access_key", "=", key)], limit=1)

    # ------------------------------------------------------------------
    # Reading the documents
    # ------------------------------------------------------------------
    @api.model
    def _l10n_ec_sri_load(self, kind, value, fetched):
        """(ReceivedDocument, the authorized XML as received) of an item (raises ReceivedError / UserError):
        a file is kept as it came, the SRI's answer as the ``<autorizacion>`` file the portal gives."""
        if kind == "file":
            return sri_received.read(value), value
        auth = fetched[value]
        return sri_received.from_authorization(auth), auth.to_xml()

    @api.model
    def _l10n_ec_sri_fetch(self, company, keys):
        """{key: client.Authorization} of ``keys`` (each asked once), at most the company's pool size in flight;
        every call is logged in the exchanges with the SRI."""
        keys = list(dict.fromkeys(keys))
        if not keys:
            return {}
        try:
            client = company._l10n_ec_sri_client()
        except Exception as exc:  # noqa: BLE001 - a company without a usable endpoint: every key says so
            error = _("the SRI web service of %(company)s cannot be used: %(error)s", company=company.display_name,
                      error=exc)
            return {key: sri_client.Authorization(state="", outcome=sri_client.Outcome.RETRY, access_key=key,
                                                  error=error) for key in keys}
        size = max(company.l10n_ec_sri_pool_size or 1, 1)
        semaphore = BoundedSemaphore(size)
        with ThreadPoolExecutor(max_workers=min(size, len(keys)), thread_name_prefix="sri-received") as pool:
            answers = list(pool.map(lambda key: _sri_single_call(client, semaphore, "authorize", key), keys))
        results = {}
        for key, (auth, error) in zip(keys, answers):
            if auth is None:
                auth = sri_client.Authorization(state="", outcome=sri_client.Outcome.RETRY, access_key=key,
                                                error=str(error))
            self._l10n_ec_sri_log(company, client, key, auth)
            results[key] = auth
        return results

    @api.model
    def _l10n_ec_sri_log(self, company, client, key, auth):
        """Record the authorization query of ``key`` in the exchanges with the SRI (no electronic document of
        ours), committed at once outside tests like the engine's, so that it survives a refused import."""
        Exchange = self.env["l10n_ec_sri.exchange"]
        vals = Exchange._l10n_ec_sri_values(self.env["l10n_ec_sri.document"], "authorize", auth, client.base_url)
        vals.update({"document_id": False, "company_id": company.id, "access_key": key})
        Document = self.env["l10n_ec_sri.document"]
        if Document._commit_allowed():
            with Document._own_transaction() as env:
                env["l10n_ec_sri.exchange"].create(vals)
        else:
            flow_env(Exchange).create(vals)

    # ------------------------------------------------------------------
    # Importing one document
    # ------------------------------------------------------------------
    @api.model
    def _l10n_ec_sri_import_withhold(self, company, doc, raw, seen):
        """The record of a customer's retención ``doc`` (``raw``: its authorized XML) imported for ``company``
        with its posted entry, or a UserError (nothing is left). The vendor documents are created in batches
        by ``_l10n_ec_sri_import_batch``."""
        existing = self._l10n_ec_sri_check_new(company, doc.access_key, seen, doc.number)
        seen.add(doc.access_key)
        self._l10n_ec_sri_check_document(company, doc)
        with self.env.cr.savepoint():
            move = self.env["account.move"]._l10n_ec_sri_received_withhold(company, doc)
            record = self._l10n_ec_sri_record(company, doc, raw, move, False, existing)
            flow_env(move).with_context(**move._l10n_ec_sri_write_context()).write(
                {"l10n_ec_sri_received_id": record.id})
        return record.with_env(self.env)

    @api.model
    def _l10n_ec_sri_check_new(self, company, key, seen, number=None):
        """Refuse ``key`` when it is already in this import (``seen``) or imported for ``company``; returns the
        record of a document imported before whose move the user deleted (it gets the new one), if any."""
        if key in seen:
            raise UserError(_("The document %(number)s (access key %(key)s) is more than once in this import: it "
                              "is imported once.", number=number or key, key=key))
        existing = self._l10n_ec_sri_existing(company, key)
        if existing.move_id:
            raise UserError(self._l10n_ec_sri_duplicate_message(existing))
        return existing

    @api.model
    def _l10n_ec_sri_duplicate_message(self, existing):
        return _("The document %(number)s of %(issuer)s (access key %(key)s) was already imported on %(date)s: "
                 "%(record)s.", number=existing.number, issuer=existing.issuer_name, key=existing.access_key,
                 date=fields.Date.to_string(fields.Datetime.to_datetime(existing.create_date).date()),
                 record=existing.move_id.display_name or existing.display_name)

    @api.model
    def _l10n_ec_sri_check_document(self, company, doc):
        """Refuse what the company does not import: another receiver, a kind it does not receive, a document of
        the SRI's test environment in a company in production."""
        if doc.code not in IMPORTED_CODES:
            if doc.code == "03":
                raise UserError(_(
                    "The document %s is a liquidación de compra: the buyer issues it, so the company records its "
                    "own liquidaciones (Vendors > Bills on a liquidación journal); a supplier's is not imported.",
                    doc.number))
            raise UserError(_("The document %(number)s is a %(kind)s: only facturas, notas de crédito, notas de "
                              "débito and comprobantes de retención are imported.", number=doc.number, kind=doc.type))
        vat = (company.vat or "").strip()
        if not vat:
            raise UserError(_("Set the RUC of %s first: the documents imported are those issued to it.",
                              company.display_name))
        receiver = (doc.receiver_identification or "").strip()
        if receiver != vat:
            raise UserError(_(
                "The document %(number)s of %(issuer)s was issued to %(receiver)s (identification %(receiver_id)s), "
                "not to %(company)s (RUC %(vat)s): only the documents issued to the company are imported.",
                number=doc.number, issuer=doc.issuer_name, receiver=doc.receiver_name or "?",
                receiver_id=receiver or "?", company=company.display_name, vat=vat))
        if doc.environment == "1" and company.l10n_ec_sri_environment == "2":
            raise UserError(_(
                "The document %(number)s of %(issuer)s was authorized in the SRI's test environment (pruebas): it "
                "has no legal value, and the company works in production.", number=doc.number, issuer=doc.issuer_name))

    @api.model
    def _l10n_ec_sri_record(self, company, doc, raw, move, note, existing=None, partner=None):
        """The received record of ``doc`` (created with ``raw``, its authorized XML), linked to ``move`` (or to
        none yet: its issuer is then ``partner``); ``existing``: the record of a document whose move the user
        deleted, linked to the new one."""
        if existing:
            flow_env(existing).write({"move_id": move.id or False, "note": note or False})
            return existing
        issuer = move.commercial_partner_id or move.partner_id or partner
        attachment = flow_env(self.env["ir.attachment"]).create({
            "name": f"{doc.access_key}.xml",
            "res_model": self._name,
            "raw": raw,
            "mimetype": "application/xml",
            "company_id": company.id,
        })
        record = flow_env(self).create({
            "name": "%s %s" % (sri_kinds.BY_CODE[doc.code].title.capitalize(), doc.number),
            "company_id": company.id,
            "access_key": doc.access_key,
            "code": doc.code,
            "version": doc.version,
            "partner_id": issuer.id if issuer else False,
            "issuer_ruc": doc.issuer_ruc,
            "issuer_name": doc.issuer_name,
            "number": doc.number,
            "emission_date": doc.emission_date,
            "authorization_number": doc.authorization_number or doc.access_key,
            "authorization_date": _naive_utc(doc.authorization_date),
            "environment": doc.environment if doc.environment in ("1", "2") else False,
            "total": float(doc.total or 0),
            "move_id": move.id or False,
            "xml_id": attachment.id,
            "note": note or False,
        })
        attachment.write({"res_id": record.id})
        return record

    # ------------------------------------------------------------------
    # The issuer
    # ------------------------------------------------------------------
    @api.model
    def _l10n_ec_sri_find_partner(self, company, vat):
        """The commercial partner whose identification is ``vat`` (active ones first), or an empty recordset."""
        Partner = self.env["res.partner"].with_context(active_test=False)
        partners = Partner.search([("vat", "=", vat), *Partner._check_company_domain(company)],
                                  order="active desc, id")
        return partners.commercial_partner_id[:1]

    @api.model
    def _l10n_ec_sri_partner(self, company, doc):
        """The issuer of ``doc``, found by its RUC, else created (name, RUC, address) once its RUC passes the
        base module's check (the one the partner form shows)."""
        partner = self._l10n_ec_sri_find_partner(company, doc.issuer_ruc)
        if partner:
            return partner
        vals = {
            "name": doc.issuer_name or doc.issuer_trade_name or doc.issuer_ruc,
            "vat": doc.issuer_ruc,
            "is_company": True,
            "country_id": self.env.ref("base.ec").id,
            # the issuer of an SRI document is always identified by its RUC (04)
            "l10n_latam_identification_type_id": self.env.ref("l10n_ec.ec_ruc").id,
            "street": (doc.issuer_address or "")[:250] or False,
        }
        problem = self.env["res.partner"].new(vals)._l10n_ec_sri_identification_problem()
        if problem:
            raise UserError(_(
                "The issuer of the document %(number)s, %(name)s, has a RUC (%(ruc)s) the SRI refuses: %(reason)s. "
                "Nothing was imported.", number=doc.number, name=vals["name"], ruc=doc.issuer_ruc, reason=problem))
        # the contact comes from a document the SRI authorized, its RUC checked: the import creates it even for
        # users without the "Contact Creation" right (SRI editors record their suppliers' documents)
        return self.env["res.partner"].sudo().create(vals).sudo(False)


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def _l10n_ec_sri_check_protected(self):
        """The authorized XML of a received document is kept as the SRI authorized it."""
        super()._l10n_ec_sri_check_protected()
        if not self.ids or is_flow(self.env):
            return
        self.env["l10n_ec_sri.received"].flush_model(["xml_id"])
        self.env.cr.execute("SELECT xml_id FROM l10n_ec_sri_received WHERE xml_id IN %s", [tuple(self.ids)])
        protected = [row[0] for row in self.env.cr.fetchall()]
        if protected:
            names = ", ".join(self.browse(protected).sudo().mapped("name"))
            raise UserError(_("%s is the authorized XML of a received SRI document: it is kept as it is, and "
                              "nobody, administrators included, can change or delete it.", names))
