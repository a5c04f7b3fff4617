"""Events as their producers sign them in development, for tests that hand events to a consumer,
and well-formed payloads of every event type."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shared.events import DATA_FIELDS, PAYLOADS, Event, Payload
from shared.signing import SIGNERS, dev_signing_key, signed_as_producer

DEV_SIGNING_KEYS = {service: dev_signing_key(service) for service in SIGNERS}
EXAMPLE_CREATED_AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def dev_signed(event: Event) -> Event:
    """The event from its one producer, signed with that producer's development key (the
    one the development settings check with)."""
    return signed_as_producer(event, signing_keys=DEV_SIGNING_KEYS)


def example_payload(event_type: str, number: int = 1) -> Payload:
    """A well-formed payload of this type, about post `number` and comment `number`."""
    entity: dict[str, Any] = {
        "post_id": number,
        "comment_id": number,
        "title": f"Post {number}",
        "content": f"Comment {number}",
        "status": "pending",
        "created_at": EXAMPLE_CREATED_AT,
        "revision": 1,
    }
    return PAYLOADS[event_type](**{name: entity[name] for name in DATA_FIELDS[event_type]})


def example_data(event_type: str, number: int = 1) -> dict[str, Any]:
    """example_payload's data as it travels."""
    return example_payload(event_type, number).as_data()
