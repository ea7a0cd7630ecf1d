# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One row per web-service call made for an electronic document (reception or authorization)."""
import json

from odoo import api, fields, models

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
    _description = "SRI Web Service Exchange"
    _order = "create_date desc, id desc"
    _rec_name = "access_key"

    move_id = fields.Many2one("account.move", string="Document", index=True, ondelete="cascade")
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
    def _l10n_ec_sri_values(self, move, kind, result, endpoint=False):
        """Values of one exchange from a core ``Reception``/``Authorization``."""
        messages = list(getattr(result, "messages", None) or [])
        state = (getattr(result, "state", "") or "").strip().upper()
        outcome = getattr(result, "outcome", None)
        return {
            "move_id": move.id,
            "company_id": move.company_id.id,
            "access_key": getattr(result, "access_key", "") or move.l10n_ec_sri_access_key,
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
            "error": getattr(result, "error", "") or False,
            "http_status": getattr(result, "http_status", None) or 0,
            "duration": getattr(result, "duration", 0.0) or 0.0,
            "request": getattr(result, "raw_request", "") or False,
            "response": getattr(result, "raw_response", "") or False,
        }
