# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import hashlib
import hmac
import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from unittest.mock import patch

import psycopg2
import requests
from lxml import etree
from starlette.requests import Request

from odoo import Command, fields, sql_db
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import flow_env

from ..deps import _check_transport
from ..errors import ApiError
from ..models.l10n_ec_sri_api_request import claim
from .common import API, CUSTOMER, L10nEcSriApiCase

WEBHOOK_MODULE = "odoo.addons.l10n_ec_sri_api.models.l10n_ec_sri_api_webhook"


@tagged("post_install", "-at_install", "l10n_ec_sri_api")
class TestApi(L10nEcSriApiCase):

    # description and docs ---------------------------------------------------------------------------------
    def test_openapi_has_an_example_on_every_operation(self):
        response = requests.get(self._url("/openapi.json"), timeout=30)
        self.assertEqual(response.status_code, 200)
        spec = response.json()
        self.assertTrue(spec["openapi"].startswith("3."))
        self._openapi()  # openapi-core validates the description itself
        operations = [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]
        self.assertGreaterEqual(len(operations), 17)
        for path, method, op in operations:
            with self.subTest(operation=f"{method.upper()} {path}"):
                body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
                params = op.get("parameters", [])
                has_example = bool(body.get("examples") or body.get("example")) or any(
                    p.get("examples") or p.get("example") or p.get("schema", {}).get("examples") for p in params)
                self.assertTrue(has_example, op)
                self.assertEqual(op.get("security"), [{"OdooApiKey": []}])

    def test_docs_page_works_offline(self):
        page = requests.get(self._url("/docs"), timeout=30)
        self.assertEqual(page.status_code, 200)
        urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", page.text)
        self.assertTrue(urls)
        for url in urls:
            self.assertTrue(url.startswith(API), f"{url}: the page must not load anything from elsewhere")
            asset = requests.get(self.base_url() + url, timeout=30)
            self.assertEqual(asset.status_code, 200, url)
        self.assertIn("SwaggerUIBundle", page.text)

    def test_unknown_path_and_method_are_json_errors(self):
        self.assertError(self.call("GET", "/nothing-here", validate=False), 404, "not_found")
        self.assertError(self.call("DELETE", "/partners", validate=False), 405, "method_not_allowed")

    # authentication --------------------------------------------------------------------------------------
    def test_token_required_valid_and_revocable(self):
        self.assertError(self.call("GET", "/partners", token=False), 401, "missing_token")
        self.assertError(self.call("GET", "/partners", token="not-a-key"), 401, "invalid_token")
        other = self._api_key(self.editor)
        self.assertEqual(self.call("GET", "/partners", token=other).status_code, 200)
        self.env["res.users.apikeys"].search([("user_id", "=", self.editor.id), ("name", "=", "integration test")],
                                             order="id desc", limit=1).sudo().unlink()  # revoke the last one
        self.assertError(self.call("GET", "/partners", token=other), 401, "invalid_token")
        # a key scoped to another use (rpc) does not open the API
        rpc_only = self._api_key(self.editor, scope="rpc")
        self.assertError(self.call("GET", "/partners", token=rpc_only), 401, "invalid_token")

    def test_plain_http_only_from_loopback(self):
        def request(scheme, host):
            return Request({"type": "http", "scheme": scheme, "client": (host, 5000), "path": "/",
                            "headers": [], "server": ("odoo.example.com", 443)})
        env = self.env
        with self.assertRaises(ApiError) as caught:
            _check_transport(request("http", "10.1.2.3"), env)
        self.assertEqual(caught.exception.status_code, 403)
        self.assertEqual(caught.exception.detail["code"], "https_required")
        _check_transport(request("https", "10.1.2.3"), env)
        _check_transport(request("http", "127.0.0.1"), env)
        _check_transport(request("http", "::1"), env)

    def test_rate_limit_per_token(self):
        self.env["ir.config_parameter"].sudo().set_param("l10n_ec_sri_api.rate_limit", 3)
        self.env.flush_all()
        token = self._api_key(self.editor)
        for _i in range(3):
            self.assertEqual(self.call("GET", "/products", token=token).status_code, 200)
        response = self.call("GET", "/products", token=token)
        self.assertError(response, 429, "rate_limited")
        self.assertGreaterEqual(int(response.headers["Retry-After"]), 1)
        # another key of the same user has its own count
        self.assertEqual(self.call("GET", "/products").status_code, 200)

    # partners and products -------------------------------------------------------------------------------
    def test_partners_and_products(self):
        created = self.call("POST", "/partners", json=CUSTOMER)
        self.assertEqual(created.status_code, 201, created.text)
        partner = created.json()
        self.assertEqual(partner["identification"], CUSTOMER["identification"])
        self.assertEqual(partner["identification_type"], "cedula")
        again = self.call("POST", "/partners", json={**CUSTOMER, "email": "lucia.ch@example.com"})
        self.assertEqual(again.json()["id"], partner["id"], "matched by identification, updated")
        self.assertEqual(self.call("GET", f"/partners/{partner['id']}").json()["email"], "lucia.ch@example.com")
        self.assertError(self.call("POST", "/partners", json={**CUSTOMER, "identification": "0918765430"}),
                         422, "invalid_identification", "identification")
        self.assertFalse(self.env["res.partner"].search([("vat", "=", "0918765430")]), "nothing half-done")

        bulk = self.call("POST", "/partners/bulk", json={"items": [
            CUSTOMER, {**CUSTOMER, "identification": "1710034065", "name": "Juan Pérez"},
            {**CUSTOMER, "identification": "1710034060", "name": "Bad"}]})
        self.assertEqual(bulk.status_code, 200, bulk.text)
        result = bulk.json()
        self.assertEqual((result["created"], result["updated"], result["failed"]), (1, 1, 1))
        self.assertEqual(result["items"][2]["error"]["field"], "items.2.identification")
        listed = self.call("GET", "/partners", params={"identification": "1710034065"}).json()
        self.assertEqual([p["name"] for p in listed["items"]], ["Juan Pérez"])

        product = self.call("POST", "/products", json={"code": "CAFE-250", "name": "Café 250 g", "price": 4.5,
                                                        "iva": "0"})
        self.assertEqual(product.status_code, 201, product.text)
        self.assertEqual(product.json()["iva"], "0")
        bulk = self.call("POST", "/products/bulk", json={"items": [
            {"code": "CAFE-250", "name": "Café 250 g", "price": 4.75, "iva": "0"},
            {"code": "TE-100", "name": "Té 100 g", "price": 2.0, "iva": "15", "kind": "goods"}]}).json()
        self.assertEqual((bulk["created"], bulk["updated"], bulk["failed"]), (1, 1, 0))
        self.assertEqual(self.call("GET", "/products", params={"code": "CAFE-250"}).json()["items"][0]["price"], 4.75)
        self.assertError(self.call("GET", "/products/999999"), 404, "product_not_found")

    # documents -------------------------------------------------------------------------------------------
    def test_factura_issued_followed_and_downloaded(self):
        response = self.call("POST", "/documents", json=self._factura(reference="PEDIDO-77"))
        self.assertEqual(response.status_code, 201, response.text)
        document = response.json()
        self.assertEqual((document["type"], document["state"], document["number"]),
                         ("factura", "to_send", "001-001-000000001"))
        self.assertEqual(len(document["access_key"]), 49)
        self.assertAlmostEqual(document["total"], 414.0)
        self.assertEqual(document["reference"], "PEDIDO-77")
        self.assertError(self.call("GET", f"/documents/{document['id']}/ride"), 404, "ride_not_ready")

        self._run_queue()
        state = self.call("GET", f"/documents/{document['id']}").json()
        self.assertEqual(state["state"], "authorized", state["messages"])
        self.assertEqual(state["authorization_number"], document["access_key"])
        xml = self.call("GET", f"/documents/{document['id']}/xml")
        self.assertEqual(xml.headers["Content-Type"], "application/xml")
        self.assertEqual(etree.fromstring(xml.content).findtext("estado"), "AUTORIZADO")
        ride = self.call("GET", f"/documents/{document['id']}/ride")
        self.assertTrue(ride.content.startswith(b"%PDF"))
        listed = self.call("GET", "/documents", params={"state": "authorized", "type": "factura"}).json()
        self.assertIn(document["id"], [d["id"] for d in listed["items"]])

        credit = self.call("POST", "/documents", json={
            "type": "nota_credito", "partner_id": document["partner"]["id"], "reason": "Devolución de 1 hora",
            "modified_document_id": document["id"],
            "lines": [{"product_code": "INT-01", "quantity": 1, "price_unit": 120.0, "iva": "15"}]})
        self.assertEqual(credit.status_code, 201, credit.text)
        self.assertEqual(credit.json()["type"], "nota_credito")
        debit = self.call("POST", "/documents", json={
            "type": "nota_debito", "partner_id": document["partner"]["id"], "modified_document_id": document["id"],
            "lines": [{"description": "Intereses por mora", "quantity": 1, "price_unit": 10.0, "iva": "15"}]})
        self.assertEqual(debit.status_code, 201, debit.text)
        self.assertEqual(debit.json()["type"], "nota_debito")
        self._run_queue()
        for doc in (credit.json(), debit.json()):
            self.assertEqual(self.call("GET", f"/documents/{doc['id']}").json()["state"], "authorized")

    def test_idempotent_retries_issue_once(self):
        headers = {"Idempotency-Key": "order-1001"}
        body = self._factura()
        first = self.call("POST", "/documents", json=body, headers=dict(headers))
        self.assertEqual(first.status_code, 201, first.text)
        moves = self.env["account.move"].search_count([("company_id", "=", self.company.id)])
        retry = self.call("POST", "/documents", json=body, headers=dict(headers))
        self.assertEqual(retry.status_code, 201)
        self.assertEqual(retry.json(), first.json())
        self.assertEqual(retry.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(self.env["account.move"].search_count([("company_id", "=", self.company.id)]), moves)
        other = self.call("POST", "/documents", json=self._factura(reference="other"), headers=dict(headers))
        self.assertError(other, 409, "idempotency_conflict", "Idempotency-Key")
        self.assertEqual(self.env["account.move"].search_count([("company_id", "=", self.company.id)]), moves)
        # a failed request stores nothing (its transaction is rolled back): its key stays free, and the corrected
        # request sent with the same key (another body: 409 if the key had been taken) issues the document
        bad = self._factura(lines=[{"product_code": "NOPE", "quantity": 1, "price_unit": 1.0}])
        headers = {"Idempotency-Key": "order-1002"}
        self.assertError(self.call("POST", "/documents", json=bad, headers=dict(headers)), 404, "product_not_found")
        self.assertEqual(self.env["account.move"].search_count([("company_id", "=", self.company.id)]), moves)
        corrected = self._factura(reference="order-1002")
        issued = self.call("POST", "/documents", json=corrected, headers=dict(headers))
        self.assertEqual(issued.status_code, 201, issued.text)
        self.assertIsNone(issued.headers.get("Idempotent-Replayed"))
        self.assertEqual(issued.json()["reference"], "order-1002")
        self.assertEqual(self.env["account.move"].search_count([("company_id", "=", self.company.id)]), moves + 1)
        # from then on the key holds the corrected request's answer
        replay = self.call("POST", "/documents", json=corrected, headers=dict(headers))
        self.assertEqual((replay.status_code, replay.headers.get("Idempotent-Replayed")), (201, "true"))
        self.assertEqual(replay.json(), issued.json())
        self.assertError(self.call("POST", "/documents", json=bad, headers=dict(headers)), 409,
                         "idempotency_conflict", "Idempotency-Key")
        self.assertEqual(self.env["account.move"].search_count([("company_id", "=", self.company.id)]), moves + 1)

    def test_bad_input_is_json_naming_the_field_and_leaves_nothing(self):
        moves = self.env["account.move"].search_count([])
        partners = self.env["res.partner"].search_count([])
        broken = self.call("POST", "/documents", data=b"{not json", headers={"Content-Type": "application/json"})
        self.assertError(broken, 400, "malformed_json")
        self.assertError(self.call("POST", "/documents", json={"type": "factura", "partner": CUSTOMER}),
                         422, "invalid_body", "lines")
        self.assertError(self.call("POST", "/documents", json=self._factura(colour="red")), 422, "invalid_body",
                         "colour")
        self.assertError(self.call("POST", "/documents", json=self._factura(lines=[
            {"product_code": "INT-01", "quantity": -1, "price_unit": 1}])), 422, "invalid_body", "lines.0.quantity")
        new_customer = {**CUSTOMER, "identification": "1710034065", "name": "Nuevo"}
        missing = self.call("POST", "/documents", json=self._factura(partner=new_customer, lines=[
            {"product_code": "NOPE", "quantity": 1, "price_unit": 1}]))
        self.assertError(missing, 404, "product_not_found", "lines.0.product_code")
        self.assertIn("NOPE", missing.json()["detail"]["message"])
        credit = self.call("POST", "/documents", json={**self._factura(), "type": "nota_credito"})
        self.assertError(credit, 422, "invalid_body", "modified_document_id")
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertEqual(self.env["res.partner"].search_count([]), partners, "the inline partner was rolled back")

    def test_messages_are_spanish_for_a_spanish_user(self):
        self.env["res.lang"]._activate_lang("es_EC")
        self.editor.lang = "es_EC"
        self.env.flush_all()
        detail = self.assertError(self.call("GET", "/partners", token="nope"), 401, "invalid_token")
        self.assertIn("Bearer", self.call("GET", "/partners", token=False).json()["detail"]["message"])
        detail = self.assertError(self.call("GET", "/documents/999999"), 404, "document_not_found")
        self.assertIn("No hay", detail["message"])

    def test_a_token_never_sees_another_company(self):
        other = self.env["res.company"].create({"name": "Otra Empresa S.A.", "vat": "1790011674001",
                                                "country_id": self.env.ref("base.ec").id})
        self.assertError(self.call("GET", "/partners", headers={"X-SRI-RUC": other.vat}), 404,
                         "company_not_found", "X-SRI-RUC")
        document = self.call("POST", "/documents", json=self._factura(), headers={"X-SRI-RUC": self.company.vat})
        self.assertEqual(document.status_code, 201, document.text)
        doc_id = document.json()["id"]
        # a user of both companies chooses with the header, and sees only the chosen company's records
        self.editor.sudo().company_ids = [(4, other.id)]
        self.env.flush_all()
        in_other = {"X-SRI-RUC": other.vat}
        self.assertEqual(self.call("GET", "/documents", headers=in_other).json()["total"], 0)
        for path in (f"/documents/{doc_id}", f"/documents/{doc_id}/xml", f"/documents/{doc_id}/ride"):
            self.assertError(self.call("GET", path, headers=in_other), 404, "document_not_found")
        self.assertEqual(self.call("GET", f"/documents/{doc_id}").status_code, 200, "the default company")
        foreign = self.env["l10n_ec_sri.document"].sudo().search([("company_id", "!=", self.company.id)], limit=1)
        if foreign:  # the demo companies' documents, when the database has demo data
            self.assertError(self.call("GET", f"/documents/{foreign.id}"), 404, "document_not_found")

    def test_liquidacion_de_compra(self):
        expense = self.env["account.account"].search([
            ("company_ids", "in", self.company.id), ("account_type", "=", "expense")], limit=1)
        self.env["account.journal"].create({
            "name": "Liquidaciones de compra", "code": "LIQ", "type": "purchase", "company_id": self.company.id,
            "l10n_latam_use_documents": True, "l10n_ec_sri_liquidation": True, "default_account_id": expense.id,
            "l10n_ec_entity": "001", "l10n_ec_emission": "002"})
        self.env.flush_all()
        response = self.call("POST", "/documents", json={
            "type": "liquidacion_compra", "payment_code": "01",
            "partner": {**CUSTOMER, "name": "María Quishpe"},
            "lines": [{"description": "Quintales de papa", "quantity": 10, "price_unit": 25.0, "iva": "0"}]})
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual((response.json()["type"], response.json()["number"]),
                         ("liquidacion_compra", "001-002-000000001"))
        self._run_queue()
        self.assertEqual(self.call("GET", f"/documents/{response.json()['id']}").json()["state"], "authorized")

    def test_export_factura(self):
        """An export over the API: declared for the ATS, and an export of goods issued as a factura de exportación;
        what it lacks is refused as in Odoo's screens, and nothing is left."""
        if "l10n_ec_sri_export_type" not in self.env["account.move"]._fields:
            self.skipTest("exports need l10n_ec_sri_reports")
        # the test's codes, not a claim on the SRI's table of countries
        self.env.ref("base.ec").l10n_ec_sri_ats_code = "593"
        self.env.ref("base.us").l10n_ec_sri_ats_code = "110"
        self.env.flush_all()  # the requests read the database
        buyer = {"identification": "US98-7654321", "identification_type": "exterior", "name": "Fresh Fruits Inc.",
                 "country_code": "US"}
        export = {"kind": "01", "dae": "028-2026-40-00012345", "transport_document": "MAEU123456",
                  "shipment_date": fields.Date.to_string(fields.Date.today()), "incoterm": "fob",
                  "incoterm_place": "Guayaquil", "port_of_loading": "Guayaquil", "port_of_destination": "Miami"}
        lines = [{"description": "Banano, caja 22XU", "quantity": 1000, "price_unit": 8.2, "iva": "0"}]
        moves = self.env["account.move"].search_count([])
        incomplete = self.call("POST", "/documents", json=self._factura(
            partner=buyer, lines=lines, export={**export, "port_of_destination": None}))
        detail = self.assertError(incomplete, 422, "rejected")
        self.assertIn("port of destination", detail["message"])
        self.assertError(self.call("POST", "/documents", json=self._factura(
            partner=buyer, lines=lines, export={**export, "incoterm": "XYZ"})), 422, "invalid_incoterm",
            "export.incoterm")
        self.assertError(self.call("POST", "/documents", json={
            "type": "liquidacion_compra", "partner": buyer, "lines": lines, "export": export}), 422, "invalid_body",
            "export")
        self.assertEqual(self.env["account.move"].search_count([]), moves)

        response = self.call("POST", "/documents", json=self._factura(partner=buyer, lines=lines, export=export))
        self.assertEqual(response.status_code, 201, response.text)
        document = self.env["l10n_ec_sri.document"].browse(response.json()["id"])
        move = document._source()
        self.assertEqual((move.l10n_ec_sri_export_type, move.l10n_ec_sri_export_country_id.code,
                          move.l10n_ec_sri_export_fob, move.invoice_incoterm_id.code), ("01", "US", 8200.0, "FOB"))
        info = etree.fromstring(document.xml_id.raw).find("infoFactura")
        self.assertEqual([info.findtext(tag) for tag in (
            "comercioExterior", "incoTermFactura", "lugarIncoTerm", "paisOrigen", "puertoEmbarque", "puertoDestino",
            "paisDestino", "paisAdquisicion")],
            ["EXPORTADOR", "FOB", "Guayaquil", "593", "Guayaquil", "Miami", "110", "110"])
        self._run_queue()
        self.assertEqual(self.call("GET", f"/documents/{document.id}").json()["state"], "authorized")

    def test_update_changes_only_what_is_given(self):
        self.call("POST", "/partners", json=CUSTOMER)
        partial = {key: CUSTOMER[key] for key in ("identification", "identification_type", "name")}
        self.assertEqual(self.call("POST", "/partners", json=partial).json()["email"], CUSTOMER["email"])
        self.call("POST", "/products", json={"code": "CAFE-250", "name": "Café", "price": 4.5, "iva": "0"})
        product = self.call("POST", "/products", json={"code": "CAFE-250", "name": "Café 250 g", "price": 5.0}).json()
        self.assertEqual((product["price"], product["iva"]), (5.0, "0"), "its IVA was not given: kept")

    def test_final_consumer_and_odoo_own_partners_are_never_written(self):
        final = self.env.ref("l10n_ec.ec_final_consumer")
        before = final.read(["name", "email", "street", "city"])
        consumer = {"identification": "9999999999999", "identification_type": "consumidor_final",
                    "name": "Cliente de mostrador", "email": "mostrador@example.com", "street": "Calle 1"}
        answer = self.call("POST", "/partners", json=consumer)
        self.assertEqual(answer.status_code, 201, answer.text)
        self.assertEqual((answer.json()["id"], answer.json()["identification_type"]), (final.id, "consumidor_final"))
        # 9999999999999 is the final consumer's, whatever the type sent: a clear 422, never a renamed partner
        for kind in ("ruc", "cedula", "pasaporte", "exterior"):
            self.assertError(self.call("POST", "/partners", json={**consumer, "identification_type": kind}), 422,
                             "final_consumer_type", "identification_type")
        self.assertError(self.call("POST", "/documents", json=self._factura(partner={
            **consumer, "identification_type": "cedula"})), 422, "final_consumer_type", "partner.identification_type")
        bulk = self.call("POST", "/partners/bulk", json={"items": [{**consumer, "identification_type": "ruc"}]})
        self.assertEqual(bulk.json()["items"][0]["error"]["field"], "items.0.identification_type")
        sold = self.call("POST", "/documents", json=self._factura(partner=consumer, lines=[
            {"product_code": "INT-01", "quantity": 1, "price_unit": 10.0, "iva": "15"}]))
        self.assertEqual(sold.status_code, 201, sold.text)
        self.assertEqual(sold.json()["partner"]["id"], final.id)
        final.invalidate_recordset()
        self.assertEqual(final.read(["name", "email", "street", "city"]), before, "the final consumer is never written")

        # the company's own partner (its RUC) and a user's partner are Odoo's, not a customer to update
        company_partner = self.company.partner_id
        self.assertEqual(company_partner.vat, self.company.vat)
        own = {"identification": self.company.vat, "identification_type": "ruc", "name": "Renamed S.A.",
               "email": "renamed@example.com"}
        self.assertError(self.call("POST", "/partners", json=own), 422, "protected_partner", "identification")
        self.editor.partner_id.write({"vat": "1710034065",
                                      "l10n_latam_identification_type_id": self.env.ref("l10n_ec.ec_dni").id})
        self.env.flush_all()
        user_partner = {"identification": "1710034065", "identification_type": "cedula", "name": "Someone else",
                        "email": "attacker@example.com"}
        self.assertError(self.call("POST", "/partners", json=user_partner), 422, "protected_partner", "identification")
        self.assertError(self.call("POST", "/documents", json=self._factura(partner=user_partner)), 422,
                         "protected_partner", "partner.identification")
        (company_partner | self.editor.partner_id).invalidate_recordset()
        self.assertEqual(company_partner.name, self.company_name)
        self.assertNotEqual(self.editor.partner_id.email, "attacker@example.com")
        self.assertNotEqual(self.editor.partner_id.name, "Someone else")

    # batches ---------------------------------------------------------------------------------------------
    def test_batch_issues_each_item_and_reports_errors(self):
        documents = [self._factura(reference=f"B-{i}") for i in range(3)]
        documents[1]["lines"][0]["product_code"] = "NOPE"
        response = self.call("POST", "/batches", json={"documents": documents})
        self.assertEqual(response.status_code, 202, response.text)
        batch = response.json()
        self.assertEqual((batch["state"], batch["total"], batch["pending"]), ("queued", 3, 3))
        self.env["l10n_ec_sri.api.batch"]._cron_process()
        self.env.flush_all()
        batch = self.call("GET", f"/batches/{batch['id']}").json()
        self.assertEqual((batch["state"], batch["done"], batch["failed"]), ("done", 2, 1))
        failed = batch["items"][1]
        self.assertEqual((failed["state"], failed["error"]["code"], failed["error"]["field"]),
                         ("failed", "product_not_found", "lines.0.product_code"))
        issued = [item["document_id"] for item in batch["items"] if item["state"] == "done"]
        numbers = [self.call("GET", f"/documents/{i}").json()["number"] for i in issued]
        self.assertEqual(len(set(numbers)), 2)
        self.assertError(self.call("POST", "/batches", json={"documents": []}), 422, "invalid_body", "documents")
        other_user = self._sri_user("sri_api_other", "l10n_ec_sri.group_l10n_ec_sri_editor")
        self.assertError(self.call("GET", f"/batches/{batch['id']}", token=self._api_key(other_user)), 404,
                         "batch_not_found")

    def test_batch_of_a_revoked_key_issues_nothing(self):
        key = self._api_key(self.editor)
        response = self.call("POST", "/batches", token=key, json={"documents": [
            self._factura(reference="R-1"), self._factura(reference="R-2")]})
        self.assertEqual(response.status_code, 202, response.text)
        batch = self.env["l10n_ec_sri.api.batch"].sudo().browse(response.json()["id"])
        self.assertTrue(batch.api_key_id, "the batch knows the key that queued it")
        batch.api_key_id.unlink()  # revoked (the user's preferences) before the scheduled action runs
        moves = self.env["account.move"].search_count([("company_id", "=", self.company.id)])
        self.env["l10n_ec_sri.api.batch"]._cron_process()
        self.env.flush_all()
        result = self.call("GET", f"/batches/{batch.id}").json()  # the user's other key
        self.assertEqual((result["state"], result["done"], result["failed"], result["pending"]), ("done", 0, 2, 0))
        for item in result["items"]:
            self.assertEqual((item["state"], item["document_id"], item["error"]["code"]),
                             ("failed", None, "key_revoked"))
            self.assertIn("revoked", item["error"]["message"])
        self.assertEqual(self.env["account.move"].search_count([("company_id", "=", self.company.id)]), moves,
                         "nothing issued")
        batch.invalidate_recordset()
        self.assertFalse(batch.api_key_id, "the key's removal set it to null (foreign key)")
        # the same for a key still valid whose user was archived
        queued = self.call("POST", "/batches", json={"documents": [self._factura(reference="R-3")]}).json()
        self.editor.active = False
        self.env["l10n_ec_sri.api.batch"]._cron_process()
        self.editor.active = True
        self.env.flush_all()
        result = self.call("GET", f"/batches/{queued['id']}").json()
        self.assertEqual((result["failed"], result["items"][0]["error"]["code"]), (1, "key_revoked"))
        self.assertEqual(self.env["account.move"].search_count([("company_id", "=", self.company.id)]), moves)

    # webhooks --------------------------------------------------------------------------------------------
    def test_webhooks_signed_delivered_and_retried(self):
        received, answers = [], [500, 200]

        class Receiver(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), body))
                self.send_response(answers.pop(0) if answers else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = HTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.shutdown)
        url = f"http://127.0.0.1:{server.server_port}/hook"
        for bad in ("ftp://example.com/hook", "https://10.0.0.7/hook", "https://169.254.169.254/latest",
                    "https://example.com:port/hook"):
            self.assertError(self.call("POST", "/webhooks", json={"url": bad}), 422, "invalid_url", "url")
        self.env["ir.config_parameter"].sudo().set_param("l10n_ec_sri_api.webhook_allow_local", "")
        self.env.flush_all()
        self.assertError(self.call("POST", "/webhooks", json={"url": f"http://127.0.0.1:{server.server_port}/"}),
                         422, "invalid_url", "url")
        self.env["ir.config_parameter"].sudo().set_param("l10n_ec_sri_api.webhook_allow_local", "1")
        self.env.flush_all()
        hook = self.call("POST", "/webhooks", json={"url": url, "events": ["authorized"]})
        self.assertEqual(hook.status_code, 201, hook.text)
        secret = hook.json()["secret"]
        self.assertTrue(secret)
        self.assertNotIn("secret", [k for w in self.call("GET", "/webhooks").json() for k, v in w.items() if v])

        document = self.call("POST", "/documents", json=self._factura()).json()
        self._run_queue()
        self.assertEqual(self.call("GET", f"/documents/{document['id']}").json()["state"], "authorized")
        Delivery = self.env["l10n_ec_sri.api.webhook.delivery"]
        Delivery._cron_deliver()
        self.assertEqual(len(received), 1)
        deliveries = self.call("GET", f"/webhooks/{hook.json()['id']}/deliveries").json()["items"]
        self.assertEqual([(d["state"], d["attempts"], d["last_status"]) for d in deliveries], [("pending", 1, 500)])
        delivery = Delivery.browse(deliveries[0]["id"])
        self.assertGreater(delivery.next_try, fields.Datetime.now())
        Delivery._cron_deliver()
        self.assertEqual(len(received), 1, "not before its next try")
        flow_env(delivery).next_try = fields.Datetime.now()
        Delivery._cron_deliver()
        self.assertEqual(len(received), 2)
        self.assertEqual((delivery.state, delivery.attempts), ("done", 2))
        for headers, body in received:
            expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            self.assertEqual(headers["X-SRI-Signature"], expected)
            self.assertEqual(headers["X-SRI-Event"], "authorized")
        self.assertEqual(received[0][1], received[1][1], "a retry sends the same body")
        payload = json.loads(received[0][1])
        self.assertEqual((payload["event"], payload["document"]["id"], payload["document"]["state"]),
                         ("authorized", document["id"], "authorized"))
        self.assertEqual(self.call("DELETE", f"/webhooks/{hook.json()['id']}").status_code, 204)
        self.assertEqual(self.call("GET", "/webhooks").json(), [])

    def _receiver(self, answers=(), body=b""):
        """A local webhook receiver: (port, [(headers, body)] received); it answers ``answers`` in turn (then
        200), each with ``body``."""
        received, answers = [], list(answers)

        class Receiver(BaseHTTPRequestHandler):
            def do_POST(self):
                received.append((dict(self.headers), self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(answers.pop(0) if answers else 200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = HTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.shutdown)
        return server.server_port, received

    def test_webhooks_need_sri_rights_and_act_for_their_key(self):
        port, received = self._receiver()
        url = f"http://127.0.0.1:{port}/hook"
        # a user without SRI rights (a salesman's contacts rights) neither registers nor lists webhooks
        sales = self._sri_user("sri_api_sales", "base.group_partner_manager")
        sales_token = self._api_key(sales)
        self.assertError(self.call("POST", "/webhooks", token=sales_token, json={"url": url}), 403, "forbidden")
        self.assertError(self.call("GET", "/webhooks", token=sales_token), 403, "forbidden")
        Webhook = self.env["l10n_ec_sri.api.webhook"].sudo()
        self.assertFalse(Webhook.search([("user_id", "=", sales.id)]))

        key = self._api_key(self.editor)
        hook = self.call("POST", "/webhooks", token=key, json={"url": url})
        self.assertEqual(hook.status_code, 201, hook.text)
        webhook = Webhook.browse(hook.json()["id"])
        self.assertTrue(webhook.api_key_id, "the webhook knows the key that registered it")
        readonly = self.env.ref("l10n_ec_sri.group_l10n_ec_sri_readonly")
        # a reader who then loses the SRI rights, and a reader then archived: their webhooks tell nothing more
        reader = self._sri_user("sri_api_reader", "l10n_ec_sri.group_l10n_ec_sri_readonly")
        archived = self._sri_user("sri_api_archived", "l10n_ec_sri.group_l10n_ec_sri_readonly")
        for user in (reader, archived):
            answer = self.call("POST", "/webhooks", token=self._api_key(user), json={"url": url})
            self.assertEqual(answer.status_code, 201, answer.text)
            self.assertEqual(len(self.call("GET", "/webhooks", token=self._api_key(user)).json()), 1)
        reader.groups_id = [Command.unlink(readonly.id)]
        archived.active = False
        self.env.flush_all()

        document = self.call("POST", "/documents", json=self._factura()).json()
        self._run_queue()
        Delivery = self.env["l10n_ec_sri.api.webhook.delivery"].sudo()
        queued = Delivery.search([("document_id", "=", document["id"])])
        self.assertEqual(queued.webhook_id, webhook, "only the webhook whose user may read the document, active")
        self.assertEqual(json.loads(queued.payload)["id"], document["id"])

        # its key revoked before the delivery: nothing is sent, the delivery fails and says why
        webhook.api_key_id.unlink()
        Delivery._cron_deliver()
        self.assertEqual(received, [])
        self.assertEqual((queued.state, queued.attempts, queued.next_try), ("failed", 0, False))
        self.assertIn("revoked", queued.last_error)
        # and nothing more is queued for it
        Delivery._l10n_ec_sri_enqueue(self.env["l10n_ec_sri.document"].browse(document["id"]), "authorized")
        self.assertEqual(Delivery.search([("document_id", "=", document["id"])]), queued)
        webhook.invalidate_recordset()
        self.assertFalse(webhook.api_key_id, "the key's removal set it to null (foreign key)")

    def test_webhook_address_checked_again_at_each_delivery_and_no_body_kept(self):
        port, received = self._receiver(answers=[500], body=b"internal service: db password hunter2")
        url = f"http://hooks.example.test:{port}/hook"
        with patch(f"{WEBHOOK_MODULE}.resolve", return_value=["127.0.0.1"]):
            hook = self.call("POST", "/webhooks", json={"url": url})
        self.assertEqual(hook.status_code, 201, hook.text)
        document = self.call("POST", "/documents", json=self._factura()).json()
        self._run_queue()
        Delivery = self.env["l10n_ec_sri.api.webhook.delivery"].sudo()
        delivery = Delivery.search([("webhook_id", "=", hook.json()["id"])])
        self.assertEqual(delivery.document_id.id, document["id"])

        # DNS rebinding: the name now resolves to a private address; refused, nothing sent, retried later
        with patch(f"{WEBHOOK_MODULE}.resolve", return_value=["10.0.0.7"]), \
                patch(f"{WEBHOOK_MODULE}.post") as post:
            Delivery._cron_deliver()
        post.assert_not_called()
        self.assertEqual(received, [])
        self.assertEqual((delivery.state, delivery.attempts, delivery.last_status), ("pending", 1, 0))
        self.assertGreater(delivery.next_try, fields.Datetime.now())
        self.assertIn("10.0.0.7", delivery.last_error)

        # the POST goes to the address just checked (no second resolution), the URL's host kept
        flow_env(delivery).next_try = fields.Datetime.now()
        with patch(f"{WEBHOOK_MODULE}.resolve", return_value=["127.0.0.1"]):
            Delivery._cron_deliver()
        self.assertEqual(len(received), 1)
        self.assertEqual(received[0][0]["Host"], f"hooks.example.test:{port}")
        # the receiver's answer: its status and a short reason, never its body
        listed = self.call("GET", f"/webhooks/{hook.json()['id']}/deliveries")
        item = listed.json()["items"][0]
        self.assertEqual((item["state"], item["attempts"], item["last_status"]), ("pending", 2, 500))
        self.assertEqual(item["last_error"], "The receiver answered HTTP 500.")
        self.assertNotIn("hunter2", listed.text)
        self.assertNotIn("hunter2", delivery.last_error)

    def test_api_records_are_written_by_the_api_only(self):
        from odoo.exceptions import AccessError

        with self.assertRaises(AccessError):
            self.env["l10n_ec_sri.api.webhook"].create({
                "user_id": self.editor.id, "company_id": self.company.id, "url": "https://x.example",
                "events": "authorized", "secret": "s"})
        with self.assertRaises(AccessError):
            self.env["l10n_ec_sri.api.idempotency"].create({
                "user_id": self.editor.id, "key": "k", "endpoint": "e", "body_hash": "h"})
        key = self.env["l10n_ec_sri.api.idempotency"].with_user(self.editor)._claim("k2", "POST /documents", {})[1]
        with self.assertRaises(AccessError):
            key.sudo().unlink()
        batch = self.env["l10n_ec_sri.api.batch"].with_user(self.editor)._l10n_ec_sri_enqueue([self._factura()])
        for attempt in (lambda: batch.sudo().write({"state": "done"}), lambda: batch.sudo().unlink()):
            with self.assertRaises(AccessError):
                attempt()


@tagged("post_install", "-at_install", "l10n_ec_sri_api")
class TestIdempotencyConcurrency(TransactionCase):
    """Two requests with one Idempotency-Key at the same moment, as two real transactions: the second waits for
    the first, then fails with an error Odoo retries the request on; the retry finds the first one's row."""

    @mute_logger("odoo.sql_db")  # the failed query of the second one is logged, as Odoo logs every failed query
    def test_second_claim_waits_then_is_retried(self):
        db = self.env.cr.dbname
        uid, company_id = self.env.ref("base.user_admin").id, self.env.ref("base.main_company").id
        key = f"concurrent-{uuid.uuid4()}"
        first, second = sql_db.db_connect(db).cursor(), sql_db.db_connect(db).cursor()
        outcome = {}
        try:
            second.execute("SELECT 1")  # its snapshot is taken before the first one commits
            claimed, row_id = claim(first, uid, company_id, key, "POST /documents", "h1")
            self.assertTrue(claimed)

            def concurrent():
                try:
                    outcome["result"] = claim(second, uid, company_id, key, "POST /documents", "h1")
                except psycopg2.Error as exc:
                    outcome["error"] = exc

            thread = threading.Thread(target=concurrent)
            thread.start()
            thread.join(1.0)
            self.assertTrue(thread.is_alive(), "the second claim waits for the first transaction")
            first.commit()
            thread.join(10)
            self.assertNotIn("result", outcome, "the second request must not claim the key too")
            self.assertIn(outcome["error"].pgcode, PG_CONCURRENCY_ERRORS_TO_RETRY)
            second.rollback()  # what Odoo does before it replays the request
            self.assertEqual(claim(second, uid, company_id, key, "POST /documents", "h1"), (False, row_id))
        finally:
            second.rollback()
            first.execute("DELETE FROM l10n_ec_sri_api_idempotency WHERE key = %s", [key])
            first.commit()
            first.close()
            second.close()
