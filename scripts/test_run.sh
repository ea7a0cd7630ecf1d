#!/usr/bin/env bash
# `make run` keeps its SRI simulator when Odoo dies: run.sh is started with a stand-in Odoo that exits at
# once with an error (a crash), on its own data dir, ports and an empty database; the simulator must still
# answer, a second run.sh must reuse it, and scripts/stop.sh must stop it. Prints "run: N passed, M failed".
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
tmp=$(mktemp -d)
db="sri_runtest_$(date +%s)_$$"
export SRI_DATA="$tmp/data" SRI_DB="$db" SRI_HTTP_PORT="$(free_port)" SRI_SIMULATOR_PORT="$(free_port)"
passed=0; failed=0
check() { if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "  [ok] $1"; else failed=$((failed + 1)); echo "  [FAIL] $1"; fi; }
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$SRI_SIMULATOR_PORT") 2>/dev/null; }
cleanup() { bash scripts/stop.sh --all --quiet >/dev/null 2>&1; dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
createdb "$db"
mkdir -p "$tmp/odoo/setup"
printf 'import sys\nsys.exit(3)  # an Odoo that crashes at once\n' > "$tmp/odoo/setup/odoo"

ODOO_SRC="$tmp/odoo" bash scripts/run.sh > "$tmp/run1.log" 2>&1
check "run.sh ends with Odoo's exit code (3)" "$([ $? = 3 ]; echo $?)"
answers; check "the simulator still answers after Odoo died" $?
pid=$(cat "$SRI_DATA/simulator-$SRI_SIMULATOR_PORT.pid" 2>/dev/null)
ODOO_SRC="$tmp/odoo" bash scripts/run.sh > "$tmp/run2.log" 2>&1
grep -q "already answers on port $SRI_SIMULATOR_PORT" "$tmp/run2.log"; check "a second run.sh reuses it" $?
[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; check "the same simulator process (pid $pid)" $?
bash scripts/stop.sh > "$tmp/stop.log" 2>&1
sleep 0.5
! answers; check "scripts/stop.sh stops it" $?
[ "$failed" = 0 ] || { echo "--- run.sh output:"; cat "$tmp/run1.log" "$tmp/run2.log" "$tmp/stop.log"; }
echo "run: $passed passed, $failed failed"
[ "$failed" = 0 ]
