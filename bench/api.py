"""Benchmark of the JSON API (l10n_ec_sri_api) against the SRI simulator at zero latency.

In database ``sri_bench_api`` (created without demo data when missing, l10n_ec_sri_api installed), with a real
Odoo HTTP server in this process:

* **ORM reference**: ``bench/odoo_flow.py``'s figures for the same invoices: created 200 per ``create`` and
  posted 100 per ``action_post`` (access key, XML, schema, signature, queue), and the two together.
* **Batch endpoint**: ``POST /api/sri/v1/batches`` with N documents, then the batch job (run here, as the
  scheduler would) until every item is issued: documents per second from the request to the last item.
* **Single create**: ``POST /api/sri/v1/documents`` one after another, each created, posted and queued:
  p50 / p95 / p99 latency over the HTTP round trip.

    python bench/api.py [--count 300] [--singles 100]

Prints figures; no asserts.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _simulator import start_simulator  # noqa: E402
from odoo_flow import Bench  # noqa: E402


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class ApiBench(Bench):
    MODULE = "l10n_ec_sri_api"

    def setup_api(self):
        with self.env() as env:
            admin = env.ref("base.user_admin")
            company = env["res.company"].browse(self.company_id)
            admin.write({"company_ids": [(4, company.id)], "company_id": company.id,
                         "groups_id": [(4, env.ref("l10n_ec_sri.group_l10n_ec_sri_editor").id)]})
            params = env["ir.config_parameter"].sudo()
            self.saved_params["l10n_ec_sri_api.rate_limit"] = params.get_param("l10n_ec_sri_api.rate_limit")
            params.set_param("l10n_ec_sri_api.rate_limit", 0)  # unlimited for the benchmark
            self.token = env["res.users.apikeys"].with_user(admin)._generate(None, "bench", None)
            customers = env["res.partner"].browse(self.customer_ids)
            self.partner_ids = customers.ids
            env.cr.commit()
        self.base = f"http://127.0.0.1:{self.http_port}/api/sri/v1"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {self.token}"

    def document(self, i):
        lines = [{"product_code": code, "quantity": 1 + (i + k) % 5,
                  "price_unit": round(3.5 + (i * 7 + k * 13) % 400 / 4, 2)}
                 for k, code in enumerate(("B-15", "B-5", "B-0"))]
        return {"type": "factura", "partner_id": self.partner_ids[i % len(self.partner_ids)],
                "payment_code": "20", "lines": lines}

    def batch(self, count):
        t0 = time.perf_counter()
        response = self.session.post(f"{self.base}/batches", json={"documents": [self.document(i) for i in range(count)]},
                                     timeout=600)
        response.raise_for_status()
        batch_id = response.json()["id"]
        with self.env() as env:
            env["l10n_ec_sri.api.batch"]._cron_process()
            env.cr.commit()
        seconds = time.perf_counter() - t0
        state = self.session.get(f"{self.base}/batches/{batch_id}", timeout=60).json()
        return state["done"], state["failed"], seconds

    def singles(self, count):
        latencies = []
        for i in range(count):
            t0 = time.perf_counter()
            response = self.session.post(f"{self.base}/documents", json=self.document(i), timeout=60)
            latencies.append((time.perf_counter() - t0) * 1000)
            response.raise_for_status()
        return latencies


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="documents of the ORM run and of the batch")
    parser.add_argument("--singles", type=int, default=100, help="single creates timed")
    parser.add_argument("--database", default="sri_bench_api")
    args = parser.parse_args()
    bench = ApiBench(args.database, 900)
    bench.pool = 8
    bench.latency_ms = 0
    bench.setup_odoo()
    workdir = tempfile.mkdtemp(prefix="sri_bench_api_")
    sim, sim_url = start_simulator(os.path.join(workdir, "simulator.sqlite3"))
    try:
        bench.sim_url = sim_url
        bench.setup_company(sim_url)
        bench.setup_api()
        bench.warm_up()
        bench.singles(5)  # the API app is built on the first call
        ids, create_s = bench.create_invoices(args.count)
        posted, post_s, _sign = bench.post(ids, time.monotonic() + 900)
        done, failed, batch_s = bench.batch(args.count)
        latencies = bench.singles(args.singles)
    finally:
        sim.terminate()
        sim.wait(10)
        bench.restore_params()
        bench.http_server.httpd.shutdown()
    orm_post = posted / post_s
    orm_both = posted / (create_s + post_s)
    batch_rate = done / batch_s
    print(f"machine: {os.cpu_count()} cores; simulator latency 0 ms; {args.count} facturas of 3 lines")
    print(f"ORM: created {args.count / create_s:.1f}/s, posted {orm_post:.1f}/s, created + posted {orm_both:.1f}/s")
    print(f"batch endpoint: {done} issued, {failed} failed in {batch_s:.1f} s = {batch_rate:.1f} documents/s "
          f"({batch_rate / orm_post:.0%} of the ORM's post rate, {batch_rate / orm_both:.0%} of create + post)")
    print(f"single create, {len(latencies)} calls: p50 {percentile(latencies, 50):.0f} ms, "
          f"p95 {percentile(latencies, 95):.0f} ms, p99 {percentile(latencies, 99):.0f} ms "
          f"(mean {statistics.mean(latencies):.0f} ms)")


if __name__ == "__main__":
    main()
