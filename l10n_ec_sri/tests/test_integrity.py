# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The legal record is written by the SRI flow only: every other path (XML-RPC, JSON-RPC, import, the
ORM as a user) is refused with a clear message, for an SRI editor and an SRI administrator alike."""
import base64
from xmlrpc.client import Fault

from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador

from .test_xmlrpc import CUSTOMER_CEDULA, L10nEcSriHttpCase

FLOW_ONLY = "written by the SRI flow only"
DOCUMENT_LOCKED = "legal records kept as the SRI registered them"
LOG_LOCKED = "append-only"
FILE_LOCKED = "nobody, administrators included, can change or delete it"


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestLegalRecordIntegrity(L10nEcSriHttpCase):
    company_name = "Integridad SRI S.A."

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.editor = cls._sri_user("sri_int_editor", "l10n_ec_sri.group_l10n_ec_sri_editor")
        cls.admin = cls._sri_user("sri_int_admin", "l10n_ec_sri.group_l10n_ec_sri_admin,base.group_system")
        partner = cls.env["res.partner"].create({
            "name": "Rosa Quishpe",
            "vat": CUSTOMER_CEDULA,
            "l10n_latam_identification_type_id": cls.env.ref("l10n_ec.ec_dni").id,
            "country_id": cls.env.ref("base.ec").id,
        })
        Move = cls.env["account.move"]

        def invoice(price):
            return Move.create({
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "journal_id": cls.journal.id,
                "invoice_date": today_ecuador(),
                "invoice_line_ids": [(0, 0, {"product_id": cls.product.id, "price_unit": price,
                                             "tax_ids": [(6, 0, cls.tax_15.ids)]})],
            })

        cls.draft = invoice(10.0)
        cls.authorized = invoice(20.0)
        cls.authorized.action_post()
        cls.authorized.action_l10n_ec_sri_send()
        assert cls.authorized.l10n_ec_sri_state == "authorized", cls.authorized.l10n_ec_sri_last_error
        cls.document = cls.authorized.l10n_ec_sri_document_id

    def _rpc(self, user, model, method, *args, **kwargs):
        password = f"{user.login}-Pa55word"
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, user.login, password, {})
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, uid, password, model, method, list(args), kwargs)

    def _refused(self, user, text, model, method, *args, **kwargs):
        with self.assertRaises(Fault) as caught:
            self._rpc(user, model, method, *args, **kwargs)
        self.assertIn(text, caught.exception.faultString)

    def _snapshot(self):
        self.env.invalidate_all()
        doc = self.document
        return (doc.state, doc.access_key, doc.authorization_number, doc.authorization_date, doc.sent,
                doc.xml_id.raw, doc.authorized_xml_id.raw, doc.ride_id.raw, len(doc.exchange_ids),
                self.draft.l10n_ec_sri_state, self.draft.l10n_ec_sri_document_id.id)

    def test_xmlrpc_refusals_for_editor_and_admin(self):
        before = self._snapshot()
        doc = self.document
        for user in (self.editor, self.admin):
            with self.subTest(user=user.login):
                # SRI fields of the source: state on a draft, key and state on an authorized invoice
                self._refused(user, FLOW_ONLY, "account.move", "write", [self.draft.id],
                              {"l10n_ec_sri_state": "authorized"})
                self._refused(user, FLOW_ONLY, "account.move", "write", [self.authorized.id],
                              {"l10n_ec_sri_access_key": "1" * 49})
                self._refused(user, FLOW_ONLY, "account.move", "write", [self.authorized.id],
                              {"l10n_ec_sri_state": "not_authorized"})
                self._refused(user, FLOW_ONLY, "account.move", "write", [self.draft.id],
                              {"l10n_ec_sri_document_id": doc.id})
                self._refused(user, FLOW_ONLY, "account.move", "create", {
                    "move_type": "out_invoice", "journal_id": self.journal.id, "l10n_ec_sri_state": "authorized"})
                # the engine's document itself
                self._refused(user, DOCUMENT_LOCKED, "l10n_ec_sri.document", "write", [doc.id],
                              {"state": "not_authorized"})
                self._refused(user, DOCUMENT_LOCKED, "l10n_ec_sri.document", "unlink", [doc.id])
                self._refused(user, DOCUMENT_LOCKED, "l10n_ec_sri.document", "create", {
                    "kind": "factura", "res_model": "account.move", "res_id": self.draft.id,
                    "company_id": self.company.id, "state": "authorized"})
                # its files
                for attachment in (doc.xml_id, doc.authorized_xml_id, doc.ride_id):
                    self._refused(user, FILE_LOCKED, "ir.attachment", "unlink", [attachment.id])
                    self._refused(user, FILE_LOCKED, "ir.attachment", "write", [attachment.id],
                                  {"datas": base64.b64encode(b"<forged/>").decode()})
                # the exchange log
                exchange = doc.exchange_ids[:1]
                self._refused(user, LOG_LOCKED, "l10n_ec_sri.exchange", "write", [exchange.id],
                              {"state": "AUTORIZADO"})
                self._refused(user, LOG_LOCKED, "l10n_ec_sri.exchange", "unlink", [exchange.id])
                self._refused(user, LOG_LOCKED, "l10n_ec_sri.exchange", "create", {
                    "document_id": doc.id, "company_id": self.company.id, "kind": "send"})
                # private flow methods are not reachable: the annulment goes through the admins' wizard
                with self.assertRaises(Fault):
                    self._rpc(user, "l10n_ec_sri.document", "_annul", [doc.id], "por RPC")
                # an import is a create/write like any other
                result = self._rpc(user, "account.move", "load", ["id", "l10n_ec_sri_state"],
                                   [[f"__export__.account_move_{self.draft.id}", "authorized"]])
                self.assertFalse(result["ids"])
                self.assertIn(FLOW_ONLY, " ".join(m["message"] for m in result["messages"]))
        self.assertEqual(self._snapshot(), before)

    def test_annulment_wizard_admin_only(self):
        self._refused(self.editor, "", "l10n_ec_sri.annul.wizard", "create", {
            "document_ids": [(6, 0, self.document.ids)], "reason": "x", "confirm": True})
        self.assertEqual(self.document.state, "authorized")
        wizard_id = self._rpc(self.admin, "l10n_ec_sri.annul.wizard", "create", {
            "document_ids": [(6, 0, self.document.ids)], "reason": "Error en el cliente", "confirm": True})
        self._rpc(self.admin, "l10n_ec_sri.annul.wizard", "action_annul", [wizard_id])
        self.env.invalidate_all()
        self.assertEqual(self.document.state, "annulled")
        self.assertEqual(self.authorized.state, "cancel")
        # annulled is final too
        self._refused(self.admin, FLOW_ONLY, "account.move", "write", [self.authorized.id],
                      {"l10n_ec_sri_state": "authorized"})

    def test_jsonrpc_refusals(self):
        before = self._snapshot()
        for user in (self.editor, self.admin):
            with self.subTest(user=user.login):
                self.authenticate(user.login, f"{user.login}-Pa55word")
                for model, method, args in (
                    ("account.move", "write", [[self.authorized.id], {"l10n_ec_sri_state": "not_authorized"}]),
                    ("l10n_ec_sri.document", "write", [[self.document.id], {"access_key": "1" * 49}]),
                    ("ir.attachment", "unlink", [[self.document.authorized_xml_id.id]]),
                    ("l10n_ec_sri.exchange", "unlink", [self.document.exchange_ids.ids]),
                ):
                    with self.assertRaises(JsonRpcException):
                        self.make_jsonrpc_request("/web/dataset/call_kw", {
                            "model": model, "method": method, "args": args, "kwargs": {}})
        self.assertEqual(self._snapshot(), before)

    def test_orm_as_user_refused_and_flow_allowed(self):
        """The same guards hold for server code acting as a user (administrators included)."""
        from odoo.exceptions import UserError

        from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import flow_env

        for user in (self.editor, self.admin, self.env.ref("base.user_admin")):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                self.document.with_user(user).sudo().write({"state": "returned"})
            with self.assertRaises(UserError):
                self.authorized.with_user(user).sudo().write({"l10n_ec_sri_state": "returned"})
            with self.assertRaises(UserError):
                self.document.authorized_xml_id.with_user(user).sudo().unlink()
        # a context value passed by a caller is not the flow's marker
        with self.assertRaises(UserError):
            self.document.with_context(l10n_ec_sri_flow=True).sudo().write({"state": "returned"})
        # the flow itself can write (used by the queue)
        flow_env(self.document).write({"attempts": 3})
        self.assertEqual(self.document.attempts, 3)
