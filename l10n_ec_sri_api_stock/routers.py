# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""POST /api/sri/v1/guides: the guía de remisión of validated deliveries, numbered, signed and queued in one call.
Its state, XML and RIDE are the documents endpoints' (``type`` ``guia_remision``)."""
import datetime as dt

from pydantic import ConfigDict, Field

from odoo.addons.l10n_ec_sri_api import schemas, services
from odoo.addons.l10n_ec_sri_api.deps import AuthEnv
from odoo.addons.l10n_ec_sri_api.errors import ApiError
from odoo.addons.l10n_ec_sri_api.routers import ERRORS, IdempotencyKey, _body, idempotent

from fastapi import APIRouter

TAG = {"name": "guides", "description": "Guías de remisión of validated deliveries (Inventory)."}

GUIDE_EXAMPLE = {
    "pickings": ["WH/OUT/00012"],
    "carrier": {"identification": "1713175071", "identification_type": "cedula", "name": "Luis Guamán"},
    "plate": "PBA-1234",
    "transport_start": "2026-12-02",
    "transport_end": "2026-12-03",
    "route": "Quito - Santo Domingo - Guayaquil",
}


class GuideIn(schemas.Strict):
    picking_ids: list[int] | None = Field(None, min_length=1, max_length=100,
                                          description="The validated deliveries (stock.picking ids); or pickings.")
    pickings: list[str] | None = Field(None, min_length=1, max_length=100,
                                       description="The validated deliveries by reference, e.g. WH/OUT/00012.")
    carrier_id: int | None = Field(None, description="The carrier (transportista); or carrier.")
    carrier: schemas.PartnerIn | None = Field(None, description="The carrier, created or updated by identification.")
    plate: str | None = Field(None, max_length=20, description="The vehicle's plate (placa); the carrier's when "
                              "absent.")
    transport_start: dt.date | None = Field(None, description="Today in Ecuador when absent.")
    transport_end: dt.date | None = Field(None, description="The start when absent.")
    route: str | None = Field(None, max_length=300)
    start_address: str | None = Field(None, max_length=300, description="Dirección de partida; the warehouse's "
                                      "when absent.")
    note: str | None = Field(None, max_length=300)
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True,
                              json_schema_extra={"examples": [GUIDE_EXAMPLE]})


GuideBody = _body(GuideIn, "delivery", GUIDE_EXAMPLE, "One delivery carried by a person with a cédula")
router = APIRouter(responses=ERRORS)


def _pickings(env, data):
    Picking = env["stock.picking"]
    if data.picking_ids:
        pickings = Picking.search([("id", "in", data.picking_ids)])
        missing = sorted(set(data.picking_ids) - set(pickings.ids))
        if missing:
            raise ApiError(404, "picking_not_found", env._("No delivery with id %s.", missing[0]), "picking_ids")
        return pickings
    if data.pickings:
        pickings = Picking.search([("name", "in", data.pickings)])
        missing = sorted(set(data.pickings) - set(pickings.mapped("name")))
        if missing:
            raise ApiError(404, "picking_not_found", env._("No delivery with the reference %s.", missing[0]),
                           "pickings")
        return pickings
    raise ApiError(422, "invalid_body", env._("Give picking_ids or pickings: the deliveries the guía carries."),
                   "picking_ids")


def issue_guide(env, data):
    pickings = _pickings(env, data)
    if data.carrier_id:
        carrier = services.get_partner(env, data.carrier_id, "carrier_id")
    elif data.carrier:
        carrier, _created = services.upsert_partner(env, data.carrier, "carrier.")
    else:
        raise ApiError(422, "invalid_body", env._("Give carrier_id or carrier: who carries the goods."), "carrier")
    action = pickings.action_l10n_ec_sri_guide()
    guide = env["l10n_ec_sri.delivery.guide"].browse(action["res_id"])
    values = {"carrier_id": carrier.id, "plate": data.plate or carrier.l10n_ec_sri_plate or False,
              "route": data.route or False, "note": data.note or False}
    start = data.transport_start or guide.transport_start
    values.update(transport_start=start, transport_end=data.transport_end or start)
    if data.start_address:
        values["start_address"] = data.start_address
    guide.write(values)
    guide.action_post()
    if not guide.l10n_ec_sri_document_id:
        raise ApiError(422, "not_issued", env._("The guía was not issued to the SRI."), "pickings")
    return guide.l10n_ec_sri_document_id


@router.post("/guides", tags=["guides"], status_code=201, response_model=schemas.Document,
             summary="Issue the guía de remisión of validated deliveries")
def create_guide(env: AuthEnv, data: GuideBody, idempotency_key: IdempotencyKey = None):
    def produce():
        return services.dump(services.document_out(issue_guide(env, data)))
    return idempotent(env, idempotency_key, "POST /guides", data.model_dump(mode="json"), 201, produce)
