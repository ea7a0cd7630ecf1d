# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re
from urllib.parse import urlsplit

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.l10n_ec_sri.sri import client as sri_client

SIMULATOR_URL = "http://127.0.0.1:8099"

# Exact legends of <contribuyenteRimpe> in the XML: never translated.
RIMPE_LEGENDS = {
    "entrepreneur": "CONTRIBUYENTE RÉGIMEN RIMPE",
    "popular": "CONTRIBUYENTE NEGOCIO POPULAR - RÉGIMEN RIMPE",
}


class ResCompany(models.Model):
    _inherit = "res.company"

    l10n_ec_sri_environment = fields.Selection(
        [("1", "Test"), ("2", "Production")],
        string="SRI Environment",
        default="1",
        required=True,
        help="Value of <ambiente> in the documents and in their access keys.",
    )
    l10n_ec_sri_endpoint = fields.Selection(
        [
            ("simulator", "Built-in simulator"),
            ("pruebas", "SRI test web services"),
            ("produccion", "SRI production web services"),
            ("custom", "Custom URL"),
        ],
        string="SRI Web Services",
        default="simulator",
        required=True,
        help="Where documents are sent: the simulator shipped with this module (no internet, "
        "for training and tests), the SRI's own test or production services, or another URL.",
    )
    l10n_ec_sri_endpoint_url = fields.Char(
        string="Web Services URL",
        default=SIMULATOR_URL,
        help="Base URL of the simulator or of the custom web services.",
    )
    l10n_ec_sri_special_taxpayer = fields.Char(
        string="Special Taxpayer Resolution",
        help="Resolution number given by the SRI to special taxpayers (contribuyentes "
        "especiales). Leave empty if the company is not one.",
    )
    l10n_ec_sri_accounting_required = fields.Boolean(
        string="Required to Keep Accounting",
        help="Obligado a llevar contabilidad: printed as SI/NO in the documents.",
    )
    l10n_ec_sri_rimpe = fields.Selection(
        [
            ("none", "Not in RIMPE"),
            ("entrepreneur", "RIMPE entrepreneur"),
            ("popular", "RIMPE popular business"),
        ],
        string="RIMPE Regime",
        default="none",
        required=True,
    )
    l10n_ec_sri_withholding_agent = fields.Char(
        string="Withholding Agent Resolution",
        help="Resolution number naming the company withholding agent (agente de retención), "
        "digits only. Leave empty if it is not one.",
    )
    l10n_ec_sri_certificate_id = fields.Many2one(
        "l10n_ec_sri.certificate",
        string="Signing Certificate",
        domain="[('company_id', '=', id)]",
        help="Certificate used to sign this company's electronic documents.",
    )
    l10n_ec_sri_auto_send = fields.Boolean(
        string="Send to SRI on Validation",
        default=True,
        help="Sign and send electronic documents as soon as they are posted.",
    )
    l10n_ec_sri_send_mail = fields.Boolean(
        string="Email Authorized Documents",
        default=True,
        help="Email the XML and the RIDE to the customer once the SRI authorizes the document.",
    )
    l10n_ec_sri_pool_size = fields.Integer(
        string="SRI Calls in Flight",
        default=8,
        help="How many calls to the SRI web services a queue run keeps in flight at once for this company "
        "(1 sends one document at a time).",
    )
    l10n_ec_sri_final_consumer_limit = fields.Monetary(
        string="Final Consumer Limit",
        currency_field="currency_id",
        default=50.0,
        help="Highest invoice total allowed for the final consumer (9999999999999).",
    )

    @api.constrains("l10n_ec_sri_pool_size")
    def _check_l10n_ec_sri_pool_size(self):
        for company in self:
            if not 1 <= company.l10n_ec_sri_pool_size <= 32:
                raise ValidationError(_("The SRI calls in flight of %s must be between 1 and 32.", company.name))

    @api.constrains("l10n_ec_sri_withholding_agent")
    def _check_l10n_ec_sri_withholding_agent(self):
        for company in self:
            value = company.l10n_ec_sri_withholding_agent
            if value and not re.fullmatch(r"[0-9]{1,8}", value):
                raise ValidationError(
                    _("The withholding agent resolution number must have 1 to 8 digits, and digits only.")
                )

    @api.constrains("l10n_ec_sri_special_taxpayer")
    def _check_l10n_ec_sri_special_taxpayer(self):
        for company in self:
            value = company.l10n_ec_sri_special_taxpayer
            if value and not re.fullmatch(r"[A-Za-z0-9]{3,13}", value):
                raise ValidationError(
                    _("The special taxpayer resolution number must have 3 to 13 letters or digits, "
                      "without spaces or symbols.")
                )

    @api.constrains("l10n_ec_sri_endpoint", "l10n_ec_sri_endpoint_url", "l10n_ec_sri_environment")
    def _check_l10n_ec_sri_endpoint(self):
        for company in self:
            endpoint = company.l10n_ec_sri_endpoint
            if endpoint in ("simulator", "custom"):
                url = (company.l10n_ec_sri_endpoint_url or "").strip()
                if endpoint == "custom" and not url:
                    raise ValidationError(_("Enter the URL of the custom SRI web services."))
                if url and not self._l10n_ec_sri_is_valid_url(url):
                    raise ValidationError(
                        _("The SRI web services URL %s is not valid: it must start with http:// or "
                          "https:// followed by a host name, without spaces.", url)
                    )
            if endpoint == "pruebas" and company.l10n_ec_sri_environment != "1":
                raise ValidationError(_("The SRI test web services only accept the Test environment."))
            if endpoint == "produccion" and company.l10n_ec_sri_environment != "2":
                raise ValidationError(
                    _("The SRI production web services only accept the Production environment.")
                )

    @api.constrains("l10n_ec_sri_certificate_id")
    def _check_l10n_ec_sri_certificate_company(self):
        for company in self.sudo():
            certificate = company.l10n_ec_sri_certificate_id
            if certificate and certificate.company_id != company:
                raise ValidationError(
                    _("The signing certificate %(certificate)s belongs to another company than %(company)s.",
                      certificate=certificate.name, company=company.name)
                )

    @staticmethod
    def _l10n_ec_sri_is_valid_url(url):
        if re.search(r"\s", url):
            return False
        try:
            parts = urlsplit(url)
            parts.port  # raises ValueError on a bad port
        except ValueError:
            return False
        return parts.scheme in ("http", "https") and bool(parts.hostname)

    def _l10n_ec_sri_endpoint_url(self):
        """What the SRI client needs: "pruebas", "produccion" or the base URL of the
        simulator / custom web services."""
        self.ensure_one()
        endpoint = self.l10n_ec_sri_endpoint
        if endpoint in ("pruebas", "produccion"):
            return endpoint
        url = (self.l10n_ec_sri_endpoint_url or "").strip()
        if endpoint == "simulator":
            return url or SIMULATOR_URL
        if not url:
            raise UserError(_("Enter the URL of the custom SRI web services of %s.", self.name))
        return url

    def _l10n_ec_sri_client(self):
        """The SRI client of the company: its web services, with the configured connect / read timeouts."""
        self.ensure_one()
        params = self.env["ir.config_parameter"].sudo()
        connect = float(params.get_param("l10n_ec_sri.connect_timeout", 10))
        read = float(params.get_param("l10n_ec_sri.read_timeout", 30))
        return sri_client.get_client(self._l10n_ec_sri_endpoint_url(), connect, read)

    def _l10n_ec_sri_rimpe_legend(self):
        """Exact <contribuyenteRimpe> text, or False when the company is not in RIMPE."""
        self.ensure_one()
        return RIMPE_LEGENDS.get(self.l10n_ec_sri_rimpe, False)

    def _l10n_ec_sri_signing_certificate(self):
        """Core ``Certificate`` configured for this company (raises UserError if missing/unusable)."""
        self.ensure_one()
        certificate = self.sudo().l10n_ec_sri_certificate_id
        if not certificate:
            raise UserError(
                _("No SRI signing certificate is configured for %s. Upload one in Accounting > "
                  "Configuration > Settings > SRI Ecuador.", self.name)
            )
        return certificate._l10n_ec_sri_signing_certificate()
