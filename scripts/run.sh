#!/usr/bin/env bash
# Starts the built-in SRI simulator and Odoo 18 on http://127.0.0.1:8069 with the database
# sri_demo (created once, with demo data: an Ecuadorian company, test certificate, invoices).
# The simulator is started detached and outlives Odoo (reused by the next run); `make stop` stops it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
DATA="${SRI_DATA:-$HOME/.local/share/l10n_ec_sri}"
DB="${SRI_DB:-sri_demo}"
HTTP_PORT="${SRI_HTTP_PORT:-8069}"
SIM_PORT="${SRI_SIMULATOR_PORT:-8099}"
# The simulator remembers every key and sequential it received, like SRI: one state file per database.
SIM_DB="$DATA/simulator-$DB.sqlite3"
# The simulator runs detached: its pid file and log, one per port (scripts/stop.sh reads the pid file).
SIM_PID="$DATA/simulator-$SIM_PORT.pid"
SIM_LOG="$DATA/simulator-$SIM_PORT.log"
mkdir -p "$DATA"
# A demo CA (created once): it issues the demo company's certificate and the simulator trusts it only.
DEMO_CA_PEM="$(cd "$ROOT/l10n_ec_sri" && "$PY" -m sri demo-ca --dir "$DATA/demo-ca")"
export L10N_EC_SRI_DEMO_CA="$DATA/demo-ca"

common=(--addons-path="$ADDONS_PATH" --data-dir="$DATA/odoo" -d "$DB" --db-filter="^$DB\$")
# what the modules' code is: a change (a pull, a new version) updates an existing database once
modules_stamp=$(cd "$ROOT" && find $(tr ',' ' ' <<<"$SRI_MODULES") -type f \( -name '*.py' -o -name '*.xml' \
  -o -name '*.csv' -o -name '*.po' -o -name '*.js' \) -not -path '*/tests/*' -print0 | sort -z | xargs -0 sha256sum \
  | sha256sum | cut -c1-16)
if ! psql -lqt | cut -d'|' -f1 | grep -qw "$DB"; then
  echo "[run] creating database $DB with demo data (about a minute, once)"
  # A new database starts with a new simulator state: a simulator left running on that state is stopped.
  SRI_DATA="$DATA" SRI_SIMULATOR_PORT="$SIM_PORT" bash "$ROOT/scripts/stop.sh" --quiet
  rm -f "$SIM_DB" "$SIM_DB-wal" "$SIM_DB-shm"
  "${ODOO[@]}" "${common[@]}" -i "$SRI_MODULES" --load-language=es_EC --stop-after-init \
    --http-port "$HTTP_PORT" --log-level=warn
  # Ecuadorian users work in Spanish: the demo users get es_EC.
  psql -q -d "$DB" -c "UPDATE res_partner SET lang = 'es_EC' WHERE id IN
    (SELECT partner_id FROM res_users WHERE login IN ('admin', 'demo'))"
elif [ "$(psql -tAq -d "$DB" -c "SELECT to_regclass('ir_module_module') IS NOT NULL" 2>/dev/null)" = t ]; then
  # a database made before a module of the repository existed gets it (with its demo data)
  missing=$(for module in $(tr ',' ' ' <<<"$SRI_MODULES"); do
    state=$(psql -tAq -d "$DB" -c "SELECT state FROM ir_module_module WHERE name = '$module'")
    [ "$state" = installed ] || echo "$module"
  done | paste -sd, -)
  if [ -n "$missing" ]; then
    echo "[run] installing $missing in $DB"
    "${ODOO[@]}" "${common[@]}" -i "$missing" --stop-after-init --http-port "$HTTP_PORT" --log-level=warn
  fi
  # a database made with an earlier version of the modules is updated once to this code (new fields, views,
  # dependencies such as OCA auditlog)
  if [ "$(cat "$DATA/modules-$DB.stamp" 2>/dev/null)" != "$modules_stamp" ]; then
    echo "[run] updating the modules of $DB to this code (once per change of the code)"
    "${ODOO[@]}" "${common[@]}" -u "$SRI_MODULES" --stop-after-init --http-port "$HTTP_PORT" --log-level=warn
  fi
fi
echo "$modules_stamp" > "$DATA/modules-$DB.stamp"

sim_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$SIM_PORT") 2>/dev/null; }
if ! sim_answers; then
  echo "[run] starting the SRI simulator on http://127.0.0.1:$SIM_PORT (state in $SIM_DB)"
  # Detached (its own session and process group, no terminal, no EXIT trap): it outlives Odoo, so a
  # crashed or restarted Odoo finds it again. `make stop` (scripts/stop.sh) stops it by its pid file.
  rm -f "$SIM_PID"
  setsid nohup bash -c 'echo $$ >"$1"; cd "$2" && shift 2 && exec "$@"' sri-simulator "$SIM_PID" \
    "$ROOT/l10n_ec_sri" "$PY" -m sri simulator --host 127.0.0.1 --port "$SIM_PORT" \
    --db "$SIM_DB" --trust-ca "$DEMO_CA_PEM" </dev/null >"$SIM_LOG" 2>&1 &
  for _ in $(seq 50); do sim_answers && break; sleep 0.2; done
  if ! sim_answers; then
    echo "[run] the SRI simulator does not answer on port $SIM_PORT; its log ($SIM_LOG):" >&2
    tail -n 20 "$SIM_LOG" >&2
    exit 1
  fi
  echo "[run] SRI simulator running detached (pid $(cat "$SIM_PID" 2>/dev/null), log $SIM_LOG); stop it with: make stop"
else
  echo "[run] an SRI simulator already answers on port $SIM_PORT: using it (make stop stops it)"
fi
echo "[run] Odoo: http://127.0.0.1:$HTTP_PORT  login: admin  password: admin  (database $DB)"
echo "[run] SRI simulator: http://127.0.0.1:$SIM_PORT/comprobantes-electronicos-ws/RecepcionComprobantesOffline?wsdl"
"${ODOO[@]}" "${common[@]}" --http-interface 127.0.0.1 --http-port "$HTTP_PORT" --max-cron-threads 1
