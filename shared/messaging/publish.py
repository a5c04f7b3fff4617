"""Publishing events: record in the outbox inside the caller's transaction, relay after commit."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import queue
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import DatabaseError, close_old_connections, connections, transaction
from django.db.models import F
from django.utils import timezone

from shared import study
from shared.events import Event
from shared.instrumentation import metrics
from shared.instrumentation.celery_signals import traced_relay
from shared.instrumentation.tally import count, current_request_id
from shared.messaging.eventbus import BROKER_ERRORS, EVENTBUS_QUEUE, publish_event
from shared.messaging.in_flight import in_flight_event_ids
from shared.messaging.models import OutboxEvent
from shared.signing import event_signed

logger = logging.getLogger(__name__)

RELAY_BATCH = 200
# The worker's relay loop leaves an event this young to the relay after commit, which is on
# its way to send it. What the relay after commit could not send (the broker away, the
# process dead) waits this long for the loop.
RELAY_LOOP_GRACE_SECONDS = 5
# The relay after commit sends an event younger than this as it is, without claiming it
# first: the loop cannot take it before RELAY_LOOP_GRACE_SECONDS, so nobody else sends it.
# An older one (a web process's relay thread runs seconds behind under overload) is claimed
# first like any other (claim_unsent): the loop may be sending it. Before the claim, both
# sent it: 1-7% of the events were sent twice in `compare`'s overload phase. A claim of its
# own for every event cost the relay a write transaction each, and on SQLite each waited
# for the database's one write lock behind the request's (docs/speed.md, eighth pass).
FRESH_SECONDS = RELAY_LOOP_GRACE_SECONDS / 2


@dataclass(frozen=True, slots=True)
class Recorded:
    """An event this process recorded, as its relay after commit sends it (from memory: no
    read of the outbox row)."""

    event_id: str
    message: dict
    request_id: str
    recorded_at: float  # time.monotonic()


def record_event(*, event: Event) -> None:
    """Record an event in the outbox, in the caller's open transaction.

    It is signed with this service's key (shared.signing). The event is relayed to the
    broker right after the transaction commits; if the
    broker is away then, the worker's relay loop sends it later. It is never lost.
    """
    event = event_signed(event)
    message = event.as_message()
    request_id = current_request_id.get() or ""
    OutboxEvent.objects.create(
        id=event.id, event_type=event.type, message=message, request_id=request_id
    )
    recorded = Recorded(str(event.id), message, request_id, time.monotonic())
    # robust: a failing relay must not turn a committed write into a 500 (the relay loop
    # sends the event later).
    transaction.on_commit(lambda: _relay_after_commit(recorded), robust=True)


def _relay_after_commit(recorded: Recorded) -> None:
    # While the study switch that crashes the relay is on, the worker's relay loop is left
    # to publish (and die), not the web process answering the request.
    if study.relay_crash_armed():
        return
    if _background_relay is not None:
        count("handed_off")  # the request's trace record says a relay record will follow
        _background_relay.submit(recorded)
    else:
        # The switch may be turned on while this sends: the web process must not be the one
        # that dies (and clears the one-shot switch), or the worker's relay never does.
        relay_recorded([recorded])


def relay_recorded(
    recorded: list[Recorded],
    *,
    around: Callable[[Recorded], AbstractContextManager] = lambda _: nullcontext(),
) -> int:
    """The relay after commit: send these events, just committed by this process, and mark
    the sent ones sent in one UPDATE; returns how many were sent. Each is sent within
    `around(it)` (a trace record of its own), the last with the marking. Those older than
    FRESH_SECONDS are claimed first (relay_outbox). When the broker is away, the rest are
    left to the relay loop (after RELAY_LOOP_GRACE_SECONDS)."""
    now = time.monotonic()
    fresh = [item for item in recorded if now - item.recorded_at < FRESH_SECONDS]
    stale = [item.event_id for item in recorded if now - item.recorded_at >= FRESH_SECONDS]
    sent: list[str] = []
    for number, item in enumerate(fresh, start=1):
        with around(item):
            try:
                publish_event(item.message, request_id=item.request_id)
            except BROKER_ERRORS as error:
                logger.warning("outbox relay: broker unavailable (%s); will retry", error)
                _count_failure(item.event_id, error)
                _mark_all_sent(sent)
                return len(sent)
            sent.append(item.event_id)
            if number == len(fresh):
                _mark_all_sent(sent)
    return len(sent) + (relay_outbox(ids=stale, may_crash=False) if stale else 0)


def _count_failure(pk, error: Exception) -> None:
    OutboxEvent.objects.filter(pk=pk).update(
        attempts=F("attempts") + 1, last_error=str(error)[:500], claimed_at=None
    )


class BackgroundRelay:
    """A web process's relay after commit, on a thread of its own: the response to a write
    goes out as soon as its transaction commits, without waiting for the broker.

    Nothing is lost by not waiting: the event is in the outbox, committed, before it is
    handed to this thread. If the process dies first, or the broker is away, the worker's
    relay loop sends it (after RELAY_LOOP_GRACE_SECONDS). What was handed over while it
    sent is sent next, together (relay_recorded: one UPDATE marks them all sent). Each
    event's SQL and messages are tallied under its write's request id, in a trace record of
    kind "relay" (the marking in the last one's).

    An event committed during a request is handed over when the request has finished
    (Django's request_finished: the WSGI server has written the response), not at commit.
    A relay thread that starts sending while the response is being written holds the GIL
    in between, and the response waited for it: a third of a paced comment POST's time, in
    the socket write (docs/speed.md, eighth pass).
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Recorded | None] = queue.SimpleQueue()
        self._requests = threading.local()  # .held: what this thread's request committed
        request_started.connect(self._hold)
        request_finished.connect(self._hand_over)
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._thread.start()

    def submit(self, recorded: Recorded) -> None:
        held = getattr(self._requests, "held", None)
        if held is None:  # not in a request
            self._queue.put(recorded)
        else:
            held.append(recorded)

    def _hold(self, **kwargs) -> None:
        self._requests.held = []

    def _hand_over(self, **kwargs) -> None:
        held, self._requests.held = getattr(self._requests, "held", None), None
        for recorded in held or ():
            self._queue.put(recorded)

    def stop(self, *, timeout: float = 10.0) -> None:
        """Relay what was submitted, then end the thread and close its connection (tests)."""
        request_started.disconnect(self._hold)
        request_finished.disconnect(self._hand_over)
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < CLAIM_BATCH and None not in batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            recorded = [item for item in batch if item is not None]
            if recorded:
                close_old_connections()  # as around a request: drop a broken or expired one
                try:
                    with study.fault_held():
                        relay_recorded(recorded, around=_traced)
                except Exception:  # the relay loop sends them later; this thread must live on
                    logger.warning(
                        "relay after commit: %s left to the relay loop",
                        ", ".join(item.event_id for item in recorded),
                        exc_info=True,
                    )
            if None in batch:
                connections.close_all()
                return


def _traced(recorded: Recorded) -> AbstractContextManager:
    return traced_relay(recorded.request_id, name="relay after commit")


_background_relay: BackgroundRelay | None = None


def relay_in_background() -> None:
    """From now on, this process relays what it commits on a thread (BackgroundRelay).
    Called in each gunicorn worker (shared.gunicorn_conf): web processes
    only. Celery workers, the shell and the unit tests relay inline, before on_commit
    returns."""
    global _background_relay
    if _background_relay is None:
        _background_relay = BackgroundRelay()


def relay_outbox_loop() -> int:
    """The worker loop's relay: what the relay after commit did not send (the broker was
    away, or the web process died). It leaves an event recorded in the last
    RELAY_LOOP_GRACE_SECONDS to that relay: both sending it made one write publish twice."""
    return relay_outbox(older_than_seconds=RELAY_LOOP_GRACE_SECONDS)


def relay_outbox(
    *, ids: list[str] | None = None, older_than_seconds: float = 0, may_crash: bool = True
) -> int:
    """Publish unsent outbox events (those named, or the oldest) to their subscribers and the
    store (publish_event); returns how many. Each is claimed first (claim_unsent), so that
    two relays never both send it; a claimed batch is marked sent in one UPDATE.
    `may_crash`: whether the study's relay crash switch applies here."""
    sent = 0
    while sent < RELAY_BATCH:
        claimed = claim_unsent(ids=ids, older_than_seconds=older_than_seconds)
        done: list = []
        for number, outbox_event in enumerate(claimed):
            if not _send_claimed(outbox_event, may_crash=may_crash, sent_before=done):
                _mark_all_sent(done)
                _release([row.pk for row in claimed[number:]])
                return sent + len(done)
            done.append(outbox_event.pk)
        _mark_all_sent(done)
        sent += len(done)
        if len(claimed) < CLAIM_BATCH:
            break
    return sent


def _send_claimed(outbox_event: OutboxEvent, *, may_crash: bool, sent_before: list) -> bool:
    """Send one claimed event (its batch marks it sent); False when the broker is away."""
    if outbox_event.last_error == MSG_CLAIM_EXPIRED:
        events_resent(REASON_CLAIM_EXPIRED)
    try:
        publish_event(outbox_event.message, request_id=outbox_event.request_id)
    except BROKER_ERRORS as error:
        logger.warning("outbox relay: broker unavailable (%s); will retry", error)
        _count_failure(outbox_event.pk, error)
        return False
    if may_crash and study.relay_crash_armed():
        _mark_all_sent(sent_before)  # the crash is this event's: those before it were sent
        study.relay_crash(event_id=str(outbox_event.pk))  # study only: dies here, once
    return True


def _release(pks: list) -> None:
    """Give back the claims of events left unsent (the broker is away): the next relay may
    take them at once."""
    OutboxEvent.objects.filter(pk__in=pks, sent_at__isnull=True).update(claimed_at=None)


# Claiming: a relay takes the rows it is about to send in one statement (an UPDATE that
# sets claimed_at on rows nobody holds, RETURNING them; on PostgreSQL its row choice is
# SELECT ... FOR UPDATE SKIP LOCKED, so two relays take disjoint rows without waiting on
# each other; SQLite runs one writer at a time). A claim lasts CLAIM_LEASE_SECONDS: longer
# than a batch takes to send, short enough that an event whose relay died between sending
# and marking it sent (the study's relay crash) is sent again soon by another.
CLAIM_BATCH = 50
CLAIM_LEASE_SECONDS = 30
MSG_CLAIM_EXPIRED = (
    "claimed by a relay that did not mark it sent (it died, or its database failed); "
    "sent again once the claim expired"
)


def claim_unsent(*, ids: list[str] | None, older_than_seconds: float) -> list[OutboxEvent]:
    """Claim up to CLAIM_BATCH unsent events nobody holds (those named, or the oldest),
    oldest first. An event claimed before whose claim expired comes back with last_error
    MSG_CLAIM_EXPIRED."""
    now = timezone.now()
    connection = connections[OutboxEvent.objects.db]
    stamp = _OUTBOX_DATE.get_db_prep_value
    params = [
        stamp(now, connection),
        MSG_CLAIM_EXPIRED,
        stamp(now - _LEASE, connection),
        *(_OUTBOX_ID.get_db_prep_value(event_id, connection) for event_id in ids or ()),
    ]
    if older_than_seconds:
        params.append(stamp(now - dt.timedelta(seconds=older_than_seconds), connection))
    sql = _claim_sql(connection.alias, None if ids is None else len(ids), bool(older_than_seconds))
    # In a transaction: PostgreSQL's row locks (FOR UPDATE SKIP LOCKED) need one.
    with transaction.atomic(using=connection.alias):
        claimed = list(OutboxEvent.objects.using(connection.alias).raw(sql, params))
    return sorted(claimed, key=lambda row: row.created_at)


@functools.lru_cache(maxsize=32)
def _claim_sql(alias: str, ids: int | None, older: bool) -> str:
    """The claim's UPDATE for one shape of call (how many ids, whether an age limit),
    written once, as _mark_all_sent's is: building it with the ORM on every relay cost more
    than running it (docs/speed.md, seventh pass). Its parameters, in order: now,
    MSG_CLAIM_EXPIRED, the lease's cutoff, the ids, the age cutoff. Where the database can
    (PostgreSQL), the rows are chosen FOR UPDATE SKIP LOCKED, so that two relays claiming at
    once take different rows instead of waiting for each other."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    table = quote(OutboxEvent._meta.db_table)
    where = ["(claimed_at IS NULL OR claimed_at <= %s)", "sent_at IS NULL"]
    if ids is not None:
        where.append(f"id IN ({', '.join(['%s'] * ids)})" if ids else "1 = 0")
    if older:
        where.append("created_at <= %s")
    skip_locked = (
        " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    )
    choice = (
        f"SELECT id FROM {table} WHERE {' AND '.join(where)} "
        f"ORDER BY created_at LIMIT {CLAIM_BATCH}{skip_locked}"
    )
    return (
        f"UPDATE {table} SET claimed_at = %s, "
        "last_error = CASE WHEN claimed_at IS NULL THEN '' ELSE %s END "
        f"WHERE id IN ({choice}) "
        "RETURNING id, message, request_id, attempts, last_error, created_at"
    )


def _mark_all_sent(pks: list) -> None:
    """Mark sent events sent unless they are already (one UPDATE, its SQL written once per
    count). One that another relay marked first was sent twice: counted (REASON_TWO_RELAYS).
    When the database fails, they stay unsent and are sent again (the loop, once they are
    older than RELAY_LOOP_GRACE_SECONDS or their claim expired); consumers drop the copy."""
    if not pks:
        return
    connection = connections[OutboxEvent.objects.db]
    params = [
        _OUTBOX_DATE.get_db_prep_value(timezone.now(), connection),
        *(_OUTBOX_ID.get_db_prep_value(pk, connection) for pk in pks),
    ]
    try:
        with connection.cursor() as cursor:
            cursor.execute(_mark_sql(connection.alias, len(pks)), params)
            marked = cursor.rowcount
    except DatabaseError:
        logger.warning("outbox relay: could not mark %s sent", ", ".join(map(str, pks)))
        return
    if marked < len(pks):  # another relay sent them too (a claim outlived its lease)
        events_resent(REASON_TWO_RELAYS, len(pks) - marked)


@functools.lru_cache(maxsize=64)
def _mark_sql(alias: str, count: int) -> str:
    quote = connections[alias].ops.quote_name
    return (
        f"UPDATE {quote(OutboxEvent._meta.db_table)} "
        "SET sent_at = %s, attempts = attempts + 1, claimed_at = NULL "
        f"WHERE id IN ({', '.join(['%s'] * count)}) AND sent_at IS NULL"
    )


_OUTBOX_ID = OutboxEvent._meta.pk
_OUTBOX_DATE = OutboxEvent._meta.get_field("claimed_at")
_LEASE = dt.timedelta(seconds=CLAIM_LEASE_SECONDS)


# Why an event is published once more (metrics.EVENTS_RESENT's reason): only a
# loss may cause one.
REASON_LOST = "lost_on_the_way_to_the_store"  # outbox_confirm: not stored, nothing in flight
REASON_DECISION_LOST = "moderation_decision_lost"  # micro.comments: pending, nothing in flight
REASON_CLAIM_EXPIRED = "claim_expired"  # its relay died (or failed to mark it) after claiming
REASON_TWO_RELAYS = "sent_by_two_relays"  # should never count: a claim outlived its lease


def events_resent(reason: str, count: int = 1) -> None:
    metrics.EVENTS_RESENT.labels(settings.SERVICE_NAME, reason).inc(count)


# Confirming: which sent events does the event store hold? The others are re-sent, but only
# once nothing can still be on its way to the store (shared.messaging.in_flight), and then
# with a backoff per event; a slow event bus makes no copies.
CONFIRM_AFTER_SECONDS = 5
RESEND_BACKOFF_MAX_SECONDS = 300
# Ids per confirmation request: 200 UUIDs are about 8 KiB of JSON, half the body limit
# (shared.settings.base.MAX_BODY_BYTES) and within the event bus's STORED_IDS_MAX.
CONFIRM_PAGE = 200
RESEND_BATCH = RELAY_BATCH


def resend_backoff_seconds(resends: int) -> float:
    """How long after its last sending an event not yet stored may be re-sent: 5 s after the
    first sending, then 10, 20 ... capped at 5 minutes (never given up: that would lose it).
    Counted by re-sends, not by attempts: failed sends while the broker was away do not
    lengthen it."""
    return min(CONFIRM_AFTER_SECONDS * 2**resends, RESEND_BACKOFF_MAX_SECONDS)


def outbox_confirm() -> int:
    """Mark the sent events the event store holds as confirmed; re-send those really lost.
    Returns how many were re-sent.

    The broker is read before the store (see shared.messaging.in_flight): while the event
    bus's queue has a backlog nothing is taken for lost, so a slow event bus causes no
    re-send. Confirmation goes a page at a time, so that no request exceeds a body limit;
    while the event bus is behind it stops at the first page of which nothing is stored
    yet (the newer events queue behind those)."""
    from shared.messaging.catch_up import event_store_client

    cutoff = timezone.now() - dt.timedelta(seconds=CONFIRM_AFTER_SECONDS)
    waiting = list(
        OutboxEvent.objects.filter(
            sent_at__isnull=False, sent_at__lte=cutoff, confirmed_at__isnull=True
        )
        .order_by("created_at")
        .values_list("id", "sent_at", "resends")
    )
    if not waiting:
        return 0
    in_flight = in_flight_event_ids(queues=[EVENTBUS_QUEUE])
    client, lost = event_store_client(), []
    for start in range(0, len(waiting), CONFIRM_PAGE):
        page = waiting[start : start + CONFIRM_PAGE]
        ids = [str(event_id) for event_id, _, _ in page]
        stored = set(client.post_json("/internal/events/stored/", {"ids": ids})["stored"])
        OutboxEvent.objects.filter(id__in=stored).update(confirmed_at=timezone.now())
        if in_flight is None:
            if not stored:
                break  # the event bus is behind: the rest wait behind this page
            continue
        known = stored | in_flight
        lost += [row for row in page if str(row[0]) not in known and _due(row)]
        if len(lost) >= RESEND_BATCH:
            break
    return _resend([str(event_id) for event_id, _, _ in lost[:RESEND_BATCH]])


def _due(row: tuple) -> bool:
    _, sent_at, resends = row
    return timezone.now() - sent_at >= dt.timedelta(seconds=resend_backoff_seconds(resends))


def _resend(ids: list[str]) -> int:
    if not ids:
        return 0
    logger.warning("outbox: %d event(s) lost on the way to the store; sending again", len(ids))
    return resend(ids=ids, reason=REASON_LOST)


def resend(*, ids: list[str], reason: str) -> int:
    """Send these sent events again (they were lost: `reason`); returns how many were."""
    OutboxEvent.objects.filter(id__in=ids).update(sent_at=None, resends=F("resends") + 1)
    sent = relay_outbox(ids=ids)
    events_resent(reason, sent)
    return sent
