"""Benchmark of the plans' cost on posting (l10n_ec_sri_plan): the same invoices posted with and without the module.

Runs ``bench/odoo_flow.py``'s posting (``action_post`` 100 invoices per call, committed: access key, XML, schema,
signature, queue) in two databases, one process each: ``sri_bench`` (l10n_ec_sri only) and ``sri_bench_plans``
(l10n_ec_sri_plan installed; the company is on the Enterprise plan, unlimited but counted: each posting reserves its
documents on the account's monthly counter). Both created without demo data when missing. Each side posts ROUNDS
batches of N fresh invoices after a warm-up; the figure is the median rate, and the ratio of the two medians.

    python bench/plans.py [--count 300] [--rounds 3]

Prints figures; no asserts.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def run_side(database, module, count, rounds):
    """In this process: post ``rounds`` batches of ``count`` invoices on ``database``; prints one JSON line."""
    from _simulator import start_simulator
    from odoo_flow import Bench

    bench = type("PlanBench", (Bench,), {"MODULE": module})(database, 900)
    bench.pool = 8
    bench.latency_ms = 0
    bench.setup_odoo()
    workdir = tempfile.mkdtemp(prefix="sri_bench_plans_")
    sim, sim_url = start_simulator(os.path.join(workdir, "simulator.sqlite3"))
    rates = []
    try:
        bench.sim_url = sim_url
        bench.setup_company(sim_url)
        if module == "l10n_ec_sri_plan":
            with bench.env() as env:
                account = env["res.company"].browse(bench.company_id).l10n_ec_sri_subscription_id
                account.plan_id = env.ref("l10n_ec_sri_plan.plan_enterprise")
                env.cr.commit()
        bench.warm_up()
        for _round in range(rounds):
            ids, _t = bench.create_invoices(count)
            posted, seconds, _sign = bench.post(ids, time.monotonic() + 900)
            rates.append(posted / seconds)
        if module == "l10n_ec_sri_plan":
            with bench.env() as env:
                counted = env["res.company"].browse(bench.company_id).l10n_ec_sri_subscription_id.usage_documents
        else:
            counted = None
    finally:
        sim.terminate()
        sim.wait(10)
        bench.restore_params()
        bench.http_server.httpd.shutdown()
    print("RESULT " + json.dumps({"module": module, "rates": rates, "counted": counted}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300, help="invoices per round (default 300)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--side", nargs=2, metavar=("DATABASE", "MODULE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        run_side(args.side[0], args.side[1], args.count, args.rounds)
        return
    results = {}
    for database, module in (("sri_bench", "l10n_ec_sri"), ("sri_bench_plans", "l10n_ec_sri_plan")):
        print(f"[bench] {module} in {database}: {args.rounds} rounds of {args.count} invoices...", flush=True)
        out = subprocess.run([sys.executable, __file__, "--count", str(args.count), "--rounds", str(args.rounds),
                              "--side", database, module], capture_output=True, text=True, check=False)
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if not line:
            print(out.stdout[-3000:], out.stderr[-3000:])
            raise SystemExit(f"{module}: no result")
        results[module] = json.loads(line[len("RESULT "):])
    plain = statistics.median(results["l10n_ec_sri"]["rates"])
    plans = statistics.median(results["l10n_ec_sri_plan"]["rates"])
    print(f"\nPosting with and without the plans module, {os.cpu_count()} CPUs, {args.rounds} rounds of {args.count} "
          f"invoices (100 per action_post, committed)")
    for module in ("l10n_ec_sri", "l10n_ec_sri_plan"):
        rates = ", ".join(f"{r:.1f}" for r in results[module]["rates"])
        print(f"  {module:18s} median {statistics.median(results[module]['rates']):6.1f} inv/s   rounds: {rates}")
    print(f"  with plans / without: {plans / plain:.3f} ({100 * (plans / plain - 1):+.1f} %); documents counted on "
          f"the account: {results['l10n_ec_sri_plan']['counted']}")


if __name__ == "__main__":
    main()
