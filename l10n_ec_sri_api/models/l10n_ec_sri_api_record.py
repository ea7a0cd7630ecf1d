# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import is_flow


class L10nEcSriApiRecord(models.AbstractModel):
    """The API's own records: created, written and deleted through ``flow_env`` only (the base's flow records,
    plus deletion); anyone else, administrators included, gets the model's ``_l10n_ec_sri_refuse``."""

    _name = "l10n_ec_sri.api.record"
    _inherit = ["l10n_ec_sri.flow.record"]
    _description = "Record written by the SRI API only"

    def unlink(self):
        if not is_flow(self.env):
            self._l10n_ec_sri_refuse()
        return super().unlink()
