"""Domain events: past-tense names, a JSON envelope, one schema for every service."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

SCHEMA_VERSION = 1

POST_CREATED = "PostCreated"
POST_UPDATED = "PostUpdated"
POST_DELETED = "PostDeleted"
COMMENT_CREATED = "CommentCreated"
COMMENT_MODERATED = "CommentModerated"
COMMENT_UPDATED = "CommentUpdated"
COMMENT_DELETED = "CommentDeleted"

# The fields each event type's data must carry. Post and comment events carry the
# whole entity and its revision, so that a consumer can apply them in any order
# (the highest revision wins).
DATA_FIELDS: dict[str, tuple[str, ...]] = {
    POST_CREATED: ("post_id", "title", "created_at", "revision"),
    POST_UPDATED: ("post_id", "title", "created_at", "revision"),
    POST_DELETED: ("post_id", "revision"),
    COMMENT_CREATED: ("comment_id", "post_id", "content", "status", "created_at", "revision"),
    COMMENT_MODERATED: ("comment_id", "post_id", "status"),
    COMMENT_UPDATED: ("comment_id", "post_id", "content", "status", "created_at", "revision"),
    COMMENT_DELETED: ("comment_id", "post_id", "revision"),
}
EVENT_TYPES = tuple(DATA_FIELDS)

# Who consumes what: the event bus fans each stored event out to these services' queues.
SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    POST_CREATED: ("comments", "query"),
    POST_UPDATED: ("comments", "query"),
    POST_DELETED: ("comments", "query"),
    COMMENT_CREATED: ("moderation", "query"),
    COMMENT_MODERATED: ("comments",),
    COMMENT_UPDATED: ("query",),
    COMMENT_DELETED: ("query",),
}


# Who produces what: the one service whose key may sign each event type (shared.signing).
PRODUCERS: dict[str, str] = {
    POST_CREATED: "posts",
    POST_UPDATED: "posts",
    POST_DELETED: "posts",
    COMMENT_CREATED: "comments",
    COMMENT_MODERATED: "moderation",
    COMMENT_UPDATED: "comments",
    COMMENT_DELETED: "comments",
}


class InvalidEvent(ValueError):
    """A message that is not a well-formed event of a known type."""


@dataclasses.dataclass(frozen=True)
class Event:
    """One domain event, as it travels between services (JSON only)."""

    type: str
    data: dict[str, Any]
    source: str
    id: str = dataclasses.field(default_factory=lambda: str(uuid.uuid4()))
    version: int = SCHEMA_VERSION
    occurred_at: str = dataclasses.field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat()
    )
    # Its producer's signature over the other fields (shared.signing); "" until signed.
    signature: str = ""

    def as_message(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_message(cls, message: Any) -> Event:
        """Parse and validate an event received from the broker or the event store."""
        if not isinstance(message, dict):
            raise InvalidEvent("an event must be a JSON object")
        missing = {"id", "type", "data", "source"} - message.keys()
        if missing:
            raise InvalidEvent(f"event lacks {', '.join(sorted(missing))}")
        event_type = message["type"]
        if not isinstance(event_type, str) or event_type not in DATA_FIELDS:
            raise InvalidEvent(f"unknown event type {event_type!r}")
        data = message["data"]
        if not isinstance(data, dict):
            raise InvalidEvent("event data must be a JSON object")
        lacking = [name for name in DATA_FIELDS[event_type] if name not in data]
        if lacking:
            raise InvalidEvent(f"{event_type} lacks {', '.join(lacking)}")
        try:
            event_id = str(uuid.UUID(str(message["id"])))
        except ValueError as error:
            raise InvalidEvent("event id must be a UUID") from error
        try:
            version = int(message.get("version", SCHEMA_VERSION))
        except (TypeError, ValueError) as error:
            raise InvalidEvent("event version must be a whole number") from error
        signature = message.get("signature", "")
        if not isinstance(signature, str):
            raise InvalidEvent("event signature must be a string")
        return cls(
            id=event_id,
            type=event_type,
            data=data,
            source=str(message["source"]),
            version=version,
            occurred_at=str(message.get("occurred_at", "")),
            signature=signature,
        )


def derived_event_id(cause_id: str, event_type: str) -> str:
    """A deterministic id for an event caused by another, so a redelivered cause
    produces the same event again and the event store drops the duplicate."""
    return str(uuid.uuid5(uuid.UUID(cause_id), event_type))
