# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The endpoints under /api/sri/v1 (the fastapi add-on mounts them; see models/fastapi_endpoint.py)."""
import base64
import json
import os
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Header, Path, Query
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from .. import schemas, services
from ..deps import AuthEnv
from ..errors import ApiError

try:  # Swagger UI 5 (OpenAPI 3.1), as shipped in the fastapi-offline package
    import fastapi_offline

    swagger_ui_path = os.path.join(os.path.dirname(fastapi_offline.__file__), "static")
except ImportError:  # the docs page says so; the API itself works without it
    swagger_ui_path = None

API_ROOT = services.API_ROOT
DOCS_ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon.png")

TAGS = [
    {"name": "partners", "description": "Customers and suppliers, matched by their identification."},
    {"name": "products", "description": "Products and services, matched by their code (código principal)."},
    {"name": "documents", "description": "Electronic documents: issue one (created, posted and queued for the "
     "SRI in one call), follow its state, download its XML and RIDE."},
    {"name": "batches", "description": "Up to 500 documents in one call, issued in the background."},
    {"name": "webhooks", "description": "Be told when a document is authorized, not authorized or returned."},
]

ERRORS = {status: {"model": schemas.Error, "description": text} for status, text in {
    400: "The body is not valid JSON.",
    401: "No API key, or one that is not valid (revoked, expired).",
    402: "The company's plan does not include the API (plans module).",
    403: "Over plain HTTP from another machine, or the user lacks the rights.",
    404: "Not found among the company's records.",
    409: "Idempotency-Key already used with another body.",
    422: "The body or a parameter is not valid; the message names the field.",
    429: "Too many requests with this key: see Retry-After.",
}.items()}

router = APIRouter(responses=ERRORS)

IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=200,
    description="Any unique string (a UUID): a retry with the same key and body returns the first answer and "
    "issues nothing; with another body, 409.", examples=["4f6f5a3e-9c1b-4c55-a1a4-2f0d2c9c1d10"])]
Limit = Annotated[int, Query(ge=1, le=500, description="At most this many items.",
                             openapi_examples={"default": {"value": 100}})]
Offset = Annotated[int, Query(ge=0, description="Skip this many items.", openapi_examples={"first": {"value": 0}})]


def _id_path(what):
    return Annotated[int, Path(description=f"The {what}'s id.", openapi_examples={"one": {"value": 15}})]


def _body(model, name, example, summary):
    return Annotated[model, Body(openapi_examples={name: {"summary": summary, "value": example}})]


PartnerBody = _body(schemas.PartnerIn, "cedula", schemas.PARTNER_EXAMPLE, "A customer with a cédula")
PartnerBulkBody = _body(schemas.PartnerBulkIn, "two", {"items": [
    schemas.PARTNER_EXAMPLE, {**schemas.PARTNER_EXAMPLE, "identification": "0918765439", "name": "Ana Ruiz"}]},
    "Two customers")
ProductBody = _body(schemas.ProductIn, "service", schemas.PRODUCT_EXAMPLE, "A service with IVA 15 %")
ProductBulkBody = _body(schemas.ProductBulkIn, "two", {"items": [
    schemas.PRODUCT_EXAMPLE, {**schemas.PRODUCT_EXAMPLE, "code": "CAFE-250", "name": "Café 250 g", "price": 4.5,
                              "iva": "0", "kind": "goods"}]}, "Two products")
DocumentBody = _body(schemas.DocumentIn, "factura", schemas.DOCUMENT_EXAMPLE, "A factura to a customer with a cédula")
BatchBody = _body(schemas.BatchIn, "two", {"documents": [
    schemas.DOCUMENT_EXAMPLE, {**schemas.DOCUMENT_EXAMPLE, "reference": "PEDIDO-1002"}]}, "Two facturas")
WebhookBody = _body(schemas.WebhookIn, "shop", {"url": "https://shop.example.com/sri/events",
                                          "events": ["authorized", "not_authorized"]}, "A shop's receiver")
PartnerId = _id_path("partner")
ProductId = _id_path("product")
DocumentId = _id_path("document")
BatchId = _id_path("batch")
WebhookId = _id_path("webhook")


def idempotent(env, key, endpoint, body, status, produce):
    """Answer ``produce()`` once per ``Idempotency-Key``; a retry gets the stored answer."""
    if not key:
        return JSONResponse(produce(), status_code=status)
    claimed, record = env["l10n_ec_sri.api.idempotency"]._claim(key, endpoint, body)
    if not claimed:
        record = record.sudo()
        if not record._same_request(endpoint, body):
            raise ApiError(409, "idempotency_conflict", env._(
                "This Idempotency-Key was already used with another request: use a new key for a new "
                "request."), "Idempotency-Key")
        return JSONResponse(json.loads(record.response), status_code=record.status_code,
                            headers={"Idempotent-Replayed": "true"})
    payload = produce()
    record._store(status, payload)
    return JSONResponse(payload, status_code=status)


# --- docs -------------------------------------------------------------------------------------------------
@router.get("/docs", include_in_schema=False)
def docs_page():
    if not swagger_ui_path:
        return HTMLResponse("<p>Install the Python package fastapi-offline for this page; the description "
                            f"is at <a href='{API_ROOT}/openapi.json'>{API_ROOT}/openapi.json</a>.</p>")
    return get_swagger_ui_html(
        openapi_url=f"{API_ROOT}/openapi.json", title="API SRI Ecuador",
        swagger_js_url=f"{API_ROOT}/docs/assets/swagger-ui-bundle.js",
        swagger_css_url=f"{API_ROOT}/docs/assets/swagger-ui.css",
        swagger_favicon_url=f"{API_ROOT}/docs/assets/favicon.png",
        swagger_ui_parameters={"persistAuthorization": True})


@router.get("/docs/assets/{name}", include_in_schema=False)
def docs_asset(name: str):
    if not swagger_ui_path or name not in DOCS_ASSETS:
        raise ApiError(404, "not_found", "Not found")
    return FileResponse(os.path.join(swagger_ui_path, name), headers={"Cache-Control": "public, max-age=86400"})


# --- partners ---------------------------------------------------------------------------------------------
@router.get("/partners", tags=["partners"], response_model=schemas.PartnerPage, summary="List partners")
def list_partners(env: AuthEnv, limit: Limit = 100, offset: Offset = 0,
                  identification: Annotated[str | None, Query(
                      description="Only the partner of this identification.",
                      openapi_examples={"cedula": {"value": "1710034065"}})] = None):
    domain = [("parent_id", "=", False)]
    if identification:
        domain.append(("vat", "=", identification))
    Partner = env["res.partner"]
    partners = Partner.search(domain, limit=limit, offset=offset, order="id")
    return {"items": [services.partner_out(p) for p in partners], "total": Partner.search_count(domain)}


@router.post("/partners", tags=["partners"], status_code=201, response_model=schemas.Partner,
             summary="Create or update a partner (by identification)")
def create_partner(env: AuthEnv, data: PartnerBody,
                   idempotency_key: IdempotencyKey = None):
    def produce():
        partner, _created = services.upsert_partner(env, data)
        return services.dump(services.partner_out(partner))
    return idempotent(env, idempotency_key, "POST /partners", data.model_dump(mode="json"), 201, produce)


@router.post("/partners/bulk", tags=["partners"], response_model=schemas.BulkResult,
             summary="Create or update up to 500 partners (by identification)")
def bulk_partners(env: AuthEnv, data: PartnerBulkBody, idempotency_key: IdempotencyKey = None):
    def produce():
        return _bulk(env, data.items, services.upsert_partner)
    return idempotent(env, idempotency_key, "POST /partners/bulk", data.model_dump(mode="json"), 200, produce)


@router.get("/partners/{partner_id}", tags=["partners"], response_model=schemas.Partner, summary="Read a partner")
def read_partner(env: AuthEnv, partner_id: PartnerId):
    return services.partner_out(services.get_partner(env, partner_id, "partner_id"))


def _bulk(env, items, upsert):
    """Each item in its own savepoint: the good ones are saved, the bad ones say why."""
    results, counts = [], {"created": 0, "updated": 0, "failed": 0}
    from ..errors import translate

    for index, item in enumerate(items):
        try:
            with env.cr.savepoint():
                record, created = upsert(env, item, f"items.{index}.")
            counts["created" if created else "updated"] += 1
            results.append({"index": index, "id": record.id, "created": created, "error": None})
        except Exception as exc:  # noqa: BLE001 - per-item outcome; a bug is re-raised
            error = translate(exc, env)
            if error is None:
                raise
            counts["failed"] += 1
            results.append({"index": index, "id": None, "created": None, "error": error.detail})
    return {**counts, "items": results}


# --- products ---------------------------------------------------------------------------------------------
@router.get("/products", tags=["products"], response_model=schemas.ProductPage, summary="List products")
def list_products(env: AuthEnv, limit: Limit = 100, offset: Offset = 0,
                  code: Annotated[str | None, Query(description="Only the product of this code.",
                                                    openapi_examples={"code": {"value": "CONS-01"}})] = None):
    domain = [("default_code", "=", code)] if code else []
    Product = env["product.product"]
    products = Product.search(domain, limit=limit, offset=offset, order="id")
    return {"items": [services.product_out(p) for p in products], "total": Product.search_count(domain)}


@router.post("/products", tags=["products"], status_code=201, response_model=schemas.Product,
             summary="Create or update a product (by code)")
def create_product(env: AuthEnv, data: ProductBody,
                   idempotency_key: IdempotencyKey = None):
    def produce():
        product, _created = services.upsert_product(env, data)
        return services.dump(services.product_out(product))
    return idempotent(env, idempotency_key, "POST /products", data.model_dump(mode="json"), 201, produce)


@router.post("/products/bulk", tags=["products"], response_model=schemas.BulkResult,
             summary="Create or update up to 500 products (by code)")
def bulk_products(env: AuthEnv, data: ProductBulkBody,
        idempotency_key: IdempotencyKey = None):
    def produce():
        return _bulk(env, data.items, services.upsert_product)
    return idempotent(env, idempotency_key, "POST /products/bulk", data.model_dump(mode="json"), 200, produce)


@router.get("/products/{product_id}", tags=["products"], response_model=schemas.Product, summary="Read a product")
def read_product(env: AuthEnv, product_id: ProductId):
    product = env["product.product"].search([("id", "=", product_id)], limit=1)
    if not product:
        raise ApiError(404, "product_not_found", env._("No product with id %s.", product_id), "product_id")
    return services.product_out(product)


# --- documents --------------------------------------------------------------------------------------------
@router.post("/documents", tags=["documents"], status_code=201, response_model=schemas.Document,
             summary="Issue a document (create, post and queue it for the SRI)")
def create_document(env: AuthEnv, data: DocumentBody,
                    idempotency_key: IdempotencyKey = None):
    def produce():
        return services.dump(services.document_out(services.create_document(env, data)))
    return idempotent(env, idempotency_key, "POST /documents", data.model_dump(mode="json"), 201, produce)


@router.get("/documents", tags=["documents"], response_model=schemas.DocumentPage, summary="List documents")
def list_documents(
    env: AuthEnv, limit: Limit = 100, offset: Offset = 0,
    type: Annotated[str | None, Query(description="factura, nota_credito, nota_debito, liquidacion_compra, and "
                                      "the types of the other installed modules (guia_remision...).",
                                      openapi_examples={"factura": {"value": "factura"}})] = None,
    state: Annotated[str | None, Query(description="to_send, retry, received, authorized, not_authorized, "
                                       "returned, annulled.",
                                       openapi_examples={"authorized": {"value": "authorized"}})] = None,
    date_from: Annotated[date | None, Query(description="Created on or after (UTC date).",
                                            openapi_examples={"day": {"value": "2026-12-01"}})] = None,
    date_to: Annotated[date | None, Query(description="Created on or before (UTC date).",
                                          openapi_examples={"day": {"value": "2026-12-31"}})] = None,
    partner_identification: Annotated[str | None, Query(openapi_examples={"cedula": {"value": "1710034065"}})] = None,
):
    domain = []
    if type:
        domain.append(("kind", "=", type))
    if state:
        domain.append(("state", "=", state))
    if date_from:
        domain.append(("create_date", ">=", date_from.isoformat()))
    if date_to:
        domain.append(("create_date", "<", date.fromordinal(date_to.toordinal() + 1).isoformat()))
    if partner_identification:
        domain.append(("partner_id.vat", "=", partner_identification))
    Document = env["l10n_ec_sri.document"]
    documents = Document.search(domain, limit=limit, offset=offset, order="id desc")
    return {"items": [services.document_out(d) for d in documents], "total": Document.search_count(domain)}


@router.get("/documents/{document_id}", tags=["documents"], response_model=schemas.Document,
            summary="A document's state and the SRI's messages")
def read_document(env: AuthEnv, document_id: DocumentId):
    return services.document_out(services.get_document(env, document_id, "document_id"))


def _attachment(env, document, attachment, what):
    if not attachment:
        raise ApiError(404, f"{what}_not_ready", env._(
            "The %s is not ready yet: it comes when the SRI authorizes the document (see its state).",
            "XML" if what == "xml" else "RIDE"), "document_id")
    document._l10n_ec_sri_audit("download", detail=attachment.sudo().name)
    return base64.b64decode(attachment.sudo().datas), attachment.sudo().name


@router.get("/documents/{document_id}/xml", tags=["documents"], summary="The document's XML",
            description="The authorized XML once authorized; before that, the signed XML sent to the SRI.",
            responses={200: {"content": {"application/xml": {}}, "description": "The XML."}})
def document_xml(env: AuthEnv, document_id: DocumentId):
    document = services.get_document(env, document_id, "document_id")
    data, name = _attachment(env, document, document.authorized_xml_id or document.xml_id, "xml")
    return Response(data, media_type="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/documents/{document_id}/ride", tags=["documents"], summary="The document's RIDE (PDF)",
            responses={200: {"content": {"application/pdf": {}}, "description": "The RIDE."}})
def document_ride(env: AuthEnv, document_id: DocumentId):
    document = services.get_document(env, document_id, "document_id")
    data, name = _attachment(env, document, document.ride_id, "ride")
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- batches ----------------------------------------------------------------------------------------------
def _batch_out(batch):
    items = []
    for item in batch.item_ids.sorted("sequence"):
        error = ({"code": item.error_code, "message": item.error_message or "", "field": item.error_field or None}
                 if item.state == "failed" else None)
        items.append({"index": item.sequence, "state": item.state, "document_id": item.document_id.id or None,
                      "error": error})
    return {"id": batch.id, "state": batch.state, "total": batch.total, "done": batch.done,
            "failed": batch.failed, "pending": batch.pending, "items": items}


@router.post("/batches", tags=["batches"], status_code=202, response_model=schemas.Batch,
             summary="Issue up to 500 documents in the background")
def create_batch(env: AuthEnv, data: BatchBody,
        idempotency_key: IdempotencyKey = None):
    company = env.company
    if hasattr(company, "_l10n_ec_sri_plan_check"):
        company._l10n_ec_sri_plan_check("batch")

    def produce():
        payloads = [document.model_dump(mode="json") for document in data.documents]
        batch = env["l10n_ec_sri.api.batch"]._l10n_ec_sri_enqueue(payloads)
        return json.loads(json.dumps(_batch_out(batch.sudo())))
    return idempotent(env, idempotency_key, "POST /batches", data.model_dump(mode="json"), 202, produce)


@router.get("/batches/{batch_id}", tags=["batches"], response_model=schemas.Batch,
            summary="A batch's progress and each item's outcome")
def read_batch(env: AuthEnv, batch_id: BatchId):
    batch = env["l10n_ec_sri.api.batch"].sudo().search([
        ("id", "=", batch_id), ("user_id", "=", env.uid), ("company_id", "=", env.company.id)], limit=1)
    if not batch:
        raise ApiError(404, "batch_not_found", env._("No batch with id %s.", batch_id), "batch_id")
    return _batch_out(batch)


# --- webhooks ---------------------------------------------------------------------------------------------
def _webhook_out(webhook, secret=None):
    return {"id": webhook.id, "url": webhook.url, "events": webhook._l10n_ec_sri_events(),
            "active": webhook.active, "secret": secret}


WEBHOOK_GROUP = "l10n_ec_sri.group_l10n_ec_sri_readonly"


def _check_webhook_rights(env):
    """A webhook tells of every document of the company the user may read: the SRI rights are needed."""
    if not env.user.has_group(WEBHOOK_GROUP):
        raise ApiError(403, "forbidden", env._(
            "Webhooks tell of the company's electronic documents: the user needs the SRI / Read-only rights at "
            "least."))


def _webhooks(env):
    _check_webhook_rights(env)
    return env["l10n_ec_sri.api.webhook"].sudo().search([
        ("user_id", "=", env.uid), ("company_id", "=", env.company.id)])


def _webhook(env, webhook_id):
    webhook = _webhooks(env).filtered(lambda w: w.id == webhook_id)
    if not webhook:
        raise ApiError(404, "webhook_not_found", env._("No webhook with id %s.", webhook_id), "webhook_id")
    return webhook


@router.post("/webhooks", tags=["webhooks"], status_code=201, response_model=schemas.Webhook,
             summary="Register a URL to be told of documents' outcomes")
def create_webhook(env: AuthEnv,
                   data: WebhookBody,
                   idempotency_key: IdempotencyKey = None):
    _check_webhook_rights(env)  # before the URL's check: nor is its resolution for anyone
    env["l10n_ec_sri.api.webhook"]._l10n_ec_sri_check_url(data.url)

    def produce():
        webhook, secret = env["l10n_ec_sri.api.webhook"]._l10n_ec_sri_register(data.url, sorted(set(data.events)))
        return _webhook_out(webhook.sudo(), secret)
    return idempotent(env, idempotency_key, "POST /webhooks", data.model_dump(mode="json"), 201, produce)


@router.get("/webhooks", tags=["webhooks"], response_model=list[schemas.Webhook], summary="List webhooks",
            description="The webhooks this token's user registered for this company (secrets are not shown).")
def list_webhooks(env: AuthEnv):
    return [_webhook_out(w) for w in _webhooks(env)]


@router.delete("/webhooks/{webhook_id}", tags=["webhooks"], status_code=204, summary="Remove a webhook")
def delete_webhook(env: AuthEnv, webhook_id: WebhookId):
    _webhook(env, webhook_id)._l10n_ec_sri_remove()
    return Response(status_code=204)


@router.get("/webhooks/{webhook_id}/deliveries", tags=["webhooks"], response_model=schemas.WebhookDeliveryPage,
            summary="The deliveries of a webhook, newest first")
def list_deliveries(env: AuthEnv, webhook_id: WebhookId, limit: Limit = 100, offset: Offset = 0):
    webhook = _webhook(env, webhook_id)
    Delivery = env["l10n_ec_sri.api.webhook.delivery"].sudo()
    domain = [("webhook_id", "=", webhook.id)]
    deliveries = Delivery.search(domain, limit=limit, offset=offset)
    return {"total": Delivery.search_count(domain), "items": [{
        "id": d.id, "event": d.event, "document_id": d.document_id.id, "state": d.state, "attempts": d.attempts,
        "last_status": d.last_status or None, "last_error": d.last_error or None,
        "next_try": services.utc(d.next_try), "create_date": services.utc(d.create_date)} for d in deliveries]}
