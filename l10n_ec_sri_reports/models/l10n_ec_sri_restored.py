# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A document restored from an export: what the electronic document was issued from (an invoice, a
retención, a guía of the database it came from), kept as the restored document's source."""
from odoo import _, fields, models

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import KIND_SELECTION


class L10nEcSriRestored(models.Model):
    _name = "l10n_ec_sri.restored"
    _description = "SRI document restored from an export"
    _order = "id desc"

    name = fields.Char(string="Number", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Receiver", readonly=True)
    kind = fields.Selection(KIND_SELECTION, string="Document type", readonly=True)
    origin_model = fields.Char(string="Issued from (model)", readonly=True)
    origin_name = fields.Char(string="Issued from", readonly=True)
    amount_total = fields.Float(string="Total", readonly=True)
    document_id = fields.Many2one("l10n_ec_sri.document", string="Electronic document", readonly=True)
    access_key = fields.Char(related="document_id.access_key")
    state = fields.Selection(related="document_id.state")
    authorized_xml_id = fields.Many2one(related="document_id.authorized_xml_id")
    ride_id = fields.Many2one(related="document_id.ride_id")

    def _l10n_ec_sri_render_rides(self):
        """The flow asks for a RIDE missing after an authorization: a restored document has the one it had."""
        return {}, {record.id: _("Restored from an export: its RIDE is the one exported.") for record in self}, {}

    def _l10n_ec_sri_on_annulled(self, document):
        return None
