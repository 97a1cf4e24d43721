"""Mails about proposals, in the recipient's language. Services send them after commit."""

from __future__ import annotations

from django.conf import settings

from unkonf.accounts.models import User
from unkonf.accounts.tokens import login_link_path
from unkonf.events.notifications import send_templated_mail
from unkonf.proposals.models import Comment, ProposalHost


def send_cohost_invitation(host: ProposalHost) -> None:
    proposal = host.proposal
    user = host.user
    _send_with_link(
        "proposals/mail/cohost_invitation",
        user,
        next_path=proposal.get_absolute_url(),
        context={"proposal": proposal, "event": proposal.event, "inviter": host.invited_by},
    )


def send_comment_notice(comment: Comment, *, host_ids: list[int]) -> None:
    proposal = comment.proposal
    for user in User.objects.filter(pk__in=host_ids, erased_at__isnull=True):
        _send_with_link(
            "proposals/mail/comment",
            user,
            next_path=proposal.get_absolute_url() + f"#comment-{comment.pk}",
            context={"proposal": proposal, "event": proposal.event, "comment": comment},
        )


def _send_with_link(
    template: str, user: User, *, next_path: str, context: dict[str, object]
) -> None:
    send_templated_mail(
        template,
        to=user.email,
        language=user.language,
        context={**context, "url": settings.SITE_URL + login_link_path(user, next_path=next_path)},
    )
