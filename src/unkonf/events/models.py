"""The barcamp (the tenant root), its days, roles, invitations and registrations."""

from __future__ import annotations

import secrets
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from unkonf.core.models import TimeStampedModel
from unkonf.events.enums import EventMode, OrganisationType, RegistrationStatus, Role, Visibility

RESERVED_SLUGS = frozenset(
    {
        "accounts",
        "admin",
        "api",
        "static",
        "media",
        "events",
        "invitations",
        "ws",
        "healthz",
        "en",
        "de",
        "i18n",
    }
)


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(value)s"), params={"value": value})


def validate_slug_not_reserved(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(_("This short name is reserved. Please choose another one."))


class Event(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("short name"),
        max_length=60,
        unique=True,
        validators=[validate_slug_not_reserved],
        help_text=_("Part of the address, e.g. verwaltung-digital-2027. Letters, digits, hyphens."),
    )
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    mode = models.CharField(
        _("mode"), max_length=20, choices=EventMode.choices, default=EventMode.ON_SITE
    )
    venue_address = models.TextField(_("venue address"), blank=True)
    online_note = models.TextField(
        _("note for online participants"), blank=True, help_text=_("How to join online.")
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_timezone]
    )
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    imprint = models.TextField(_("imprint"), blank=True, help_text=_("Markdown."))
    privacy_notice = models.TextField(_("privacy notice"), blank=True, help_text=_("Markdown."))
    code_of_conduct = models.TextField(_("code of conduct"), blank=True, help_text=_("Markdown."))
    capacity = models.PositiveIntegerField(
        _("places"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
        help_text=_("Leave empty for no limit. When full, registrations go onto a waiting list."),
    )
    registration_open = models.BooleanField(_("registration open"), default=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Counts registrations in arrival order; incremented under the event's row lock.
    registration_counter = models.PositiveIntegerField(default=0, editable=False)
    copied_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
        editable=False,
    )

    class Meta:
        verbose_name = _("barcamp")
        verbose_name_plural = _("barcamps")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("events:event-detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def missing_legal_texts(self) -> list[str]:
        """Labels of the legal fields that must be filled before publishing."""
        required: list[tuple[str, Any]] = [
            ("imprint", self.imprint),
            ("privacy_notice", self.privacy_notice),
            ("code_of_conduct", self.code_of_conduct),
            ("contact_email", self.contact_email),
        ]
        labels = {field.name: str(field.verbose_name) for field in self._meta.fields}
        return [labels[name] for name, value in required if not value.strip()]


class Day(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    label = models.CharField(_("label"), max_length=100, blank=True, help_text=_("e.g. Day 1"))

    class Meta:
        ordering = ("date",)
        verbose_name = _("day")
        verbose_name_plural = _("days")
        constraints = [
            models.UniqueConstraint(fields=("event", "date"), name="day_unique_per_event")
        ]

    def __str__(self) -> str:
        when = f"{date_format(self.date, 'l')}, {date_format(self.date, 'DATE_FORMAT')}"
        return f"{self.label} – {when}" if self.label else when


class EventRole(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("role", "user__name")
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=("event", "user", "role"), name="role_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()})"

    def get_absolute_url(self) -> str:
        return reverse("events:invitation-accept", kwargs={"token": self.token})


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    organisation_type = models.CharField(
        _("type of organisation"), max_length=20, choices=OrganisationType.choices
    )
    days = models.ManyToManyField(
        Day, verbose_name=_("days attending"), blank=True, related_name="+"
    )
    accessibility_needs = models.TextField(
        _("accessibility needs"),
        blank=True,
        help_text=_("e.g. step-free access, sign language interpreting, induction loop."),
    )
    privacy_consent_at = models.DateTimeField(_("privacy notice accepted"))
    public_listing = models.BooleanField(_("show me on the public participant list"), default=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.CONFIRMED,
    )
    # Arrival order: the waiting list moves up in this order.
    queue_number = models.PositiveIntegerField(_("arrival number"))
    # Set when an organiser placed this registration by hand; the automatic move-up leaves it be.
    manual = models.BooleanField(_("placed by an organiser"), default=False)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed"), auto_now_add=True)

    class Meta:
        ordering = ("queue_number",)
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=("event", "user"), name="registration_unique_per_user"),
            models.UniqueConstraint(
                fields=("event", "queue_number"), name="registration_unique_queue"
            ),
        ]
        indexes = [
            models.Index(fields=("event", "status", "queue_number"), name="registration_queue_idx")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class Announcement(models.Model):
    """A notice from the organisers to everyone at the barcamp ("Opening in 5 minutes …")."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="announcements")
    text = models.TextField(_("text"), max_length=1000)
    html = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.text[:50]
