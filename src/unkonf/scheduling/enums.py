from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SlotKind(models.TextChoices):
    SESSION = "session", _("Sessions")
    PLENARY = "plenary", _("Plenary (opening, closing)")
    BREAK = "break", _("Break")


class SuggestionScope(models.TextChoices):
    ALL = "all", _("Plan all sessions anew (pinned ones stay)")
    REMAINING = "remaining", _("Place only the sessions not yet in the grid")
    REST_OF_DAY = "rest_of_day", _("Re-plan the rest of the day")


class SuggestionState(models.TextChoices):
    RUNNING = "running", _("Planning")
    READY = "ready", _("Ready")
    APPLIED = "applied", _("Applied")
    DISCARDED = "discarded", _("Discarded")
    FAILED = "failed", _("Failed")
