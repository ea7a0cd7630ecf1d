# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One withholding of a comprobante de retención: which document it withholds, which tax, base and amount.

Issued retenciones (to suppliers) and received ones (from customers) both keep their lines here; they are
the retención's legal content (its ``docsSustento``) and what the ATS reads. Written with their entry only:
once the entry is posted nobody changes them.
"""
from odoo import _, api, fields, models

#: percentage of an IVA withholding -> its codigoRetencion (SRI table; SPEC §5)
VAT_WITHHOLD_CODES = {0: "7", 10: "9", 20: "10", 30: "1", 50: "11", 70: "2", 100: "3"}


class L10nEcSriWithholdLine(models.Model):
    _name = "l10n_ec_sri.withhold.line"
    _inherit = ["l10n_ec_sri.move.part"]
    _description = "Withholding line (comprobante de retención)"
    _order = "withhold_id, bill_id, tax_type desc, id"

    withhold_id = fields.Many2one("account.move", string="Withholding", required=True, ondelete="cascade",
                                  index=True)
    company_id = fields.Many2one(related="withhold_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="withhold_id.company_currency_id")
    bill_id = fields.Many2one("account.move", string="Withheld document", required=True, ondelete="restrict",
                              index=True)
    tax_type = fields.Selection([("profit", "Income tax (renta)"), ("vat", "VAT (IVA)")], string="Tax",
                                required=True)
    tax_id = fields.Many2one("account.tax", string="Withholding tax", required=True, ondelete="restrict")
    code = fields.Char(string="SRI code", required=True,
                       help="codigoRetencion: the ATS concept of the renta withheld, or the code of the IVA rate.")
    base = fields.Monetary(required=True)
    percentage = fields.Float(required=True, digits=(5, 2))
    amount = fields.Monetary(string="Withheld", required=True)

    @api.model
    def _l10n_ec_sri_code(self, tax, tax_type):
        """codigoRetencion of a withholding tax of l10n_ec."""
        if tax_type == "vat":
            return VAT_WITHHOLD_CODES.get(int(round(abs(tax.amount))), "")
        return (tax.l10n_ec_code_base or "").strip()

    def _l10n_ec_sri_part_moves(self):
        return self.withhold_id

    def _l10n_ec_sri_part_locked_message(self):
        return _("The lines of a posted withholding cannot be changed: they are its legal content. Cancel it and "
                 "issue a new one if it is still possible.")
