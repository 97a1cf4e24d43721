"""The registration list as CSV and XLSX, for organisers (name badges, catering, statistics)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from unkonf.events.models import Registration

# A cell starting with one of these is a formula to spreadsheet programs (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _header() -> list[str]:
    return [
        _("No."), _("Name"), _("E-mail"), _("Organisation"), _("Type of organisation"), _("Days"),
        _("Accessibility needs"), _("Public list"), _("Status"), _("Placed by an organiser"),
        _("Registered"),
    ]  # fmt: skip


def _rows(registrations: Iterable[Registration]) -> Iterable[list[Any]]:
    for r in registrations:
        yield [
            r.queue_number,
            _safe(r.name),
            _safe(r.email),
            _safe(r.organisation),
            str(r.get_organisation_type_display()),
            ", ".join(d.date.isoformat() for d in r.days.all()),
            _safe(r.accessibility_needs),
            _("yes") if r.public_listing else _("no"),
            str(r.get_status_display()),
            _("yes") if r.manual else _("no"),
            r.created_at.strftime("%Y-%m-%d %H:%M"),
        ]


def registrations_csv(registrations: Iterable[Registration]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")  # what German spreadsheet programs expect
    writer.writerow(_header())
    writer.writerows(_rows(registrations))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel reads UTF-8


def registrations_xlsx(registrations: Iterable[Registration], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Registrations")[:31]
    sheet.append(_header())
    for row in _rows(registrations):
        sheet.append(row)
    for index, width in enumerate([6, 28, 32, 32, 26, 24, 32, 10, 14, 10, 18], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    workbook.properties.title = title
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
