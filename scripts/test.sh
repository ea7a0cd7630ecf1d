#!/usr/bin/env bash
# Runs every test: the SRI core (pytest) then the Odoo modules in a fresh database.
# Prints one closing line "N passed, N failed" adding both up; exits non-zero on any failure.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
log_dir=$(mktemp -d)
core_rc=0; odoo_rc=0
core_passed=0; core_failed=0; odoo_passed=0; odoo_failed=0

echo "== SRI core (pytest) =="
"$PY" -m pytest -p no:cacheprovider "$@" 2>&1 | tee "$log_dir/pytest.log"
core_rc=${PIPESTATUS[0]}
summary=$(tail -n 5 "$log_dir/pytest.log" | grep -E "passed|failed|error" | tail -n 1)
core_passed=$(grep -oE "[0-9]+ passed" <<<"$summary" | grep -oE "[0-9]+" || echo 0)
core_failed=$(( $(grep -oE "[0-9]+ failed" <<<"$summary" | grep -oE "[0-9]+" || echo 0) + $(grep -oE "[0-9]+ error" <<<"$summary" | grep -oE "[0-9]+" || echo 0) ))
[ "$core_rc" = 5 ] && core_rc=1   # "no tests collected" is a failure here

run_rc=0; run_passed=0; run_failed=0
if [ -z "${SRI_SKIP_ODOO:-}" ]; then
  echo "== make run: the SRI simulator outlives Odoo =="
  bash "$ROOT/scripts/test_run.sh" 2>&1 | tee "$log_dir/run.log"
  run_rc=${PIPESTATUS[0]}
  run_passed=$(grep -oE "^run: [0-9]+ passed" "$log_dir/run.log" | grep -oE "[0-9]+" || echo 0)
  run_failed=$(grep -oE "[0-9]+ failed$" "$log_dir/run.log" | grep -oE "[0-9]+" || echo 1)
fi

# run_odoo MODULES LABEL [TAGS]: installs MODULES with demo data in a fresh database and runs their tests (or
# those TAGS select); adds the counts to odoo_passed / odoo_failed.
run_odoo() {
  local modules=$1 label=$2 tags=${3:-} db log rc stats total failed passed
  echo "== Odoo modules: $modules (fresh database, demo data$label) =="
  db="sri_test_$(date +%s)_$$"
  log="$log_dir/odoo_$(tr ',' '_' <<<"$modules" | cut -c1-60).log"
  [ -n "$tags" ] || tags=$(tr ',' '\n' <<<"$modules" | sed 's|^|/|' | paste -sd, -)
  "${ODOO[@]}" --addons-path="$ADDONS_PATH" -d "$db" -i "$modules" --test-enable --test-tags "$tags" \
     --stop-after-init --http-interface 127.0.0.1 --http-port "$(free_port)" --log-level=test \
     --max-cron-threads=0 2>&1 | tee "$log" | grep -E "ERROR|FAIL|Traceback|tests when loading|Starting|post-tests|at_install" || true
  rc=${PIPESTATUS[0]}
  failed=0; passed=0
  stats=$(grep -E "of [0-9]+ tests when loading database" "$log" | tail -n 1)
  if [ -n "$stats" ]; then
    total=$(sed -E 's/.* of ([0-9]+) tests when.*/\1/' <<<"$stats")
    failed=$(( $(sed -E 's/.*: ([0-9]+) failed.*/\1/;t;s/.*/0/' <<<"$stats") + $(sed -E 's/.* ([0-9]+) error\(s\).*/\1/;t;s/.*/0/' <<<"$stats") ))
    passed=$(( total - failed ))
  fi
  if grep -qE "CRITICAL|Failed to initialize database|ParseError|demo data failed to install" "$log"; then
    grep -E -B 30 -A 30 "CRITICAL|ParseError|demo data failed to install" "$log" | head -n 80
    rc=1; failed=$(( failed + 1 ))
  fi
  if [ "$passed" = 0 ] && [ "$failed" = 0 ]; then
    echo "no Odoo test ran"; rc=1; failed=1
  fi
  dropdb --if-exists "$db" >/dev/null 2>&1 || true
  echo "Odoo log: $log"
  odoo_passed=$(( odoo_passed + passed )); odoo_failed=$(( odoo_failed + failed ))
  [ "$rc" = 0 ] || odoo_rc=1
}

if [ -n "$SRI_MODULES" ] && [ -z "${SRI_SKIP_ODOO:-}" ]; then
  shared=$(tr ',' '\n' <<<"$SRI_MODULES" | grep -vxF -f <(tr ',' '\n' <<<"$SRI_OWN_DB_MODULES") | paste -sd, -)
  [ -n "$shared" ] && run_odoo "$shared" ""
  for module in $(tr ',' ' ' <<<"$SRI_OWN_DB_MODULES"); do
    [ -d "$ROOT/$module" ] || continue
    # the other modules' tests of how they behave under plans run here, with the plans installed
    extra_modules=""; extra_tags=""
    if [ "$module" = l10n_ec_sri_plan ]; then
      for other in l10n_ec_sri_api:TestApiPlan l10n_ec_sri_reports:TestReportsPlan; do
        [ -d "$ROOT/${other%%:*}" ] || continue
        extra_modules="$extra_modules,${other%%:*}"; extra_tags="$extra_tags,/$other"
      done
    fi
    run_odoo "$module$extra_modules" "; its own: its rules apply to every new company" "/$module$extra_tags"
  done
fi

echo "core: $core_passed passed, $core_failed failed; make run: $run_passed passed, $run_failed failed; odoo: $odoo_passed passed, $odoo_failed failed"
echo "$(( core_passed + run_passed + odoo_passed )) passed, $(( core_failed + run_failed + odoo_failed )) failed"
# Odoo exits 0 when tests fail: the counts decide too
[ "$core_rc" = 0 ] && [ "$run_rc" = 0 ] && [ "$odoo_rc" = 0 ] && [ $(( core_failed + run_failed + odoo_failed )) = 0 ]
