"""Creating a post records exactly one PostCreated in the outbox, in the post's own transaction."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import DatabaseError, transaction

from micro.posts import services
from micro.posts.models import Post
from shared import events
from shared.events import Event
from shared.messaging import publish
from shared.messaging.models import OutboxEvent

pytestmark = pytest.mark.django_db

POSTS_URL = "/api/posts/"


class ViewFailedAfterTheService(Exception):
    """Stands for anything that goes wrong after post_create, inside the same transaction."""


def test_create_post_records_exactly_one_post_created_with_the_whole_post(api_client, unique_title):
    title = unique_title()

    response = api_client.post(POSTS_URL, {"title": title}, format="json")

    assert response.status_code == 201
    post = Post.objects.get(pk=response.json()["id"])
    [outbox_event] = OutboxEvent.objects.all()
    assert outbox_event.event_type == events.POST_CREATED
    assert outbox_event.sent_at is None
    event = Event.from_message(outbox_event.message)
    assert str(outbox_event.id) == event.id
    assert (event.type, event.source, event.version) == (events.POST_CREATED, "posts", 1)
    assert event.data == {
        "post_id": post.id,
        "title": title,
        "created_at": post.created_at.isoformat(),
        "revision": 1,
    }
    assert dt.datetime.fromisoformat(event.data["created_at"]) == post.created_at


def test_outbox_message_is_plain_json(make_post):
    make_post()

    [outbox_event] = OutboxEvent.objects.all()

    assert json.loads(json.dumps(outbox_event.message)) == outbox_event.message


def test_each_post_gets_its_own_event(make_post):
    posts = [make_post() for _ in range(3)]

    messages = [event.message for event in OutboxEvent.objects.order_by("created_at")]

    assert [message["data"]["post_id"] for message in messages] == [post.id for post in posts]
    assert len({message["id"] for message in messages}) == 3


def test_rolled_back_post_create_leaves_no_post_no_event_and_no_relay(
    db, unique_title, django_capture_on_commit_callbacks
):
    title = unique_title()

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(ViewFailedAfterTheService),
        transaction.atomic(),
    ):
        services.post_create(title=title)
        raise ViewFailedAfterTheService

    assert not Post.objects.filter(title=title).exists()
    assert not OutboxEvent.objects.exists()
    assert callbacks == []


def test_post_is_not_written_when_its_event_cannot_be_recorded(db, unique_title, monkeypatch):
    def fail_to_record(*, event: Event) -> None:
        raise DatabaseError("outbox table unavailable")

    monkeypatch.setattr(services, "record_event", fail_to_record)
    title = unique_title()

    with pytest.raises(DatabaseError):
        services.post_create(title=title)

    assert not Post.objects.filter(title=title).exists()


def test_commit_relays_the_new_event_exactly_once(
    api_client, make_post, unique_title, sent_messages, django_capture_on_commit_callbacks
):
    make_post()  # an older event, never relayed here: the commit relays only its own
    older = OutboxEvent.objects.get()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.post(POSTS_URL, {"title": unique_title()}, format="json")

    assert response.status_code == 201
    assert len(callbacks) == 1
    new = OutboxEvent.objects.exclude(pk=older.pk).get()
    assert sent_messages == [new.message]
    assert new.message["data"]["post_id"] == response.json()["id"]
    new.refresh_from_db()
    older.refresh_from_db()
    assert new.sent_at is not None
    assert new.attempts == 1
    assert older.sent_at is None


def test_commit_with_the_broker_down_keeps_the_post_and_its_event(
    api_client, unique_title, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(POSTS_URL, {"title": unique_title()}, format="json")

    assert response.status_code == 201
    assert Post.objects.filter(pk=response.json()["id"]).exists()
    [outbox_event] = OutboxEvent.objects.all()
    assert broker_down == [outbox_event.message]
    assert outbox_event.sent_at is None
    assert outbox_event.attempts == 1
    assert "Connection refused" in outbox_event.last_error


@pytest.mark.django_db(transaction=True)
def test_post_create_answers_201_when_the_relay_after_commit_fails(
    api_client, unique_title, monkeypatch
):
    def relay_fails(recorded: list[publish.Recorded]) -> int:
        raise DatabaseError("database is locked")

    monkeypatch.setattr(publish, "relay_recorded", relay_fails)
    title = unique_title()

    response = api_client.post(POSTS_URL, {"title": title}, format="json")

    assert Post.objects.filter(title=title).exists()
    assert response.status_code == 201
