# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An integrator over HTTP: an SRI editor's API key, every answer validated against the served OpenAPI."""
import os
import tempfile
from datetime import timedelta

import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from odoo import fields

from odoo.addons.l10n_ec_sri.sri.simulator import Simulator
from odoo.addons.l10n_ec_sri.tests.test_xmlrpc import L10nEcSriHttpCase

API = "/api/sri/v1"
CUSTOMER = {"identification": "0918765439", "identification_type": "cedula", "name": "Lucía Chiriboga",
            "email": "lucia@example.com", "street": "Av. 10 de Agosto N25-12", "city": "Quito"}


class L10nEcSriApiCase(L10nEcSriHttpCase):
    company_name = "Integrador API S.A."

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.editor = cls._sri_user(
            "sri_api_editor",
            "l10n_ec_sri.group_l10n_ec_sri_editor,base.group_partner_manager,product.group_product_manager")
        cls.token = cls._api_key(cls.editor)
        cls.env["ir.config_parameter"].sudo().set_param("l10n_ec_sri_api.webhook_allow_local", "1")
        cls.spec = None

    @classmethod
    def _api_key(cls, user, scope=None):
        expiry = fields.Datetime.now() + timedelta(days=30)
        return cls.env["res.users.apikeys"].with_user(user)._generate(scope, "integration test", expiry)

    def setUp(self):
        super().setUp()
        # a simulator per test: every test restarts the company's numbering (rolled back), and the class's
        # simulator would return the second document of a number as already registered
        simulator = Simulator(port=0, db_path=os.path.join(tempfile.mkdtemp(prefix="sri_sim_"), "sim.sqlite3"))
        simulator.start()
        self.addCleanup(simulator.stop)
        self.company.l10n_ec_sri_endpoint_url = simulator.url
        self.env.flush_all()

    def _url(self, path):
        return f"{self.base_url()}{API}{path}"

    def _openapi(self):
        if self.spec is None:
            response = requests.get(self._url("/openapi.json"), timeout=30)
            self.assertEqual(response.status_code, 200, response.text)
            type(self).spec = OpenAPI.from_dict(response.json())
        return self.spec

    def call(self, method, path, token=True, validate=True, **kwargs):
        """One request as the integrator; its answer is checked against the OpenAPI description."""
        headers = kwargs.pop("headers", {})
        if token:
            headers.setdefault("Authorization", f"Bearer {self.token if token is True else token}")
        response = requests.request(method, self._url(path), headers=headers, timeout=60, **kwargs)
        if validate:
            spec = self._openapi()
            spec.validate_response(RequestsOpenAPIRequest(response.request), RequestsOpenAPIResponse(response))
        return response

    def assertError(self, response, status, code, field=None):
        self.assertEqual(response.status_code, status, response.text)
        detail = response.json()["detail"]
        self.assertEqual(detail["code"], code, detail)
        self.assertTrue(detail["message"])
        if field is not None:
            self.assertEqual(detail["field"], field, detail)
        return detail

    def _factura(self, **extra):
        return {"type": "factura", "partner": CUSTOMER, "payment_code": "20",
                "lines": [{"product_code": "INT-01", "quantity": 3, "price_unit": 120.0, "iva": "15"}], **extra}

    def _run_queue(self):
        documents = self.env["l10n_ec_sri.document"]._process_queue(limit=50, company_ids=self.company.ids)
        self.env.flush_all()  # the next request reads the database
        return documents
