# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""This module's Spanish catalogs: complete, consistent with its .pot, and loaded."""
from odoo.tests import tagged

from odoo.addons.l10n_ec_sri.tests import test_i18n


@tagged("post_install", "-at_install", "l10n_ec_sri_reports")
class TestI18nReports(test_i18n.TestI18n):
    MODULE = "l10n_ec_sri_reports"

    def test_es_ec_loaded(self):
        self.env["res.lang"]._activate_lang("es_EC")
        self.env["ir.module.module"]._load_module_terms([self.MODULE], ["es_EC"], overwrite=True)
        Report = self.env["l10n_ec_sri.report.tax"].with_context(lang="es_EC")
        self.assertEqual(Report.fields_get(["iva"], ["string"])["iva"]["string"], "Tarifa de IVA")
        action = self.env.ref("l10n_ec_sri_reports.action_l10n_ec_sri_report_tax").with_context(lang="es_EC")
        self.assertEqual(action.name, "Ventas y compras por tarifa de IVA")
