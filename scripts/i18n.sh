#!/usr/bin/env bash
# Re-exports l10n_ec_sri/i18n/l10n_ec_sri.pot from a throw-away database and merges it into es.po and
# es_EC.po: translations kept, new terms added empty (to translate), terms gone removed. Then fill the
# empty msgstr entries; `make test` checks that none is left (tests/test_i18n.py).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
db="sri_i18n_$(date +%s)_$$"
tmp=$(mktemp -d)
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
"${ODOO[@]}" --addons-path="$ADDONS_PATH" -d "$db" -i l10n_ec_sri --without-demo=all --stop-after-init \
  --http-port "$(free_port)" --max-cron-threads=0 --log-level=warn
"${ODOO[@]}" --addons-path="$ADDONS_PATH" -d "$db" --i18n-export="$tmp/l10n_ec_sri.pot" --modules=l10n_ec_sri \
  --stop-after-init --http-port "$(free_port)" --max-cron-threads=0 --log-level=warn
cp "$tmp/l10n_ec_sri.pot" l10n_ec_sri/i18n/l10n_ec_sri.pot
for lang in es es_EC; do
  msgmerge --quiet --no-fuzzy-matching --previous -o "$tmp/$lang.po" "l10n_ec_sri/i18n/$lang.po" l10n_ec_sri/i18n/l10n_ec_sri.pot
  msgattrib --no-obsolete -o "l10n_ec_sri/i18n/$lang.po" "$tmp/$lang.po"
  echo "[i18n] $lang.po: $(msgattrib --untranslated "l10n_ec_sri/i18n/$lang.po" | grep -c '^msgid ' || true) entries to translate (the header counts as one)"
done
