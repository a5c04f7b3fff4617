"""Typed payloads: each event type's data read and checked once, and the wire unchanged.

The payload dataclasses came after events were stored: an event the producers wrote before
(STORED, signed then) must still parse and verify, and the producers' new path must write
the same bytes, since the signature covers the data as canonical JSON (shared.signing).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import typing
from pathlib import Path

import pytest

from shared import events
from shared.events import (
    DATA_FIELDS,
    PAYLOADS,
    CommentCreated,
    CommentDeleted,
    CommentModerated,
    CommentUpdated,
    Event,
    InvalidEvent,
    Payload,
    PostCreated,
    PostDeleted,
    PostSaved,
    PostUpdated,
    payload_of,
)
from shared.signing import check_signature, dev_verify_keys, signed_bytes
from shared.testing.events import dev_signed, example_data, example_payload

POSTED = dt.datetime(2026, 12, 1, 10, 0, 0, 123456, tzinfo=dt.UTC)
COMMENTED = dt.datetime(2026, 12, 1, 10, 0, 1, tzinfo=dt.UTC)

# One event of each type as the producers built and signed it before the payload
# dataclasses (a data dict written by hand in each producer), one JSON text a line.
STORED = (Path(__file__).parent / "stored_events.jsonl").read_text().splitlines()
# The same events as the producers build them now, from their payloads.
COMMENT = CommentCreated(
    comment_id=9,
    post_id=7,
    content="Nice \u00e9t\u00e9",
    status="pending",
    created_at=COMMENTED,
    revision=1,
)
PAYLOADS_OF_STORED: list[Payload] = [
    PostCreated(post_id=7, title="Hello", created_at=POSTED, revision=1),
    PostUpdated(post_id=7, title="Hello again", created_at=POSTED, revision=2),
    PostDeleted(post_id=7, revision=3),
    COMMENT,
    CommentModerated(comment_id=9, post_id=7, status="approved"),
    CommentUpdated(**{**COMMENT.as_fields(), "status": "approved", "revision": 2}),
    CommentDeleted(comment_id=9, post_id=7, revision=3),
]
CASES = list(zip(STORED, PAYLOADS_OF_STORED, strict=True))
CASE_IDS = [payload.TYPE for payload in PAYLOADS_OF_STORED]


def _built_now(payload: Payload, stored: dict) -> Event:
    """The stored event as the producers' new path builds and signs it."""
    event = Event.of(payload, id=stored["id"])
    return dev_signed(dataclasses.replace(event, occurred_at=stored["occurred_at"]))


def test_every_event_type_has_a_payload_and_one_example_here():
    assert set(PAYLOADS) == set(events.EVENT_TYPES) == set(CASE_IDS)
    assert all(PAYLOADS[kind.TYPE] is type(kind) for kind in PAYLOADS_OF_STORED)


@pytest.mark.parametrize(("text", "payload"), CASES, ids=CASE_IDS)
def test_an_event_stored_before_still_parses_and_verifies(text, payload):
    event = Event.from_message(json.loads(text))

    check_signature(event, verify_keys=dev_verify_keys())
    assert event.payload == payload
    assert json.dumps(event.as_message()) == text  # relayed and replayed byte for byte


@pytest.mark.parametrize(("text", "payload"), CASES, ids=CASE_IDS)
def test_the_producers_new_path_writes_the_same_bytes(text, payload):
    stored = json.loads(text)
    event = _built_now(payload, stored)

    assert event.as_message() == stored
    assert json.dumps(event.as_message()) == text  # key order included
    assert signed_bytes(event) == signed_bytes(Event.from_message(stored))
    assert event.source == events.PRODUCERS[payload.TYPE]


@pytest.mark.parametrize("event_type", events.EVENT_TYPES)
def test_a_payload_round_trips_through_its_event(event_type):
    payload = example_payload(event_type, number=3)

    message = json.loads(json.dumps(Event.of(payload).as_message()))

    assert Event.from_message(message).payload == payload
    assert list(message["data"]) == list(DATA_FIELDS[event_type])
    assert dataclasses.is_dataclass(payload)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(payload, DATA_FIELDS[event_type][0], 0)


WRONG_VALUES: dict[type, list[object]] = {
    int: ["7", 7.5, True, None, [7]],
    str: [7, None, ["text"]],
    dt.datetime: [7, None, "yesterday", "2026-13-01T00:00:00+00:00"],
}
MISTYPED = [
    (event_type, name, value)
    for event_type, kind in PAYLOADS.items()
    for name, field_type in typing.get_type_hints(kind).items()
    if name != "TYPE"
    for value in WRONG_VALUES[field_type]
]


@pytest.mark.parametrize(("event_type", "name", "value"), MISTYPED)
def test_a_mistyped_field_is_an_invalid_event_naming_it(event_type, name, value):
    message = Event(
        type=event_type,
        source=events.PRODUCERS[event_type],
        data={**example_data(event_type), name: value},
    ).as_message()

    with pytest.raises(InvalidEvent, match=rf"^{event_type}\.{name} must be "):
        Event.from_message(message)


def test_the_error_shows_a_long_value_cut_short():
    message = Event.of(example_payload(events.POST_CREATED)).as_message()
    message["data"]["revision"] = "x" * 10_000

    with pytest.raises(InvalidEvent) as raised:
        Event.from_message(message)

    assert len(str(raised.value)) < 120
    assert str(raised.value).startswith("PostCreated.revision must be a whole number, not 'xxx")


def test_keys_beyond_the_payload_are_kept_on_the_wire_and_left_out_of_the_payload():
    data = {**example_data(events.POST_DELETED), "reason": "spam"}
    message = Event(type=events.POST_DELETED, source="posts", data=data).as_message()

    event = Event.from_message(message)

    assert event.data == data  # what the signature covers
    assert event.payload == example_payload(events.POST_DELETED)


def test_payload_of_narrows_to_the_handlers_type_or_refuses():
    event = Event.of(example_payload(events.POST_UPDATED))

    assert isinstance(payload_of(event, PostSaved), PostUpdated)
    with pytest.raises(InvalidEvent, match="a PostUpdated carries no CommentModerated"):
        payload_of(event, CommentModerated)
