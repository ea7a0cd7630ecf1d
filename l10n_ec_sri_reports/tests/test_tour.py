# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Browser tour (Chromium): an SRI administrator produces last month's ATS from the menu and asks for the
complete export (static/src/js/tours/l10n_ec_sri_reports_tour.js); the scheduled job builds it and the
administrator downloads it."""
import io
import shutil
import zipfile
from datetime import timedelta

from odoo import Command
from odoo.tests import tagged

from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador
from odoo.addons.l10n_ec_sri.tests.test_xmlrpc import L10nEcSriHttpCase


@tagged("post_install", "-at_install", "l10n_ec_sri_reports")
class TestReportsTour(L10nEcSriHttpCase):
    company_name = "Tour Reportes S.A."
    company_ruc = "0992345675001"

    def test_ats_and_export_tour(self):
        admin = self.env.ref("base.user_admin")
        admin.write({
            "company_ids": [Command.link(self.company.id)], "company_id": self.company.id,
            "groups_id": [Command.link(self.env.ref("l10n_ec_sri.group_l10n_ec_sri_admin").id)],
        })
        customer = self.env["res.partner"].create({
            "name": "Pedro Salazar", "vat": "1712345675", "country_id": self.env.ref("base.ec").id,
            "l10n_latam_identification_type_id": self.env.ref("l10n_ec.ec_dni").id})
        last_month = today_ecuador().replace(day=1) - timedelta(days=1)
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": customer.id, "journal_id": self.journal.id,
            "invoice_date": last_month,
            "invoice_line_ids": [Command.create({"product_id": self.product.id, "quantity": 1, "price_unit": 80.0,
                                                 "tax_ids": [Command.set(self.tax_15.ids)]})],
        })
        invoice.action_post()
        invoice.action_l10n_ec_sri_send()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized", invoice.l10n_ec_sri_last_error)

        self.start_tour("/odoo/action-l10n_ec_sri_reports.action_l10n_ec_sri_report_document",
                        "l10n_ec_sri_reports_ats_export", login="admin")

        export = self.env["l10n_ec_sri.export"].search([("company_id", "=", self.company.id)])
        self.assertEqual((len(export), export.state, export.user_id), (1, "queued", admin))
        self.addCleanup(shutil.rmtree, export._folder(), True)
        self.env["l10n_ec_sri.export"]._cron_run()
        self.assertEqual(export.state, "done", export.error)
        self.env.flush_all()
        self.authenticate("admin", "admin")
        response = self.url_open(export._download_url())
        self.assertEqual(response.status_code, 200)
        names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
        self.assertIn(f"xml/{invoice.l10n_ec_sri_access_key}.xml", names)
        self.assertIn(f"ride/{invoice.l10n_ec_sri_access_key}.pdf", names)
