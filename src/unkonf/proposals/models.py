"""Session proposals, the interest in them, and the pitch at the opening.

A proposal belongs to one barcamp. Its hosts are people with accounts (the one who proposed
it, and co-hosts who confirmed), or, for a spontaneous proposal at the pitch, just a name.
Interest is one row per person and proposal; the count on the proposal is kept in step under
the proposal's row lock, so a burst of taps counts every tap exactly once.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from unkonf.core.models import TimeStampedModel
from unkonf.events.enums import EventMode
from unkonf.events.models import Event
from unkonf.proposals.enums import (
    MaterialKind,
    PitchState,
    ProposalFormat,
    ProposalLanguage,
    ProposalState,
    QueueOrder,
)
from unkonf.venues.enums import Equipment

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
COMMENT_MAX = 2000
DEFAULT_PITCH_SECONDS = 60


class ProposalSettings(models.Model):
    """How proposals and interest work in one barcamp (set by its organisers)."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="proposal_settings")
    proposals_open = models.BooleanField(
        _("participants can propose sessions"),
        default=True,
        help_text=_("Organisers and moderators can always add proposals."),
    )
    max_interests = models.PositiveSmallIntegerField(
        _("interests per person"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("How many proposals one person may mark. Empty: no limit."),
    )
    hide_counts_until_pitch = models.BooleanField(
        _("hide interest counts until the pitch"),
        default=False,
        help_text=_("Participants see the counts once the pitch has started."),
    )
    pitch_seconds = models.PositiveSmallIntegerField(
        _("pitch length in seconds"),
        default=DEFAULT_PITCH_SECONDS,
        validators=[MinValueValidator(10), MaxValueValidator(600)],
    )

    class Meta:
        verbose_name = _("proposal settings")
        verbose_name_plural = _("proposal settings")

    def __str__(self) -> str:
        return str(self.event)


class Topic(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ("name",)
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.UniqueConstraint(Lower("name"), "event", name="topic_name_unique_per_event")
        ]

    def __str__(self) -> str:
        return self.name


class Proposal(TimeStampedModel):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(
        _("description"),
        max_length=DESCRIPTION_MAX,
        validators=[MaxLengthValidator(DESCRIPTION_MAX)],
        blank=True,
        help_text=_(
            "What is it about, and what should people bring? Markdown: **bold**, lists, links."
        ),
    )
    description_html = models.TextField(blank=True, editable=False)
    format = models.CharField(
        _("format"),
        max_length=20,
        choices=ProposalFormat.choices,
        default=ProposalFormat.DISCUSSION,
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), blank=True, related_name="proposals"
    )
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=ProposalLanguage.choices,
        default=ProposalLanguage.GERMAN,
    )
    slots = models.PositiveSmallIntegerField(
        _("length"),
        choices=[(1, _("One slot")), (2, _("Two slots"))],
        default=1,
    )
    mode = models.CharField(
        _("mode"), max_length=20, choices=EventMode.choices, default=EventMode.ON_SITE
    )
    needs: models.JSONField[Any] = models.JSONField(_("needs"), default=list, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=ProposalState.choices, default=ProposalState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    host_name = models.CharField(
        _("host"),
        max_length=200,
        blank=True,
        help_text=_("For a spontaneous proposal: the host's name; no account needed."),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    pitched_at = models.DateTimeField(_("pitched"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
    )
    interest_count = models.PositiveIntegerField(_("interest"), default=0, editable=False)
    # Grows with every change of the count; clients keep the count with the highest version.
    interest_version = models.PositiveIntegerField(default=0, editable=False)
    queue_position = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ("pk",)
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [models.Index(fields=("event", "state"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(slots__in=(1, 2)), name="proposal_slots_1_or_2"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("proposals:proposal-detail", kwargs={"slug": self.event.slug, "pk": self.pk})

    def needs_labels(self) -> list[str]:
        labels = dict(Equipment.choices)
        return [str(labels.get(tag, tag)) for tag in self.needs]


class ProposalHost(models.Model):
    """A host with an account. Co-hosts are invited and count once they confirm."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="hosts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hosted_proposals"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("host")
        verbose_name_plural = _("hosts")
        constraints = [
            models.UniqueConstraint(fields=("proposal", "user"), name="host_once_per_proposal")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.proposal}"


class Interest(models.Model):
    """One person's "Ich bin dabei" for one proposal."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="interests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposal_interests"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        indexes = [models.Index(fields=("event", "user"))]
        constraints = [
            models.UniqueConstraint(fields=("proposal", "user"), name="interest_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.proposal_id}"


class Comment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposal_comments"
    )
    text = models.TextField(_("comment"), max_length=COMMENT_MAX)
    html = models.TextField(editable=False)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.text[:50]


def _materials_storage() -> Storage:
    return storages["materials"]


def _material_path(instance: Material, filename: str) -> str:
    # The stored name says nothing about the upload: the original name lives in the row.
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"materials/{instance.proposal.event_id}/{uuid.uuid4().hex}{suffix}"


class Material(models.Model):
    """A prepared file (checked by its content, stored outside the web root) or a link."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("kind"), max_length=10, choices=MaterialKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"), upload_to=_material_path, storage=_materials_storage, blank=True, max_length=200
    )
    filename = models.CharField(_("file name"), max_length=120, blank=True)
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0, editable=False)
    url = models.URLField(_("link"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.title


class Pitch(models.Model):
    """The pitch at the opening: a queue of proposals, the one on stage, and its timer.

    The timer is kept as server time: while it runs, ``timer_ends_at``; while it is paused,
    the seconds that remain. Screens count down from the server's time, not their own clock.
    """

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="pitch")
    state = models.CharField(
        _("state"), max_length=20, choices=PitchState.choices, default=PitchState.PREPARING
    )
    order = models.CharField(
        _("order of the queue"),
        max_length=20,
        choices=QueueOrder.choices,
        default=QueueOrder.SUBMISSION,
    )
    current = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duration = models.PositiveSmallIntegerField(default=DEFAULT_PITCH_SECONDS)
    timer_running = models.BooleanField(default=False)
    timer_ends_at = models.DateTimeField(null=True, blank=True)
    timer_remaining = models.FloatField(default=DEFAULT_PITCH_SECONDS)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("pitch")
        verbose_name_plural = _("pitches")

    def __str__(self) -> str:
        return str(self.event)
