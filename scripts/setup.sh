#!/usr/bin/env bash
# Idempotent set-up for running and testing the add-ons on a Debian machine.
#   - system packages (PostgreSQL, libxmlsec1, xmlsec1, wkhtmltopdf, chromium, build headers)
#   - PostgreSQL started, a superuser role for the current user
#   - Odoo 18.0 Community at $ODOO_SRC (default /opt/odoo18)
#   - a virtualenv (default ~/.cache/l10n_ec_sri/venv) with Odoo's requirements and ours
# Every step checks first and skips what is already done.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_SRC="${ODOO_SRC:-/opt/odoo18}"
SRI_VENV="${SRI_VENV:-$HOME/.cache/l10n_ec_sri/venv}"
PYTHON="${PYTHON:-python3}"

say() { printf '[setup] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. System packages -------------------------------------------------------
APT_PACKAGES=(postgresql postgresql-client libpq-dev libxml2-dev libxslt1-dev libxmlsec1-dev
  libxmlsec1-openssl xmlsec1 pkg-config libldap2-dev libsasl2-dev libjpeg-dev zlib1g-dev
  wkhtmltopdf chromium fonts-dejavu-core poppler-utils openssl libzbar0)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. PostgreSQL ------------------------------------------------------------
if ! pg_lsclusters -h 2>/dev/null | grep -q online; then
  cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
  say "starting PostgreSQL cluster $cluster"
  # shellcheck disable=SC2086
  as_root pg_ctlcluster $cluster start
fi
DB_USER="$(id -un)"
if ! as_root su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'\"" | grep -q 1; then
  say "creating PostgreSQL superuser role $DB_USER"
  as_root su postgres -c "createuser -s '$DB_USER'"
fi

# 3. Odoo 18.0 Community ---------------------------------------------------
if [ ! -f "$ODOO_SRC/odoo/release.py" ]; then
  if git ls-remote --exit-code https://github.com/odoo/odoo.git refs/heads/18.0 >/dev/null 2>&1; then
    say "cloning Odoo 18.0 into $ODOO_SRC"
    git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo.git "$ODOO_SRC"
  else
    echo "Odoo 18.0 Community is missing at ODOO_SRC=$ODOO_SRC and github.com is unreachable: put an Odoo 18.0 tree there (or set ODOO_SRC) and run again." >&2
    exit 1
  fi
fi
grep -q "18, 0" "$ODOO_SRC/odoo/release.py" || { echo "$ODOO_SRC is not Odoo 18.0 (see odoo/release.py)." >&2; exit 1; }

# 4. Virtualenv ------------------------------------------------------------
stamp_src=$(cat "$ROOT/requirements.txt" "$ROOT/requirements-odoo-addons.txt" "$ODOO_SRC/requirements.txt" \
  "$ROOT/scripts/setup.sh" | sha256sum | cut -c1-16)
stamp="$SRI_VENV/.sri-stamp"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$stamp_src" ]; then
  say "preparing the virtualenv $SRI_VENV (first time takes a few minutes)"
  [ -x "$SRI_VENV/bin/python" ] || "$PYTHON" -m venv "$SRI_VENV"
  tmp=$(mktemp -d)
  # Odoo's cbor2==5.4.2 builds only with setuptools<81; PIP_CONSTRAINT reaches isolated build envs too.
  echo 'setuptools<81' > "$tmp/build-constraints.txt"
  # Odoo's list without the names we pin ourselves (ours are newer where Odoo allows it).
  ours=$(sed -e 's/[#;].*//' -e 's/[=<>!~ ].*//' "$ROOT/requirements.txt" | grep -v '^$' | tr 'A-Z' 'a-z' | paste -sd'|')
  grep -viE "^($ours)[ =<>;~!]" "$ODOO_SRC/requirements.txt" > "$tmp/odoo-requirements.txt"
  export PIP_CONSTRAINT="$tmp/build-constraints.txt" PIP_DISABLE_PIP_VERSION_CHECK=1
  "$SRI_VENV/bin/pip" install -q "setuptools<81" wheel
  "$SRI_VENV/bin/pip" install -q -r "$tmp/odoo-requirements.txt"
  "$SRI_VENV/bin/pip" install -q --no-binary lxml,xmlsec -r "$ROOT/requirements.txt"
  "$SRI_VENV/bin/pip" install -q --no-deps -r "$ROOT/requirements-odoo-addons.txt"
  # Odoo is not pip-installed: a .pth file puts $ODOO_SRC on the venv's path (setup/odoo needs it).
  site=$("$SRI_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  echo "$ODOO_SRC" > "$site/odoo-src.pth"
  "$SRI_VENV/bin/python" -c "import lxml.etree, xmlsec, zeep, barcode, qrcode, num2words, fastapi, odoo.release"
  ls "$site/odoo/addons/fastapi/__manifest__.py" "$site/odoo/addons/auditlog/__manifest__.py" >/dev/null
  rm -rf "$tmp"
  echo "$stamp_src" > "$stamp"
fi
say "ready: venv $SRI_VENV, Odoo $ODOO_SRC"
