# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Driver of scripts/test_upgrade.sh, run inside ``odoo shell`` (stdin), twice:

- ``UPGRADE_PHASE=old`` with the code of the last release without the engine (18.0.1.0.0): issues
  documents through the old flow against its simulator (authorized with RIDE and mail, a nota de
  crédito, two left in retry, not authorized, returned, annulled, a returned one reset to draft, drafts)
  and writes a JSON snapshot of every move with SRI data;
- ``UPGRADE_PHASE=new`` after ``-u l10n_ec_sri`` with the current code: takes the same snapshot through
  the documents (``move.l10n_ec_sri_document_id``), compares, checks the schema, runs the migration a
  second time (nothing more may happen), then runs the new queue and checks the documents left in
  retry end authorized without a second send of a key the SRI already received.

Environment: UPGRADE_PHASE, UPGRADE_SNAPSHOT (JSON file), UPGRADE_SIM_DB (the simulator's SQLite
file, shared by both phases: the SRI remembers what it received), UPGRADE_RESULT (JSON file of the
checks, read by the shell script), UPGRADE_MIGRATION (path of post-migrate.py, new phase).
"""
import hashlib
import json
import os
import sys
import traceback

from odoo import Command, fields  # noqa: F401 - odoo shell globals: env

PHASE = os.environ["UPGRADE_PHASE"]
SNAPSHOT = os.environ["UPGRADE_SNAPSHOT"]
SIM_DB = os.environ["UPGRADE_SIM_DB"]
RESULT = os.environ["UPGRADE_RESULT"]
DEMO_COMPANY = "l10n_ec_sri.demo_company_andes"
OLD_COLUMNS = (
    "l10n_ec_sri_access_key", "l10n_ec_sri_state", "l10n_ec_sri_next_try", "l10n_ec_sri_attempts",
    "l10n_ec_sri_sent", "l10n_ec_sri_authorization_number", "l10n_ec_sri_authorization_date",
    "l10n_ec_sri_environment_name", "l10n_ec_sri_xml_id", "l10n_ec_sri_authorized_xml_id",
    "l10n_ec_sri_ride_id", "l10n_ec_sri_last_error", "l10n_ec_sri_annul_reason",
)
checks = {"passed": 0, "failed": 0}


def check(label, ok, detail=""):
    ok = bool(ok)
    checks["passed" if ok else "failed"] += 1
    print(f"  [{'ok' if ok else 'FAIL'}] {label}" + ("" if ok or not detail else f": {detail}"), flush=True)
    return ok


def sha1(attachment):
    attachment = attachment.sudo()
    return hashlib.sha1(attachment.raw).hexdigest() if attachment else None


def dt(value):
    return fields.Datetime.to_string(value) if value else None


def mailed_in_chatter(env, move_id, xml_id):
    """Whether a message of the move carries the authorized XML (how the old code knew it mailed)."""
    if not xml_id:
        return False
    env.flush_all()
    env.cr.execute("""
        SELECT 1 FROM mail_message m JOIN message_attachment_rel r ON r.message_id = m.id
         WHERE m.model = 'account.move' AND m.res_id = %s AND r.attachment_id = %s
    """, [move_id, xml_id])
    return bool(env.cr.fetchone())


def exchange_rows(exchanges):
    return [{"id": e.id, "kind": e.kind, "outcome": e.outcome or None, "access_key": e.access_key or None,
             "state": e.state or None} for e in exchanges.sorted("id")]


def save(data):
    with open(RESULT, "w") as fh:
        json.dump({**checks, **data}, fh)


# ----------------------------------------------------------------------------------- old code
def old_phase(env):
    from odoo.addons.l10n_ec_sri.sri.simulator import Simulator

    company = env.ref(DEMO_COMPANY)
    Demo = env["l10n_ec_sri.demo"]
    Move = env["account.move"].with_company(company).with_context(
        allowed_company_ids=company.ids, default_move_type="out_invoice")
    params = env["ir.config_parameter"].sudo()
    # wkhtmltopdf must not wait for report assets from an Odoo HTTP server that does not run here
    params.set_param("report.url", "http://127.0.0.1:9")
    params.set_param("l10n_ec_sri.connect_timeout", 2)
    params.set_param("l10n_ec_sri.read_timeout", 10)
    sim = Simulator(port=0, db_path=SIM_DB).start()
    prod = Simulator(port=0, db_path=SIM_DB + ".prod", environment="2").start()  # ambiente 2: DEVUELTA
    roles = {}
    try:
        company.write({"l10n_ec_sri_endpoint": "custom", "l10n_ec_sri_endpoint_url": sim.url,
                       "l10n_ec_sri_send_mail": True, "l10n_ec_sri_auto_send": True})
        env.cr.commit()
        ref = env.ref
        customer = ref("l10n_ec_sri.demo_partner_comercial_pichincha")
        person = ref("l10n_ec_sri.demo_partner_maria_andrade")
        support = ref("l10n_ec_sri.demo_product_support")
        book = ref("l10n_ec_sri.demo_product_book")

        def queue():
            env["account.move"]._l10n_ec_sri_process_queue(limit=50)
            env.invalidate_all()

        def invoice(partner, lines):
            move = Move.create(Demo._l10n_ec_sri_invoice_values(company, partner, lines))
            move.action_post()
            env.cr.commit()
            return move

        # the demo's posted invoices: authorized, RIDE, mail
        for i in range(1, 8):
            roles[ref(f"l10n_ec_sri.demo_invoice_{i}").id] = f"demo_invoice_{i}"
        queue()
        # a nota de crédito of the first one
        origin = ref("l10n_ec_sri.demo_invoice_1")
        wizard = env["account.move.reversal"].with_company(company).with_context(
            active_model="account.move", active_ids=origin.ids, allowed_company_ids=company.ids,
        ).create({"reason": "Devolución de mercadería", "journal_id": origin.journal_id.id})
        refund = env["account.move"].browse(wizard.refund_moves()["res_id"])
        refund.invoice_date = origin.invoice_date
        refund.action_post()
        env.cr.commit()
        roles[refund.id] = "credit_note"
        queue()
        # error 70: the SRI stored the document but answered "en procesamiento" -> retry, sent
        move = invoice(customer, [(support, 2, 35.0)])
        roles[move.id] = "retry_70"
        sim.set_knobs(error_70=1)
        queue()
        sim.set_knobs(reset=True)
        # HTTP 500: the SRI has nothing -> retry, sent (may have reached it)
        move = invoice(person, [(book, 1, 18.5)])
        roles[move.id] = "retry_500"
        sim.set_knobs(http_500=1)
        queue()
        sim.set_knobs(reset=True)
        # NO AUTORIZADO (a rule of the simulator)
        move = invoice(customer, [(support, 1, 35.0)])
        roles[move.id] = "not_authorized"
        sim.set_knobs(reject_rule="total>0|Rechazado por la prueba de actualización")
        queue()
        sim.set_knobs(reset=True)
        # DEVUELTA (wrong ambiente): one stays returned, one is reset to draft (keeps its key, no state)
        company.l10n_ec_sri_endpoint_url = prod.url
        env.cr.commit()
        returned = invoice(person, [(book, 2, 18.5)])
        roles[returned.id] = "returned"
        reset = invoice(customer, [(support, 3, 35.0)])
        roles[reset.id] = "returned_reset_to_draft"
        queue()
        reset.button_draft()
        company.l10n_ec_sri_endpoint_url = sim.url
        env.cr.commit()
        # annulled on the portal, recorded by an SRI administrator
        annulled = ref("l10n_ec_sri.demo_invoice_2")
        annulled.with_user(ref("base.user_admin")).with_company(company)._l10n_ec_sri_annul(
            "Anulada en el portal del SRI (prueba de actualización)")
        roles[annulled.id] = "annulled"
        env.cr.commit()
    finally:
        sim.stop()
        prod.stop()
    env.invalidate_all()

    expected = {
        "demo_invoice_1": "authorized", "demo_invoice_2": "annulled", "demo_invoice_3": "authorized",
        "demo_invoice_4": "authorized", "demo_invoice_5": "authorized", "demo_invoice_6": None,
        "demo_invoice_7": None, "credit_note": "authorized", "retry_70": "retry", "retry_500": "retry",
        "not_authorized": "not_authorized", "returned": "returned", "returned_reset_to_draft": None,
        "annulled": "annulled",
    }
    print("old code (18.0.1.0.0): documents issued", flush=True)
    moves = env["account.move"].browse(list(roles))
    for move in moves:
        role = roles[move.id]
        check(f"old: {role} is {expected[role] or 'without SRI state'}",
              (move.l10n_ec_sri_state or None) == expected[role], move.l10n_ec_sri_state)
    by_role = {roles[m.id]: m for m in moves}
    check("old: retry_70 and retry_500 are marked sent",
          by_role["retry_70"].l10n_ec_sri_sent and by_role["retry_500"].l10n_ec_sri_sent)
    check("old: returned_reset_to_draft keeps its access key", by_role["returned_reset_to_draft"].l10n_ec_sri_access_key)
    authorized = moves.filtered(lambda m: m.l10n_ec_sri_state in ("authorized", "annulled"))
    check("old: every authorized document has its RIDE and authorized XML",
          authorized and all(m.l10n_ec_sri_ride_id and m.l10n_ec_sri_authorized_xml_id for m in authorized))
    check("old: authorized documents were mailed",
          sum(mailed_in_chatter(env, m.id, m.l10n_ec_sri_authorized_xml_id.id) for m in authorized) >= 3)

    sri_moves = env["account.move"].search(
        ["|", ("l10n_ec_sri_state", "!=", False), ("l10n_ec_sri_access_key", "!=", False)], order="id")
    snapshot = {"roles": {str(k): v for k, v in roles.items()}, "moves": {}}
    for move in sri_moves:
        snapshot["moves"][str(move.id)] = {
            "role": roles.get(move.id),
            "name": move.l10n_latam_document_number or move.name,
            "move_type": move.move_type,
            "company_id": move.company_id.id,
            "partner_id": move.partner_id.id,
            "access_key": move.l10n_ec_sri_access_key or None,
            "state": move.l10n_ec_sri_state or None,
            "authorization_number": move.l10n_ec_sri_authorization_number or None,
            "authorization_date": dt(move.l10n_ec_sri_authorization_date),
            "environment_name": move.l10n_ec_sri_environment_name or None,
            "sent": bool(move.l10n_ec_sri_sent),
            "attempts": move.l10n_ec_sri_attempts or 0,
            "next_try": dt(move.l10n_ec_sri_next_try),
            "last_error": move.l10n_ec_sri_last_error or None,
            "annul_reason": move.l10n_ec_sri_annul_reason or None,
            "xml_id": move.l10n_ec_sri_xml_id.id or None,
            "authorized_xml_id": move.l10n_ec_sri_authorized_xml_id.id or None,
            "ride_id": move.l10n_ec_sri_ride_id.id or None,
            "xml_sha1": sha1(move.l10n_ec_sri_xml_id),
            "authorized_xml_sha1": sha1(move.l10n_ec_sri_authorized_xml_id),
            "ride_sha1": sha1(move.l10n_ec_sri_ride_id),
            "mailed": mailed_in_chatter(env, move.id, move.l10n_ec_sri_authorized_xml_id.id),
            "exchanges": exchange_rows(move.l10n_ec_sri_exchange_ids),
        }
    env.cr.execute("SELECT count(*) FROM l10n_ec_sri_exchange")
    snapshot["exchange_count"] = env.cr.fetchone()[0]
    with open(SNAPSHOT, "w") as fh:
        json.dump(snapshot, fh, indent=1, sort_keys=True)
    check(f"old: snapshot of {len(sri_moves)} moves with SRI data, {snapshot['exchange_count']} exchanges",
          len(sri_moves) >= 11 and snapshot["exchange_count"] > 0)
    env.cr.commit()


# ----------------------------------------------------------------------------------- new code
def new_snapshot(env, move):
    doc = move.l10n_ec_sri_document_id.sudo()
    return {
        "role": None,
        "name": doc.name or None,
        "move_type": move.move_type,
        "company_id": doc.company_id.id,
        "partner_id": doc.partner_id.id,
        "access_key": doc.access_key or None,
        "state": doc.state or None,
        "authorization_number": doc.authorization_number or None,
        "authorization_date": dt(doc.authorization_date),
        "environment_name": doc.environment_name or None,
        "sent": bool(doc.sent),
        "attempts": doc.attempts or 0,
        "next_try": dt(doc.next_try),
        "last_error": doc.last_error or None,
        "annul_reason": doc.annul_reason or None,
        "xml_id": doc.xml_id.id or None,
        "authorized_xml_id": doc.authorized_xml_id.id or None,
        "ride_id": doc.ride_id.id or None,
        "xml_sha1": sha1(doc.xml_id),
        "authorized_xml_sha1": sha1(doc.authorized_xml_id),
        "ride_sha1": sha1(doc.ride_id),
        "mailed": bool(doc.mailed),
        "exchanges": exchange_rows(doc.exchange_ids),
    }


def run_migration_again(env):
    """The migration a second time, in a savepoint rolled back: it must change nothing."""
    import importlib.util
    import logging

    spec = importlib.util.spec_from_file_location("l10n_ec_sri_post_migrate", os.environ["UPGRADE_MIGRATION"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def state():
        env.cr.execute("""SELECT (SELECT count(*) FROM l10n_ec_sri_document),
                                 (SELECT md5(string_agg(d::text, ',' ORDER BY d.id)) FROM l10n_ec_sri_document d),
                                 (SELECT md5(string_agg(concat(id, ':', document_id), ',' ORDER BY id))
                                    FROM l10n_ec_sri_exchange),
                                 (SELECT md5(string_agg(concat(id, ':', l10n_ec_sri_document_id), ',' ORDER BY id))
                                    FROM account_move)""")
        return env.cr.fetchone()

    env.flush_all()
    before = state()
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    module._logger.addHandler(handler)
    try:
        with env.cr.savepoint(flush=False) as savepoint:
            module.migrate(env.cr, "18.0.1.0.0")
            after = state()
            savepoint.rollback()
    finally:
        module._logger.removeHandler(handler)
    check("new: the migration run a second time changes nothing", before == after, f"{before} != {after}")
    message = records[-1].getMessage() if records else ""
    check("new: ... and logs 0 documents migrated", " 0 SRI documents migrated" in message, message)


def new_phase(env):
    from odoo.addons.l10n_ec_sri.sri.simulator import Simulator

    with open(SNAPSHOT) as fh:
        snapshot = json.load(fh)
    old_moves = snapshot["moves"]
    roles = {int(k): v for k, v in snapshot["roles"].items()}
    by_role = {v: k for k, v in roles.items()}
    Document = env["l10n_ec_sri.document"].sudo()
    print("current code (after -u l10n_ec_sri): migrated data", flush=True)
    version = env["ir.module.module"].search([("name", "=", "l10n_ec_sri")]).latest_version
    check("new: module l10n_ec_sri at 18.0.2.0.0", version == "18.0.2.0.0", version)

    moves = env["account.move"].browse([int(k) for k in old_moves]).exists()
    check(f"new: the {len(old_moves)} moves with SRI data still exist", len(moves) == len(old_moves))
    documents = Document.search([("res_model", "=", "account.move")])
    check(f"new: one document per move with SRI data ({len(documents)} == {len(old_moves)})",
          len(documents) == len(old_moves))
    check("new: every move with SRI data is linked to its own document",
          all(m.l10n_ec_sri_document_id and m.l10n_ec_sri_document_id.res_id == m.id
              and m.l10n_ec_sri_document_id.res_model == "account.move" for m in moves))
    check("new: no other move has a document",
          not env["account.move"].search_count([("l10n_ec_sri_document_id", "!=", False), ("id", "not in", moves.ids)]))
    kinds = {"out_invoice": "factura", "out_refund": "nota_credito"}
    differences = []
    for move in moves:
        old, new = old_moves[str(move.id)], new_snapshot(env, move)
        label = old["role"] or move.name
        for key, value in old.items():
            if key == "role":
                continue
            if new[key] != value:
                differences.append(f"{label}.{key}: {value!r} -> {new[key]!r}")
        doc = move.l10n_ec_sri_document_id
        if doc.kind != kinds.get(move.move_type):
            differences.append(f"{label}.kind: {doc.kind}")
        if (move.l10n_ec_sri_state or None) != old["state"] or (move.l10n_ec_sri_access_key or None) != old["access_key"]:
            differences.append(f"{label}: the move's stored state/key changed")
        key = old["access_key"] or ""
        if doc.environment != (key[23] if len(key) == 49 else move.company_id.l10n_ec_sri_environment):
            differences.append(f"{label}.environment: {doc.environment}")
        if old["state"] and not doc.name:
            differences.append(f"{label}: no document number")
    check("new: every key, state, authorization, sent, attempts, next try, message, attachment (same ids, "
          "same sha1), mailed and exchange is identical through the document", not differences,
          "; ".join(differences[:15]))
    check("new: the authorized documents are 'mailed'",
          sum(1 for m in old_moves.values() if m["mailed"]) >= 3
          and all(m.l10n_ec_sri_document_id.mailed == old_moves[str(m.id)]["mailed"] for m in moves))
    env.cr.execute("SELECT count(*), count(document_id) FROM l10n_ec_sri_exchange")
    total, linked = env.cr.fetchone()
    check(f"new: all {snapshot['exchange_count']} exchanges kept and linked to a document ({linked}/{total})",
          total == linked == snapshot["exchange_count"])
    env.cr.execute("""SELECT count(*) FROM l10n_ec_sri_exchange e JOIN l10n_ec_sri_document d ON d.id = e.document_id
                       WHERE d.res_id IS DISTINCT FROM e.move_id""")
    check("new: each exchange's document is the one of its old move (move_id kept)", env.cr.fetchone()[0] == 0)
    env.cr.execute("""SELECT count(*) FROM information_schema.columns
                       WHERE table_name = 'account_move' AND column_name IN %s""", [OLD_COLUMNS])
    check("new: the old account_move columns are kept", env.cr.fetchone()[0] == len(OLD_COLUMNS))
    env.cr.execute("""SELECT count(*) FROM account_move m JOIN l10n_ec_sri_document d ON d.id = m.l10n_ec_sri_document_id
                       WHERE m.l10n_ec_sri_xml_id IS DISTINCT FROM d.xml_id
                          OR m.l10n_ec_sri_authorization_number IS DISTINCT FROM d.authorization_number""")
    check("new: ... with their values", env.cr.fetchone()[0] == 0)
    env.cr.execute("SELECT 1 FROM pg_constraint WHERE conname = 'account_move_l10n_ec_sri_access_key_unique'")
    check("new: old unique constraint on account_move dropped", not env.cr.fetchone())
    env.cr.execute("SELECT 1 FROM pg_class WHERE relname = 'account_move_l10n_ec_sri_ride_missing_idx'")
    check("new: old partial index on account_move dropped", not env.cr.fetchone())
    env.cr.execute("SELECT 1 FROM pg_constraint WHERE conname = 'l10n_ec_sri_document_access_key_unique'")
    check("new: access keys unique among documents (constraint present)", env.cr.fetchone())
    run_migration_again(env)

    print("current code: the new queue on the migrated documents", flush=True)
    retry_docs = Document.search([("state", "=", "retry")])
    retry_ids = {roles.get(d.res_id): d for d in retry_docs}
    check("new: the two documents left in retry are the queue's", set(retry_ids) == {"retry_70", "retry_500"},
          sorted(map(str, retry_ids)))
    env.cr.execute("UPDATE l10n_ec_sri_document SET next_try = (now() AT TIME ZONE 'UTC') - interval '1 minute' "
                   "WHERE id IN %s", [tuple(retry_docs.ids) or (0,)])
    before = {d.id: d.exchange_ids.ids for d in Document.search([])}
    sim = Simulator(port=0, db_path=SIM_DB).start()
    try:
        company = env.ref(DEMO_COMPANY)
        company.write({"l10n_ec_sri_endpoint": "custom", "l10n_ec_sri_endpoint_url": sim.url})
        env.cr.commit()
        processed = Document._process_queue(limit=50)
        env.invalidate_all()
    finally:
        sim.stop()
    check("new: the queue processed exactly the two retry documents", set(processed.ids) == set(retry_docs.ids),
          f"{processed.ids} vs {retry_docs.ids}")
    for role in ("retry_70", "retry_500"):
        doc = retry_ids.get(role) or Document
        doc = Document.browse(doc.id)
        new_calls = doc.exchange_ids.filtered(lambda e: e.id not in before.get(doc.id, [])).sorted("id")
        kinds = [e.kind for e in new_calls]
        check(f"new: {role} ends authorized (calls {kinds})", doc.state == "authorized", doc.state)
        check(f"new: {role} has its authorized XML, RIDE, and was mailed",
              doc.authorized_xml_id and doc.ride_id and doc.mailed)
        if role == "retry_70":  # the SRI had it (stored with the 70): authorization only, no send
            check("new: retry_70 (already received by the SRI) is not sent again", kinds == ["authorize"], kinds)
        else:  # the SRI never got it: queried first (unknown), then sent once
            check("new: retry_500 (unknown to the SRI) is queried first, then sent once",
                  kinds == ["authorize", "send", "authorize"], kinds)
    env.cr.execute("""SELECT access_key, count(*) FROM l10n_ec_sri_exchange
                       WHERE kind = 'send' AND outcome IN ('received', 'already_received')
                    GROUP BY access_key HAVING count(*) > 1""")
    twice = env.cr.fetchall()
    check("new: no access key was received twice by the SRI", not twice, twice)
    others = Document.search([("id", "not in", retry_docs.ids)])
    check("new: no other document got a new exchange",
          all(d.exchange_ids.ids == before.get(d.id, []) or sorted(d.exchange_ids.ids) == sorted(before.get(d.id, []))
              for d in others))


def main(env):
    try:
        if PHASE == "old":
            old_phase(env)
        else:
            new_phase(env)
    except Exception:  # noqa: BLE001 - reported as a failed check, the script goes on to its summary
        traceback.print_exc()
        check(f"{PHASE}: the phase ran to the end", False)
        env.cr.rollback()
    save({})


main(env)  # noqa: F821 - the odoo shell's environment
sys.stdout.flush()
