# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Electronic documents by state, type, period, establishment and punto de emisión, whatever their source (an
invoice, a retención, a guía...): the date, the establishment and the punto de emisión are read from the access
key (fechaEmision, serie), the same for every source."""
from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import KIND_SELECTION, SRI_STATES

#: documents to fix or to follow: waiting for the SRI, returned, not authorized
TO_FIX_STATES = ("to_send", "retry", "received", "returned", "not_authorized")


class L10nEcSriReportDocument(models.Model):
    _name = "l10n_ec_sri.report.document"
    _inherit = ["l10n_ec_sri.report"]
    _description = "SRI documents report"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "name"

    document_id = fields.Many2one("l10n_ec_sri.document", string="Electronic document", readonly=True)
    name = fields.Char(string="Number", readonly=True)
    kind = fields.Selection(KIND_SELECTION, string="Document type", readonly=True)
    state = fields.Selection(SRI_STATES, string="SRI state", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Receiver", readonly=True)
    date = fields.Date(string="Issue date", readonly=True)
    establishment = fields.Char(string="Establishment", readonly=True)
    emission_point = fields.Char(string="Emission point", readonly=True)
    environment = fields.Selection([("1", "Test"), ("2", "Production")], string="Environment", readonly=True)
    authorization_date = fields.Datetime(string="Authorization date", readonly=True)
    last_error = fields.Text(string="SRI messages", readonly=True)
    amount_untaxed = fields.Float(string="Untaxed amount", readonly=True, digits="Account")
    amount_total = fields.Float(string="Total", readonly=True, digits="Account")
    res_model = fields.Char(string="Source model", readonly=True)
    res_id = fields.Integer(string="Source", readonly=True)

    def _l10n_ec_sri_view_sql(self):
        # access key: fechaEmision (1-8, ddmmyyyy), codDoc, RUC, ambiente (24), serie (25-30), secuencial ...
        return SQL("""
            SELECT doc.id, doc.id AS document_id, doc.name, doc.kind, doc.state, doc.company_id, doc.partner_id,
                   CASE WHEN doc.access_key ~ '^[0-9]{49}$' THEN to_date(substr(doc.access_key, 1, 8), 'DDMMYYYY')
                   END AS date,
                   substr(doc.access_key, 25, 3) AS establishment, substr(doc.access_key, 28, 3) AS emission_point,
                   doc.environment, doc.authorization_date, doc.last_error,
                   COALESCE(move.amount_untaxed, 0.0) AS amount_untaxed,
                   COALESCE(move.amount_total, 0.0) AS amount_total,
                   doc.res_model, doc.res_id
              FROM l10n_ec_sri_document doc
              LEFT JOIN account_move move ON doc.res_model = 'account.move' AND move.id = doc.res_id
        """)

    def action_open_source(self):
        """The invoice, retención or guía this row is, in its own form (where it is fixed or issued again)."""
        self.ensure_one()
        return self.document_id.action_open_source()
