# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Ecuador - Retenciones y documentos recibidos SRI",
    "summary": "Comprobantes de retención 2.0.0 issued to suppliers, retenciones received from customers, "
    "and suppliers' authorized documents imported as vendor bills",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "license": "LGPL-3",
    "author": "l10n_ec_sri contributors",
    "website": "https://github.com/l10n-ec-sri/l10n_ec_sri",
    "countries": ["ec"],
    "depends": [
        "l10n_ec_sri",
    ],
    "data": [
        "security/ir.model.access.csv",
        "security/l10n_ec_sri_withhold_security.xml",
        "data/mail_template.xml",
        "report/ride_withhold_templates.xml",
        "wizard/l10n_ec_sri_withhold_wizard_views.xml",
        "wizard/l10n_ec_sri_import_wizard_views.xml",
        "views/l10n_ec_sri_taxpayer_type_views.xml",
        "views/account_journal_views.xml",
        "views/account_move_views.xml",
        "views/res_partner_views.xml",
        "views/product_template_views.xml",
        "views/res_config_settings_views.xml",
        "views/l10n_ec_sri_received_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/l10n_ec_sri_withhold_demo.xml",
    ],
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": False,
}
