# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Ecuador - Reportes SRI y ATS",
    "summary": "Reports of the SRI electronic documents (by state, type, period, establishment), sales and "
    "purchases by IVA rate, withholdings by code, documents to fix with the SRI's messages, and the ATS",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "license": "LGPL-3",
    "author": "l10n_ec_sri contributors",
    "website": "https://github.com/l10n-ec-sri/l10n_ec_sri",
    "countries": ["ec"],
    "depends": [
        "l10n_ec_sri_withhold",
        "auditlog",
    ],
    "data": [
        "security/ir.model.access.csv",
        "security/l10n_ec_sri_reports_security.xml",
        "data/auditlog_rules.xml",
        "data/ir_cron.xml",
        "views/l10n_ec_sri_report_document_views.xml",
        "views/l10n_ec_sri_report_tax_views.xml",
        "views/l10n_ec_sri_report_withhold_views.xml",
        "views/l10n_ec_sri_report_partner_views.xml",
        "wizard/l10n_ec_sri_report_compare_views.xml",
        "report/l10n_ec_sri_ats_report.xml",
        "report/l10n_ec_sri_reports_pdf.xml",
        "report/ride_export.xml",
        "wizard/l10n_ec_sri_ats_wizard_views.xml",
        "views/l10n_ec_sri_audit_views.xml",
        "views/l10n_ec_sri_export_views.xml",
        "views/account_move_views.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "l10n_ec_sri_reports/static/src/js/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
