# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The ATS of the known data set (common.py) against hand-computed totals and the SRI's schema; what blocks it,
each line opening its record; the semestral period."""
import base64

from lxml import etree

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import flow_env
from odoo.addons.l10n_ec_sri.sri import ats as sri_ats

from .common import L10nEcSriReportsCase


@tagged("post_install", "-at_install", "l10n_ec_sri_reports")
class TestAts(L10nEcSriReportsCase):

    def _ats(self, **values):
        wizard = self.env["l10n_ec_sri.ats.wizard"].create({
            "company_id": self.company.id, "year": self.today.year, "month": self.today.strftime("%m"), **values})
        wizard.action_generate()
        return wizard

    def test_ats_of_the_data_set(self):
        self._data_set()
        wizard = self._ats()
        self.assertEqual(wizard.issue_ids.mapped("message"), [])
        self.assertEqual(wizard.state, "done")
        xml = base64.b64decode(wizard.ats_file)
        self.assertEqual(sri_ats.validate(xml), [])
        root = etree.fromstring(xml)
        self.assertEqual(root.findtext("IdInformante"), self.company.vat)
        self.assertEqual(root.findtext("Mes"), self.today.strftime("%m"))
        self.assertEqual(root.findtext("totalVentas"), "300.00", "100 + 200 + 50 − 50")
        self.assertEqual([(v.findtext("codEstab"), v.findtext("ventasEstab"))
                          for v in root.iterfind("ventasEstablecimiento/ventaEst")], [("001", "300.00")])

        ventas = {v.findtext("tipoComprobante"): v for v in root.iterfind("ventas/detalleVentas")}
        self.assertEqual(sorted(ventas), ["04", "18"])
        factura = ventas["18"]
        self.assertEqual([factura.findtext(t) for t in ("tpIdCliente", "idCliente", "tipoEmision", "numeroComprobantes",
                                                       "baseNoGraIva", "baseImponible", "baseImpGrav", "montoIva")],
                         ["05", self.customer.vat, "E", "3", "0.00", "200.00", "150.00", "17.50"])
        self.assertEqual([f.text for f in factura.iterfind("formasDePago/formaPago")], ["20"])
        nota = ventas["04"]
        self.assertEqual([nota.findtext(t) for t in ("numeroComprobantes", "baseImpGrav", "montoIva")],
                         ["1", "50.00", "2.50"])
        self.assertIsNone(nota.find("formasDePago"))

        (compra,) = root.iterfind("compras/detalleCompras")
        self.assertEqual([compra.findtext(t) for t in (
            "codSustento", "tpIdProv", "idProv", "tipoComprobante", "establecimiento", "puntoEmision", "secuencial",
            "autorizacion", "baseNoGraIva", "baseImponible", "baseImpGrav", "montoIva", "valorRetBienes",
            "valorRetServicios")], [
            "01", "01", "1790016919001", "01", "001", "002", "4567", "1" * 49, "30.00", "0.00", "100.00", "15.00",
            "4.50", "0.00"])
        self.assertEqual([(d.findtext("codRetAir"), d.findtext("baseImpAir"), d.findtext("porcentajeAir"),
                           d.findtext("valRetAir")) for d in compra.iterfind("air/detalleAir")],
                         [("312", "130.00", "1.75", "2.28")])
        estab, point, sequential = self.withhold.l10n_ec_sri_withhold_number.split("-")
        self.assertEqual([compra.findtext(t) for t in ("estabRetencion1", "ptoEmiRetencion1", "secRetencion1",
                                                       "autRetencion1")],
                         [estab, point, str(int(sequential)), self.withhold.l10n_ec_sri_access_key])
        self.assertEqual((wizard.purchases_count, wizard.sales_count, wizard.total_sales, wizard.total_purchases_vat),
                         (1, 4, 300.0, 15.0))
        # the printed summary (QWeb PDF) carries the same totals
        html = self.env["ir.actions.report"]._render_qweb_html(
            "l10n_ec_sri_reports.action_report_ats_summary", wizard.ids)[0].decode()
        summary = etree.fromstring(html, etree.HTMLParser())
        purchases = [[td.text.strip() for td in tr.iter("td")] for tr in summary.iterfind(".//table[@class='table table-sm o_ats_purchases']/tbody/tr")]
        self.assertEqual(purchases, [["01", "1", "130.00", "15.00", "4.50", "2.28"]])
        sales = [[td.text.strip() for td in tr.iter("td")] for tr in summary.iterfind(".//table[@class='table table-sm o_ats_sales']/tbody/tr")]
        self.assertEqual(sales, [["04", "1", "50.00", "2.50", "0.00"], ["18", "3", "350.00", "17.50", "0.00"]])
        pdf, kind = self.env["ir.actions.report"].with_context(force_report_rendering=True)._render_qweb_pdf("l10n_ec_sri_reports.action_report_ats_summary",
                                                                   wizard.ids)
        self.assertEqual((kind, pdf[:4]), ("pdf", b"%PDF"))

    def test_what_blocks_the_ats_opens_the_record(self):
        self._invoice(price=100.0)
        self._run_queue()
        bill = self._bill([(100.0, self.vat_purchase)], authorization=False)
        withheld = self._bill([(100.0, self.vat_purchase)], number="001-002-000004568")
        withhold = self._withhold(withheld)  # not sent to the SRI yet
        wizard = self._ats()
        self.assertEqual(wizard.state, "blocked")
        self.assertFalse(wizard.ats_file)
        by_record = {(issue.res_model, issue.res_id): issue for issue in wizard.issue_ids}
        self.assertIn("authorization", by_record[("account.move", bill.id)].message)
        self.assertIn("not authorized", by_record[("account.move", withhold.id)].message)
        action = by_record[("account.move", bill.id)].action_open()
        self.assertEqual((action["res_model"], action["res_id"]), ("account.move", bill.id))
        # fixed, generated again: the ATS is produced
        bill.button_draft()
        bill.l10n_ec_sri_supplier_authorization = "1" * 49
        bill.action_post()
        self._run_queue()
        wizard.action_generate()
        self.assertEqual(wizard.issue_ids.mapped("message"), [])
        self.assertEqual(wizard.state, "done")

    def _foreign_trade(self, incoterm="account.incoterm_FOB"):
        return {"invoice_incoterm_id": self.env.ref(incoterm).id, "incoterm_location": "Guayaquil",
                "l10n_ec_sri_export_port_loading": "Guayaquil", "l10n_ec_sri_export_port_destination": "Miami"}

    def test_exportaciones(self):
        usa = self.env.ref("base.us")
        usa.l10n_ec_sri_ats_code = "110"
        buyer = self.env["res.partner"].create({
            "name": "Fresh Fruits Inc.", "vat": "US123456789", "is_company": True, "country_id": usa.id,
            "l10n_latam_identification_type_id": self.env.ref("l10n_latam_base.it_fid").id})
        self.env.ref("base.ec").l10n_ec_sri_ats_code = "593"  # the test's codes, not a claim on the SRI's table
        export = self._invoice(partner=buyer, price=1250.0, taxes=self.tax_0, post=False)
        export.write({
            "l10n_ec_sri_export_type": "01", "l10n_ec_sri_export_dae": "028-2026-40-00012345",
            "l10n_ec_sri_export_transport": "MAEU123456", "l10n_ec_sri_export_shipment_date": self.today,
            **self._foreign_trade()})
        self.assertEqual((export.l10n_ec_sri_export_country_id, export.l10n_ec_sri_export_fob), (usa, 1250.0))
        export.action_post()
        local = self._invoice(price=100.0)
        self._run_queue()
        self.assertEqual(export.l10n_ec_sri_state, "authorized", export.l10n_ec_sri_last_error)
        wizard = self._ats()
        self.assertEqual(wizard.issue_ids.mapped("message"), [])
        xml = base64.b64decode(wizard.ats_file)
        self.assertEqual(sri_ats.validate(xml), [])
        root = etree.fromstring(xml)
        (detail,) = root.iterfind("exportaciones/detalleExportaciones")
        estab, point, sequential = export.l10n_ec_sri_document_id.name.split("-")
        self.assertEqual({child.tag: child.text for child in detail}, {
            "tipoRegi": "01", "paisEfecPagoGen": "110", "paisEfecExp": "110", "exportacionDe": "01",
            "tipoComprobante": "01", "distAduanero": "028", "anio": "2026", "regimen": "40", "correlativo": "00012345",
            "docTransp": "MAEU123456", "fechaEmbarque": self.today.strftime("%d/%m/%Y"), "valorFOB": "1250.00",
            "valorFOBComprobante": "1250.00", "establecimiento": estab, "puntoEmision": point,
            "secuencial": str(int(sequential)), "autorizacion": export.l10n_ec_sri_authorization_number,
            "fechaEmision": self.today.strftime("%d/%m/%Y")})
        # declared as an export, not among the sales
        self.assertEqual([v.findtext("idCliente") for v in root.iterfind("ventas/detalleVentas")],
                         [local.commercial_partner_id.vat])
        self.assertEqual(root.findtext("totalVentas"), "100.00")

        # an export of goods without its DAE, to a country without its SRI code: the ATS says so
        germany = self.env.ref("base.de")
        germany.l10n_ec_sri_ats_code = False
        buyer.country_id = germany
        other = self._invoice(partner=buyer, price=80.0, taxes=self.tax_0, post=False)
        other.write({"l10n_ec_sri_export_type": "01", "l10n_ec_sri_export_shipment_date": self.today,
                     **self._foreign_trade()})
        germany.l10n_ec_sri_ats_code = "023"  # the factura's comercio exterior needs it to be issued ...
        other.action_post()
        self._run_queue()
        germany.l10n_ec_sri_ats_code = False  # ... and the ATS, which is produced later, too
        wizard.action_generate()
        self.assertEqual(wizard.state, "blocked")
        messages = wizard.issue_ids.filtered(lambda issue: issue.res_id == other.id).mapped("message")
        self.assertTrue(any("DAE" in m for m in messages), messages)
        self.assertTrue(any("transport document" in m for m in messages), messages)
        self.assertTrue(any(germany.name in m for m in messages), messages)
        with self.assertRaises(ValidationError):
            self.env["account.move"].create({
                "move_type": "out_invoice", "partner_id": buyer.id, "journal_id": self.journal.id,
                "l10n_ec_sri_export_type": "01", "l10n_ec_sri_export_dae": "28-26-40-1"})

    def test_semestral_period(self):
        with self.assertRaises(UserError):
            self._ats(semestral=True, month="05")
        wizard = self._ats(semestral=True, month="06", year=2025)
        self.assertEqual(wizard.state, "done")
        root = etree.fromstring(base64.b64decode(wizard.ats_file))
        self.assertEqual((root.findtext("Mes"), root.findtext("regimenMicroempresa")), ("06", "SI"))
        self.assertEqual(wizard._period()[0].isoformat(), "2025-01-01")

    def test_ats_of_the_demo_month(self):
        """The demo company's month (facturas, nota de crédito, liquidación, bills and their retención, retenciones
        received) once the SRI answered: an ATS that follows the schema, whose totals are the reports' own."""
        demo = self.env.ref("l10n_ec_sri.demo_company_andes", raise_if_not_found=False)
        if not demo:
            self.skipTest("no demo data")
        demo.l10n_ec_sri_endpoint_url = self.simulator.url
        self.env.user.company_ids |= demo
        self.env = self.env(context=dict(self.env.context, allowed_company_ids=demo.ids))
        Document = self.env["l10n_ec_sri.document"]
        for _round in range(3):
            self._flow_write_documents(Document.search([("company_id", "=", demo.id),
                                                        ("state", "in", ("to_send", "retry", "received"))]))
            Document._process_queue(limit=50, company_ids=demo.ids)
        wizard = self.env["l10n_ec_sri.ats.wizard"].create({
            "company_id": demo.id, "year": self.today.year, "month": self.today.strftime("%m")})
        wizard.action_generate()
        self.assertEqual(wizard.issue_ids.mapped("message"), [])
        xml = base64.b64decode(wizard.ats_file)
        self.assertEqual(sri_ats.validate(xml), [])
        root = etree.fromstring(xml)
        self.assertTrue(root.find("compras/detalleCompras") is not None and root.find("ventas/detalleVentas") is not None)
        first, last = wizard._period()
        sales = self.env["l10n_ec_sri.report.tax"]._read_group(
            [("company_id", "=", demo.id), ("direction", "=", "sale"), ("date", ">=", first), ("date", "<=", last)],
            [], ["base:sum"])[0][0]
        self.assertAlmostEqual(float(root.findtext("totalVentas")), sales, places=2)

    @staticmethod
    def _flow_write_documents(documents):
        flow_env(documents).write({"next_try": fields.Datetime.now()})
