# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The factura de exportación: an export of goods carries the comercioExterior block (Incoterm, its place, ports,
the SRI's country codes), checked before posting; an export of services does not."""
from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import L10nEcSriReportsCase


@tagged("post_install", "-at_install", "l10n_ec_sri_reports")
class TestForeignTrade(L10nEcSriReportsCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the test's codes, not a claim on the SRI's table of countries
        cls.env.ref("base.ec").l10n_ec_sri_ats_code = "593"
        cls.netherlands = cls.env.ref("base.nl")
        cls.netherlands.l10n_ec_sri_ats_code = "129"
        cls.usa = cls.env.ref("base.us")
        cls.usa.l10n_ec_sri_ats_code = "110"
        cls.buyer = cls.env["res.partner"].create({
            "name": "Fruit Import B.V.", "vat": "NL123456789B01", "is_company": True, "country_id": cls.usa.id,
            "l10n_latam_identification_type_id": cls.env.ref("l10n_latam_base.it_fid").id})

    def _export(self, kind="01", **values):
        move = self._invoice(partner=self.buyer, price=9500.0, taxes=self.tax_0, post=False)
        move.write({"l10n_ec_sri_export_type": kind, "l10n_ec_sri_export_shipment_date": self.today, **values})
        return move

    def _info(self, move):
        return etree.fromstring(move.l10n_ec_sri_xml_id.raw).find("infoFactura")

    def test_export_of_goods_carries_comercio_exterior(self):
        move = self._export(
            l10n_ec_sri_export_country_id=self.netherlands.id, invoice_incoterm_id=self.env.ref("account.incoterm_CIF").id,
            incoterm_location="Rotterdam", l10n_ec_sri_export_port_loading="Guayaquil",
            l10n_ec_sri_export_port_destination="Rotterdam")
        move.action_post()
        self._run_queue()
        self.assertEqual(move.l10n_ec_sri_state, "authorized", move.l10n_ec_sri_last_error)
        info = self._info(move)
        self.assertEqual({tag: info.findtext(tag) for tag in (
            "comercioExterior", "incoTermFactura", "lugarIncoTerm", "paisOrigen", "puertoEmbarque", "puertoDestino",
            "paisDestino", "paisAdquisicion", "incoTermTotalSinImpuestos")}, {
            "comercioExterior": "EXPORTADOR", "incoTermFactura": "CIF", "lugarIncoTerm": "Rotterdam",
            "paisOrigen": "593",  # the company's country: the goods leave Ecuador
            "puertoEmbarque": "Guayaquil", "puertoDestino": "Rotterdam",
            "paisDestino": "129",  # the export country
            "paisAdquisicion": "110",  # the customer's country
            "incoTermTotalSinImpuestos": "CIF"})
        self.assertEqual(info.findtext("importeTotal"), "9500.00")  # the invoice's total: the block adds nothing
        # the RIDE prints it
        html = self.env["ir.actions.report"]._render_qweb_html("l10n_ec_sri.action_report_ride", move.ids)[0]
        ride = " ".join(etree.fromstring(html, etree.HTMLParser()).xpath("string(//body)").split())
        for text in ("Comercio Exterior: EXPORTADOR Incoterm: CIF Rotterdam", "Puerto de Embarque: Guayaquil",
                     "Puerto de Destino: Rotterdam", f"País de Destino: {self.netherlands.name}",
                     f"País de Adquisición: {self.usa.name}", f"País de Origen: {self.env.ref('base.ec').name}"):
            self.assertIn(text, ride)

    def test_export_of_goods_refused_until_its_comercio_exterior_is_complete(self):
        self.netherlands.l10n_ec_sri_ats_code = False
        move = self._export(l10n_ec_sri_export_country_id=self.netherlands.id, invoice_incoterm_id=False)
        with self.assertRaises(UserError) as caught:
            move.action_post()
        message = str(caught.exception)
        for expected in ("needs its Incoterm", "Incoterm location", "port of loading", "port of destination",
                         f"The country {self.netherlands.name} (country of destination"):
            self.assertIn(expected, message)
        self.assertNotIn(self.usa.name, message)  # the customer's country has its code
        self.assertEqual(move.state, "draft")
        self.assertFalse(move.l10n_ec_sri_document_id)
        # completed, it is issued
        self.netherlands.l10n_ec_sri_ats_code = "129"
        move.write({"invoice_incoterm_id": self.env.ref("account.incoterm_FOB").id, "incoterm_location": "Guayaquil",
                    "l10n_ec_sri_export_port_loading": "Guayaquil", "l10n_ec_sri_export_port_destination": "Rotterdam"})
        move.action_post()
        self._run_queue()
        self.assertEqual(move.l10n_ec_sri_state, "authorized", move.l10n_ec_sri_last_error)
        self.assertEqual(self._info(move).findtext("incoTermFactura"), "FOB")

    def test_export_of_services_and_local_sales_have_no_comercio_exterior(self):
        services = self._export(kind="03")
        services.action_post()
        local = self._invoice(price=100.0)
        self._run_queue()
        for move in services | local:
            self.assertEqual(move.l10n_ec_sri_state, "authorized", move.l10n_ec_sri_last_error)
            self.assertIsNone(self._info(move).find("comercioExterior"))
            html = self.env["ir.actions.report"]._render_qweb_html("l10n_ec_sri.action_report_ride", move.ids)[0]
            self.assertNotIn(b"o_ride_export", html)
