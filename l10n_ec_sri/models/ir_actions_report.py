# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _get_report_url(self, layout=None):
        # The RIDE carries its own CSS: a caller may point wkhtmltopdf elsewhere for the assets
        # (used in test mode, where fetching them from the test HTTP server would deadlock).
        return self.env.context.get("l10n_ec_sri_report_url") or super()._get_report_url(layout=layout)
