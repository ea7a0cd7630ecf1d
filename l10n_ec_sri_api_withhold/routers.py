# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""POST /api/sri/v1/withholds: the comprobante de retención of posted vendor bills (or liquidaciones de compra) of
one supplier, with the withholdings Odoo proposes for them (the supplier's taxpayer type, the products' and the
company's rules: the wizard *Withhold* of the bill), numbered, signed and queued in one call. Its state, XML and
RIDE are the documents endpoints' (``type`` ``retencion``)."""
import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from odoo.addons.l10n_ec_sri_api import schemas, services
from odoo.addons.l10n_ec_sri_api.deps import AuthEnv
from odoo.addons.l10n_ec_sri_api.errors import ApiError
from odoo.addons.l10n_ec_sri_api.routers import ERRORS, IdempotencyKey, _body, idempotent

from fastapi import APIRouter

TAG = {"name": "withholds", "description": "Comprobantes de retención of vendor bills (purchases)."}

WITHHOLD_EXAMPLE = {"bills": [{"supplier": "1790016919001", "number": "001-001-000000123"}]}


class BillRef(BaseModel):
    supplier: str = Field(min_length=10, max_length=20, description="The supplier's RUC (or identification).")
    number: str = Field(min_length=1, max_length=20, description="The bill's number, e.g. 001-001-000000123.")
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WithholdIn(schemas.Strict):
    bill_ids: list[int] | None = Field(None, min_length=1, max_length=50,
                                       description="The posted vendor bills (account.move ids); or bills.")
    bills: list[BillRef] | None = Field(None, min_length=1, max_length=50,
                                        description="The posted vendor bills by supplier and number.")
    date: dt.date | None = Field(None, description="Emission date; today in Ecuador when absent.")
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True,
                              json_schema_extra={"examples": [WITHHOLD_EXAMPLE]})


WithholdBody = _body(WithholdIn, "bill", WITHHOLD_EXAMPLE, "The retención of one bill of a sociedad")
router = APIRouter(responses=ERRORS)


def _bills(env, data):
    Move = env["account.move"]
    if data.bill_ids:
        bills = Move.search([("id", "in", data.bill_ids), ("move_type", "=", "in_invoice")])
        missing = sorted(set(data.bill_ids) - set(bills.ids))
        if missing:
            raise ApiError(404, "bill_not_found", env._("No vendor bill with id %s.", missing[0]), "bill_ids")
        return bills
    if data.bills:
        bills = Move
        for index, ref in enumerate(data.bills):
            # the document number is computed from the name (e.g. "FACT 001-001-000000123"), not stored
            bill = Move.search([("move_type", "=", "in_invoice"), ("state", "=", "posted"),
                                ("commercial_partner_id.vat", "=", ref.supplier), ("name", "like", ref.number)],
                               ).filtered(lambda m, number=ref.number: m.l10n_latam_document_number == number)[:1]
            if not bill:
                raise ApiError(404, "bill_not_found", env._(
                    "No posted vendor bill %(number)s of the supplier %(supplier)s.", number=ref.number,
                    supplier=ref.supplier), f"bills.{index}")
            bills |= bill
        return bills
    raise ApiError(422, "invalid_body", env._("Give bill_ids or bills: the vendor bills to withhold."), "bill_ids")


def issue_withhold(env, data):
    bills = _bills(env, data)
    Wizard = env["l10n_ec_sri.withhold.wizard"].with_context(active_model="account.move", active_ids=bills.ids)
    wizard = Wizard.create({"date": data.date} if data.date else {})
    if not wizard.line_ids:
        raise ApiError(422, "nothing_to_withhold", env._(
            "Odoo proposes no withholding for these bills: %s", wizard.warning or env._("no rule applies.")),
            "bill_ids" if data.bill_ids else "bills")
    action = wizard.action_confirm()
    withhold = env["account.move"].browse(action["res_id"])
    if not withhold.l10n_ec_sri_document_id:
        raise ApiError(422, "not_issued", env._("The retención was not issued to the SRI."), "bill_ids")
    return withhold.l10n_ec_sri_document_id


@router.post("/withholds", tags=["withholds"], status_code=201, response_model=schemas.Document,
             summary="Issue the retención of posted vendor bills (the withholdings Odoo proposes)")
def create_withhold(env: AuthEnv, data: WithholdBody, idempotency_key: IdempotencyKey = None):
    def produce():
        return services.dump(services.document_out(issue_withhold(env, data)))
    return idempotent(env, idempotency_key, "POST /withholds", data.model_dump(mode="json"), 201, produce)
