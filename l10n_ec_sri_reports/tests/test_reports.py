# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The reports' figures on a known data set (common.py), one company's rows only, each row opening its
record."""
from odoo import Command
from odoo.tests import tagged

from .common import L10nEcSriReportsCase


@tagged("post_install", "-at_install", "l10n_ec_sri_reports")
class TestReports(L10nEcSriReportsCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.setup_other_company(name="Otra Empresa S.A.")["company"]

    def setUp(self):
        super().setUp()
        self._data_set()
        self.env.flush_all()

    def _mine(self, model):
        return self.env[model].search([("company_id", "=", self.company.id)])

    def test_documents_by_state_type_period_establishment(self):
        rows = self._mine("l10n_ec_sri.report.document")
        by_name = {row.document_id: row for row in rows}
        for move in (self.invoice_15, self.invoice_0, self.invoice_5, self.refund_5, self.withhold):
            row = by_name[move.l10n_ec_sri_document_id]
            self.assertEqual(row.state, move.l10n_ec_sri_state)
            self.assertEqual(row.date, self.today, "the date is the access key's fechaEmision")
            estab, point, _seq = move.l10n_ec_sri_document_id.name.split("-")
            self.assertEqual((row.establishment, row.emission_point), (estab, point))
        self.assertEqual(by_name[self.invoice_15.l10n_ec_sri_document_id].amount_total, 115.0)
        groups = self.env["l10n_ec_sri.report.document"]._read_group(
            [("company_id", "=", self.company.id)], ["kind", "state"], ["__count"])
        self.assertEqual(sorted((kind, state, count) for kind, state, count in groups), [
            ("factura", "authorized", 3), ("nota_credito", "authorized", 1), ("retencion", "authorized", 1)])
        action = by_name[self.invoice_15.l10n_ec_sri_document_id].action_open_source()
        self.assertEqual((action["res_model"], action["res_id"]), ("account.move", self.invoice_15.id))

    def test_to_fix_lists_returned_documents_with_the_sri_message(self):
        self._flow_write(self.invoice_0, {"state": "returned", "last_error": "ERROR 35: ARCHIVO NO CUMPLE ESTRUCTURA"})
        self.env.flush_all()
        Report = self.env["l10n_ec_sri.report.document"]
        to_fix = Report.search([("company_id", "=", self.company.id),
                                ("state", "in", ("to_send", "retry", "received", "returned", "not_authorized"))])
        self.assertEqual(to_fix.document_id, self.invoice_0.l10n_ec_sri_document_id)
        self.assertIn("ERROR 35", to_fix.last_error)

    def test_sales_and_purchases_by_iva_rate(self):
        groups = self.env["l10n_ec_sri.report.tax"]._read_group(
            [("company_id", "=", self.company.id)], ["direction", "iva"], ["base:sum", "tax:sum"])
        self.assertEqual({(d, iva): (round(b, 2), round(t, 2)) for d, iva, b, t in groups}, {
            ("sale", "vat15"): (100.0, 15.0),
            ("sale", "zero_vat"): (200.0, 0.0),
            ("sale", "vat05"): (0.0, 0.0),       # the credit note takes the invoice back
            ("purchase", "vat15"): (100.0, 15.0),
            ("purchase", "not_charged_vat"): (30.0, 0.0),
        })
        refund_rows = self.env["l10n_ec_sri.report.tax"].search([("move_id", "=", self.refund_5.id)])
        self.assertEqual(sorted(refund_rows.mapped("base")), [-50.0, 0.0])
        self.assertEqual(sorted(refund_rows.mapped("tax")), [-2.5, 0.0])

    def test_printed_reports(self):
        Report = self.env["ir.actions.report"]
        rows = self._mine("l10n_ec_sri.report.document")
        groups, totals = rows._l10n_ec_sri_pdf_groups(["state", "kind"], ["amount_total"])
        self.assertEqual([group[:3] for group in groups], [
            ["Autorizado", "Comprobante de retención", 1], ["Autorizado", "Factura", 3],
            ["Autorizado", "Nota de crédito", 1]])
        self.assertEqual(totals, [5, sum(rows.mapped("amount_total"))])
        html = Report._render_qweb_html("l10n_ec_sri_reports.report_sri_documents", rows.ids)[0].decode()
        self.assertIn("%.2f" % totals[1], html)
        for row in rows:
            self.assertIn(row.name, html)
        pdf, kind = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "l10n_ec_sri_reports.report_sri_documents", rows.ids)
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

        taxes = self._mine("l10n_ec_sri.report.tax")
        groups, _totals = taxes._l10n_ec_sri_pdf_groups(["direction", "iva"], ["base", "tax"])
        by_rate = {(group[0], group[1]): (round(group[3], 2), round(group[4], 2)) for group in groups}
        self.assertEqual(by_rate[("Sales", "IVA 15 %")], (100.0, 15.0))
        self.assertEqual(by_rate[("Purchases", "IVA 15 %")], (100.0, 15.0))
        self.assertEqual(by_rate[("Sales", "IVA 5 %")], (0.0, 0.0), "the credit note takes the invoice back")
        html = Report._render_qweb_html("l10n_ec_sri_reports.report_sri_tax", taxes.ids)[0].decode()
        self.assertIn("IVA 15 %", html)
        self.assertIn("200.00", html)

    def test_printed_withholdings_partners_and_comparison(self):
        Report = self.env["ir.actions.report"]
        withholds = self._mine("l10n_ec_sri.report.withhold")
        groups, totals = withholds._l10n_ec_sri_pdf_groups(["direction", "tax_type", "code"], ["base", "amount"])
        self.assertEqual([(g[0], g[1], g[2], g[3], round(g[4], 2), round(g[5], 2)) for g in groups], [
            ("Issued", "Income tax (renta)", "312", 1, 130.0, 2.28), ("Issued", "VAT (IVA)", "1", 1, 15.0, 4.5)])
        html = Report._render_qweb_html("l10n_ec_sri_reports.report_sri_withholds", withholds.ids)[0].decode()
        for figure in ("130.00", "2.28", "15.00", "4.50", "312", self.withhold.name, self.bill.name):
            self.assertIn(figure, html)

        partners = self._mine("l10n_ec_sri.report.partner")
        groups, _totals = partners._l10n_ec_sri_pdf_groups(["direction", "partner_id"], ["base", "tax", "withheld"])
        self.assertEqual({(g[0], g[1]): tuple(round(v, 2) for v in g[3:]) for g in groups}, {
            ("Sales", self.customer.display_name): (300.0, 15.0, 0.0),
            ("Purchases", self.supplier.display_name): (130.0, 15.0, 6.78)})
        html = Report._render_qweb_html("l10n_ec_sri_reports.report_sri_partners", partners.ids)[0].decode()
        for figure in ("300.00", "130.00", "6.78", self.supplier.name):
            self.assertIn(figure, html)

        wizard = self.env["l10n_ec_sri.report.compare"].create({})
        action = wizard.action_print()
        self.assertEqual(action["report_name"], "l10n_ec_sri_reports.report_sri_compare")
        self.assertTrue(wizard.line_ids, "printing compares first")
        html = Report._render_qweb_html("l10n_ec_sri_reports.report_sri_compare", wizard.ids)[0].decode()
        self.assertIn("200.00", html)  # IVA 0 % sales this month, none the month before: +200.00
        pdf, kind = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "l10n_ec_sri_reports.report_sri_withholds", withholds.ids)
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_withholdings_by_code(self):
        groups = self.env["l10n_ec_sri.report.withhold"]._read_group(
            [("company_id", "=", self.company.id)], ["direction", "tax_type", "code"], ["base:sum", "amount:sum"])
        self.assertEqual(sorted((d, t, c, round(b, 2), round(a, 2)) for d, t, c, b, a in groups), [
            ("issued", "profit", "312", 130.0, 2.28), ("issued", "vat", "1", 15.0, 4.5)])
        row = self._mine("l10n_ec_sri.report.withhold")[:1]
        self.assertEqual(row.action_open_withhold()["res_id"], self.withhold.id)

    def test_per_partner_and_period_comparison_without_plans(self):
        groups = self.env["l10n_ec_sri.report.partner"]._read_group(
            [("company_id", "=", self.company.id)], ["partner_id"], ["base:sum", "tax:sum", "withheld:sum"])
        self.assertEqual({p: (round(b, 2), round(t, 2), round(w, 2)) for p, b, t, w in groups}, {
            self.customer: (300.0, 15.0, 0.0), self.supplier: (130.0, 15.0, 6.78)})
        wizard = self.env["l10n_ec_sri.report.compare"].create({})
        wizard.action_compare()
        line = wizard.line_ids.filtered(lambda l: (l.direction, l.iva) == ("sale", "zero_vat"))
        self.assertEqual((line.base, line.compare_base, line.variation), (200.0, 0.0, 200.0))
        wizard.write({"compare_from": wizard.date_from, "compare_to": wizard.date_to})
        wizard.action_compare()
        self.assertTrue(all(line.variation == 0.0 for line in wizard.line_ids))

    def test_a_user_never_sees_another_companys_rows(self):
        other_bill = self.env["account.move"].with_company(self.other).create({
            "move_type": "in_invoice", "partner_id": self.supplier.id, "invoice_date": self.today,
            "company_id": self.other.id,
            "l10n_latam_document_number": "001-002-000000010", "l10n_ec_sri_supplier_authorization": "2" * 49,
            "invoice_line_ids": [Command.create({
                "name": "Otra compra", "quantity": 1, "price_unit": 80.0,
                "tax_ids": [Command.set(self.env["account.chart.template"].with_company(self.other).ref(
                    "tax_vat_15_510_sup_01").ids)]})],
        })
        other_bill.action_post()
        self.env.flush_all()
        user = self.env["res.users"].create({
            "name": "Contadora", "login": "contadora_reports", "company_id": self.company.id,
            "company_ids": [Command.set(self.company.ids)],
            "groups_id": [Command.set([self.env.ref("base.group_user").id,
                                       self.env.ref("l10n_ec_sri.group_l10n_ec_sri_readonly").id])]})
        as_user = self.env(user=user)
        for model in ("l10n_ec_sri.report.document", "l10n_ec_sri.report.tax", "l10n_ec_sri.report.withhold",
                      "l10n_ec_sri.report.partner"):
            rows = as_user[model].search([])
            self.assertTrue(rows, model)
            self.assertEqual(rows.company_id, self.company, model)
        self.assertTrue(self.env["l10n_ec_sri.report.tax"].search([("move_id", "=", other_bill.id)]),
                        "the other company's rows exist")
        self.assertFalse(as_user["l10n_ec_sri.report.tax"].search([("move_id", "=", other_bill.id)]))

    def test_reports_are_read_only(self):
        row = self._mine("l10n_ec_sri.report.tax")[:1]
        with self.assertRaises(Exception):
            row.write({"base": 1.0})
