# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the endpoints do, on an environment of the token's user: the same for a single call and for a
batch item. Everything here runs with the user's rights; bad input raises ``ApiError`` naming the field."""
import json
from datetime import timezone

from odoo import Command

from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador

from .errors import ApiError
from .schemas import Document, Partner, Product

ID_TYPES = {
    "ruc": "l10n_ec.ec_ruc",
    "cedula": "l10n_ec.ec_dni",
    "pasaporte": "l10n_ec.ec_passport",
    "exterior": "l10n_latam_base.it_fid",
}
ID_TYPE_NAMES = {xmlid: name for name, xmlid in ID_TYPES.items()}
FINAL_CONSUMER_VAT = "9999999999999"
IVA_GROUPS = {"0": "zero_vat", "5": "vat05", "15": "vat15", "no_objeto": "not_charged_vat",
              "exento": "exempt_vat"}
IVA_NAMES = {group: name for name, group in IVA_GROUPS.items()}
DOCUMENT_CODES = {"factura": "01", "nota_credito": "04", "nota_debito": "05", "liquidacion_compra": "03"}
API_ROOT = "/api/sri/v1"


def utc(value):
    """An aware UTC datetime (RFC 3339 with its offset) of Odoo's naive UTC one."""
    return value.replace(tzinfo=timezone.utc) if value else None


def _json_safe(value):
    return json.loads(json.dumps(value, default=str))


# --- partners ---------------------------------------------------------------------------------------------
def partner_out(partner):
    id_type = partner.l10n_latam_identification_type_id
    xmlid = id_type.get_external_id().get(id_type.id) if id_type else None
    kind = "consumidor_final" if partner.vat == FINAL_CONSUMER_VAT else ID_TYPE_NAMES.get(xmlid)
    return Partner(id=partner.id, identification=partner.vat or None, identification_type=kind,
                   name=partner.name or "", email=partner.email or None, phone=partner.phone or None,
                   street=partner.street or None, city=partner.city or None,
                   country_code=partner.country_id.code or None)


def _country(env, code, field):
    """The country of an ISO code given in ``field``, or 422 ``invalid_country``."""
    country = env["res.country"].search([("code", "=", code.upper())], limit=1)
    if not country:
        raise ApiError(422, "invalid_country", env._("No country with the code %s.", code), field)
    return country


def _partner_values(env, data, field_prefix=""):
    if data.identification_type == "consumidor_final":
        if data.identification != FINAL_CONSUMER_VAT:
            raise ApiError(422, "invalid_identification", env._(
                "The final consumer's identification is %s.", FINAL_CONSUMER_VAT), field_prefix + "identification")
    country = _country(env, data.country_code, field_prefix + "country_code")
    values = {"name": data.name, "vat": data.identification, "country_id": country.id}
    # an update changes only what the body gives: a document's inline customer without e-mail keeps its e-mail
    for name in ("email", "phone", "street", "city"):
        if name in data.model_fields_set:
            values[name] = getattr(data, name) or False
    if data.identification_type != "consumidor_final":
        values["l10n_latam_identification_type_id"] = env.ref(ID_TYPES[data.identification_type]).id
    return values


def _check_identification(env, partner, field_prefix=""):
    problem = partner._l10n_ec_sri_identification_problem()
    if problem:
        raise ApiError(422, "invalid_identification", env._(
            "The identification %(vat)s is not valid for the SRI: %(reason)s", vat=partner.vat, reason=problem),
            field_prefix + "identification")


def find_partner(env, identification):
    Partner = env["res.partner"]
    if identification == FINAL_CONSUMER_VAT:
        return env.ref("l10n_ec.ec_final_consumer")
    return Partner.search([("vat", "=", identification), ("parent_id", "=", False),
                           ("company_id", "in", [False, env.company.id])], order="id", limit=1)


def _check_writable(env, partner, field_prefix=""):
    """The API updates customers and suppliers only: never a company's own partner nor a user's (their
    name, e-mail or address would change in Odoo's own screens, logins and mails)."""
    partner = partner.sudo().with_context(active_test=False)
    if partner.user_ids or env["res.company"].sudo().with_context(active_test=False).search_count(
            [("partner_id", "=", partner.id)], limit=1):
        raise ApiError(422, "protected_partner", env._(
            "The identification %s is that of a company or a user of this Odoo: the API does not change it.",
            partner.vat), field_prefix + "identification")


def upsert_partner(env, data, field_prefix=""):
    """(partner, created) matched by identification. 9999999999999 is always Odoo's final consumer, which the
    API never writes: the body's name, e-mail and address are ignored for it."""
    if data.identification == FINAL_CONSUMER_VAT and data.identification_type != "consumidor_final":
        raise ApiError(422, "final_consumer_type", env._(
            "The identification %s is the final consumer's: its identification_type is consumidor_final.",
            FINAL_CONSUMER_VAT), field_prefix + "identification_type")
    values = _partner_values(env, data, field_prefix)
    partner = find_partner(env, data.identification)
    if data.identification_type == "consumidor_final":
        return partner, False
    created = not partner
    if partner:
        _check_writable(env, partner, field_prefix)
        partner.write(values)
    else:
        partner = env["res.partner"].create(values)
    _check_identification(env, partner, field_prefix)
    return partner, created


def get_partner(env, partner_id, field="partner_id"):
    partner = env["res.partner"].search([("id", "=", partner_id)], limit=1)
    if not partner:
        raise ApiError(404, "partner_not_found", env._("No partner with id %s.", partner_id), field)
    return partner


# --- products ---------------------------------------------------------------------------------------------
def iva_tax(env, rate, use="sale", field="iva"):
    tax = env["account.tax"].search([
        ("company_id", "=", env.company.id), ("type_tax_use", "=", use), ("amount_type", "=", "percent"),
        ("tax_group_id.l10n_ec_type", "=", IVA_GROUPS[rate]),
    ], order="sequence, id", limit=1)
    if not tax:
        if use == "sale":
            message = env._("The company has no active sale tax of IVA %s: activate it in Accounting > "
                            "Configuration > Taxes.", rate)
        else:
            message = env._("The company has no active purchase tax of IVA %s: activate it in Accounting > "
                            "Configuration > Taxes.", rate)
        raise ApiError(422, "tax_not_found", message, field)
    return tax


def product_out(product):
    iva = product.taxes_id.filtered(lambda t: t.tax_group_id.l10n_ec_type in IVA_NAMES)[:1]
    return Product(id=product.id, code=product.default_code or None, name=product.name or "",
                   price=product.lst_price, iva=IVA_NAMES.get(iva.tax_group_id.l10n_ec_type),
                   barcode=product.barcode or None, kind="service" if product.type == "service" else "goods")


def find_product(env, code):
    return env["product.product"].search([("default_code", "=", code),
                                          ("company_id", "in", [False, env.company.id])], order="id", limit=1)


def upsert_product(env, data, field_prefix=""):
    """(product, created) matched by code; an update changes only what the body gives (and the name)."""
    product = find_product(env, data.code)
    created = not product
    given = set(type(data).model_fields) if created else data.model_fields_set
    values = {"name": data.name, "default_code": data.code}
    if "price" in given:
        values["lst_price"] = data.price
    if "barcode" in given:
        values["barcode"] = data.barcode or False
    if "kind" in given:
        values["type"] = "service" if data.kind == "service" else "consu"
    if "iva" in given:
        values["taxes_id"] = [Command.set(iva_tax(env, data.iva, field=field_prefix + "iva").ids)]
    if product:
        product.write(values)
    else:
        product = env["product.product"].create({**values, "company_id": env.company.id})
    return product, created


# --- documents --------------------------------------------------------------------------------------------
def document_out(document):
    source = document._source() if document.res_model else None
    move = source if source is not None and source._name == "account.move" else None
    messages = [line for line in (document.last_error or "").splitlines() if line.strip()]
    link = f"{API_ROOT}/documents/{document.id}"
    return Document(
        id=document.id, type=document.kind, number=document.name or None, access_key=document.access_key or None,
        state=document.state or "to_send", messages=messages,
        authorization_number=document.authorization_number or None,
        authorization_date=utc(document.authorization_date), environment=document.environment or None,
        date=(move.invoice_date if move else None) or None,
        partner=partner_out(document.partner_id) if document.partner_id else None,
        reference=(move.invoice_origin if move else None) or None,
        total=move.amount_total if move else None, currency=move.currency_id.name if move else None,
        move_id=move.id if move else None,
        links={"self": link, "xml": f"{link}/xml", "ride": f"{link}/ride"},
    )


def get_document(env, document_id, field=None):
    document = env["l10n_ec_sri.document"].search([("id", "=", document_id)], limit=1)
    if not document:
        raise ApiError(404, "document_not_found", env._("No electronic document with id %s.", document_id), field)
    return document


def _journal(env, data):
    liquidation = data.type == "liquidacion_compra"
    Journal = env["account.journal"]
    if data.journal_id:
        journal = Journal.search([("id", "=", data.journal_id)], limit=1)
        if not journal:
            raise ApiError(404, "journal_not_found", env._("No journal with id %s.", data.journal_id), "journal_id")
        return journal
    domain = [("company_id", "=", env.company.id), ("l10n_latam_use_documents", "=", True),
              ("l10n_ec_entity", "!=", False), ("l10n_ec_emission", "!=", False)]
    if liquidation:
        domain += [("type", "=", "purchase"), ("l10n_ec_sri_liquidation", "=", True)]
    else:
        domain += [("type", "=", "sale")]
    journal = Journal.search(domain, order="sequence, id", limit=1)
    if not journal:
        raise ApiError(422, "journal_not_found", env._(
            "The company has no %s journal with establecimiento and punto de emisión: configure one in "
            "Accounting > Configuration > Journals, or give journal_id.",
            env._("liquidación de compra") if liquidation else env._("sale")), "journal_id")
    return journal


def _line(env, line, index, use):
    field = f"lines.{index}."
    product = env["product.product"]
    if line.product_id:
        product = product.search([("id", "=", line.product_id)], limit=1)
        if not product:
            raise ApiError(404, "product_not_found", env._("No product with id %s.", line.product_id),
                           field + "product_id")
    elif line.product_code:
        product = find_product(env, line.product_code)
        if not product:
            raise ApiError(404, "product_not_found", env._("No product with the code %s.", line.product_code),
                           field + "product_code")
    description = line.description or product.display_name
    if not description:
        raise ApiError(422, "invalid_body", env._("Give a product or a description."), field + "description")
    values = {"name": description, "quantity": line.quantity, "price_unit": line.price_unit,
              "discount": line.discount}
    if product:
        values["product_id"] = product.id
    if line.iva:
        values["tax_ids"] = [Command.set(iva_tax(env, line.iva, use, field + "iva").ids)]
    elif not product:
        raise ApiError(422, "invalid_body", env._("A line without product needs its iva."), field + "iva")
    return Command.create(values)


def document_values(env, data):
    """The ``account.move`` values of a ``DocumentIn`` (the partner given inline is created or updated)."""
    if data.export is not None and data.type != "factura":
        raise ApiError(422, "invalid_body", env._("Only a factura can be an export."), "export")
    if data.partner_id:
        partner = get_partner(env, data.partner_id)
    elif data.partner:
        partner, _created = upsert_partner(env, data.partner, "partner.")
    else:
        raise ApiError(422, "invalid_body", env._("Give partner_id or partner."), "partner")
    journal = _journal(env, data)
    purchase = data.type == "liquidacion_compra"
    move_type = {"nota_credito": "out_refund", "liquidacion_compra": "in_invoice"}.get(data.type, "out_invoice")
    values = {
        "move_type": move_type,
        "partner_id": partner.id,
        "journal_id": journal.id,
        "invoice_date": data.date or today_ecuador(),
        # the integrator's reference is the source document; a credit note's ref is its reason (motivo)
        "invoice_origin": data.reference or False,
        "ref": (data.reason or data.reference or False) if data.type == "nota_credito" else (data.reference or False),
        "invoice_line_ids": [_line(env, line, index, "purchase" if purchase else "sale")
                             for index, line in enumerate(data.lines)],
    }
    doc_type = env["l10n_latam.document.type"].search([
        ("code", "=", DOCUMENT_CODES[data.type]), ("country_id.code", "=", "EC")], limit=1)
    if doc_type:
        values["l10n_latam_document_type_id"] = doc_type.id
    if data.payment_code:
        payment = env["l10n_ec.sri.payment"].search([("code", "=", data.payment_code)], limit=1)
        if not payment:
            raise ApiError(422, "invalid_payment_code", env._(
                "%s is not a forma de pago of the SRI (e.g. 01 cash, 19 credit card, 20 other with the financial "
                "system).", data.payment_code), "payment_code")
        values["l10n_ec_sri_payment_id"] = payment.id
    if data.type in ("nota_credito", "nota_debito"):
        if not data.modified_document_id:
            raise ApiError(422, "invalid_body", env._("A nota de crédito or débito needs modified_document_id, "
                                                      "the factura it modifies."), "modified_document_id")
        origin_doc = get_document(env, data.modified_document_id, "modified_document_id")
        origin = origin_doc._source()
        if origin._name != "account.move" or origin.move_type != "out_invoice" or origin.state != "posted" \
                or origin.partner_id.commercial_partner_id != partner.commercial_partner_id:
            raise ApiError(422, "invalid_modified_document", env._(
                "The modified document must be a posted factura of the same customer."), "modified_document_id")
        values["reversed_entry_id" if data.type == "nota_credito" else "debit_origin_id"] = origin.id
        if data.type == "nota_debito" and data.reason:
            raise ApiError(422, "invalid_body", env._(
                "A nota de débito has no reason of its own: each line's description is its motivo."), "reason")
    elif data.modified_document_id or data.reason:
        raise ApiError(422, "invalid_body", env._(
            "modified_document_id and reason are for notas de crédito and débito only."),
            "modified_document_id" if data.modified_document_id else "reason")
    if data.export is not None:
        values.update(_export_values(env, data.export, partner))
    return values


def _export_values(env, export, partner):
    """The ``account.move`` values of an ``ExportIn`` (fields of l10n_ec_sri_reports). What the ATS or the factura
    de exportación still lacks is refused at posting, as in Odoo's screens."""
    if "l10n_ec_sri_export_type" not in env["account.move"]._fields:
        raise ApiError(422, "export_unavailable", env._(
            "Exports need the module l10n_ec_sri_reports: ask your administrator to install it."), "export")
    country = partner.commercial_partner_id.country_id
    if export.country_code:
        country = _country(env, export.country_code, "export.country_code")
    values = {
        "l10n_ec_sri_export_type": export.kind,
        "l10n_ec_sri_export_regime": export.regime,
        "l10n_ec_sri_export_country_id": country.id,
        "l10n_ec_sri_export_dae": export.dae or False,
        "l10n_ec_sri_export_transport": export.transport_document or False,
        "l10n_ec_sri_export_shipment_date": export.shipment_date,
        "incoterm_location": export.incoterm_place or False,
        "l10n_ec_sri_export_port_loading": export.port_of_loading or False,
        "l10n_ec_sri_export_port_destination": export.port_of_destination or False,
    }
    if export.fob:
        values["l10n_ec_sri_export_fob"] = export.fob
    if export.incoterm:
        incoterm = env["account.incoterms"].search([("code", "=ilike", export.incoterm)], limit=1)
        if not incoterm:
            raise ApiError(422, "invalid_incoterm", env._("No Incoterm with the code %s.", export.incoterm),
                           "export.incoterm")
        values["invoice_incoterm_id"] = incoterm.id  # else the company's default Incoterm, as in Odoo's screens
    return values


def post_documents(env, moves):
    """Post (number, sign, queue) ``moves``; all of them must have become SRI documents."""
    moves.action_post()
    if any(not move.l10n_ec_sri_document_id for move in moves):
        raise ApiError(422, "not_issued", env._(
            "The document was not issued to the SRI: check its journal and document type."), "journal_id")


def create_moves(env, values_list):
    """The draft moves, created without the chatter's creation log and field tracking: the call posts them at
    once (the posting is tracked, and the SRI document logs its own history). Odoo's tracking of a new invoice
    is about a third of its creation time."""
    return env["account.move"].with_context(mail_create_nolog=True, tracking_disable=True).create(
        values_list).with_env(env)


def create_document(env, data):
    """Create, post and queue one document; returns its ``l10n_ec_sri.document``."""
    move = create_moves(env, [document_values(env, data)])
    post_documents(env, move)
    return move.l10n_ec_sri_document_id


def dump(model):
    """JSON-ready dict of a pydantic answer (stored for idempotent replays)."""
    return _json_safe(model.model_dump(mode="json"))
