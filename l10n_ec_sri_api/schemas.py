# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The API's bodies and answers (pydantic): the OpenAPI document is generated from them, with an example on
each. Field names are English and stable; values the SRI defines keep the SRI's codes."""
import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_BULK = 500
MAX_BATCH = 500

DocumentType = Literal["factura", "nota_credito", "nota_debito", "liquidacion_compra"]
IvaRate = Literal["0", "5", "15", "no_objeto", "exento"]
Event = Literal["authorized", "not_authorized", "returned"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- errors -----------------------------------------------------------------------------------------------
class ErrorDetail(BaseModel):
    code: str = Field(description="Stable code of the error, for programs.")
    message: str = Field(description="What went wrong and what to fix, in the user's language (Spanish).")
    field: str | None = Field(None, description="The field of the body or the parameter at fault, if one is.")


class Error(BaseModel):
    detail: ErrorDetail
    model_config = ConfigDict(json_schema_extra={"examples": [{"detail": {
        "code": "invalid_identification", "field": "identification",
        "message": "La identificación 1710034060 no es una cédula válida: revise el dígito verificador."}}]})


# --- partners ---------------------------------------------------------------------------------------------
PARTNER_EXAMPLE = {
    "identification": "1710034065", "identification_type": "cedula", "name": "Juan Pérez",
    "email": "juan.perez@example.com", "phone": "+593 99 123 4567", "street": "Calle Larga 1-23",
    "city": "Cuenca",
}


class PartnerIn(Strict):
    identification: str = Field(min_length=1, max_length=20, description="RUC, cédula, passport or foreign id.")
    identification_type: Literal["ruc", "cedula", "pasaporte", "consumidor_final", "exterior"] = Field(
        description="Kind of identification, as the SRI names it.")
    name: str = Field(min_length=1, max_length=300)
    email: str | None = Field(None, max_length=240, description="Where the authorized XML and the RIDE go.")
    phone: str | None = Field(None, max_length=60)
    street: str | None = Field(None, max_length=300)
    city: str | None = Field(None, max_length=120)
    country_code: str = Field("EC", min_length=2, max_length=2, description="ISO 3166 code of the country.")
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True,
                              json_schema_extra={"examples": [PARTNER_EXAMPLE]})


class Partner(BaseModel):
    id: int
    identification: str | None
    identification_type: str | None
    name: str
    email: str | None
    phone: str | None
    street: str | None
    city: str | None
    country_code: str | None
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 42, **PARTNER_EXAMPLE, "country_code": "EC"}]})


class PartnerPage(BaseModel):
    items: list[Partner]
    total: int


class PartnerBulkIn(Strict):
    items: list[PartnerIn] = Field(min_length=1, max_length=MAX_BULK)
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"items": [PARTNER_EXAMPLE]}]})


class BulkItem(BaseModel):
    index: int = Field(description="Position of the item in the request, from 0.")
    id: int | None = None
    created: bool | None = Field(None, description="True when created, false when an existing one was updated.")
    error: ErrorDetail | None = None


class BulkResult(BaseModel):
    created: int
    updated: int
    failed: int
    items: list[BulkItem]


# --- products ---------------------------------------------------------------------------------------------
PRODUCT_EXAMPLE = {"code": "CONS-01", "name": "Servicio de consultoría", "price": 100.0, "iva": "15",
                   "barcode": None, "kind": "service"}


class ProductIn(Strict):
    code: str = Field(min_length=1, max_length=25, description="Código principal (the product's internal "
                      "reference); products are matched by it.")
    name: str = Field(min_length=1, max_length=300)
    price: float = Field(ge=0, description="Sale price without taxes.")
    iva: IvaRate = Field("15", description="IVA rate of its sales.")
    barcode: str | None = Field(None, max_length=25, description="Código auxiliar.")
    kind: Literal["goods", "service"] = "goods"
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True,
                              json_schema_extra={"examples": [PRODUCT_EXAMPLE]})


class Product(BaseModel):
    id: int
    code: str | None
    name: str
    price: float
    iva: str | None
    barcode: str | None
    kind: str
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 7, **PRODUCT_EXAMPLE}]})


class ProductPage(BaseModel):
    items: list[Product]
    total: int


class ProductBulkIn(Strict):
    items: list[ProductIn] = Field(min_length=1, max_length=MAX_BULK)
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"items": [PRODUCT_EXAMPLE]}]})


# --- documents --------------------------------------------------------------------------------------------
class LineIn(Strict):
    product_id: int | None = Field(None, description="An Odoo product id; or give product_code.")
    product_code: str | None = Field(None, description="A product's code (código principal).")
    description: str | None = Field(None, max_length=300, description="Defaults to the product's name.")
    quantity: float = Field(gt=0)
    price_unit: float = Field(ge=0, description="Unit price without taxes.")
    discount: float = Field(0, ge=0, lt=100, description="Discount in percent.")
    iva: IvaRate | None = Field(None, description="IVA rate; defaults to the product's taxes.")


class ExportIn(Strict):
    """An export (needs the module l10n_ec_sri_reports): declared in the ATS's exportaciones; an export of goods
    is issued as a factura de exportación, with its comercio exterior."""
    kind: Literal["01", "02", "03"] = Field(description="exportacionDe: 01 goods with DAE, 02 goods without DAE, "
                                            "03 services and other income from abroad.")
    regime: Literal["01", "02", "03"] = Field("01", description="tipoRegi, the fiscal regime of the country: "
                                              "01 general, 02 tax haven, 03 preferential regime.")
    country_code: str | None = Field(None, min_length=2, max_length=2, description="ISO 3166 code of the export "
                                     "country; the customer's country when absent.")
    dae: str | None = Field(None, max_length=30, description="Goods with DAE: its number, e.g. 028-2026-40-00012345.")
    transport_document: str | None = Field(None, max_length=13, description="Goods with DAE: the bill of lading "
                                           "or air waybill.")
    shipment_date: dt.date = Field(description="Date of shipment.")
    fob: float | None = Field(None, gt=0, description="FOB value; the untaxed amount when absent.")
    incoterm: str | None = Field(None, max_length=10, description="Goods: the Incoterm's code, e.g. FOB, CIF; the "
                                 "company's default Incoterm when absent.")
    incoterm_place: str | None = Field(None, max_length=300, description="Goods: where the Incoterm applies.")
    port_of_loading: str | None = Field(None, max_length=300, description="Goods: the port of loading.")
    port_of_destination: str | None = Field(None, max_length=300, description="Goods: the port of destination.")


DOCUMENT_EXAMPLE = {
    "type": "factura",
    "partner": PARTNER_EXAMPLE,
    "reference": "PEDIDO-1001",
    "payment_code": "20",
    "lines": [{"product_code": "CONS-01", "quantity": 2, "price_unit": 100.0, "discount": 0, "iva": "15"}],
}


class DocumentIn(Strict):
    type: DocumentType = Field(description="factura, nota_credito, nota_debito or liquidacion_compra.")
    partner_id: int | None = Field(None, description="The customer (the supplier of a liquidación); or give "
                                   "partner, created or updated by its identification.")
    partner: PartnerIn | None = None
    date: dt.date | None = Field(None, description="Emission date; today in Ecuador when absent.")
    journal_id: int | None = Field(None, description="Journal (establecimiento and punto de emisión); the "
                                   "company's first one for this type when absent.")
    reference: str | None = Field(None, max_length=120, description="Your own reference (e.g. your order).")
    payment_code: str | None = Field(None, min_length=2, max_length=2,
                                     description="SRI forma de pago (01 cash, 16 debit card, 19 credit card, "
                                     "20 other with the financial system...).")
    modified_document_id: int | None = Field(None, description="Nota de crédito / débito: the id (in this "
                                             "API) of the factura it modifies.")
    reason: str | None = Field(None, max_length=300, description="Nota de crédito: the reason (motivo).")
    lines: list[LineIn] = Field(min_length=1, max_length=1000)
    export: ExportIn | None = Field(None, description="Factura: an export (needs the module l10n_ec_sri_reports).")
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True,
                              json_schema_extra={"examples": [DOCUMENT_EXAMPLE]})


class Links(BaseModel):
    self: str
    xml: str
    ride: str


class Document(BaseModel):
    id: int = Field(description="The electronic document's id in this API.")
    type: str
    number: str | None
    access_key: str | None
    state: str = Field(description="to_send, retry, received, authorized, not_authorized, returned, annulled.")
    messages: list[str] = Field(description="The SRI's messages (and the queue's) on this document.")
    authorization_number: str | None
    authorization_date: dt.datetime | None
    environment: str | None = Field(description="1 pruebas, 2 producción.")
    date: dt.date | None
    partner: Partner | None
    reference: str | None
    total: float | None
    currency: str | None
    move_id: int | None = Field(description="The Odoo journal entry (account.move) when the source is one.")
    links: Links
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 15, "type": "factura", "number": "001-001-000000015",
        "access_key": "0212202601179345678200110010010000000151234567816", "state": "authorized",
        "messages": [], "authorization_number": "0212202601179345678200110010010000000151234567816",
        "authorization_date": "2026-12-02T15:04:05", "environment": "1", "date": "2026-12-02",
        "partner": {"id": 42, **PARTNER_EXAMPLE, "country_code": "EC"}, "reference": "PEDIDO-1001",
        "total": 230.0, "currency": "USD", "move_id": 88,
        "links": {"self": "/api/sri/v1/documents/15", "xml": "/api/sri/v1/documents/15/xml",
                  "ride": "/api/sri/v1/documents/15/ride"}}]})


class DocumentPage(BaseModel):
    items: list[Document]
    total: int


# --- batches ----------------------------------------------------------------------------------------------
class BatchIn(Strict):
    documents: list[DocumentIn] = Field(min_length=1, max_length=MAX_BATCH)
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"documents": [DOCUMENT_EXAMPLE]}]})


class BatchItem(BaseModel):
    index: int
    state: Literal["pending", "done", "failed"]
    document_id: int | None = None
    error: ErrorDetail | None = None


class Batch(BaseModel):
    id: int
    state: Literal["queued", "processing", "done"]
    total: int
    done: int
    failed: int
    pending: int
    items: list[BatchItem]
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 3, "state": "done", "total": 2, "done": 1, "failed": 1, "pending": 0,
        "items": [{"index": 0, "state": "done", "document_id": 15, "error": None},
                  {"index": 1, "state": "failed", "document_id": None, "error": {
                      "code": "product_not_found", "field": "lines.0.product_code",
                      "message": "No hay un producto con el código XX-9."}}]}]})


# --- webhooks ---------------------------------------------------------------------------------------------
class WebhookIn(Strict):
    url: str = Field(min_length=8, max_length=2000, description="Where the events are POSTed (https).")
    events: list[Event] = Field(["authorized", "not_authorized", "returned"], min_length=1)
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [
        {"url": "https://shop.example.com/sri/events", "events": ["authorized", "not_authorized", "returned"]}]})


class Webhook(BaseModel):
    id: int
    url: str
    events: list[str]
    active: bool
    secret: str | None = Field(None, description="The HMAC-SHA256 key of the signatures: given once, at "
                               "creation. Each POST carries X-SRI-Signature: sha256=<hex of HMAC(body)>.")
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 1, "url": "https://shop.example.com/sri/events", "events": ["authorized"], "active": True,
        "secret": "c2VjcmV0LWdpdmVuLW9uY2U"}]})


class WebhookDelivery(BaseModel):
    id: int
    event: str
    document_id: int
    state: Literal["pending", "done", "failed"]
    attempts: int
    last_status: int | None
    last_error: str | None
    next_try: dt.datetime | None
    create_date: dt.datetime


class WebhookDeliveryPage(BaseModel):
    items: list[WebhookDelivery]
    total: int
