"""Model validation as a service refusal: a clear, translated message on the right field."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from unkonf.core.exceptions import DomainError

# Dates a barcamp can plausibly have: keeps arithmetic on them (time zones, copies) in range.
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


def clean_or_refuse(
    instance: models.Model, error: type[DomainError], *, exclude: Iterable[str] | None = None
) -> None:
    """``full_clean`` the instance; the first problem becomes ``error`` on its field."""
    try:
        instance.full_clean(exclude=list(exclude) if exclude else None)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            raise error(messages[0], field=None if field == NON_FIELD_ERRORS else field) from None
        raise error(exc.messages[0]) from None


def check_date_in_range(value: datetime.date, error: type[DomainError], *, field: str) -> None:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise error(
            _("Please choose a date between %(start)s and %(end)s.")
            % {
                "start": date_format(EARLIEST_DATE, "SHORT_DATE_FORMAT"),
                "end": date_format(LATEST_DATE, "SHORT_DATE_FORMAT"),
            },
            field=field,
        )
