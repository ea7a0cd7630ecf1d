#!/usr/bin/env bash
# Upgrade test: a database made and used by the last release without the SRI document engine is
# upgraded with the current code (-u l10n_ec_sri), and every SRI document must come through intact
# (keys, states, attachments, exchanges) and keep working in the new queue. Driver:
# scripts/upgrade_check.py (run twice with `odoo shell`). Closing line "upgrade: N passed, M failed";
# exits non-zero on any failure. The temporary database, worktree and files are removed at the end.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

# 18.0.1.0.0, the last release without the engine (SRI data on account.move columns): the base of
# the 18.0.2.0.0 migration. A full hash: it must resolve in any clone of the repository.
OLD_COMMIT=e471f09791ed864cfa743808abdf5f86f964ac2e
MODULE=l10n_ec_sri

tmp=$(mktemp -d /tmp/sri_upgrade.XXXXXX)
old_tree="$tmp/old"
db="sri_upgrade_$(date +%s)_$$"
log="$tmp/odoo.log"
passed=0; failed=0

cleanup() {
  dropdb --if-exists "$db" >/dev/null 2>&1 || true
  if [ -d "$old_tree" ]; then
    git -C "$ROOT" worktree remove --force "$old_tree" >/dev/null 2>&1 || true
  fi
  git -C "$ROOT" worktree prune >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { echo "== $* =="; }
fail() { echo "  [FAIL] $*"; failed=$((failed + 1)); }
ok() { echo "  [ok] $*"; passed=$((passed + 1)); }
summary() {
  echo "upgrade: $passed passed, $failed failed"
  [ "$failed" = 0 ]
  exit $?
}
# Adds the counts of a phase's result file (written by upgrade_check.py).
add_result() {
  local file=$1 p f
  if [ ! -s "$file" ]; then fail "$2: no result (the shell crashed; see above)"; return; fi
  read -r p f < <("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["passed"], d["failed"])' "$file")
  passed=$((passed + p)); failed=$((failed + f))
}

step "old code: $MODULE at ${OLD_COMMIT:0:7} (git worktree $old_tree)"
if ! git -C "$ROOT" cat-file -e "$OLD_COMMIT^{commit}" 2>/dev/null; then
  fail "commit $OLD_COMMIT is not in this clone (a shallow clone? git fetch --unshallow)"; summary
fi
git -C "$ROOT" worktree add --detach --force "$old_tree" "$OLD_COMMIT" >/dev/null 2>&1 \
  || { fail "git worktree add $OLD_COMMIT"; summary; }
old_version=$(grep -oE '"version": *"[^"]+"' "$old_tree/$MODULE/__manifest__.py" | cut -d'"' -f4)
new_version=$(grep -oE '"version": *"[^"]+"' "$ROOT/$MODULE/__manifest__.py" | cut -d'"' -f4)
echo "  $MODULE $old_version -> $new_version (migrations: $(ls "$ROOT/$MODULE/migrations" 2>/dev/null | paste -sd' '))"

export UPGRADE_SNAPSHOT="$tmp/snapshot.json" UPGRADE_SIM_DB="$tmp/simulator.sqlite3"
export UPGRADE_MIGRATION="$ROOT/$MODULE/migrations/$new_version/post-migrate.py"
common=(-d "$db" --data-dir="$tmp/data" --db-filter="^$db\$" --http-interface 127.0.0.1 --max-cron-threads=0)
# The old worktree's path first: its module shadows the current one (other add-ons of the repo are
# not installed here).
old_addons="$ODOO_SRC/addons,$old_tree"
new_addons="$ADDONS_PATH"

dropdb --if-exists "$db" >/dev/null 2>&1
step "old code: fresh database $db, install $MODULE with demo data"
"${ODOO[@]}" --addons-path="$old_addons" "${common[@]}" -i "$MODULE" --stop-after-init \
  --http-port "$(free_port)" --log-level=warn >"$log" 2>&1
rc=$?
if [ "$rc" != 0 ] || grep -qE "CRITICAL|Traceback|Failed to initialize" "$log"; then
  grep -E -A 30 "CRITICAL|Traceback" "$log" | head -n 60; fail "install of the old module (rc=$rc)"; summary
fi
ok "old module $old_version installed with demo data"

step "old code: issue documents through the old queue, snapshot"
UPGRADE_PHASE=old UPGRADE_RESULT="$tmp/old.json" "${ODOO[@]}" shell --addons-path="$old_addons" "${common[@]}" \
  --http-port "$(free_port)" --log-level=warn <"$ROOT/scripts/upgrade_check.py" 2>"$tmp/old_shell.log"
add_result "$tmp/old.json" "old phase"
grep -E "Traceback|ERROR" -A 20 "$tmp/old_shell.log" | head -n 60
[ "$failed" = 0 ] || summary

step "upgrade: -u $MODULE with the current code"
"${ODOO[@]}" --addons-path="$new_addons" "${common[@]}" -u "$MODULE" --stop-after-init \
  --http-port "$(free_port)" --log-level=info >"$log" 2>&1
rc=$?
grep -E "l10n_ec_sri.migrations|l10n_ec_sri migration" "$log" | sed -E 's/^[0-9-]+ [0-9:,]+ [0-9]+ //' | sed 's/^/  /'
if [ "$rc" != 0 ] || grep -qE "CRITICAL|Traceback|Failed to initialize|ERROR" "$log"; then
  grep -E -B 5 -A 40 "CRITICAL|Traceback|ERROR" "$log" | head -n 120; fail "upgrade (rc=$rc)"; summary
fi
ok "upgraded to $new_version without error"
grep -q "SRI documents migrated" "$log" && ok "the migration ran and logged its count" \
  || fail "the migration did not log how many documents it migrated"

step "current code: compare, then run the new queue"
UPGRADE_PHASE=new UPGRADE_RESULT="$tmp/new.json" "${ODOO[@]}" shell --addons-path="$new_addons" "${common[@]}" \
  --http-port "$(free_port)" --log-level=warn <"$ROOT/scripts/upgrade_check.py" 2>"$tmp/new_shell.log"
add_result "$tmp/new.json" "new phase"
grep -E "Traceback|ERROR" -A 20 "$tmp/new_shell.log" | head -n 60
summary
