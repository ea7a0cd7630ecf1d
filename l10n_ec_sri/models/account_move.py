# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""account.move as a source of SRI electronic documents (factura, nota de crédito, nota de débito):
the mixin's hooks, the checks and the issuing step at posting, the guards on cancelling and resetting,
the annulment wizard's entry point and the RIDE's values. The queue, the authorization, the RIDE
rendering and the mail are the engine's (``l10n_ec_sri.document``).

Posting never sends inside its transaction: posting only issues (key, XML, signature) and queues;
the cron (or the "Enviar al SRI" button) sends after the posting is committed, so a posting that rolls
back never leaves a key at the SRI.
"""
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.l10n_ec_sri.sri import ride
from odoo.addons.l10n_ec_sri.sri.constants import ECUADOR_TZ_NAME
from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador

from .sri_adapter import VAT_CODES, _short


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "l10n_ec_sri.mixin"]

    l10n_ec_sri_is_document = fields.Boolean(compute="_compute_l10n_ec_sri_is_document")
    l10n_ec_sri_is_liquidation = fields.Boolean(compute="_compute_l10n_ec_sri_is_document")
    l10n_ec_sri_reimbursement_ids = fields.One2many(
        "l10n_ec_sri.reimbursement", "move_id", string="Reimbursed documents", copy=True,
        help="Liquidación de compra: the third parties' documents it reimburses (reembolsos).")

    @api.depends("move_type", "journal_id", "l10n_latam_document_type_id", "company_id")
    def _compute_l10n_ec_sri_is_document(self):
        for move in self:
            move.l10n_ec_sri_is_document = bool(move.journal_id) and move._l10n_ec_sri_is_document()
            move.l10n_ec_sri_is_liquidation = bool(move.journal_id) and move._l10n_ec_sri_is_liquidation()

    @api.depends("needed_terms")
    def _compute_invoice_date_due(self):
        # Without payment terms Odoo dates the due date "today" in the user's time zone (UTC when none): in an
        # Ecuadorian evening that is tomorrow, and the factura would carry a one-day plazo. Ecuador's today.
        ecuador = self.filtered(lambda m: m.country_code == "EC")
        super(AccountMove, self - ecuador)._compute_invoice_date_due()
        super(AccountMove, ecuador.with_context(tz=ECUADOR_TZ_NAME))._compute_invoice_date_due()

    # ------------------------------------------------------------------
    # Liquidación de compra: numbered by its journal, document type 03
    # ------------------------------------------------------------------
    def _is_manual_document_number(self):
        if self.journal_id.l10n_ec_sri_liquidation and self.move_type == "in_invoice":
            return False
        return super()._is_manual_document_number()

    def _get_l10n_latam_documents_domain(self):
        domain = super()._get_l10n_latam_documents_domain()
        if self.country_code == "EC" and self._l10n_ec_sri_is_liquidation():
            # l10n_ec offers vendor bills the "invoice" types; a liquidación journal issues type 03 only
            domain = [leaf for leaf in domain if not (isinstance(leaf, (list, tuple)) and leaf[0] in (
                "internal_type", "id"))]
            domain.append(("code", "=", "03"))
        return domain

    # ------------------------------------------------------------------
    # Source hooks
    # ------------------------------------------------------------------
    def _l10n_ec_sri_kind(self):
        self.ensure_one()
        return self._l10n_ec_sri_document_type()

    def _l10n_ec_sri_check_source(self):
        return self._l10n_ec_sri_check_move()

    def _l10n_ec_sri_emission_date(self):
        return self.invoice_date or super()._l10n_ec_sri_emission_date()

    def _l10n_ec_sri_label(self):
        self.ensure_one()
        if self.name and self.name != "/":
            return self.name
        return _("Draft of %(partner)s for %(amount)s", partner=_short(self.partner_id.display_name or "?", 40),
                 amount=self.currency_id.format(self.amount_total))

    def _l10n_ec_sri_mail_partner(self):
        return self.partner_id

    def _l10n_ec_sri_can_process(self):
        return self.state == "posted"

    def _l10n_ec_sri_ride_report(self):
        return "l10n_ec_sri.action_report_ride"

    def _l10n_ec_sri_mail_template(self):
        return "l10n_ec_sri.mail_template_sri_authorized"

    def _l10n_ec_sri_on_annulled(self, document):
        self.button_cancel()

    def _l10n_ec_sri_document_name(self):
        self.ensure_one()
        return self.l10n_latam_document_number or self.name

    def _l10n_ec_sri_item_label(self, collection, index):
        if collection == "lines":
            lines = self._l10n_ec_sri_product_lines()
            if index < len(lines):
                return _("Line %(number)s (%(text)s)", number=index + 1,
                         text=_short(lines[index].name or lines[index].product_id.display_name or "", 40))
        return False

    def _l10n_ec_sri_write_context(self):
        # account.move.write re-synchronizes the invoice lines and checks the balance on every write:
        # linking the SRI document touches neither, and it is not a manual modification of the move.
        return {"skip_invoice_sync": True, "check_move_validity": False, "skip_is_manually_modified": True}

    def _l10n_ec_sri_posted_data(self, data, access_key=None):
        fresh = super()._l10n_ec_sri_posted_data(data, access_key=access_key)
        if "payments" in fresh:  # the date may have set the payment term
            fresh["payments"] = self._l10n_ec_sri_payments()
        return fresh

    # ------------------------------------------------------------------
    # Posting
    # ------------------------------------------------------------------
    def _post(self, soft=True):
        # A soft posting leaves the moves dated after today to the auto-post cron (account's own rule):
        # they are checked and issued when they are really posted.
        today = fields.Date.context_today(self)
        sri_moves = self.filtered(lambda m: m.state == "draft" and m._l10n_ec_sri_is_document()
                                  and not (soft and m.date and m.date > today))
        prebuilt = {}  # move id: document data of the check, reused after posting
        # Odoo dates an undated invoice "today" in the user's time zone (UTC when none): in an Ecuadorian
        # evening that is tomorrow, a date the SRI refuses. An electronic document is dated in Ecuador.
        for move in sri_moves.filtered(lambda m: not m.invoice_date and m.is_invoice()):
            move.invoice_date = today_ecuador()
        if sri_moves:
            sri_moves._l10n_ec_sri_check_before_issue(prebuilt)
        posted = super()._post(soft=soft)
        to_issue = posted & sri_moves
        if to_issue:
            to_issue._l10n_ec_sri_issue(prebuilt)
            if any(to_issue.company_id.mapped("l10n_ec_sri_auto_send")):
                cron = self.env.ref("l10n_ec_sri.ir_cron_l10n_ec_sri_send", raise_if_not_found=False)
                if cron:
                    cron.sudo()._trigger()
        return posted

    # ------------------------------------------------------------------
    # Cancel / reset guards and annulment
    # ------------------------------------------------------------------
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
        self._l10n_ec_sri_reset()
        return res

    def _get_invoice_legal_documents(self, filetype, allow_fallback=False):
        # the legal documents of an SRI document are the RIDE (its printed form) and the authorized XML,
        # not Odoo's invoice PDF (portal and "Download" included)
        self.ensure_one()
        document = self.sudo().l10n_ec_sri_document_id
        if not document or document.state not in ("authorized", "annulled") or filetype not in ("pdf", "all"):
            return super()._get_invoice_legal_documents(filetype, allow_fallback=allow_fallback)
        files = [attachment for attachment in (document.ride_id, document.authorized_xml_id) if attachment]
        legal = [{"filename": a.name, "filetype": a.mimetype, "content": a.raw} for a in files]
        if filetype == "pdf":
            return legal[0] if document.ride_id else super()._get_invoice_legal_documents(
                filetype, allow_fallback=allow_fallback)
        return legal

    # ------------------------------------------------------------------
    # RIDE helpers (called from QWeb)
    # ------------------------------------------------------------------
    def _l10n_ec_sri_ride_values(self):
        """Everything the RIDE prints that is not a plain field (called from QWeb)."""
        self.ensure_one()
        values = self._l10n_ec_sri_ride_header_values()
        values.update({
            "amount_words": "",
            "buyer": self._l10n_ec_sri_buyer(),
            "origin": self._l10n_ec_sri_origin() if self._l10n_ec_sri_document_type() in (
                "nota_credito", "nota_debito") else False,
            "additional_info": self._l10n_ec_sri_additional_info(),
        })
        try:
            values["amount_words"] = ride.amount_in_words(round(self.amount_total, 2))
        except Exception:  # noqa: BLE001 - a wording problem never blocks the RIDE
            values["amount_words"] = ""
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
