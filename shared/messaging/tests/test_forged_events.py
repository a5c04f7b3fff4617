"""Consumers refuse forged events into dead letters: nothing applied, nothing retried, and
the inbox does not take the id (the genuine event still applies when it comes)."""

from __future__ import annotations

import dataclasses

import pytest

from shared import events
from shared.events import Event
from shared.messaging.catch_up import CATCH_UP_TASK_NAME, _apply_stored
from shared.messaging.models import DeadLetter, ProcessedEvent
from shared.messaging.tests.test_dead_letters import HANDLERS, handle_event
from shared.signing import dev_signing_key, signature_of
from shared.testing.events import dev_signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def applied(monkeypatch) -> list[str]:
    seen: list[str] = []
    monkeypatch.setitem(HANDLERS, events.COMMENT_MODERATED, lambda event: seen.append(event.id))
    return seen


def _moderated(status: str = "approved") -> Event:
    data = {"comment_id": 3, "post_id": 1, "status": status}
    return dev_signed(Event(type=events.COMMENT_MODERATED, source="moderation", data=data))


def _signed_by(event: Event, service: str) -> Event:
    unsigned = dataclasses.replace(event, signature="")
    return dataclasses.replace(
        unsigned, signature=signature_of(unsigned, signing_key=dev_signing_key(service))
    )


FORGERIES = {
    # What anyone who can push onto the comments queue could send without a key.
    "unsigned": lambda event: dataclasses.replace(event, signature=""),
    "status-rewritten": lambda event: dataclasses.replace(
        event, data={**event.data, "status": "rejected"}
    ),
    "claims-another-source": lambda event: _signed_by(
        dataclasses.replace(event, source="comments"), "comments"
    ),
    "signed-with-another-services-key": lambda event: _signed_by(event, "comments"),
}


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_forged_event_is_dead_lettered_and_changes_nothing(forge, applied):
    genuine = _moderated()
    message = forge(genuine).as_message()

    assert handle_event.apply(args=(message,)).get() is False

    assert applied == []
    letter = DeadLetter.objects.get()
    assert letter.error.startswith("forged event: "), letter.error
    assert letter.message == message
    assert not ProcessedEvent.objects.exists()
    # The genuine event with the same id is applied when it arrives.
    assert handle_event.apply(args=(genuine.as_message(),)).get() is True
    assert applied == [genuine.id]


def test_a_genuine_event_is_applied(applied):
    event = _moderated()

    assert handle_event.apply(args=(event.as_message(),)).get() is True
    assert applied == [event.id]


def test_catch_up_refuses_a_forged_stored_event(applied):
    forged = dataclasses.replace(_moderated(), signature="").as_message()

    assert _apply_stored({**forged, "seq": 1}, HANDLERS) == 0

    assert applied == []
    letter = DeadLetter.objects.get()
    assert letter.task_name == CATCH_UP_TASK_NAME
    assert letter.error.startswith("forged event: ")
