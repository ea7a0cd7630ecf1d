# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One delivery of a guía de remisión: one ``destinatario`` of the SRI document (its address, motivo de traslado,
destination establishment and the factura it supports), its goods being the delivery's done moves."""
import re

from odoo import _, api, fields, models
from odoo.addons.l10n_ec_sri.models.sri_adapter import MICRO, _dec, _named_pieces, _short, _text

_THREE_DIGITS = re.compile(r"^\d{3}$")


class L10nEcSriDeliveryGuideLine(models.Model):
    _name = "l10n_ec_sri.delivery.guide.line"
    _inherit = ["l10n_ec_sri.move.part"]
    _description = "Delivery of a guía de remisión (destinatario)"
    _order = "guide_id, sequence, id"
    _check_company_auto = True

    guide_id = fields.Many2one("l10n_ec_sri.delivery.guide", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="guide_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    picking_id = fields.Many2one(
        "stock.picking", string="Delivery", required=True, check_company=True, index=True,
        domain="[('state', '=', 'done'), ('picking_type_code', 'in', ('outgoing', 'internal'))]")
    partner_id = fields.Many2one(
        "res.partner", string="Destinatario", compute="_compute_from_picking", store=True, readonly=False,
        help="Who receives the goods: the delivery address of the delivery (its company's identification goes on "
             "the guía).")
    reason = fields.Char(string="Reason for transfer", compute="_compute_from_picking", store=True, readonly=False,
                         help="Motivo de traslado, e.g. Venta, Traslado entre establecimientos, Devolución.")
    destination_establishment = fields.Char(
        string="Destination establishment", size=3,
        help="Código del establecimiento de destino (3 digits) when the destinatario registered one.")
    customs_doc = fields.Char(string="Customs document", help="Documento aduanero único (exports), optional.")
    invoice_id = fields.Many2one(
        "account.move", string="Invoice", compute="_compute_from_picking", store=True, readonly=False,
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
               "('commercial_partner_id', '=', commercial_partner_id)]",
        help="The factura the goods were sold with (documento sustento): its number, authorization and date go on "
             "the guía. Empty for a transfer without sale.")
    invoice_number = fields.Char(related="invoice_id.l10n_latam_document_number", string="Invoice number")
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id")
    address = fields.Char(compute="_compute_address", string="Destination address")

    @api.depends("picking_id")
    def _compute_from_picking(self):
        for line in self:
            picking = line.picking_id
            line.partner_id = picking.partner_id or (picking.location_dest_id.warehouse_id.partner_id
                                                     if picking.picking_type_code == "internal" else False)
            line.reason = picking._l10n_ec_sri_guide_reason() if picking else False
            # the Sales app's invoice, read as superuser: a warehouse user may not read invoices
            line.invoice_id = picking.sudo()._l10n_ec_sri_guide_invoice() if picking else False

    @api.depends("partner_id")
    def _compute_address(self):
        for line in self:
            line.address = self.env["l10n_ec_sri.mixin"]._l10n_ec_sri_partner_address(line.partner_id) or ""

    # ------------------------------------------------------------------
    # Locked with its guía (l10n_ec_sri.move.part)
    # ------------------------------------------------------------------
    def _l10n_ec_sri_part_moves(self):
        return self.guide_id

    def _l10n_ec_sri_part_locked_message(self):
        return _("The deliveries of a posted guía de remisión cannot be changed: reset it to draft first, which the "
                 "SRI allows only before it has the document.")

    # ------------------------------------------------------------------
    # Checks and the destinatario of the core
    # ------------------------------------------------------------------
    def _l10n_ec_sri_moves(self):
        self.ensure_one()
        return self.picking_id.move_ids.filtered(lambda m: m.state == "done" and m.quantity > 0)

    def _l10n_ec_sri_email(self):
        return (self.partner_id.email or self.partner_id.commercial_partner_id.email or "").split(",")[0].strip()

    def _l10n_ec_sri_check_line(self):
        """Translated problems of this delivery (one destinatario)."""
        self.ensure_one()
        errors = []
        picking, guide = self.picking_id, self.guide_id
        name = picking.name
        if picking.state != "done":
            errors.append(_("The delivery %s is not validated: only validated deliveries travel with a guía.", name))
        if picking.picking_type_code not in ("outgoing", "internal"):
            errors.append(_("%s is a receipt: a guía carries deliveries and internal transfers.", name))
        if picking.company_id != guide.company_id:
            errors.append(_("The delivery %(picking)s belongs to %(company)s.", picking=name,
                            company=picking.company_id.name))
        other = picking.l10n_ec_sri_guide_id
        if other and other != guide and other.state == "posted":
            if other.l10n_ec_sri_state == "authorized":
                errors.append(_("The delivery %(picking)s is already on the authorized guía %(guide)s.",
                                picking=name, guide=other.name))
            else:
                errors.append(_("The delivery %(picking)s is already on the guía %(guide)s: cancel that one first.",
                                picking=name, guide=other.name))
        if picking.state == "done" and not self._l10n_ec_sri_moves():
            errors.append(_("The delivery %s moved no goods.", name))
        partner = self.partner_id
        commercial = partner.commercial_partner_id
        if not partner:
            errors.append(_("The delivery %s has no destinatario.", name))
        else:
            if not (commercial.vat or "").strip():
                errors.append(_("The destinatario %s has no identification number.", commercial.display_name))
            if not self.address:
                errors.append(_("The destinatario %(partner)s of %(picking)s has no address.",
                                partner=partner.display_name, picking=name))
        if not (self.reason or "").strip():
            errors.append(_("The delivery %s has no reason for transfer (motivo de traslado).", name))
        if self.destination_establishment and not _THREE_DIGITS.match(self.destination_establishment):
            errors.append(_("The destination establishment of %(picking)s is 3 digits (e.g. 001), not \"%(value)s\".",
                            picking=name, value=self.destination_establishment))
        invoice = self.invoice_id.sudo()  # a warehouse user may not read invoices
        if invoice:
            label = invoice.display_name
            if invoice.state != "posted" or invoice.move_type != "out_invoice":
                errors.append(_("The invoice %s of a guía must be a posted customer invoice.", label))
            elif invoice.commercial_partner_id != commercial:
                errors.append(_("The invoice %(invoice)s is of %(other)s, not of the destinatario %(partner)s.",
                                invoice=label, other=invoice.commercial_partner_id.display_name,
                                partner=commercial.display_name))
            elif not invoice.l10n_latam_document_number:
                errors.append(_("The invoice %s has no document number.", label))
            elif invoice.l10n_ec_sri_state in ("returned", "not_authorized"):
                errors.append(_("The invoice %s was refused by the SRI: it cannot support a guía.", label))
            elif not self._l10n_ec_sri_invoice_authorization():
                errors.append(_("The invoice %s has no SRI authorization (access key) yet.", label))
        return errors

    def _l10n_ec_sri_invoice_authorization(self):
        invoice = self.invoice_id.sudo()
        return invoice.l10n_ec_sri_authorization_number or invoice.l10n_ec_sri_access_key or False

    def _l10n_ec_sri_recipient(self):
        """The core's ``recipients[]`` item of this delivery."""
        self.ensure_one()
        commercial = self.partner_id.commercial_partner_id
        invoice = self.invoice_id.sudo()
        route = _text(self.guide_id.route) or None
        recipient = {
            "identification": (commercial.vat or "").strip(),
            "name": _text(commercial.name),
            "address": self.address or "",
            "reason": _text(self.reason),
            "customs_doc": _text(self.customs_doc) or None,
            "destination_establishment": self.destination_establishment or None,
            "route": route,
            "lines": [self._l10n_ec_sri_guide_line(move) for move in self._l10n_ec_sri_moves()],
        }
        if invoice:
            recipient.update({
                "support_doc_type": invoice.l10n_latam_document_type_id.code or "01",
                "support_doc_number": invoice.l10n_latam_document_number,
                "support_doc_authorization": self._l10n_ec_sri_invoice_authorization() or None,
                "support_doc_date": invoice.invoice_date,
            })
        return recipient

    def _l10n_ec_sri_guide_line(self, move):
        product = move.product_id
        pieces = _named_pieces("Descripción", _text(product.with_context(display_default_code=False).display_name))
        extra = pieces[1:]
        if move.product_uom and move.product_uom != self.env.ref("uom.product_uom_unit", raise_if_not_found=False):
            extra.append({"name": "Unidad", "value": _text(move.product_uom.name)})
        lots = move.move_line_ids.lot_id
        if lots:
            extra.append({"name": "Lote", "value": _short(", ".join(lots.mapped("name")), 300)})
        return {
            "description": pieces[0]["value"] if pieces else "-",
            "quantity": _dec(move.quantity, MICRO),
            "main_code": _text(product.default_code)[:25] or None,
            "aux_code": _text(product.barcode)[:25] or None,
            "extra": extra[:3],
        }
