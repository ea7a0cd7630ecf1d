# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the ATS's exportaciones section needs of an export sale (a customer invoice to a customer abroad): the
kind of export, the fiscal regime of the destination country, the DAE (declaración aduanera de exportación,
formerly the refrendo) for goods, the transport document, the shipment date and the FOB value. The countries'
codes are the SRI's own table (``res.country.l10n_ec_sri_ats_code``), not ISO's."""
import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

#: exportacionDe (ATS): what was exported
EXPORT_TYPES = [
    ("01", "Goods with DAE (refrendo)"),
    ("02", "Goods without DAE"),
    ("03", "Services and other income from abroad"),
]
#: tipoRegi (ATS): the fiscal regime of the country the income comes from
EXPORT_REGIMES = [
    ("01", "General regime"),
    ("02", "Tax haven"),
    ("03", "Preferential tax regime or lower-tax jurisdiction"),
]
#: distrito aduanero - año - régimen - correlativo, e.g. 028-2026-40-00012345
DAE_PATTERN = re.compile(r"^(\d{3})-(\d{4})-([A-Za-z0-9]{2})-(\d{6,8})$")
TRANSPORT_PATTERN = re.compile(r"^[0-9A-Za-z]{3,13}$")


def split_dae(number):
    """'028-2026-40-00012345' -> ('028', '2026', '40', '00012345'), or None."""
    match = DAE_PATTERN.match((number or "").strip())
    return match.groups() if match else None


class ResCountry(models.Model):
    _inherit = "res.country"

    l10n_ec_sri_ats_code = fields.Char(
        string="SRI country code (ATS)", size=3,
        help="The country's code in the SRI's table of countries (three digits), used in the ATS's exportaciones "
             "and payments abroad. It is not the ISO code.")

    @api.constrains("l10n_ec_sri_ats_code")
    def _check_l10n_ec_sri_ats_code(self):
        for country in self.filtered("l10n_ec_sri_ats_code"):
            if not re.fullmatch(r"\d{3}", country.l10n_ec_sri_ats_code):
                raise ValidationError(_("The SRI country code of %(country)s must be three digits (the SRI's table of "
                                        "countries), not %(code)s.", country=country.name,
                                        code=country.l10n_ec_sri_ats_code))


class AccountMove(models.Model):
    _inherit = "account.move"

    l10n_ec_sri_export_type = fields.Selection(
        EXPORT_TYPES, string="Export (ATS)", copy=False,
        help="Set on a customer invoice that is an export: it is declared in the ATS's exportaciones section "
             "instead of its sales.")
    l10n_ec_sri_export_regime = fields.Selection(EXPORT_REGIMES, string="Fiscal regime abroad", default="01",
                                                 copy=False)
    l10n_ec_sri_export_country_id = fields.Many2one(
        "res.country", string="Export country", copy=False,
        compute="_compute_l10n_ec_sri_export_country_id", store=True, readonly=False,
        help="The country the goods or services go to (the customer's, unless changed).")
    l10n_ec_sri_export_dae = fields.Char(
        string="DAE", copy=False,
        help="Declaración aduanera de exportación (refrendo): customs district - year - regime - number, e.g. "
             "028-2026-40-00012345. Required for goods with DAE.")
    l10n_ec_sri_export_transport = fields.Char(string="Transport document", copy=False,
                                               help="Bill of lading, air waybill...: 3 to 13 letters and digits.")
    l10n_ec_sri_export_shipment_date = fields.Date(string="Shipment date", copy=False)
    l10n_ec_sri_export_port_loading = fields.Char(
        string="Port of loading", copy=False,
        help="Where the goods are shipped from (puertoEmbarque of the factura's comercio exterior), e.g. Guayaquil.")
    l10n_ec_sri_export_port_destination = fields.Char(
        string="Port of destination", copy=False,
        help="Where the goods are shipped to (puertoDestino of the factura's comercio exterior), e.g. Rotterdam.")
    l10n_ec_sri_export_fob = fields.Monetary(
        string="FOB value", copy=False, compute="_compute_l10n_ec_sri_export_fob", store=True, readonly=False,
        help="The FOB value of the export (the invoice's untaxed amount unless changed).")

    @api.depends("partner_id", "l10n_ec_sri_export_type")
    def _compute_l10n_ec_sri_export_country_id(self):
        for move in self:
            if move.l10n_ec_sri_export_type and not move.l10n_ec_sri_export_country_id:
                move.l10n_ec_sri_export_country_id = move.commercial_partner_id.country_id
            elif not move.l10n_ec_sri_export_type:
                move.l10n_ec_sri_export_country_id = False

    @api.depends("amount_untaxed", "l10n_ec_sri_export_type")
    def _compute_l10n_ec_sri_export_fob(self):
        for move in self:
            move.l10n_ec_sri_export_fob = move.amount_untaxed if move.l10n_ec_sri_export_type else 0.0

    @api.constrains("l10n_ec_sri_export_type", "l10n_ec_sri_export_dae", "l10n_ec_sri_export_transport", "move_type")
    def _check_l10n_ec_sri_export(self):
        for move in self.filtered("l10n_ec_sri_export_type"):
            if move.move_type != "out_invoice":
                raise ValidationError(_("Only a customer invoice can be an export (%s).", move.display_name))
            if move.l10n_ec_sri_export_dae and not split_dae(move.l10n_ec_sri_export_dae):
                raise ValidationError(_(
                    "The DAE of %(move)s must read customs district - year - regime - number, e.g. "
                    "028-2026-40-00012345 (not %(dae)s).", move=move.display_name, dae=move.l10n_ec_sri_export_dae))
            if move.l10n_ec_sri_export_transport and not TRANSPORT_PATTERN.match(move.l10n_ec_sri_export_transport):
                raise ValidationError(_("The transport document of %s must be 3 to 13 letters and digits.",
                                        move.display_name))

    def _l10n_ec_sri_export_issues(self):
        """What the ATS needs and this export invoice lacks: a list of translated messages."""
        self.ensure_one()
        issues = []
        country = self.l10n_ec_sri_export_country_id
        if not country:
            issues.append(_("%s is an export without its export country.", self.display_name))
        elif not country.l10n_ec_sri_ats_code:
            issues.append(_("The country %(country)s has no SRI country code (ATS): set it on the country (the "
                            "SRI's table of countries) to declare %(move)s.", country=country.name,
                            move=self.display_name))
        if not self.l10n_ec_sri_export_shipment_date:
            issues.append(_("%s is an export without its shipment date.", self.display_name))
        if self.l10n_ec_sri_export_type == "01":
            if not split_dae(self.l10n_ec_sri_export_dae):
                issues.append(_("%s exports goods with DAE but has no DAE number (028-2026-40-00012345).",
                                self.display_name))
            if not self.l10n_ec_sri_export_transport:
                issues.append(_("%s exports goods with DAE but has no transport document.", self.display_name))
        if self.l10n_ec_sri_export_fob <= 0:
            issues.append(_("%s is an export without its FOB value.", self.display_name))
        return issues

    # ------------------------------------------------------------------
    # The factura's comercio exterior (an export of goods)
    # ------------------------------------------------------------------
    def _l10n_ec_sri_is_goods_export(self):
        """A factura de exportación of goods carries the comercioExterior block; an export of services does not
        (no Incoterm, no ports)."""
        self.ensure_one()
        return self.move_type == "out_invoice" and self.l10n_ec_sri_export_type in ("01", "02")

    def _l10n_ec_sri_foreign_trade_countries(self):
        """(origin, destination, acquisition) countries of an export of goods: the company's (the goods leave
        Ecuador), the export country, the customer's (the export country when the customer has none)."""
        self.ensure_one()
        destination = self.l10n_ec_sri_export_country_id
        return (self.company_id.account_fiscal_country_id or self.company_id.country_id, destination,
                self.commercial_partner_id.country_id or destination)

    def _l10n_ec_sri_foreign_trade_issues(self):
        """What the factura's comercio exterior needs and this export of goods lacks: translated messages."""
        self.ensure_one()
        issues = []
        if not self.invoice_incoterm_id:
            issues.append(_("An export of goods needs its Incoterm (tab Export (ATS))."))
        if not (self.incoterm_location or "").strip():
            issues.append(_("An export of goods needs the place its Incoterm applies (Incoterm location, e.g. "
                            "Guayaquil)."))
        if not (self.l10n_ec_sri_export_port_loading or "").strip():
            issues.append(_("An export of goods needs its port of loading."))
        if not (self.l10n_ec_sri_export_port_destination or "").strip():
            issues.append(_("An export of goods needs its port of destination."))
        roles = (_("origin (the company's)"), _("destination"), _("acquisition (the customer's)"))
        for role, country in zip(roles, self._l10n_ec_sri_foreign_trade_countries()):
            if not country:
                issues.append(_("An export of goods needs a country of %s.", role))
            elif not country.l10n_ec_sri_ats_code:
                issues.append(_("The country %(country)s (country of %(role)s of the export) has no SRI country "
                                "code: set it on the country (the SRI's table of countries).", country=country.name,
                                role=role))
        return issues

    def _l10n_ec_sri_check_move(self):
        errors = super()._l10n_ec_sri_check_move()
        if self._l10n_ec_sri_is_goods_export():
            errors += self._l10n_ec_sri_foreign_trade_issues()
        return errors

    def _l10n_ec_sri_document_data(self, access_key=None):
        data = super()._l10n_ec_sri_document_data(access_key=access_key)
        if data.get("type") == "factura" and self._l10n_ec_sri_is_goods_export():
            origin, destination, acquisition = self._l10n_ec_sri_foreign_trade_countries()
            data["foreign_trade"] = {
                "incoterm": self.invoice_incoterm_id.code,
                "incoterm_place": self.incoterm_location,
                "origin_country": origin.l10n_ec_sri_ats_code,
                "port_of_loading": self.l10n_ec_sri_export_port_loading,
                "port_of_destination": self.l10n_ec_sri_export_port_destination,
                "destination_country": destination.l10n_ec_sri_ats_code,
                "acquisition_country": acquisition.l10n_ec_sri_ats_code,
            }
        return data
