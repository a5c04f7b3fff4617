"""Domain events: past-tense names, a JSON envelope, one typed payload per event type."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import typing
import uuid
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Self, TypeVar

SCHEMA_VERSION = 1

POST_CREATED = "PostCreated"
POST_UPDATED = "PostUpdated"
POST_DELETED = "PostDeleted"
COMMENT_CREATED = "CommentCreated"
COMMENT_MODERATED = "CommentModerated"
COMMENT_UPDATED = "CommentUpdated"
COMMENT_DELETED = "CommentDeleted"

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


# -- payloads: what each event type's `data` carries ---------------------------------------
# Post and comment events carry the whole entity and its revision, so that a consumer can
# apply them in any order (the highest revision wins). On the wire a payload is a JSON
# object with these fields in this order (the producers' order since the first event
# was stored); `created_at` travels as ISO 8601 text.


@dataclasses.dataclass(frozen=True)
class Payload:
    """The typed data of one event type, read and checked once (from_data)."""

    TYPE: ClassVar[str]

    def as_fields(self) -> dict[str, Any]:
        """The typed fields by name (for a service that takes them as its keywords)."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}

    def as_data(self) -> dict[str, Any]:
        """The event's `data` as it travels (JSON types only)."""
        return {name: _encode(value) for name, value in self.as_fields().items()}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Self:
        """The payload of an event's `data`; InvalidEvent naming the field that is missing
        or of the wrong type. Other keys are ignored."""
        fields = _FIELD_TYPES[cls]
        lacking = [name for name in fields if name not in data]
        if lacking:
            raise InvalidEvent(f"{cls.TYPE} lacks {', '.join(lacking)}")
        return cls(
            **{name: _decode(cls.TYPE, name, kind, data[name]) for name, kind in fields.items()}
        )


@dataclasses.dataclass(frozen=True)
class PostSaved(Payload):
    post_id: int
    title: str
    created_at: dt.datetime
    revision: int


@dataclasses.dataclass(frozen=True)
class PostCreated(PostSaved):
    TYPE: ClassVar[str] = POST_CREATED


@dataclasses.dataclass(frozen=True)
class PostUpdated(PostSaved):
    TYPE: ClassVar[str] = POST_UPDATED


@dataclasses.dataclass(frozen=True)
class PostDeleted(Payload):
    TYPE: ClassVar[str] = POST_DELETED

    post_id: int
    revision: int


@dataclasses.dataclass(frozen=True)
class CommentSaved(Payload):
    comment_id: int
    post_id: int
    content: str
    status: str
    created_at: dt.datetime
    revision: int


@dataclasses.dataclass(frozen=True)
class CommentCreated(CommentSaved):
    TYPE: ClassVar[str] = COMMENT_CREATED


@dataclasses.dataclass(frozen=True)
class CommentModerated(Payload):
    """Moderation's decision (no revision: it applies only to a comment still pending)."""

    TYPE: ClassVar[str] = COMMENT_MODERATED

    comment_id: int
    post_id: int
    status: str


@dataclasses.dataclass(frozen=True)
class CommentUpdated(CommentSaved):
    TYPE: ClassVar[str] = COMMENT_UPDATED


@dataclasses.dataclass(frozen=True)
class CommentDeleted(Payload):
    TYPE: ClassVar[str] = COMMENT_DELETED

    comment_id: int
    post_id: int
    revision: int


PAYLOADS: dict[str, type[Payload]] = {
    kind.TYPE: kind
    for kind in (
        PostCreated,
        PostUpdated,
        PostDeleted,
        CommentCreated,
        CommentModerated,
        CommentUpdated,
        CommentDeleted,
    )
}
# The fields each event type's data must carry.
DATA_FIELDS: dict[str, tuple[str, ...]] = {
    event_type: tuple(field.name for field in dataclasses.fields(kind))
    for event_type, kind in PAYLOADS.items()
}
EVENT_TYPES = tuple(PAYLOADS)


def _field_types(kind: type[Payload]) -> dict[str, type]:
    hints = typing.get_type_hints(kind)
    return {field.name: hints[field.name] for field in dataclasses.fields(kind)}


# Each payload's fields and their types, read once.
_FIELD_TYPES: dict[type[Payload], dict[str, type]] = {
    kind: _field_types(kind) for kind in PAYLOADS.values()
}


def _encode(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _whole_number(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("a whole number")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("a string")
    return value


def _moment(value: object) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(_text(value))
    except (TypeError, ValueError) as error:
        raise TypeError("an ISO 8601 date and time") from error


_DECODERS: dict[type, Callable[[object], Any]] = {
    int: _whole_number,
    str: _text,
    dt.datetime: _moment,
}


def _decode(event_type: str, name: str, kind: type, value: object) -> Any:
    try:
        return _DECODERS[kind](value)
    except TypeError as error:
        shown = repr(value)
        shown = shown if len(shown) <= 60 else f"{shown[:57]}..."
        raise InvalidEvent(f"{event_type}.{name} must be {error}, not {shown}") from None


P = TypeVar("P", bound=Payload)


# -- the envelope ------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Event:
    """One domain event, as it travels between services (JSON only).

    `data` is the payload as it came (the signature covers it byte for byte:
    shared.signing); `payload` is the same, typed and checked.
    """

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

    @classmethod
    def of(cls, payload: Payload, *, id: str | None = None) -> Event:
        """A new event carrying this payload, from its event type's one producer."""
        event = cls(type=payload.TYPE, data=payload.as_data(), source=PRODUCERS[payload.TYPE])
        return event if id is None else dataclasses.replace(event, id=id)

    @functools.cached_property
    def payload(self) -> Payload:
        """The typed data (read once); InvalidEvent naming a field missing or mistyped."""
        kind = PAYLOADS.get(self.type)
        if kind is None:
            raise InvalidEvent(f"unknown event type {self.type!r}")
        return kind.from_data(self.data)

    def as_message(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_message(cls, message: Any) -> Event:
        """Parse and validate an event received from the broker or the event store,
        its payload included."""
        if not isinstance(message, dict):
            raise InvalidEvent("an event must be a JSON object")
        missing = {"id", "type", "data", "source"} - message.keys()
        if missing:
            raise InvalidEvent(f"event lacks {', '.join(sorted(missing))}")
        event_type = message["type"]
        if not isinstance(event_type, str) or event_type not in PAYLOADS:
            raise InvalidEvent(f"unknown event type {event_type!r}")
        data = message["data"]
        if not isinstance(data, dict):
            raise InvalidEvent("event data must be a JSON object")
        payload = PAYLOADS[event_type].from_data(data)
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
        event = cls(
            id=event_id,
            type=event_type,
            data=data,
            source=str(message["source"]),
            version=version,
            occurred_at=str(message.get("occurred_at", "")),
            signature=signature,
        )
        event.__dict__["payload"] = payload  # read once, here: what `payload` caches
        return event


def payload_of(event: Event, kind: type[P]) -> P:
    """The event's payload as the handler of `kind` expects it; InvalidEvent otherwise
    (a table that maps an event type to the wrong handler)."""
    payload = event.payload
    if not isinstance(payload, kind):
        raise InvalidEvent(f"a {event.type} carries no {kind.__name__}")
    return payload


def derived_event_id(cause_id: str, event_type: str) -> str:
    """A deterministic id for an event caused by another, so a redelivered cause
    produces the same event again and the event store drops the duplicate."""
    return str(uuid.uuid5(uuid.UUID(cause_id), event_type))
