# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A known data set for the reports and the ATS: in the test company, this month,
- factura 1: 100.00 at IVA 15 % (customer with a cédula), authorized;
- factura 2: 200.00 at IVA 0 %, authorized;
- factura 3: 50.00 at IVA 5 %, and its nota de crédito (50.00 at 5 %);
- a vendor bill of a sociedad: 100.00 at IVA 15 % + 30.00 no objeto de IVA, its retención issued (renta 312 at
  1.75 % of 130.00 = 2.28, IVA 30 % of 15.00 = 4.50)."""
from odoo import Command

from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador
from odoo.addons.l10n_ec_sri.tests.common import L10nEcSriFlowCase
from odoo.addons.l10n_ec_sri.tests.test_xmlrpc import CUSTOMER_CEDULA, L10nEcSriHttpCase


class L10nEcSriReportsCase(L10nEcSriFlowCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        chart = cls.env["account.chart.template"].with_company(cls.company)
        cls.tax_0 = chart.ref("tax_vat_415_goods")
        cls.tax_5 = chart.ref("tax_vat_05_411_goods")
        cls.vat_purchase = chart.ref("tax_vat_15_510_sup_01")
        cls.vat_not_charged = chart.ref("tax_vat_541_sup_02")
        cls.journal_withhold = cls.env["account.journal"].search([
            ("company_id", "=", cls.company.id), ("l10n_ec_sri_withhold_type", "=", "issued")])
        sociedad = cls.env["l10n_ec_sri.taxpayer.type"].search(
            [("company_id", "=", cls.company.id), ("code", "=", "sociedad")])
        cls.supplier = cls.env["res.partner"].create({
            "name": "Distribuidora Andina S.A.", "vat": "1790016919001", "is_company": True,
            "l10n_latam_identification_type_id": cls.env.ref("l10n_ec.ec_ruc").id,
            "country_id": cls.env.ref("base.ec").id, "email": "proveedor@example.com"})
        cls.supplier.with_company(cls.company).l10n_ec_sri_taxpayer_type_id = sociedad
        cls.goods = cls.env["product.product"].create({
            "name": "Resma de papel", "type": "consu", "supplier_taxes_id": [Command.set(cls.vat_purchase.ids)]})

    def _bill(self, lines, number="001-002-000004567", authorization="1" * 49, post=True, **values):
        bill = self.env["account.move"].create({
            "move_type": "in_invoice", "partner_id": self.supplier.id, "invoice_date": self.today,
            "journal_id": self.company_data["default_journal_purchase"].id,
            "l10n_latam_document_number": number, "l10n_ec_sri_supplier_authorization": authorization,
            "invoice_line_ids": [Command.create({
                "product_id": self.goods.id, "quantity": 1, "price_unit": price, "tax_ids": [Command.set(tax.ids)]})
                for price, tax in lines],
            **values,
        })
        if post:
            bill.action_post()
        return bill

    def _withhold(self, bills):
        wizard = self.env["l10n_ec_sri.withhold.wizard"].with_context(
            active_model="account.move", active_ids=bills.ids).create({})
        return self.env["account.move"].browse(wizard.action_confirm()["res_id"])

    def _data_set(self):
        self.invoice_15 = self._invoice(price=100.0)
        self.invoice_0 = self._invoice(price=200.0, taxes=self.tax_0)
        self.invoice_5 = self._invoice(price=50.0, taxes=self.tax_5)
        self._run_queue()  # a credit note modifies an authorized factura only
        self.refund_5 = self._credit_note(self.invoice_5)
        self.refund_5.action_post()
        self.bill = self._bill([(100.0, self.vat_purchase), (30.0, self.vat_not_charged)])
        self.withhold = self._withhold(self.bill)
        self._run_queue()


class L10nEcSriReportsHttpCase(L10nEcSriHttpCase):
    """A company with an SRI read-only user and an SRI administrator, a customer with a cédula, and
    ``invoice_prices`` authorized facturas (``cls.moves``, their documents ``cls.documents``)."""

    user_prefix = "sri_reports"
    readonly_groups = "l10n_ec_sri.group_l10n_ec_sri_readonly"
    invoice_prices = (100.0,)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.readonly = cls._sri_user(f"{cls.user_prefix}_readonly", cls.readonly_groups)
        cls.sri_admin = cls._sri_user(f"{cls.user_prefix}_admin", "l10n_ec_sri.group_l10n_ec_sri_admin")
        cls.customer = cls.env["res.partner"].create({
            "name": "Lucía Chiriboga", "vat": CUSTOMER_CEDULA, "email": "lucia@example.com",
            "l10n_latam_identification_type_id": cls.env.ref("l10n_ec.ec_dni").id,
            "country_id": cls.env.ref("base.ec").id, "street": "Av. 10 de Agosto N25-12", "city": "Quito",
        })
        cls.moves = cls.env["account.move"]
        for price in cls.invoice_prices:
            move = cls.env["account.move"].create({
                "move_type": "out_invoice", "partner_id": cls.customer.id, "journal_id": cls.journal.id,
                "invoice_date": today_ecuador(),
                "invoice_line_ids": [Command.create({"product_id": cls.product.id, "quantity": 1, "price_unit": price,
                                                     "tax_ids": [Command.set(cls.tax_15.ids)]})],
            })
            move.action_post()
            move.action_l10n_ec_sri_send()
            cls.moves |= move
        cls.documents = cls.moves.l10n_ec_sri_document_id
        assert set(cls.documents.mapped("state")) == {"authorized"}, cls.documents.mapped("last_error")
        assert all(cls.documents.mapped("authorized_xml_id")) and all(cls.documents.mapped("ride_id"))
