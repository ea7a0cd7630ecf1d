# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Browser tour (Chromium): the admin opens a posted invoice, clicks "Enviar al SRI" and sees the
"Autorizado" badge (static/src/js/tours/l10n_ec_sri_send_invoice.js)."""
from odoo import Command
from odoo.tests import tagged

from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador

from .test_xmlrpc import L10nEcSriHttpCase


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestTour(L10nEcSriHttpCase):
    company_name = "Tour SRI S.A."
    company_ruc = "1791234561001"

    def test_send_invoice_tour(self):
        admin = self.env.ref("base.user_admin")
        admin.write({
            "company_ids": [Command.link(self.company.id)],
            "company_id": self.company.id,
            "groups_id": [Command.link(self.env.ref("l10n_ec_sri.group_l10n_ec_sri_editor").id)],
        })
        customer = self.env["res.partner"].create({
            "name": "Pedro Salazar",
            "vat": "1712345675",
            "l10n_latam_identification_type_id": self.env.ref("l10n_ec.ec_dni").id,
            "country_id": self.env.ref("base.ec").id,
        })
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": customer.id,
            "journal_id": self.journal.id,
            "invoice_date": today_ecuador(),
            "invoice_line_ids": [Command.create({
                "product_id": self.product.id,
                "quantity": 1,
                "price_unit": 80.0,
                "tax_ids": [Command.set(self.tax_15.ids)],
            })],
        })
        invoice.action_post()
        self.assertEqual(invoice.l10n_ec_sri_state, "to_send")

        self.start_tour(f"/odoo/action-account.action_move_out_invoice_type/{invoice.id}",
                        "l10n_ec_sri_send_invoice", login="admin")

        invoice.invalidate_recordset()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized", invoice.l10n_ec_sri_last_error)
        self.assertTrue(invoice.l10n_ec_sri_authorized_xml_id)
