# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An integrator's view: the whole SRI flow through Odoo's external API (XML-RPC), as an SRI
editor with a password, against the built-in simulator on a free port."""
import base64
import os
import tempfile
from unittest.mock import patch
from urllib.parse import urlsplit
from xmlrpc.client import Fault

from lxml import etree

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import config

from odoo.addons.l10n_ec_sri.sri import access_key as sri_access_key
from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador
from odoo.addons.l10n_ec_sri.sri.simulator import Simulator

# /xmlrpc/2 fault code of odoo.exceptions.AccessError (odoo.addons.base.controllers.rpc)
RPC_FAULT_CODE_ACCESS_ERROR = 4
COMPANY_RUC = "1793456782001"  # sociedad privada (third digit 9), módulo 11
CUSTOMER_CEDULA = "0918765439"


class L10nEcSriHttpCase(HttpCase):
    """A company ready for the SRI (ec chart, test certificate, journal 001-001) whose endpoint
    is a simulator started for the class on a free loopback port."""

    company_name = "Integración SRI S.A."
    company_ruc = COMPANY_RUC

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Throw-away encryption key: no key file written in the real data directory.
        cls.startClassPatcher(
            patch.dict(config.options, {"l10n_ec_sri_key": base64.b64encode(os.urandom(32)).decode()})
        )
        cls.simulator = Simulator(port=0, db_path=os.path.join(tempfile.mkdtemp(prefix="sri_sim_"), "sim.sqlite3"))
        cls.simulator.start()
        cls.addClassCleanup(cls.simulator.stop)

        env = cls.env
        # The RIDE is rendered by wkhtmltopdf inside the request that authorizes the document, and
        # wkhtmltopdf fetches the report CSS from this same server: under HttpCase every request
        # shares one test cursor, so that fetch would wait forever for the request that started it.
        # Point wkhtmltopdf at a closed port instead: it gives up at once and still prints the PDF
        # (unstyled), which is all these tests check.
        env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        cls.company = env["res.company"].create({
            "name": cls.company_name,
            "vat": cls.company_ruc,
            "country_id": env.ref("base.ec").id,
            "currency_id": env.ref("base.USD").id,
            "street": "Av. República de El Salvador N36-84",
            "city": "Quito",
        })
        Demo = env["l10n_ec_sri.demo"]
        cls.journal = Demo._l10n_ec_sri_setup_company(cls.company, endpoint_url=cls.simulator.url)
        cls.env = env = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.company.ids))
        cls.company = env["res.company"].browse(cls.company.id)
        cls.company.l10n_ec_sri_send_mail = False
        cls.tax_15 = Demo._l10n_ec_sri_sale_tax(cls.company, 15)
        cls.product = env["product.product"].create({
            "name": "Servicio de integración",
            "default_code": "INT-01",
            "list_price": 120.0,
            "company_id": cls.company.id,
            "taxes_id": [(6, 0, cls.tax_15.ids)],
        })

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        # The SRI client passes (connect, read) timeout tuples, which Odoo's test guard cannot
        # compare with its 10 s minimum: requests to the loopback simulator go straight through.
        from odoo.tests.common import _super_send

        if urlsplit(r.url).hostname == "127.0.0.1":
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    @classmethod
    def _sri_user(cls, login, group):
        return new_test_user(
            cls.env, login, groups=f"base.group_user,{group}", password=f"{login}-Pa55word",
            company_id=cls.company.id, company_ids=cls.company.ids,
        )


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestXmlRpc(L10nEcSriHttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # An integration user: SRI editor who may also create customers (Extra Rights/Contact Creation).
        cls.editor = cls._sri_user("sri_rpc_editor", "l10n_ec_sri.group_l10n_ec_sri_editor,base.group_partner_manager")
        cls.readonly = cls._sri_user("sri_rpc_readonly", "l10n_ec_sri.group_l10n_ec_sri_readonly")
        cls.admin = cls._sri_user("sri_rpc_admin", "l10n_ec_sri.group_l10n_ec_sri_admin")

    # helpers ------------------------------------------------------------------------------
    def _login(self, user):
        password = f"{user.login}-Pa55word"
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, user.login, password, {})
        self.assertEqual(uid, user.id)
        return uid, password

    def _rpc(self, user, model, method, *args, **kwargs):
        uid, password = self._login(user)
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, uid, password, model, method, list(args), kwargs)

    def _draft_invoice_rpc(self, user, partner_id):
        return self._rpc(user, "account.move", "create", {
            "move_type": "out_invoice",
            "partner_id": partner_id,
            "journal_id": self.journal.id,
            "invoice_date": today_ecuador().isoformat(),
            "invoice_line_ids": [[0, 0, {
                "product_id": self.product.id,
                "name": "Integración con el SRI (horas)",
                "quantity": 3,
                "price_unit": 120.0,
                "tax_ids": [[6, 0, self.tax_15.ids]],
            }]],
        })

    # tests --------------------------------------------------------------------------------
    def test_editor_issues_invoice_over_xmlrpc(self):
        editor = self.editor
        partner_id = self._rpc(editor, "res.partner", "create", {
            "name": "Lucía Chiriboga",
            "vat": CUSTOMER_CEDULA,
            "l10n_latam_identification_type_id": self.env.ref("l10n_ec.ec_dni").id,
            "country_id": self.env.ref("base.ec").id,
            "street": "Av. 10 de Agosto N25-12",
            "city": "Quito",
        })
        move_id = self._draft_invoice_rpc(editor, partner_id)
        self._rpc(editor, "account.move", "action_post", [move_id])
        [move] = self._rpc(editor, "account.move", "read", [move_id],
                           fields=["state", "l10n_ec_sri_state", "l10n_ec_sri_access_key", "amount_total"])
        self.assertEqual(move["state"], "posted")
        self.assertEqual(move["l10n_ec_sri_state"], "to_send")
        self.assertAlmostEqual(move["amount_total"], 414.0)
        key = move["l10n_ec_sri_access_key"]
        self.assertTrue(sri_access_key.is_valid(key), key)

        # "Enviar al SRI"
        self._rpc(editor, "account.move", "action_l10n_ec_sri_send", [move_id])
        [move] = self._rpc(editor, "account.move", "read", [move_id], fields=[
            "l10n_ec_sri_state", "l10n_ec_sri_last_error", "l10n_ec_sri_authorization_number",
            "l10n_ec_sri_authorized_xml_id", "l10n_ec_sri_ride_id",
        ])
        self.assertEqual(move["l10n_ec_sri_state"], "authorized", move["l10n_ec_sri_last_error"])
        self.assertEqual(move["l10n_ec_sri_authorization_number"], key)
        self.assertTrue(move["l10n_ec_sri_authorized_xml_id"])
        self.assertTrue(move["l10n_ec_sri_ride_id"])

        # Download both files as the editor.
        xml_id = move["l10n_ec_sri_authorized_xml_id"][0]
        ride_id = move["l10n_ec_sri_ride_id"][0]
        files = {
            f["id"]: f for f in self._rpc(editor, "ir.attachment", "read", [xml_id, ride_id],
                                          fields=["name", "mimetype", "datas"])
        }
        xml = base64.b64decode(files[xml_id]["datas"])
        root = etree.fromstring(xml)
        self.assertEqual(root.findtext("estado"), "AUTORIZADO")
        self.assertEqual(root.findtext("numeroAutorizacion"), key)
        comprobante = etree.fromstring(root.findtext("comprobante").encode())
        self.assertEqual(comprobante.findtext("infoTributaria/claveAcceso"), key)
        self.assertEqual(comprobante.findtext("infoFactura/identificacionComprador"), CUSTOMER_CEDULA)
        self.assertEqual(comprobante.findtext("infoFactura/importeTotal"), "414.00")
        pdf = base64.b64decode(files[ride_id]["datas"])
        self.assertEqual(files[ride_id]["mimetype"], "application/pdf")
        self.assertTrue(pdf.startswith(b"%PDF"), pdf[:20])

        # The exchange log is readable by the editor, too.
        exchanges = self._rpc(editor, "l10n_ec_sri.exchange", "search_read", [("res_model", "=", "account.move"), ("res_id", "=", move_id)],
                              fields=["kind", "outcome"])
        self.assertEqual(sorted(e["kind"] for e in exchanges), ["authorize", "send"])

    def test_readonly_user_cannot_post(self):
        partner = self.env["res.partner"].create({
            "name": "Lucía Chiriboga",
            "vat": CUSTOMER_CEDULA,
            "l10n_latam_identification_type_id": self.env.ref("l10n_ec.ec_dni").id,
            "country_id": self.env.ref("base.ec").id,
        })
        move_id = self._draft_invoice_rpc(self.editor, partner.id)
        # The read-only user sees the draft but can neither post, send nor create.
        [move] = self._rpc(self.readonly, "account.move", "read", [move_id], fields=["state"])
        self.assertEqual(move["state"], "draft")
        with self.assertRaises(Fault) as caught:
            self._rpc(self.readonly, "account.move", "action_post", [move_id])
        self.assertEqual(caught.exception.faultCode, RPC_FAULT_CODE_ACCESS_ERROR, caught.exception.faultString)
        with self.assertRaises(Fault) as caught:
            self._draft_invoice_rpc(self.readonly, partner.id)
        self.assertEqual(caught.exception.faultCode, RPC_FAULT_CODE_ACCESS_ERROR, caught.exception.faultString)
        self.assertEqual(self.env["account.move"].browse(move_id).state, "draft")

    def test_only_sri_admins_read_certificates(self):
        certificate = self.company.l10n_ec_sri_certificate_id
        for user in (self.readonly, self.editor):
            with self.subTest(user=user.login):
                with self.assertRaises(Fault) as caught:
                    self._rpc(user, "l10n_ec_sri.certificate", "search_read", [], fields=["name"])
                self.assertEqual(caught.exception.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
                with self.assertRaises(Fault) as caught:
                    self._rpc(user, "l10n_ec_sri.certificate", "read", [certificate.id], fields=["name"])
                self.assertEqual(caught.exception.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
        records = self._rpc(self.admin, "l10n_ec_sri.certificate", "search_read", [],
                            fields=["name", "holder_vat", "p12_file", "password"])
        self.assertEqual([r["id"] for r in records], certificate.ids)
        self.assertEqual(records[0]["holder_vat"], COMPANY_RUC)
        # the secrets are write-only, even for SRI administrators
        self.assertFalse(records[0]["p12_file"])
        self.assertFalse(records[0]["password"])
