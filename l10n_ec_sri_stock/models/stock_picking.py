# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Deliveries know their guía de remisión and make one ("Guía de remisión" button, also on several at once)."""
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import is_flow


class StockPicking(models.Model):
    _inherit = "stock.picking"

    l10n_ec_sri_guide_id = fields.Many2one(
        "l10n_ec_sri.delivery.guide", string="Guía de remisión", copy=False, readonly=True, index="btree_not_null",
        help="The posted guía de remisión that carries this delivery (set by the guía).")
    l10n_ec_sri_guide_state = fields.Selection(related="l10n_ec_sri_guide_id.l10n_ec_sri_state",
                                               string="Guía SRI state")
    l10n_ec_sri_guide_available = fields.Boolean(compute="_compute_l10n_ec_sri_guide_available")

    @api.depends("state", "picking_type_code", "company_id", "l10n_ec_sri_guide_id")
    def _compute_l10n_ec_sri_guide_available(self):
        for picking in self:
            picking.l10n_ec_sri_guide_available = (
                picking.state == "done" and picking.picking_type_code in ("outgoing", "internal")
                and picking.company_id.account_fiscal_country_id.code == "EC" and not picking.l10n_ec_sri_guide_id)

    def write(self, vals):
        if "l10n_ec_sri_guide_id" in vals and not is_flow(self.env):
            raise UserError(_("The guía de remisión of a delivery is set by the guía itself, when it is posted."))
        return super().write(vals)

    def _l10n_ec_sri_guide_reason(self):
        """The motivo de traslado proposed for this delivery."""
        self.ensure_one()
        if self.picking_type_code == "internal":
            return _("Traslado entre establecimientos")
        if self.return_id:
            return _("Devolución")
        return _("Venta")

    def _l10n_ec_sri_guide_invoice(self):
        """The customer invoice proposed as documento sustento: the posted invoice of the delivery's sale
        order when the Sales app links them (``sale_stock``), else none (the user picks it)."""
        self.ensure_one()
        sale = self["sale_id"] if "sale_id" in self._fields else False
        if not sale:
            return self.env["account.move"]
        invoices = sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
        return invoices.sorted("invoice_date", reverse=True)[:1]

    def action_l10n_ec_sri_guide(self):
        """A draft guía de remisión of the selected validated deliveries (one destinatario each)."""
        pickings = self
        if not pickings:
            raise UserError(_("Select the validated deliveries the guía carries."))
        not_done = pickings.filtered(lambda p: p.state != "done")
        if not_done:
            raise UserError(_("Only validated deliveries travel with a guía de remisión: validate %s first.",
                              ", ".join(not_done.mapped("name"))))
        on_guide = pickings.filtered("l10n_ec_sri_guide_id")
        if on_guide:
            raise UserError(_("%s already travel with a guía de remisión.", ", ".join(
                "%s (%s)" % (p.name, p.l10n_ec_sri_guide_id.name) for p in on_guide)))
        receipts = pickings.filtered(lambda p: p.picking_type_code not in ("outgoing", "internal"))
        if receipts:
            raise UserError(_("A guía de remisión carries deliveries and internal transfers, not receipts (%s).",
                              ", ".join(receipts.mapped("name"))))
        if len(pickings.company_id) > 1:
            raise UserError(_("A guía de remisión carries the deliveries of one company."))
        warehouse = pickings.picking_type_id.warehouse_id
        if len(warehouse) != 1 or not all(pickings.picking_type_id.mapped("warehouse_id")):
            raise UserError(_("A guía de remisión carries the deliveries of one warehouse (its establecimiento "
                              "numbers it): select deliveries of one warehouse."))
        guide = self.env["l10n_ec_sri.delivery.guide"].create({
            "company_id": pickings.company_id.id,
            "warehouse_id": warehouse.id,
            "start_address": self.env["l10n_ec_sri.mixin"]._l10n_ec_sri_partner_address(warehouse.partner_id)
            or False,
            "line_ids": [fields.Command.create({"picking_id": picking.id}) for picking in pickings],
        })
        return {
            "type": "ir.actions.act_window",
            "name": _("Guía de remisión"),
            "res_model": "l10n_ec_sri.delivery.guide",
            "view_mode": "form",
            "res_id": guide.id,
        }

    def action_l10n_ec_sri_open_guide(self):
        self.ensure_one()
        guides = self.env["l10n_ec_sri.delivery.guide.line"].search([("picking_id", "=", self.id)]).guide_id
        action = {
            "type": "ir.actions.act_window",
            "name": _("Guías de remisión"),
            "res_model": "l10n_ec_sri.delivery.guide",
            "domain": [("id", "in", guides.ids)],
            "view_mode": "list,form",
        }
        if len(guides) == 1:
            action.update({"view_mode": "form", "res_id": guides.id})
        return action
