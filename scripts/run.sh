#!/usr/bin/env bash
# Starts the built-in SRI simulator and Odoo 18 on http://127.0.0.1:8069 with the database
# sri_demo (created once, with demo data: an Ecuadorian company, test certificate, invoices).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
DATA="${SRI_DATA:-$HOME/.local/share/l10n_ec_sri}"
DB="${SRI_DB:-sri_demo}"
HTTP_PORT="${SRI_HTTP_PORT:-8069}"
SIM_PORT="${SRI_SIMULATOR_PORT:-8099}"
# The simulator remembers every key and sequential it received, like SRI: one state file per database.
SIM_DB="$DATA/simulator-$DB.sqlite3"
mkdir -p "$DATA"
# A demo CA (created once): it issues the demo company's certificate and the simulator trusts it only.
DEMO_CA_PEM="$(cd "$ROOT/l10n_ec_sri" && "$PY" -m sri demo-ca --dir "$DATA/demo-ca")"
export L10N_EC_SRI_DEMO_CA="$DATA/demo-ca"

common=(--addons-path="$ADDONS_PATH" --data-dir="$DATA/odoo" -d "$DB" --db-filter="^$DB\$")
if ! psql -lqt | cut -d'|' -f1 | grep -qw "$DB"; then
  echo "[run] creating database $DB with demo data (about a minute, once)"
  rm -f "$SIM_DB" "$SIM_DB-wal" "$SIM_DB-shm"
  "${ODOO[@]}" "${common[@]}" -i "$SRI_MODULES" --load-language=es_EC --stop-after-init \
    --http-port "$HTTP_PORT" --log-level=warn
  # Ecuadorian users work in Spanish: the demo users get es_EC.
  psql -q -d "$DB" -c "UPDATE res_partner SET lang = 'es_EC' WHERE id IN
    (SELECT partner_id FROM res_users WHERE login IN ('admin', 'demo'))"
fi

if ! (exec 3<>"/dev/tcp/127.0.0.1/$SIM_PORT") 2>/dev/null; then
  echo "[run] starting the SRI simulator on http://127.0.0.1:$SIM_PORT (state in $SIM_DB)"
  (cd "$ROOT/l10n_ec_sri" && exec "$PY" -m sri simulator --host 127.0.0.1 --port "$SIM_PORT" \
     --db "$SIM_DB" --trust-ca "$DEMO_CA_PEM") >"$DATA/simulator.log" 2>&1 &
  sim_pid=$!
  trap 'kill $sim_pid 2>/dev/null || true' EXIT
else
  echo "[run] an SRI simulator already answers on port $SIM_PORT: using it"
fi
echo "[run] Odoo: http://127.0.0.1:$HTTP_PORT  login: admin  password: admin  (database $DB)"
echo "[run] SRI simulator: http://127.0.0.1:$SIM_PORT/comprobantes-electronicos-ws/RecepcionComprobantesOffline?wsdl"
"${ODOO[@]}" "${common[@]}" --http-interface 127.0.0.1 --http-port "$HTTP_PORT" --max-cron-threads 1
