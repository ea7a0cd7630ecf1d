# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The XML Odoo issues for each document kind of account.move, compared with a golden file as trees
(Odoo's assertXmlTreeEqual): the signature is stripped; the access key, the emission and modified
documents' dates (today in the test) are marked ``___ignore___`` in the golden files.

To write the golden files again after a deliberate change: ``L10N_EC_SRI_UPDATE_GOLDEN=1`` while running
these tests, then review the diff (the three dynamic values must be set back to ``___ignore___``: the
update does it)."""
import os

from lxml import etree

from odoo.tests import tagged
from odoo.tools.misc import file_path

from .common import L10nEcSriFlowCase

DS = "{http://www.w3.org/2000/09/xmldsig#}Signature"
DYNAMIC = ("infoTributaria/claveAcceso", "*/fechaEmision", "*/fechaEmisionDocSustento")


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestSriGoldenXml(L10nEcSriFlowCase):

    def _unsigned(self, move):
        root = etree.fromstring(move.l10n_ec_sri_xml_id.raw)
        for signature in root.iter(DS):
            signature.getparent().remove(signature)
        return root

    def _compare(self, move, name):
        root = self._unsigned(move)
        path = os.path.join(os.path.dirname(__file__), "golden", f"{name}.xml")
        if os.environ.get("L10N_EC_SRI_UPDATE_GOLDEN"):
            for xpath in DYNAMIC:
                for node in root.findall(xpath):
                    node.text = "___ignore___"
            with open(path, "wb") as handle:
                handle.write(etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8"))
            return
        with open(file_path(f"l10n_ec_sri/tests/golden/{name}.xml"), "rb") as handle:
            expected = etree.fromstring(handle.read())
        self.assertXmlTreeEqual(root, expected)

    def test_factura(self):
        invoice = self._invoice(price=123.45, quantity=2.0, ref="OC-2026-77")
        self._compare(invoice, "factura")

    def test_nota_credito(self):
        invoice = self._invoice(price=80.0)
        self._run_queue()
        refund = self._credit_note(invoice, reason="Devolución parcial")
        refund.invoice_line_ids.write({"price_unit": 30.0})
        refund.action_post()
        self._compare(refund, "nota_credito")

    def test_nota_debito(self):
        invoice = self._invoice(price=80.0)
        self._run_queue()
        wizard = self.env["account.debit.note"].with_context(
            active_model="account.move", active_ids=invoice.ids,
        ).create({"reason": "Intereses por mora", "copy_lines": True, "date": self.today})
        debit = self.env["account.move"].browse(wizard.create_debit()["res_id"])
        debit.invoice_line_ids.write({"price_unit": 10.0})
        debit.action_post()
        self._compare(debit, "nota_debito")
