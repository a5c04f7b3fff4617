"""The study switch that kills the outbox relay between publishing and marking sent, once."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.db import transaction
from django.utils import timezone

from shared import events, study
from shared.events import Event
from shared.messaging import publish
from shared.messaging.models import OutboxEvent

pytestmark = pytest.mark.django_db


class Crashed(Exception):
    """Raised instead of os._exit, so the test can look at what the dead process left."""


@pytest.fixture
def sent(monkeypatch) -> list[dict]:
    messages: list[dict] = []
    monkeypatch.setattr(publish, "publish_event", lambda message, **kw: messages.append(message))
    return messages


@pytest.fixture
def fault_file(study_fault_file, monkeypatch):
    """Study mode on, a fault file, and os._exit replaced by an exception."""
    path = study_fault_file

    def exit_now(code: int) -> None:
        raise Crashed(code)

    monkeypatch.setattr(study.os, "_exit", exit_now)
    return path


def _record(count: int) -> list[str]:
    ids = []
    for number in range(count):
        event = Event(type=events.POST_DELETED, source="posts", data={"post_id": number})
        with transaction.atomic():
            publish.record_event(event=event)
        ids.append(event.id)
    return ids


def _arm(path) -> None:
    path.write_text(json.dumps({"relay_crash_after_publish": True, "delay_ms": 0}))


def test_the_relay_dies_after_publishing_before_marking_sent_and_only_once(fault_file, sent):
    first, second = _record(2)
    _arm(fault_file)

    with pytest.raises(Crashed):
        publish.relay_outbox()

    assert [message["id"] for message in sent] == [first]
    assert OutboxEvent.objects.filter(sent_at__isnull=False).count() == 0
    assert json.loads(fault_file.read_text()) == {"delay_ms": 0}  # the switch cleared itself

    # The dead relay's claim holds both events until it expires (publish.CLAIM_LEASE_SECONDS):
    # then the restarted relay sends the first one again, and the second.
    assert publish.relay_outbox() == 0
    counted_before = _claims_expired()
    OutboxEvent.objects.update(
        claimed_at=timezone.now() - dt.timedelta(seconds=publish.CLAIM_LEASE_SECONDS)
    )
    assert publish.relay_outbox() == 2
    assert [message["id"] for message in sent] == [first, first, second]
    assert OutboxEvent.objects.filter(sent_at__isnull=True).count() == 0
    assert OutboxEvent.objects.get(id=first).last_error == publish.MSG_CLAIM_EXPIRED
    # Both counted as sent again: nobody knows whether the dead relay sent the second.
    assert _claims_expired() - counted_before == 2


def _claims_expired() -> float:
    from prometheus_client import REGISTRY

    labels = {"service": "posts", "reason": publish.REASON_CLAIM_EXPIRED}
    return REGISTRY.get_sample_value("blog_events_resent_total", labels) or 0.0


def test_while_armed_the_after_commit_relay_leaves_publishing_to_the_loop(
    fault_file, sent, django_capture_on_commit_callbacks
):
    _arm(fault_file)
    with django_capture_on_commit_callbacks(execute=True):
        _record(1)
    assert sent == []

    fault_file.unlink()
    with django_capture_on_commit_callbacks(execute=True):
        [event_id] = _record(1)
    assert [message["id"] for message in sent] == [event_id]


def test_outside_study_mode_the_switch_is_ignored(fault_file, sent, settings):
    settings.STUDY_MODE = False
    _record(2)
    _arm(fault_file)

    assert publish.relay_outbox() == 2
    assert len(sent) == 2


def test_the_relay_after_commit_never_dies_even_when_the_switch_turns_on_while_it_sends(
    fault_file, sent, monkeypatch
):
    """The web process's relay checks the switch before sending; if it turns on meanwhile,
    the worker's relay loop must still be the one that dies (and clears it)."""
    (event_id,) = _record(1)
    sends = publish.publish_event

    def send_and_arm(message, **kw):
        sends(message, **kw)
        _arm(fault_file)  # switched on between the check and the mark

    monkeypatch.setattr(publish, "publish_event", send_and_arm)
    message = OutboxEvent.objects.get(pk=event_id).message
    publish._relay_after_commit(publish.Recorded(event_id, message, "", time.monotonic()))

    assert [message["id"] for message in sent] == [event_id]
    assert OutboxEvent.objects.get(pk=event_id).sent_at is not None
    assert json.loads(fault_file.read_text())["relay_crash_after_publish"] is True  # still armed
