# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import threading
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.l10n_ec_sri.sri import client as sri_client

from .common import L10nEcSriFlowCase


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestSriQueue(L10nEcSriFlowCase):

    def _assert_retry_then_authorized(self, invoice, **knobs_to_clear):
        self.assertEqual(invoice.l10n_ec_sri_state, "retry", invoice.l10n_ec_sri_last_error)
        self.assertGreater(invoice.l10n_ec_sri_next_try, fields.Datetime.now())
        self.assertGreaterEqual(invoice.l10n_ec_sri_attempts, 1)
        self.assertTrue(invoice.l10n_ec_sri_last_error)
        self.assertTrue(invoice.l10n_ec_sri_exchange_ids.filtered(lambda e: e.outcome == "retry"))
        # not due yet: the queue leaves it alone
        self.assertNotIn(invoice, self._run_queue())
        self.simulator.set_knobs(**knobs_to_clear)
        self._make_due(invoice)
        self._run_queue()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized", invoice.l10n_ec_sri_last_error)
        self.assertEqual(invoice.l10n_ec_sri_attempts, 0)
        self.assertTrue(invoice.l10n_ec_sri_authorized_xml_id)
        # one reception of the key at the SRI, whatever happened
        self.assertEqual(self.simulator.store.count(), 1)

    def test_http_500(self):
        self.simulator.set_knobs(http_500=1)
        invoice = self._invoice()
        self._run_queue()
        send = invoice.l10n_ec_sri_exchange_ids.filtered(lambda e: e.kind == "send")
        self.assertEqual(send.http_status, 500)
        self._assert_retry_then_authorized(invoice)
        # the re-send came after an authorization query that found nothing
        kinds = invoice.l10n_ec_sri_exchange_ids.sorted("id").mapped("kind")
        self.assertEqual(kinds[:3], ["send", "authorize", "send"])

    def test_drop(self):
        self.simulator.set_knobs(drop=1)
        invoice = self._invoice()
        self._run_queue()
        self.assertTrue(invoice.l10n_ec_sri_sent)
        self._assert_retry_then_authorized(invoice)

    def test_error_70(self):
        self.simulator.set_knobs(error_70=1)
        invoice = self._invoice()
        self._run_queue()
        send = invoice.l10n_ec_sri_exchange_ids.filtered(lambda e: e.kind == "send")
        self.assertIn("70", send.error_codes)
        self._assert_retry_then_authorized(invoice)
        # after 70 the document is only queried, never re-sent
        self.assertEqual(len(invoice.l10n_ec_sri_exchange_ids.filtered(lambda e: e.kind == "send")), 1)

    def test_en_proceso(self):
        self.simulator.set_knobs(en_proceso_polls=1)
        invoice = self._invoice()
        self._run_queue()
        auth = invoice.l10n_ec_sri_exchange_ids.filtered(lambda e: e.kind == "authorize")
        self.assertEqual(auth.state, "EN PROCESO")
        self._assert_retry_then_authorized(invoice, en_proceso_polls=0)
        self.assertEqual(len(invoice.l10n_ec_sri_exchange_ids.filtered(lambda e: e.kind == "send")), 1)

    def test_timeout(self):
        self.env["ir.config_parameter"].sudo().set_param("l10n_ec_sri.read_timeout", 0.3)
        self.simulator.set_knobs(timeout_s=1.0)
        invoice = self._invoice()
        self._run_queue()
        send = invoice.l10n_ec_sri_exchange_ids.filtered(lambda e: e.kind == "send")
        self.assertIn("Tiempo de espera", send.error)
        self._assert_retry_then_authorized(invoice, timeout_s=0)

    def test_backoff_grows(self):
        self.simulator.set_knobs(http_500=100)
        invoice = self._invoice()
        delays = []
        for _i in range(3):
            self._make_due(invoice)
            before = fields.Datetime.now()
            self._run_queue()
            self.assertEqual(invoice.l10n_ec_sri_state, "retry")
            delays.append((invoice.l10n_ec_sri_next_try - before).total_seconds())
        self.assertLess(delays[0], delays[1])
        self.assertLess(delays[1], delays[2])
        self.assertEqual(invoice.l10n_ec_sri_attempts, 3)

    def test_not_authorized(self):
        self.simulator.set_knobs(reject_rule=["importeTotal>100|Monto no permitido en pruebas"])
        invoice = self._invoice(price=200.0)
        self._run_queue()
        self.assertEqual(invoice.l10n_ec_sri_state, "not_authorized")
        self.assertIn("Monto no permitido en pruebas", invoice.l10n_ec_sri_last_error)
        self.assertFalse(invoice.l10n_ec_sri_authorized_xml_id)
        self.assertFalse(self._run_queue())
        # its number is registered at the SRI: no reset to draft, cancelling is allowed
        with self.assertRaises(Exception):
            invoice.button_draft()
        invoice.button_cancel()
        self.assertEqual(invoice.state, "cancel")

    def test_returned(self):
        """DEVUELTA (here: issuer in the wrong environment) -> returned, with SRI's reason."""
        invoice = self._invoice()
        self.simulator.service.environment = "2"
        self._run_queue()
        self.assertEqual(invoice.l10n_ec_sri_state, "returned")
        self.assertIn("DEVUELTA", invoice.l10n_ec_sri_last_error)
        self.assertFalse(invoice.l10n_ec_sri_sent)
        # fixable: reset to draft, post again with the same key, then authorized
        self.simulator.service.environment = "1"
        key = invoice.l10n_ec_sri_access_key
        invoice.button_draft()
        invoice.action_post()
        self.assertEqual(invoice.l10n_ec_sri_access_key, key)
        self._run_queue()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized")

    def test_error_43_already_received(self):
        """The SRI got the document but Odoo never heard back (lost answer): the next send answers
        43 and the document is authorized without a second reception."""
        invoice = self._invoice()
        client = sri_client.SriClient(self.simulator.url)
        first = client.send(invoice.l10n_ec_sri_xml_id.raw)
        self.assertEqual(first.outcome, sri_client.Outcome.RECEIVED)
        self.assertEqual(self.simulator.store.count(), 1)
        self._run_queue()
        send = invoice.l10n_ec_sri_exchange_ids.filtered(lambda e: e.kind == "send")
        self.assertEqual(send.outcome, "already_received")
        self.assertIn("43", send.error_codes)
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized")
        self.assertEqual(self.simulator.store.count(), 1)

    def test_sent_document_queries_before_resending(self):
        """A document that may have reached the SRI is authorized by query, never sent again."""
        invoice = self._invoice()
        client = sri_client.SriClient(self.simulator.url)
        client.send(invoice.l10n_ec_sri_xml_id.raw)
        self._flow_write(invoice, {"sent": True, "state": "retry"})
        self._make_due(invoice)
        self._run_queue()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized")
        self.assertEqual(invoice.l10n_ec_sri_exchange_ids.mapped("kind"), ["authorize"])

    def test_batch(self):
        invoices = self._invoice() + self._invoice(price=10.0) + self._invoice(price=20.0)
        processed = self.env["l10n_ec_sri.document"]._process_queue(limit=2, company_ids=self.company.ids)
        self.assertEqual(len(processed), 2)
        self._run_queue()
        self.assertEqual(set(invoices.mapped("l10n_ec_sri_state")), {"authorized"})
        self.assertEqual(self.simulator.store.count(), 3)

    def test_crons_exist(self):
        send = self.env.ref("l10n_ec_sri.ir_cron_l10n_ec_sri_send")
        authorize = self.env.ref("l10n_ec_sri.ir_cron_l10n_ec_sri_authorize")
        self.assertEqual((send.interval_number, send.interval_type), (1, "minutes"))
        invoice = self._invoice()
        send.method_direct_trigger()
        self.assertEqual(invoice.l10n_ec_sri_state, "authorized")
        authorize.method_direct_trigger()


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestSriQueueConcurrency(L10nEcSriFlowCase):
    """Two workers on two real database connections never pick the same document."""

    def _real_cursor(self):
        cr = sql_db.db_connect(self.env.cr.dbname).cursor()
        self.addCleanup(cr.close)
        return cr

    def _insert_due_moves(self, count):
        """Committed queue rows (raw SQL: the test transaction is invisible to other connections);
        removed again at the end of the test."""
        cr = self._real_cursor()
        # the test's own company and journal are not committed: borrow committed ones
        cr.execute("SELECT id FROM res_company ORDER BY id LIMIT 1")
        row = cr.fetchone()
        if not row:
            self.skipTest("no committed company in this database")
        company_id = row[0]
        cr.execute("""
            INSERT INTO l10n_ec_sri_document (kind, res_model, res_id, company_id, state, next_try, name)
            SELECT 'factura', 'res.partner', -n, %s, 'retry',
                   (now() at time zone 'UTC') - interval '1 minute', 'SRI-LOCK-TEST-' || n
              FROM generate_series(1, %s) n
            RETURNING id
        """, [company_id, count])
        ids = [row[0] for row in cr.fetchall()]
        cr.commit()
        # documents queued by others (demo data) are left out of the picks of these tests
        cr.execute("SELECT id FROM l10n_ec_sri_document WHERE id NOT IN %s", [tuple(ids)])
        self.others = [row[0] for row in cr.fetchall()]

        def cleanup():
            with sql_db.db_connect(self.env.cr.dbname).cursor() as cleaner:
                cleaner.execute("DELETE FROM l10n_ec_sri_document WHERE id IN %s", [tuple(ids)])
                cleaner.commit()

        self.addCleanup(cleanup)
        return ids

    def test_two_workers_pick_disjoint_batches(self):
        ids = self._insert_due_moves(6)
        cr_a, cr_b = self._real_cursor(), self._real_cursor()
        env_a = api.Environment(cr_a, SUPERUSER_ID, {})
        env_b = api.Environment(cr_b, SUPERUSER_ID, {})
        picked_a = env_a["l10n_ec_sri.document"]._pick(limit=4, exclude=self.others)
        picked_b = env_b["l10n_ec_sri.document"]._pick(limit=10, exclude=self.others)
        self.assertEqual(len(picked_a), 4)
        self.assertEqual(len(picked_b), 2)
        self.assertFalse(set(picked_a) & set(picked_b))
        self.assertEqual(set(picked_a) | set(picked_b), set(ids))
        # once worker A is done (its transaction ends), its rows can be picked again
        cr_a.rollback()
        cr_b.rollback()
        self.assertEqual(sorted(env_b["l10n_ec_sri.document"]._pick(limit=10, exclude=self.others)), sorted(ids))
        cr_b.rollback()

    def test_pick_after_another_worker_committed_one_of_the_rows(self):
        """Worker B finishes a due document and commits after worker A's snapshot was taken: A cannot
        lock that row (PostgreSQL: "could not serialize access"). A's pick then leaves the documents to
        the next run with its transaction still usable, or, in a queue run that commits anyway, picks
        again on a fresh snapshot."""
        ids = self._insert_due_moves(3)
        cr_a, cr_b = self._real_cursor(), self._real_cursor()
        env_a = api.Environment(cr_a, SUPERUSER_ID, {})
        documents = env_a["l10n_ec_sri.document"]

        def b_changes_a_row():
            cr_a.execute("SELECT 1")  # worker A's transaction takes its snapshot
            cr_b.execute("UPDATE l10n_ec_sri_document SET next_try = next_try - interval '1 second' WHERE id = %s",
                         [ids[0]])
            cr_b.commit()

        b_changes_a_row()
        self.assertEqual(documents._pick(limit=10, exclude=self.others), [])
        cr_a.execute("SELECT count(*) FROM l10n_ec_sri_document WHERE id IN %s", [tuple(ids)])
        self.assertEqual(cr_a.fetchone()[0], 3)  # not an aborted transaction
        cr_a.rollback()
        b_changes_a_row()
        self.assertEqual(sorted(documents._pick(limit=10, exclude=self.others, new_snapshot=True)), sorted(ids))
        cr_a.rollback()

    def test_interleaved_workers_process_each_document_once(self):
        """Two workers run the queue's picking loop (one locked row at a time, lock kept while
        "talking to the SRI") interleaved step by step: every document is picked by exactly one."""
        ids = self._insert_due_moves(9)
        workers = {}
        for name in ("a", "b"):
            cr = self._real_cursor()
            workers[name] = {"env": api.Environment(cr, SUPERUSER_ID, {}), "done": [], "finished": False}
        while not all(w["finished"] for w in workers.values()):
            for worker in workers.values():
                if worker["finished"]:
                    continue
                found = worker["env"]["l10n_ec_sri.document"]._pick(limit=1, exclude=worker["done"] + self.others)
                if found:
                    worker["done"].extend(found)
                else:
                    worker["finished"] = True
        for worker in workers.values():
            worker["env"].cr.rollback()
        picked_a, picked_b = workers["a"]["done"], workers["b"]["done"]
        self.assertTrue(picked_a and picked_b)
        self.assertFalse(set(picked_a) & set(picked_b))
        self.assertEqual(sorted(picked_a + picked_b), sorted(ids))


@tagged("post_install", "-at_install", "l10n_ec_sri")
class TestSriQueuePool(L10nEcSriFlowCase):
    """One queue run keeps several SOAP calls in flight, never more than the company's setting, and
    still sends each document once."""

    def _count_in_flight(self):
        lock = threading.Lock()
        state = {"now": 0, "max": 0, "calls": 0}
        originals = {name: getattr(sri_client.SriClient, name) for name in ("send", "authorize")}

        def wrap(name):
            def call(client, *args, **kwargs):
                with lock:
                    state["now"] += 1
                    state["calls"] += 1
                    state["max"] = max(state["max"], state["now"])
                try:
                    return originals[name](client, *args, **kwargs)
                finally:
                    with lock:
                        state["now"] -= 1
            return call

        for name in originals:
            self.startPatcher(patch.object(sri_client.SriClient, name, wrap(name)))
        return state

    def test_pool_bounded_and_once_per_document(self):
        self.company.l10n_ec_sri_pool_size = 3
        self.simulator.set_knobs(latency_ms=150)
        invoices = self.env["account.move"]
        for index in range(7):
            invoices |= self._invoice(price=10.0 + index)
        state = self._count_in_flight()
        self._run_queue()
        self.assertEqual(set(invoices.mapped("l10n_ec_sri_state")), {"authorized"})
        self.assertEqual(state["calls"], 14)  # a send and an authorization per document
        self.assertEqual(state["max"], 3)     # the pool was used, and never beyond the setting
        self.assertEqual(self.simulator.store.count(), 7)
        for invoice in invoices:
            self.assertEqual(invoice.l10n_ec_sri_exchange_ids.mapped("kind").count("send"), 1)

    def test_pool_of_one_is_sequential(self):
        self.company.l10n_ec_sri_pool_size = 1
        self.simulator.set_knobs(latency_ms=50)
        invoices = self._invoice(price=11.0) | self._invoice(price=12.0) | self._invoice(price=13.0)
        state = self._count_in_flight()
        self._run_queue()
        self.assertEqual(set(invoices.mapped("l10n_ec_sri_state")), {"authorized"})
        self.assertEqual(state["max"], 1)

    def test_pool_timeouts_retried_without_double_reception(self):
        self.company.l10n_ec_sri_pool_size = 4
        self.env["ir.config_parameter"].sudo().set_param("l10n_ec_sri.read_timeout", 0.3)
        self.simulator.set_knobs(timeout_s=1.0)
        invoices = self._invoice(price=21.0) | self._invoice(price=22.0) | self._invoice(price=23.0)
        self._run_queue()
        for invoice in invoices:
            self.assertEqual(invoice.l10n_ec_sri_state, "retry", invoice.l10n_ec_sri_last_error)
            self.assertTrue(invoice.l10n_ec_sri_sent)  # it may have reached the SRI
        self.simulator.set_knobs(timeout_s=0)
        self._make_due(invoices)
        self._run_queue()
        self.assertEqual(set(invoices.mapped("l10n_ec_sri_state")), {"authorized"})
        # the timed-out sends may have been received: each key is at the SRI exactly once
        self.assertEqual(self.simulator.store.count(), 3)

    def test_pool_size_setting_checked(self):
        with self.assertRaises(ValidationError):
            self.company.l10n_ec_sri_pool_size = 0
