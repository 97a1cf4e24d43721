from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PITCHED = "pitched", _("Pitched")
    SCHEDULED = "scheduled", _("Scheduled")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MERGED = "merged", _("Merged")


class ProposalFormat(models.TextChoices):
    DISCUSSION = "discussion", _("Discussion")
    WORKSHOP = "workshop", _("Workshop")
    TALK = "talk", _("Talk")
    DESIGN_THINKING = "design_thinking", _("Design thinking")
    OPEN_QUESTION = "open_question", _("Open question")
    OTHER = "other", _("Other")


class ProposalLanguage(models.TextChoices):
    GERMAN = "de", _("German")
    ENGLISH = "en", _("English")
    BOTH = "de_en", _("German and English")


class PitchState(models.TextChoices):
    PREPARING = "preparing", _("Not started")
    OPEN = "open", _("Running")
    CLOSED = "closed", _("Closed")


class QueueOrder(models.TextChoices):
    SUBMISSION = "submission", _("In order of submission")
    SHUFFLED = "shuffled", _("Shuffled")
    MANUAL = "manual", _("By hand")


class MaterialKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")


# States in which a proposal is part of the barcamp's agenda ideas (listed, open for interest).
ACTIVE_STATES: frozenset[str] = frozenset(
    {ProposalState.SUBMITTED, ProposalState.PITCHED, ProposalState.SCHEDULED}
)
# States in which hosts may still change their proposal.
HOST_EDITABLE_STATES: frozenset[str] = frozenset(
    {ProposalState.DRAFT, ProposalState.SUBMITTED, ProposalState.PITCHED, ProposalState.WITHDRAWN}
)
