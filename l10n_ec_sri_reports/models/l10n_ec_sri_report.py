# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What every report of this module shares: read-only SQL views, one row per fact, each row one click from
the record it comes from; the export for BI (Odoo's XLSX/CSV export of a report) and the advanced reports
(per customer/supplier, period against period) refused where the plans module says the company's plan lacks
advanced reports (``res.company._l10n_ec_sri_plan_check('advanced_reports')``; without that module every
report is open)."""
from odoo import _, api, models
from odoo.tools import SQL

#: l10n_ec tax group types that are IVA, in the order reports show them
IVA_TYPES = [
    ("zero_vat", "IVA 0 %"),
    ("vat05", "IVA 5 %"),
    ("vat08", "IVA 8 %"),
    ("vat12", "IVA 12 %"),
    ("vat13", "IVA 13 %"),
    ("vat14", "IVA 14 %"),
    ("vat15", "IVA 15 %"),
    ("not_charged_vat", "No objeto de IVA"),
    ("exempt_vat", "Exento de IVA"),
]
SALE_TYPES = ("out_invoice", "out_refund")
PURCHASE_TYPES = ("in_invoice", "in_refund")


def check_advanced(env):
    """Refuse (PlanLimitError) when a company the user works in has a plan without advanced reports."""
    companies = env.companies
    if hasattr(companies, "_l10n_ec_sri_plan_check"):
        companies._l10n_ec_sri_plan_check("advanced_reports")


def form_action(record):
    """The window action opening ``record`` in its form."""
    return {"type": "ir.actions.act_window", "res_model": record._name, "res_id": record.id, "view_mode": "form"}


def tax_rows_sql():
    """One row per IVA base (an invoice line and its IVA: a line without IVA counts as no objeto) and per IVA
    amount (a tax line) of the posted sales and purchases; amounts signed as the accountant reads them (a
    credit note subtracts). Columns: id (stable: 2 × line id, + 1 for a tax line), move_id, company_id,
    journal_id, partner_id (commercial), date (the document's date), direction, move_type, iva, base, tax."""
    iva = tuple(code for code, _label in IVA_TYPES)
    return SQL(
        """
        WITH iva_tax AS (
            SELECT tax.id AS tax_id, grp.l10n_ec_type AS iva
              FROM account_tax tax
              JOIN account_tax_group grp ON grp.id = tax.tax_group_id
             WHERE grp.l10n_ec_type IN %(iva)s
        ), doc AS (
            SELECT move.id, move.company_id, move.journal_id, move.commercial_partner_id AS partner_id,
                   COALESCE(move.invoice_date, move.date) AS date, move.move_type,
                   CASE WHEN move.move_type IN %(sale)s THEN 'sale' ELSE 'purchase' END AS direction,
                   CASE WHEN move.move_type IN %(sale)s THEN -1 ELSE 1 END AS sign
              FROM account_move move
             WHERE move.state = 'posted' AND move.move_type IN %(types)s
        )
        SELECT line.id * 2 AS id, doc.id AS move_id, doc.company_id, doc.journal_id, doc.partner_id, doc.date,
               doc.direction, doc.move_type, COALESCE(tax.iva, 'not_charged_vat') AS iva,
               doc.sign * line.balance AS base, 0.0 AS tax
          FROM account_move_line line
          JOIN doc ON doc.id = line.move_id
          LEFT JOIN LATERAL (
                SELECT iva_tax.iva FROM account_move_line_account_tax_rel rel
                  JOIN iva_tax ON iva_tax.tax_id = rel.account_tax_id
                 WHERE rel.account_move_line_id = line.id
                 LIMIT 1) tax ON TRUE
         WHERE line.display_type = 'product'
        UNION ALL
        SELECT line.id * 2 + 1, doc.id, doc.company_id, doc.journal_id, doc.partner_id, doc.date, doc.direction,
               doc.move_type, iva_tax.iva, 0.0, doc.sign * line.balance
          FROM account_move_line line
          JOIN doc ON doc.id = line.move_id
          JOIN iva_tax ON iva_tax.tax_id = line.tax_line_id
         WHERE line.display_type = 'tax'
        """,
        iva=iva, sale=SALE_TYPES, types=SALE_TYPES + PURCHASE_TYPES,
    )


class L10nEcSriReport(models.AbstractModel):
    """A read-only report over a SQL view (``_auto = False``; ``_l10n_ec_sri_view_sql`` gives its SELECT)."""

    _name = "l10n_ec_sri.report"
    _description = "SRI report"
    _auto = False

    def _l10n_ec_sri_view_sql(self):
        raise NotImplementedError

    def init(self):
        if self._abstract:
            return
        self.env.cr.execute(SQL("DROP VIEW IF EXISTS %s", SQL.identifier(self._table)))
        self.env.cr.execute(SQL("CREATE VIEW %s AS (%s)", SQL.identifier(self._table), self._l10n_ec_sri_view_sql()))

    def _l10n_ec_sri_pdf_groups(self, fnames, sums):
        """The rows of a printed report grouped by ``fnames`` (selection labels in the user's language), each
        group [labels..., row count, sum of each of ``sums``], in the order of the labels; and the totals."""
        labels = {name: dict(self._fields[name]._description_selection(self.env)) for name in fnames
                  if self._fields[name].type == "selection"}

        def label(row, name):
            value = row[name]
            if name in labels:
                return labels[name].get(value, value or "")
            if isinstance(value, models.BaseModel):  # a many2one: its name
                return value.display_name or ""
            return value or ""

        groups = {}
        for row in self:
            key = tuple(label(row, name) for name in fnames)
            group = groups.setdefault(key, [0] + [0.0] * len(sums))
            group[0] += 1
            for index, name in enumerate(sums, 1):
                group[index] += row[name]
        totals = [len(self)] + [sum(self.mapped(name)) for name in sums]
        return [list(key) + values for key, values in sorted(groups.items())], totals

    def export_data(self, fields_to_export):
        """The XLSX/CSV export of a report is the export for BI: an advanced report."""
        check_advanced(self.env)
        result = super().export_data(fields_to_export)
        self.env["l10n_ec_sri.audit"]._log("export", self.env["ir.model"]._get(self._name),
                                           detail=_("%s rows", len(self)))
        return result


class L10nEcSriReportAdvanced(models.AbstractModel):
    """An advanced report: read only where the plan allows advanced reports (web client, XML-RPC alike)."""

    _name = "l10n_ec_sri.report.advanced"
    _inherit = ["l10n_ec_sri.report"]
    _description = "SRI advanced report"

    @api.model
    def search_fetch(self, domain, field_names, offset=0, limit=None, order=None):
        check_advanced(self.env)
        return super().search_fetch(domain, field_names, offset=offset, limit=limit, order=order)

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        check_advanced(self.env)
        return super()._read_group(domain, groupby, aggregates, having=having, offset=offset, limit=limit,
                                   order=order)

    @api.model
    def search_count(self, domain, limit=None):
        check_advanced(self.env)
        return super().search_count(domain, limit=limit)

    def fetch(self, field_names):
        # read() of known ids (XML-RPC) fetches too
        check_advanced(self.env)
        return super().fetch(field_names)


class ReportSriAdvancedPdf(models.AbstractModel):
    """The printed advanced reports: refused where the plan lacks advanced reports, with the plan's message
    (checked before rendering: an error inside the template would reach the user as a template error)."""

    _name = "report.l10n_ec_sri_reports.report_sri_partners"
    _description = "SRI printed report: per customer / supplier"
    _l10n_ec_sri_model = "l10n_ec_sri.report.partner"

    @api.model
    def _get_report_values(self, docids, data=None):
        check_advanced(self.env)
        return {"doc_ids": docids, "doc_model": self._l10n_ec_sri_model,
                "docs": self.env[self._l10n_ec_sri_model].browse(docids), "data": data}


class ReportSriComparePdf(models.AbstractModel):
    _name = "report.l10n_ec_sri_reports.report_sri_compare"
    _inherit = ["report.l10n_ec_sri_reports.report_sri_partners"]
    _description = "SRI printed report: period against period"
    _l10n_ec_sri_model = "l10n_ec_sri.report.compare"
