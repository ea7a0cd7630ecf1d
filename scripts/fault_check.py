# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Driver of scripts/test_faults.sh: the SRI queue under faults, two workers, one killed (-9).

``run`` (the orchestrator, Odoo as a library on a database where l10n_ec_sri is installed without
demo data):

1. starts the SRI simulator with a witness log (scripts/fault_simulator.py: every SOAP request and
   every reception it got, per access key) on a free loopback port;
2. creates a company ready for the SRI on that simulator (mail of authorized documents on, retry base
   1 s), FAULTS_CUSTOMERS customers with e-mail addresses and N invoices, posted (signed XML, queued);
3. arms faults on the simulator (latency, EN PROCESO polls, error 70, HTTP 500, dropped connections);
4. starts two queue workers, separate OS processes (``worker``: each loops
   ``_process_queue(limit=20, company_ids=[company])``, committing, until nothing is left or the
   deadline), kills one with SIGKILL while it has SOAP sends in flight, re-arms the faults, restarts it;
5. waits for both (bounded), then checks, against the simulator's records as witness: each document
   authorized exactly once and received once, each mailed once (a message carrying the authorized XML,
   a mail.mail queued for the customer), an exchange record for every request the SRI got, nothing
   stuck, no duplicate key or number, no SMTP connection tried (mail stays in Odoo's queue).

Prints one line per check and ``faults: N passed, M failed``; exits 1 on any failure.

    python scripts/fault_check.py run --db DB --tmp DIR [--n 60] [--deadline 300]
"""
import argparse
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import traceback

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ADDON = os.path.join(ROOT, "l10n_ec_sri")
ODOO_SRC = os.environ.get("ODOO_SRC", "/opt/odoo18")
COMPANY_RUC = "1791234561001"
QUEUE_LIMIT = 20          # documents per _process_queue call of a worker
POST_BATCH = 20
LATENCY_MS = int(os.environ.get("FAULTS_LATENCY_MS", 200))
FIRST_FAULTS = {"error_70": 3, "http_500": 3, "drop": 3}
REARMED_FAULTS = {"error_70": 2, "http_500": 2, "drop": 2}
EN_PROCESO_POLLS = 1      # the first authorization poll of every key answers EN PROCESO
IN_PROGRESS = "Call in progress"
INCOMPLETE = "(incomplete)"  # the witness's key of a request cut short (scripts/fault_simulator.py)

checks = {"passed": 0, "failed": 0}


def check(label, ok, detail=""):
    ok = bool(ok)
    checks["passed" if ok else "failed"] += 1
    print(f"  [{'ok' if ok else 'FAIL'}] {label}" + ("" if ok or not detail else f": {detail}"), flush=True)
    return ok


def say(text):
    print(text, flush=True)


# ------------------------------------------------------------------------------------- Odoo
def odoo_setup(db, data_dir):
    import odoo
    from odoo.tools import config

    config.parse_config([
        f"--addons-path={ODOO_SRC}/addons,{ROOT}",
        "-d", db,
        "--log-level=warn",
        "--without-demo=all",
        "--http-interface=127.0.0.1",
        "--max-cron-threads=0",
        f"--data-dir={data_dir}",
    ], setup_logging=True)
    import logging
    logging.getLogger("odoo.addons.base.models.ir_actions_report").setLevel(logging.ERROR)
    logging.getLogger("odoo.addons.l10n_ec_sri.models.crypto").setLevel(logging.ERROR)  # "key file created"
    from odoo.modules.registry import Registry

    return odoo, Registry(db)


@contextlib.contextmanager
def odoo_env(registry, context=None):
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, dict(context or {}))


def cedula(i):
    """A valid Ecuadorian cédula (province 17), different for each ``i``."""
    digits = [1, 7, 1] + [int(c) for c in f"{(i * 7919 + 123457) % 1000000:06d}"]
    total = 0
    for pos, digit in enumerate(digits):
        value = digit * (2 if pos % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def setup_company(registry, sim_url, count, customers):
    """The company, customers, products and ``count`` posted invoices. Returns (company id, move ids)."""
    from odoo import Command

    from odoo.addons.l10n_ec_sri.sri import identification

    with odoo_env(registry) as env:
        params = env["ir.config_parameter"].sudo()
        params.set_param("l10n_ec_sri.retry_base_seconds", 1)
        # wkhtmltopdf must not wait for report assets from an Odoo HTTP server that does not run here
        params.set_param("report.url", "http://127.0.0.1:9")
        params.set_param("l10n_ec_sri.connect_timeout", 2)
        params.set_param("l10n_ec_sri.read_timeout", 10)
        # Odoo never sends a notification mail itself (no "force send" after commit): every mail stays
        # in the mail.mail queue, whose cron is never run here. There is no SMTP server.
        params.set_param("mail.mail.force.send.limit", 0)
        ec = env.ref("base.ec")
        values = {
            "name": "Fallas SRI S.A.", "vat": COMPANY_RUC, "country_id": ec.id,
            "currency_id": env.ref("base.USD").id, "street": "Av. Amazonas N34-451", "city": "Quito",
            "email": "facturacion@fallas.example.com",
        }
        if "iap_enrich_auto_done" in env["res.company"]._fields:
            values["iap_enrich_auto_done"] = True  # partner_autocomplete: no call to Odoo's IAP (loopback only)
        company = env["res.company"].create(values)
        Demo = env["l10n_ec_sri.demo"]
        journal = Demo._l10n_ec_sri_setup_company(company, endpoint_url=sim_url)
        company = env["res.company"].browse(company.id)
        company.write({"l10n_ec_sri_send_mail": True, "l10n_ec_sri_auto_send": True})
        dni = env.ref("l10n_ec.ec_dni")
        partners = env["res.partner"].create([{
            "name": f"Cliente Fallas {i + 1}", "vat": identification.validate_cedula(cedula(i)),
            "email": f"cliente{i + 1}@fallas.example.com", "country_id": ec.id,
            "l10n_latam_identification_type_id": dni.id, "street": f"Calle {i + 1}", "city": "Quito",
        } for i in range(customers)])
        products = env["product.product"].create([
            {"name": f"Servicio IVA {rate}%", "default_code": f"F-{rate}", "company_id": company.id,
             "taxes_id": [Command.set(Demo._l10n_ec_sri_sale_tax(company, rate).ids)]}
            for rate in (15, 0)
        ])
        Move = env["account.move"].with_company(company).with_context(allowed_company_ids=company.ids)
        moves = Move.create([Demo._l10n_ec_sri_invoice_values(
            company, partners[i % len(partners)],
            [(product, 1 + (i + k) % 3, round(5 + (i * 7 + k * 13) % 90, 2)) for k, product in enumerate(products)],
            journal=journal) for i in range(count)])
        company_id, move_ids = company.id, moves.ids
    for start in range(0, len(move_ids), POST_BATCH):
        with odoo_env(registry) as env:
            env["account.move"].browse(move_ids[start:start + POST_BATCH]).with_company(company_id).action_post()
    return company_id, move_ids


def pending(env, company_id):
    """Documents of the company still to go through the queue, and authorized ones still to mail."""
    env.cr.execute("""
        SELECT count(*) FILTER (WHERE state IN ('to_send', 'retry', 'received')),
               count(*) FILTER (WHERE state = 'authorized' AND NOT COALESCE(mailed, FALSE)
                                  AND COALESCE(mail_state, 'pending') IN ('pending', 'retry'))
          FROM l10n_ec_sri_document WHERE company_id = %s""", [company_id])
    return env.cr.fetchone()


# ------------------------------------------------------------------------------------- worker
class Status:
    """The worker's state, in a JSON file the orchestrator reads (written atomically)."""

    def __init__(self, path, **values):
        self.path = path
        self.lock = threading.Lock()
        self.data = {"pid": os.getpid(), "phase": "loading", "loops": 0, "processed": 0, "errors": 0,
                     "smtp": 0, "sends_in_flight": 0, "calls_in_flight": 0, "sends": 0, **values}
        self.write()

    def write(self, **values):
        with self.lock:
            self.data.update(values)
            tmp = f"{self.path}.{threading.get_ident()}"
            with open(tmp, "w") as fh:
                json.dump(self.data, fh)
            os.replace(tmp, self.path)

    def add(self, **deltas):
        with self.lock:
            for name, delta in deltas.items():
                self.data[name] += delta
        self.write()


def worker(args):
    status = Status(args.status, name=args.name)
    odoo, registry = odoo_setup(args.db, args.data_dir)
    from odoo.addons.base.models.ir_mail_server import IrMailServer
    from odoo.addons.l10n_ec_sri.models import l10n_ec_sri_document as engine

    # The witness of "nothing tries to reach an SMTP server": any attempt is counted (and refused).
    def no_smtp(*_args, **_kwargs):
        status.add(smtp=1)
        raise OSError("fault suite: no SMTP server")

    IrMailServer.connect = no_smtp
    IrMailServer.send_email = no_smtp
    # The SOAP calls in flight (read by the orchestrator to kill this worker in the middle of sending).
    single_call = engine._sri_single_call

    def counted_call(client, semaphore, kind, arg):
        # the pool has as many threads as the company's calls in flight: a call started here is on the wire
        status.add(calls_in_flight=1, sends_in_flight=int(kind == "send"), sends=int(kind == "send"))
        try:
            return single_call(client, semaphore, kind, arg)
        finally:
            status.add(calls_in_flight=-1, sends_in_flight=-int(kind == "send"))

    engine._sri_single_call = counted_call
    # The documents of the batch this worker holds (the calls a kill leaves without answer are theirs).
    with odoo_env(registry) as env:
        cls = type(env["l10n_ec_sri.document"])
    pick = cls._pick

    def recorded_pick(self, *args, **kwargs):
        ids = pick(self, *args, **kwargs)
        if ids:
            status.write(batch=list(ids))
        return ids

    cls._pick = recorded_pick
    status.write(phase="ready")
    go_deadline = time.time() + 300
    while not os.path.exists(args.go) and time.time() < go_deadline:
        time.sleep(0.05)
    status.write(phase="running")
    context = {"mail_notify_force_send": False}
    while time.time() < args.deadline:
        try:
            with odoo_env(registry, context) as env:
                done = env["l10n_ec_sri.document"]._process_queue(limit=QUEUE_LIMIT, company_ids=[args.company])
                env.cr.commit()
                status.add(loops=1, processed=len(done))
                if not done:
                    left = pending(env, args.company)
                    if not any(left):
                        break
                    status.write(left=list(left))
                    time.sleep(0.3)
        except Exception:  # noqa: BLE001 - counted: the queue must not raise
            status.add(errors=1)
            traceback.print_exc()
            time.sleep(1)
    status.write(phase="done" if time.time() < args.deadline else "deadline")


# ------------------------------------------------------------------------------------- orchestrator
def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_simulator(tmp):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    db = os.path.join(tmp, "simulator.sqlite3")
    log = open(os.path.join(tmp, "simulator.log"), "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "fault_simulator.py"), "--host", "127.0.0.1",
                             "--port", str(port), "--db", db], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    with open(os.path.join(tmp, "simulator.pid"), "w") as fh:
        fh.write(str(proc.pid))
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(url + "/control", timeout=1)
            return proc, url, db
        except requests.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit("simulator did not start: " + open(log.name, "rb").read().decode(errors="replace"))
            time.sleep(0.1)


def control(url, **knobs):
    if knobs:
        response = requests.post(url + "/control", json=knobs, timeout=10)
    else:
        response = requests.get(url + "/control", timeout=10)
    response.raise_for_status()
    return response.json()


class Worker:
    def __init__(self, args, name, company_id, go):
        self.name = name
        self.status_path = os.path.join(args.tmp, f"worker_{name}.json")
        self.log = open(os.path.join(args.tmp, f"worker_{name}.log"), "wb")  # noqa: SIM115
        self.proc = subprocess.Popen([
            sys.executable, os.path.abspath(__file__), "worker", "--db", args.db, "--data-dir", args.data_dir,
            "--company", str(company_id), "--name", name, "--status", self.status_path, "--go", f"{go}_{name[0]}",
            "--deadline", str(args.queue_deadline),
        ], stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        with open(os.path.join(args.tmp, f"worker_{name}.pid"), "w") as fh:
            fh.write(str(self.proc.pid))

    def status(self):
        with contextlib.suppress(OSError, ValueError):
            with open(self.status_path) as fh:
                return json.load(fh)
        return {}

    def kill(self, sig=signal.SIGKILL):
        """``sig`` to the worker's process group (the worker and any wkhtmltopdf it runs)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)

    def tail(self, lines=30):
        self.log.flush()
        with open(self.log.name, "rb") as fh:
            return b"\n".join(fh.read().splitlines()[-lines:]).decode(errors="replace")


def wait_for(predicate, timeout, step=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def run(args):
    os.makedirs(args.data_dir, exist_ok=True)
    t0 = time.monotonic()
    sim, sim_url, sim_db = start_simulator(args.tmp)
    workers = []
    try:
        odoo, registry = odoo_setup(args.db, args.data_dir)
        say(f"== set-up: company, {args.customers} customers with e-mail, {args.n} invoices posted "
            f"(simulator {sim_url}) ==")
        company_id, move_ids = setup_company(registry, sim_url, args.n, args.customers)
        with odoo_env(registry) as env:
            docs = env["account.move"].browse(move_ids).l10n_ec_sri_document_id
            states = {s: docs.mapped("state").count(s) for s in set(docs.mapped("state"))}
        say(f"  {len(move_ids)} invoices posted in {time.monotonic() - t0:.0f} s, SRI documents {states}")
        check(f"{args.n} invoices posted, each with an SRI document to send",
              len(docs) == args.n and states == {"to_send": args.n}, states)

        faults = {"latency_ms": LATENCY_MS, "en_proceso_polls": EN_PROCESO_POLLS, **FIRST_FAULTS}
        control(sim_url, **faults)
        say(f"== two queue workers (processes), faults {faults} ==")
        go = os.path.join(args.tmp, "go")
        args.queue_deadline = time.time() + args.deadline
        a = Worker(args, "A", company_id, go)
        b = Worker(args, "B", company_id, go)
        workers += [a, b]
        ready = wait_for(lambda: all(w.status().get("phase") == "ready" or w.proc.poll() is not None
                                     for w in (a, b)), 240, 0.2)
        if not ready or any(w.proc.poll() is not None for w in (a, b)):
            for w in (a, b):
                say(f"  worker {w.name}: {w.status()}\n{w.tail()}")
            check("both workers loaded Odoo", False)
            return
        open(go + "_A", "w").close()  # A first: it takes the first documents to send, B the next ones
        t_go = time.monotonic()
        time.sleep(0.5)
        open(go + "_B", "w").close()
        kill_after = max(5, args.n // 4)  # requests the simulator got before the kill
        with odoo_env(registry) as env:
            env.cr.execute("SELECT id, access_key FROM l10n_ec_sri_document WHERE company_id = %s", [company_id])
            key_of = dict(env.cr.fetchall())
        witness = sqlite3.connect(sim_db + ".witness", isolation_level=None)

        def sends_at_sri():
            """Keys of A's batch sent for the first time (documents still to_send, never registered by
            the SRI) whose send is at the simulator right now (arrived, still in its latency: the SRI
            registers them after A is dead, A never sees the answer)."""
            keys = [key_of[i] for i in a.status().get("batch") or () if i in key_of]
            if not keys:
                return []
            marks = ",".join("?" * len(keys))
            rows = witness.execute(f"""
                SELECT q.clave FROM request q
                 WHERE q.kind = 'send' AND q.clave IN ({marks}) AND q.at > ?
                   AND NOT EXISTS (SELECT 1 FROM reception r WHERE r.clave = q.clave)""",
                [*keys, time.time() - 0.6 * LATENCY_MS / 1000]).fetchall()
            if not rows:
                return []
            with odoo_env(registry) as env:
                env.cr.execute("""SELECT access_key FROM l10n_ec_sri_document
                                   WHERE access_key IN %s AND state = 'to_send' AND NOT COALESCE(sent, FALSE)""",
                               [tuple(row[0] for row in rows)])
                return [row[0] for row in env.cr.fetchall()]

        def moment():
            if a.status().get("sends_in_flight", 0) < 1 or control(sim_url)["stats"]["requests"] < kill_after:
                return False
            return bool(sends_at_sri())

        at_sri = wait_for(moment, 90)
        in_flight = at_sri or a.status().get("sends_in_flight", 0) >= 1
        before_kill, on_the_wire = a.status(), sends_at_sri()
        served = control(sim_url)["stats"]
        killed_at = time.time()
        a.kill()
        witness.close()
        if on_the_wire:
            say(f"  first sends of worker A at the SRI when killed: "
                f"{', '.join(f'{k[24:27]}-{k[27:30]}-{k[30:39]}' for k in on_the_wire)}")
        say(f"  kill -9 worker A (pid {a.proc.pid}) {time.monotonic() - t_go:.1f} s after start: "
            f"{before_kill.get('sends_in_flight')} send(s), {before_kill.get('calls_in_flight')} call(s) in flight, "
            f"{len(on_the_wire)} send(s) being processed by the SRI; simulator had {served['requests']} requests")
        check("worker A killed (SIGKILL) while the SRI was processing one of its sends",
              at_sri and in_flight and a.proc.returncode == -9,
              f"sends in flight {before_kill.get('sends_in_flight')}, at the SRI {len(on_the_wire)}, "
              f"rc {a.proc.returncode}")
        control(sim_url, **REARMED_FAULTS)
        time.sleep(0.5)
        a2 = Worker(args, "A2", company_id, go)
        workers.append(a2)
        say(f"  faults re-armed {REARMED_FAULTS}; worker A restarted (pid {a2.proc.pid})")
        finished = wait_for(lambda: b.proc.poll() is not None and a2.proc.poll() is not None,
                            max(args.queue_deadline - time.time(), 0) + 60, 0.5)
        elapsed = time.monotonic() - t_go
        for w in (b, a2):
            if w.proc.poll() is None:
                w.kill()
        status = {w.name: w.status() for w in workers}
        status["A"]["phase"] = "killed"
        for name, st in status.items():
            say(f"  worker {name}: {st.get('phase')}, {st.get('loops')} queue runs, "
                f"{st.get('processed')} documents processed, {st.get('sends')} sends, {st.get('errors')} errors")
        check(f"both workers finished before the deadline ({elapsed:.0f} s of {args.deadline} s)",
              finished and status["B"].get("phase") == "done" and status["A2"].get("phase") == "done",
              {n: s.get("phase") for n, s in status.items()})
        check("no worker raised out of _process_queue",
              not any(s.get("errors") for s in status.values()),
              {n: s.get("errors") for n, s in status.items()})
        for w in workers:
            if w.name != "A" and w.status().get("errors"):
                say(w.tail(40))
        check("nothing tried to reach an SMTP server", not any(s.get("smtp") for s in status.values()),
              {n: s.get("smtp") for n, s in status.items()})
        sim_status = control(sim_url)
        verify(registry, company_id, move_ids, sim_db, sim_status, args.n, set(before_kill.get("batch") or ()),
               killed_at)
    finally:
        for w in workers:
            if w.proc.poll() is None:
                w.kill()
        sim.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            sim.wait(10)
        if sim.poll() is None:
            sim.kill()
        say(f"  (total {time.monotonic() - t0:.0f} s)")


def verify(registry, company_id, move_ids, sim_db, sim_status, n, killed_batch, killed_at):
    say("== checks (the simulator's records are the witness) ==")
    sri = sqlite3.connect(sim_db)
    witness = sqlite3.connect(sim_db + ".witness")
    with odoo_env(registry) as env:
        cr = env.cr
        cr.execute("""SELECT d.id, d.access_key, d.name, d.state, d.next_try, d.mailed, d.mail_state,
                             d.mail_next_try, d.authorized_xml_id, d.res_id, d.partner_id, d.sent
                        FROM l10n_ec_sri_document d WHERE d.company_id = %s ORDER BY d.id""", [company_id])
        docs = [dict(zip(("id", "key", "name", "state", "next_try", "mailed", "mail_state", "mail_next_try",
                          "xml", "move", "partner", "sent"), row)) for row in cr.fetchall()]
        keys = {d["key"] for d in docs}
        by_key = {d["key"]: d for d in docs}

        # -- authorized exactly once, the SRI as witness
        states = {}
        for d in docs:
            states[d["state"]] = states.get(d["state"], 0) + 1
        say(f"  Odoo: {len(docs)} documents {states}")
        check(f"every document authorized in Odoo ({states.get('authorized', 0)}/{n})",
              len(docs) == n and states == {"authorized": n}, states)
        sri_rows = dict(sri.execute("SELECT clave_acceso, estado FROM comprobante").fetchall())
        sri_states = {}
        for value in sri_rows.values():
            sri_states[value] = sri_states.get(value, 0) + 1
        say(f"  SRI (simulator): {len(sri_rows)} keys registered {sri_states}")
        check(f"the SRI registered the {n} keys of the documents, no other",
              set(sri_rows) == keys and len(keys) == n,
              f"missing {len(keys - set(sri_rows))}, unknown to Odoo {len(set(sri_rows) - keys)}")
        check("the SRI authorized every key", sri_states == {"AUTORIZADO": n}, sri_states)
        receptions = {}
        for key, status, count in witness.execute(
                "SELECT clave, status, count(*) FROM reception GROUP BY clave, status"):
            receptions.setdefault(key, {})[status] = count
        twice = {k: v for k, v in receptions.items() if v.get("43") or v.get("ok", 0) != 1}
        check(f"each key received once by the SRI (keys sent again, answered 43: {len(twice)})",
              not twice and set(receptions) == keys,
              "; ".join(f"{by_key.get(k, {}).get('name', k)}: {v}" for k, v in sorted(twice.items())[:8]))
        cr.execute("""SELECT d.id, count(e.id) FROM l10n_ec_sri_document d
                        LEFT JOIN l10n_ec_sri_exchange e ON e.document_id = d.id AND e.outcome = 'authorized'
                       WHERE d.company_id = %s GROUP BY d.id""", [company_id])
        auth_counts = dict(cr.fetchall())
        bad = {k: v for k, v in auth_counts.items() if v != 1}
        check("one AUTORIZADO answer recorded per document", not bad, f"{len(bad)} documents: {list(bad.items())[:8]}")
        cr.execute("""SELECT d.id, count(a.id) FROM l10n_ec_sri_document d
                        LEFT JOIN ir_attachment a ON a.res_model = d.res_model AND a.res_id = d.res_id
                                                 AND a.name = d.access_key || '.xml'
                       WHERE d.company_id = %s GROUP BY d.id""", [company_id])
        bad = {k: v for k, v in cr.fetchall() if v != 1}
        check("one authorized XML attachment per document", not bad, f"{len(bad)} documents: {list(bad.items())[:8]}")

        # -- mailed exactly once (the mail queue is the witness: nothing is really sent)
        cr.execute("""
            SELECT d.id,
                   (SELECT count(DISTINCT m.id) FROM mail_message m
                      JOIN message_attachment_rel r ON r.message_id = m.id
                      JOIN ir_attachment a ON a.id = r.attachment_id
                     WHERE m.model = d.res_model AND m.res_id = d.res_id AND a.name = d.access_key || '.xml'),
                   (SELECT count(*) FROM mail_mail mm JOIN mail_message m ON m.id = mm.mail_message_id
                      JOIN message_attachment_rel r ON r.message_id = m.id
                     WHERE m.model = d.res_model AND m.res_id = d.res_id AND r.attachment_id = d.authorized_xml_id),
                   (SELECT count(*) FROM mail_notification nt JOIN mail_message m ON m.id = nt.mail_message_id
                      JOIN message_attachment_rel r ON r.message_id = m.id
                     WHERE m.model = d.res_model AND m.res_id = d.res_id AND r.attachment_id = d.authorized_xml_id
                       AND nt.res_partner_id = d.partner_id AND nt.notification_type = 'email')
              FROM l10n_ec_sri_document d WHERE d.company_id = %s""", [company_id])
        mails = {row[0]: row[1:] for row in cr.fetchall()}
        messages = sum(v[0] for v in mails.values())
        bad = {k: v for k, v in mails.items() if v != (1, 1, 1)}
        say(f"  mail: {messages} messages with the authorized XML, "
            f"{sum(v[1] for v in mails.values())} mail.mail queued, "
            f"{sum(v[2] for v in mails.values())} e-mail notifications to the customers")
        check("each document mailed exactly once to its customer (1 message with the authorized XML, "
              "1 mail.mail, 1 notification)", not bad and len(mails) == n,
              f"{len(bad)} documents (message, mail, notification): {list(bad.items())[:8]}")
        cr.execute("""SELECT nt.res_partner_id, count(*) FROM mail_notification nt
                        JOIN mail_message m ON m.id = nt.mail_message_id
                        JOIN l10n_ec_sri_document d ON d.res_model = m.model AND d.res_id = m.res_id
                        JOIN message_attachment_rel r ON r.message_id = m.id AND r.attachment_id = d.authorized_xml_id
                       WHERE d.company_id = %s AND nt.notification_type = 'email' GROUP BY 1""", [company_id])
        per_customer = dict(cr.fetchall())
        expected = {}
        for d in docs:
            expected[d["partner"]] = expected.get(d["partner"], 0) + 1
        check(f"each customer got one mail per document of theirs ({len(expected)} customers)",
              per_customer == expected, f"{per_customer} != {expected}")
        mail_states = {}
        for d in docs:
            mail_states[(bool(d["mailed"]), d["mail_state"])] = mail_states.get((bool(d["mailed"]), d["mail_state"]), 0) + 1
        cr.execute("SELECT count(*) FROM l10n_ec_sri_document WHERE company_id = %s AND mail_attempts > 0", [company_id])
        say(f"  {cr.fetchone()[0]} documents mailed after a mail retry (the two workers mailing the same customer "
            f"at once: concurrent update)")
        check("every document marked mailed (mail_state sent)", mail_states == {(True, "sent"): n},
              {f"mailed={k[0]} {k[1]}": v for k, v in mail_states.items()})
        cr.execute("SELECT state, count(*) FROM mail_mail GROUP BY state")
        mm_states = dict(cr.fetchall())
        check(f"every mail still in Odoo's queue, none sent or failed {mm_states}",
              set(mm_states) <= {"outgoing"}, mm_states)

        # -- the exchange log holds every request
        cr.execute("""SELECT e.access_key, e.kind, count(*) FROM l10n_ec_sri_exchange e
                          JOIN l10n_ec_sri_document d ON d.id = e.document_id
                         WHERE d.company_id = %s GROUP BY 1, 2""", [company_id])
        exchanges = {(key, kind): count for key, kind, count in cr.fetchall()}
        cr.execute("""SELECT e.document_id, extract(epoch FROM e.create_date AT TIME ZONE 'UTC')
                        FROM l10n_ec_sri_exchange e JOIN l10n_ec_sri_document d ON d.id = e.document_id
                       WHERE d.company_id = %s AND e.outcome IS NULL AND e.error LIKE %s""",
                   [company_id, IN_PROGRESS + "%"])
        unanswered = cr.fetchall()
        cr.execute("""SELECT e.kind || ':' || COALESCE(e.outcome, 'no answer'), count(*) FROM l10n_ec_sri_exchange e
                        JOIN l10n_ec_sri_document d ON d.id = e.document_id WHERE d.company_id = %s
                       GROUP BY 1 ORDER BY 1""", [company_id])
        outcomes = dict(cr.fetchall())
        in_progress = len(unanswered)
        # legitimate: the killed worker's calls (documents of its batch, logged before the kill)
        foreign = [doc_id for doc_id, created in unanswered
                   if doc_id not in killed_batch or float(created) > killed_at + 0.5]
        requests_ = dict(((k, kind), c) for k, kind, c in witness.execute(
            "SELECT clave, kind, count(*) FROM request GROUP BY 1, 2"))
        # a request whose body did not arrive whole: its client was killed while sending it (the witness
        # compares the body with its Content-Length); its exchange is one of the killed worker's rows
        incomplete = sum(c for (k, _kind), c in requests_.items() if k == INCOMPLETE)
        unknown = sum(c for (k, _kind), c in requests_.items() if k not in keys and k != INCOMPLETE)
        total_req, total_exch = sum(requests_.values()), sum(exchanges.values())
        per_kind = {kind: (sum(c for (_k, kd), c in requests_.items() if kd == kind),
                           sum(c for (_k, kd), c in exchanges.items() if kd == kind)) for kind in ("send", "authorize")}
        stats = sim_status["stats"]
        say(f"  simulator counters: {stats['requests']} SOAP requests, {stats['served']} answered, "
            f"{stats['dropped']} dropped, {stats['http_500']} HTTP 500; knobs left {{error_70: "
            f"{sim_status['error_70']}, http_500: {sim_status['http_500']}, drop: {sim_status['drop']}}}")
        say(f"  requests received (witness) per kind (requests, exchange rows): {per_kind}; "
            f"exchange rows by outcome {outcomes}")
        check(f"the witness saw every request the simulator counted ({total_req} = {stats['requests']})",
              total_req == stats["requests"] and unknown == 0, f"{unknown} requests for unknown keys")
        short = {k: (requests_.get(k, 0), exchanges.get(k, 0)) for k in set(requests_) | set(exchanges)
                 if k[0] != INCOMPLETE and requests_.get(k, 0) > exchanges.get(k, 0)}
        say(f"  difference {total_exch - total_req}: calls prelogged by the killed worker (its batch is prelogged "
            f"before its calls start) that were not on the wire yet; dropped requests ({stats['dropped']}) and "
            f"HTTP 500 ({stats['http_500']}) reached the simulator and are counted on both sides")
        check(f"an exchange record for every request the SRI got ({total_exch} rows >= {total_req} requests)", not short and total_exch >= total_req,
              f"{len(short)} (key, kind) with fewer rows than requests: {list(short.items())[:6]}")
        check(f"requests cut while the killed worker sent them ({incomplete}) are among its calls left in progress "
              f"({in_progress - len(foreign)})", incomplete <= in_progress - len(foreign))
        check(f"every answer is in the exchange log: the {in_progress} rows left 'call in progress' are calls of the "
              f"killed worker's batch ({len(killed_batch)} documents) logged before the kill", not foreign,
              f"{len(foreign)} rows of calls made by the live workers (their answer was lost)")
        check("the injected faults hit (drops, HTTP 500, error 70 all consumed)",
              stats["dropped"] >= 1 and stats["http_500"] >= 1 and sim_status["error_70"] == 0
              and sim_status["drop"] == 0 and sim_status["http_500"] == 0, stats)
        # a drop or a 500 answered while the killed worker waited for it is one of its "in progress" rows
        failed = _failed_exchanges(cr, company_id)
        check(f"dropped requests and HTTP 500 are in the exchange log as failed calls ({failed} failed + "
              f"{in_progress - len(foreign)} left in progress by the killed worker >= "
              f"{stats['dropped'] + stats['http_500']})",
              failed + in_progress - len(foreign) >= stats["dropped"] + stats["http_500"],
              f"{failed} + {in_progress - len(foreign)} < {stats['dropped'] + stats['http_500']}")

        # -- nothing stuck, no duplicate
        cr.execute("""SELECT count(*) FILTER (WHERE state IN ('to_send', 'retry', 'received')),
                             count(*) FILTER (WHERE state = 'retry' AND next_try IS NULL),
                             count(*) FILTER (WHERE mail_state = 'retry' AND mail_next_try IS NULL),
                             count(*) FILTER (WHERE mail_state IN ('pending', 'retry'))
                        FROM l10n_ec_sri_document WHERE company_id = %s""", [company_id])
        queued, retry_lost, mail_lost, mail_left = cr.fetchone()
        check("nothing stuck: no document left in the queue, none in retry without a next try, no mail in "
              "retry without a next try, none left to mail",
              (queued, retry_lost, mail_lost, mail_left) == (0, 0, 0, 0),
              f"in queue {queued}, retry without next try {retry_lost}, mail retry without next try "
              f"{mail_lost}, mail pending {mail_left}")
        cr.execute("""SELECT count(*) - count(DISTINCT access_key), count(*) - count(DISTINCT name),
                             count(*) FILTER (WHERE access_key IS NULL OR name IS NULL)
                        FROM l10n_ec_sri_document WHERE company_id = %s""", [company_id])
        dup_keys, dup_names, missing = cr.fetchone()
        numbers = sri.execute("SELECT count(*) - count(DISTINCT estab || pto_emi || secuencial) FROM comprobante")
        dup_sri = numbers.fetchone()[0]
        check("no duplicate access key or number (Odoo and SRI)", (dup_keys, dup_names, missing, dup_sri) == (0, 0, 0, 0),
              f"duplicate keys {dup_keys}, numbers {dup_names}, missing {missing}, SRI numbers {dup_sri}")
        cr.execute("SELECT count(*) FROM account_move WHERE id IN %s AND state = 'posted'", [tuple(move_ids)])
        check("every invoice still posted", cr.fetchone()[0] == n)


def _failed_exchanges(cr, company_id):
    """Exchange rows that recorded a failed call (HTTP 5xx, or a network error such as a dropped connection)."""
    cr.execute("""SELECT count(*) FROM l10n_ec_sri_exchange e JOIN l10n_ec_sri_document d ON d.id = e.document_id
                   WHERE d.company_id = %s AND e.outcome IS NOT NULL
                     AND (e.http_status >= 500 OR (e.error IS NOT NULL AND e.error NOT LIKE %s))""",
               [company_id, IN_PROGRESS + "%"])
    return cr.fetchone()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--db", required=True)
    r.add_argument("--tmp", required=True)
    r.add_argument("--n", type=int, default=int(os.environ.get("FAULTS_N", 60)))
    r.add_argument("--customers", type=int, default=int(os.environ.get("FAULTS_CUSTOMERS", 6)))
    r.add_argument("--deadline", type=int, default=int(os.environ.get("FAULTS_DEADLINE", 300)),
                   help="seconds the workers have to empty the queue")
    w = sub.add_parser("worker")
    for name in ("--db", "--name", "--status", "--go", "--data-dir"):
        w.add_argument(name, required=True)
    w.add_argument("--company", type=int, required=True)
    w.add_argument("--deadline", type=float, required=True, help="epoch seconds")
    args = parser.parse_args()
    if args.command == "worker":
        worker(args)
        return 0
    args.data_dir = os.path.join(args.tmp, "data")
    try:
        run(args)
    except Exception:  # noqa: BLE001 - a crash of the driver is a failure, reported as such
        traceback.print_exc()
        check("the fault suite ran to its end", False)
    print(f"faults: {checks['passed']} passed, {checks['failed']} failed", flush=True)
    return 0 if checks["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
