# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict

from odoo import api, models


class L10nEcSriDocument(models.Model):
    _inherit = "l10n_ec_sri.document"

    @api.model
    def _l10n_ec_sri_reserve(self, sources):
        """The engine's quota hook: a guía needs a plan with guías; the documents of the counted types are counted
        on each account's monthly counter, all refused when one account would pass its limit."""
        super()._l10n_ec_sri_reserve(sources)
        per_account = defaultdict(int)
        for source in sources:
            account = source.company_id.sudo().l10n_ec_sri_subscription_id
            if not account:
                continue
            kind = source._l10n_ec_sri_kind()
            if kind == "guia_remision":
                account._l10n_ec_sri_check_feature("guides")
            if kind in account.plan_id.counted_kind_ids.mapped("code"):
                per_account[account] += 1
        for account, count in per_account.items():
            account._l10n_ec_sri_reserve_documents(count)
