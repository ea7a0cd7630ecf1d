# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from odoo import models

from .l10n_ec_sri_api_webhook import EVENTS

_logger = logging.getLogger(__name__)


class L10nEcSriDocument(models.Model):
    _inherit = "l10n_ec_sri.document"

    def write(self, vals):
        """The flow moving documents to authorized, not authorized or returned queues the webhooks'
        deliveries (in the same transaction: an answer rolled back tells nobody)."""
        state = vals.get("state")
        changed = self.filtered(lambda d: d.state != state) if state in EVENTS else self.browse()
        result = super().write(vals)
        if changed:
            try:
                with self.env.cr.savepoint():
                    self.env["l10n_ec_sri.api.webhook.delivery"]._l10n_ec_sri_enqueue(changed, state)
            except Exception:  # the SRI's answer is recorded whatever happens to its webhooks
                _logger.exception("SRI API: webhook deliveries of documents %s not queued", changed.ids)
        return result
