# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One row per web-service call made for an electronic document (reception or authorization).
Append-only: rows are created by the SRI flow only and never changed or deleted by anyone."""
import json

from odoo import _, api, fields, models
from odoo.exceptions import UserError


EXCHANGE_STATES = [
    ("RECIBIDA", "RECIBIDA"),
    ("DEVUELTA", "DEVUELTA"),
    ("AUTORIZADO", "AUTORIZADO"),
    ("NO AUTORIZADO", "NO AUTORIZADO"),
    ("EN PROCESO", "EN PROCESO"),
    ("none", "Sin respuesta"),
]

OUTCOMES = [
    ("received", "Received"),
    ("already_received", "Already received (43)"),
    ("authorized", "Authorized"),
    ("rejected", "Rejected"),
    ("retry", "Retry later"),
]


class L10nEcSriExchange(models.Model):
    _name = "l10n_ec_sri.exchange"
    _inherit = ["l10n_ec_sri.flow.record"]
    _description = "SRI Web Service Exchange"
    _order = "create_date desc, id desc"
    _rec_name = "access_key"

    document_id = fields.Many2one("l10n_ec_sri.document", string="Document", index=True, ondelete="restrict",
                                  readonly=True)
    res_model = fields.Char(related="document_id.res_model", string="Source model")
    res_id = fields.Many2oneReference(related="document_id.res_id", string="Source record", model_field="res_model")
    company_id = fields.Many2one("res.company", required=True, index=True,
                                 default=lambda self: self.env.company)
    access_key = fields.Char(index=True, readonly=True)
    kind = fields.Selection(
        [("send", "Reception"), ("authorize", "Authorization")],
        required=True,
        readonly=True,
    )
    endpoint = fields.Char(readonly=True)
    state = fields.Selection(EXCHANGE_STATES, string="SRI State", readonly=True,
                             help="State written by the SRI in its answer.")
    outcome = fields.Selection(OUTCOMES, readonly=True)
    error_codes = fields.Char(readonly=True, help="Identifiers of the SRI messages, comma separated.")
    messages = fields.Text(readonly=True, help="Messages of the answer, one per line.")
    messages_json = fields.Text(string="Messages (JSON)", readonly=True)
    error = fields.Text(readonly=True, help="Network or HTTP problem when there was no usable answer.")
    http_status = fields.Integer(string="HTTP Status", readonly=True)
    duration = fields.Float(string="Duration (s)", digits=(10, 3), readonly=True)
    request = fields.Text(readonly=True)
    response = fields.Text(readonly=True)

    @api.model
    def _l10n_ec_sri_refuse(self):
        raise UserError(_("The log of exchanges with the SRI is append-only: its entries are written by the "
                          "SRI flow and nobody, administrators included, can add, change or delete them."))

    def unlink(self):
        self._l10n_ec_sri_refuse()

    @api.model
    def _l10n_ec_sri_values(self, document, kind, result, endpoint=False):
        """Values of one exchange from a core ``Reception``/``Authorization``."""
        messages = list(getattr(result, "messages", None) or [])
        state = (getattr(result, "state", "") or "").strip().upper()
        outcome = getattr(result, "outcome", None)
        return {
            "document_id": document.id,
            "company_id": document.company_id.id,
            "access_key": getattr(result, "access_key", "") or document.access_key,
            "kind": kind,
            "endpoint": endpoint or False,
            "state": state if state in dict(EXCHANGE_STATES) else "none",
            "outcome": str(outcome.value if hasattr(outcome, "value") else outcome) if outcome else False,
            "error_codes": ", ".join(m.identifier for m in messages if m.identifier) or False,
            "messages": "\n".join(result.reasons) if hasattr(result, "reasons") else False,
            "messages_json": json.dumps(
                [
                    {
                        "identifier": m.identifier,
                        "message": m.message,
                        "additional_info": m.additional_info,
                        "type": m.type,
                    }
                    for m in messages
                ],
                ensure_ascii=False,
            ),
            "error": "\n".join(text for text in (getattr(result, "error", ""),
                                                  getattr(result, "error_detail", "")) if text) or False,
            "http_status": getattr(result, "http_status", None) or 0,
            "duration": getattr(result, "duration", 0.0) or 0.0,
            "request": getattr(result, "raw_request", "") or False,
            "response": getattr(result, "raw_response", "") or False,
        }
