# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Ecuador - Planes y límites SRI",
    "summary": "Subscription plans a provider sells (free, Basic, Pro, Enterprise): documents a month, customers "
    "and suppliers, users, guías, API, advanced reports, RUCs per account; enforced where the action happens",
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
        "security/l10n_ec_sri_plan_security.xml",
        "security/ir.model.access.csv",
        "data/l10n_ec_sri_plan_data.xml",
        "wizard/l10n_ec_sri_plan_change_wizard_views.xml",
        "views/l10n_ec_sri_plan_views.xml",
        "views/l10n_ec_sri_subscription_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "demo": [
        "demo/l10n_ec_sri_plan_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "l10n_ec_sri_plan/static/src/js/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": False,
}
