from __future__ import annotations

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from unkonf.venues.enums import Equipment, RoomKind


class WebURLField(forms.URLField):
    """A link a browser opens: http or https only (no ftp, no javascript:)."""

    default_validators = [URLValidator(schemes=["http", "https"])]


class RoomForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=120)
    kind = forms.ChoiceField(label=_("kind"), choices=RoomKind.choices, initial=RoomKind.WORKSHOP)
    capacity = forms.IntegerField(
        label=_("capacity"), min_value=1, max_value=100_000, help_text=_("seats")
    )
    location = forms.CharField(
        label=_("location"),
        max_length=200,
        required=False,
        help_text=_("e.g. 2nd floor, left of the stairs"),
    )
    equipment = forms.MultipleChoiceField(
        label=_("equipment"),
        choices=Equipment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    video_url = WebURLField(
        label=_("video link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Jitsi Meet, BigBlueButton or any other video room. Empty for on-site only."),
    )
