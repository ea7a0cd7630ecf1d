# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class AccountJournal(models.Model):
    _inherit = "account.journal"

    l10n_ec_sri_withhold_type = fields.Selection(
        [("issued", "Withholdings issued to suppliers"), ("received", "Withholdings received from customers")],
        string="SRI withholdings", copy=False,
        help="A miscellaneous journal that records comprobantes de retención: issued (to suppliers, numbered "
             "with this journal's establecimiento, punto de emisión and sequence, sent to the SRI) or "
             "received from customers.")
    l10n_ec_sri_withhold_sequence_id = fields.Many2one(
        "ir.sequence", string="Withholding sequence", copy=False, readonly=True,
        help="The secuencial of the retenciones issued on this journal (no gaps).")
    l10n_ec_sri_withhold_next = fields.Integer(
        string="Next withholding number", compute="_compute_l10n_ec_sri_withhold_next",
        inverse="_inverse_l10n_ec_sri_withhold_next",
        help="The secuencial the next retención issued on this journal takes (e.g. when moving from another "
             "system). It can only move forward.")

    @api.depends("type", "country_code", "l10n_latam_use_documents", "l10n_ec_sri_withhold_type")
    def _compute_l10n_ec_require_emission(self):
        super()._compute_l10n_ec_require_emission()
        for journal in self.filtered(lambda j: j.country_code == "EC" and j.l10n_ec_sri_withhold_type == "issued"):
            journal.l10n_ec_require_emission = True

    @api.depends("l10n_ec_sri_withhold_sequence_id.number_next_actual")
    def _compute_l10n_ec_sri_withhold_next(self):
        for journal in self:
            journal.l10n_ec_sri_withhold_next = journal.l10n_ec_sri_withhold_sequence_id.number_next_actual or 1

    def _inverse_l10n_ec_sri_withhold_next(self):
        for journal in self:
            sequence = journal._l10n_ec_sri_withhold_sequence()
            if journal.l10n_ec_sri_withhold_next < sequence.number_next_actual:
                raise ValidationError(_(
                    "The next withholding number of %(journal)s cannot go back (it is %(next)s): numbers already "
                    "issued to the SRI are never reused.", journal=journal.display_name,
                    next=sequence.number_next_actual))
            sequence.sudo().number_next_actual = journal.l10n_ec_sri_withhold_next

    @api.constrains("l10n_ec_sri_withhold_type", "type")
    def _check_l10n_ec_sri_withhold_type(self):
        for journal in self:
            if journal.l10n_ec_sri_withhold_type and journal.type != "general":
                raise ValidationError(_("Withholdings are recorded on a Miscellaneous journal (%s is not one).",
                                        journal.display_name))

    def _l10n_ec_sri_withhold_sequence(self):
        """The journal's own no-gap sequence of retenciones (created the first time)."""
        self.ensure_one()
        if not self.l10n_ec_sri_withhold_sequence_id:
            self.sudo().l10n_ec_sri_withhold_sequence_id = self.env["ir.sequence"].sudo().create({
                "name": _("Withholdings %s", self.display_name),
                "code": False,
                "implementation": "no_gap",
                "padding": 9,
                "company_id": self.company_id.id,
            })
        return self.l10n_ec_sri_withhold_sequence_id
