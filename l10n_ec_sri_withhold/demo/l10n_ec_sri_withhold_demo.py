# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Demo of l10n_ec_sri_withhold for "Andes Demo S.A." (``demo/l10n_ec_sri_withhold_demo.xml`` calls it):
suppliers with their taxpayer types, posted vendor bills, one comprobante de retención issued on two of them
(queued for the SRI like the demo invoices), one retención received from a customer on demo_invoice_1, and
a supplier's factura and nota de crédito imported from their authorized XML (made by ``sri.testing``; no
network while installing)."""
import logging

from odoo import Command, api, models

from odoo.addons.l10n_ec_sri.sri import access_key as sri_access_key
from odoo.addons.l10n_ec_sri.sri import testing
from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador

_logger = logging.getLogger(__name__)

SUPPLIERS = [
    # xml id, name, RUC, taxpayer type
    ("demo_supplier_suministros", "Suministros de Oficina Quito S.A.", "1790016919001", "sociedad"),
    ("demo_supplier_ortiz", "Pablo Ortiz Villacís", "1714283981001", "pn_no_obligada"),
    ("demo_supplier_taller", "Taller Mecánico Rimpe", "1792146739001", "rimpe_emprendedor"),
]


class L10nEcSriDemo(models.AbstractModel):
    _inherit = "l10n_ec_sri.demo"

    @api.model
    def _l10n_ec_sri_withhold_load_demo(self):
        company = self.env.ref("l10n_ec_sri.demo_company_andes", raise_if_not_found=False)
        if not company or not company.l10n_ec_sri_certificate_id:
            return
        if self.env.ref("l10n_ec_sri_withhold.demo_withhold_1", raise_if_not_found=False):
            return  # already done
        company._l10n_ec_sri_withhold_setup()
        IMD = self.env["ir.model.data"]
        chart = self.env["account.chart.template"].with_company(company)
        types = {t.code: t for t in self.env["l10n_ec_sri.taxpayer.type"].search([("company_id", "=", company.id)])}
        ec, ruc = self.env.ref("base.ec"), self.env.ref("l10n_ec.ec_ruc")
        suppliers = {}
        for xmlid, name, vat, type_code in SUPPLIERS:
            partner = self.env["res.partner"].create({
                "name": name, "vat": vat, "is_company": type_code != "pn_no_obligada", "country_id": ec.id,
                "l10n_latam_identification_type_id": ruc.id, "email": "proveedores@example.ec",
                "street": "Av. 10 de Agosto N21-45", "city": "Quito"})
            partner.with_company(company).l10n_ec_sri_taxpayer_type_id = types[type_code]
            IMD._update_xmlids([{"xml_id": f"l10n_ec_sri_withhold.{xmlid}", "record": partner, "noupdate": True}])
            suppliers[xmlid] = partner
        vat_15 = chart.ref("tax_vat_15_510_sup_01")
        purchase = self.env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "purchase"),
                                                      ("l10n_ec_sri_liquidation", "=", False)], limit=1)
        Move = self.env["account.move"].with_company(company).with_context(allowed_company_ids=company.ids)
        today = today_ecuador()
        bills = Move
        for number, (xmlid, label, price) in enumerate((
                ("demo_supplier_suministros", "Resmas de papel bond A4", 320.0),
                ("demo_supplier_suministros", "Mantenimiento de impresoras", 180.0),
                ("demo_supplier_ortiz", "Honorarios de asesoría contable", 600.0),
                ("demo_supplier_taller", "Reparación del vehículo de reparto", 250.0)), 1):
            bill = Move.create({
                "move_type": "in_invoice", "company_id": company.id, "journal_id": purchase.id,
                "partner_id": suppliers[xmlid].id, "invoice_date": today,
                "l10n_latam_document_number": "001-001-%09d" % (4500 + number),
                "l10n_ec_sri_supplier_authorization": sri_access_key.build(
                    today, "01", suppliers[xmlid].vat, "1", "001", "001", "%09d" % (4500 + number), "12345678"),
                "invoice_line_ids": [Command.create({"name": label, "quantity": 1, "price_unit": price,
                                                     "tax_ids": [Command.set(vat_15.ids)]})],
            })
            IMD._update_xmlids([{"xml_id": f"l10n_ec_sri_withhold.demo_bill_{number}", "record": bill,
                                 "noupdate": True}])
            bills |= bill
        bills.action_post()
        # one retención on the first two bills (one supplier), queued for the SRI
        wizard = self.env["l10n_ec_sri.withhold.wizard"].with_company(company).with_context(
            active_model="account.move", active_ids=bills[:2].ids, allowed_company_ids=company.ids).create({})
        withhold = self.env["account.move"].browse(wizard.action_confirm()["res_id"])
        IMD._update_xmlids([{"xml_id": "l10n_ec_sri_withhold.demo_withhold_1", "record": withhold, "noupdate": True}])

        # documents received: a customer's retención on demo_invoice_1, a supplier's factura and credit note
        invoice = self.env.ref("l10n_ec_sri.demo_invoice_1")
        customer = invoice.commercial_partner_id
        supplier = suppliers["demo_supplier_suministros"]
        base = invoice.amount_untaxed
        vat = invoice.amount_tax
        files = [
            testing.received_xml(
                "retencion", "2.0.0", issuer_ruc=customer.vat, receiver_identification=company.vat,
                receiver_name=company.partner_id.name, sequential=731, emission_date=today,
                supports=[{"doc_number": invoice.l10n_latam_document_number, "doc_date": invoice.invoice_date,
                           "base": "%.2f" % base, "withholdings": [
                               {"code": "1", "withholding_code": "312", "base": "%.2f" % base, "percentage": "1.75"},
                               {"code": "2", "withholding_code": "1", "base": "%.2f" % vat, "percentage": "30"}]}]),
            testing.received_xml("factura", "2.1.0", issuer_ruc=supplier.vat, receiver_identification=company.vat,
                                 receiver_name=company.partner_id.name, sequential=8801, emission_date=today),
            testing.received_xml("factura", "1.0.0", issuer_ruc="1792146739001", receiver_identification=company.vat,
                                 receiver_name=company.partner_id.name, sequential=8802, emission_date=today),
        ]
        records, errors = self.env["l10n_ec_sri.received"].with_company(company)._l10n_ec_sri_import(
            company, datas=files)
        for error in errors:
            _logger.warning("l10n_ec_sri_withhold demo: a received document was not imported: %s", error)
        _logger.info("l10n_ec_sri_withhold demo: %s bills, retención %s queued, %s received documents imported",
                     len(bills), withhold.l10n_ec_sri_withhold_number, len(records))
