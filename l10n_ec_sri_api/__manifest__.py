# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Ecuador - API JSON SRI",
    "summary": "A JSON API for integrators on OCA's fastapi: Odoo API keys as Bearer tokens, partners, products, "
    "documents (issue, state, XML, RIDE), batches, signed webhooks, idempotency, rate limit, OpenAPI 3",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "license": "LGPL-3",
    "author": "l10n_ec_sri contributors",
    "website": "https://github.com/l10n-ec-sri/l10n_ec_sri",
    "countries": ["ec"],
    "depends": [
        "l10n_ec_sri",
        "fastapi",
    ],
    "external_dependencies": {
        "python": ["fastapi", "pydantic", "fastapi_offline"],
    },
    "data": [
        "security/ir.model.access.csv",
        "security/l10n_ec_sri_api_security.xml",
        "data/fastapi_endpoint.xml",
        "data/ir_cron.xml",
        "views/l10n_ec_sri_api_views.xml",
    ],
    "installable": True,
    "application": False,
}
