# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class AccountJournal(models.Model):
    _inherit = "account.journal"

    l10n_ec_sri_liquidation = fields.Boolean(
        string="Purchase liquidations", copy=False,
        help="Ecuador: the vendor bills of this purchase journal are liquidaciones de compra that the company "
             "issues to suppliers without RUC (cédula, passport or foreign ID): numbered by the journal with its "
             "establecimiento and punto de emisión, signed and sent to the SRI like an invoice.")

    @api.depends("type", "country_code", "l10n_latam_use_documents", "l10n_ec_sri_liquidation")
    def _compute_l10n_ec_require_emission(self):
        super()._compute_l10n_ec_require_emission()
        for journal in self.filtered(lambda j: j.country_code == "EC" and j.type == "purchase"
                                     and j.l10n_latam_use_documents and j.l10n_ec_sri_liquidation):
            journal.l10n_ec_require_emission = True

    @api.constrains("l10n_ec_sri_liquidation", "type", "l10n_latam_use_documents")
    def _check_l10n_ec_sri_liquidation(self):
        for journal in self.filtered("l10n_ec_sri_liquidation"):
            if journal.type != "purchase" or not journal.l10n_latam_use_documents:
                raise ValidationError(_(
                    "Only a purchase journal that uses documents can issue liquidaciones de compra (%s).",
                    journal.display_name))
