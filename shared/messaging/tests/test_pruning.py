"""Pruning: confirmed outbox rows and inbox entries past their retention go, nothing else."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from shared.messaging import pruning
from shared.messaging.models import DeadLetter, OutboxEvent, ProcessedEvent

pytestmark = pytest.mark.django_db


def _outbox(*, confirmed_hours_ago: float | None, created_hours_ago: float = 1_000) -> str:
    event_id = str(uuid.uuid4())
    now = timezone.now()
    OutboxEvent.objects.create(id=event_id, event_type="PostCreated", message={})
    OutboxEvent.objects.filter(id=event_id).update(
        created_at=now - dt.timedelta(hours=created_hours_ago),
        sent_at=now - dt.timedelta(hours=created_hours_ago),
        confirmed_at=None
        if confirmed_hours_ago is None
        else now - dt.timedelta(hours=confirmed_hours_ago),
    )
    return event_id


def _inbox(*, hours_ago: float) -> str:
    event_id = str(uuid.uuid4())
    ProcessedEvent.objects.create(event_id=event_id, event_type="PostCreated")
    ProcessedEvent.objects.filter(event_id=event_id).update(
        processed_at=timezone.now() - dt.timedelta(hours=hours_ago)
    )
    return event_id


def _ids(model) -> set[str]:
    return {str(pk) for pk in model.objects.values_list("pk", flat=True)}


def test_what_is_past_its_retention_goes_and_nothing_else(settings):
    settings.OUTBOX_RETENTION_HOURS, settings.INBOX_RETENTION_HOURS = 24, 168
    old_confirmed = _outbox(confirmed_hours_ago=25)
    recent_confirmed = _outbox(confirmed_hours_ago=23)
    never_confirmed = _outbox(confirmed_hours_ago=None, created_hours_ago=10_000)
    old_applied, recent_applied = _inbox(hours_ago=169), _inbox(hours_ago=167)
    DeadLetter.objects.create(task_name="t", message={}, error="kept")

    assert pruning.bookkeeping_prune() == 2

    assert _ids(OutboxEvent) == {recent_confirmed, never_confirmed}
    assert _ids(ProcessedEvent) == {recent_applied}
    assert old_confirmed not in _ids(OutboxEvent) and old_applied not in _ids(ProcessedEvent)
    assert DeadLetter.objects.count() == 1
    assert pruning.bookkeeping_prune() == 0


def test_a_backlog_goes_in_batches_within_one_round(settings, monkeypatch):
    monkeypatch.setattr(pruning, "PRUNE_BATCH", 3)
    settings.INBOX_RETENTION_HOURS = 1
    for _ in range(10):
        _inbox(hours_ago=2)

    assert pruning.bookkeeping_prune() == 10
    assert not ProcessedEvent.objects.exists()


def test_every_service_with_an_outbox_or_an_inbox_prunes(settings):
    from django.utils.module_loading import import_string

    assert "shared.messaging.pruning.bookkeeping_prune" in settings.WORKER_LOOPS
    import_string("shared.messaging.pruning.bookkeeping_prune")
