"""Pages of session proposals and of the pitch.

Every page works without JavaScript (forms post and redirect back). With JavaScript, the
interest button and the pitch controls post with htmx and swap the fragment they get back;
live changes arrive over the page's websocket (``static/unkonf/js/pitch.js``).
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unkonf.accounts.http import AuthedRequest
from unkonf.core.exceptions import DomainError
from unkonf.core.forms import add_domain_error
from unkonf.core.htmx import is_htmx
from unkonf.events import permissions as event_permissions
from unkonf.events.models import Event
from unkonf.events.selectors import access_event
from unkonf.proposals import permissions, selectors, services
from unkonf.proposals.enums import ProposalState
from unkonf.proposals.forms import (
    CohostForm,
    CommentForm,
    MaterialFileForm,
    MaterialLinkForm,
    MergeForm,
    OpenPitchForm,
    ProposalFilterForm,
    ProposalForm,
    ProposalSettingsForm,
    SpontaneousForm,
)
from unkonf.proposals.models import Pitch, Proposal
from unkonf.realtime import groups, streams

# --- Helpers ------------------------------------------------------------------------------------


def _context(request: HttpRequest, event: Event, **extra: Any) -> dict[str, Any]:
    settings = selectors.get_settings(event)
    pitch = selectors.find_pitch(event)
    takes_part = permissions.takes_part(request.user, event)
    return {
        "event": event,
        "can_manage": event_permissions.can_manage_event(request.user, event),
        "can_announce": event_permissions.can_send_announcements(request.user, event),
        "can_chat": takes_part,
        "can_moderate": permissions.can_moderate_proposals(request.user, event),
        "takes_part": takes_part,
        "show_names": permissions.can_see_host_names(request.user, event),
        "show_counts": permissions.counts_visible(request.user, event, settings, pitch),
        "proposal_settings": settings,
        "pitch": pitch,
        "pitch_stream": groups.pitch_stream(event.pk),
        # Where "back" (after a plain form, or after logging in) leads; a fragment overrides it
        # with the page it is part of, never with its own address.
        "page_path": request.get_full_path(),
        **extra,
    }


def _tappable(request: HttpRequest, proposals: list[Proposal], pitch: Pitch | None) -> set[int]:
    """The proposals of a list on which this person may tap "I'm in" (no queries)."""
    return {p.pk for p in proposals if permissions.can_show_interest(request.user, p, pitch)}


def _htmx_page(request: HttpRequest, default: str) -> str:
    """The page (on this site) that sent an htmx request, for links and forms back to it."""
    htmx = getattr(request, "htmx", None)
    current = getattr(htmx, "current_url_abs_path", None) if htmx else None
    if isinstance(current, str) and current.startswith("/") and not current.startswith("//"):
        return current
    return default


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _outcome(request: HttpRequest, text: str, *, ok: bool, back: str) -> HttpResponse:
    """A short text for a script, or a message and a redirect for a plain form."""
    if is_htmx(request):
        return HttpResponse(
            text, content_type="text/plain; charset=utf-8", status=200 if ok else 400
        )
    (messages.success if ok else messages.error)(request, text)
    return redirect(back)


def _proposal(request: HttpRequest, slug: str, pk: int) -> tuple[Event, Proposal]:
    event = access_event(request.user, slug)
    return event, selectors.access_proposal(request.user, event, pk)


# --- Lists --------------------------------------------------------------------------------------


@require_GET
def proposal_list(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_event(request.user, slug)
    can_moderate = permissions.can_moderate_proposals(request.user, event)
    topics = list(selectors.list_topics(event).values_list("pk", "name"))
    form = ProposalFilterForm(
        request.GET or None,
        topics=topics,
        drafts=request.user.is_authenticated,
        all_states=can_moderate,
    )
    filters: dict[str, Any] = {}
    if form.is_bound:
        # A stale value (a topic that is gone, a state no longer offered) drops only itself.
        form.is_valid()
        data = form.cleaned_data
        filters = {
            "search": data.get("q") or None,
            "topic": data.get("topic"),
            "format": data.get("format") or None,
            "mode": data.get("mode") or None,
            "state": data.get("state") or None,
            "sort": data.get("sort") or "old",
        }
    context = _context(request, event)
    if filters.get("sort") == "interest" and not context["show_counts"]:
        filters["sort"] = "old"
    proposals = list(selectors.list_proposals(event, actor=request.user, **filters))
    context.update(
        {
            "form": form,
            "proposals": proposals,
            "tappable": _tappable(request, proposals, context["pitch"]),
            "interested": selectors.interested_ids(event, request.user),
            "can_propose": permissions.can_propose(
                request.user, event, context["proposal_settings"]
            ),
            "filtered": any(v for k, v in filters.items() if k != "sort"),
        }
    )
    return render(request, "proposals/proposal_list.html", context)


@login_required
@require_GET
def proposal_mine(request: AuthedRequest, slug: str) -> HttpResponse:
    event = access_event(request.user, slug)
    proposals = list(selectors.list_my_proposals(event, request.user))
    invited_ids = selectors.pending_invitation_ids(event, request.user)
    invited = [p for p in proposals if p.pk in invited_ids]
    return render(
        request,
        "proposals/proposal_mine.html",
        _context(
            request,
            event,
            proposals=[p for p in proposals if p not in invited],
            invited=invited,
            interested=selectors.interested_ids(event, request.user),
        ),
    )


# --- Proposing and editing ----------------------------------------------------------------------


def _initial(proposal: Proposal) -> dict[str, Any]:
    return {
        "title": proposal.title,
        "description": proposal.description,
        "format": proposal.format,
        "topics": ", ".join(t.name for t in proposal.topics.all()),
        "language": proposal.language,
        "slots": proposal.slots,
        "mode": proposal.mode,
        "needs": proposal.needs,
    }


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request: AuthedRequest, slug: str) -> HttpResponse:
    event = access_event(request.user, slug)
    context = _context(request, event)
    if not permissions.can_propose(request.user, event, context["proposal_settings"]):
        return render(request, "proposals/proposal_closed.html", context)
    form = ProposalForm(
        request.POST or None,
        initial={"format": "discussion", "language": "de", "slots": 1, "mode": event.mode},
    )
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.create_proposal(
                event,
                actor=request.user,
                topics=form.topic_names(),
                submit=request.POST.get("action") != "draft",
                **form.fields_data(),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if proposal.state == ProposalState.DRAFT:
                messages.success(
                    request, _("Your draft is saved. Only you and the team can see it.")
                )
            else:
                messages.success(request, _("Thank you! Your proposal is submitted."))
            return redirect(proposal.get_absolute_url())
    return render(
        request, "proposals/proposal_form.html", {**context, "form": form, "proposal": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event = access_event(request.user, slug)
    proposal = selectors.access_editable_proposal(request.user, event, pk)
    form = ProposalForm(request.POST or None, initial=_initial(proposal))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_proposal(
                proposal, actor=request.user, topics=form.topic_names(), **form.fields_data()
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(proposal.get_absolute_url())
    return render(
        request,
        "proposals/proposal_form.html",
        _context(request, event, form=form, proposal=proposal),
    )


@require_GET
def proposal_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event, proposal = _proposal(request, slug, pk)
    can_edit = permissions.can_edit_proposal(request.user, proposal)
    context = _context(
        request,
        event,
        proposal=proposal,
        can_edit=can_edit,
        can_comment=permissions.can_comment(request.user, proposal),
        interested=selectors.interested_ids(event, request.user),
        comments=list(selectors.list_comments(proposal)),
        materials=list(selectors.list_materials(proposal)),
        invitation=selectors.pending_host_invitation(proposal, request.user),
        comment_form=CommentForm(),
    )
    context["can_show_interest"] = permissions.can_show_interest(
        request.user, proposal, context["pitch"]
    )
    if can_edit:
        context.update(
            {
                "hosts": list(selectors.list_hosts(proposal)),
                "cohost_form": CohostForm(),
                "file_form": MaterialFileForm(auto_id="file_%s"),
                "link_form": MaterialLinkForm(auto_id="link_%s"),
            }
        )
    return render(request, "proposals/proposal_detail.html", context)


@login_required
@require_POST
def proposal_state(request: AuthedRequest, slug: str, pk: int, action: str) -> HttpResponse:
    event = access_event(request.user, slug)
    proposal = selectors.access_editable_proposal(request.user, event, pk)
    try:
        if action == "submit":
            services.submit_proposal(proposal, actor=request.user)
            text = _("Your proposal is submitted.")
        else:
            services.withdraw_proposal(proposal, actor=request.user)
            text = _("The proposal is withdrawn. You can submit it again later.")
    except DomainError as error:
        return _outcome(request, str(error), ok=False, back=proposal.get_absolute_url())
    return _outcome(request, text, ok=True, back=proposal.get_absolute_url())


# --- Interest -----------------------------------------------------------------------------------


@login_required
@require_POST
def proposal_interest(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    """``want=1`` shows interest, ``want=0`` takes it back. htmx gets the new button."""
    event, proposal = _proposal(request, slug, pk)
    want = request.POST.get("want") == "1"
    try:
        if want:
            proposal = services.cast_interest(proposal, actor=request.user)
        else:
            proposal = services.withdraw_interest(proposal, actor=request.user)
        error = ""
    except DomainError as refused:
        error = str(refused)
        proposal.refresh_from_db(fields=["interest_count", "interest_version"])
    if is_htmx(request):
        context = _context(
            request,
            event,
            proposal=proposal,
            interested=selectors.interested_ids(event, request.user),
            interest_error=error,
            page_path=_htmx_page(request, proposal.get_absolute_url()),
        )
        context["can_show_interest"] = permissions.can_show_interest(
            request.user, proposal, context["pitch"]
        )
        return render(request, "proposals/_interest_button.html", context, status=200)
    back = _back(request, proposal.get_absolute_url())
    if error:
        messages.error(request, error)
    elif want:
        messages.success(request, _("You are in: “%(title)s”.") % {"title": proposal.title})
    else:
        messages.success(
            request, _("Interest taken back: “%(title)s”.") % {"title": proposal.title}
        )
    return redirect(back)


# --- Comments -----------------------------------------------------------------------------------


@login_required
@require_POST
def comment_create(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    _event, proposal = _proposal(request, slug, pk)
    form = CommentForm(request.POST)
    back = proposal.get_absolute_url() + "#comments"
    if not form.is_valid():
        return _outcome(
            request, _("Please write a comment (at most 2,000 characters)."), ok=False, back=back
        )
    try:
        comment = services.add_comment(proposal, actor=request.user, text=form.cleaned_data["text"])
    except DomainError as error:
        return _outcome(request, str(error), ok=False, back=back)
    return _outcome(
        request,
        _("Your comment is published."),
        ok=True,
        back=proposal.get_absolute_url() + f"#comment-{comment.pk}",
    )


@login_required
@require_POST
def comment_delete(request: AuthedRequest, slug: str, pk: int, comment_pk: int) -> HttpResponse:
    _event, proposal = _proposal(request, slug, pk)
    comment = selectors.access_comment(request.user, proposal, comment_pk)
    back = proposal.get_absolute_url() + "#comments"
    try:
        services.delete_comment(comment, actor=request.user)
    except DomainError as error:
        return _outcome(request, str(error), ok=False, back=back)
    return _outcome(request, _("The comment is deleted."), ok=True, back=back)


# --- Hosts --------------------------------------------------------------------------------------


@login_required
@require_POST
def cohost_invite(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event = access_event(request.user, slug)
    proposal = selectors.access_editable_proposal(request.user, event, pk)
    form = CohostForm(request.POST)
    back = proposal.get_absolute_url() + "#hosts"
    if not form.is_valid():
        return _outcome(request, _("Please enter a valid e-mail address."), ok=False, back=back)
    try:
        host = services.invite_cohost(
            proposal, actor=request.user, email=form.cleaned_data["email"]
        )
    except DomainError as error:
        return _outcome(request, str(error), ok=False, back=back)
    return _outcome(
        request,
        _("%(name)s is asked by e-mail to confirm.") % {"name": host.user.display_name},
        ok=True,
        back=back,
    )


@login_required
@require_POST
def cohost_answer(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    _event, proposal = _proposal(request, slug, pk)
    invitation = selectors.pending_host_invitation(proposal, request.user)
    if invitation is None:
        raise Http404
    accept = request.POST.get("accept") == "1"
    try:
        services.answer_cohost_invitation(invitation, actor=request.user, accept=accept)
    except DomainError as error:
        return _outcome(request, str(error), ok=False, back=proposal.get_absolute_url())
    text = _("You are now a host of this session.") if accept else _("You declined.")
    return _outcome(request, text, ok=True, back=proposal.get_absolute_url())


@login_required
@require_POST
def host_remove(request: AuthedRequest, slug: str, pk: int, host_pk: int) -> HttpResponse:
    _event, proposal = _proposal(request, slug, pk)
    host = proposal.hosts.filter(pk=host_pk).select_related("user").first()
    if host is None or not (
        host.user_id == request.user.pk or permissions.can_edit_proposal(request.user, proposal)
    ):
        raise Http404
    back = proposal.get_absolute_url() + "#hosts"
    try:
        services.remove_host(host, actor=request.user)
    except DomainError as error:
        return _outcome(request, str(error), ok=False, back=back)
    return _outcome(
        request,
        _("%(name)s is no longer a host.") % {"name": host.user.display_name},
        ok=True,
        back=back,
    )


# --- Materials ----------------------------------------------------------------------------------


@login_required
@require_POST
def material_add(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    event = access_event(request.user, slug)
    proposal = selectors.access_editable_proposal(request.user, event, pk)
    back = proposal.get_absolute_url() + "#materials"
    try:
        if request.POST.get("kind") == "link":
            link_form = MaterialLinkForm(request.POST)
            if not link_form.is_valid():
                return _outcome(
                    request, _("Please enter a valid web address."), ok=False, back=back
                )
            services.add_material_link(
                proposal,
                actor=request.user,
                url=link_form.cleaned_data["url"],
                title=link_form.cleaned_data["title"],
            )
        else:
            file_form = MaterialFileForm(request.POST, request.FILES)
            if not file_form.is_valid():
                return _outcome(request, _("Please choose a file."), ok=False, back=back)
            upload = file_form.cleaned_data["file"]
            services.add_material_file(
                proposal,
                actor=request.user,
                upload=upload,
                name=upload.name or "",
                title=file_form.cleaned_data["title"],
            )
    except DomainError as error:
        return _outcome(request, str(error), ok=False, back=back)
    return _outcome(request, _("The material is added."), ok=True, back=back)


@require_GET
def material_download(
    request: HttpRequest, slug: str, pk: int, material_pk: int
) -> HttpResponseBase:
    """Files are always downloads, never shown as a page: nothing in them can run here."""
    _event, proposal = _proposal(request, slug, pk)
    material = selectors.access_material(request.user, proposal, material_pk)
    if not material.file:
        raise Http404  # a link is shown as a link on the page, never redirected through us
    response = FileResponse(
        material.file.open("rb"),
        as_attachment=True,
        filename=material.filename,
        content_type=material.content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def material_delete(request: AuthedRequest, slug: str, pk: int, material_pk: int) -> HttpResponse:
    event = access_event(request.user, slug)
    proposal = selectors.access_editable_proposal(request.user, event, pk)
    material = selectors.access_material(request.user, proposal, material_pk)
    back = proposal.get_absolute_url() + "#materials"
    try:
        services.remove_material(material, actor=request.user)
    except DomainError as error:
        return _outcome(request, str(error), ok=False, back=back)
    return _outcome(request, _("The material is removed."), ok=True, back=back)


# --- Organisers: settings and duplicates --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def manage_settings(request: AuthedRequest, slug: str) -> HttpResponse:
    event = access_event(request.user, slug)
    if not event_permissions.can_manage_event(request.user, event):
        raise Http404
    settings = selectors.get_settings(event)
    form = ProposalSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_settings(form.instance, actor=request.user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The settings are saved."))
            return redirect("proposals:manage-settings", slug=event.slug)
    return render(
        request,
        "proposals/manage_settings.html",
        _context(request, event, form=form, section="proposals"),
    )


@login_required
@require_GET
def manage_duplicates(request: AuthedRequest, slug: str) -> HttpResponse:
    event = selectors.access_moderated_event(request.user, slug)
    pairs = selectors.list_duplicate_candidates(event)
    return render(
        request,
        "proposals/manage_duplicates.html",
        _context(request, event, pairs=pairs, section="duplicates"),
    )


@login_required
@require_POST
def manage_merge(request: AuthedRequest, slug: str) -> HttpResponse:
    event = selectors.access_moderated_event(request.user, slug)
    back = reverse("proposals:manage-duplicates", kwargs={"slug": event.slug})
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _outcome(request, _("Please choose two proposals."), ok=False, back=back)
    target = selectors.access_proposal(request.user, event, form.cleaned_data["target"])
    source = selectors.access_proposal(request.user, event, form.cleaned_data["source"])
    try:
        services.merge_proposals(target, sources=[source], actor=request.user)
    except DomainError as error:
        return _outcome(request, str(error), ok=False, back=back)
    return _outcome(
        request,
        _("“%(source)s” is merged into “%(target)s”.")
        % {"source": source.title, "target": target.title},
        ok=True,
        back=back,
    )


# --- The pitch ----------------------------------------------------------------------------------


def _pitch_context(request: HttpRequest, event: Event) -> dict[str, Any]:
    context = _context(request, event)
    pitch = context["pitch"] or Pitch(event=event)  # not set up yet: "starts soon"
    queue = list(selectors.pitch_queue(event))
    remaining = int(services.remaining_seconds(pitch) + 0.999)
    current = None
    if pitch.current_id is not None:
        current = selectors.access_proposal(request.user, event, pitch.current_id)
    context.update(
        pitch=pitch,
        current=current,
        queue=queue,
        next_up=queue[0] if queue else None,
        remaining=remaining,
        remaining_text=f"{remaining // 60}:{remaining % 60:02d}",
        server_now=int(time.time() * 1000),
        seq=streams.last_seq(groups.pitch_stream(event.pk)),
        interested=selectors.interested_ids(event, request.user),
        can_show_interest=current is not None
        and permissions.can_show_interest(request.user, current, context["pitch"]),
    )
    return context


@require_GET
def pitch_live(request: HttpRequest, slug: str) -> HttpResponse:
    """The pitch for everyone: on phones in the hall and at home."""
    event = access_event(request.user, slug)
    context = _pitch_context(request, event)
    context["pitched"] = list(selectors.list_pitched(event))
    context["tappable"] = _tappable(request, context["pitched"], context["pitch"])
    context["interested_list"] = json.dumps(sorted(context["interested"]))
    return render(request, "proposals/pitch_live.html", context)


@require_GET
def pitch_screen(request: HttpRequest, slug: str) -> HttpResponse:
    """The big screen for projectors and TVs: readable from the back of the hall."""
    event = access_event(request.user, slug)
    return render(request, "proposals/pitch_screen.html", _pitch_context(request, event))


@require_GET
def pitch_fragment(request: HttpRequest, slug: str) -> HttpResponse:
    """What the pitch looks like now (``view=screen|phone|moderator``), for a live update."""
    event = access_event(request.user, slug)
    view = request.GET.get("view", "phone")
    templates = {
        "screen": "proposals/_pitch_screen_state.html",
        "phone": "proposals/_pitch_phone_state.html",
        "moderator": "proposals/_pitch_moderator_state.html",
    }
    pages = {
        "screen": "proposals:pitch-screen",
        "phone": "proposals:pitch-live",
        "moderator": "proposals:manage-pitch",
    }
    if view not in templates:
        raise Http404
    if view == "moderator" and not permissions.can_moderate_proposals(request.user, event):
        raise Http404
    context = _pitch_context(request, event)
    context["page_path"] = reverse(pages[view], kwargs={"slug": event.slug})
    if view == "moderator":
        context.update(_moderator_extra(event))
    return render(request, templates[view], context)


def _moderator_extra(event: Event) -> dict[str, Any]:
    return {
        "not_queued": list(selectors.list_not_queued(event)),
        "pitched": list(selectors.list_pitched(event)),
        "open_form": OpenPitchForm(),
        "spontaneous_form": SpontaneousForm(),
        "timer_actions": [
            ("start", _("Start timer")),
            ("pause", _("Pause timer")),
            ("extend", _("+30 seconds")),
            ("reset", _("Reset timer")),
        ],
    }


@login_required
@require_GET
def manage_pitch(request: AuthedRequest, slug: str) -> HttpResponse:
    event = selectors.access_moderated_event(request.user, slug)
    context = _pitch_context(request, event)
    context.update(_moderator_extra(event))
    context["section"] = "pitch"
    return render(request, "proposals/manage_pitch.html", context)


PITCH_ACTIONS = {
    "open",
    "next",
    "finish",
    "skip",
    "close",
    "reopen",
    "sort",
    "start",
    "pause",
    "extend",
    "reset",
}


def _pitch_outcome(request: HttpRequest, event: Event, text: str, *, ok: bool) -> HttpResponse:
    back = reverse("proposals:manage-pitch", kwargs={"slug": event.slug})
    if is_htmx(request):
        context = _pitch_context(request, event)
        context.update(_moderator_extra(event))
        context["page_path"] = back
        context["feedback"] = text
        context["feedback_ok"] = ok
        return render(request, "proposals/_pitch_moderator_state.html", context)
    return _outcome(request, text, ok=ok, back=back)


@login_required
@require_POST
def pitch_control(request: AuthedRequest, slug: str) -> HttpResponse:
    event = selectors.access_moderated_event(request.user, slug)
    action = request.POST.get("action", "")
    if action not in PITCH_ACTIONS:
        return _pitch_outcome(request, event, _("Unknown action."), ok=False)
    try:
        text = _run_pitch_action(request, event, action)
    except DomainError as error:
        return _pitch_outcome(request, event, str(error), ok=False)
    return _pitch_outcome(request, event, text, ok=True)


def _run_pitch_action(request: AuthedRequest, event: Event, action: str) -> str:
    actor = request.user
    order = request.POST.get("order", "submission")
    if action == "open":
        services.open_pitch(event, actor=actor, order=order)
        return _("The pitch is open.")
    if action == "sort":
        services.reorder_queue(event, actor=actor, order=order)
        return _("The queue is sorted anew.")
    if action == "next":
        chosen = None
        if request.POST.get("proposal", "").isdecimal():
            chosen = selectors.access_proposal(actor, event, int(request.POST["proposal"]))
        pitch = services.next_pitch(event, actor=actor, proposal=chosen)
        if pitch.current is None:
            return _("The queue is empty.")
        return _("Now pitching: %(title)s") % {"title": pitch.current.title}
    if action == "finish":
        services.finish_pitch(event, actor=actor)
        return _("The pitch is done.")
    if action == "skip":
        services.skip_pitch(event, actor=actor)
        return _("The proposal is back at the end of the queue.")
    if action == "close":
        services.close_pitch(event, actor=actor)
        return _("The pitch is closed. Interest is fixed for planning.")
    if action == "reopen":
        services.reopen_pitch(event, actor=actor)
        return _("The pitch is open again.")
    seconds = request.POST.get("seconds", "30")
    services.control_timer(
        event,
        actor=actor,
        action=action,
        seconds=int(seconds) if seconds.isdecimal() and len(seconds) < 5 else 0,
    )
    return {
        "start": _("The timer runs."),
        "pause": _("The timer is paused."),
        "extend": _("The timer is extended."),
        "reset": _("The timer is reset."),
    }[action]


@login_required
@require_POST
def pitch_queue_move(request: AuthedRequest, slug: str) -> HttpResponse:
    """Move a proposal to a place in the queue (buttons, keyboard, or drag and drop)."""
    event = selectors.access_moderated_event(request.user, slug)
    raw_pk, raw_position = request.POST.get("proposal", ""), request.POST.get("position", "")
    if (
        not (raw_pk.isdecimal() and raw_position.isdecimal())
        or len(raw_pk) > 10
        or len(raw_position) > 5
    ):
        return _pitch_outcome(request, event, _("Please choose a proposal and a place."), ok=False)
    proposal = selectors.access_proposal(request.user, event, int(raw_pk))
    position = int(raw_position)
    try:
        if request.POST.get("remove") == "1":
            services.remove_from_queue(proposal, actor=request.user)
            text = _("“%(title)s” left the queue.") % {"title": proposal.title}
        else:
            services.move_in_queue(proposal, actor=request.user, position=position)
            proposal.refresh_from_db(fields=["queue_position"])
            text = _("“%(title)s” is now number %(position)d in the queue.") % {
                "title": proposal.title,
                "position": proposal.queue_position or position,
            }
    except DomainError as error:
        return _pitch_outcome(request, event, str(error), ok=False)
    return _pitch_outcome(request, event, text, ok=True)


@login_required
@require_POST
def pitch_spontaneous(request: AuthedRequest, slug: str) -> HttpResponse:
    event = selectors.access_moderated_event(request.user, slug)
    form = SpontaneousForm(request.POST)
    if not form.is_valid():
        return _pitch_outcome(
            request, event, _("A spontaneous proposal needs a title and a host's name."), ok=False
        )
    try:
        proposal = services.add_spontaneous_proposal(
            event,
            actor=request.user,
            title=form.cleaned_data["title"],
            host_name=form.cleaned_data["host_name"],
            next_up=form.cleaned_data["next_up"],
        )
    except DomainError as error:
        return _pitch_outcome(request, event, str(error), ok=False)
    return _pitch_outcome(
        request, event, _("“%(title)s” is in the queue.") % {"title": proposal.title}, ok=True
    )
