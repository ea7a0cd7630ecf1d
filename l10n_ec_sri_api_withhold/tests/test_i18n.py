# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""This module's Spanish catalogs: complete, consistent with its .pot, and loaded."""
from odoo.tests import tagged

from odoo.addons.l10n_ec_sri.tests import test_i18n


@tagged("post_install", "-at_install", "l10n_ec_sri_api_withhold")
class TestI18nApiWithhold(test_i18n.TestI18n):
    MODULE = "l10n_ec_sri_api_withhold"

    def test_es_ec_loaded(self):
        self.env["res.lang"]._activate_lang("es_EC")
        env = self.env(context=dict(self.env.context, lang="es_EC"))
        self.assertEqual(env._("No vendor bill with id %s.", 7), "No hay una factura de proveedor con id 7.")
