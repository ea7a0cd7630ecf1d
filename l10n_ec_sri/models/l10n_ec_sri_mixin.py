# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``l10n_ec_sri.mixin``: what a source model inherits to issue SRI electronic documents through the
engine (``l10n_ec_sri.document``).

A source implements a few hooks:

- ``_l10n_ec_sri_kind()``: the kind (``sri.kinds`` type: factura, nota_credito, ...) or False when
  the record is not an SRI document;
- ``_l10n_ec_sri_document_data(access_key=None)``: the core's document dict (``sri.documents.from_dict``);
- ``_l10n_ec_sri_check_source()``: translated problems the user must fix before issuing;
- ``_l10n_ec_sri_number_parts()``: (establecimiento, punto de emisión, secuencial);
- ``_l10n_ec_sri_emission_date()``, ``_l10n_ec_sri_label()``, ``_l10n_ec_sri_mail_partner()`` (and ``_l10n_ec_sri_mail_partners()``);
- ``_l10n_ec_sri_can_process()``: whether the queue may send it now (e.g. the move is posted);
- ``_l10n_ec_sri_ride_report()``: the xmlid of its RIDE report; ``_l10n_ec_sri_mail_template()``;
- ``_l10n_ec_sri_on_authorized(document)`` and ``_l10n_ec_sri_on_annulled(document)``.

The mixin gives it the SRI fields (state and key stored, for lists, filters and grouping; the rest
read from the document), the issuing step (checks, access key, XML, schema, signature, queue), the
RIDE rendering in batches and the mail, and refuses any write of the SRI fields from outside the flow.
"""
import logging
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.l10n_ec_sri.sri import access_key as sri_access_key
from odoo.addons.l10n_ec_sri.sri import documents as sri_documents
from odoo.addons.l10n_ec_sri.sri import errors as sri_errors
from odoo.addons.l10n_ec_sri.sri import kinds as sri_kinds
from odoo.addons.l10n_ec_sri.sri import ride
from odoo.addons.l10n_ec_sri.sri import schemas as sri_schemas
from odoo.addons.l10n_ec_sri.sri import signing as sri_signing
from odoo.addons.l10n_ec_sri.sri.constants import ECUADOR_TZ_NAME

from . import l10n_ec_sri_document as document_mod
from .l10n_ec_sri_document import RIDE_CHUNK, flow_env, is_flow
from .sri_adapter import _text

_logger = logging.getLogger(__name__)

#: The mixin's fields, written by the flow only.
SRI_FIELDS = frozenset({
    "l10n_ec_sri_document_id", "l10n_ec_sri_state", "l10n_ec_sri_access_key", "l10n_ec_sri_next_try",
    "l10n_ec_sri_attempts", "l10n_ec_sri_sent", "l10n_ec_sri_authorization_number",
    "l10n_ec_sri_authorization_date", "l10n_ec_sri_environment_name", "l10n_ec_sri_xml_id",
    "l10n_ec_sri_authorized_xml_id", "l10n_ec_sri_ride_id", "l10n_ec_sri_last_error",
    "l10n_ec_sri_annul_reason", "l10n_ec_sri_exchange_ids", "l10n_ec_sri_mailed", "l10n_ec_sri_mail_state",
    "l10n_ec_sri_mail_error",
})


class L10nEcSriMixin(models.AbstractModel):
    _name = "l10n_ec_sri.mixin"
    _description = "Source of SRI electronic documents"

    l10n_ec_sri_document_id = fields.Many2one("l10n_ec_sri.document", string="Comprobante electrónico",
                                              copy=False, readonly=True, index="btree_not_null")
    l10n_ec_sri_state = fields.Selection(string="Estado SRI", related="l10n_ec_sri_document_id.state",
                                         store=True, index=True, readonly=True)
    l10n_ec_sri_access_key = fields.Char(string="Clave de acceso", related="l10n_ec_sri_document_id.access_key",
                                         store=True, index="btree_not_null", readonly=True)
    l10n_ec_sri_next_try = fields.Datetime(related="l10n_ec_sri_document_id.next_try")
    l10n_ec_sri_attempts = fields.Integer(related="l10n_ec_sri_document_id.attempts")
    l10n_ec_sri_sent = fields.Boolean(related="l10n_ec_sri_document_id.sent")
    l10n_ec_sri_authorization_number = fields.Char(related="l10n_ec_sri_document_id.authorization_number")
    l10n_ec_sri_authorization_date = fields.Datetime(related="l10n_ec_sri_document_id.authorization_date")
    l10n_ec_sri_environment_name = fields.Char(related="l10n_ec_sri_document_id.environment_name")
    l10n_ec_sri_xml_id = fields.Many2one(related="l10n_ec_sri_document_id.xml_id")
    l10n_ec_sri_authorized_xml_id = fields.Many2one(related="l10n_ec_sri_document_id.authorized_xml_id")
    l10n_ec_sri_ride_id = fields.Many2one(related="l10n_ec_sri_document_id.ride_id")
    l10n_ec_sri_last_error = fields.Text(related="l10n_ec_sri_document_id.last_error")
    l10n_ec_sri_annul_reason = fields.Text(related="l10n_ec_sri_document_id.annul_reason")
    l10n_ec_sri_mailed = fields.Boolean(related="l10n_ec_sri_document_id.mailed")
    l10n_ec_sri_mail_state = fields.Selection(related="l10n_ec_sri_document_id.mail_state")
    l10n_ec_sri_mail_error = fields.Text(related="l10n_ec_sri_document_id.mail_error")
    l10n_ec_sri_exchange_ids = fields.One2many(related="l10n_ec_sri_document_id.exchange_ids")
    l10n_ec_sri_exchange_count = fields.Integer(related="l10n_ec_sri_document_id.exchange_count")

    # ------------------------------------------------------------------
    # Integrity
    # ------------------------------------------------------------------
    @api.model
    def _l10n_ec_sri_refuse_fields(self, names):
        raise UserError(_(
            "The SRI data of an electronic document (%(fields)s) is written by the SRI flow only: nobody, "
            "administrators included, can change it. To change a document that the SRI returned, reset it "
            "to draft, fix it and post it again.",
            fields=", ".join(sorted(self._fields[name].string for name in names if name in self._fields))))

    @api.model_create_multi
    def create(self, vals_list):
        if not is_flow(self.env):
            forbidden = {name for vals in vals_list for name in vals if name in SRI_FIELDS}
            if forbidden:
                self._l10n_ec_sri_refuse_fields(forbidden)
        return super().create(vals_list)

    def write(self, vals):
        if not is_flow(self.env):
            forbidden = SRI_FIELDS.intersection(vals)
            if forbidden:
                self._l10n_ec_sri_refuse_fields(forbidden)
        return super().write(vals)

    def unlink(self):
        documents = self.sudo().l10n_ec_sri_document_id
        if any(doc._may_be_at_sri() for doc in documents):
            raise UserError(_("A document that the SRI has or may have cannot be deleted."))
        res = super().unlink()
        # documents that never reached the SRI go with their source; those with an exchange log stay
        flow_env(documents.filtered(lambda d: not d.exchange_ids)).unlink()
        return res

    # ------------------------------------------------------------------
    # Hooks (a source overrides them)
    # ------------------------------------------------------------------
    def _l10n_ec_sri_kind(self):
        return False

    def _l10n_ec_sri_document_data(self, access_key=None):
        raise NotImplementedError

    def _l10n_ec_sri_check_source(self):
        return []

    def _l10n_ec_sri_number_parts(self):
        raise NotImplementedError

    def _l10n_ec_sri_emission_date(self):
        return sri_documents.today_ecuador()  # the SRI's today, whatever the user's time zone

    def _l10n_ec_sri_label(self):
        self.ensure_one()
        return self.display_name

    def _l10n_ec_sri_mail_partner(self):
        return self.env["res.partner"]

    def _l10n_ec_sri_mail_partners(self):
        """Who gets the authorized document by mail (those with an e-mail address): the receiver."""
        return self._l10n_ec_sri_mail_partner()

    def _l10n_ec_sri_can_process(self):
        return True

    def _l10n_ec_sri_ride_report(self):
        return False

    def _l10n_ec_sri_mail_template(self):
        return False

    def _l10n_ec_sri_on_authorized(self, document):
        return None

    def _l10n_ec_sri_on_annulled(self, document):
        return None

    def _l10n_ec_sri_document_name(self):
        return "-".join(self._l10n_ec_sri_number_parts())

    def _l10n_ec_sri_establishment_partner(self):
        """The address of the establecimiento that issues the record (dirEstablecimiento); the company's
        when empty."""
        return self.env["res.partner"]

    def _l10n_ec_sri_write_context(self):
        """Context of the flow's own write on the source (linking its document)."""
        return {}

    # ------------------------------------------------------------------
    # What every kind shares: the issuer, the RIDE's header, the state at the SRI
    # ------------------------------------------------------------------
    @staticmethod
    def _l10n_ec_sri_partner_address(partner):
        parts = [partner.street, partner.street2, partner.city, partner.state_id.name]
        return _text(" ".join(p for p in parts if p)) or False

    def _l10n_ec_sri_issuer(self):
        """The core's issuer dict (infoTributaria and the establishment's address) of the record's company."""
        company = self.company_id
        establishment = self._l10n_ec_sri_establishment_partner()
        main_address = self._l10n_ec_sri_partner_address(company.partner_id)
        return {
            "ruc": company.vat or "",
            "legal_name": _text(company.partner_id.name or company.name),
            "trade_name": _text(company.name) if company.name != company.partner_id.name else None,
            "main_address": main_address or "",
            "establishment_address": (
                self._l10n_ec_sri_partner_address(establishment) if establishment else main_address
            ) or None,
            "special_taxpayer": company.l10n_ec_sri_special_taxpayer or None,
            "accounting_required": bool(company.l10n_ec_sri_accounting_required),
            "withholding_agent": company.l10n_ec_sri_withholding_agent or None,
            "rimpe": company.l10n_ec_sri_rimpe not in (False, "none"),
        }

    def _l10n_ec_sri_pending_at_sri(self):
        """True when the SRI has, or may have, this document (and it is not final yet)."""
        self.ensure_one()
        state = self.l10n_ec_sri_state
        return state in ("received", "authorized") or (state in ("to_send", "retry") and self.l10n_ec_sri_sent)

    def _l10n_ec_sri_ride_header_values(self):
        """What the RIDE's issuer and document boxes print (``report_ride_header``), for every kind."""
        self.ensure_one()
        key = self.l10n_ec_sri_access_key or ""
        company = self.company_id
        issuer = self._l10n_ec_sri_issuer()
        values = {
            "title": self._l10n_ec_sri_document_title(),
            "number": self._l10n_ec_sri_document_name(),
            "main_address": issuer["main_address"],
            "branch_address": issuer["establishment_address"] or "",
            "barcode": False,
            "qr": False,
            "environment": "PRODUCCIÓN" if company.l10n_ec_sri_environment == "2" else "PRUEBAS",
            "emission": "NORMAL",
            "authorization_date": "",
            "rimpe": company._l10n_ec_sri_rimpe_legend(),
        }
        if len(key) == 49 and key.isdigit():
            values["barcode"] = ride.data_uri(ride.barcode_png(key))
            values["qr"] = ride.data_uri(ride.qr_png(key))
        if self.l10n_ec_sri_authorization_date:
            local = fields.Datetime.context_timestamp(
                self.with_context(tz=ECUADOR_TZ_NAME), self.l10n_ec_sri_authorization_date)
            values["authorization_date"] = local.strftime("%d/%m/%Y %H:%M:%S")
        return values

    # ------------------------------------------------------------------
    # Issuing
    # ------------------------------------------------------------------
    def _l10n_ec_sri_kind_info(self):
        kind = self._l10n_ec_sri_kind()
        return sri_kinds.KINDS[kind] if kind else None

    def _l10n_ec_sri_document_title(self):
        self.ensure_one()
        kind = self._l10n_ec_sri_kind_info()
        return kind.title if kind else "COMPROBANTE"

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
        """Core document of the record (from ``data`` when given), checked. Raises the core's
        SriValidationError."""
        if data is None:
            data = self._l10n_ec_sri_document_data(access_key=access_key)
        doc = sri_documents.from_dict(dict(data))
        doc.FINAL_CONSUMER_LIMIT = self._l10n_ec_sri_core_final_consumer_limit()
        doc.check()
        return doc

    def _l10n_ec_sri_core_final_consumer_limit(self):
        # No limit from the core: the company's limit is checked (translated) by the source.
        return Decimal("999999999999.99")

    def _l10n_ec_sri_check_before_issue(self, prebuilt=None):
        """Collect every problem of every record into one translated UserError. ``prebuilt``: a dict
        filled with the document data of each record that passed (reused by ``_l10n_ec_sri_issue``)."""
        problems = []
        company_problems = {}
        for record in self:
            lines = list(record._l10n_ec_sri_check_source())
            company = record.company_id
            if company not in company_problems:
                company_problems[company] = record._l10n_ec_sri_certificate_problem(company)
            if company_problems[company]:
                lines.append(company_problems[company])
            if not lines:
                try:
                    data = record._l10n_ec_sri_document_data(access_key=record._l10n_ec_sri_reusable_key())
                    record._l10n_ec_sri_build_document(data=data)
                    if prebuilt is not None:
                        prebuilt[record.id] = data
                except sri_errors.SriValidationError as exc:
                    lines.extend(record._l10n_ec_sri_error_text(error) for error in exc.errors)
            if lines:
                problems.append((record._l10n_ec_sri_label(), lines))
        if problems:
            raise UserError(self._l10n_ec_sri_format_problems(problems))

    def _l10n_ec_sri_error_text(self, error):
        """A core ``FieldError`` in the words of the form: its path (``buyer.identification``,
        ``lines[0].unit_price``) becomes the name of the field as the user sees it."""
        if not error.path:
            return error.message
        return f"{self._l10n_ec_sri_field_label(error.path)}: {error.message}"

    def _l10n_ec_sri_field_labels(self):
        """{core path piece: the form's name of it} (a source adds its own)."""
        return {
            "issuer": _("Company"), "buyer": _("Customer"), "lines": _("Line"), "payments": _("Payment"),
            "additional_info": _("Additional information"), "taxes": _("Tax"), "reasons": _("Reason"),
            "ruc": _("RUC"), "legal_name": _("Name"), "trade_name": _("Trade name"),
            "main_address": _("Address"), "establishment_address": _("Establishment address"),
            "special_taxpayer": _("Contribuyente especial resolution"),
            "withholding_agent": _("Agente de retención resolution"),
            "id_type": _("Identification type"), "identification": _("Identification number"),
            "name": _("Name"), "address": _("Address"), "email": _("Email"),
            "description": _("Description"), "main_code": _("Internal Reference of the product"),
            "aux_code": _("Barcode of the product"), "unit": _("Unit of Measure"), "quantity": _("Quantity"),
            "unit_price": _("Unit Price"), "discount": _("Discount"), "subtotal": _("Subtotal"),
            "rate": _("Rate"), "base": _("Base"), "code": _("Code"), "rate_code": _("Rate code"),
            "method": _("Payment method"), "total": _("Total"), "term": _("Payment term"),
            "value": _("Value"), "reason": _("Reason"), "amount": _("Amount"),
            "establishment": _("Establecimiento of the journal"), "emission_point": _("Punto de emisión of the journal"),
            "sequential": _("Number"), "emission_date": _("Date"), "access_key": _("Access key"),
            "modified_doc_type": _("Type of the modified document"),
            "modified_doc_number": _("Number of the modified document"),
            "modified_doc_date": _("Date of the modified document"),
            "environment": _("SRI environment of the company"), "version": _("Document version"),
        }

    def _l10n_ec_sri_field_label(self, path):
        labels = self._l10n_ec_sri_field_labels()
        parts = []
        for piece in path.replace("/", ".").split("."):
            name, _sep, index = piece.partition("[")
            label = labels.get(name, name)
            if index.rstrip("]").isdigit():
                position = int(index.rstrip("]"))
                label = self._l10n_ec_sri_item_label(name, position) or f"{label} {position + 1}"
            parts.append(label)
        return " > ".join(parts)

    def _l10n_ec_sri_item_label(self, collection, index):
        """How the form names item ``index`` of ``collection`` (e.g. the invoice line's product)."""
        return False

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
        kind = self._l10n_ec_sri_kind_info()
        if not key or not kind:
            return None
        try:
            parsed = sri_access_key.parse(key)
        except Exception:  # noqa: BLE001 - a damaged key is simply not reused
            return None
        estab, point, sequential = self._l10n_ec_sri_number_parts()
        same = (
            parsed.emission_date == self._l10n_ec_sri_emission_date()
            and parsed.document_type == kind.code
            and parsed.ruc == (self.company_id.vat or "")
            and parsed.environment == (self.company_id.l10n_ec_sri_environment or "1")
            and parsed.establishment == estab
            and parsed.emission_point == point
            and parsed.sequential == sequential
        )
        return key if same else None

    def _l10n_ec_sri_posted_data(self, data, access_key=None):
        """The document data of the check before issuing, brought up to date with what the issuing
        step set: number, date, access key. Sources may refresh more (a factura its payment term)."""
        self.ensure_one()
        fresh = dict(data)
        estab, point, sequential = self._l10n_ec_sri_number_parts()
        fresh.update({
            "establishment": estab,
            "emission_point": point,
            "sequential": sequential,
            "environment": self.company_id.l10n_ec_sri_environment or "1",
            "emission_date": self._l10n_ec_sri_emission_date(),
        })
        fresh.pop("access_key", None)
        if access_key:
            fresh["access_key"] = access_key
        return fresh

    def _l10n_ec_sri_issue(self, prebuilt=None):
        """Access key (kept when valid) -> XML -> schema -> signature -> attachment -> the engine's
        document, queued. ``prebuilt``: {record id: document data} of the check, reused. Raises one
        UserError listing every problem (the caller's transaction is then rolled back: nothing is
        half-done)."""
        problems = []
        certificates = {}
        prebuilt = prebuilt or {}
        Document = flow_env(self.env["l10n_ec_sri.document"])
        # the records that get their first electronic document (a returned one issued again is not new)
        self.env["l10n_ec_sri.document"]._l10n_ec_sri_reserve(self.filtered(lambda r: not r.sudo().l10n_ec_sri_document_id))
        for record in self:
            document = record.sudo().l10n_ec_sri_document_id
            try:
                if document and document._may_be_at_sri():
                    raise UserError(_("The SRI already registered the access key %s of this document: "
                                      "it cannot be issued again.", document.access_key))
                access_key = record._l10n_ec_sri_reusable_key()
                data = prebuilt.get(record.id)
                doc = record._l10n_ec_sri_build_document(
                    access_key=access_key,
                    data=record._l10n_ec_sri_posted_data(data, access_key) if data is not None else None)
                xml = doc.to_xml()
                sri_schemas.assert_valid(xml)
                company = record.company_id
                if company.id not in certificates:
                    certificates[company.id] = company._l10n_ec_sri_signing_certificate()
                signed = sri_signing.sign(xml, certificates[company.id])
            except sri_errors.SriValidationError as exc:
                problems.append((record._l10n_ec_sri_label(), [record._l10n_ec_sri_error_text(e) for e in exc.errors]))
                continue
            except (sri_errors.SriError, UserError) as exc:
                problems.append((record._l10n_ec_sri_label(), [str(exc.args[0] if exc.args else exc)]))
                continue
            old_xml = document.xml_id
            attachment = flow_env(self.env["ir.attachment"]).create({
                "name": f"{doc.access_key}_firmado.xml",
                "res_model": record._name,
                "res_id": record.id,
                "raw": signed,
                "mimetype": "application/xml",
                "description": _("Signed electronic document sent to the SRI"),
            })
            vals = {
                "name": record._l10n_ec_sri_document_name(),
                "kind": record._l10n_ec_sri_kind(),
                "company_id": record.company_id.id,
                "partner_id": record._l10n_ec_sri_mail_partner().id or False,
                "access_key": doc.access_key,
                "environment": record.company_id.l10n_ec_sri_environment or "1",
                "xml_id": attachment.id,
                "state": "to_send",
                "next_try": fields.Datetime.now(),
                "attempts": 0,
                "sent": False,
                "last_error": False,
            }
            if document:
                flow_env(document).write(vals)
            else:
                document = Document.create({**vals, "res_model": record._name, "res_id": record.id})
                flow_env(record).with_context(**record._l10n_ec_sri_write_context()).write(
                    {"l10n_ec_sri_document_id": document.id})
            if old_xml:
                flow_env(old_xml).unlink()
        if problems:
            raise UserError(self._l10n_ec_sri_format_problems(problems))

    def _l10n_ec_sri_reset(self):
        """The source went back to draft: its document (never registered by the SRI) leaves the queue
        and keeps its access key."""
        documents = self.sudo().l10n_ec_sri_document_id.filtered(lambda d: d.state in ("to_send", "retry", "returned"))
        flow_env(documents).write({"state": False, "next_try": False, "sent": False})

    # ------------------------------------------------------------------
    # Sending now, RIDE and mail
    # ------------------------------------------------------------------
    def action_l10n_ec_sri_send(self):
        """Button "Enviar al SRI": process the selected documents now."""
        documents = self.l10n_ec_sri_document_id.filtered(lambda d: d.state in ("to_send", "retry", "received"))
        if not documents:
            raise UserError(_("None of the selected documents is waiting for the SRI."))
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id FROM l10n_ec_sri_document WHERE id IN %s FOR NO KEY UPDATE SKIP LOCKED", [tuple(documents.ids)]
        )
        locked = {row[0] for row in self.env.cr.fetchall()}
        if len(locked) != len(documents):
            raise UserError(_("The SRI queue is processing some of these documents right now: try again "
                              "in a moment."))
        documents = flow_env(documents)
        documents._process_batch()
        documents._after_authorization(documents.filtered(lambda d: d.state == "authorized"))
        return True

    def action_l10n_ec_sri_annul_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Record SRI annulment"),
            "res_model": "l10n_ec_sri.annul.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_document_ids": self.l10n_ec_sri_document_id.ids},
        }

    def _l10n_ec_sri_ride_filename(self):
        self.ensure_one()
        kind = self._l10n_ec_sri_kind_info()
        prefix = kind.filename_prefix if kind else "Comprobante"
        return f"{prefix}_{self._l10n_ec_sri_document_name()}.pdf"

    def _l10n_ec_sri_render_rides(self):
        """RIDE PDFs of these records: ({id: PDF bytes}, {id: error text}, {id: attachment of the report
        saved by a print}). Chunks of ``RIDE_CHUNK`` records share one wkhtmltopdf run on one HTML
        document, the PDF being split per document on their access keys (see ``ir.actions.report``);
        a document the split cannot isolate, or a chunk that fails, is rendered alone. Never raises."""
        pdfs, failures, saved = {}, {}, {}
        if not self:
            return pdfs, failures, saved
        report = self.env.ref(self[:1]._l10n_ec_sri_ride_report())
        context = {"force_report_rendering": True, "webp_as_jpg": True}
        if not self.env["l10n_ec_sri.document"]._commit_allowed():
            # tests: wkhtmltopdf would fetch the report assets from the test HTTP server, which waits on
            # the test transaction (deadlock when the RIDE is rendered inside a request).
            context["l10n_ec_sri_report_url"] = "http://127.0.0.1:9"
        Report = self.env["ir.actions.report"].with_context(**context)

        def render(ids):
            with self.env.cr.savepoint():
                streams = Report._render_qweb_pdf_prepare_streams(report, {}, res_ids=ids)
            for res_id in ids:
                stream_data = streams.get(res_id) or {}
                if stream_data.get("stream") is not None:
                    pdfs[res_id] = stream_data["stream"].getvalue()
                if stream_data.get("attachment"):
                    saved[res_id] = stream_data["attachment"]

        for start in range(0, len(self), RIDE_CHUNK):
            chunk = self.ids[start:start + RIDE_CHUNK]
            alone = chunk if len(chunk) > 1 else []
            chunk_ids = [] if (alone and document_mod._RIDE_BATCH_BROKEN) else chunk
            try:
                if chunk_ids:
                    render(chunk_ids)
            except Exception as exc:  # noqa: BLE001 - each document alone below
                if len(chunk) == 1:
                    _logger.exception("SRI: RIDE of %s %s could not be rendered", self._name, chunk[0])
                    failures[chunk[0]] = str(exc.args[0] if exc.args else exc)
                elif not any(res_id in pdfs for res_id in chunk):
                    # nothing came out of a run of several documents: this wkhtmltopdf cannot do it
                    _logger.warning("SRI: wkhtmltopdf could not print %s RIDEs in one run (%s): they are "
                                    "printed one by one from now on", len(chunk), exc)
                    document_mod._RIDE_BATCH_BROKEN.append(True)
                else:
                    _logger.exception("SRI: RIDEs of %s documents could not be rendered together", len(chunk))
            for res_id in alone:
                if res_id in pdfs:
                    continue
                try:
                    render([res_id])
                except Exception as exc:  # noqa: BLE001 - the caller records it
                    _logger.exception("SRI: RIDE of %s %s could not be rendered", self._name, res_id)
                    failures[res_id] = str(exc.args[0] if exc.args else exc)
            for res_id in chunk:
                if res_id not in pdfs and res_id not in failures:
                    failures[res_id] = _("The PDF could not be generated.")
        return pdfs, failures, saved

    def _l10n_ec_sri_send_mail(self, document):
        """Mail the authorized XML and the RIDE to the receiver; returns the message or False."""
        self.ensure_one()
        xmlid = self._l10n_ec_sri_mail_template()
        template = self.env.ref(xmlid, raise_if_not_found=False) if xmlid else None
        partners = self._l10n_ec_sri_mail_partners().filtered(lambda p: (p.email or "").strip())
        if not template or not partners:
            return False
        attachments = document.authorized_xml_id | document.ride_id
        # no_new_invoice: the attached XML is ours, not a vendor bill for account to import.
        return self.with_context(lang=partners[0].lang, no_new_invoice=True).message_post_with_source(
            template,
            subtype_xmlid="mail.mt_comment",
            message_type="comment",
            attachment_ids=attachments.ids,
            partner_ids=partners.ids,
        )
