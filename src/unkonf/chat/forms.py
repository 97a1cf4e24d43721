"""Forms of the chat pages. They parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from unkonf.chat.models import MAX_LENGTH

PAUSE_CHOICES = [
    ("15", _("15 minutes")),
    ("60", _("60 minutes")),
    ("0", _("until lifted")),
]


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("your message"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Links and simple formatting (Markdown) are possible."),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("reason (optional)"), max_length=500, required=False)


class PauseForm(forms.Form):
    duration = forms.ChoiceField(label=_("pause for"), choices=PAUSE_CHOICES)
    reason = forms.CharField(label=_("reason (optional)"), max_length=200, required=False)

    def minutes(self) -> int | None:
        """Minutes of the pause; None: until a moderator lifts it."""
        return int(self.cleaned_data["duration"]) or None
