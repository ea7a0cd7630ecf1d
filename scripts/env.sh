# Shared settings for the project's scripts (sourced, not run).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ODOO_SRC="${ODOO_SRC:-/opt/odoo18}"
export SRI_VENV="${SRI_VENV:-$HOME/.cache/l10n_ec_sri/venv}"
PY="$SRI_VENV/bin/python"
ODOO=("$PY" "$ODOO_SRC/setup/odoo")
# OCA add-ons installed from PyPI (requirements-odoo-addons.txt) live in the venv's odoo/addons folder
OCA_ADDONS="$(ls -d "$SRI_VENV"/lib/python3*/site-packages/odoo/addons 2>/dev/null | head -n 1)"
ADDONS_PATH="$ODOO_SRC/addons,$ROOT${OCA_ADDONS:+,$OCA_ADDONS}"
# Every Odoo module of this repository (folders with a manifest), comma-separated.
SRI_MODULES="$(cd "$ROOT" && ls -d */__manifest__.py 2>/dev/null | cut -d/ -f1 | paste -sd, -)"
# Modules whose tests run in a database of their own: their rules apply to every company created afterwards
# (the plans' limits would refuse the other modules' test companies their 13th invoice).
SRI_OWN_DB_MODULES="l10n_ec_sri_plan"

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
