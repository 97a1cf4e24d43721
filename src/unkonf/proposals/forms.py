"""Forms of the proposal and pitch pages. They parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from unkonf.events.enums import EventMode
from unkonf.proposals.enums import ProposalFormat, ProposalLanguage, ProposalState, QueueOrder
from unkonf.proposals.models import COMMENT_MAX, DESCRIPTION_MAX, TITLE_MAX, ProposalSettings
from unkonf.proposals.uploads import MAX_UPLOAD_BYTES
from unkonf.venues.enums import Equipment

SORT_CHOICES = [
    ("old", _("First proposed first")),
    ("new", _("Newest first")),
    ("interest", _("Most interest first")),
    ("title", _("Title A–Z")),
]


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("description"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What is it about, what would you like to achieve, what should people bring? "
            "Links and simple formatting (Markdown) are possible."
        ),
    )
    format = forms.ChoiceField(label=_("format"), choices=ProposalFormat.choices)
    topics = forms.CharField(
        label=_("topics"),
        max_length=300,
        required=False,
        help_text=_("Up to five, separated by commas, e.g. AI, data protection"),
    )
    language = forms.ChoiceField(label=_("language"), choices=ProposalLanguage.choices)
    slots = forms.TypedChoiceField(
        label=_("length"),
        choices=[(1, _("One slot")), (2, _("Two slots"))],
        coerce=int,
        widget=forms.RadioSelect,
    )
    mode = forms.ChoiceField(
        label=_("mode"),
        choices=EventMode.choices,
        widget=forms.RadioSelect,
        help_text=_("Online and hybrid sessions get a room with a video link."),
    )
    needs = forms.MultipleChoiceField(
        label=_("needs"),
        choices=Equipment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def topic_names(self) -> list[str]:
        return [name for name in self.cleaned_data.get("topics", "").split(",") if name.strip()]

    def fields_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "format": data["format"],
            "language": data["language"],
            "slots": data["slots"],
            "mode": data["mode"],
            "needs": list(data["needs"]),
        }


class ProposalFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), max_length=100, required=False)
    topic = forms.TypedChoiceField(label=_("topic"), required=False, coerce=int, empty_value=None)
    format = forms.ChoiceField(
        label=_("format"), required=False, choices=[("", _("all")), *ProposalFormat.choices]
    )
    mode = forms.ChoiceField(
        label=_("mode"), required=False, choices=[("", _("all")), *EventMode.choices]
    )
    state = forms.ChoiceField(label=_("state"), required=False)
    sort = forms.ChoiceField(label=_("sort"), required=False, choices=SORT_CHOICES)

    def __init__(
        self,
        *args: Any,
        topics: list[tuple[int, str]],
        drafts: bool,
        all_states: bool = False,
        **kwargs: Any,
    ):
        """``drafts``: offer the draft filter (signed-in people see their own drafts there);
        ``all_states``: also withdrawn and merged proposals (for the team)."""
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("all")), *topics]  # type: ignore[attr-defined]
        states = [
            (ProposalState.SUBMITTED, ProposalState.SUBMITTED.label),
            (ProposalState.PITCHED, ProposalState.PITCHED.label),
            (ProposalState.SCHEDULED, ProposalState.SCHEDULED.label),
        ]
        if drafts or all_states:
            states.append((ProposalState.DRAFT, ProposalState.DRAFT.label))
        if all_states:
            states += [
                (ProposalState.WITHDRAWN, ProposalState.WITHDRAWN.label),
                (ProposalState.MERGED, ProposalState.MERGED.label),
            ]
        self.fields["state"].choices = [("", _("all current")), *states]  # type: ignore[attr-defined]


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("your comment or question"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The hosts are notified by e-mail."),
    )


class CohostForm(forms.Form):
    email = forms.EmailField(
        label=_("e-mail address of the co-host"),
        help_text=_("The person must be registered for this barcamp and confirms by themselves."),
    )


class MaterialFileForm(forms.Form):
    file = forms.FileField(
        label=_("file"),
        help_text=_("PDF, image (PNG, JPEG, GIF, WebP) or office document; at most %(mb)d MB.")
        % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,.pptx,.odt,.ods,.odp",
            }
        ),
    )
    title = forms.CharField(label=_("title (optional)"), max_length=200, required=False)


class MaterialLinkForm(forms.Form):
    url = forms.URLField(label=_("link"), max_length=500, assume_scheme="https")
    title = forms.CharField(label=_("title (optional)"), max_length=200, required=False)


class ProposalSettingsForm(forms.ModelForm[ProposalSettings]):
    class Meta:
        model = ProposalSettings
        fields = ("proposals_open", "max_interests", "hide_counts_until_pitch", "pitch_seconds")


class SpontaneousForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=TITLE_MAX)
    host_name = forms.CharField(label=_("host's name"), max_length=200)
    next_up = forms.BooleanField(label=_("pitch it next"), required=False)


class OpenPitchForm(forms.Form):
    order = forms.ChoiceField(
        label=_("order of the queue"),
        choices=[c for c in QueueOrder.choices if c[0] != QueueOrder.MANUAL],
        widget=forms.RadioSelect,
        initial=QueueOrder.SUBMISSION,
    )


class MergeForm(forms.Form):
    target = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    source = forms.IntegerField(min_value=1, max_value=2**31 - 1)
