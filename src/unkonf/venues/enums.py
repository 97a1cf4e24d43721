from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoomKind(models.TextChoices):
    STAGE = "stage", _("Main stage")
    WORKSHOP = "workshop", _("Workshop room")
    CAFE = "cafe", _("Café")
    EXHIBITION = "exhibition", _("Exhibition")


class Equipment(models.TextChoices):
    PROJECTOR = "projector", _("Projector")
    SCREEN = "screen", _("Large screen")
    WHITEBOARD = "whiteboard", _("Whiteboard")
    FLIPCHART = "flipchart", _("Flipchart")
    PINBOARD = "pinboard", _("Pinboard")
    MICROPHONE = "microphone", _("Microphone")
    STEP_FREE = "step_free", _("Step-free access")
    INDUCTION_LOOP = "induction_loop", _("Induction loop")
    QUIET = "quiet", _("Quiet room")
    HYBRID_READY = "hybrid_ready", _("Hybrid-ready (camera, microphone, screen)")
