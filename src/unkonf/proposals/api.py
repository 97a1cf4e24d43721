"""The JSON API: a barcamp's proposals with their interest, and showing or taking back interest.

An adapter like the views: it parses (django-ninja and pydantic), authorises through the same
``access_*`` selectors and permissions as the pages, calls the same services, and answers JSON,
errors included. The OpenAPI description is served at ``/api/v1/openapi.json``. There is no
interactive docs page: ninja's Swagger page loads its scripts from a CDN, and no page of ours
makes a request to a third-party host.

Reads work anonymously for public barcamps; the browser session is the authentication, and
every unsafe request of a logged-in person needs the CSRF token (``X-CSRFToken`` header).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import URLPattern, URLResolver, re_path
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.params.functions import Path
from ninja.security import SessionAuth
from ninja.utils import check_csrf

from unkonf.accounts.models import User
from unkonf.core.exceptions import DomainError
from unkonf.events.enums import EventMode
from unkonf.events.models import Event
from unkonf.events.selectors import access_event
from unkonf.proposals import permissions, selectors, services
from unkonf.proposals.enums import ProposalFormat, ProposalLanguage, ProposalState
from unkonf.proposals.exceptions import InterestRefused
from unkonf.proposals.models import Proposal

MAX_LIMIT = 100
MAX_ID = 2**63 - 1  # the largest key the databases store (BigAutoField)
MAX_OFFSET = 2**31 - 1
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
NO_NUL = r"^[^\x00]*$"  # PostgreSQL cannot store NUL in text

Slug = Annotated[
    str, Path(..., pattern=SLUG_PATTERN, max_length=60, description="A barcamp's slug")
]
ProposalId = Annotated[int, Path(..., ge=1, le=MAX_ID, description="A proposal's id")]


# --- Errors -------------------------------------------------------------------------------------


class ApiError(Exception):
    """An answer other than 2xx, rendered as ``{"detail": …, "code": …}``."""

    def __init__(self, status: int, detail: str, code: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code


class CsrfRefused(HttpError):
    def __init__(self) -> None:
        super().__init__(403, "CSRF")


class ErrorOut(Schema):
    detail: str = Field(description="A translated message, safe to show")
    code: str = Field(
        description="not_found, not_authenticated, csrf_failed, not_participant, "
        "interest_refused, refused, invalid, method_not_allowed"
    )


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class InvalidOut(ErrorOut):
    errors: list[FieldError]


def _error(status: int, detail: str, code: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code, **extra}, status=status)


class SessionWithCsrf(SessionAuth):
    """The browser session. Anonymous requests get 401; a logged-in person's unsafe request
    without a valid CSRF token gets 403 (the same check as Django's middleware)."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def _get_key(self, request: HttpRequest) -> str | None:
        if check_csrf(request) is not None:
            raise CsrfRefused
        return request.COOKIES.get(self.param_name)


session_auth = SessionWithCsrf()

api = NinjaAPI(
    title="unkonf API",
    version="1",
    description=(
        "Session proposals of a barcamp with their interest, and its published plan (the "
        "session grid). Reads work without logging in for public barcamps; showing interest "
        "needs the browser session and the CSRF token in the `X-CSRFToken` header. Errors are "
        "JSON: `{detail, code}`."
    ),
    urls_namespace="api",
    docs_url=None,  # Swagger UI would load from a CDN: only the JSON is served
)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return _error(exc.status, exc.detail, exc.code)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(404, _("Not found."), "not_found")


@api.exception_handler(AuthenticationError)
def _not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(401, _("Please log in first."), "not_authenticated")


@api.exception_handler(CsrfRefused)
def _csrf_refused(request: HttpRequest, exc: CsrfRefused) -> HttpResponse:
    return _error(
        403,
        _("The security token is missing or out of date. Please reload the page."),
        "csrf_failed",
    )


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "loc": [part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors
    ]
    return _error(422, _("Some values of the request are not valid."), "invalid", errors=errors)


# --- Schemas ------------------------------------------------------------------------------------


class ProposalOut(Schema):
    id: int
    title: str
    description_html: str = Field(description="Sanitised HTML rendered from the Markdown")
    format: ProposalFormat
    language: ProposalLanguage
    slots: int = Field(ge=1, le=2)
    mode: EventMode
    needs: list[str]
    topics: list[str] = Field(description="Names of the topics")
    state: ProposalState
    url: str = Field(description="Path of the proposal's page")
    interest: int | None = Field(
        ge=0, description="How many people are interested; null while the counts are hidden"
    )
    interested: bool = Field(description="Whether the requesting person is interested")
    hosts: list[str] = Field(
        description="Hosts' names; empty for visitors who do not take part in the barcamp"
    )


class ProposalPage(Schema):
    count: int = Field(ge=0, description="How many proposals match, across all pages")
    items: list[ProposalOut]


class InterestOut(Schema):
    proposal: int
    interested: bool
    interest: int | None = Field(ge=0, description="null while the counts are hidden")


class ProposalFilters(Schema):
    state: ProposalState | None = Field(
        None, description="Default: the proposals on the agenda (submitted, pitched, scheduled)"
    )
    topic: int | None = Field(None, ge=1, le=MAX_ID, description="A topic's id")
    format: ProposalFormat | None = None
    mode: EventMode | None = None
    search: str | None = Field(None, max_length=200, pattern=NO_NUL)
    sort: Literal["old", "new", "interest", "title"] = Field(
        "old", description="`interest` falls back to `old` while the counts are hidden"
    )
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


# --- Helpers ------------------------------------------------------------------------------------


class _View:
    """What the requesting person may see of one barcamp's proposals."""

    def __init__(self, request: HttpRequest, event: Event) -> None:
        user = request.user
        self.event = event
        self.show_counts = permissions.counts_visible(
            user, event, selectors.get_settings(event), selectors.find_pitch(event)
        )
        self.show_names = permissions.can_see_host_names(user, event)
        self.interested = selectors.interested_ids(event, user)

    def item(self, proposal: Proposal) -> dict[str, Any]:
        return {
            "id": proposal.pk,
            "title": proposal.title,
            "description_html": proposal.description_html,
            "format": proposal.format,
            "language": proposal.language,
            "slots": proposal.slots,
            "mode": proposal.mode,
            "needs": [str(tag) for tag in proposal.needs],
            "topics": [topic.name for topic in proposal.topics.all()],
            "state": proposal.state,
            "url": proposal.get_absolute_url(),
            "interest": proposal.interest_count if self.show_counts else None,
            "interested": proposal.pk in self.interested,
            "hosts": _host_names(proposal) if self.show_names else [],
        }


def _host_names(proposal: Proposal) -> list[str]:
    hosts = getattr(proposal, "confirmed_hosts", None)
    if hosts is None:
        hosts = proposal.hosts.filter(confirmed_at__isnull=False).select_related("user")
    names = [host.user.display_name for host in hosts]
    if proposal.host_name:
        names.append(proposal.host_name)
    return names


def _proposal(request: HttpRequest, slug: str, pk: int) -> tuple[Event, Proposal]:
    event = access_event(request.user, slug)
    return event, selectors.access_proposal(request.user, event, pk)


def _interest(request: HttpRequest, event: Event, proposal: Proposal, *, want: bool) -> InterestOut:
    user = request.user
    assert isinstance(user, User)  # session_auth let only logged-in people through
    try:
        if want:
            proposal = services.cast_interest(proposal, actor=user)
        else:
            proposal = services.withdraw_interest(proposal, actor=user)
    except InterestRefused as refused:
        raise ApiError(409, str(refused), "interest_refused") from refused
    except DomainError as refused:
        raise ApiError(409, str(refused), "refused") from refused
    visible = permissions.counts_visible(
        user, event, selectors.get_settings(event), selectors.find_pitch(event)
    )
    return InterestOut(
        proposal=proposal.pk,
        interested=want,
        interest=proposal.interest_count if visible else None,
    )


NOT_FOUND = {404: ErrorOut, 422: InvalidOut}
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


# --- Endpoints ----------------------------------------------------------------------------------


@api.get(
    "events/{slug}/proposals",
    response={200: ProposalPage, **NOT_FOUND},
    auth=None,
    summary="List a barcamp's proposals",
    tags=["proposals"],
)
def list_proposals(
    request: HttpRequest, slug: Slug, filters: Query[ProposalFilters]
) -> dict[str, Any]:
    """Proposals on the agenda with their interest. Drafts only with `state=draft`: your own
    (all of them for the barcamp's moderators). A barcamp you may not see is 404."""
    event = access_event(request.user, slug)
    view = _View(request, event)
    sort = filters.sort if filters.sort != "interest" or view.show_counts else "old"
    proposals = selectors.list_proposals(
        event,
        actor=request.user,
        state=filters.state,
        topic=filters.topic,
        format=filters.format,
        mode=filters.mode,
        search=filters.search or None,
        sort=sort,
    )
    page = proposals[filters.offset : filters.offset + filters.limit]
    return {"count": proposals.count(), "items": [view.item(p) for p in page]}


@api.get(
    "events/{slug}/proposals/{id}",
    response={200: ProposalOut, **NOT_FOUND},
    auth=None,
    summary="One proposal",
    tags=["proposals"],
)
def get_proposal(request: HttpRequest, slug: Slug, id: ProposalId) -> dict[str, Any]:
    """404 alike for a missing proposal, one you may not see, and a barcamp you may not see."""
    event, proposal = _proposal(request, slug, id)
    return _View(request, event).item(proposal)


@api.post(
    "events/{slug}/proposals/{id}/interest",
    response={200: InterestOut, **WRITE_ERRORS},
    auth=session_auth,
    summary="Show interest",
    tags=["interest"],
)
def cast_interest(request: HttpRequest, slug: Slug, id: ProposalId) -> InterestOut:
    """Counted once per person, however often it is sent. 403 `not_participant` for people who
    do not take part in the barcamp; 409 when the proposal or the pitch refuses it."""
    event, proposal = _proposal(request, slug, id)
    if not permissions.takes_part(request.user, event):
        raise ApiError(403, _("Only registered participants can show interest."), "not_participant")
    return _interest(request, event, proposal, want=True)


@api.delete(
    "events/{slug}/proposals/{id}/interest",
    response={200: InterestOut, **WRITE_ERRORS},
    auth=session_auth,
    summary="Take interest back",
    tags=["interest"],
)
def withdraw_interest(request: HttpRequest, slug: Slug, id: ProposalId) -> InterestOut:
    """Idempotent; 409 once the pitch is over and the interest is fixed for planning."""
    event, proposal = _proposal(request, slug, id)
    return _interest(request, event, proposal, want=False)


# --- URLs ---------------------------------------------------------------------------------------


def _api_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Around every view of the API: texts in the language the client asks for (the path has
    no language prefix, so the locale middleware would always pick the default), and a 405 in
    JSON (ninja answers a method it does not know with a bare one)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        language = translation.get_language_from_request(request)
        with translation.override(language):
            response = view(request, *args, **kwargs)
            if response.status_code == 405 and not response.get("Content-Type", "").startswith(
                "application/json"
            ):
                allow = response["Allow"]
                response = _error(405, _("This method is not allowed here."), "method_not_allowed")
                response["Allow"] = allow
        response["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language",))
        return response

    return wrapped


def _unknown(request: HttpRequest, rest: str) -> HttpResponse:
    return _error(404, _("Not found."), "not_found")


_unknown_view = _api_view(_unknown)


def _urlpatterns() -> list[URLPattern | URLResolver]:
    patterns: list[URLPattern | URLResolver] = []
    for entry in api.urls[0]:
        if isinstance(entry, URLPattern):
            entry = URLPattern(entry.pattern, _api_view(entry.callback), None, entry.name)
        patterns.append(entry)
    # Everything else under the API's prefix is a JSON 404 too, never the HTML page.
    patterns.append(re_path(r"^(?P<rest>.*)$", _unknown_view, name="unknown"))
    return patterns


def api_urls() -> tuple[list[URLPattern | URLResolver], str]:
    """The API's URL conf for ``include()``, built when the project's URLs load
    (``unkonf/urls.py``): after apps above proposals have added their routers to ``api``
    (ninja takes no router once its URLs exist)."""
    return (_urlpatterns(), "api")
