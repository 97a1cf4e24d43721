#!/bin/sh
# Update unkonf's catalogues from the sources without losing the django-allauth overrides
# (formal "Sie" and our glossary) kept at the end of de/django.po. Needs GNU gettext.
# Afterwards translate new entries (empty or fuzzy) in src/unkonf/locale/de/LC_MESSAGES/django.po.
set -eu
cd "$(git rev-parse --show-toplevel)"
PO=src/unkonf/locale/de/LC_MESSAGES/django.po
MARK='# Formal address overrides for django-allauth'
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
grep -qx "$MARK" "$PO" || { echo "override marker not found in $PO" >&2; exit 1; }
printf 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n' > "$TMP/overrides.po"
sed -n "/^$MARK\$/,\$p" "$PO" >> "$TMP/overrides.po"
(cd src/unkonf && UNKONF_DEBUG=1 DJANGO_SETTINGS_MODULE=unkonf.settings.base \
  ../../.venv/bin/python -m django makemessages -l de -l en --no-obsolete --ignore '*/migrations/*')
msgcat --use-first -o "$TMP/django.po" "$PO" "$TMP/overrides.po" && mv "$TMP/django.po" "$PO"
msgfmt --check --statistics -o /dev/null "$PO"
