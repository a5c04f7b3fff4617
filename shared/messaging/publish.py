"""Publishing events: record in the outbox inside the caller's transaction, relay after commit."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import queue
import threading

from django.conf import settings
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
# process dead) waits this long for the loop. Both relays may still reach the same row (a
# web process's relay thread runs seconds behind under overload): each claims a row before
# sending it (claim_unsent), so only one sends it. Before the claim, both sent it: 1-7% of
# the events were sent twice in `compare`'s overload phase.
RELAY_LOOP_GRACE_SECONDS = 5


def record_event(*, event: Event) -> None:
    """Record an event in the outbox, in the caller's open transaction.

    It is signed with this service's key (shared.signing). The event is relayed to the
    broker right after the transaction commits; if the
    broker is away then, the worker's relay loop sends it later. It is never lost.
    """
    event = event_signed(event)
    OutboxEvent.objects.create(
        id=event.id,
        event_type=event.type,
        message=event.as_message(),
        request_id=current_request_id.get() or "",
    )
    # robust: a failing relay must not turn a committed write into a 500 (the relay loop
    # sends the event later).
    transaction.on_commit(lambda: _relay_after_commit(event_id=event.id), robust=True)


def _relay_after_commit(*, event_id: str) -> None:
    # While the study switch that crashes the relay is on, the worker's relay loop is left
    # to publish (and die), not the web process answering the request.
    if study.relay_crash_armed():
        return
    if _background_relay is not None:
        count("handed_off")  # the request's trace record says a relay record will follow
        _background_relay.submit(event_id, request_id=current_request_id.get())
    else:
        # The switch may be turned on while this sends: the web process must not be the one
        # that dies (and clears the one-shot switch), or the worker's relay never does.
        relay_outbox(ids=[event_id], may_crash=False)


class BackgroundRelay:
    """A web process's relay after commit, on a thread of its own: the response to a write
    goes out as soon as its transaction commits, without waiting for the broker.

    Nothing is lost by not waiting: the event is in the outbox, committed, before it is
    handed to this thread. If the process dies first, or the broker is away, the worker's
    relay loop sends it (after RELAY_LOOP_GRACE_SECONDS). The thread's SQL and messages are
    tallied under the write's request id, in a trace record of kind "relay".
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[str, str | None] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._thread.start()

    def submit(self, event_id: str, *, request_id: str | None) -> None:
        self._queue.put((event_id, request_id))

    def stop(self, *, timeout: float = 10.0) -> None:
        """Relay what was submitted, then end the thread and close its connection (tests)."""
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                connections.close_all()
                return
            event_id, request_id = item
            close_old_connections()  # as around a request: drop a broken or expired one
            try:
                with traced_relay(request_id, name="relay after commit"):
                    relay_outbox(ids=[event_id], may_crash=False)
            except Exception:  # the relay loop sends it later; this thread must live on
                logger.warning(
                    "relay after commit: %s left to the relay loop", event_id, exc_info=True
                )


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
    two relays never both send it.
    `may_crash`: whether the study's relay crash switch applies here."""
    sent = 0
    while sent < RELAY_BATCH:
        claimed = claim_unsent(ids=ids, older_than_seconds=older_than_seconds)
        for number, outbox_event in enumerate(claimed):
            if not _send_claimed(outbox_event, may_crash=may_crash):
                _release([row.pk for row in claimed[number:]])
                return sent
            sent += 1
        if len(claimed) < CLAIM_BATCH:
            break
    return sent


def _send_claimed(outbox_event: OutboxEvent, *, may_crash: bool) -> bool:
    """Send one claimed event and mark it sent; False when the broker is away."""
    if outbox_event.last_error == MSG_CLAIM_EXPIRED:
        events_resent(REASON_CLAIM_EXPIRED)
    try:
        publish_event(outbox_event.message, request_id=outbox_event.request_id)
    except BROKER_ERRORS as error:
        logger.warning("outbox relay: broker unavailable (%s); will retry", error)
        OutboxEvent.objects.filter(pk=outbox_event.pk).update(
            attempts=F("attempts") + 1, last_error=str(error)[:500], claimed_at=None
        )
        return False
    if may_crash and study.relay_crash_armed():
        study.relay_crash(event_id=str(outbox_event.pk))  # study only: dies here, once
    try:
        marked = _mark_sent(outbox_event.pk)
    except DatabaseError:
        # Sent but not marked: sent again once its claim expires; consumers drop the copy.
        logger.warning("outbox relay: could not mark %s sent", outbox_event.pk)
        return True
    if not marked:  # another relay sent it too (its claim had outlived CLAIM_LEASE_SECONDS)
        events_resent(REASON_TWO_RELAYS)
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
    written once, as _mark_sent's is: building it with the ORM on every relay cost more
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


def _mark_sent(pk) -> int:
    """Mark a claimed event sent unless it is already (one UPDATE, its SQL written once);
    returns how many rows changed (0: another relay marked it first)."""
    connection = connections[OutboxEvent.objects.db]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(OutboxEvent._meta.db_table)} "
        "SET sent_at = %s, attempts = attempts + 1, claimed_at = NULL "
        "WHERE id = %s AND sent_at IS NULL"
    )
    params = [
        _OUTBOX_DATE.get_db_prep_value(timezone.now(), connection),
        _OUTBOX_ID.get_db_prep_value(pk, connection),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


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
