"""Compile unkonf's gettext catalogs (``.po``) to ``.mo`` with Babel: no system gettext needed.

Like ``msgfmt`` (and so Django's ``compilemessages``), fuzzy and untranslated entries are left
out, so they fall back to the source text.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def locale_dirs() -> list[Path]:
    """The ``locale`` directories of the project: ``LOCALE_PATHS`` and unkonf's own apps."""
    candidates = [Path(path) for path in settings.LOCALE_PATHS]
    candidates += [
        Path(config.path) / "locale"
        for config in apps.get_app_configs()
        if config.name == "unkonf" or config.name.startswith("unkonf.")
    ]
    found: dict[Path, None] = {}
    for candidate in candidates:
        if candidate.is_dir():
            found.setdefault(candidate.resolve(), None)
    return list(found)


def compile_catalog(po_path: Path) -> Path:
    """Write the ``.mo`` file next to ``po_path`` (atomically) and return its path."""
    mo_path = po_path.with_suffix(".mo")
    try:
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, abort_invalid=True)
    except PoFileError as exc:
        raise CommandError(f"{po_path}: {exc}") from exc
    fd, tmp_name = tempfile.mkstemp(dir=mo_path.parent, prefix=".", suffix=".mo.tmp")
    try:
        with os.fdopen(fd, "wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        Path(tmp_name).chmod(0o644)
        Path(tmp_name).replace(mo_path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return mo_path


class Command(BaseCommand):
    help = "Compile every .po catalog of unkonf to .mo with Babel (fuzzy entries are skipped)."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        catalogs = sorted(
            po_path
            for directory in locale_dirs()
            for po_path in directory.glob("*/LC_MESSAGES/*.po")
        )
        for po_path in catalogs:
            mo_path = compile_catalog(po_path)
            if options["verbosity"] > 1:
                self.stdout.write(f"compiled {mo_path}")
        self.stdout.write(f"Compiled {len(catalogs)} translation catalog(s).")
