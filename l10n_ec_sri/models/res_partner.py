# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The partner's identification checked as the SRI checks it, when it is typed and saved.

``l10n_ec`` already shows a non-blocking warning on the partner form (``l10n_ec_vat_validation``, an alert
at the top of ``base.view_partner_form``) for the types RUC and cédula. This module extends that same
field rather than adding a second mechanism, because as it is it lets through numbers that posting then
refuses, and tells the user they may well be right:

- it checks with ``stdnum.is_valid`` only, which accepts a public RUC (third digit 6) ending in ``000``
  (no establishment), that the SRI core (``sri.identification``) and so posting refuse;
- its messages say the number "seems to be invalid" and "could be an old VAT number" / "SRI has stated
  that this validation is not required anymore", and always blame the tenth digit (also when the
  province, the third digit, the establishment or the ninth digit of a public RUC is wrong): users
  ignore it and learn at posting that the invoice cannot be issued;
- it is an alert only: nothing is said while typing.

Here, for the types posting sends as RUC (04) or cédula (05), the number is checked by the same core
function posting uses, the warning says why the SRI refuses it, and the onchange returns it as a
notification. Saving is never blocked: a foreign ID, a passport, the final consumer 9999999999999 and
every other type are not checked here (posting checks what applies to them).
"""
from odoo import _, api, models

from odoo.addons.l10n_ec_sri.sri import errors as sri_errors
from odoo.addons.l10n_ec_sri.sri import identification as sri_identification

from .sri_adapter import FINAL_CONSUMER_VAT, ID_TYPES


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _l10n_ec_sri_identification_problem(self):
        """Why the SRI refuses this partner's RUC or cédula (the core's Spanish reason), or False.
        False for every other identification type and for the final consumer."""
        self.ensure_one()
        vat = (self.vat or "").strip()
        if not vat or vat == FINAL_CONSUMER_VAT or not self.l10n_latam_identification_type_id:
            return False
        sri_type = ID_TYPES.get(self._l10n_ec_get_identification_type())
        if sri_type not in (sri_identification.RUC, sri_identification.CEDULA):
            return False
        try:
            sri_identification.validate(sri_type, vat)
        except sri_errors.SriValidationError as exc:
            return "; ".join(error.message for error in exc.errors)
        return False

    @api.depends("vat", "country_id", "l10n_latam_identification_type_id")
    def _compute_l10n_ec_vat_validation(self):
        super()._compute_l10n_ec_vat_validation()
        for partner in self:
            problem = partner._l10n_ec_sri_identification_problem()
            if problem:
                partner.l10n_ec_vat_validation = _(
                    "Identification not valid for the SRI: %(reason)s. The partner is saved, but its "
                    "electronic documents will be refused at posting until the number is corrected.",
                    reason=problem,
                )

    @api.onchange("vat", "l10n_latam_identification_type_id")
    def _onchange_l10n_ec_sri_identification(self):
        # The same message as the form's alert, as a notification while the user types.
        if self._l10n_ec_sri_identification_problem():
            return {"warning": {
                "title": _("Identification not valid for the SRI"),
                "message": self.l10n_ec_vat_validation,
            }}
