"""Benchmark of the ATS (l10n_ec_sri_reports) on a month of N sales documents.

Uses Odoo as a library on DATABASE (default ``sri_bench_export``, the export benchmark's; created with
l10n_ec_sri_reports, without demo data, when missing) and a fresh company per run (``bench/odoo_flow.py``'s
set-up: 2 customers, 3 products at 15 %, 5 % and 0 % IVA). Untimed: N facturas of 3 lines created and posted
(access key, XML, signature; not sent to the SRI) this month. Timed: the ATS wizard's ``action_generate`` for
this month (the IVA report's amounts, withholdings, ventas per customer and type, ventas por establecimiento,
anulados, ``sri.ats.build`` and the validation against at.xsd), run twice (the second on a warm cache),
with the ATS's size and its totalVentas against the posted invoices' untaxed amounts.

    python bench/ats.py [DATABASE] [--count 10000]

Prints figures; no asserts. Aim (issue 13): the ATS of a month with 10,000 documents in under a minute.
"""
import argparse
import base64
import os
import sys
import time

from odoo_flow import POST_BATCH, Bench

HERE = os.path.dirname(os.path.abspath(__file__))


class AtsBench(Bench):
    MODULE = "l10n_ec_sri_reports"
    UPDATE = True

    def post_all(self, ids):
        t0 = time.perf_counter()
        for start in range(0, len(ids), POST_BATCH):
            with self.env() as env:
                company = env["res.company"].browse(self.company_id)
                env["account.move"].with_company(company).with_context(allowed_company_ids=company.ids).browse(
                    ids[start:start + POST_BATCH]).action_post()
                env.cr.commit()
        return time.perf_counter() - t0

    def ats(self):
        from odoo.addons.l10n_ec_sri.sri.documents import today_ecuador

        today = today_ecuador()
        with self.env() as env:
            company = env["res.company"].browse(self.company_id)
            Wizard = env["l10n_ec_sri.ats.wizard"].with_company(company).with_context(allowed_company_ids=company.ids)
            wizard = Wizard.create({"company_id": company.id, "year": today.year, "month": f"{today.month:02d}"})
            env.cr.commit()
            t0 = time.perf_counter()
            wizard.action_generate()
            seconds = time.perf_counter() - t0
            untaxed = sum(env["account.move"].search([("company_id", "=", company.id), ("state", "=", "posted"),
                                                      ("move_type", "=", "out_invoice")]).mapped("amount_untaxed"))
            result = (seconds, wizard.state, wizard.sales_count, wizard.total_sales, untaxed,
                      len(base64.b64decode(wizard.ats_file or b"")), wizard.issue_ids[:3].mapped("message"))
            env.cr.rollback()
        return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", nargs="?", default="sri_bench_export")
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    print(f"[bench] machine: {os.cpu_count()} CPUs, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB", flush=True)
    bench = AtsBench(args.database, 0)
    bench.setup_odoo()
    bench.setup_company("http://127.0.0.1:9")
    with bench.env() as env:
        env["res.company"].browse(bench.company_id).l10n_ec_sri_auto_send = False
        env.cr.commit()
    ids, created = bench.create_invoices(args.count)
    posted = bench.post_all(ids)
    print(f"[bench] {len(ids)} facturas created in {created:.0f} s, posted in {posted:.0f} s (untimed)", flush=True)
    for run in ("first", "second"):
        seconds, state, count, total, untaxed, size, issues = bench.ats()
        print(f"[bench] ATS ({run} run) of a month with {count} sales documents: {seconds:.1f} s, {state}, "
              f"{size / 1e3:.0f} KB, totalVentas {total:.2f} (posted untaxed {untaxed:.2f}) {issues or ''}",
              flush=True)
    bench.restore_params()
    bench.http_server.stop()


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    main()
