"""Every change to proposals, interest and the pitch goes through here.

Locks: interest locks the proposal's row (and, with a per-person cap, the person's user row
first); the pitch locks its own row, and closing it also locks the barcamp's open proposals,
so a tap that races the close either commits before it or sees it closed. Several proposals
are always locked in ascending id order.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from unkonf.accounts.models import User
from unkonf.core.markdown import render_markdown
from unkonf.core.ratelimit import hit
from unkonf.core.services import record_audit
from unkonf.core.validation import clean_or_refuse
from unkonf.events import permissions as event_permissions
from unkonf.events.enums import EventMode, RegistrationStatus
from unkonf.events.models import Event, Registration
from unkonf.events.notifications import after_commit
from unkonf.proposals import notifications, permissions, selectors
from unkonf.proposals.enums import (
    ACTIVE_STATES,
    MaterialKind,
    PitchState,
    ProposalFormat,
    ProposalLanguage,
    ProposalState,
    QueueOrder,
)
from unkonf.proposals.exceptions import InterestRefused, PitchError, ProposalError
from unkonf.proposals.models import (
    COMMENT_MAX,
    Comment,
    Interest,
    Material,
    Pitch,
    Proposal,
    ProposalHost,
    ProposalSettings,
    Topic,
)
from unkonf.proposals.uploads import check_upload, safe_filename
from unkonf.realtime import groups, streams
from unkonf.realtime.coalesce import note_interest
from unkonf.realtime.messages import PitchChanged
from unkonf.venues.enums import Equipment

MAX_TOPICS = 5
MAX_MATERIALS = 10
MAX_EXTEND_SECONDS = 600
COMMENT_RATE_LIMIT = 10
COMMENT_RATE_WINDOW = 60

EDITABLE_FIELDS = ("title", "description", "format", "language", "slots", "mode", "needs")


# --- Proposals ------------------------------------------------------------------------------


def _topics(event: Event, names: Iterable[str]) -> list[Topic]:
    cleaned: dict[str, str] = {}
    for name in names:
        name = " ".join(name.split())[:60]
        if name:
            cleaned.setdefault(name.casefold(), name)
    if len(cleaned) > MAX_TOPICS:
        raise ProposalError(
            _("Please choose at most %(max)d topics.") % {"max": MAX_TOPICS}, field="topics"
        )
    topics = []
    for key, name in cleaned.items():
        topic = Topic.objects.filter(event=event, name__iexact=key).first()
        if topic is None:
            topic = Topic.objects.create(event=event, name=name)
        topics.append(topic)
    return topics


def _check_choices(fields: dict[str, Any]) -> None:
    needs = fields.get("needs")
    if needs is not None:
        known = set(Equipment.values)
        if not isinstance(needs, list) or not all(n in known for n in needs):
            raise ProposalError(_("Please choose needs from the list."), field="needs")
        fields["needs"] = sorted(set(needs), key=Equipment.values.index)
    choices = {
        "format": ProposalFormat.values,
        "language": ProposalLanguage.values,
        "mode": EventMode.values,
    }
    for field, allowed in choices.items():
        if field in fields and fields[field] not in allowed:
            raise ProposalError(_("Please choose a value from the list."), field=field)
    if "slots" in fields and fields["slots"] not in (1, 2):
        raise ProposalError(_("A session takes one or two slots."), field="slots")


def _render(proposal: Proposal) -> None:
    proposal.description = proposal.description.strip()
    proposal.title = " ".join(proposal.title.split())
    proposal.description_html = str(render_markdown(proposal.description))


@transaction.atomic
def create_proposal(
    event: Event,
    *,
    actor: User,
    title: str,
    description: str = "",
    format: str = ProposalFormat.DISCUSSION,
    topics: Sequence[str] = (),
    language: str = ProposalLanguage.GERMAN,
    slots: int = 1,
    mode: str = EventMode.ON_SITE,
    needs: list[str] | None = None,
    submit: bool = True,
) -> Proposal:
    """A new proposal with the actor as its first host; a draft unless ``submit``."""
    settings = selectors.get_settings(event)
    if not permissions.can_propose(actor, event, settings):
        if not settings.proposals_open:
            raise ProposalError(_("Proposals are closed for this barcamp."))
        raise ProposalError(_("Only registered participants can propose sessions."))
    fields: dict[str, Any] = {
        "format": format,
        "language": language,
        "slots": slots,
        "mode": mode,
        "needs": needs or [],
    }
    _check_choices(fields)
    proposal = Proposal(
        event=event, title=title, description=description, created_by=actor, **fields
    )
    _render(proposal)
    clean_or_refuse(proposal, ProposalError, exclude=["event", "created_by", "merged_into"])
    proposal.save()
    proposal.topics.set(_topics(event, topics))
    ProposalHost.objects.create(proposal=proposal, user=actor, confirmed_at=timezone.now())
    permissions.forget_hosts(actor)
    record_audit("proposal.created", actor=actor, obj=proposal, event_id=event.pk)
    if submit:
        _submit(proposal, actor=actor)
    return proposal


@transaction.atomic
def update_proposal(
    proposal: Proposal, *, actor: User, topics: Sequence[str] | None = None, **fields: Any
) -> Proposal:
    """Change what the hosts (or moderators) may change; records which fields changed."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not permissions.can_edit_proposal(actor, proposal):
        raise ProposalError(_("You can no longer change this proposal."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ProposalError(
            _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    _check_choices(fields)
    changed = [name for name, value in fields.items() if getattr(proposal, name) != value]
    for name, value in fields.items():
        setattr(proposal, name, value)
    _render(proposal)
    clean_or_refuse(proposal, ProposalError, exclude=["event", "created_by", "merged_into"])
    proposal.save()
    if topics is not None:
        new_topics = _topics(proposal.event, topics)
        if {t.pk for t in new_topics} != set(proposal.topics.values_list("pk", flat=True)):
            proposal.topics.set(new_topics)
            changed.append("topics")
    if changed:
        record_audit(
            "proposal.changed",
            actor=actor,
            obj=proposal,
            event_id=proposal.event_id,
            data={"fields": sorted(changed)},
        )
        if proposal.queue_position is not None or _is_current(proposal):
            _pitch_changed(selectors.get_pitch(proposal.event))
    return proposal


def _is_current(proposal: Proposal) -> bool:
    return Pitch.objects.filter(event_id=proposal.event_id, current=proposal).exists()


def _submit(proposal: Proposal, *, actor: User) -> None:
    proposal.state = ProposalState.SUBMITTED
    proposal.submitted_at = timezone.now()
    pitch = Pitch.objects.select_for_update().filter(event_id=proposal.event_id).first()
    if pitch is not None and pitch.state == PitchState.OPEN:
        # Proposed during the pitch: it joins the end of the queue.
        proposal.queue_position = _queue_end(proposal.event_id)
    proposal.save(update_fields=["state", "submitted_at", "queue_position", "updated_at"])
    record_audit("proposal.submitted", actor=actor, obj=proposal, event_id=proposal.event_id)
    if pitch is not None and pitch.state == PitchState.OPEN:
        _pitch_changed(pitch)


@transaction.atomic
def submit_proposal(proposal: Proposal, *, actor: User) -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not permissions.can_edit_proposal(actor, proposal):
        raise ProposalError(_("You can no longer change this proposal."))
    if proposal.state not in (ProposalState.DRAFT, ProposalState.WITHDRAWN):
        raise ProposalError(_("This proposal has already been submitted."))
    _submit(proposal, actor=actor)
    return proposal


@transaction.atomic
def withdraw_proposal(proposal: Proposal, *, actor: User) -> Proposal:
    """The hosts take it back; it leaves the queue, and interest in it no longer counts."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not permissions.can_edit_proposal(actor, proposal):
        raise ProposalError(_("You can no longer change this proposal."))
    if proposal.state not in (ProposalState.SUBMITTED, ProposalState.PITCHED):
        raise ProposalError(_("Only a submitted proposal can be withdrawn."))
    pitch = Pitch.objects.select_for_update().filter(event_id=proposal.event_id).first()
    if pitch is not None and pitch.current_id == proposal.pk:
        raise ProposalError(_("This proposal is being pitched right now."))
    in_queue = proposal.queue_position is not None
    proposal.state = ProposalState.WITHDRAWN
    proposal.queue_position = None
    proposal.save(update_fields=["state", "queue_position", "updated_at"])
    record_audit("proposal.withdrawn", actor=actor, obj=proposal, event_id=proposal.event_id)
    if pitch is not None and in_queue:
        _pitch_changed(pitch)
    return proposal


# --- Hosts --------------------------------------------------------------------------------------


@transaction.atomic
def invite_cohost(proposal: Proposal, *, actor: User, email: str) -> ProposalHost:
    """Ask another participant of the barcamp to co-host; they confirm by themselves."""
    if not permissions.can_edit_proposal(actor, proposal):
        raise ProposalError(_("You can no longer change this proposal."))
    email = email.strip()
    registration = (
        Registration.objects.filter(
            event_id=proposal.event_id, email__iexact=email, status=RegistrationStatus.CONFIRMED
        )
        .select_related("user")
        .first()
    )
    user = registration.user if registration is not None else None
    if user is None:
        user = User.objects.filter(email__iexact=email, erased_at__isnull=True).first()
        if user is not None and not event_permissions.roles_of(user, proposal.event):
            user = None
    if user is None:
        raise ProposalError(
            _("Nobody with this e-mail address takes part in this barcamp."), field="email"
        )
    if proposal.hosts.filter(user=user).exists():
        raise ProposalError(_("This person is already a host or has been asked."), field="email")
    host = ProposalHost.objects.create(proposal=proposal, user=user, invited_by=actor)
    record_audit(
        "proposal.cohost_invited",
        actor=actor,
        obj=proposal,
        event_id=proposal.event_id,
        data={"user": user.pk},
    )
    after_commit(lambda: notifications.send_cohost_invitation(host))
    return host


@transaction.atomic
def answer_cohost_invitation(host: ProposalHost, *, actor: User, accept: bool) -> None:
    if host.user_id != actor.pk or host.confirmed_at is not None:
        raise ProposalError(_("This invitation is not open for you."))
    proposal = host.proposal
    if accept:
        host.confirmed_at = timezone.now()
        host.save(update_fields=["confirmed_at"])
        record_audit(
            "proposal.cohost_confirmed", actor=actor, obj=proposal, event_id=proposal.event_id
        )
    else:
        host.delete()
        record_audit(
            "proposal.cohost_declined", actor=actor, obj=proposal, event_id=proposal.event_id
        )
    permissions.forget_hosts(actor)


@transaction.atomic
def remove_host(host: ProposalHost, *, actor: User) -> None:
    """Hosts remove co-hosts (or themselves); at least one confirmed host stays."""
    proposal = Proposal.objects.select_for_update().get(pk=host.proposal_id)
    if host.user_id != actor.pk and not permissions.can_edit_proposal(actor, proposal):
        raise ProposalError(_("You can no longer change this proposal."))
    others = proposal.hosts.filter(confirmed_at__isnull=False).exclude(pk=host.pk)
    if host.confirmed_at is not None and not others.exists() and not proposal.host_name:
        raise ProposalError(_("A proposal needs at least one host."))
    host.delete()
    permissions.forget_hosts(actor)
    record_audit(
        "proposal.host_removed",
        actor=actor,
        obj=proposal,
        event_id=proposal.event_id,
        data={"user": host.user_id},
    )


# --- Interest -----------------------------------------------------------------------------------


def _announce_interest(proposal: Proposal) -> None:
    """After commit, the new count goes to the screens, coalesced (``realtime.coalesce``)."""
    stream = groups.pitch_stream(proposal.event_id)
    pk, count, version = proposal.pk, proposal.interest_count, proposal.interest_version
    transaction.on_commit(lambda: note_interest(stream, pk, count, version), robust=True)


@dataclass(frozen=True)
class Tap:
    """One person's "I'm in" (``want``) or taking it back, for one proposal."""

    user: User
    proposal_id: int
    want: bool


@dataclass(frozen=True)
class TapResult:
    proposal_id: int
    interested: bool
    count: int
    version: int
    counts_hidden: bool  # the count must not be shown to participants yet


def _cap_refusal(limit: int) -> InterestRefused:
    return InterestRefused(
        ngettext(
            "You can show interest in at most %(max)d session. Take it back first.",
            "You can show interest in at most %(max)d sessions. Take back one first.",
            limit,
        )
        % {"max": limit}
    )


@transaction.atomic
def set_interests(event: Event, taps: Sequence[Tap]) -> list[TapResult | InterestRefused]:
    """Apply a burst of taps in one transaction, in the order given; one result per tap.

    The one write path for interest (``cast_interest`` and ``withdraw_interest`` are a burst
    of one). Counted once per person however often it is tapped: the rows are unique, and
    the count changes under the proposals' row locks. Taken in this order: the people's
    user rows (only with a per-person cap, so that taps on several proposals cannot exceed
    it), then the proposals by id, then the pitch's state is read — so a tap either commits
    before the pitch closes (``close_pitch`` locks the open proposals) or sees it closed.
    Taps of a whole hall come in bursts of this kind from the websocket
    (``proposals.taps``): one commit for many taps.
    """
    settings = selectors.get_settings(event)
    results: list[TapResult | InterestRefused | None] = [None] * len(taps)
    allowed = permissions.participants_among(event, [tap.user for tap in taps])
    live = []
    for index, tap in enumerate(taps):
        if tap.user.pk in allowed:
            live.append(index)
        else:
            results[index] = InterestRefused(_("Only registered participants can show interest."))
    user_ids = sorted({taps[i].user.pk for i in live})
    limit = settings.max_interests
    if limit is not None and any(taps[i].want for i in live):
        list(User.objects.select_for_update().filter(pk__in=user_ids).order_by("pk").values("pk"))
    proposals = {
        p.pk: p
        for p in Proposal.objects.select_for_update()
        .filter(event=event, pk__in={taps[i].proposal_id for i in live})
        .order_by("pk")
    }
    pitch = selectors.find_pitch(event)
    closed = pitch is not None and pitch.state == PitchState.CLOSED
    hidden = settings.hide_counts_until_pitch and (
        pitch is None or pitch.state == PitchState.PREPARING
    )
    existing = set(
        Interest.objects.filter(proposal__in=list(proposals), user_id__in=user_ids).values_list(
            "proposal_id", "user_id"
        )
    )
    active: dict[int, int] = {}
    if limit is not None:
        active = dict(
            Interest.objects.filter(
                event=event, user_id__in=user_ids, proposal__state__in=ACTIVE_STATES
            )
            .values("user_id")
            .annotate(n=Count("pk"))
            .values_list("user_id", "n")
        )
    added: set[tuple[int, int]] = set()
    removed: set[tuple[int, int]] = set()
    changed: set[int] = set()
    for index in live:
        tap = taps[index]
        proposal = proposals.get(tap.proposal_id)
        if proposal is None:
            results[index] = InterestRefused(_("Unknown proposal."))
            continue
        key = (proposal.pk, tap.user.pk)
        is_active = proposal.state in ACTIVE_STATES
        if tap.want and key not in existing:
            if not is_active:
                results[index] = InterestRefused(_("This proposal is not open for interest."))
                continue
            if closed:
                results[index] = InterestRefused(
                    _("The pitch is over: interest is fixed for planning.")
                )
                continue
            if limit is not None and active.get(tap.user.pk, 0) >= limit:
                results[index] = _cap_refusal(limit)
                continue
            existing.add(key)
            if key in removed:
                removed.discard(key)
            else:
                added.add(key)
            proposal.interest_count += 1
            active[tap.user.pk] = active.get(tap.user.pk, 0) + 1
        elif not tap.want and key in existing:
            if closed and is_active:
                results[index] = InterestRefused(
                    _("The pitch is over: interest is fixed for planning.")
                )
                continue
            existing.discard(key)
            if key in added:
                added.discard(key)
            else:
                removed.add(key)
            proposal.interest_count = max(0, proposal.interest_count - 1)
            if is_active:
                active[tap.user.pk] = active.get(tap.user.pk, 1) - 1
        else:
            # A double tap, or taking back what was not there: nothing changes.
            results[index] = TapResult(
                proposal.pk, tap.want, proposal.interest_count, proposal.interest_version, hidden
            )
            continue
        proposal.interest_version += 1
        changed.add(proposal.pk)
        results[index] = TapResult(
            proposal.pk, tap.want, proposal.interest_count, proposal.interest_version, hidden
        )
    if added:
        Interest.objects.bulk_create(
            [Interest(event=event, proposal_id=pk, user_id=uid) for pk, uid in sorted(added)]
        )
    for pk in sorted({pk for pk, _uid in removed}):
        Interest.objects.filter(
            proposal_id=pk, user_id__in=[u for p, u in removed if p == pk]
        ).delete()
    for pk in sorted(changed):
        proposal = proposals[pk]
        Proposal.objects.filter(pk=pk).update(
            interest_count=proposal.interest_count, interest_version=proposal.interest_version
        )
        if not hidden:
            _announce_interest(proposal)
    return [r for r in results if r is not None]


def _apply_one(proposal: Proposal, *, actor: User, want: bool) -> Proposal:
    result = set_interests(proposal.event, [Tap(actor, proposal.pk, want)])[0]
    if isinstance(result, InterestRefused):
        raise result
    proposal.interest_count = result.count
    proposal.interest_version = result.version
    return proposal


def cast_interest(proposal: Proposal, *, actor: User) -> Proposal:
    """ "Ich bin dabei": counted once per person, however often it is tapped."""
    return _apply_one(proposal, actor=actor, want=True)


def withdraw_interest(proposal: Proposal, *, actor: User) -> Proposal:
    return _apply_one(proposal, actor=actor, want=False)


# --- Comments -----------------------------------------------------------------------------------


@transaction.atomic
def add_comment(proposal: Proposal, *, actor: User, text: str) -> Comment:
    """A comment or question; the hosts hear of it by mail."""
    text = text.strip()
    if not text:
        raise ProposalError(_("Please write a comment."), field="text")
    if len(text) > COMMENT_MAX:
        raise ProposalError(
            _("A comment can have at most %(max)d characters.") % {"max": COMMENT_MAX}, field="text"
        )
    if not permissions.can_comment(actor, proposal):
        raise ProposalError(_("Only registered participants can comment."))
    if not hit(
        "comment",
        f"{proposal.event_id}:{actor.pk}",
        limit=COMMENT_RATE_LIMIT,
        window_seconds=COMMENT_RATE_WINDOW,
    ):
        raise ProposalError(_("You are writing very fast. Please wait a minute."))
    comment = Comment.objects.create(
        proposal=proposal, author=actor, text=text, html=str(render_markdown(text))
    )
    hosts = list(
        proposal.hosts.filter(confirmed_at__isnull=False)
        .exclude(user=actor)
        .values_list("user_id", flat=True)
    )
    if hosts:
        after_commit(lambda: notifications.send_comment_notice(comment, host_ids=hosts))
    return comment


@transaction.atomic
def delete_comment(comment: Comment, *, actor: User) -> None:
    proposal = comment.proposal
    if comment.author_id != actor.pk and not permissions.can_moderate_proposals(
        actor, proposal.event
    ):
        raise ProposalError(_("You may only delete your own comments."))
    comment.deleted_at = timezone.now()
    comment.deleted_by = actor
    comment.save(update_fields=["deleted_at", "deleted_by"])
    if comment.author_id != actor.pk:
        record_audit(
            "proposal.comment_deleted", actor=actor, obj=proposal, event_id=proposal.event_id
        )


# --- Materials ----------------------------------------------------------------------------------


def _check_material_room(proposal: Proposal, actor: User) -> None:
    if not permissions.can_edit_proposal(actor, proposal):
        raise ProposalError(_("You can no longer change this proposal."))
    if proposal.materials.count() >= MAX_MATERIALS:
        raise ProposalError(
            _("A proposal can have at most %(max)d materials.") % {"max": MAX_MATERIALS}
        )


@transaction.atomic
def add_material_file(
    proposal: Proposal, *, actor: User, upload: IO[bytes], name: str, title: str = ""
) -> Material:
    """Checked by its content first; nothing is stored if the check refuses it."""
    _check_material_room(proposal, actor)
    checked = check_upload(upload, name=name)
    filename = safe_filename(name, checked.extension)
    material = Material(
        proposal=proposal,
        kind=MaterialKind.FILE,
        title=(title.strip() or filename)[:200],
        filename=filename,
        content_type=checked.content_type,
        uploaded_by=actor,
    )
    upload.seek(0)
    data = upload.read()
    material.size = len(data)
    material.file.save(filename, ContentFile(data), save=False)
    try:
        material.save()
        record_audit(
            "proposal.material_added",
            actor=actor,
            obj=proposal,
            event_id=proposal.event_id,
            data={"file": filename},
        )
    except BaseException:
        # Nothing half-saved: no file without its row.
        material.file.storage.delete(material.file.name)
        raise
    return material


@transaction.atomic
def add_material_link(proposal: Proposal, *, actor: User, url: str, title: str = "") -> Material:
    _check_material_room(proposal, actor)
    material = Material(
        proposal=proposal,
        kind=MaterialKind.LINK,
        url=url.strip(),
        title=(title.strip() or url.strip())[:200],
        uploaded_by=actor,
    )
    clean_or_refuse(material, ProposalError, exclude=["proposal", "file", "uploaded_by"])
    if not material.url.lower().startswith(("https://", "http://")):
        raise ProposalError(_("Please enter a web address starting with https://."), field="url")
    material.save()
    record_audit(
        "proposal.material_added",
        actor=actor,
        obj=proposal,
        event_id=proposal.event_id,
        data={"link": material.url},
    )
    return material


@transaction.atomic
def remove_material(material: Material, *, actor: User) -> None:
    proposal = material.proposal
    if not permissions.can_edit_proposal(actor, proposal):
        raise ProposalError(_("You can no longer change this proposal."))
    name = material.file.name if material.file else ""
    storage = material.file.storage if material.file else None
    material.delete()
    if name and storage is not None:
        transaction.on_commit(lambda: storage.delete(name), robust=True)
    record_audit(
        "proposal.material_removed",
        actor=actor,
        obj=proposal,
        event_id=proposal.event_id,
        data={"title": material.title},
    )


# --- Merging duplicates -------------------------------------------------------------------------


@transaction.atomic
def merge_proposals(target: Proposal, *, sources: Sequence[Proposal], actor: User) -> Proposal:
    """Fold duplicates into ``target``: hosts become co-hosts, interests and comments are
    combined, and nobody is counted twice."""
    event = target.event
    if not permissions.can_moderate_proposals(actor, event):
        raise ProposalError(_("Only organisers and moderators merge proposals."))
    ids = sorted({target.pk, *(s.pk for s in sources)})
    if len(ids) < 2:
        raise ProposalError(_("Please choose at least one other proposal to merge."))
    locked = {
        p.pk: p
        for p in Proposal.objects.select_for_update().filter(pk__in=ids, event=event).order_by("pk")
    }
    if len(locked) != len(ids):
        raise ProposalError(_("These proposals do not belong to this barcamp."))
    pitch = Pitch.objects.select_for_update().filter(event=event).first()
    target = locked[target.pk]
    mergeable = {ProposalState.SUBMITTED, ProposalState.PITCHED, ProposalState.DRAFT}
    for proposal in locked.values():
        if proposal.state not in mergeable:
            raise ProposalError(
                _("“%(title)s” cannot be merged in its state (%(state)s).")
                % {"title": proposal.title, "state": proposal.get_state_display()}
            )
        if pitch is not None and pitch.current_id == proposal.pk:
            raise ProposalError(_("A proposal that is being pitched cannot be merged."))
    now = timezone.now()
    target_hosts = set(target.hosts.values_list("user_id", flat=True))
    target_interested = set(target.interests.values_list("user_id", flat=True))
    topics = set(target.topics.values_list("pk", flat=True))
    needs = list(target.needs)
    host_names = [target.host_name] if target.host_name else []
    source_ids = [pk for pk in ids if pk != target.pk]
    for pk in source_ids:
        source = locked[pk]
        new_hosts = [
            ProposalHost(
                proposal=target,
                user_id=host.user_id,
                confirmed_at=host.confirmed_at or now,
                invited_by=actor,
            )
            for host in source.hosts.exclude(user_id__in=target_hosts)
        ]
        ProposalHost.objects.bulk_create(new_hosts)
        target_hosts |= {host.user_id for host in new_hosts}
        # Interest moves over once per person; who was interested in both keeps one row.
        moving = source.interests.exclude(user_id__in=target_interested)
        target_interested |= set(moving.values_list("user_id", flat=True))
        moving.update(proposal=target)
        source.interests.all().delete()
        Comment.objects.filter(proposal=source).update(proposal=target)
        Material.objects.filter(proposal=source).update(proposal=target)
        topics |= set(source.topics.values_list("pk", flat=True))
        needs += [n for n in source.needs if n not in needs]
        if source.host_name and source.host_name not in host_names:
            host_names.append(source.host_name)
        source.state = ProposalState.MERGED
        source.merged_into = target
        source.queue_position = None
        source.interest_count = 0
        source.interest_version += 1
        source.save(
            update_fields=[
                "state",
                "merged_into",
                "queue_position",
                "interest_count",
                "interest_version",
                "updated_at",
            ]
        )
    if target.state == ProposalState.DRAFT:
        target.state = ProposalState.SUBMITTED
        target.submitted_at = now
    target.slots = max(p.slots for p in locked.values())
    target.needs = needs
    target.host_name = ", ".join(host_names)[:200]
    target.interest_count = len(target_interested)
    target.interest_version += 1
    target.save()
    target.topics.set(topics)
    record_audit(
        "proposal.merged",
        actor=actor,
        obj=target,
        event_id=event.pk,
        data={"merged": source_ids},
    )
    settings = selectors.get_settings(event)
    if not (
        settings.hide_counts_until_pitch and (pitch is None or pitch.state == PitchState.PREPARING)
    ):
        _announce_interest(target)
    if pitch is not None and pitch.state == PitchState.OPEN:
        _pitch_changed(pitch)
    return target


# --- Settings -----------------------------------------------------------------------------------


@transaction.atomic
def save_settings(settings: ProposalSettings, *, actor: User) -> ProposalSettings:
    if not event_permissions.can_manage_event(actor, settings.event):
        raise ProposalError(_("Only organisers change these settings."))
    clean_or_refuse(settings, ProposalError, exclude=["event"])
    settings.save()
    record_audit(
        "proposal.settings_changed", actor=actor, obj=settings.event, event_id=settings.event_id
    )
    return settings


# --- The pitch ----------------------------------------------------------------------------------


def _pitch_changed(pitch: Pitch) -> None:
    """Store and announce the pitch's new state (screens fetch what it looks like)."""
    pitch.version += 1
    pitch.save(update_fields=["version"])
    streams.append(groups.pitch_stream(pitch.event_id), pitch_message(pitch))


def pitch_message(pitch: Pitch) -> PitchChanged:
    current = (
        Proposal.objects.filter(pk=pitch.current_id)
        .only("title", "interest_count", "interest_version")
        .first()
        if pitch.current_id
        else None
    )
    next_up = (
        Proposal.objects.filter(
            event_id=pitch.event_id, state=ProposalState.SUBMITTED, queue_position__isnull=False
        )
        .order_by("queue_position", "pk")
        .only("title")
        .first()
    )
    settings = selectors.get_settings(pitch.event)
    hidden = settings.hide_counts_until_pitch and pitch.state == PitchState.PREPARING
    return PitchChanged(
        version=pitch.version,
        state=pitch.state,
        current=pitch.current_id,
        timer_running=pitch.timer_running,
        ends_at=pitch.timer_ends_at.timestamp() if pitch.timer_ends_at else None,
        remaining=round(remaining_seconds(pitch), 1),
        duration=pitch.duration,
        title=current.title if current else "",
        next_title=next_up.title if next_up else "",
        count=None if current is None or hidden else current.interest_count,
        count_version=current.interest_version if current else 0,
    )


def remaining_seconds(pitch: Pitch) -> float:
    if pitch.timer_running and pitch.timer_ends_at is not None:
        return max(0.0, (pitch.timer_ends_at - timezone.now()).total_seconds())
    return max(0.0, pitch.timer_remaining)


def _locked_pitch(event: Event, actor: User, *, running: bool = False) -> Pitch:
    """The barcamp's pitch, locked, for a moderator; ``running``: refused unless it is open."""
    if not permissions.can_moderate_proposals(actor, event):
        raise PitchError(_("Only organisers and moderators run the pitch."))
    pitch, _created = Pitch.objects.select_for_update().get_or_create(event=event)
    if running and pitch.state != PitchState.OPEN:
        raise PitchError(_("The pitch is not running."))
    return pitch


def _queue_end(event_id: int) -> int:
    last = Proposal.objects.filter(event_id=event_id, queue_position__isnull=False).aggregate(
        last=Max("queue_position")
    )["last"]
    return (last or 0) + 1


def _renumber(proposals: Sequence[Proposal]) -> None:
    for position, proposal in enumerate(proposals, start=1):
        if proposal.queue_position != position:
            proposal.queue_position = position
            proposal.save(update_fields=["queue_position"])


def _ordered(proposals: list[Proposal], order: str) -> list[Proposal]:
    if order == QueueOrder.SHUFFLED:
        random.SystemRandom().shuffle(proposals)
        return proposals
    if order == QueueOrder.SUBMISSION:
        return sorted(proposals, key=lambda p: (p.submitted_at or p.created_at, p.pk))
    return sorted(
        proposals,
        key=lambda p: (
            p.queue_position is None,
            p.queue_position or 0,
            p.submitted_at or p.created_at,
            p.pk,
        ),
    )


def _start_timer(pitch: Pitch, seconds: float) -> None:
    pitch.timer_running = True
    pitch.timer_remaining = seconds
    pitch.timer_ends_at = timezone.now() + datetime.timedelta(seconds=seconds)


def _stop_timer(pitch: Pitch) -> None:
    pitch.timer_remaining = remaining_seconds(pitch)
    pitch.timer_running = False
    pitch.timer_ends_at = None


@transaction.atomic
def open_pitch(event: Event, *, actor: User, order: str = QueueOrder.SUBMISSION) -> Pitch:
    """Start the pitch: every submitted proposal joins the queue in the chosen order."""
    pitch = _locked_pitch(event, actor)
    if order not in QueueOrder.values:
        raise PitchError(_("Please choose an order for the queue."))
    if pitch.state == PitchState.OPEN:
        raise PitchError(_("The pitch is already running."))
    waiting = list(
        Proposal.objects.select_for_update()
        .filter(event=event, state=ProposalState.SUBMITTED)
        .order_by("pk")
    )
    _renumber(_ordered(waiting, order))
    pitch.state = PitchState.OPEN
    pitch.order = order
    pitch.opened_at = pitch.opened_at or timezone.now()
    pitch.closed_at = None
    pitch.duration = selectors.get_settings(event).pitch_seconds
    pitch.save()
    record_audit("pitch.opened", actor=actor, obj=pitch, event_id=event.pk, data={"order": order})
    _pitch_changed(pitch)
    return pitch


@transaction.atomic
def reorder_queue(event: Event, *, actor: User, order: str) -> Pitch:
    """Sort the whole queue anew: by submission, or shuffled."""
    pitch = _locked_pitch(event, actor)
    if order not in QueueOrder.values:
        raise PitchError(_("Please choose an order for the queue."))
    queue = list(
        Proposal.objects.select_for_update()
        .filter(event=event, state=ProposalState.SUBMITTED, queue_position__isnull=False)
        .order_by("pk")
    )
    _renumber(_ordered(queue, order))
    pitch.order = order
    pitch.save(update_fields=["order"])
    record_audit(
        "pitch.queue_sorted", actor=actor, obj=pitch, event_id=event.pk, data={"order": order}
    )
    _pitch_changed(pitch)
    return pitch


@transaction.atomic
def move_in_queue(proposal: Proposal, *, actor: User, position: int) -> Pitch:
    """Put a proposal at ``position`` (1 = next) in the queue; it joins the queue if needed."""
    event = proposal.event
    pitch = _locked_pitch(event, actor)
    queue = list(
        Proposal.objects.select_for_update()
        .filter(event=event, state=ProposalState.SUBMITTED, queue_position__isnull=False)
        .order_by("queue_position", "pk")
    )
    moving = next((p for p in queue if p.pk == proposal.pk), None)
    if moving is None:
        moving = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if moving.state != ProposalState.SUBMITTED or pitch.current_id == moving.pk:
            raise PitchError(_("Only submitted proposals wait in the queue."))
    else:
        queue.remove(moving)
    position = min(max(position, 1), len(queue) + 1)
    queue.insert(position - 1, moving)
    _renumber(queue)
    pitch.order = QueueOrder.MANUAL
    pitch.save(update_fields=["order"])
    record_audit(
        "pitch.queue_moved",
        actor=actor,
        obj=moving,
        event_id=event.pk,
        data={"position": position},
    )
    _pitch_changed(pitch)
    return pitch


@transaction.atomic
def remove_from_queue(proposal: Proposal, *, actor: User) -> Pitch:
    pitch = _locked_pitch(proposal.event, actor)
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.queue_position is None:
        raise PitchError(_("This proposal is not in the queue."))
    locked.queue_position = None
    locked.save(update_fields=["queue_position"])
    _renumber(list(selectors.pitch_queue(proposal.event).select_for_update(of=("self",))))
    record_audit("pitch.queue_removed", actor=actor, obj=locked, event_id=locked.event_id)
    _pitch_changed(pitch)
    return pitch


@transaction.atomic
def add_spontaneous_proposal(
    event: Event, *, actor: User, title: str, host_name: str, next_up: bool = False
) -> Proposal:
    """A proposal made at the pitch: a title and a host's name suffice (no account needed)."""
    pitch = _locked_pitch(event, actor)
    host_name = " ".join(host_name.split())
    if not host_name:
        raise ProposalError(_("Please enter the host's name."), field="host_name")
    proposal = Proposal(
        event=event,
        title=title,
        host_name=host_name,
        created_by=actor,
        state=ProposalState.SUBMITTED,
        submitted_at=timezone.now(),
    )
    _render(proposal)
    clean_or_refuse(proposal, ProposalError, exclude=["event", "created_by", "merged_into"])
    queue = (
        list(selectors.pitch_queue(event).select_for_update(of=("self",)))
        if pitch.state == PitchState.OPEN
        else []
    )
    proposal.queue_position = None if pitch.state != PitchState.OPEN else len(queue) + 1
    proposal.save()
    if next_up and pitch.state == PitchState.OPEN:
        _renumber([proposal, *queue])
    record_audit(
        "proposal.created", actor=actor, obj=proposal, event_id=event.pk, data={"spontaneous": True}
    )
    if pitch.state == PitchState.OPEN:
        _pitch_changed(pitch)
    return proposal


def _finish_current(pitch: Pitch, actor: User) -> None:
    if pitch.current_id is None:
        return
    current = Proposal.objects.select_for_update().get(pk=pitch.current_id)
    if current.state == ProposalState.SUBMITTED:
        current.state = ProposalState.PITCHED
        current.pitched_at = timezone.now()
        current.queue_position = None
        current.save(update_fields=["state", "pitched_at", "queue_position", "updated_at"])
        record_audit("proposal.pitched", actor=actor, obj=current, event_id=pitch.event_id)
    pitch.current = None
    _stop_timer(pitch)


@transaction.atomic
def next_pitch(event: Event, *, actor: User, proposal: Proposal | None = None) -> Pitch:
    """The current pitch is done (its proposal goes to the grid's backlog); the next one — the
    first in the queue, or ``proposal`` — takes the stage and its timer starts."""
    pitch = _locked_pitch(event, actor, running=True)
    _finish_current(pitch, actor)
    queue = list(selectors.pitch_queue(event).select_for_update(of=("self",)))
    if proposal is not None:
        chosen = next((p for p in queue if p.pk == proposal.pk), None)
        if chosen is None:
            raise PitchError(_("This proposal is not in the queue."))
    else:
        chosen = queue[0] if queue else None
    if chosen is not None:
        queue.remove(chosen)
        chosen.queue_position = None
        chosen.save(update_fields=["queue_position"])
        _renumber(queue)
        pitch.current = chosen
        pitch.duration = selectors.get_settings(event).pitch_seconds
        _start_timer(pitch, pitch.duration)
    pitch.save()
    _pitch_changed(pitch)
    return pitch


@transaction.atomic
def finish_pitch(event: Event, *, actor: User) -> Pitch:
    """The current pitch is done; nobody is on stage until the next one."""
    pitch = _locked_pitch(event, actor, running=True)
    _finish_current(pitch, actor)
    pitch.save()
    _pitch_changed(pitch)
    return pitch


@transaction.atomic
def skip_pitch(event: Event, *, actor: User) -> Pitch:
    """The host is not here yet: the current proposal goes back to the end of the queue."""
    pitch = _locked_pitch(event, actor, running=True)
    if pitch.current_id is None:
        raise PitchError(_("Nobody is pitching right now."))
    current = Proposal.objects.select_for_update().get(pk=pitch.current_id)
    current.queue_position = _queue_end(event.pk)
    current.save(update_fields=["queue_position"])
    pitch.current = None
    _stop_timer(pitch)
    pitch.save()
    _pitch_changed(pitch)
    return pitch


@transaction.atomic
def control_timer(event: Event, *, actor: User, action: str, seconds: int = 30) -> Pitch:
    """``start`` (or resume), ``pause``, ``extend`` by ``seconds``, ``reset`` to full length."""
    pitch = _locked_pitch(event, actor, running=True)
    if pitch.current_id is None:
        raise PitchError(_("Nobody is pitching right now."))
    if action == "start":
        if not pitch.timer_running:
            _start_timer(pitch, pitch.timer_remaining or pitch.duration)
    elif action == "pause":
        if pitch.timer_running:
            _stop_timer(pitch)
    elif action == "extend":
        if not 1 <= seconds <= MAX_EXTEND_SECONDS:
            raise PitchError(_("Extend by 1 to %(max)d seconds.") % {"max": MAX_EXTEND_SECONDS})
        if pitch.timer_running and pitch.timer_ends_at is not None:
            pitch.timer_ends_at = max(pitch.timer_ends_at, timezone.now()) + datetime.timedelta(
                seconds=seconds
            )
        else:
            pitch.timer_remaining = pitch.timer_remaining + seconds
    elif action == "reset":
        pitch.timer_running = False
        pitch.timer_ends_at = None
        pitch.timer_remaining = pitch.duration
    else:
        raise PitchError(_("Unknown timer action."))
    pitch.save()
    _pitch_changed(pitch)
    return pitch


@transaction.atomic
def close_pitch(event: Event, *, actor: User) -> Pitch:
    """The pitch is over: the last proposal is pitched and interest is fixed for planning.

    Locks the barcamp's open proposals, so every tap either commits before this or is refused.
    """
    pitch = _locked_pitch(event, actor, running=True)
    list(
        Proposal.objects.select_for_update()
        .filter(event=event, state__in=ACTIVE_STATES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    _finish_current(pitch, actor)
    Proposal.objects.filter(event=event, queue_position__isnull=False).update(queue_position=None)
    pitch.state = PitchState.CLOSED
    pitch.closed_at = timezone.now()
    pitch.save()
    record_audit("pitch.closed", actor=actor, obj=pitch, event_id=event.pk)
    _pitch_changed(pitch)
    return pitch


@transaction.atomic
def reopen_pitch(event: Event, *, actor: User) -> Pitch:
    pitch = _locked_pitch(event, actor)
    if pitch.state != PitchState.CLOSED:
        raise PitchError(_("The pitch is not closed."))
    pitch.state = PitchState.OPEN
    pitch.closed_at = None
    pitch.save()
    record_audit("pitch.reopened", actor=actor, obj=pitch, event_id=event.pk)
    _pitch_changed(pitch)
    return pitch
