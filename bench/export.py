"""Benchmark of the complete export (l10n_ec_sri_reports): N documents exported, verified, restored, compared.

Uses Odoo as a library on DATABASE (default ``sri_bench_export``; created with l10n_ec_sri_reports, without
demo data, when missing) and a fresh company per run (``bench/odoo_flow.py``'s set-up, no SRI calls).

- seed (untimed in the aims): N authorized facturas of that company, each with its signed and authorized XML
  (``sri.testing.received_xml``, ~7.8 KB) and a 60 KB RIDE stand-in (``%PDF-`` + random bytes: the test
  RIDEs average 60 KB; rendering 10,000 real RIDEs with wkhtmltopdf takes hours), loaded through the
  restore's own ``restore_batch`` in batches of 500 (its time is printed: the restore, in process);
- export (timed, in a child process so that its peak RSS is its own): the scheduled job's loop
  (``l10n_ec_sri.export._cron_run``: a part of 500 documents at a time, each committed, then the assembly);
  prints the time, the child's peak RSS (and its RSS before the export: Odoo's registry), the ZIP's size;
- verify: ``sri.archive.verify`` of the ZIP (sha256 of every file, every key against its XML);
- restore + compare: ``python -m sri export restore`` (the core's XML-RPC client, batches of 100) into a
  second database ``<DATABASE>_restore`` (a company with the same RUC), then every document compared (key,
  state, authorization number, sha256 of its XML and RIDE).

    python bench/export.py [DATABASE] [--count 10000] [--skip-restore] [--company ID]

Prints figures; no asserts. Aims (issue 13): 10,000 documents exported in under 2 minutes with a peak RSS
under 500 MB.
"""
import argparse
import base64
import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import time

from odoo_flow import Bench

HERE = os.path.dirname(os.path.abspath(__file__))
SEED_BATCH = 500
RIDE_BYTES = 60_000
PASSWORD = "bench-Pa55word"


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class ExportBench(Bench):
    MODULE = "l10n_ec_sri_reports"
    UPDATE = True

    def seed(self, count):
        from odoo.addons.l10n_ec_sri.sri import archive, testing

        with self.env() as env:
            company = env["res.company"].browse(self.company_id)
            ruc = company.vat
            start = env["l10n_ec_sri.document"].search_count([]) + 1
        t0 = time.perf_counter()
        build = restore = 0.0
        for first in range(0, count, SEED_BATCH):
            tb = time.perf_counter()
            rows = []
            for i in range(first, min(count, first + SEED_BATCH)):
                xml = testing.received_xml("factura", issuer_ruc=ruc, sequential=start + i)
                key = re.search(rb"<claveAcceso>(\d{49})</claveAcceso>", xml).group(1).decode()
                ride = b"%PDF-1.4\n" + os.urandom(RIDE_BYTES)
                rows.append({
                    "access_key": key, "kind": "factura", "state": "authorized", "environment": "1",
                    "number": f"{key[24:27]}-{key[27:30]}-{key[30:39]}", "authorization_number": key,
                    "authorization_date": "2026-12-01 15:30:00", "partner_vat": "1712345675",
                    "partner_name": "Cliente Cédula", "xml_kind": "authorized",
                    "xml_b64": base64.b64encode(xml).decode(), "xml_sha256": hashlib.sha256(xml).hexdigest(),
                    "ride_b64": base64.b64encode(ride).decode(), "ride_sha256": hashlib.sha256(ride).hexdigest(),
                })
            build += time.perf_counter() - tb
            tr = time.perf_counter()
            with self.env() as env:
                company = env["res.company"].browse(self.company_id)
                Export = env["l10n_ec_sri.export"].with_company(company).with_context(allowed_company_ids=company.ids)
                Export.restore_batch({"format": archive.FORMAT, "version": archive.VERSION, "company_ruc": ruc,
                                      "documents": rows})
                env.cr.commit()
            restore += time.perf_counter() - tr
        print(f"[bench] seeded {count} documents in {time.perf_counter() - t0:.1f} s "
              f"(XML built and signed {build:.1f} s; restore_batch in process {restore:.1f} s, "
              f"{count / restore:.0f} doc/s)", flush=True)

    def export(self):
        with self.env() as env:
            company = env["res.company"].browse(self.company_id)
            admin = env.ref("base.user_admin")
            Export = env["l10n_ec_sri.export"].with_user(admin).with_company(company).with_context(
                allowed_company_ids=company.ids)
            admin.groups_id |= env.ref("l10n_ec_sri.group_l10n_ec_sri_admin")
            admin.company_ids |= company
            export_id = Export.action_request()["res_id"]
            env.cr.commit()
        before = rss_mb()
        t0 = time.perf_counter()
        with self.env() as env:
            env["l10n_ec_sri.export"]._cron_run(seconds=3600)
        seconds = time.perf_counter() - t0
        with self.env() as env:
            export = env["l10n_ec_sri.export"].browse(export_id)
            path, total, state, error = export._file_path(), export.total, export.state, export.error
        return {"export_id": export_id, "path": path, "total": total, "state": state, "error": error,
                "seconds": seconds, "rss_before_mb": before, "rss_peak_mb": rss_mb(),
                "size_mb": os.path.getsize(path) / 1e6 if path else 0}


def child_export(args):
    """The export in this (child) process: prints one JSON line of figures."""
    bench = ExportBench(args.database, 0)
    bench.UPDATE = False  # the parent did
    bench.setup_odoo()
    bench.company_id = args.company
    result = bench.export()
    bench.http_server.stop()
    print("RESULT " + json.dumps(result), flush=True)


def child_restore(args):
    """Restore into <DATABASE>_restore through the core's XML-RPC client, then compare every document
    (in a child process: Odoo's configuration is parsed once per process)."""
    path, ruc, name = args.path, args.ruc, args.name
    bench = ExportBench(args.database + "_restore", 0)
    bench.setup_odoo()
    from odoo.addons.l10n_ec_sri.sri import archive

    with bench.env() as env:
        company = env["res.company"].search([("vat", "=", ruc), ("name", "=", name)], limit=1) or \
            env["res.company"].create({"name": name, "vat": ruc, "country_id": env.ref("base.ec").id,
                                       "currency_id": env.ref("base.USD").id})
        login = f"bench_restore_{company.id}"
        user = env["res.users"].search([("login", "=", login)]) or env["res.users"].create({
            "name": "Bench restore", "login": login, "password": PASSWORD, "company_id": company.id,
            "company_ids": [(6, 0, company.ids)],
            "groups_id": [(6, 0, [env.ref("base.group_user").id, env.ref("l10n_ec_sri.group_l10n_ec_sri_admin").id])]})
        env.cr.commit()
    url = f"http://127.0.0.1:{bench.http_port}"
    t0 = time.perf_counter()
    totals = archive.restore(path, url, bench.dbname, login, PASSWORD, out=lambda line: None)
    seconds = time.perf_counter() - t0
    mismatches = compared = 0
    with archive.Archive(path) as zipped, bench.env() as env:
        docs = {d.access_key: d for d in env["l10n_ec_sri.document"].search([("company_id", "=", company.id)])}
        for row in zipped.iter("documents"):
            doc = docs.get(row["access_key"])
            compared += 1
            same = doc and (doc.state, doc.authorization_number) == (row["state"], row["authorization_number"]) \
                and hashlib.sha256(doc.authorized_xml_id.raw).hexdigest() == row["xml_sha256"] \
                and hashlib.sha256(doc.ride_id.raw).hexdigest() == row["ride_sha256"]
            mismatches += not same
    print(f"[bench] restore over XML-RPC: {totals['documents_created']} created, {totals['documents_skipped']} "
          f"skipped in {seconds:.1f} s ({totals['documents_created'] / seconds:.0f} doc/s); compared {compared} "
          f"documents (key, state, authorization number, XML and RIDE sha256): {mismatches} differ", flush=True)
    bench.http_server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", nargs="?", default="sri_bench_export")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--skip-restore", action="store_true")
    parser.add_argument("--child-export", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--company", type=int, help="export the documents of this company (seeded by an earlier run) "
                        "instead of seeding a new one")
    parser.add_argument("--child-restore", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--ruc", help=argparse.SUPPRESS)
    parser.add_argument("--name", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_export:
        return child_export(args)
    if args.child_restore:
        return child_restore(args)

    print(f"[bench] machine: {os.cpu_count()} CPUs, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB", flush=True)
    bench = ExportBench(args.database, 0)
    bench.setup_odoo()
    from odoo.addons.l10n_ec_sri.sri import archive

    if args.company:  # the documents another run seeded
        bench.company_id = args.company
    else:
        bench.setup_company("http://127.0.0.1:9")
    with bench.env() as env:
        company = env["res.company"].browse(bench.company_id)
        ruc, name = company.vat, company.name
    if not args.company:
        bench.seed(args.count)
        bench.restore_params()
    bench.http_server.stop()

    child = subprocess.run([sys.executable, os.path.abspath(__file__), args.database, "--child-export",
                            "--company", str(bench.company_id)], capture_output=True, text=True, check=False)
    lines = [line for line in child.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        sys.exit("export child failed:\n" + child.stdout[-3000:] + child.stderr[-3000:])
    result = json.loads(lines[-1][len("RESULT "):])
    print(f"[bench] export of {result['total']} documents: {result['state']} in {result['seconds']:.1f} s "
          f"({result['total'] / result['seconds']:.0f} doc/s), peak RSS {result['rss_peak_mb']:.0f} MB "
          f"(RSS before the export {result['rss_before_mb']:.0f} MB), ZIP {result['size_mb']:.0f} MB "
          f"{result['error'] or ''}", flush=True)
    t0 = time.perf_counter()
    problems = archive.verify(result["path"])
    print(f"[bench] verify: {len(problems)} problems in {time.perf_counter() - t0:.1f} s "
          f"(this process's peak RSS {rss_mb():.0f} MB)", flush=True)
    if not args.skip_restore:
        subprocess.run([sys.executable, os.path.abspath(__file__), args.database, "--child-restore",
                        "--path", result["path"], "--ruc", ruc, "--name", name], check=False)


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    main()
