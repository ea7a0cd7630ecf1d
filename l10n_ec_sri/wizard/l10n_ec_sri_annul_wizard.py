# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, fields, models
from odoo.exceptions import UserError


class L10nEcSriAnnulWizard(models.TransientModel):
    _name = "l10n_ec_sri.annul.wizard"
    _description = "Record an annulment made on the SRI portal"

    document_ids = fields.Many2many("l10n_ec_sri.document", string="Documents", required=True)
    reason = fields.Text(required=True, help="Why the document was annulled on the SRI portal.")
    confirm = fields.Boolean(
        string="I annulled these documents on the SRI portal",
        help="The SRI offers no web service to annul: the annulment is made on SRI en línea, "
        "this only records it in Odoo and cancels the documents.",
    )

    def action_annul(self):
        self.ensure_one()
        if not self.confirm:
            raise UserError(_("Confirm that the documents were annulled on the SRI portal."))
        self.document_ids._annul(self.reason)
        return {"type": "ir.actions.act_window_close"}
