# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``l10n_ec_sri.delivery.guide``: the guía de remisión (SRI document 06, version 1.1.0) of one or more validated
deliveries, each delivery being one destinatario.

It is a source of the engine (``l10n_ec_sri.mixin``): posting checks it, numbers it on its warehouse's
establecimiento, punto de emisión and no-gap sequence, and issues it (access key, XML, schema, signature, queue);
the queue sends it, the SRI authorizes it, the RIDE is printed and mailed to the destinatarios. Once posted its
content, its deliveries and its number are locked; the SRI's data is the flow's only.
"""
import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import flow_env, is_flow
from odoo.addons.l10n_ec_sri.models.sri_adapter import ID_TYPES, _named_pieces, _short, _text
from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador

#: The guía's own content, locked once it is posted.
CONTENT_FIELDS = frozenset({
    "name", "company_id", "warehouse_id", "date", "carrier_id", "plate", "start_address", "transport_start",
    "transport_end", "route", "line_ids", "note",
})
_PLATE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,18}[A-Z0-9]$")


class L10nEcSriDeliveryGuide(models.Model):
    _name = "l10n_ec_sri.delivery.guide"
    _inherit = ["l10n_ec_sri.mixin", "mail.thread", "mail.activity.mixin"]
    _description = "Guía de remisión"
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "plate", "l10n_ec_sri_access_key"]

    name = fields.Char(string="Number", readonly=True, copy=False, index="btree_not_null",
                       help="Establecimiento-punto de emisión-secuencial, given when the guía is posted.")
    state = fields.Selection([("draft", "Draft"), ("posted", "Posted"), ("cancel", "Cancelled")],
                             default="draft", required=True, readonly=True, copy=False, tracking=True, index=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    warehouse_id = fields.Many2one(
        "stock.warehouse", string="Warehouse", required=True, check_company=True,
        help="Its establecimiento, punto de emisión and sequence number the guía.")
    date = fields.Date(string="Emission date", required=True, default=lambda self: today_ecuador(), tracking=True)
    carrier_id = fields.Many2one(
        "res.partner", string="Carrier", tracking=True,
        help="Transportista: the person or company that drives the goods (its RUC, cédula or passport goes on the "
             "guía). The company itself when it carries its own goods.")
    plate = fields.Char(string="Vehicle plate", tracking=True, help="Placa of the vehicle, e.g. PBA-1234.")
    start_address = fields.Char(string="Departure address", help="Dirección de partida: where the goods leave from.")
    transport_start = fields.Date(string="Transport start", required=True, default=lambda self: today_ecuador())
    transport_end = fields.Date(string="Transport end", required=True, default=lambda self: today_ecuador())
    route = fields.Char(string="Route", help="Ruta, e.g. Quito - Santo Domingo - Guayaquil (optional).")
    note = fields.Text(string="Additional information", help="Printed on the guía (información adicional).")
    line_ids = fields.One2many("l10n_ec_sri.delivery.guide.line", "guide_id", string="Destinatarios", copy=False)
    picking_ids = fields.Many2many("stock.picking", compute="_compute_picking_ids", string="Deliveries")
    picking_count = fields.Integer(compute="_compute_picking_ids")

    @api.depends("line_ids.picking_id")
    def _compute_picking_ids(self):
        for guide in self:
            guide.picking_ids = guide.line_ids.picking_id
            guide.picking_count = len(guide.line_ids.picking_id)

    @api.depends("name", "state")
    def _compute_display_name(self):
        for guide in self:
            guide.display_name = _("Guía %s", guide.name) if guide.name else _("Draft guía")

    @api.onchange("warehouse_id")
    def _onchange_warehouse_id(self):
        if self.warehouse_id and not self.start_address:
            self.start_address = self._l10n_ec_sri_partner_address(self.warehouse_id.partner_id) or False

    @api.onchange("carrier_id")
    def _onchange_carrier_id(self):
        if self.carrier_id.l10n_ec_sri_plate and not self.plate:
            self.plate = self.carrier_id.l10n_ec_sri_plate

    @api.onchange("transport_start")
    def _onchange_transport_start(self):
        if self.transport_start and (not self.transport_end or self.transport_end < self.transport_start):
            self.transport_end = self.transport_start

    # ------------------------------------------------------------------
    # Integrity: a posted guía is a legal record
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not is_flow(self.env) and any(vals.get("state", "draft") != "draft" or vals.get("name")
                                         for vals in vals_list):
            raise UserError(_("A guía de remisión is created as a draft: posting numbers and issues it."))
        for vals in vals_list:
            if vals.get("plate"):
                vals["plate"] = self._l10n_ec_sri_clean_plate(vals["plate"])
        return super().create(vals_list)

    def write(self, vals):
        if not is_flow(self.env):
            if "state" in vals or "name" in vals:
                raise UserError(_("The state and the number of a guía de remisión change only with its buttons "
                                  "(Post, Reset to draft, Cancel)."))
            if CONTENT_FIELDS.intersection(vals) and any(guide.state != "draft" for guide in self):
                raise UserError(_(
                    "A posted guía de remisión cannot be changed (%s): reset it to draft first, which the SRI "
                    "allows only before it has the document.",
                    ", ".join(sorted(self._fields[name].string for name in CONTENT_FIELDS.intersection(vals)))))
        if vals.get("plate"):
            vals = dict(vals, plate=self._l10n_ec_sri_clean_plate(vals["plate"]))
        return super().write(vals)

    def unlink(self):
        if any(guide.state == "posted" for guide in self):
            raise UserError(_("A posted guía de remisión cannot be deleted: cancel it first."))
        return super().unlink()

    @api.model
    def _l10n_ec_sri_clean_plate(self, plate):
        return "".join((plate or "").upper().split())

    # ------------------------------------------------------------------
    # Source hooks (l10n_ec_sri.mixin)
    # ------------------------------------------------------------------
    def _l10n_ec_sri_kind(self):
        return "guia_remision"

    def _l10n_ec_sri_number_parts(self):
        self.ensure_one()
        parts = (self.name or "").split("-")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            return parts[0], parts[1], parts[2]
        warehouse = self.warehouse_id
        return warehouse.l10n_ec_sri_guide_entity or "", warehouse.l10n_ec_sri_guide_emission or "", "000000001"

    def _l10n_ec_sri_emission_date(self):
        return self.date or today_ecuador()

    def _l10n_ec_sri_label(self):
        self.ensure_one()
        if self.name:
            return self.display_name
        return _("Draft guía of %s", _short(", ".join(self.line_ids.picking_id.mapped("name")) or "?", 60))

    def _l10n_ec_sri_document_name(self):
        self.ensure_one()
        return self.name or "-".join(self._l10n_ec_sri_number_parts())

    def _l10n_ec_sri_establishment_partner(self):
        return self.warehouse_id._l10n_ec_sri_guide_establishment() if self.warehouse_id else self.env["res.partner"]

    def _l10n_ec_sri_mail_partner(self):
        """The first destinatario (the engine's document partner); every destinatario is mailed."""
        return self.line_ids[:1].partner_id

    def _l10n_ec_sri_mail_partners(self):
        return self.line_ids.partner_id

    def _l10n_ec_sri_can_process(self):
        return self.state == "posted"

    def _l10n_ec_sri_ride_report(self):
        return "l10n_ec_sri_stock.action_report_ride_guide"

    def _l10n_ec_sri_mail_template(self):
        return "l10n_ec_sri_stock.mail_template_guide_authorized"

    def _l10n_ec_sri_on_annulled(self, document):
        """Annulled on the SRI portal: the guía is cancelled and its deliveries may go on a new one."""
        self._l10n_ec_sri_release()

    def _l10n_ec_sri_item_label(self, collection, index):
        if collection == "recipients" and index < len(self.line_ids):
            line = self.line_ids[index]
            return _("Delivery %(picking)s (%(partner)s)", picking=line.picking_id.name,
                     partner=_short(line.partner_id.display_name or "", 40))
        return False

    def _l10n_ec_sri_field_labels(self):
        labels = super()._l10n_ec_sri_field_labels()
        labels.update({
            "carrier": _("Carrier"), "plate": _("Vehicle plate"), "start_address": _("Departure address"),
            "transport_start": _("Transport start"), "transport_end": _("Transport end"),
            "recipients": _("Destinatario"), "customs_doc": _("Customs document"),
            "destination_establishment": _("Destination establishment"), "route": _("Route"),
            "support_doc_number": _("Invoice"), "support_doc_authorization": _("Invoice authorization"),
            "support_doc_date": _("Invoice date"), "establishment": _("Establecimiento of the warehouse"),
            "emission_point": _("Punto de emisión of the warehouse"),
        })
        return labels

    # ------------------------------------------------------------------
    # The checks (every problem at once, in the user's words)
    # ------------------------------------------------------------------
    def _l10n_ec_sri_check_source(self):
        self.ensure_one()
        errors = []
        company = self.company_id
        if company.account_fiscal_country_id.code != "EC":
            errors.append(_("The company %s is not Ecuadorian: the SRI issues guías de remisión of Ecuadorian "
                            "companies only.", company.name))
        if not company.vat:
            errors.append(_("The company %s has no RUC.", company.name))
        warehouse = self.warehouse_id
        if not warehouse or not warehouse._l10n_ec_sri_guide_ready():
            errors.append(_(
                "The warehouse %s needs the establecimiento and punto de emisión of its guías (3 digits each, as "
                "the SRI registered them): set them in Inventory > Configuration > Warehouses.",
                warehouse.display_name or "?"))
        errors.extend(self._l10n_ec_sri_check_carrier())
        if not (self.start_address or "").strip():
            errors.append(_("The guía has no departure address (dirección de partida)."))
        if self.transport_start and self.transport_end and self.transport_end < self.transport_start:
            errors.append(_("The transport ends on %(end)s, before it starts (%(start)s): the end date cannot be "
                            "before the start date.", end=self.transport_end, start=self.transport_start))
        if not self.line_ids:
            errors.append(_("The guía has no delivery: add the validated deliveries it carries."))
        seen = set()
        for line in self.line_ids:
            if line.picking_id in seen:
                errors.append(_("The delivery %s is twice on this guía.", line.picking_id.name))
            seen.add(line.picking_id)
            errors.extend(line._l10n_ec_sri_check_line())
        return errors

    def _l10n_ec_sri_check_carrier(self):
        errors = []
        carrier = self.carrier_id
        if not carrier:
            errors.append(_("The guía has no carrier (transportista)."))
        else:
            partner = carrier.commercial_partner_id
            if not (partner.vat or "").strip():
                errors.append(_("The carrier %s has no identification number (RUC, cédula or passport).",
                                partner.display_name))
            elif not ID_TYPES.get(partner._l10n_ec_get_identification_type()):
                errors.append(_("The identification type of the carrier %s is not one a guía accepts (RUC, cédula, "
                                "passport or foreign ID).", partner.display_name))
            else:
                problem = partner._l10n_ec_sri_identification_problem()
                if problem:
                    errors.append(_("The identification of the carrier %(carrier)s is not valid for the SRI: "
                                    "%(reason)s.", carrier=partner.display_name, reason=problem))
        plate = self._l10n_ec_sri_clean_plate(self.plate)
        if not plate:
            errors.append(_("The guía has no vehicle plate (placa)."))
        elif not _PLATE.match(plate):
            errors.append(_("The vehicle plate \"%s\" is not a plate: letters, digits and dashes only, 4 to 20 "
                            "characters (e.g. PBA-1234).", self.plate))
        return errors

    # ------------------------------------------------------------------
    # The core's document
    # ------------------------------------------------------------------
    def _l10n_ec_sri_document_data(self, access_key=None):
        self.ensure_one()
        estab, point, sequential = self._l10n_ec_sri_number_parts()
        carrier = self.carrier_id.commercial_partner_id
        data = {
            "type": "guia_remision",
            "issuer": self._l10n_ec_sri_issuer(),
            "establishment": estab,
            "emission_point": point,
            "sequential": sequential,
            "environment": self.company_id.l10n_ec_sri_environment or "1",
            "emission_date": self._l10n_ec_sri_emission_date(),
            "carrier": {
                "id_type": ID_TYPES.get(carrier._l10n_ec_get_identification_type(), "") if carrier else "",
                "identification": (carrier.vat or "").strip(),
                "name": _text(carrier.name),
            },
            "start_address": _text(self.start_address),
            "transport_start": self.transport_start,
            "transport_end": self.transport_end,
            "plate": self._l10n_ec_sri_clean_plate(self.plate),
            "recipients": [line._l10n_ec_sri_recipient() for line in self.line_ids],
            "additional_info": self._l10n_ec_sri_guide_additional_info(),
        }
        if access_key:
            data["access_key"] = access_key
        return data

    def _l10n_ec_sri_guide_additional_info(self):
        info = []
        emails = ", ".join(dict.fromkeys(e for e in (line._l10n_ec_sri_email() for line in self.line_ids) if e))
        if emails:
            info.extend(_named_pieces("Email", emails))
        if self.note:
            info.extend(_named_pieces("Observación", _text(self.note)))
        return info[:15]

    # ------------------------------------------------------------------
    # Posting, reset, cancel
    # ------------------------------------------------------------------
    def action_post(self):
        guides = self.filtered(lambda g: g.state == "draft")
        if not guides:
            raise UserError(_("Only draft guías de remisión can be posted."))
        # two users posting guías of the same delivery at once: the second waits here, then is refused
        pickings = guides.line_ids.picking_id
        if pickings:
            self.env.flush_all()
            self.env.cr.execute("SELECT id FROM stock_picking WHERE id IN %s FOR NO KEY UPDATE",
                                [tuple(pickings.ids)])
        prebuilt = {}
        guides._l10n_ec_sri_check_before_issue(prebuilt)
        with self.env.cr.savepoint():
            for guide in guides:
                warehouse = guide.warehouse_id
                prefix = "%s-%s-" % (warehouse.l10n_ec_sri_guide_entity, warehouse.l10n_ec_sri_guide_emission)
                number = guide.name
                if not (number and number.startswith(prefix)):
                    # a guía reset to draft keeps its number (and key) unless its warehouse changed
                    number = prefix + str(warehouse._l10n_ec_sri_guide_sequence().next_by_id()).zfill(9)
                flow_env(guide).write({"name": number, "state": "posted"})
                # the delivery's guía (a stored link: a concurrent posting of the same delivery conflicts on it)
                flow_env(guide.line_ids.picking_id).write({"l10n_ec_sri_guide_id": guide.id})
            guides._l10n_ec_sri_issue(prebuilt)
        if any(guides.company_id.mapped("l10n_ec_sri_auto_send")):
            cron = self.env.ref("l10n_ec_sri.ir_cron_l10n_ec_sri_send", raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger()
        return True

    def _l10n_ec_sri_release(self):
        """The guía no longer carries its deliveries (cancelled, annulled, back to draft)."""
        for guide in self:
            flow_env(guide.line_ids.picking_id.filtered(lambda p, g=guide: p.l10n_ec_sri_guide_id == g)).write(
                {"l10n_ec_sri_guide_id": False})
            if guide.state != "cancel" and guide.l10n_ec_sri_state == "annulled":
                flow_env(guide).write({"state": "cancel"})

    def button_draft(self):
        for guide in self:
            if guide.state != "posted":
                raise UserError(_("Only a posted guía can be reset to draft (%s).", guide.display_name))
            state = guide.l10n_ec_sri_state
            if state in ("authorized", "annulled"):
                raise UserError(_("%s is authorized by the SRI: it cannot be reset to draft. Annul it on the SRI "
                                  "portal, record the annulment, and issue a new guía.", guide.display_name))
            if state == "not_authorized":
                raise UserError(_("The SRI registered the access key of %s as NOT AUTHORIZED, so its number cannot "
                                  "be used again. Cancel it and issue a new guía.", guide.display_name))
            if guide._l10n_ec_sri_pending_at_sri():
                raise UserError(_("%s is being processed by the SRI: wait for its answer before resetting it to "
                                  "draft.", guide.display_name))
        self._l10n_ec_sri_release()
        flow_env(self).write({"state": "draft"})
        # a returned (or never sent) guía keeps its number and access key: the SRI never registered them
        self._l10n_ec_sri_reset()
        return True

    def button_cancel(self):
        for guide in self:
            if guide.state == "cancel":
                continue
            if guide.l10n_ec_sri_state == "authorized":
                raise UserError(_(
                    "%s is authorized by the SRI and cannot be cancelled here. Annul it on the SRI portal first "
                    "(SRI en línea > Anulación de comprobantes), then an SRI administrator records the annulment "
                    "with \"Record SRI annulment\".", guide.display_name))
            if guide._l10n_ec_sri_pending_at_sri():
                raise UserError(_("%s is being processed by the SRI: wait for its answer before cancelling it.",
                                  guide.display_name))
        self._l10n_ec_sri_release()
        self._l10n_ec_sri_reset()
        flow_env(self).write({"state": "cancel"})
        return True

    def action_open_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action.update({"domain": [("id", "in", self.picking_ids.ids)], "context": {"create": False}})
        if len(self.picking_ids) == 1:
            action.update({"view_mode": "form", "views": [(False, "form")], "res_id": self.picking_ids.id})
        return action

    # ------------------------------------------------------------------
    # RIDE values
    # ------------------------------------------------------------------
    def _l10n_ec_sri_guide_ride_values(self):
        """What the guía's RIDE prints (called from QWeb)."""
        self.ensure_one()
        values = self._l10n_ec_sri_ride_header_values()
        data = self._l10n_ec_sri_document_data()
        values.update({
            "carrier": data["carrier"],
            "start_address": data["start_address"],
            "plate": data["plate"],
            "transport_start": self.transport_start and self.transport_start.strftime("%d/%m/%Y") or "",
            "transport_end": self.transport_end and self.transport_end.strftime("%d/%m/%Y") or "",
            "recipients": data["recipients"],
            "additional_info": data["additional_info"],
        })
        for recipient in values["recipients"]:
            date = recipient.get("support_doc_date")
            recipient["support_doc_date_text"] = date.strftime("%d/%m/%Y") if date else ""
        return values
