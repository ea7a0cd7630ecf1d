# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models

from ..routers import TAG, router


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    def _l10n_ec_sri_api_extensions(self):
        return [*super()._l10n_ec_sri_api_extensions(), (router, TAG)]
