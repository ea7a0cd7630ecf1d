# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Each warehouse issues its guías de remisión with its own establecimiento, punto de emisión and no-gap
sequence, as the SRI registered them (a warehouse is usually an establecimiento of its own)."""
import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

_THREE_DIGITS = re.compile(r"^\d{3}$")


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    l10n_ec_sri_guide_entity = fields.Char(
        string="Guía: establecimiento", size=3, copy=False,
        help="Establecimiento (3 digits, e.g. 001) registered at the SRI that issues this warehouse's guías de "
             "remisión.")
    l10n_ec_sri_guide_emission = fields.Char(
        string="Guía: punto de emisión", size=3, copy=False,
        help="Punto de emisión (3 digits, e.g. 002) of this warehouse's guías de remisión.")
    l10n_ec_sri_guide_address_id = fields.Many2one(
        "res.partner", string="Guía: establishment address", copy=False,
        help="Address of the establecimiento printed on the guía (dirEstablecimiento); the warehouse's address "
             "when empty.")
    l10n_ec_sri_guide_sequence_id = fields.Many2one(
        "ir.sequence", string="Guía sequence", copy=False, readonly=True,
        help="The secuencial of the guías de remisión issued by this warehouse (no gaps).")
    l10n_ec_sri_guide_next = fields.Integer(
        string="Next guía number", compute="_compute_l10n_ec_sri_guide_next",
        inverse="_inverse_l10n_ec_sri_guide_next",
        help="The secuencial the next guía de remisión of this warehouse takes (e.g. when moving from another "
             "system). It can only move forward.")

    @api.constrains("l10n_ec_sri_guide_entity", "l10n_ec_sri_guide_emission")
    def _check_l10n_ec_sri_guide_point(self):
        for warehouse in self:
            for value in (warehouse.l10n_ec_sri_guide_entity, warehouse.l10n_ec_sri_guide_emission):
                if value and not _THREE_DIGITS.match(value):
                    raise ValidationError(_(
                        "The establecimiento and punto de emisión of the guías of %(warehouse)s are 3 digits each "
                        "(e.g. 001), not \"%(value)s\".", warehouse=warehouse.display_name, value=value))

    @api.depends("l10n_ec_sri_guide_sequence_id.number_next_actual")
    def _compute_l10n_ec_sri_guide_next(self):
        for warehouse in self:
            warehouse.l10n_ec_sri_guide_next = warehouse.l10n_ec_sri_guide_sequence_id.number_next_actual or 1

    def _inverse_l10n_ec_sri_guide_next(self):
        for warehouse in self:
            sequence = warehouse._l10n_ec_sri_guide_sequence()
            if warehouse.l10n_ec_sri_guide_next < sequence.number_next_actual:
                raise ValidationError(_(
                    "The next guía number of %(warehouse)s cannot go back (it is %(next)s): numbers already "
                    "issued to the SRI are never reused.", warehouse=warehouse.display_name,
                    next=sequence.number_next_actual))
            sequence.sudo().number_next_actual = warehouse.l10n_ec_sri_guide_next

    def _l10n_ec_sri_guide_ready(self):
        self.ensure_one()
        return bool(_THREE_DIGITS.match(self.l10n_ec_sri_guide_entity or "")
                    and _THREE_DIGITS.match(self.l10n_ec_sri_guide_emission or ""))

    def _l10n_ec_sri_guide_establishment(self):
        """The partner whose address is the guía's dirEstablecimiento."""
        self.ensure_one()
        return self.l10n_ec_sri_guide_address_id or self.partner_id

    def _l10n_ec_sri_guide_sequence(self):
        """The warehouse's own no-gap sequence of guías (created the first time)."""
        self.ensure_one()
        if not self.l10n_ec_sri_guide_sequence_id:
            self.sudo().l10n_ec_sri_guide_sequence_id = self.env["ir.sequence"].sudo().create({
                "name": _("Guías de remisión %s", self.display_name),
                "code": False,
                "implementation": "no_gap",
                "padding": 9,
                "company_id": self.company_id.id,
            })
        return self.l10n_ec_sri_guide_sequence_id
