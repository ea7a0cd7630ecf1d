"""Benchmark of the whole Odoo flow of l10n_ec_sri: invoices posted (access key, XML, schema,
XAdES signature), sent and authorized through the SRI queue, and RIDE PDFs rendered.

Uses Odoo as a library on DATABASE (default ``sri_bench``; created with l10n_ec_sri installed,
without demo data, when missing). Starts its own SRI simulator (``python -m sri simulator``, a
subprocess with its own GIL) on a free loopback port, and Odoo's HTTP server on another free port
so that wkhtmltopdf can fetch the report CSS like in production. A fresh company "Bench SRI ..."
(ec chart, test certificate, endpoint = that simulator, no mail) is created per run.

For each N it creates N draft invoices (3 lines at 15 %, 5 % and 0 % IVA, for RUC / cédula customers),
then times (after an untimed warm-up of a few invoices, as on a running server):

- post: ``action_post`` in batches of 100, committed (Odoo posting + access key + XML + XSD + signing;
  the XML + signing share is shown apart);
- send + authorize: the engine's queue (``l10n_ec_sri.document._process_queue``, as the crons run it)
  until every invoice is authorized (one SOAP send + one authorization query per invoice, up to the
  company's "calls in flight" (default 8) at once, exchange log, authorized XML attached, a commit per
  batch), with RIDE rendering (and mail) switched off;
- RIDE: ``_attach_rides`` (the queue's batched rendering: one wkhtmltopdf run per 25 documents, split
  per document) on a sample of up to 50 of the authorized invoices;
- end to end without RIDE: N / (post + send/authorize).

Each size is run at every simulated SRI latency of ``--latency-ms`` (the simulator's ``latency_ms``
knob, added to every SOAP answer; default 0 and 300 ms, a common SRI latency).

    python bench/odoo_flow.py [DATABASE] [--sizes 100,1000] [--with-10000] [--latency-ms 0,300]
                              [--pool 8] [--budget SECONDS]

Every phase stops at the time budget per size (default 900 s; ``SRI_BENCH_ODOO_BUDGET_S``) and
the figure is then reported on what was done. Prints figures; no asserts.
"""

import argparse
import contextlib
import logging
import os
import sysconfig
import tempfile
import time
from unittest.mock import patch

import requests
from _simulator import free_port, start_simulator

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ADDON = os.path.join(ROOT, "l10n_ec_sri")
ODOO_SRC = os.environ.get("ODOO_SRC", "/opt/odoo18")
POST_BATCH = 100
CREATE_BATCH = 200
RIDE_SAMPLE = 50
WARM_UP = 20  # invoices through the whole flow before the timed sizes (not reported)
# OCA add-ons installed from PyPI (requirements-odoo-addons.txt, for l10n_ec_sri_api) live in the venv
_OCA = os.path.join(sysconfig.get_paths()["purelib"], "odoo", "addons")
ADDONS_PATH = ",".join([f"{ODOO_SRC}/addons", ROOT] + ([_OCA] if os.path.isdir(_OCA) else []))
BENCH_RUCS = ["0992345675001", "1791234561001", "1793456782001", "1792567890001"]


def rate(count, seconds):
    return count / seconds if seconds > 0 else float("nan")


class Bench:
    MODULE = "l10n_ec_sri"  # installed in the benchmark's database
    UPDATE = False  # True: an existing database's module is updated to this code first

    def __init__(self, dbname, budget):
        self.dbname = dbname
        self.budget = budget

    # ------------------------------------------------------------------ Odoo set-up
    def setup_odoo(self):
        import odoo
        from odoo.tools import config

        self.http_port = free_port()
        config.parse_config([
            f"--addons-path={ADDONS_PATH}",
            "-d", self.dbname,
            "--log-level=warn",
            "--without-demo=all",
            "--http-interface=127.0.0.1",
            f"--http-port={self.http_port}",
            "--max-cron-threads=0",
        ], setup_logging=True)
        # wkhtmltopdf's usual complaints (unpatched qt) are logged as warnings for every RIDE.
        logging.getLogger("odoo.addons.base.models.ir_actions_report").setLevel(logging.ERROR)
        self.odoo = odoo
        from odoo.modules.registry import Registry

        if not self._db_exists():
            print(f"[bench] creating database {self.dbname} with {self.MODULE} (no demo data)...", flush=True)
            t0 = time.perf_counter()
            odoo.service.db._create_empty_database(self.dbname)
            config["init"] = {self.MODULE: 1}
            self.registry = Registry.new(self.dbname, update_module=True)
            config["init"] = {}
            print(f"[bench] database created in {time.perf_counter() - t0:.0f} s", flush=True)
        else:
            self.registry = Registry(self.dbname)
            with self.registry.cursor() as cr:
                cr.execute("SELECT state FROM ir_module_module WHERE name = %s", [self.MODULE])
                row = cr.fetchone()
            if not row or row[0] != "installed":
                print(f"[bench] installing {self.MODULE} in {self.dbname}...", flush=True)
                config["init"] = {self.MODULE: 1}
                self.registry = Registry.new(self.dbname, update_module=True)
                config["init"] = {}
            elif self.UPDATE:
                print(f"[bench] updating {self.MODULE} in {self.dbname} to this code...", flush=True)
                config["update"] = {self.MODULE: 1}
                self.registry = Registry.new(self.dbname, update_module=True)
                config["update"] = {}
        # Odoo's HTTP server, so that wkhtmltopdf finds the report CSS (as in production).
        server = odoo.service.server.ThreadedServer(odoo.http.root)
        server.http_spawn()
        self.http_server = server

    def _db_exists(self):
        import odoo

        with contextlib.closing(odoo.sql_db.db_connect("postgres").cursor()) as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.dbname])
            return bool(cr.fetchone())

    @contextlib.contextmanager
    def env(self):
        from odoo import SUPERUSER_ID, api

        with self.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})

    def setup_company(self, sim_url):
        from odoo import Command

        with self.env() as env:
            base_url = f"http://127.0.0.1:{self.http_port}"
            params = env["ir.config_parameter"].sudo()
            self.saved_params = {key: params.get_param(key) for key in ("report.url", "web.base.url")}
            params.set_param("report.url", base_url)
            stamp = time.strftime("%Y%m%d-%H%M%S")
            existing = env["res.company"].search_count([("name", "like", "Bench SRI %")])
            company = env["res.company"].create({
                "name": f"Bench SRI {stamp}",
                "vat": BENCH_RUCS[existing % len(BENCH_RUCS)],
                "country_id": env.ref("base.ec").id,
                "currency_id": env.ref("base.USD").id,
                "street": "Av. Amazonas N34-451",
                "city": "Quito",
            })
            Demo = env["l10n_ec_sri.demo"]
            journal = Demo._l10n_ec_sri_setup_company(company, endpoint_url=sim_url)
            company = env["res.company"].browse(company.id)
            company.write({"l10n_ec_sri_send_mail": False, "l10n_ec_sri_auto_send": True})
            ec = env.ref("base.ec")
            customers = env["res.partner"].create([
                {"name": "Cliente Cédula", "vat": "1712345675", "country_id": ec.id,
                 "l10n_latam_identification_type_id": env.ref("l10n_ec.ec_dni").id,
                 "street": "Calle Larga 1-23", "city": "Cuenca"},
                {"name": "Cliente RUC S.A.", "vat": "0992345675001", "country_id": ec.id, "is_company": True,
                 "l10n_latam_identification_type_id": env.ref("l10n_ec.ec_ruc").id,
                 "street": "Av. 9 de Octubre 1215", "city": "Guayaquil"},
            ])
            products = env["product.product"].create([
                {"name": f"Producto IVA {rate_}%", "default_code": f"B-{rate_}", "company_id": company.id,
                 "taxes_id": [Command.set(Demo._l10n_ec_sri_sale_tax(company, rate_).ids)]}
                for rate_ in (15, 5, 0)
            ])
            self.company_id, self.journal_id = company.id, journal.id
            self.customer_ids, self.product_ids = customers.ids, products.ids
            print(f"[bench] company {company.name} (RUC {company.vat}), Odoo HTTP on {base_url}, "
                  f"simulator {sim_url}", flush=True)

    def restore_params(self):
        with self.env() as env:
            params = env["ir.config_parameter"].sudo()
            for key, value in self.saved_params.items():
                params.set_param(key, value or False)

    # ------------------------------------------------------------------ phases
    def create_invoices(self, count):
        ids = []
        t0 = time.perf_counter()
        while len(ids) < count:
            with self.env() as env:
                Demo = env["l10n_ec_sri.demo"]
                company = env["res.company"].browse(self.company_id)
                journal = env["account.journal"].browse(self.journal_id)
                customers = env["res.partner"].browse(self.customer_ids)
                products = env["product.product"].browse(self.product_ids)
                Move = env["account.move"].with_company(company).with_context(allowed_company_ids=company.ids)
                values = []
                for i in range(len(ids), min(count, len(ids) + CREATE_BATCH)):
                    lines = [(product, 1 + (i + k) % 5, round(3.5 + (i * 7 + k * 13) % 400 / 4, 2))
                             for k, product in enumerate(products)]
                    values.append(Demo._l10n_ec_sri_invoice_values(
                        company, customers[i % len(customers)], lines, journal=journal))
                ids += Move.create(values).ids
        return ids, time.perf_counter() - t0

    def post(self, ids, deadline):
        signing_time = [0.0]
        done = 0
        with self.env() as env:
            cls = type(env["account.move"])
        original = cls._l10n_ec_sri_issue

        def timed_prepare(moves, *args, **kwargs):
            t = time.perf_counter()
            try:
                return original(moves, *args, **kwargs)
            finally:
                signing_time[0] += time.perf_counter() - t

        t0 = time.perf_counter()
        with patch.object(cls, "_l10n_ec_sri_issue", timed_prepare):
            for start in range(0, len(ids), POST_BATCH):
                if time.monotonic() > deadline:
                    break
                with self.env() as env:
                    env["account.move"].browse(ids[start:start + POST_BATCH]).action_post()
                done += len(ids[start:start + POST_BATCH])
        return done, time.perf_counter() - t0, signing_time[0]

    def send_authorize(self, ids, deadline):
        """Run the SRI queue (as the crons do) until every invoice of ``ids`` is authorized."""
        with self.env() as env:
            cls = type(env["l10n_ec_sri.document"])
        t0 = time.perf_counter()
        authorized = 0
        # RIDE (and mail) switched off: timed apart below
        with patch.object(cls, "_after_authorization", lambda self, *args, **kwargs: None):
            while time.monotonic() < deadline:
                with self.env() as env:
                    processed = env["l10n_ec_sri.document"]._process_queue(limit=200, company_ids=[self.company_id])
                if not processed:
                    break
            elapsed = time.perf_counter() - t0
        with self.env() as env:
            moves = env["account.move"].browse(ids)
            states = {}
            for state in moves.mapped("l10n_ec_sri_state"):
                states[state] = states.get(state, 0) + 1
            authorized = states.get("authorized", 0)
        return authorized, elapsed, states

    def ride(self, ids, deadline):
        """The batched RIDE of the queue (``_l10n_ec_sri_attach_rides``: one wkhtmltopdf run per
        chunk, split per document) on the sample, one committed call per chunk."""
        from odoo.addons.l10n_ec_sri.models.l10n_ec_sri_document import RIDE_CHUNK, flow_env

        sample = ids[:RIDE_SAMPLE]
        done = 0
        t0 = time.perf_counter()
        for start in range(0, len(sample), RIDE_CHUNK):
            if time.monotonic() > deadline:
                break
            with self.env() as env:
                moves = env["account.move"].browse(sample[start:start + RIDE_CHUNK])
                moves = moves.filtered(lambda m: m.l10n_ec_sri_state == "authorized")
                failures = flow_env(moves.l10n_ec_sri_document_id)._attach_rides()
                for move in moves:
                    doc_id = move.l10n_ec_sri_document_id.id
                    if doc_id in failures or not (move.l10n_ec_sri_ride_id.raw or b"").startswith(b"%PDF"):
                        print(f"[bench] RIDE of {move.name} is not a PDF: {failures.get(doc_id)}", flush=True)
                    else:
                        done += 1
        return done, time.perf_counter() - t0

    def warm_up(self, count=WARM_UP):
        """Post, send and authorize a few invoices, untimed: the first calls of a fresh registry fill
        Odoo's caches (views, ormcache, QWeb, the zeep client...), which a running server has done long
        before. Without this, the first size measured pays it and looks slower per invoice."""
        if count <= 0:
            return
        ids, _t = self.create_invoices(count)
        self.post(ids, time.monotonic() + self.budget)
        self.send_authorize(ids, time.monotonic() + self.budget)

    def set_latency(self, latency_ms):
        requests.post(self.sim_url + "/control", json={"latency_ms": latency_ms}, timeout=10).raise_for_status()
        self.latency_ms = latency_ms

    def run_size(self, count):
        deadline = time.monotonic() + self.budget
        print(f"\n[bench] N = {count}, SRI latency {self.latency_ms} ms, {self.pool} calls in flight", flush=True)
        ids, t_create = self.create_invoices(count)
        print(f"  create drafts      {len(ids):6d} in {t_create:8.2f} s  {rate(len(ids), t_create):8.1f} inv/s",
              flush=True)
        posted, t_post, t_sign = self.post(ids, deadline)
        print(f"  post (+XML, sign)  {posted:6d} in {t_post:8.2f} s  {rate(posted, t_post):8.1f} inv/s"
              f"   (XML+XSD+signing {t_sign:.2f} s = {100 * t_sign / t_post if t_post else 0:.0f} %)", flush=True)
        authorized, t_send, states = self.send_authorize(ids[:posted], deadline)
        print(f"  send + authorize   {authorized:6d} in {t_send:8.2f} s  {rate(authorized, t_send):8.1f} inv/s"
              f"   states {states}", flush=True)
        rides, t_ride = self.ride(ids[:posted], deadline)
        print(f"  RIDE (sample)      {rides:6d} in {t_ride:8.2f} s  {rate(rides, t_ride):8.1f} inv/s", flush=True)
        e2e = rate(authorized, t_post + t_send)
        print(f"  end to end w/o RIDE {authorized:5d} in {t_post + t_send:8.2f} s  {e2e:8.1f} inv/s", flush=True)
        if time.monotonic() > deadline:
            print(f"  (time budget of {self.budget:.0f} s reached: figures cover what was done)", flush=True)
        return {
            "n": count, "post": rate(posted, t_post), "send": rate(authorized, t_send),
            "ride": rate(rides, t_ride), "e2e": e2e, "complete": authorized == count,
            "t_post": t_post, "t_send": t_send, "latency": self.latency_ms,
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", nargs="?", default=os.environ.get("SRI_BENCH_DB", "sri_bench"))
    parser.add_argument("--sizes", default="100,1000", help="comma-separated numbers of invoices")
    parser.add_argument("--with-10000", action="store_true", help="also run N = 10000 (tens of minutes)")
    parser.add_argument("--latency-ms", default="0,300",
                        help="comma-separated simulated SRI latencies in ms (default 0,300)")
    parser.add_argument("--pool", type=int, default=8, help="the company's SRI calls in flight (default 8)")
    parser.add_argument("--budget", type=float, default=float(os.environ.get("SRI_BENCH_ODOO_BUDGET_S", 900)),
                        help="time budget in seconds per size (default 900)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.with_10000 and 10000 not in sizes:
        sizes.append(10000)

    latencies = [int(s) for s in args.latency_ms.split(",") if s.strip()]
    bench = Bench(args.database, args.budget)
    bench.pool = args.pool
    bench.latency_ms = 0
    bench.setup_odoo()
    workdir = tempfile.mkdtemp(prefix="sri_bench_odoo_")
    sim, sim_url = start_simulator(os.path.join(workdir, "simulator.sqlite3"))
    results = []
    try:
        bench.sim_url = sim_url
        bench.setup_company(sim_url)
        with bench.env() as env:
            env["res.company"].browse(bench.company_id).l10n_ec_sri_pool_size = args.pool
        bench.warm_up()
        for latency in latencies:
            bench.set_latency(latency)
            for count in sizes:
                results.append(bench.run_size(count))
    finally:
        sim.terminate()
        sim.wait(10)
        with contextlib.suppress(Exception):
            bench.restore_params()
        with contextlib.suppress(Exception):
            bench.http_server.httpd.shutdown()

    print(f"\nOdoo flow, database {args.database}, {os.cpu_count()} CPUs (invoices per second; 3 lines each)")
    print(f"SRI calls in flight: {args.pool}")
    print(f"{'latency':>8} {'N':>7} {'post':>9} {'send+auth':>10} {'RIDE':>8} {'e2e w/o RIDE':>13} {'post s':>8} {'send s':>8}")
    for r in results:
        flag = "" if r["complete"] else "  (incomplete: budget)"
        print(f"{r['latency']:>6}ms {r['n']:>7} {r['post']:>9.1f} {r['send']:>10.1f} {r['ride']:>8.2f} {r['e2e']:>13.1f}"
              f" {r['t_post']:>8.1f} {r['t_send']:>8.1f}{flag}")


if __name__ == "__main__":
    main()
