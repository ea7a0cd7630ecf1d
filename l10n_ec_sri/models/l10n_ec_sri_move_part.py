# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``l10n_ec_sri.move.part``: records that are part of an SRI document's content (a liquidación's reembolsos, a
retención's withholdings, a guía's deliveries): created, changed and deleted only while their move (any source
with a ``state``) is a draft (the flow excepted)."""
from odoo import api, models
from odoo.exceptions import UserError

from .l10n_ec_sri_document import is_flow


class L10nEcSriMovePart(models.AbstractModel):
    _name = "l10n_ec_sri.move.part"
    _description = "Part of an SRI document's move, locked once posted"

    def _l10n_ec_sri_part_moves(self):
        """The moves these records belong to."""
        raise NotImplementedError

    def _l10n_ec_sri_part_locked_message(self):
        """The translated refusal of a change once the move is posted."""
        raise NotImplementedError

    def _l10n_ec_sri_check_editable(self):
        if not is_flow(self.env) and any(move.state != "draft" for move in self._l10n_ec_sri_part_moves()):
            raise UserError(self._l10n_ec_sri_part_locked_message())

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._l10n_ec_sri_check_editable()
        return records

    def write(self, vals):
        self._l10n_ec_sri_check_editable()
        return super().write(vals)

    def unlink(self):
        self._l10n_ec_sri_check_editable()
        return super().unlink()
