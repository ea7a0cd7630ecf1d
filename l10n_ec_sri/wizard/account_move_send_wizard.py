# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models


class AccountMoveSendWizard(models.TransientModel):
    _inherit = "account.move.send.wizard"

    @api.depends("move_id")
    def _compute_display_pdf_report_id(self):
        # EXTENDS 'account': an SRI document is printed as its RIDE, no invoice template to choose
        super()._compute_display_pdf_report_id()
        for wizard in self:
            if self._l10n_ec_sri_handles(wizard.move_id):
                wizard.display_pdf_report_id = False
