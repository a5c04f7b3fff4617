"""Rebuilding the read model from the event store, and catching up when the worker starts."""

from __future__ import annotations

import orjson
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from micro.query import handlers, selectors
from micro.query.models import Post
from shared import events
from shared.api.errors import ServiceUnavailable
from shared.api.permissions import INTERNAL_TOKEN_HEADER
from shared.messaging import catch_up
from shared.messaging.models import DeadLetter, EventStoreCursor, ProcessedEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(catch_up, "PAGE_LIMIT", 4)


@pytest.fixture(autouse=True)
def live_delivery_idle(monkeypatch):
    """Nothing waits on query's queue (these tests' broker is not asked; the check itself is
    tested on a real Redis in shared/messaging/tests/test_catch_up_busy.py)."""
    monkeypatch.setattr(catch_up, "live_delivery_busy", lambda: False)


def test_the_loops_catch_up_leaves_recent_events_to_a_busy_live_delivery(
    history, event_store, monkeypatch
):
    event_store.store(history)
    handlers.read_model_catch_up()
    monkeypatch.setattr(catch_up, "live_delivery_busy", lambda: True)
    handlers.read_model_catch_up()
    handlers.read_model_rebuild(wipe=False)  # a rebuild takes everything, busy or not

    asked = [request.params["settled_seconds"] for request in event_store.requests]
    assert asked == [str(catch_up.SETTLED_SECONDS), str(catch_up.BUSY_SETTLED_SECONDS), "0"]


def test_a_rebuild_gives_the_read_model_live_delivery_gave(
    deliver, read_model, history, event_store, small_pages
):
    for message in history:
        deliver(message)
    live = read_model()
    event_store.store(history)

    applied = handlers.read_model_rebuild(wipe=True)

    assert applied == len(history)
    assert read_model() == live
    assert [request.params["after"] for request in event_store.requests] == ["0", "4", "8"]
    assert {request.params["limit"] for request in event_store.requests} == {"4"}
    tokens = {request.headers[INTERNAL_TOKEN_HEADER] for request in event_store.requests}
    assert tokens == {settings.INTERNAL_TOKEN}


def test_a_rebuild_wipes_what_the_store_does_not_hold(
    deliver, post_event, new_id, history, event_store
):
    stray = post_event(events.POST_CREATED, post_id=new_id(), revision=1)
    deliver(stray)
    event_store.store(history)

    handlers.read_model_rebuild(wipe=True)

    assert not Post.objects.filter(post_id=stray["data"]["post_id"]).exists()
    assert not ProcessedEvent.objects.filter(event_id=stray["id"]).exists()
    assert ProcessedEvent.objects.count() == len(history)


def test_a_rebuild_without_wiping_skips_what_was_applied(deliver, history, event_store):
    for message in history[:3]:
        deliver(message)
    event_store.store(history)

    assert handlers.read_model_rebuild(wipe=False) == len(history) - 3


def test_catch_up_asks_the_inbox_once_per_page_for_what_live_delivery_applied(
    deliver, history, event_store, django_assert_max_num_queries
):
    for message in history:
        deliver(message)
    event_store.store(history)

    # The cursor (made: 4 statements; saved: 1) and one inbox query for the page, not a
    # transaction and a query per event (32 statements for these 9 events before).
    with django_assert_max_num_queries(6):
        assert handlers.read_model_catch_up() == 0


def test_the_command_rebuilds_and_says_how_many_events_it_applied(
    capsys, read_model, history, event_store
):
    event_store.store(history)

    call_command("rebuild_query")

    assert f"Applied {len(history)} events" in capsys.readouterr().out
    (post,) = orjson.loads(orjson.dumps(selectors.post_list(limit=10)))
    assert post["title"] == "Kept, edited"
    assert [comment["status"] for comment in post["comments"]] == ["approved"]


def test_the_command_fails_clearly_when_the_eventbus_is_down(settings, closed_port_url):
    settings.EVENTBUS_URL = closed_port_url

    with pytest.raises(CommandError, match="eventbus"):
        call_command("rebuild_query")


def test_catch_up_fills_an_empty_read_model_then_only_reads_what_is_new(history, event_store):
    event_store.store(history[:-2])
    assert handlers.read_model_catch_up() == len(history) - 2
    asked_from = event_store.requests[-1].params["after"]

    event_store.store(history[-2:])
    assert handlers.read_model_catch_up() == 2
    assert int(event_store.requests[-1].params["after"]) > int(asked_from)
    assert EventStoreCursor.objects.get().last_seq == len(history)


def test_catch_up_applies_an_event_live_delivery_lost(deliver, history, event_store):
    """The point of catching up: Redis lists can lose a message to a worker killed as it
    takes it; the event store still has it."""
    for message in history[:-1]:
        deliver(message)
    event_store.store(history)

    assert handlers.read_model_catch_up() == 1
    assert ProcessedEvent.objects.count() == len(history)


def test_a_catch_up_cut_short_resumes_where_it_stopped(
    read_model, history, event_store, small_pages
):
    event_store.store(history)
    event_store.failing_after_pages = 1

    with pytest.raises(ServiceUnavailable):
        handlers.read_model_catch_up()
    assert ProcessedEvent.objects.count() == 4

    event_store.failing_after_pages = None
    assert handlers.read_model_catch_up() == len(history) - 4
    assert ProcessedEvent.objects.count() == len(history)


def test_a_stored_event_that_cannot_be_applied_is_dead_lettered_not_blocking(history, event_store):
    broken = {**history[0], "data": {"post_id": 1}}  # lacks title, created_at, revision
    event_store.store([broken, *history[1:]])

    assert handlers.read_model_catch_up() == len(history) - 1
    assert DeadLetter.objects.get().task_name == "catch_up"


def test_the_worker_runs_the_catch_up_every_few_seconds(settings):
    assert settings.WORKER_LOOPS == {
        "micro.query.handlers.read_model_catch_up": 2000,
        "shared.messaging.pruning.bookkeeping_prune": 60_000,
    }
