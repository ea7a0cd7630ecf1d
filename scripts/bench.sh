#!/usr/bin/env bash
# Runs the benchmarks under bench/ and prints their figures.
# The peer signer (AGPL, bench-only) lives in its own virtualenv: it needs newer lxml/cryptography.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
PEER_VENV="${SRI_BENCH_PEER_VENV:-$HOME/.cache/l10n_ec_sri/bench-peer-venv}"
if [ ! -x "$PEER_VENV/bin/python" ] || ! "$PEER_VENV/bin/python" -c "import sri_xades_signer" 2>/dev/null; then
  echo "[bench] installing the peer signer in $PEER_VENV"
  python3 -m venv "$PEER_VENV"
  "$PEER_VENV/bin/pip" install -q -r "$ROOT/requirements-bench.txt" 2>&1 | grep -v "^WARNING: Location" || true
fi
export SRI_BENCH_PEER_PYTHON="$PEER_VENV/bin/python"
cd "$ROOT"
for script in bench/core.py bench/sri_services.py bench/odoo_flow.py bench/purchases.py bench/plans.py bench/api.py bench/export.py bench/ats.py; do
  [ -f "$script" ] || continue
  echo "== $script =="
  "$PY" "$script" ${SRI_BENCH_ARGS:-}
done
