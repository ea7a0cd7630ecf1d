#!/usr/bin/env bash
# Fault suite: the SRI queue under faults (latency, EN PROCESO, error 70, HTTP 500, dropped
# connections) with two queue workers in separate processes, one killed with SIGKILL while sending and
# restarted. In a fresh database (l10n_ec_sri without demo data): FAULTS_N invoices (default 60) must
# each end authorized once, received once by the SRI (the simulator's records are the witness), mailed
# once (Odoo's mail queue is the witness: no SMTP server is ever contacted), with an exchange record for
# every request, nothing stuck, no duplicate key or number. Driver: scripts/fault_check.py.
# FAULTS_DEADLINE: seconds the workers have to empty the queue (default 300).
# Closing line "faults: N passed, M failed"; exits non-zero on any failure. The database, the
# processes started here and the temporary files are removed at the end, also on failure.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

MODULE=l10n_ec_sri
export FAULTS_N="${FAULTS_N:-60}" FAULTS_DEADLINE="${FAULTS_DEADLINE:-300}"
tmp=$(mktemp -d /tmp/sri_faults.XXXXXX)
db="sri_faults_$(date +%s)_$$"
log="$tmp/install.log"

cleanup() {
  # the simulator and the workers started by the driver (their own process groups), if still alive
  for pid_file in "$tmp"/*.pid; do
    [ -f "$pid_file" ] || continue
    pid=$(cat "$pid_file")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
  done
  dropdb --if-exists "$db" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== fresh database $db: install $MODULE without demo data =="
t0=$(date +%s)
"${ODOO[@]}" --addons-path="$ADDONS_PATH" -d "$db" --data-dir="$tmp/data" --db-filter="^$db\$" -i "$MODULE" \
  --without-demo=all --stop-after-init --http-interface 127.0.0.1 --http-port "$(free_port)" \
  --max-cron-threads=0 --log-level=warn >"$log" 2>&1
rc=$?
if [ "$rc" != 0 ] || grep -qE "CRITICAL|Traceback|Failed to initialize" "$log"; then
  grep -E -A 30 "CRITICAL|Traceback" "$log" | head -n 60
  echo "  [FAIL] install of $MODULE (rc=$rc)"
  echo "faults: 0 passed, 1 failed"
  exit 1
fi
echo "  installed in $(( $(date +%s) - t0 )) s; N = $FAULTS_N invoices, queue deadline $FAULTS_DEADLINE s"

"$PY" "$ROOT/scripts/fault_check.py" run --db "$db" --tmp "$tmp" --n "$FAULTS_N" --deadline "$FAULTS_DEADLINE"
rc=$?
if [ "$rc" != 0 ]; then
  for f in "$tmp"/worker_*.log; do
    [ -s "$f" ] || continue
    # exceptions out of _process_queue (the serialization conflicts of two workers mailing the same
    # customer at once are logged as ERROR by Odoo, and handled: the mail is retried)
    if grep -q "Traceback" "$f"; then
      echo "-- $(basename "$f") (tracebacks) --"; grep -A 25 "Traceback" "$f" | head -n 60
    fi
  done
fi
exit "$rc"
