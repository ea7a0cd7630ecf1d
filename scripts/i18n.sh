#!/usr/bin/env bash
# Re-exports <module>/i18n/<module>.pot of every module of the repository (or those given as arguments) from
# a throw-away database, and merges it into es.po and es_EC.po: translations kept, new terms added empty (to
# translate), terms gone removed; a module without them gets them. Then fill the empty msgstr entries;
# `make test` checks that none is left (l10n_ec_sri/tests/test_i18n.py).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
modules="${*:-$(tr ',' ' ' <<<"$SRI_MODULES")}"
db="sri_i18n_$(date +%s)_$$"
tmp=$(mktemp -d)
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
"${ODOO[@]}" --addons-path="$ADDONS_PATH" -d "$db" -i "$(tr ' ' ',' <<<"$modules")" --without-demo=all \
  --stop-after-init --http-port "$(free_port)" --max-cron-threads=0 --log-level=warn
for module in $modules; do
  mkdir -p "$module/i18n"
  "${ODOO[@]}" --addons-path="$ADDONS_PATH" -d "$db" --i18n-export="$tmp/$module.pot" --modules="$module" \
    --stop-after-init --http-port "$(free_port)" --max-cron-threads=0 --log-level=warn
  cp "$tmp/$module.pot" "$module/i18n/$module.pot"
  for lang in es es_EC; do
    po="$module/i18n/$lang.po"
    if [ ! -f "$po" ]; then
      msginit --no-translator --no-wrap --locale="$lang" -i "$module/i18n/$module.pot" -o "$po" >/dev/null 2>&1
    fi
    msgmerge --quiet --no-fuzzy-matching --previous -o "$tmp/$lang.po" "$po" "$module/i18n/$module.pot"
    msgattrib --no-obsolete -o "$po" "$tmp/$lang.po"
    echo "[i18n] $po: $(msgattrib --untranslated "$po" | grep -c '^msgid ' || true) entries to translate (the header counts as one)"
  done
done
