"""Dead letters: kept after the retries, replayed to their task, applied once when fixed."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from redis.exceptions import ConnectionError as RedisConnectionError

from shared import events
from shared.events import Event
from shared.messaging.consume import Handler, consume_message
from shared.messaging.dead_letters import dead_letter_replay
from shared.messaging.models import DeadLetter, ProcessedEvent
from shared.messaging.retry import MAX_RETRIES, consumer_task
from shared.testing.events import dev_signed

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/messaging/deadletter/"
TASK_NAME = "messaging_tests.handle_event"

# The test consumer's handler table; each test puts its own handler in.
HANDLERS: dict[str, Handler] = {}


@consumer_task(TASK_NAME)
def handle_event(message: object) -> bool:
    return consume_message(message=message, handlers=HANDLERS)


class Consumer:
    """A PostCreated handler that fails until it is fixed, and records what it applied."""

    def __init__(self) -> None:
        self.broken = True
        self.calls = 0
        self.applied: list[str] = []

    def on_post_created(self, event: Event) -> None:
        self.calls += 1
        if self.broken:
            raise RuntimeError("the handler has a bug")
        self.applied.append(event.id)


@pytest.fixture
def consumer(monkeypatch) -> Consumer:
    consumer = Consumer()
    monkeypatch.setitem(HANDLERS, events.POST_CREATED, consumer.on_post_created)
    return consumer


def _post_created() -> dict:
    data = {"post_id": 7, "title": "Hi", "created_at": "2026-01-01T00:00:00+00:00", "revision": 1}
    return dev_signed(Event(type=events.POST_CREATED, source="posts", data=data)).as_message()


def test_replay_sends_the_stored_message_to_the_stored_task(sent_tasks, make_dead_letter):
    message = _post_created()
    letter = make_dead_letter(task_name="comments.handle_event", message=message)

    dead_letter_replay(dead_letter=letter)

    assert sent_tasks.calls == [("comments.handle_event", [message])]
    letter.refresh_from_db()
    assert letter.replayed_at is not None


def test_replaying_twice_sends_twice_and_keeps_the_latest_time(sent_tasks, make_dead_letter):
    letter = make_dead_letter()
    dead_letter_replay(dead_letter=letter)
    first = DeadLetter.objects.get(pk=letter.pk).replayed_at

    dead_letter_replay(dead_letter=letter)

    assert len(sent_tasks.calls) == 2
    latest = DeadLetter.objects.get(pk=letter.pk).replayed_at
    assert first is not None and latest is not None
    assert latest >= first


def test_a_broker_error_leaves_the_dead_letter_unreplayed(sent_tasks, make_dead_letter):
    sent_tasks.broker_error = RedisConnectionError("Connection refused.")
    letter = make_dead_letter()

    with pytest.raises(RedisConnectionError):
        dead_letter_replay(dead_letter=letter)

    assert DeadLetter.objects.get(pk=letter.pk).replayed_at is None


def test_the_admin_offers_the_replay_action(admin_client, make_dead_letter):
    make_dead_letter()

    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    assert "Replay selected dead letters" in response.content.decode()


def test_the_admin_action_replays_the_selected_rows_only(
    admin_client, sent_tasks, make_dead_letter
):
    chosen, other = make_dead_letter(), make_dead_letter()

    response = admin_client.post(
        CHANGELIST, {"action": "replay", "_selected_action": [chosen.pk]}, follow=True
    )

    assert response.status_code == 200
    assert "Sent 1 dead letter(s) to their tasks again." in response.content.decode()
    assert sent_tasks.calls == [(chosen.task_name, [chosen.message])]
    assert DeadLetter.objects.get(pk=chosen.pk).replayed_at is not None
    assert DeadLetter.objects.get(pk=other.pk).replayed_at is None


def test_the_admin_action_reports_a_broker_error(admin_client, sent_tasks, make_dead_letter):
    sent_tasks.broker_error = RedisConnectionError("Connection refused.")
    letter = make_dead_letter()

    response = admin_client.post(
        CHANGELIST, {"action": "replay", "_selected_action": [letter.pk]}, follow=True
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "The broker is unavailable" in page
    assert "Sent 0 dead letter(s)" in page
    assert DeadLetter.objects.get(pk=letter.pk).replayed_at is None


def test_an_invalid_message_is_dead_lettered_without_retries(consumer):
    message = {**_post_created(), "id": "not-a-uuid"}

    assert handle_event.apply(args=(message,)).get() is False

    letter = DeadLetter.objects.get()
    assert (letter.task_name, letter.message) == (TASK_NAME, message)
    assert letter.error.startswith("invalid event")
    assert consumer.calls == 0


def test_a_failing_handler_is_dead_lettered_after_the_retries(consumer):
    message = _post_created()

    assert handle_event.apply(args=(message,)).get() is False

    assert consumer.calls == MAX_RETRIES + 1
    letter = DeadLetter.objects.get()
    assert (letter.task_name, letter.message) == (TASK_NAME, message)
    assert "the handler has a bug" in letter.error
    assert not ProcessedEvent.objects.exists()


def test_each_retry_is_a_warning_in_the_log(consumer, caplog):
    """Celery's own retry line is INFO in a logger kept at WARNING
    (shared.instrumentation.logs.PER_TASK_LOGGERS): the retry policy says it instead."""
    caplog.set_level("WARNING", logger="shared.messaging.retry")

    handle_event.apply(args=(_post_created(),))

    retries = [r for r in caplog.records if r.name == "shared.messaging.retry"]
    assert len(retries) == MAX_RETRIES
    assert all(r.levelname == "WARNING" for r in retries)
    assert "the handler has a bug" in retries[0].getMessage()
    assert f"retry 1 of {MAX_RETRIES}" in retries[0].getMessage()


def test_a_duplicate_costs_one_statement_and_is_not_applied_again(consumer):
    """The inbox row is written first, by one INSERT that writes nothing for a copy
    (shared.messaging.inserts.insert_unless_present): no SELECT before, no INSERT after."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    consumer.broken = False
    message = _post_created()
    assert handle_event.apply(args=(message,)).get() is True
    with CaptureQueriesContext(connection) as copy:
        assert handle_event.apply(args=(message,)).get() is False

    statements = [query["sql"].split()[0].upper() for query in copy.captured_queries]
    assert [s for s in statements if s not in {"BEGIN", "SAVEPOINT", "RELEASE"}] == ["INSERT"]
    assert consumer.applied == [message["id"]]
    assert ProcessedEvent.objects.filter(event_id=message["id"]).count() == 1


def test_a_replayed_message_that_now_succeeds_is_applied_once(consumer, sent_tasks):
    message = _post_created()
    handle_event.apply(args=(message,))
    letter = DeadLetter.objects.get()
    consumer.broken = False
    sent_tasks.run = True

    dead_letter_replay(dead_letter=letter)
    dead_letter_replay(dead_letter=letter)

    assert consumer.applied == [message["id"]]
    assert ProcessedEvent.objects.filter(event_id=message["id"]).count() == 1
    assert DeadLetter.objects.count() == 1
    assert DeadLetter.objects.get().replayed_at is not None


def test_the_dead_letters_command_lists_each_letter_with_its_error(make_dead_letter):
    letter = make_dead_letter(task_name="comments.handle_event", message="not an event")
    output = io.StringIO()
    call_command("dead_letters", "--json", stdout=output)
    [listed] = json.loads(output.getvalue())
    assert (listed["id"], listed["task_name"], listed["message"]) == (
        letter.pk,
        "comments.handle_event",
        "not an event",
    )
    assert listed["error"] == letter.error
