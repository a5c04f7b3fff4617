"""Events: the JSON envelope round-trips, malformed messages are refused, ids derive stably."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from shared import events
from shared.deployables import queue_services
from shared.events import DATA_FIELDS, SUBSCRIPTIONS, Event, InvalidEvent, derived_event_id
from shared.testing.events import example_data


def _data_for(event_type: str) -> dict:
    return example_data(event_type)


def _post_created() -> Event:
    return Event(
        type=events.POST_CREATED,
        source="posts",
        data={
            "post_id": 7,
            "title": "Hello",
            "created_at": "2026-01-01T00:00:00+00:00",
            "revision": 1,
        },
    )


def test_event_round_trips_through_its_message():
    event = _post_created()

    assert Event.from_message(event.as_message()) == event


def test_event_round_trips_through_json():
    event = _post_created()

    message = json.loads(json.dumps(event.as_message()))

    assert Event.from_message(message) == event


@pytest.mark.parametrize("event_type", events.EVENT_TYPES)
def test_every_event_type_round_trips(event_type):
    event = Event(type=event_type, source="test", data=_data_for(event_type))

    assert Event.from_message(event.as_message()) == event


def test_message_carries_the_envelope():
    message = _post_created().as_message()

    assert set(message) == {"id", "type", "version", "occurred_at", "data", "source", "signature"}
    assert message["version"] == events.SCHEMA_VERSION
    assert uuid.UUID(message["id"])
    occurred_at = dt.datetime.fromisoformat(message["occurred_at"])
    assert occurred_at.utcoffset() == dt.timedelta(0)


def test_new_events_get_new_ids():
    assert _post_created().id != _post_created().id


def test_from_message_defaults_the_optional_fields():
    message = _post_created().as_message()
    del message["version"], message["occurred_at"]

    event = Event.from_message(message)

    assert event.version == events.SCHEMA_VERSION
    assert event.occurred_at == ""


@pytest.mark.parametrize("message", [None, [], "PostCreated", 42, ["id", "type"]])
def test_from_message_refuses_a_message_that_is_not_an_object(message):
    with pytest.raises(InvalidEvent, match="JSON object"):
        Event.from_message(message)


@pytest.mark.parametrize("key", ["id", "type", "data", "source"])
def test_from_message_refuses_a_message_missing_a_key(key):
    message = _post_created().as_message()
    del message[key]

    with pytest.raises(InvalidEvent, match=f"lacks {key}"):
        Event.from_message(message)


def test_from_message_names_every_missing_key():
    with pytest.raises(InvalidEvent, match="lacks data, id, source, type"):
        Event.from_message({"version": 1})


@pytest.mark.parametrize("event_type", ["PostPublished", "postcreated", "", None])
def test_from_message_refuses_an_unknown_type(event_type):
    message = {**_post_created().as_message(), "type": event_type}

    with pytest.raises(InvalidEvent, match="unknown event type"):
        Event.from_message(message)


@pytest.mark.parametrize("data", [None, [], "post_id=7", 7])
def test_from_message_refuses_data_that_is_not_an_object(data):
    message = {**_post_created().as_message(), "data": data}

    with pytest.raises(InvalidEvent, match="data must be a JSON object"):
        Event.from_message(message)


@pytest.mark.parametrize(
    ("event_type", "field"),
    [(event_type, field) for event_type, fields in DATA_FIELDS.items() for field in fields],
)
def test_from_message_refuses_data_missing_a_field(event_type, field):
    data = _data_for(event_type)
    del data[field]
    message = Event(type=event_type, source="test", data=data).as_message()

    with pytest.raises(InvalidEvent, match=f"{event_type} lacks {field}"):
        Event.from_message(message)


def test_invalid_event_is_a_value_error():
    assert issubclass(InvalidEvent, ValueError)


def test_derived_event_id_is_deterministic():
    cause_id = str(uuid.uuid4())

    first = derived_event_id(cause_id, events.COMMENT_MODERATED)
    again = derived_event_id(cause_id, events.COMMENT_MODERATED)

    assert first == again
    assert uuid.UUID(first)
    assert first != cause_id


def test_derived_event_id_differs_per_type_and_per_cause():
    cause_id = str(uuid.uuid4())

    by_type = {derived_event_id(cause_id, event_type) for event_type in events.EVENT_TYPES}
    other_cause = derived_event_id(str(uuid.uuid4()), events.COMMENT_MODERATED)

    assert len(by_type) == len(events.EVENT_TYPES)
    assert other_cause != derived_event_id(cause_id, events.COMMENT_MODERATED)


def test_derived_event_id_needs_a_uuid_cause():
    with pytest.raises(ValueError):
        derived_event_id("not-a-uuid", events.COMMENT_MODERATED)


def test_every_event_type_has_subscribers():
    assert set(SUBSCRIPTIONS) == set(DATA_FIELDS)
    assert all(SUBSCRIPTIONS[event_type] for event_type in DATA_FIELDS)


def test_subscribers_are_services_with_queues():
    subscribers = {service for services in SUBSCRIPTIONS.values() for service in services}

    assert subscribers <= set(queue_services())


def test_post_and_comment_events_carry_a_revision_except_the_moderation_decision():
    without_revision = {
        event_type for event_type, fields in DATA_FIELDS.items() if "revision" not in fields
    }

    assert without_revision == {events.COMMENT_MODERATED}


@pytest.mark.parametrize("event_type", [["PostCreated"], {"name": "PostCreated"}])
def test_from_message_refuses_a_type_that_is_not_a_string(event_type):
    message = {**_post_created().as_message(), "type": event_type}

    with pytest.raises(InvalidEvent):
        Event.from_message(message)


@pytest.mark.parametrize("version", ["one", None, [1]])
def test_from_message_refuses_a_version_that_is_not_a_number(version):
    message = {**_post_created().as_message(), "version": version}

    with pytest.raises(InvalidEvent):
        Event.from_message(message)
