# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""This module's Spanish catalogs: complete, consistent with its .pot, and loaded."""
from odoo.tests import tagged

from odoo.addons.l10n_ec_sri.tests import test_i18n


@tagged("post_install", "-at_install", "l10n_ec_sri_api")
class TestI18nApi(test_i18n.TestI18n):
    MODULE = "l10n_ec_sri_api"

    def test_es_ec_loaded(self):
        self.env["res.lang"]._activate_lang("es_EC")
        self.env["ir.module.module"]._load_module_terms([self.MODULE], ["es_EC"], overwrite=True)
        env = self.env(context=dict(self.env.context, lang="es_EC"))
        self.assertEqual(env._("No electronic document with id %s.", 7), "No hay un comprobante electrónico con id 7.")
