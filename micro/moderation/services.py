"""Moderation decisions: the shared rule, applied after the configured delay."""

from __future__ import annotations

from shared import events, rules, study
from shared.events import CommentCreated, CommentModerated, Event, derived_event_id, payload_of


def content_decide(*, content: str) -> str:
    """Approved or rejected, by the blog's one moderation rule (slowed as configured)."""
    return rules.moderate_slowly(content, delay_ms=study.moderation_delay_ms())


def comment_moderate(*, event: Event) -> Event:
    """The CommentModerated event that answers a CommentCreated.

    Its id derives from the CommentCreated's, so a redelivered CommentCreated yields the
    same event and the event store drops the duplicate.
    """
    comment = payload_of(event, CommentCreated)
    decision = CommentModerated(
        comment_id=comment.comment_id,
        post_id=comment.post_id,
        status=content_decide(content=comment.content),
    )
    return Event.of(decision, id=derived_event_id(event.id, events.COMMENT_MODERATED))
