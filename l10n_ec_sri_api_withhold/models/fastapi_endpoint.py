# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models

from ..routers import TAG, router


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    def _get_fastapi_routers(self):
        routers = super()._get_fastapi_routers()
        if self.app == "l10n_ec_sri":
            routers = [*routers, router]
        return routers

    def _prepare_fastapi_app_params(self):
        params = super()._prepare_fastapi_app_params()
        if self.app == "l10n_ec_sri":
            params["openapi_tags"] = [*params.get("openapi_tags", []), TAG]
        return params
