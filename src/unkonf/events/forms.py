"""Forms for barcamp setup, registration and roles. They parse; the services decide."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from unkonf.core.validation import EARLIEST_DATE, LATEST_DATE
from unkonf.events.enums import OrganisationType, RegistrationStatus, Role
from unkonf.events.models import Day, Event, Registration
from unkonf.events.services import EVENT_FIELDS, RegistrationData

COMMON_TIMEZONES = sorted(
    tz for tz in zoneinfo.available_timezones() if "/" in tz and not tz.startswith("Etc/")
)


class EventForm(forms.ModelForm[Event]):
    timezone = forms.ChoiceField(
        label=_("time zone"), choices=[(tz, tz) for tz in COMMON_TIMEZONES]
    )
    capacity = forms.IntegerField(
        label=_("places"),
        min_value=1,
        max_value=100_000,
        required=False,
        help_text=_("Leave empty for no limit. When full, registrations go onto a waiting list."),
    )

    class Meta:
        model = Event
        fields = list(EVENT_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "venue_address": forms.Textarea(attrs={"rows": 3}),
            "online_note": forms.Textarea(attrs={"rows": 3}),
            "imprint": forms.Textarea(attrs={"rows": 6}),
            "privacy_notice": forms.Textarea(attrs={"rows": 8}),
            "code_of_conduct": forms.Textarea(attrs={"rows": 8}),
            "mode": forms.RadioSelect,
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["timezone"].initial = "Europe/Berlin"

    def validate_unique(self) -> None:
        # The service checks the slug under its transaction and reports it on the field.
        pass


class EventCreateForm(EventForm):
    class Meta(EventForm.Meta):
        fields = ["name", "slug", "description", "mode", "timezone", "visibility", "capacity"]


class DayForm(forms.Form):
    date = forms.DateField(
        label=_("date"),
        widget=forms.DateInput(
            attrs={"type": "date", "min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()}
        ),
    )
    label = forms.CharField(
        label=_("label"), max_length=100, required=False, help_text=_("e.g. Day 1")
    )


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("e-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    organisation = forms.CharField(
        label=_("organisation"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    organisation_type = forms.ChoiceField(
        label=_("type of organisation"), choices=[("", "—"), *OrganisationType.choices]
    )
    days = forms.ModelMultipleChoiceField(
        label=_("days attending"),
        queryset=Day.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    accessibility_needs = forms.CharField(
        label=_("accessibility needs"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "e.g. step-free access, sign language interpreting, induction loop. "
            "Only the organisers see this."
        ),
    )
    public_listing = forms.BooleanField(
        label=_("Show my name and organisation on the public participant list"), required=False
    )
    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree to it."), required=True
    )

    def __init__(self, *args: Any, event: Event, email_fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        days = self.fields["days"]
        assert isinstance(days, forms.ModelMultipleChoiceField)
        days.queryset = event.days.all()
        if event.days.exists():
            days.required = True
            if event.days.count() == 1 and not self.is_bound:
                days.initial = list(event.days.all())
        else:
            del self.fields["days"]
        if email_fixed:
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _("You are logged in with this address.")

    def to_data(self, *, language: str) -> RegistrationData:
        c = self.cleaned_data
        return RegistrationData(
            name=c["name"],
            email=c["email"],
            organisation=c.get("organisation", ""),
            organisation_type=c["organisation_type"],
            days=tuple(c.get("days") or ()),
            accessibility_needs=c.get("accessibility_needs", ""),
            public_listing=c.get("public_listing", False),
            privacy_consent=c["privacy_consent"],
            language=language,
        )


class RegistrationEditForm(RegistrationForm):
    """Change one's own details; consent was given already."""

    def __init__(self, *args: Any, registration: Registration, **kwargs: Any) -> None:
        initial = {
            "name": registration.name,
            "email": registration.email,
            "organisation": registration.organisation,
            "organisation_type": registration.organisation_type,
            "days": list(registration.days.all()),
            "accessibility_needs": registration.accessibility_needs,
            "public_listing": registration.public_listing,
            "privacy_consent": True,
        }
        super().__init__(
            *args, event=registration.event, email_fixed=True, initial=initial, **kwargs
        )
        del self.fields["privacy_consent"]

    def to_data(self, *, language: str) -> RegistrationData:
        self.cleaned_data["privacy_consent"] = True
        return super().to_data(language=language)


class RegistrationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"), choices=[("", _("all")), *RegistrationStatus.choices], required=False
    )
    organisation_type = forms.ChoiceField(
        label=_("type of organisation"),
        choices=[("", _("all")), *OrganisationType.choices],
        required=False,
    )
    q = forms.CharField(
        label=_("search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("e-mail address"))
    role = forms.ChoiceField(label=_("role"), choices=Role.choices, initial=Role.MODERATOR)


class MoveRegistrationForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (RegistrationStatus.CONFIRMED, _("Confirm")),
            (RegistrationStatus.WAITING, _("To the waiting list")),
        ]
    )


class AnnouncementForm(forms.Form):
    text = forms.CharField(
        label=_("announcement"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Everyone at the barcamp sees it at once, as a banner on every page, and for the next "
            "12 hours when they come back. Links and simple formatting (Markdown) are possible. "
            "E.g. “The opening starts in 5 minutes in the main hall and on the stream.”"
        ),
    )
