# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The ATS of a month (or of a semester, for the régimen that declares so: periods 06 and 12) from the posted
documents: compras (vendor bills, their credit notes and the liquidaciones de compra, with the retención issued
on each and its reembolsos), ventas per customer and document type, ventas por establecimiento and the annulled
documents. Built with the core (``sri.ats``) and validated against the SRI's at.xsd; what blocks it (a bill without
the supplier's authorization, a partner without identification, a retención the SRI has not authorized...) is
listed, each line opening the record to fix, and no file is given until the list is empty.

Decisions where the SRI's instructions leave room: electronic sales are reported (tipoEmision E) with the
physical ones; a sale's tipoComprobante is 18 (factura), 04 (nota de crédito) or 05 (nota de débito); amounts
are positive (a credit note is its own line); payments abroad (pagoExterior 02) and ICE are not computed yet and
block the ATS / are reported as 0. An export invoice (``l10n_ec_sri_export_type``) is declared in exportaciones
(tipoComprobante 01, its electronic document's number and authorization) and not in ventas nor in the ventas per
establishment (so not in totalVentas either); the foreign customer's identification is left out (optional)."""
import base64
import calendar
import datetime
from collections import defaultdict

from lxml import etree

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.l10n_ec_sri.models.sri_adapter import FINAL_CONSUMER
from odoo.addons.l10n_ec_sri.sri import ats as sri_ats
from odoo.addons.l10n_ec_sri.sri.constants import safe_parser
from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador

from ..models.account_move import split_dae
from ..models.l10n_ec_sri_report import form_action

#: l10n_ec identification type -> tpIdProv (compras); tpIdCliente (ventas) is the factura's
#: tipoIdentificacionComprador (``account.move._l10n_ec_sri_buyer_id_type``)
PURCHASE_ID_TYPES = {"ruc": "01", "cedula": "02", "passport": "03", "ec_passport": "03", "foreign": "03"}
#: an IVA rate of the reports -> the ATS base it adds to
BASE_OF = {"zero_vat": "baseImponible", "not_charged_vat": "baseNoGraIva", "exempt_vat": "baseImpExe"}
#: a sale's document type (l10n_latam code) -> its ATS tipoComprobante
SALE_DOC_TYPES = {"01": "18", "04": "04", "05": "05"}
#: percentage of an IVA withholding -> its detalleCompras element
VAT_WITHHOLD_FIELDS = {10: "valRetBien10", 20: "valRetServ20", 30: "valorRetBienes", 50: "valRetServ50",
                       70: "valorRetServicios", 100: "valRetServ100"}
#: formasDePago are required from this total
PAYMENT_FROM = 500.0
MONTHS = [(f"{m:02d}", name) for m, name in enumerate(
    ["Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto", "Septiembre", "Octubre",
     "Noviembre", "Diciembre"], start=1)]


def _date(value):
    return value.strftime("%d/%m/%Y")


def _split_number(number):
    """'001-002-000004567' -> ('001', '002', 4567), or None."""
    parts = (number or "").strip().split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 3 and len(parts[1]) == 3 \
            and 0 < int(parts[2]) <= 999999999:
        return parts[0], parts[1], int(parts[2])
    return None


class L10nEcSriAtsWizard(models.TransientModel):
    _name = "l10n_ec_sri.ats.wizard"
    _description = "ATS (Anexo Transaccional Simplificado)"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    year = fields.Integer(required=True, default=lambda self: (today_ecuador().replace(day=1)
                                                               - datetime.timedelta(days=1)).year)
    month = fields.Selection(MONTHS, required=True, default=lambda self: (today_ecuador().replace(day=1)
                                                                          - datetime.timedelta(days=1)).strftime("%m"))
    semestral = fields.Boolean(
        string="Semester (régimen semestral)",
        help="For the taxpayers who declare by semester: the ATS of January to June (month 06) or July to December "
             "(month 12).")
    state = fields.Selection([("draft", "Draft"), ("blocked", "Blocked"), ("done", "Ready")], default="draft",
                             readonly=True)
    issue_ids = fields.One2many("l10n_ec_sri.ats.issue", "wizard_id", string="What blocks the ATS", readonly=True)
    ats_file = fields.Binary(string="ATS", readonly=True, attachment=False)
    ats_filename = fields.Char(readonly=True)
    purchases_count = fields.Integer(string="Purchases", readonly=True)
    sales_count = fields.Integer(string="Sales documents", readonly=True)
    total_sales = fields.Float(string="Total sales", digits="Account", readonly=True)
    total_purchases_vat = fields.Float(string="IVA of purchases", digits="Account", readonly=True)
    annulled_count = fields.Integer(string="Annulled", readonly=True)

    @api.constrains("year", "month", "semestral")
    def _check_period(self):
        for wizard in self:
            if not 2000 <= wizard.year <= 2999:
                raise UserError(_("The ATS year must be between 2000 and 2999 (got %s).", wizard.year))
            if wizard.semestral and wizard.month not in ("06", "12"):
                raise UserError(_("A semestral ATS is that of June (January to June) or of December (July to "
                                  "December): choose month 06 or 12."))

    def _period(self):
        month = int(self.month)
        first = datetime.date(self.year, month - 5 if self.semestral else month, 1)
        return first, datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])

    # ------------------------------------------------------------------
    def action_generate(self):
        self.ensure_one()
        issues = []
        report = self._l10n_ec_sri_ats_report(issues)
        xml = sri_ats.build(report)
        if not issues:
            issues += [(_("The ATS does not follow the SRI's schema at %(path)s: %(message)s", path=error.path,
                          message=error.message), None) for error in sri_ats.validate(xml)]
        self.write({
            "issue_ids": [fields.Command.clear()] + [fields.Command.create({
                "message": message, "res_model": record._name if record else False,
                "res_id": record.id if record else False, "name": record.display_name if record else False,
            }) for message, record in issues],
            "state": "blocked" if issues else "done",
            "ats_file": False if issues else base64.b64encode(xml),
            "ats_filename": "AT%s%s%s.xml" % (self.month, self.year, "S" if self.semestral else ""),
            "purchases_count": len(report.get("compras", [])),
            "sales_count": sum(v["numeroComprobantes"] for v in report.get("ventas", [])),
            "total_sales": float(report.get("totalVentas") or 0),
            "total_purchases_vat": float(sum(sri_ats.money(c["montoIva"]) for c in report.get("compras", []))),
            "annulled_count": len(report.get("anulados", [])),
        })
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "target": "new", "name": _("ATS %(month)s/%(year)s", month=self.month, year=self.year)}

    def _l10n_ec_sri_summary(self):
        """The produced ATS's totals for its printed summary, read back from the file: compras per sustento,
        ventas per document type, ventas per establishment and the count of annulled documents."""
        self.ensure_one()
        root = etree.fromstring(base64.b64decode(self.ats_file), safe_parser())

        def total(node, *names):
            return sum(float(node.findtext(name) or 0) for name in names)

        compras = defaultdict(lambda: defaultdict(float))
        for compra in root.iterfind("compras/detalleCompras"):
            row = compras[compra.findtext("codSustento")]
            row["count"] += 1
            row["bases"] += total(compra, "baseNoGraIva", "baseImponible", "baseImpGrav", "baseImpExe")
            row["iva"] += total(compra, "montoIva")
            row["vat_withheld"] += total(compra, *VAT_WITHHOLD_FIELDS.values())
            row["profit_withheld"] += sum(total(d, "valRetAir") for d in compra.iterfind("air/detalleAir"))
        ventas = defaultdict(lambda: defaultdict(float))
        for venta in root.iterfind("ventas/detalleVentas"):
            row = ventas[venta.findtext("tipoComprobante")]
            row["count"] += int(venta.findtext("numeroComprobantes") or 0)
            row["bases"] += total(venta, "baseNoGraIva", "baseImponible", "baseImpGrav")
            row["iva"] += total(venta, "montoIva")
            row["withheld"] += total(venta, "valorRetIva", "valorRetRenta")
        return {
            "compras": sorted(compras.items()), "ventas": sorted(ventas.items()),
            "establishments": [(e.findtext("codEstab"), float(e.findtext("ventasEstab") or 0))
                               for e in root.iterfind("ventasEstablecimiento/ventaEst")],
            "total_sales": float(root.findtext("totalVentas") or 0),
            "annulled": len(root.findall("anulados/detalleAnulados")),
        }

    def _l10n_ec_sri_ats_report(self, issues):
        """The ATS as plain data for ``sri.ats.build``; what blocks it is appended to ``issues`` as (message,
        record)."""
        company = self.company_id
        first, last = self._period()
        if not company.vat or len(company.vat) != 13:
            issues.append((_("The company's RUC (13 digits) is missing."), company.partner_id))
        Move = self.env["account.move"]
        domain = [("company_id", "=", company.id), ("state", "=", "posted")]
        purchases = Move.search(domain + [("move_type", "in", ("in_invoice", "in_refund")),
                                          ("date", ">=", first), ("date", "<=", last)], order="date, id")
        sales = Move.search(domain + [("move_type", "in", ("out_invoice", "out_refund")),
                                      ("invoice_date", ">=", first), ("invoice_date", "<=", last)],
                            order="invoice_date, id")
        exports = sales.filtered(lambda move: move.move_type == "out_invoice" and move.l10n_ec_sri_export_type)
        sales -= exports
        amounts = self._l10n_ec_sri_amounts(purchases | sales)
        withholds = self._l10n_ec_sri_withholds(purchases | sales)
        compras = [c for c in (self._l10n_ec_sri_compra(bill, amounts[bill.id], withholds[bill.id], issues)
                               for bill in purchases) if c]
        ventas, establishments = self._l10n_ec_sri_ventas(sales, amounts, withholds, issues)
        estabs = self.env["account.journal"].search([
            ("company_id", "=", company.id), ("type", "=", "sale"), ("l10n_ec_entity", "!=", False)
        ]).mapped("l10n_ec_entity")
        for code in estabs:
            establishments.setdefault(code, 0.0)
        return {
            "IdInformante": company.vat or "", "razonSocial": company.name, "Anio": self.year, "Mes": self.month,
            "regimenMicroempresa": "SI" if self.semestral else None,
            "numEstabRuc": max(len(set(estabs)), 1),
            "totalVentas": sum(sri_ats.money(v) for v in establishments.values()),
            "compras": compras, "ventas": ventas,
            "ventasEstablecimiento": [{"codEstab": code, "ventasEstab": total, "ivaComp": 0}
                                      for code, total in sorted(establishments.items())],
            "exportaciones": [e for e in (self._l10n_ec_sri_exportacion(move, issues) for move in exports) if e],
            "anulados": self._l10n_ec_sri_anulados(first, last),
        }

    def _l10n_ec_sri_amounts(self, moves):
        """{move id: {ATS base or 'montoIva': amount}} from the IVA report (one query), positive amounts."""
        totals = defaultdict(lambda: defaultdict(float))
        if moves:
            rows = self.env["l10n_ec_sri.report.tax"].sudo()._read_group(
                [("move_id", "in", moves.ids)], ["move_id", "iva"], ["base:sum", "tax:sum"])
            for move, iva, base, tax in rows:
                totals[move.id][BASE_OF.get(iva, "baseImpGrav")] += abs(base)
                totals[move.id]["montoIva"] += abs(tax)
        return totals

    def _l10n_ec_sri_withholds(self, moves):
        """{bill or invoice id: posted withholding lines on it}."""
        result = defaultdict(lambda: self.env["l10n_ec_sri.withhold.line"])
        if moves:
            for line in self.env["l10n_ec_sri.withhold.line"].search([
                    ("bill_id", "in", moves.ids), ("withhold_id.state", "=", "posted")]):
                result[line.bill_id.id] |= line
        return result

    def _l10n_ec_sri_identification(self, partner, code, issues):
        """(``code``, identification) of ``partner`` as the ATS takes them; what is missing goes to ``issues``."""
        partner = partner.commercial_partner_id
        if not partner.vat:
            issues.append((_("%(partner)s has no identification (RUC, cédula or passport).",
                             partner=partner.display_name), partner))
            return "", ""
        if not code:
            issues.append((_("The identification type of %(partner)s cannot be reported in the ATS: set RUC, cédula "
                             "or passport.", partner=partner.display_name), partner))
        return code or "", "".join(ch for ch in partner.vat if ch.isalnum())

    def _l10n_ec_sri_supplier_identification(self, partner, issues):
        """tpIdProv and idProv of a supplier (or of a reimbursed document's issuer)."""
        partner = partner.commercial_partner_id
        code = PURCHASE_ID_TYPES.get(partner._l10n_ec_get_identification_type()) if partner.vat else False
        return self._l10n_ec_sri_identification(partner, code, issues)

    def _l10n_ec_sri_compra(self, bill, amounts, lines, issues):
        partner = bill.commercial_partner_id
        tp_id, id_prov = self._l10n_ec_sri_supplier_identification(partner, issues)
        number = _split_number(bill.l10n_ec_sri_document_id.name if bill.l10n_ec_sri_is_liquidation
                               else bill.l10n_latam_document_number)
        # the supplier's authorization, or our own access key for a liquidación we issued
        authorization = bill._l10n_ec_sri_support_authorization()
        doc_type = bill.l10n_latam_document_type_id.code
        if not number:
            issues.append((_("%(bill)s has no supplier's document number (001-001-000000123).",
                             bill=bill.display_name), bill))
        if not authorization.strip():
            issues.append((_("%(bill)s has no supplier's authorization (its access key or the 10-digit "
                             "authorization of a preprinted document).", bill=bill.display_name), bill))
        if not doc_type:
            issues.append((_("%(bill)s has no document type.", bill=bill.display_name), bill))
        if not bill.l10n_ec_sri_support_code:
            issues.append((_("%(bill)s has no tax support (sustento tributario).", bill=bill.display_name), bill))
        if partner.country_id and partner.country_id.code != "EC":
            issues.append((_("%(bill)s is a payment abroad (supplier in %(country)s): the ATS's pagoExterior for it is "
                             "not computed yet; report it with the SRI's DIMM.", bill=bill.display_name,
                             country=partner.country_id.name), bill))
        if not number:
            return None
        compra = {
            "codSustento": bill.l10n_ec_sri_support_code, "tpIdProv": tp_id, "idProv": id_prov,
            "tipoComprobante": doc_type, "parteRel": "NO",
            "fechaRegistro": _date(bill.date), "establecimiento": number[0], "puntoEmision": number[1],
            "secuencial": number[2], "fechaEmision": _date(bill.invoice_date or bill.date),
            "autorizacion": authorization.strip(),
            "baseNoGraIva": amounts["baseNoGraIva"], "baseImponible": amounts["baseImponible"],
            "baseImpGrav": amounts["baseImpGrav"], "baseImpExe": amounts["baseImpExe"], "montoIce": 0,
            "montoIva": amounts["montoIva"],
            "valRetBien10": 0, "valRetServ20": 0, "valorRetBienes": 0, "valRetServ50": 0, "valorRetServicios": 0,
            "valRetServ100": 0,
            "pagoExterior": {"pagoLocExt": "01", "paisEfecPago": "NA", "aplicConvDobTrib": "NA",
                             "pagExtSujRetNorLeg": "NA"},
        }
        if tp_id == "03":
            compra["tipoProv"] = "02" if partner.is_company else "01"
            compra["denoProv"] = sri_ats.plain_name(partner.name)
        if bill.amount_total >= PAYMENT_FROM:
            compra["formasDePago"] = [bill.l10n_ec_sri_payment_id.code or "20"]
        air = []
        for line in lines.filtered(lambda l: l.withhold_id.l10n_ec_sri_withhold_type == "issued"):
            if line.tax_type == "vat":
                element = VAT_WITHHOLD_FIELDS.get(int(round(line.percentage)))
                if element:
                    compra[element] += line.amount
            else:
                air.append({"codRetAir": line.code, "baseImpAir": line.base, "porcentajeAir": line.percentage,
                            "valRetAir": line.amount})
        compra["air"] = air or None
        withhold = lines.withhold_id.filtered(lambda w: w.l10n_ec_sri_withhold_type == "issued")[:1]
        if withhold:
            w_number = _split_number(withhold.l10n_ec_sri_withhold_number)
            if withhold.l10n_ec_sri_state != "authorized" or not w_number:
                issues.append((_("The retención %(withhold)s of %(bill)s is not authorized by the SRI yet.",
                                 withhold=withhold.display_name, bill=bill.display_name), withhold))
            else:
                compra.update({"estabRetencion1": w_number[0], "ptoEmiRetencion1": w_number[1],
                               "secRetencion1": w_number[2], "autRetencion1": withhold.l10n_ec_sri_access_key,
                               "fechaEmiRet1": _date(withhold.date)})
        if bill.move_type == "in_refund" or doc_type in ("04", "05"):
            origin = bill.reversed_entry_id
            if not origin and "debit_origin_id" in bill._fields:
                origin = bill.debit_origin_id
            o_number = origin and _split_number(origin.l10n_latam_document_number)
            if not o_number:
                issues.append((_("The credit or debit note %(bill)s does not say which bill it modifies.",
                                 bill=bill.display_name), bill))
            else:
                compra.update({"docModificado": origin.l10n_latam_document_type_id.code or "01",
                               "estabModificado": o_number[0], "ptoEmiModificado": o_number[1],
                               "secModificado": o_number[2],
                               "autModificado": origin._l10n_ec_sri_support_authorization().strip() or "0000000000"})
        reimbursements = bill.l10n_ec_sri_reimbursement_ids
        if reimbursements:
            compra["reembolsos"] = []
            total = 0.0
            for item in reimbursements:
                r_number = _split_number(item.number)
                if not r_number:
                    issues.append((_("The reimbursed document %(number)s of %(bill)s has no valid number "
                                     "(001-001-000000123).", number=item.number, bill=bill.display_name), bill))
                group = item.tax_id.tax_group_id.l10n_ec_type
                bases = {"baseImponibleReemb": 0, "baseImpGravReemb": 0, "baseNoGraIvaReemb": 0, "baseImpExeReemb": 0}
                bases[BASE_OF.get(group, "baseImpGrav") + "Reemb"] = item.base
                total += item.base
                tp, ident = self._l10n_ec_sri_supplier_identification(item.partner_id, issues)
                compra["reembolsos"].append({
                    "tipoComprobanteReemb": item.document_type_id.code, "tpIdProvReemb": tp, "idProvReemb": ident,
                    "establecimientoReemb": r_number[0] if r_number else "", "puntoEmisionReemb": r_number[1] if r_number else "",
                    "secuencialReemb": r_number[2] if r_number else 0, "fechaEmisionReemb": _date(item.date),
                    "autorizacionReemb": item.authorization, **bases, "montoIceRemb": 0, "montoIvaRemb": item.amount})
            compra["totbasesImpReemb"] = total
        return compra

    def _l10n_ec_sri_ventas(self, sales, amounts, withholds, issues):
        groups = {}
        establishments = defaultdict(float)
        for move in sales:
            doc_type = SALE_DOC_TYPES.get(move.l10n_latam_document_type_id.code)
            if not doc_type:
                issues.append((_("%(move)s has a document type the ATS's sales do not take (%(type)s).",
                                 move=move.display_name, type=move.l10n_latam_document_type_id.display_name), move))
                continue
            partner = move.commercial_partner_id
            # tpIdCliente is the factura's tipoIdentificacionComprador (07 for the final consumer)
            tp_id, ident = self._l10n_ec_sri_identification(partner, move._l10n_ec_sri_buyer_id_type(), issues)
            emission = "E" if move.l10n_ec_sri_document_id else "F"
            key = (tp_id, ident, doc_type, emission)
            venta = groups.get(key)
            if venta is None:
                venta = groups[key] = {
                    "tpIdCliente": tp_id, "idCliente": ident, "parteRelVtas": "NO" if tp_id != FINAL_CONSUMER else None,
                    "tipoComprobante": doc_type, "tipoEmision": emission, "numeroComprobantes": 0,
                    "baseNoGraIva": 0.0, "baseImponible": 0.0, "baseImpGrav": 0.0, "montoIva": 0.0, "montoIce": 0,
                    "valorRetIva": 0.0, "valorRetRenta": 0.0, "formasDePago": [],
                }
                if tp_id == "06":
                    venta["tipoCliente"] = "02" if partner.is_company else "01"
                    venta["denoCli"] = sri_ats.plain_name(partner.name)
            venta["numeroComprobantes"] += 1
            move_amounts = amounts[move.id]
            for element in ("baseNoGraIva", "baseImponible", "baseImpGrav", "montoIva"):
                venta[element] += move_amounts[element]
            venta["baseNoGraIva"] += move_amounts["baseImpExe"]  # exento sales are reported as no objeto
            for line in withholds[move.id].filtered(lambda l: l.withhold_id.l10n_ec_sri_withhold_type == "received"):
                venta["valorRetIva" if line.tax_type == "vat" else "valorRetRenta"] += line.amount
            if doc_type == "18":
                code = move.l10n_ec_sri_payment_id.code or "20"
                if code not in venta["formasDePago"]:
                    venta["formasDePago"].append(code)
            total = sum(move_amounts[e] for e in ("baseNoGraIva", "baseImponible", "baseImpGrav", "baseImpExe"))
            establishments[move.journal_id.l10n_ec_entity or "001"] += -total if doc_type == "04" else total
        ventas = list(groups.values())
        for venta in ventas:
            venta["formasDePago"] = venta["formasDePago"] or None
        return ventas, establishments

    def _l10n_ec_sri_exportacion(self, move, issues):
        """The detalleExportaciones of an export invoice (its electronic document's number and authorization),
        or None with what it lacks in ``issues``."""
        problems = move._l10n_ec_sri_export_issues()
        document = move.l10n_ec_sri_document_id
        number = _split_number(document.name)
        if not document.access_key or not number:
            problems.append(_("%s has no electronic document to declare.", move.display_name))
        elif document.state != "authorized":
            problems.append(_("%s is not authorized by the SRI yet.", move.display_name))
        issues.extend((problem, move) for problem in problems)
        if problems:
            return None
        code = move.l10n_ec_sri_export_country_id.l10n_ec_sri_ats_code
        regime = move.l10n_ec_sri_export_regime or "01"
        dae = split_dae(move.l10n_ec_sri_export_dae) if move.l10n_ec_sri_export_type == "01" else None
        return {
            "tipoRegi": regime,
            "paisEfecPagoGen": code if regime == "01" else None,
            "paisEfecPagoParFis": code if regime == "02" else None,
            "denopagoRegFis": sri_ats.plain_name(move.l10n_ec_sri_export_country_id.name) if regime == "03" else None,
            "paisEfecExp": code,
            "exportacionDe": move.l10n_ec_sri_export_type,
            "tipoComprobante": "01",
            "distAduanero": dae and dae[0], "anio": dae and dae[1], "regimen": dae and dae[2],
            "correlativo": dae and dae[3],
            "docTransp": move.l10n_ec_sri_export_transport if dae else None,
            "fechaEmbarque": _date(move.l10n_ec_sri_export_shipment_date),
            "valorFOB": move.l10n_ec_sri_export_fob, "valorFOBComprobante": move.l10n_ec_sri_export_fob,
            "establecimiento": number[0], "puntoEmision": number[1], "secuencial": number[2],
            "autorizacion": document.authorization_number or document.access_key,
            "fechaEmision": _date(move.invoice_date),
        }

    def _l10n_ec_sri_anulados(self, first, last):
        documents = self.env["l10n_ec_sri.report.document"].search([
            ("company_id", "=", self.company_id.id), ("state", "=", "annulled"),
            ("date", ">=", first), ("date", "<=", last)], order="date, id")
        rows = []
        for document in documents:
            number = _split_number(document.name)
            if number:
                rows.append({"tipoComprobante": document.document_id.access_key[8:10],
                             "establecimiento": number[0], "puntoEmision": number[1],
                             "secuencialInicio": number[2], "secuencialFin": number[2],
                             "autorizacion": document.document_id.access_key})
        return rows


class L10nEcSriAtsIssue(models.TransientModel):
    _name = "l10n_ec_sri.ats.issue"
    _description = "What blocks the ATS"
    _order = "id"

    wizard_id = fields.Many2one("l10n_ec_sri.ats.wizard", required=True, ondelete="cascade")
    message = fields.Text(readonly=True)
    name = fields.Char(string="Record", readonly=True)
    res_model = fields.Char(readonly=True)
    res_id = fields.Integer(readonly=True)

    def action_open(self):
        self.ensure_one()
        if not self.res_model:
            return False
        return form_action(self.env[self.res_model].browse(self.res_id))
