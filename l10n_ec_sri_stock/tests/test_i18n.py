# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""This module's Spanish catalogs: complete, consistent with its .pot, and loaded."""
from odoo.tests import tagged

from odoo.addons.l10n_ec_sri.tests import test_i18n


@tagged("post_install", "-at_install", "l10n_ec_sri_stock")
class TestI18nStock(test_i18n.TestI18n):
    MODULE = "l10n_ec_sri_stock"

    def test_es_ec_loaded(self):
        self.env["res.lang"]._activate_lang("es_EC")
        self.env["ir.module.module"]._load_module_terms([self.MODULE], ["es_EC"], overwrite=True)
        Guide = self.env["l10n_ec_sri.delivery.guide"].with_context(lang="es_EC")
        self.assertEqual(Guide.fields_get(["carrier_id"], ["string"])["carrier_id"]["string"], "Transportista")
        self.assertNotEqual(self.env.ref("l10n_ec_sri_stock.action_l10n_ec_sri_delivery_guide")
                            .with_context(lang="es_EC").name, "Guías de remisión (EN)")
