from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventMode(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: anyone may register")
    INVITE_ONLY = "invite_only", _("Invite only: registration by invitation")


class Role(models.TextChoices):
    ORGANISER = "organiser", _("Organiser")
    MODERATOR = "moderator", _("Moderator")
    TIMEKEEPER = "timekeeper", _("Timekeeper")
    PARTICIPANT = "participant", _("Participant")
    EXHIBITOR = "exhibitor", _("Exhibitor")


class OrganisationType(models.TextChoices):
    FEDERAL = "federal", _("Federal administration")
    STATE = "state", _("State administration")
    MUNICIPAL = "municipal", _("Municipal administration")
    MUNICIPAL_IT = "municipal_it", _("Municipal IT provider")
    SCIENCE = "science", _("Science and research")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    BUSINESS = "business", _("Business")
    OTHER = "other", _("Other")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITING = "waiting", _("Waiting list")
    CANCELLED = "cancelled", _("Cancelled")
