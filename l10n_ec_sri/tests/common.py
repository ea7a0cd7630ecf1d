# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import os
from unittest.mock import patch

from odoo.tests import TransactionCase
from odoo.tools import config

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import flow_env
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


# ---------------------------------------------------------------------------------------------
# Document flow (account.move -> SRI simulator)
# ---------------------------------------------------------------------------------------------
import tempfile  # noqa: E402

from odoo import Command, fields  # noqa: E402

from odoo.addons.account.tests.common import AccountTestInvoicingCommon  # noqa: E402
from odoo.addons.l10n_ec_sri.sri import documents as sri_documents  # noqa: E402
from odoo.addons.l10n_ec_sri.sri.simulator import Simulator  # noqa: E402

COMPANY_RUC = sri_testing.DEFAULT_RUC
CUSTOMER_CEDULA = "1710034065"


class L10nEcSriFlowCase(AccountTestInvoicingCommon):
    """An Ecuadorian company with a signing certificate, a customer with a cédula, and a fresh SRI
    simulator per test on a free loopback port (its store is per test, so sequentials restart)."""

    @classmethod
    @AccountTestInvoicingCommon.setup_country("ec")
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(
            patch.dict(config.options, {"l10n_ec_sri_key": base64.b64encode(os.urandom(32)).decode()})
        )
        cls.env.user.groups_id = [Command.link(cls.env.ref("l10n_ec_sri.group_l10n_ec_sri_admin").id)]
        cls.company = cls.company_data["company"]
        cls.company.write({
            "vat": COMPANY_RUC,
            "street": "Av. Amazonas N34-451",
            "city": "Quito",
            "l10n_ec_sri_environment": "1",
            "l10n_ec_sri_endpoint": "custom",
            "l10n_ec_sri_endpoint_url": "http://127.0.0.1:9",
            "l10n_ec_sri_send_mail": True,
            "l10n_ec_sri_auto_send": True,
        })
        cls.company.partner_id.write({"name": "EMPRESA DE PRUEBAS S.A.", "email": "facturas@empresa.ec"})
        cls.certificate = cls.env["l10n_ec_sri.certificate"].create({
            "name": "Firma de pruebas",
            "company_id": cls.company.id,
            "p12_file": base64.b64encode(sri_testing.make_p12(password=P12_PASSWORD, ruc=COMPANY_RUC)),
            "password": P12_PASSWORD,
        })
        cls.company.l10n_ec_sri_certificate_id = cls.certificate
        # Other companies' queued documents (the demo data) are not these tests' to send: their endpoint
        # (127.0.0.1:8099) may be the simulator of a running `make run`. Not due while the tests run.
        flow_env(cls.env["l10n_ec_sri.document"].search([
            ("company_id", "!=", cls.company.id), ("state", "in", ("to_send", "retry", "received")),
        ])).write({"next_try": "2999-01-01 00:00:00"})
        # wkhtmltopdf must not fetch the report assets from the test HTTP server (it would wait on
        # the test transaction): a closed port makes it fail fast; the RIDE carries its own CSS.
        cls.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        cls.env["ir.config_parameter"].sudo().set_param("l10n_ec_sri.read_timeout", 5)
        cls.env["ir.config_parameter"].sudo().set_param("l10n_ec_sri.connect_timeout", 2)
        ec = cls.env.ref("base.ec")
        cls.customer = cls.env["res.partner"].create({
            "name": "Juan Pérez",
            "vat": CUSTOMER_CEDULA,
            "l10n_latam_identification_type_id": cls.env.ref("l10n_ec.ec_dni").id,
            "country_id": ec.id,
            "street": "Calle Larga 1-23",
            "city": "Cuenca",
            "email": "juan.perez@example.com",
        })
        cls.final_consumer = cls.env.ref("l10n_ec.ec_final_consumer")
        cls.journal = cls.company_data["default_journal_sale"]
        cls.tax_15 = cls.env["account.chart.template"].with_company(cls.company).ref("tax_vat_15_411_goods")
        cls.product = cls.env["product.product"].create({
            "name": "Servicio de consultoría",
            "default_code": "CONS-01",
            "lst_price": 100.0,
            "taxes_id": [Command.set(cls.tax_15.ids)],
            "property_account_income_id": cls.company_data["default_account_revenue"].id,
        })
        cls.today = sri_documents.today_ecuador()

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        # Odoo's test guard compares ``timeout < 10`` and stretches short timeouts to 10 s; the SRI
        # client passes (connect, read) tuples and the timeout tests need short ones. Only the
        # loopback simulator is reached this way; anything else goes through Odoo's guard.
        from urllib.parse import urlsplit

        from odoo.tests.common import _super_send

        if urlsplit(r.url).hostname == "127.0.0.1":
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    def setUp(self):
        super().setUp()
        self.simulator = Simulator(port=0, db_path=os.path.join(tempfile.mkdtemp(prefix="sri_sim_"), "sim.sqlite3"))
        self.simulator.start()
        self.addCleanup(self.simulator.stop)
        self.company.l10n_ec_sri_endpoint_url = self.simulator.url

    # helpers -------------------------------------------------------------------------------
    def _invoice(self, partner=None, price=100.0, quantity=1.0, taxes=None, post=True, move_type="out_invoice",
                 **values):
        move = self.env["account.move"].create({
            "move_type": move_type,
            "partner_id": (partner or self.customer).id,
            "journal_id": self.journal.id,
            "invoice_date": self.today,
            "invoice_line_ids": [Command.create({
                "product_id": self.product.id,
                "quantity": quantity,
                "price_unit": price,
                "tax_ids": [Command.set((taxes if taxes is not None else self.tax_15).ids)],
            })],
            **values,
        })
        if post:
            move.action_post()
        return move

    def _credit_note(self, invoice, reason="Devolución de mercadería"):
        wizard = self.env["account.move.reversal"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"reason": reason, "journal_id": invoice.journal_id.id, "date": self.today})
        action = wizard.refund_moves()
        refund = self.env["account.move"].browse(action["res_id"])
        refund.invoice_date = self.today
        return refund

    def _run_queue(self):
        # only this test's company: a database with demo data has other companies' documents queued
        documents = self.env["l10n_ec_sri.document"]._process_queue(limit=50, company_ids=self.company.ids)
        return self.env["account.move"].browse([d.res_id for d in documents if d.res_model == "account.move"])

    def _make_due(self, moves):
        self._flow_write(moves, {"next_try": fields.Datetime.now()})

    @staticmethod
    def _flow_write(records, vals):
        """Write the SRI documents of ``records`` as the flow does (tests only: users cannot)."""
        return flow_env(records.l10n_ec_sri_document_id).write(vals)
