"""Benchmark of the purchase side (l10n_ec_sri_withhold): received documents imported and retenciones issued.

Uses Odoo as a library on DATABASE (default ``sri_bench_purchases``; created with l10n_ec_sri_withhold,
without demo data, when missing), a fresh company per run (``bench/odoo_flow.py``'s set-up) and its own SRI
simulator subprocess. Figures, on N documents (default 1,000):

- import of files: N suppliers' authorized facturas 2.1.0 (made untimed by ``sri.testing.received_xml``),
  imported by ``l10n_ec_sri.received._l10n_ec_sri_import`` in batches of 100, each batch committed: parse,
  schema, signature check, partner, draft vendor bill, record with its XML;
- import by key: N more, seeded into the simulator (``/control``), imported by access key (one
  ``autorizacionComprobante`` call each, then the same import);
- retenciones: N posted vendor bills (untimed), each withheld by the wizard (proposal + confirm: entry,
  reconciliation, number, access key, XML, schema, signature, queue), committed per 100;
- for comparison, posting N customer invoices (3 lines, as ``bench/odoo_flow.py``) on the same company, one
  per ``action_post`` (a user posting one) and 100 per call.

    python bench/purchases.py [DATABASE] [--count 1000] [--budget SECONDS]

Each phase stops at the time budget (default 900 s) and reports what it did. Prints figures; no asserts.
"""
import argparse
import base64
import os
import tempfile
import time

import requests
from _simulator import start_simulator
from odoo_flow import Bench, rate

BATCH = 100
SUPPLIER_RUCS = ["1790016919001", "1792146739001", "1714283981001"]


class PurchasesBench(Bench):
    MODULE = "l10n_ec_sri_withhold"

    def documents(self, count, first):
        from odoo.addons.l10n_ec_sri.sri import testing

        with self.env() as env:
            ruc = env["res.company"].browse(self.company_id).vat
        return [testing.received_xml("factura", "2.1.0", issuer_ruc=SUPPLIER_RUCS[i % len(SUPPLIER_RUCS)],
                                     receiver_identification=ruc, sequential=first + i)
                for i in range(count)]

    def import_batches(self, items, deadline, by_key=False):
        done, errors, t0 = 0, 0, time.perf_counter()
        for start in range(0, len(items), BATCH):
            if time.monotonic() > deadline:
                break
            batch = items[start:start + BATCH]
            with self.env() as env:
                company = env["res.company"].browse(self.company_id)
                Received = env["l10n_ec_sri.received"].with_company(company)
                records, problems = Received._l10n_ec_sri_import(
                    company, **({"keys": batch} if by_key else {"datas": batch}))
                env.cr.commit()
            done += len(records)
            errors += len(problems)
            if problems and errors == len(problems):
                print(f"[bench]   first problem: {problems[0]}", flush=True)
        return done, errors, time.perf_counter() - t0

    def bills(self, count):
        from odoo import Command

        from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador

        with self.env() as env:
            company = env["res.company"].browse(self.company_id)
            chart = env["account.chart.template"].with_company(company)
            vat = chart.ref("tax_vat_15_510_sup_01")
            ec, ruc = env.ref("base.ec"), env.ref("l10n_ec.ec_ruc")
            supplier = env["res.partner"].create({
                "name": "Proveedor Bench S.A.", "vat": SUPPLIER_RUCS[0], "is_company": True, "country_id": ec.id,
                "l10n_latam_identification_type_id": ruc.id})
            sociedad = env["l10n_ec_sri.taxpayer.type"].search([("company_id", "=", company.id),
                                                                ("code", "=", "sociedad")])
            supplier.with_company(company).l10n_ec_sri_taxpayer_type_id = sociedad
            journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "purchase")],
                                                    limit=1)
            Move = env["account.move"].with_company(company).with_context(allowed_company_ids=company.ids)
            ids = []
            for start in range(0, count, 200):
                moves = Move.create([{
                    "move_type": "in_invoice", "partner_id": supplier.id, "journal_id": journal.id,
                    "invoice_date": today_ecuador(),
                    "l10n_latam_document_number": "001-001-%09d" % (70000 + i),
                    "l10n_ec_sri_supplier_authorization": "%010d" % (1000000000 + i),
                    "invoice_line_ids": [Command.create({"name": "Suministros", "quantity": 1 + i % 3,
                                                         "price_unit": 40.0 + i % 50,
                                                         "tax_ids": [Command.set(vat.ids)]})],
                } for i in range(start, min(count, start + 200))])
                moves.action_post()
                ids += moves.ids
            env.cr.commit()
        return ids

    def withhold(self, bill_ids, deadline):
        done, t0 = 0, time.perf_counter()
        for start in range(0, len(bill_ids), BATCH):
            if time.monotonic() > deadline:
                break
            with self.env() as env:
                company = env["res.company"].browse(self.company_id)
                Wizard = env["l10n_ec_sri.withhold.wizard"].with_company(company)
                for bill_id in bill_ids[start:start + BATCH]:
                    Wizard.with_context(active_model="account.move", active_ids=[bill_id],
                                        allowed_company_ids=company.ids).create({}).action_confirm()
                env.cr.commit()
            done += len(bill_ids[start:start + BATCH])
        return done, time.perf_counter() - t0

    def invoices(self, count, deadline, one_by_one=False):
        """Post ``count`` new invoices: 100 per ``action_post`` (as a batch), or one per call like a user
        (``one_by_one``, the match of one retención per wizard); committed per 100."""
        ids, _t = self.create_invoices(count)
        done, t0 = 0, time.perf_counter()
        for start in range(0, len(ids), BATCH):
            if time.monotonic() > deadline:
                break
            with self.env() as env:
                moves = env["account.move"].browse(ids[start:start + BATCH])
                for group in (moves if one_by_one else [moves]):
                    group.action_post()
                env.cr.commit()
            done += len(ids[start:start + BATCH])
        return done, time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", nargs="?", default="sri_bench_purchases")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--budget", type=float, default=float(os.environ.get("SRI_BENCH_ODOO_BUDGET_S", 900)))
    parser.add_argument("--skip-imports", action="store_true", help="only the retenciones and the invoices")
    args = parser.parse_args()
    bench = PurchasesBench(args.database, args.budget)
    bench.setup_odoo()
    sim, sim_url = start_simulator(os.path.join(tempfile.mkdtemp(prefix="sri_bench_"), "sim.sqlite3"))
    try:
        bench.setup_company(sim_url)
        n = args.count
        print(f"[bench] {os.cpu_count()} CPUs; N = {n}", flush=True)
        if not args.skip_imports:
            bench_imports(bench, n, sim_url, args.budget)
        bill_ids = bench.bills(n)
        done, seconds = bench.withhold(bill_ids, time.monotonic() + args.budget)
        print(f"retenciones, wizard to queued: {done} in {seconds:.1f} s = {rate(done, seconds):.1f} /s", flush=True)
        for one_by_one, how in ((True, "one per action_post"), (False, "100 per action_post")):
            done, seconds = bench.invoices(n, time.monotonic() + args.budget, one_by_one=one_by_one)
            print(f"invoices posted (comparison, {how}): {done} in {seconds:.1f} s = {rate(done, seconds):.1f} /s",
                  flush=True)
    finally:
        sim.terminate()
        bench.restore_params()


def bench_imports(bench, n, sim_url, budget):
    """The two import phases: N files, then N keys seeded into the simulator."""
    t = time.perf_counter()
    files = bench.documents(n, 1)
    print(f"[bench] {n} authorized XML files made in {time.perf_counter() - t:.1f} s (untimed)", flush=True)
    done, errors, seconds = bench.import_batches(files, time.monotonic() + budget)
    print(f"import of files: {done} documents in {seconds:.1f} s = {rate(done, seconds):.1f} documents/s"
          f" ({errors} refused)", flush=True)
    seeded = bench.documents(n, 100001)
    keys = []
    for start in range(0, n, 200):
        answer = requests.post(sim_url + "/control", json={"seed": [
            base64.b64encode(x).decode() for x in seeded[start:start + 200]]}, timeout=120).json()
        keys += answer["seeded"]
    done, errors, seconds = bench.import_batches(keys, time.monotonic() + budget, by_key=True)
    print(f"import by key: {done} documents in {seconds:.1f} s = {rate(done, seconds):.1f} documents/s"
          f" ({errors} refused)", flush=True)


if __name__ == "__main__":
    main()
