# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""18.0.1.0.0 -> 18.0.2.0.0: the SRI data moves from account.move to the engine's documents.

Before, each invoice / credit / debit note kept its SRI data in ``account_move.l10n_ec_sri_*``
columns and the exchange log pointed at the move (``move_id``). Now one ``l10n_ec_sri_document`` row
holds it, the move points at it (``l10n_ec_sri_document_id``) and so does each exchange
(``document_id``). This script (SQL only: the ORM refuses any write of SRI data outside the flow):

- creates one document per move that has an SRI state or an access key, with every value as it was;
- links the move and its exchanges to it; ``mailed`` is True (``mail_state`` sent) when a message of the
  move carries the authorized XML, else an authorized document's mail is pending (the queue retries it);
- drops the old unique constraint and the old partial index of account_move;
- keeps every old column and its values (account_move.l10n_ec_sri_* and the exchanges' move_id,
  which is detached from the ORM so that Odoo does not drop it at the end of the update, and loses
  its ON DELETE CASCADE: the exchange log is append-only).

Idempotent: a move that already has its document is skipped, every other step checks first.
"""
import logging

_logger = logging.getLogger(__name__)

OLD_CONSTRAINT = "account_move_l10n_ec_sri_access_key_unique"
OLD_INDEX = "account_move_l10n_ec_sri_ride_missing_idx"


def _column_exists(cr, table, column):
    cr.execute("""
        SELECT 1 FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = %s AND column_name = %s
    """, [table, column])
    return bool(cr.fetchone())


def _drop_old_constraint(cr):
    cr.execute(f'ALTER TABLE account_move DROP CONSTRAINT IF EXISTS "{OLD_CONSTRAINT}"')
    cr.execute("DELETE FROM ir_model_data WHERE module = 'l10n_ec_sri' AND model = 'ir.model.constraint' "
               "AND name = %s", [f"constraint_{OLD_CONSTRAINT}"])
    cr.execute("DELETE FROM ir_model_constraint WHERE name = %s", [OLD_CONSTRAINT])
    cr.execute(f'DROP INDEX IF EXISTS "{OLD_INDEX}"')


def _detach_exchange_move_id(cr):
    """Keep ``l10n_ec_sri_exchange.move_id`` (a field the new code no longer has): Odoo would drop the
    column with its ir.model.fields record at the end of the update. Its foreign key goes too: deleting
    a move must never delete exchanges (they now belong to the document, ON DELETE RESTRICT)."""
    if not _column_exists(cr, "l10n_ec_sri_exchange", "move_id"):
        return
    cr.execute("""
        SELECT c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
          JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(c.conkey)
         WHERE t.relname = 'l10n_ec_sri_exchange' AND c.contype = 'f' AND a.attname = 'move_id'
    """)
    for (conname,) in cr.fetchall():
        cr.execute(f'ALTER TABLE l10n_ec_sri_exchange DROP CONSTRAINT "{conname}"')
        cr.execute("DELETE FROM ir_model_constraint WHERE name = %s AND type = 'f'", [conname])
    cr.execute("""
        SELECT id FROM ir_model_fields WHERE model = 'l10n_ec_sri.exchange' AND name = 'move_id'
    """)
    field_ids = [row[0] for row in cr.fetchall()]
    if field_ids:
        # (a one2many still naming it as inverse, none expected, must not go with it: ON DELETE CASCADE)
        cr.execute("UPDATE ir_model_fields SET relation_field_id = NULL WHERE relation_field_id IN %s",
                   [tuple(field_ids)])
        cr.execute("DELETE FROM ir_model_data WHERE model = 'ir.model.fields' AND res_id IN %s",
                   [tuple(field_ids)])
        cr.execute("DELETE FROM ir_model_fields WHERE id IN %s", [tuple(field_ids)])
    cr.execute("COMMENT ON COLUMN l10n_ec_sri_exchange.move_id IS "
               "'l10n_ec_sri 18.0.1: account.move of the exchange (kept by the 18.0.2.0.0 migration, "
               "see document_id)'")


def _create_documents(cr):
    debit_origin = "m.debit_origin_id IS NOT NULL" if _column_exists(cr, "account_move", "debit_origin_id") \
        else "FALSE"
    # Access keys are unique among documents (they were unique per company among moves): a key found
    # on several moves goes to the first one only (registered states first); the others are logged.
    cr.execute("""
        SELECT l10n_ec_sri_access_key, array_agg(id ORDER BY id)
          FROM account_move
         WHERE l10n_ec_sri_access_key IS NOT NULL AND l10n_ec_sri_document_id IS NULL
      GROUP BY l10n_ec_sri_access_key HAVING count(*) > 1
    """)
    for key, move_ids in cr.fetchall():
        _logger.warning("l10n_ec_sri migration: access key %s is on several moves %s: only one document "
                        "gets it (the moves keep it in account_move.l10n_ec_sri_access_key)", key, move_ids)
    cr.execute(f"""
        WITH src AS (
            SELECT m.*,
                   row_number() OVER (
                       PARTITION BY m.l10n_ec_sri_access_key
                       ORDER BY (m.l10n_ec_sri_state IN ('received', 'authorized', 'not_authorized', 'annulled'))
                                IS TRUE DESC,
                                m.l10n_ec_sri_sent IS TRUE DESC, m.id
                   ) AS key_rank
              FROM account_move m
             WHERE (m.l10n_ec_sri_state IS NOT NULL OR m.l10n_ec_sri_access_key IS NOT NULL)
               AND m.l10n_ec_sri_document_id IS NULL
               AND NOT EXISTS (SELECT 1 FROM l10n_ec_sri_document d
                                WHERE d.res_model = 'account.move' AND d.res_id = m.id)
        )
        INSERT INTO l10n_ec_sri_document (
            name, kind, res_model, res_id, company_id, partner_id, access_key, state, environment,
            next_try, attempts, sent, authorization_number, authorization_date, environment_name,
            xml_id, authorized_xml_id, ride_id, last_error, annul_reason, mailed,
            create_uid, create_date, write_uid, write_date)
        SELECT CASE WHEN m.name IS NULL OR m.name = '/' THEN NULL
                    WHEN COALESCE(dt.doc_code_prefix, '') != '' AND position(' ' IN m.name) > 0
                         THEN substr(m.name, position(' ' IN m.name) + 1)
                    ELSE m.name END,
               CASE WHEN m.move_type = 'out_refund' THEN 'nota_credito'
                    WHEN dt.code = '05' OR {debit_origin} THEN 'nota_debito'
                    ELSE 'factura' END,
               'account.move', m.id, m.company_id, m.partner_id,
               CASE WHEN m.key_rank = 1 AND NOT EXISTS (
                   SELECT 1 FROM l10n_ec_sri_document d WHERE d.access_key = m.l10n_ec_sri_access_key)
                    THEN m.l10n_ec_sri_access_key END,
               m.l10n_ec_sri_state,
               CASE WHEN m.l10n_ec_sri_access_key ~ '^[0-9]{{49}}$' THEN substr(m.l10n_ec_sri_access_key, 24, 1)
                    ELSE COALESCE(c.l10n_ec_sri_environment, '1') END,
               m.l10n_ec_sri_next_try, COALESCE(m.l10n_ec_sri_attempts, 0), COALESCE(m.l10n_ec_sri_sent, FALSE),
               m.l10n_ec_sri_authorization_number, m.l10n_ec_sri_authorization_date,
               m.l10n_ec_sri_environment_name,
               m.l10n_ec_sri_xml_id, m.l10n_ec_sri_authorized_xml_id, m.l10n_ec_sri_ride_id,
               m.l10n_ec_sri_last_error, m.l10n_ec_sri_annul_reason,
               m.l10n_ec_sri_authorized_xml_id IS NOT NULL AND EXISTS (
                   SELECT 1 FROM mail_message mm
                     JOIN message_attachment_rel r ON r.message_id = mm.id
                    WHERE mm.model = 'account.move' AND mm.res_id = m.id
                      AND r.attachment_id = m.l10n_ec_sri_authorized_xml_id),
               m.create_uid, m.create_date, m.write_uid, m.write_date
          FROM src m
          JOIN res_company c ON c.id = m.company_id
     LEFT JOIN l10n_latam_document_type dt ON dt.id = m.l10n_latam_document_type_id
      ORDER BY m.id
    """)
    created = cr.rowcount
    # the mail of the authorized ones: sent, or retried by the queue (the old code never retried it)
    cr.execute("""
        UPDATE l10n_ec_sri_document SET mail_state = CASE WHEN mailed THEN 'sent' WHEN state = 'authorized'
                                                          THEN 'pending' END
         WHERE res_model = 'account.move' AND state IN ('authorized', 'annulled') AND mail_state IS NULL
    """)
    cr.execute("""
        UPDATE account_move m SET l10n_ec_sri_document_id = d.id
          FROM l10n_ec_sri_document d
         WHERE d.res_model = 'account.move' AND d.res_id = m.id AND m.l10n_ec_sri_document_id IS NULL
    """)
    linked = cr.rowcount
    exchanges = 0
    if _column_exists(cr, "l10n_ec_sri_exchange", "move_id"):
        cr.execute("""
            UPDATE l10n_ec_sri_exchange e SET document_id = d.id
              FROM l10n_ec_sri_document d
             WHERE d.res_model = 'account.move' AND d.res_id = e.move_id AND e.document_id IS NULL
        """)
        exchanges = cr.rowcount
    return created, linked, exchanges


def migrate(cr, version):
    if not version:
        return
    created, linked, exchanges = _create_documents(cr)
    _drop_old_constraint(cr)
    _detach_exchange_move_id(cr)
    cr.execute("SELECT count(*) FROM l10n_ec_sri_document WHERE res_model = 'account.move'")
    total = cr.fetchone()[0]
    _logger.info("l10n_ec_sri migration %s -> 18.0.2.0.0: %s SRI documents migrated from account_move "
                 "(%s moves and %s exchanges linked; %s documents of moves in all)",
                 version, created, linked, exchanges, total)
