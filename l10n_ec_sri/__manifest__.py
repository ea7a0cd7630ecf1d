# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Ecuador - Comprobantes electrónicos SRI",
    "summary": "Electronic documents for Ecuador's SRI (offline scheme): "
    "XAdES-BES signing, sending, authorization, RIDE",
    "version": "18.0.2.0.0",
    "category": "Accounting/Localizations/EDI",
    "license": "LGPL-3",
    "author": "l10n_ec_sri contributors",
    "website": "https://github.com/l10n-ec-sri/l10n_ec_sri",
    "countries": ["ec"],
    "depends": [
        "l10n_ec",
        "account",
    ],
    "external_dependencies": {
        "python": [
            "lxml",
            "xmlsec",
            "zeep",
            "cryptography",
            "qrcode",
            "python-barcode",
            "num2words",
        ],
    },
    "data": [
        # Security first: groups before the access rights that name them.
        "security/l10n_ec_sri_security.xml",
        "security/ir.model.access.csv",
        # Data
        "data/ir_cron_certificate.xml",
        "data/ir_cron_sri.xml",
        "data/mail_template.xml",
        "report/ride_templates.xml",
        "wizard/l10n_ec_sri_annul_wizard_views.xml",
        "views/account_move_views.xml",
        "views/account_journal_views.xml",
        "views/l10n_ec_sri_exchange_views.xml",
        "views/l10n_ec_sri_document_views.xml",
        # Views (actions before the menus that open them)
        "views/l10n_ec_sri_certificate_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/l10n_ec_sri_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "l10n_ec_sri/static/src/js/tours/*.js",
        ],
    },
    "images": [
        "static/description/screenshot_invoice.png",
        "static/description/screenshot_ride.png",
        "static/description/screenshot_settings.png",
    ],
    "installable": True,
    "application": False,
}
