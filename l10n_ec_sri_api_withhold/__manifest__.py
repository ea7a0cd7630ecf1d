# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Ecuador - API JSON SRI: retenciones",
    "summary": "POST /api/sri/v1/withholds: the retención of posted vendor bills, issued over the JSON API "
    "(installed by itself when both the API and the retenciones are)",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "license": "LGPL-3",
    "author": "l10n_ec_sri contributors",
    "website": "https://github.com/l10n-ec-sri/l10n_ec_sri",
    "countries": ["ec"],
    "depends": [
        "l10n_ec_sri_api",
        "l10n_ec_sri_withhold",
    ],
    "data": [],
    "installable": True,
    "auto_install": True,
    "application": False,
}
