# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Comprobantes de retención as accounting entries.

A retención is an entry (``move_type`` entry) on a withholding journal (``l10n_ec_sri_withhold_type``):
issued to a supplier, it credits the withholding taxes' accounts and debits the supplier's payable, one
line per withheld bill reconciled with that bill; received from a customer, the other way round. Its
withholdings are ``l10n_ec_sri.withhold.line`` records (the ``docsSustento``).

An issued retención is an SRI document of ``account.move`` (kind ``retencion``): posting it numbers it on
the journal's own sequence and issues it through the engine (key, XML, signature, queue), exactly like a
factura; the base module's guards (no reset, no cancel once at the SRI) apply unchanged.
"""
import re
from collections import defaultdict
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

from odoo.addons.l10n_ec_sri.models.sri_adapter import ID_TYPES, VAT_CODES, _dec, _named_pieces, _text

#: ATS table 5 (sustento tributario) most companies use; the code comes from the bill's purchase taxes.
SUPPORT_CODES = [
    ("01", "01 Crédito tributario para declaración de IVA"),
    ("02", "02 Costo o gasto para declaración de IR"),
    ("03", "03 Activo fijo - crédito tributario para declaración de IVA"),
    ("04", "04 Activo fijo - costo o gasto para declaración de IR"),
    ("05", "05 Liquidación de gastos de viaje, hospedaje y alimentación (IR)"),
    ("06", "06 Inventario - crédito tributario para declaración de IVA"),
    ("07", "07 Inventario - costo o gasto para declaración de IR"),
    ("08", "08 Valor pagado para solicitar reembolso de gasto (intermediario)"),
    ("09", "09 Reembolso por siniestros"),
    ("10", "10 Distribución de dividendos, beneficios o utilidades"),
    ("15", "15 Pagos por reembolsos de gastos"),
    ("00", "00 Casos especiales cuyo sustento no aplica en las opciones anteriores"),
]
#: SRI payment methods (l10n_ec.sri.payment code) paid by card: the card issuer withholds, not the buyer.
CARD_PAYMENTS = ("16", "19")
#: l10n_ec purchase taxes carry their sustento in their xml id (``tax_vat_15_510_sup_01``)
_SUPPORT_IN_XMLID = re.compile(r"_sup_(\d{2})")


class AccountMove(models.Model):
    _inherit = "account.move"

    # --- on withholding entries
    l10n_ec_sri_withhold_type = fields.Selection(related="journal_id.l10n_ec_sri_withhold_type", store=True,
                                                 string="SRI withholding")
    l10n_ec_sri_withhold_number = fields.Char(
        string="Withholding number", copy=False, readonly=True, index="btree_not_null",
        help="Establecimiento-punto de emisión-secuencial of the comprobante de retención.")
    l10n_ec_sri_withhold_line_ids = fields.One2many("l10n_ec_sri.withhold.line", "withhold_id",
                                                    string="Withholdings", copy=False)
    l10n_ec_sri_withheld_ids = fields.Many2many("account.move", compute="_compute_l10n_ec_sri_withheld_ids",
                                                string="Withheld documents")
    l10n_ec_sri_withhold_total = fields.Monetary(compute="_compute_l10n_ec_sri_withhold_total",
                                                 currency_field="company_currency_id", string="Total withheld")
    # --- on bills and invoices
    l10n_ec_sri_withhold_ids = fields.Many2many("account.move", compute="_compute_l10n_ec_sri_withhold_ids",
                                                string="Withholdings of this document")
    l10n_ec_sri_withhold_count = fields.Integer(compute="_compute_l10n_ec_sri_withhold_ids")
    l10n_ec_sri_supplier_authorization = fields.Char(
        string="Supplier's authorization", copy=False, tracking=True,
        help="The SRI authorization of the supplier's document: its 49-digit access key (electronic) or the "
             "10-digit authorization of a preprinted one. The retención's docSustento and the ATS carry it.")
    l10n_ec_sri_support_code = fields.Selection(
        SUPPORT_CODES, string="Tax support (sustento)", compute="_compute_l10n_ec_sri_support_code",
        store=True, readonly=False, copy=False,
        help="ATS sustento tributario of this purchase, taken from its taxes; change it when needed.")

    @api.depends("l10n_ec_sri_withhold_line_ids.bill_id")
    def _compute_l10n_ec_sri_withheld_ids(self):
        for move in self:
            move.l10n_ec_sri_withheld_ids = move.l10n_ec_sri_withhold_line_ids.bill_id

    @api.depends("l10n_ec_sri_withhold_line_ids.amount")
    def _compute_l10n_ec_sri_withhold_total(self):
        for move in self:
            move.l10n_ec_sri_withhold_total = sum(move.l10n_ec_sri_withhold_line_ids.mapped("amount"))

    def _compute_l10n_ec_sri_withhold_ids(self):
        Line = self.env["l10n_ec_sri.withhold.line"]
        groups = defaultdict(lambda: self.env["account.move"])
        if self.ids:
            for line in Line.sudo().search([("bill_id", "in", self.ids), ("withhold_id.state", "!=", "cancel")]):
                groups[line.bill_id.id] |= line.withhold_id
        for move in self:
            move.l10n_ec_sri_withhold_ids = groups[move.id].with_env(self.env)
            move.l10n_ec_sri_withhold_count = len(groups[move.id])

    @api.depends("invoice_line_ids.tax_ids", "move_type")
    def _compute_l10n_ec_sri_support_code(self):
        for move in self:
            if move.move_type not in ("in_invoice", "in_refund"):
                move.l10n_ec_sri_support_code = False
                continue
            taxes = move.invoice_line_ids.tax_ids
            code = next((t.l10n_ec_code_ats for t in taxes if t.l10n_ec_code_ats), False)
            if not code and taxes:
                xmlids = taxes.get_external_id()
                code = next((m.group(1) for m in (_SUPPORT_IN_XMLID.search(x or "") for x in xmlids.values()) if m),
                            False)
            move.l10n_ec_sri_support_code = code if code in dict(SUPPORT_CODES) else ("01" if taxes else False)

    @api.constrains("l10n_ec_sri_supplier_authorization")
    def _check_l10n_ec_sri_supplier_authorization(self):
        for move in self:
            value = (move.l10n_ec_sri_supplier_authorization or "").strip()
            if value and not (value.isdigit() and value.isascii() and len(value) in (10, 37, 49)):
                raise UserError(_(
                    "The supplier's authorization of %(move)s must be its 49-digit access key, or the 10-digit "
                    "authorization of a preprinted document (got \"%(value)s\").",
                    move=move.display_name, value=value))

    # ------------------------------------------------------------------
    # Building a withholding entry (issued by the wizard, received by the import)
    # ------------------------------------------------------------------
    @api.model
    def _l10n_ec_sri_withhold_create(self, journal, partner, date, lines, number=None, ref=None, post=True):
        """A withholding entry on ``journal`` for ``partner`` dated ``date``, posted and reconciled with each
        withheld document. ``lines``: dicts ``bill`` (posted in_invoice / out_invoice), ``tax`` (an l10n_ec
        withholding tax), ``tax_type`` (profit / vat), ``base``, ``amount``, optional ``code``. ``number``: the
        received retención's number (issued ones are numbered at posting). Nothing is created on error."""
        issued = journal.l10n_ec_sri_withhold_type == "issued"
        if not journal.l10n_ec_sri_withhold_type:
            raise UserError(_("The journal %s is not a withholding journal.", journal.display_name))
        if not lines:
            raise UserError(_("A withholding needs at least one line."))
        currency = journal.company_id.currency_id
        line_vals, per_bill = [], defaultdict(float)
        for item in lines:
            bill, tax = item["bill"], item["tax"]
            base, amount = currency.round(item["base"]), currency.round(item["amount"])
            per_bill[bill] += amount
            line_vals.append({
                "bill_id": bill.id, "tax_id": tax.id, "tax_type": item["tax_type"], "base": base, "amount": amount,
                "percentage": abs(tax.amount),
                "code": item.get("code") or self.env["l10n_ec_sri.withhold.line"]._l10n_ec_sri_code(tax, item["tax_type"]),
            })
        aml = []
        sign = -1 if issued else 1  # issued: tax accounts credited (payable); received: debited (receivable)
        for item, vals in zip(lines, line_vals):
            tax = item["tax"]
            account = tax.invoice_repartition_line_ids.filtered(lambda r: r.repartition_type == "tax")[:1].account_id
            if not account:
                if not float_is_zero(vals["amount"], precision_rounding=currency.rounding):
                    raise UserError(_("The withholding tax %s has no account to record the amount withheld: set "
                                      "one on its distribution (Accounting > Configuration > Taxes).",
                                      tax.display_name))
                continue  # a 0 % withholding (code 332, IVA 0 %) moves no money
            aml.append({
                "name": _("%(tax)s on %(document)s", tax=tax.name, document=item["bill"]._l10n_ec_sri_label()),
                "account_id": account.id, "partner_id": partner.id, "balance": sign * vals["amount"],
            })
        counterparts = {}
        for bill, amount in per_bill.items():
            target = bill.line_ids.filtered(lambda l: l.account_id.account_type in ("asset_receivable",
                                                                                    "liability_payable"))[:1]
            if not float_is_zero(amount, precision_rounding=currency.rounding):
                counterparts[bill] = len(aml)
            # a retención of 0 (card payments, 332 / IVA 0 %) keeps a line of 0 per bill: an entry needs lines
            aml.append({
                "name": _("Withholding of %s", bill._l10n_ec_sri_label()),
                "account_id": (target.account_id or (partner.property_account_payable_id if issued
                                                     else partner.property_account_receivable_id)).id,
                "partner_id": partner.id, "balance": -sign * amount,
            })
        # all or nothing, also inside a caller's transaction (a batch import, a script)
        with self.env.cr.savepoint():
            return self._l10n_ec_sri_withhold_make(journal, partner, date, aml, line_vals, counterparts, number,
                                                   ref, post)

    def _l10n_ec_sri_withhold_make(self, journal, partner, date, aml, line_vals, counterparts, number, ref, post):
        move = self.create({
            "move_type": "entry",
            "journal_id": journal.id,
            "date": date,
            "partner_id": partner.id,
            "ref": ref or False,
            "line_ids": [fields.Command.create(vals) for vals in aml],
            "l10n_ec_sri_withhold_line_ids": [fields.Command.create(vals) for vals in line_vals],
        })
        if number:
            move.l10n_ec_sri_withhold_number = number
        # the withheld documents' (non-stored) list of withholdings changed
        self.browse([vals["bill_id"] for vals in line_vals]).invalidate_recordset(
            ["l10n_ec_sri_withhold_ids", "l10n_ec_sri_withhold_count"])
        if not post:
            return move
        move.action_post()
        for bill, index in counterparts.items():
            entry_line = move.line_ids.filtered(lambda l, a=aml[index]: l.name == a["name"]
                                                and l.account_id.id == a["account_id"])[:1]
            open_lines = bill.line_ids.filtered(lambda l: l.account_id == entry_line.account_id and not l.reconciled)
            if open_lines:
                (entry_line | open_lines).reconcile()
        return move

    # ------------------------------------------------------------------
    # The issued retención as an SRI document of account.move
    # ------------------------------------------------------------------
    def _l10n_ec_sri_is_withhold(self):
        self.ensure_one()
        return bool(self.move_type == "entry" and self.journal_id.l10n_ec_sri_withhold_type == "issued"
                    and self.company_id.account_fiscal_country_id.code == "EC")

    def _l10n_ec_sri_is_document(self):
        self.ensure_one()
        return self._l10n_ec_sri_is_withhold() or super()._l10n_ec_sri_is_document()

    def _l10n_ec_sri_document_type(self):
        self.ensure_one()
        if self._l10n_ec_sri_is_withhold():
            journal = self.journal_id
            ok = self._l10n_ec_sri_point_ok(journal.l10n_ec_entity) and self._l10n_ec_sri_point_ok(journal.l10n_ec_emission)
            return "retencion" if ok else False
        return super()._l10n_ec_sri_document_type()

    def _l10n_ec_sri_check_source(self):
        if not self._l10n_ec_sri_is_withhold():
            return super()._l10n_ec_sri_check_source()
        return self._l10n_ec_sri_check_withhold()

    def _l10n_ec_sri_check_withhold(self):
        """Translated problems of an issued retención (its entry, supplier and withheld bills)."""
        self.ensure_one()
        errors = self._l10n_ec_sri_configuration_problems()
        journal = self.journal_id
        if not self._l10n_ec_sri_document_type():
            errors.append(_(
                "The withholding journal \"%(journal)s\" needs its Emission Entity and Emission Point (the "
                "establecimiento and punto de emisión given by the SRI, 3 digits each).", journal=journal.display_name))
        partner = self.partner_id.commercial_partner_id
        if not partner:
            errors.append(_("The withholding has no supplier."))
        elif not (partner.vat or "").strip():
            errors.append(_("The supplier %s has no identification number.", partner.display_name))
        elif not ID_TYPES.get(partner._l10n_ec_get_identification_type()):
            errors.append(_("The identification type of the supplier %s is not one a retención accepts (RUC, "
                            "cédula, passport or foreign ID).", partner.display_name))
        lines = self.l10n_ec_sri_withhold_line_ids
        if not lines:
            errors.append(_("The withholding has no lines."))
        currency = self.company_currency_id
        for bill in lines.bill_id:
            label = bill._l10n_ec_sri_label()
            if bill.state != "posted":
                errors.append(_("%s is not posted: only posted bills are withheld.", label))
            if bill.move_type != "in_invoice":
                errors.append(_("%s is not a vendor bill or liquidación de compra.", label))
            if bill.commercial_partner_id != partner:
                errors.append(_("%(bill)s is from %(other)s, not from %(partner)s: one retención withholds the "
                                "documents of one supplier.", bill=label, other=bill.commercial_partner_id.display_name,
                                partner=partner.display_name))
            if not bill.l10n_latam_document_number:
                errors.append(_("%s has no document number (the supplier's number, 001-001-000000123).", label))
            if bill.invoice_date and self.date and bill.invoice_date > self.date:
                errors.append(_("The withholding is dated %(date)s, before %(bill)s (%(bill_date)s): a retención is "
                                "issued on or after the date of the document it withholds.",
                                date=self.date, bill=label, bill_date=bill.invoice_date))
            if not bill._l10n_ec_sri_support_authorization():
                errors.append(_("%s has no supplier's authorization: enter the access key (or authorization number) "
                                "of the supplier's document on the bill.", label))
            bill_lines = lines.filtered(lambda l, b=bill: l.bill_id == b)
            limits = {"profit": bill.amount_untaxed, "vat": bill._l10n_ec_sri_vat_amount()}
            for tax_type in ("profit", "vat"):
                typed = bill_lines.filtered(lambda l, t=tax_type: l.tax_type == t)
                if float_compare(sum(typed.mapped("base")), limits[tax_type],
                                 precision_rounding=currency.rounding) > 0:
                    errors.append(_(
                        "The %(tax)s withheld on %(bill)s has a base of %(base)s, above the bill's %(limit)s.",
                        tax=dict(lines._fields["tax_type"]._description_selection(self.env))[tax_type], bill=label,
                        base=currency.format(sum(typed.mapped("base"))), limit=currency.format(limits[tax_type])))
        for line in lines:
            if line.base < 0 or line.amount < 0:
                errors.append(_("The withholding %s has a negative base or amount.", line.tax_id.display_name))
            elif float_compare(line.amount, line.base, precision_rounding=currency.rounding) > 0:
                errors.append(_("The amount withheld by %(tax)s (%(amount)s) is above its base (%(base)s).",
                                tax=line.tax_id.display_name, amount=currency.format(line.amount),
                                base=currency.format(line.base)))
            if not line.code:
                errors.append(_("The withholding tax %s has no SRI code (Code base).", line.tax_id.display_name))
        return errors

    def _l10n_ec_sri_vat_amount(self):
        """The IVA of a bill (the most its IVA withholdings may take as base)."""
        self.ensure_one()
        return sum(self._l10n_ec_sri_line_vat(line) for line in self._l10n_ec_sri_product_lines())

    @api.model
    def _l10n_ec_sri_line_vat(self, line):
        """The IVA of an invoice line, each rate rounded to cents as in the SRI document."""
        total = 0.0
        for tax in line.tax_ids.flatten_taxes_hierarchy():
            if VAT_CODES.get(tax.tax_group_id.l10n_ec_type) and tax.amount_type == "percent" and tax.amount > 0:
                total += line.currency_id.round(line.price_subtotal * tax.amount / 100)
        return total

    def _l10n_ec_sri_support_authorization(self):
        """numAutDocSustento: the supplier's authorization, or our own key for a liquidación we issued."""
        self.ensure_one()
        return (self.l10n_ec_sri_supplier_authorization or "").strip() or (self.l10n_ec_sri_access_key or "")

    def _l10n_ec_sri_number_parts(self):
        self.ensure_one()
        if self._l10n_ec_sri_is_withhold():
            parts = (self.l10n_ec_sri_withhold_number or "").split("-")
            if len(parts) == 3 and all(p.isdigit() for p in parts):
                return parts[0], parts[1], parts[2]
            return self.journal_id.l10n_ec_entity, self.journal_id.l10n_ec_emission, "000000001"
        return super()._l10n_ec_sri_number_parts()

    def _l10n_ec_sri_emission_date(self):
        if self._l10n_ec_sri_is_withhold():
            return self.date or fields.Date.context_today(self)
        return super()._l10n_ec_sri_emission_date()

    def _l10n_ec_sri_document_name(self):
        self.ensure_one()
        if self.l10n_ec_sri_withhold_number:
            return self.l10n_ec_sri_withhold_number
        return super()._l10n_ec_sri_document_name()

    def _l10n_ec_sri_ride_report(self):
        if self._l10n_ec_sri_is_withhold():
            return "l10n_ec_sri_withhold.action_report_ride_withhold"
        return super()._l10n_ec_sri_ride_report()

    def _l10n_ec_sri_mail_template(self):
        if self._l10n_ec_sri_is_withhold():
            return "l10n_ec_sri_withhold.mail_template_withhold_authorized"
        return super()._l10n_ec_sri_mail_template()

    def _l10n_ec_sri_item_label(self, collection, index):
        if self._l10n_ec_sri_is_withhold() and collection == "support_documents":
            bills = self.l10n_ec_sri_withhold_line_ids.bill_id
            if index < len(bills):
                return _("Withheld document %s", bills[index]._l10n_ec_sri_label())
            return False
        return super()._l10n_ec_sri_item_label(collection, index)

    def _l10n_ec_sri_posted_data(self, data, access_key=None):
        if data.get("type") == "retencion":
            fresh = dict(data)
            estab, point, sequential = self._l10n_ec_sri_number_parts()
            fresh.update({"establishment": estab, "emission_point": point, "sequential": sequential,
                          "emission_date": self._l10n_ec_sri_emission_date()})
            fresh["fiscal_period"] = fresh["emission_date"].strftime("%m/%Y")
            if access_key:
                fresh["access_key"] = access_key
            return fresh
        return super()._l10n_ec_sri_posted_data(data, access_key=access_key)

    def _l10n_ec_sri_document_data(self, access_key=None):
        self.ensure_one()
        if not self._l10n_ec_sri_is_withhold():
            return super()._l10n_ec_sri_document_data(access_key=access_key)
        estab, point, sequential = self._l10n_ec_sri_number_parts()
        partner = self.partner_id.commercial_partner_id
        id_type = ID_TYPES.get(partner._l10n_ec_get_identification_type(), "")
        date = self._l10n_ec_sri_emission_date()
        data = {
            "type": "retencion",
            "issuer": self._l10n_ec_sri_issuer(),
            "establishment": estab,
            "emission_point": point,
            "sequential": sequential,
            "environment": self.company_id.l10n_ec_sri_environment or "1",
            "emission_date": date,
            "subject": {
                "id_type": id_type,
                "identification": (partner.vat or "").strip(),
                "name": _text(partner.name),
                "address": self._l10n_ec_sri_partner_address(partner) or None,
                "email": (self.partner_id.email or partner.email or "").split(",")[0].strip() or None,
            },
            "fiscal_period": date.strftime("%m/%Y"),
            "support_documents": [self._l10n_ec_sri_support_document(bill)
                                  for bill in self.l10n_ec_sri_withhold_line_ids.bill_id],
            "additional_info": self._l10n_ec_sri_withhold_additional_info(),
        }
        if id_type in ("06", "08"):
            data["subject_type"] = "02" if partner.is_company else "01"
        if access_key:
            data["access_key"] = access_key
        return data

    def _l10n_ec_sri_withhold_additional_info(self):
        partner = self.partner_id.commercial_partner_id
        info = []
        address = self._l10n_ec_sri_partner_address(partner)
        if address:
            info.extend(_named_pieces("Dirección", address))
        email = _text(self.partner_id.email or partner.email)
        if email:
            info.extend(_named_pieces("Email", email))
        if self.ref:
            info.extend(_named_pieces("Referencia", _text(self.ref)))
        return info

    def _l10n_ec_sri_support_document(self, bill):
        """docSustento of a withheld bill (retención 2.0.0)."""
        lines = self.l10n_ec_sri_withhold_line_ids.filtered(lambda l: l.bill_id == bill)
        taxes = bill._l10n_ec_sri_tax_summary()
        for tax in taxes:
            tax["amount"] = (tax["base"] * tax["rate"] / 100).quantize(Decimal("0.01"))
        doc_type = bill.l10n_latam_document_type_id.code or "01"
        payment = bill.l10n_ec_sri_payment_id.code or "20"
        return {
            "support_code": bill.l10n_ec_sri_support_code or "01",
            "doc_type": doc_type,
            "doc_number": bill.l10n_latam_document_number,
            "doc_date": bill.invoice_date,
            "accounting_date": bill.date,
            "authorization": bill._l10n_ec_sri_support_authorization() or None,
            "taxes": taxes,
            "subtotal": _dec(bill.amount_untaxed),
            "total": _dec(bill.amount_total),
            "withholdings": [{
                "code": "1" if line.tax_type == "profit" else "2",
                "withholding_code": line.code,
                "base": _dec(line.base),
                "percentage": _dec(line.percentage),
                "amount": _dec(line.amount),
            } for line in lines],
            "payments": [{"method": payment, "total": _dec(bill.amount_total)}],
        }

    def _l10n_ec_sri_withhold_ride_values(self):
        """What the retención's RIDE prints (called from QWeb)."""
        self.ensure_one()
        values = self._l10n_ec_sri_ride_header_values()
        partner = self.partner_id.commercial_partner_id
        values.update({
            "subject": {"name": _text(partner.name), "identification": (partner.vat or "").strip()},
            "fiscal_period": (self.date or fields.Date.context_today(self)).strftime("%m/%Y"),
            "additional_info": self._l10n_ec_sri_withhold_additional_info(),
            "total": self.l10n_ec_sri_withhold_total,
            "rows": [{
                "document": (line.bill_id.l10n_latam_document_type_id.name or _("Invoice")).upper(),
                "number": line.bill_id.l10n_latam_document_number or line.bill_id.name,
                "date": line.bill_id.invoice_date and line.bill_id.invoice_date.strftime("%d/%m/%Y") or "",
                "base": line.base,
                "tax": "RENTA" if line.tax_type == "profit" else "IVA",
                "code": line.code,
                "percentage": line.percentage,
                "amount": line.amount,
            } for line in self.l10n_ec_sri_withhold_line_ids],
        })
        return values

    # ------------------------------------------------------------------
    # Posting: the issued retención takes the next number of its journal
    # ------------------------------------------------------------------
    def _post(self, soft=True):
        for move in self.filtered(lambda m: m.state == "draft" and m._l10n_ec_sri_is_withhold()
                                  and not m.l10n_ec_sri_withhold_number and m._l10n_ec_sri_document_type()):
            if not move.l10n_ec_sri_withhold_line_ids:
                continue  # refused by the checks
            journal = move.journal_id
            sequential = journal._l10n_ec_sri_withhold_sequence().next_by_id()
            number = "%s-%s-%s" % (
                journal.l10n_ec_entity.zfill(3), journal.l10n_ec_emission.zfill(3), str(sequential).zfill(9))
            move.write({"l10n_ec_sri_withhold_number": number,
                        "ref": move.ref or _("Withholding %s", number)})
        return super()._post(soft=soft)

    def write(self, vals):
        if "l10n_ec_sri_withhold_number" in vals and not self.env.context.get("l10n_ec_sri_numbering"):
            if any(move.state != "draft" for move in self):
                raise UserError(_("The number of a posted withholding cannot be changed."))
        return super().write(vals)

    def button_draft(self):
        for move in self:
            active = move.l10n_ec_sri_withhold_ids.filtered(lambda w: w.state == "posted")
            if active:
                raise UserError(_(
                    "%(move)s is withheld by %(withholds)s: cancel the withholding before resetting the document.",
                    move=move.display_name, withholds=", ".join(active.mapped("display_name"))))
        return super().button_draft()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_l10n_ec_sri_withhold(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Withhold"),
            "res_model": "l10n_ec_sri.withhold.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": "account.move", "active_ids": self.ids},
        }

    def action_l10n_ec_sri_open_withholds(self):
        self.ensure_one()
        withholds = self.l10n_ec_sri_withhold_ids
        action = {
            "type": "ir.actions.act_window",
            "name": _("Withholdings"),
            "res_model": "account.move",
            "domain": [("id", "in", withholds.ids)],
            "view_mode": "list,form",
        }
        if len(withholds) == 1:
            action.update({"view_mode": "form", "res_id": withholds.id})
        return action

    def action_l10n_ec_sri_open_withheld(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Withheld documents"),
            "res_model": "account.move",
            "domain": [("id", "in", self.l10n_ec_sri_withheld_ids.ids)],
            "view_mode": "list,form",
        }
