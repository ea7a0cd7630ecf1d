# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from starlette.middleware import Middleware

from odoo import fields, models

from ..errors import ErrorMiddleware
from ..routers import TAGS, router

API_VERSION = "1.0.0"


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    app = fields.Selection(selection_add=[("l10n_ec_sri", "SRI Ecuador API")], ondelete={"l10n_ec_sri": "cascade"})

    def _l10n_ec_sri_api_extensions(self):
        """[(router, OpenAPI tag)] of the modules that add endpoints to this API (guías, retenciones...)."""
        return []

    def _get_fastapi_routers(self):
        if self.app == "l10n_ec_sri":
            return [router] + [extra for extra, _tag in self._l10n_ec_sri_api_extensions()]
        return super()._get_fastapi_routers()

    def _prepare_fastapi_app_params(self):
        params = super()._prepare_fastapi_app_params()
        if self.app == "l10n_ec_sri":
            # FastAPI's own pages load their scripts from a CDN: the docs page is served by the router instead
            tags = TAGS + [tag for _router, tag in self._l10n_ec_sri_api_extensions()]
            params.update(version=API_VERSION, docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                          openapi_tags=tags, swagger_ui_oauth2_redirect_url=None)
        return params

    def _get_fastapi_app_middlewares(self):
        middlewares = super()._get_fastapi_app_middlewares()
        if self.app == "l10n_ec_sri":
            middlewares = [*middlewares, Middleware(ErrorMiddleware)]
        return middlewares
