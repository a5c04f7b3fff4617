"""claim_unsent: which outbox rows a relay may take, and (PostgreSQL) that two relays
claiming at once take different rows without waiting for each other."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from shared.messaging import publish
from shared.messaging.models import OutboxEvent


def _unsent(count: int) -> list[OutboxEvent]:
    return [
        OutboxEvent.objects.create(id=uuid.uuid4(), event_type="PostCreated", message={"n": n})
        for n in range(count)
    ]


@pytest.mark.django_db
def test_a_claimed_event_is_not_claimed_again_until_its_lease_expires():
    [event] = _unsent(1)
    assert [row.id for row in publish.claim_unsent(ids=None, older_than_seconds=0)] == [event.id]
    assert publish.claim_unsent(ids=None, older_than_seconds=0) == []

    expired = timezone.now() - dt.timedelta(seconds=publish.CLAIM_LEASE_SECONDS + 1)
    OutboxEvent.objects.filter(id=event.id).update(claimed_at=expired)
    [again] = publish.claim_unsent(ids=None, older_than_seconds=0)
    assert (again.id, again.last_error) == (event.id, publish.MSG_CLAIM_EXPIRED)


@pytest.mark.django_db
def test_a_claim_takes_only_the_named_unsent_events_old_enough():
    first, second, sent = _unsent(3)
    OutboxEvent.objects.filter(id=sent.id).update(sent_at=timezone.now())

    assert publish.claim_unsent(ids=[], older_than_seconds=0) == []
    assert publish.claim_unsent(ids=[str(second.id)], older_than_seconds=60) == []  # too recent
    named = publish.claim_unsent(ids=[str(second.id), str(sent.id)], older_than_seconds=0)
    assert [row.id for row in named] == [second.id]
    assert [row.id for row in publish.claim_unsent(ids=None, older_than_seconds=0)] == [first.id]


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_second_relay_skips_rows_another_is_claiming_instead_of_waiting():
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite serialises writers, one at a time)")
    [held, free] = _unsent(2)
    claimed, release = threading.Event(), threading.Event()
    first: list = []

    def first_relay() -> None:
        try:
            with transaction.atomic():  # holds its claimed row's lock until release
                first.extend(publish.claim_unsent(ids=[str(held.id)], older_than_seconds=0))
                claimed.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    thread, other = threading.Thread(target=first_relay), None
    thread.start()
    try:
        assert claimed.wait(timeout=10)
        second: list = []

        def second_relay() -> None:
            try:
                second.extend(publish.claim_unsent(ids=None, older_than_seconds=0))
            finally:
                connections.close_all()

        other = threading.Thread(target=second_relay)
        other.start()
        other.join(timeout=5)
        assert not other.is_alive(), "the second claim waited for the first one's lock"
        assert [row.id for row in second] == [free.id]
    finally:
        release.set()
        thread.join(timeout=10)
        if other is not None:
            other.join(timeout=10)
    assert [row.id for row in first] == [held.id]
