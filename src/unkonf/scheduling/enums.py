from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SlotKind(models.TextChoices):
    SESSION = "session", _("Sessions")
    PLENARY = "plenary", _("Plenary (opening, closing)")
    BREAK = "break", _("Break")
