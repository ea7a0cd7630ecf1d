# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Odoo's "Send & Print" (``account.move.send`` and its two wizards) for SRI electronic documents.

For a move issued through the SRI flow (an SRI document of an Ecuadorian company, with its
``l10n_ec_sri.document``) the documents for the customer are the SRI's: the authorized XML and the
RIDE, its printed representation. Send & Print therefore:

- attaches them (``_get_invoice_extra_attachments``) and never renders, links nor mails Odoo's
  invoice PDF, a proforma or another invoice report for them (``_generate_invoice_documents`` hands
  only the other moves to Odoo; the PDF placeholder and the template's invoice reports are dropped);
  a RIDE that could not be rendered yet is rendered when sending;
- refuses a document the SRI has not authorized: a blocking ("danger") alert on both wizards, raised
  as a UserError when sending. Nothing is skipped silently: the user deselects the listed documents
  (batch) or waits for the authorization. A document that stops being authorized between the batch
  wizard and the background send is not sent either (error noted in its chatter, as Odoo does);
- proposes the SRI's mail template (the one the queue mails), marks the document as mailed.

Every other move (other countries, vendor bills, sale journals without SRI documents, moves posted
before the module was installed) goes through Odoo unchanged.
"""
from odoo import _, api, models
from odoo.exceptions import UserError


#: SRI states of a document the SRI may still authorize.
PENDING_STATES = (False, "to_send", "retry", "received")


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    # -------------------------------------------------------------------------
    # HELPERS
    # -------------------------------------------------------------------------

    @api.model
    def _l10n_ec_sri_handles(self, move):
        """True when ``move`` (one record) is an SRI document issued through the SRI flow: its
        documents for the customer are the authorized XML and the RIDE."""
        move = move._origin if move else move
        return bool(move) and move.l10n_ec_sri_is_document and bool(move.sudo().l10n_ec_sri_document_id)

    @api.model
    def _l10n_ec_sri_moves(self, moves):
        return moves.filtered(lambda m: self._l10n_ec_sri_handles(m))

    @api.model
    def _l10n_ec_sri_list(self, moves):
        states = dict(self.env["account.move"]._fields["l10n_ec_sri_state"]._description_selection(self.env))
        return "\n".join(
            f"- {move.display_name} ({states.get(move.l10n_ec_sri_state) or _('not sent')})" for move in moves)

    @api.model
    def _l10n_ec_sri_pending_message(self, moves):
        return _(
            "The SRI has not authorized these electronic documents yet: wait for the SRI's authorization "
            "before sending them (the customer receives the authorized XML and the RIDE, never a plain "
            "invoice PDF).\n%(documents)s", documents=self._l10n_ec_sri_list(moves))

    @api.model
    def _l10n_ec_sri_refused_message(self, moves):
        return _(
            "The SRI returned or did not authorize these electronic documents: they cannot be sent to the "
            "customer. Correct and issue them again (a returned one) or issue a new document.\n%(documents)s",
            documents=self._l10n_ec_sri_list(moves))

    @api.model
    def _l10n_ec_sri_unsendable(self, moves):
        """(pending, refused): the SRI documents among ``moves`` that cannot be sent yet / at all."""
        sri_moves = self._l10n_ec_sri_moves(moves)
        pending = sri_moves.filtered(lambda m: m.l10n_ec_sri_state in PENDING_STATES)
        refused = sri_moves.filtered(lambda m: m.l10n_ec_sri_state not in PENDING_STATES + ("authorized",))
        return pending, refused

    # -------------------------------------------------------------------------
    # DEFAULTS
    # -------------------------------------------------------------------------

    @api.model
    def _get_default_invoice_edi_format(self, move, **kwargs):
        # EXTENDS 'account': the electronic invoice of an SRI document is the SRI's XML
        if self._l10n_ec_sri_handles(move):
            return False
        return super()._get_default_invoice_edi_format(move, **kwargs)

    @api.model
    def _get_default_mail_template_id(self, move):
        # EXTENDS 'account': the SRI's template, the one the queue mails (the user may pick another)
        if self._l10n_ec_sri_handles(move):
            xmlid = move._l10n_ec_sri_mail_template()
            template = self.env.ref(xmlid, raise_if_not_found=False) if xmlid else None
            if template:
                return template
        return super()._get_default_mail_template_id(move)

    # -------------------------------------------------------------------------
    # ALERTS
    # -------------------------------------------------------------------------

    @api.model
    def _get_alerts(self, moves, moves_data):
        # EXTENDS 'account': a document not authorized by the SRI blocks the sending
        alerts = super()._get_alerts(moves, moves_data)
        pending, refused = self._l10n_ec_sri_unsendable(moves)
        for key, unsendable, message in (
            ("l10n_ec_sri_not_authorized_yet", pending, self._l10n_ec_sri_pending_message),
            ("l10n_ec_sri_refused", refused, self._l10n_ec_sri_refused_message),
        ):
            if unsendable:
                alerts[key] = {
                    "level": "danger",
                    "message": message(unsendable),
                    "action_text": _("View the documents"),
                    "action": unsendable._get_records_action(name=_("Electronic documents not authorized")),
                }
        # snailmail (by post) prints Odoo's invoice report, never the RIDE
        by_post = self._l10n_ec_sri_moves(moves).filtered(
            lambda m: "snailmail" in (moves_data.get(m, {}).get("sending_methods") or ()))
        if by_post:
            alerts["l10n_ec_sri_by_post"] = {
                "level": "danger",
                "message": _("Sending by post prints Odoo's invoice, not the RIDE: send these electronic "
                             "documents by email or download them.\n%(documents)s",
                             documents=self._l10n_ec_sri_list(by_post)),
            }
        return alerts

    # -------------------------------------------------------------------------
    # ATTACHMENTS
    # -------------------------------------------------------------------------

    @api.model
    def _get_invoice_extra_attachments(self, move):
        # EXTENDS 'account': the authorized XML and the RIDE instead of Odoo's invoice PDF
        attachments = super()._get_invoice_extra_attachments(move)
        sri_moves = self._l10n_ec_sri_moves(move)
        if sri_moves:
            sri_moves = sri_moves.sudo()
            attachments = (attachments - sri_moves.invoice_pdf_report_id) \
                | sri_moves.l10n_ec_sri_authorized_xml_id | sri_moves.l10n_ec_sri_ride_id
        return attachments

    @api.model
    def _get_placeholder_mail_attachments_data(self, move, invoice_edi_format=None, extra_edis=None):
        # EXTENDS 'account': no placeholder of Odoo's invoice PDF; the RIDE's while it is missing
        results = super()._get_placeholder_mail_attachments_data(
            move, invoice_edi_format=invoice_edi_format, extra_edis=extra_edis)
        if not self._l10n_ec_sri_handles(move):
            return results
        odoo_pdf = f"placeholder_{move._get_invoice_report_filename()}"
        results = [values for values in results if values.get("id") != odoo_pdf]
        if move.l10n_ec_sri_state == "authorized" and not move.sudo().l10n_ec_sri_ride_id:
            filename = move._l10n_ec_sri_ride_filename()
            results.append({
                "id": f"placeholder_{filename}",
                "name": filename,
                "mimetype": "application/pdf",
                "placeholder": True,
            })
        return results

    @api.model
    def _get_placeholder_mail_template_dynamic_attachments_data(self, move, mail_template, pdf_report=None):
        # EXTENDS 'account': the mail template's invoice reports (and the RIDE, attached already) are
        # not rendered for an SRI document
        results = super()._get_placeholder_mail_template_dynamic_attachments_data(
            move, mail_template, pdf_report=pdf_report)
        if not results or not self._l10n_ec_sri_handles(move):
            return results
        reports = mail_template.report_template_ids
        excluded = set(reports.filtered("is_invoice_report").mapped("report_name"))
        ride_xmlid = move._l10n_ec_sri_ride_report()
        ride = self.env.ref(ride_xmlid, raise_if_not_found=False) if ride_xmlid else None
        if ride:
            excluded.add(ride.report_name)
        return [values for values in results if values.get("dynamic_report") not in excluded]

    # -------------------------------------------------------------------------
    # SENDING
    # -------------------------------------------------------------------------

    @api.model
    def _generate_invoice_documents(self, invoices_data, allow_fallback_pdf=False):
        # EXTENDS 'account': the documents of an SRI document come from the SRI flow. Odoo (and the
        # modules hooked on its PDF rendering) only gets the other moves.
        sri_data = {move: data for move, data in invoices_data.items() if self._l10n_ec_sri_handles(move)}
        others = {move: data for move, data in invoices_data.items() if move not in sri_data}
        if others:
            super()._generate_invoice_documents(others, allow_fallback_pdf=allow_fallback_pdf)
        if sri_data:
            self._l10n_ec_sri_prepare_documents(sri_data)

    @api.model
    def _l10n_ec_sri_prepare_documents(self, invoices_data):
        """Check that each SRI document is authorized and has its RIDE (rendered now when missing);
        a problem becomes the move's ``error`` (raised, or noted in the chatter from the cron)."""
        for move, move_data in invoices_data.items():
            pending, refused = self._l10n_ec_sri_unsendable(move)
            if pending or refused:
                move_data["error"] = (self._l10n_ec_sri_pending_message(pending) if pending
                                      else self._l10n_ec_sri_refused_message(refused))
                continue
            document = move.sudo().l10n_ec_sri_document_id
            if not document.ride_id or not document.authorized_xml_id:
                try:
                    if not document.authorized_xml_id:
                        raise UserError(_("The authorized XML is missing."))
                    with self.env.cr.savepoint():
                        document._attach_ride()
                except UserError as exc:
                    move_data["error"] = _(
                        "The RIDE of %(document)s could not be generated, so it cannot be sent yet: %(error)s",
                        document=move.display_name, error=exc.args[0] if exc.args else exc)
                    continue
            move.is_move_sent = True

    @api.model
    def _generate_invoice_fallback_documents(self, invoices_data):
        # EXTENDS 'account': never a proforma for an SRI document in error (it is not sent)
        others = {move: data for move, data in invoices_data.items() if not self._l10n_ec_sri_handles(move)}
        if others:
            super()._generate_invoice_fallback_documents(others)

    @api.model
    def _send_mail(self, move, mail_template, **kwargs):
        # EXTENDS 'account': the receiver got the authorized XML and the RIDE
        res = super()._send_mail(move, mail_template, **kwargs)
        if self._l10n_ec_sri_handles(move):
            document = move.sudo().l10n_ec_sri_document_id
            if document.state == "authorized" and not document.mailed:
                document._mark_mailed()
        return res
