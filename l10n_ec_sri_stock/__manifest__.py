# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Ecuador - Guía de remisión SRI",
    "summary": "Guías de remisión 1.1.0 issued from validated deliveries: carrier, plate, transport dates, "
    "destinatarios with their factura, signed, authorized by the SRI, RIDE and mail",
    "version": "18.0.1.0.0",
    "category": "Inventory/Inventory",
    "license": "LGPL-3",
    "author": "l10n_ec_sri contributors",
    "website": "https://github.com/l10n-ec-sri/l10n_ec_sri",
    "countries": ["ec"],
    "depends": [
        "l10n_ec_sri",
        "stock",
        "l10n_ec_stock",
    ],
    "data": [
        "security/ir.model.access.csv",
        "security/l10n_ec_sri_stock_security.xml",
        "data/mail_template.xml",
        "report/ride_guide_templates.xml",
        "views/l10n_ec_sri_delivery_guide_views.xml",
        "views/stock_picking_views.xml",
        "views/stock_warehouse_views.xml",
        "views/res_partner_views.xml",
    ],
    "demo": [
        "demo/l10n_ec_sri_stock_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "l10n_ec_sri_stock/static/src/js/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
