"""Moderation decisions: the shared rule, applied after the configured delay."""

from __future__ import annotations

from shared import events, rules, study
from shared.events import Event, derived_event_id

SERVICE = "moderation"


def content_decide(*, content: str) -> str:
    """Approved or rejected, by the blog's one moderation rule (slowed as configured)."""
    return rules.moderate_slowly(content, delay_ms=study.moderation_delay_ms())


def comment_moderate(*, event: Event) -> Event:
    """The CommentModerated event that answers a CommentCreated.

    Its id derives from the CommentCreated's, so a redelivered CommentCreated yields the
    same event and the event store drops the duplicate.
    """
    return Event(
        id=derived_event_id(event.id, events.COMMENT_MODERATED),
        type=events.COMMENT_MODERATED,
        source=SERVICE,
        data={
            "comment_id": event.data["comment_id"],
            "post_id": event.data["post_id"],
            "status": content_decide(content=event.data["content"]),
        },
    )
