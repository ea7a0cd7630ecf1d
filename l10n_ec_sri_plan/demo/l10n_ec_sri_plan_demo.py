# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Demo of l10n_ec_sri_plan: "Andes Demo S.A." on the Pro plan; "Costa Libre Demo Cía. Ltda." on the free plan,
ready to issue (ec chart of accounts, generated test certificate, the simulator as endpoint, sale journal 001-001),
xml id ``l10n_ec_sri_plan.demo_company_free``, so that its limits can be seen at work: the admin may switch to it."""
import logging

from odoo import Command, api, models

_logger = logging.getLogger(__name__)

FREE_COMPANY_RUC = "1793456782001"


class L10nEcSriDemo(models.AbstractModel):
    _inherit = "l10n_ec_sri.demo"

    @api.model
    def _l10n_ec_sri_plan_load_demo(self):
        if self.env.ref("l10n_ec_sri_plan.demo_company_free", raise_if_not_found=False):
            return  # already done
        # demo data loads before the install hook: the existing companies get their accounts first
        self.env["res.company"]._l10n_ec_sri_plan_setup_existing()
        andes = self.env.ref("l10n_ec_sri.demo_company_andes", raise_if_not_found=False)
        pro = self.env.ref("l10n_ec_sri_plan.plan_pro")
        if andes:
            subscription = andes.l10n_ec_sri_subscription_id.sudo()
            previous = subscription.plan_id
            subscription.write({"plan_id": pro.id, "amount_paid": pro.price})
            subscription._l10n_ec_sri_log("upgrade", previous, pro)
        company = self.env["res.company"].create({
            "name": "Costa Libre Demo Cía. Ltda.",
            "vat": FREE_COMPANY_RUC,
            "country_id": self.env.ref("base.ec").id,
            "currency_id": self.env.ref("base.USD").id,
            "street": "Av. 9 de Octubre 424",
            "city": "Guayaquil",
            "email": "facturacion@costalibre.example.ec",
        })
        self.env["ir.model.data"]._update_xmlids([
            {"xml_id": "l10n_ec_sri_plan.demo_company_free", "record": company, "noupdate": True}])
        self._l10n_ec_sri_setup_company(company)
        self.env.ref("base.user_admin").write({"company_ids": [Command.link(company.id)]})
        _logger.info("l10n_ec_sri_plan demo: %s on %s, %s on %s", andes.name if andes else "-", pro.name,
                     company.name, company.l10n_ec_sri_subscription_id.plan_id.name)
