# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import os
from unittest.mock import patch

from odoo.tests import TransactionCase
from odoo.tools import config

from odoo.addons.l10n_ec_sri.sri import testing as sri_testing

P12_PASSWORD = "Cl4ve-Secreta!"


class L10nEcSriFoundationCase(TransactionCase):
    """Shared set-up: a throw-away encryption key (no file written in the real data
    directory) and a helper to upload generated test certificates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sri_key = os.urandom(32)
        cls.startClassPatcher(
            patch.dict(config.options, {"l10n_ec_sri_key": base64.b64encode(cls.sri_key).decode()})
        )
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create(
            {"name": "SRI Company B", "country_id": cls.env.ref("base.ec").id}
        )
        cls.Certificate = cls.env["l10n_ec_sri.certificate"]

    @classmethod
    def _make_p12(cls, password=P12_PASSWORD, **kwargs):
        return sri_testing.make_p12(password=password, **kwargs)

    @classmethod
    def _upload(cls, p12=None, password=P12_PASSWORD, company=None, name="Test certificate", **kwargs):
        p12 = p12 if p12 is not None else cls._make_p12(password=password, **kwargs)
        return cls.Certificate.create(
            {
                "name": name,
                "company_id": (company or cls.company_a).id,
                "p12_file": base64.b64encode(p12),
                "password": password,
            }
        )
