"""Fixtures of the query service's unit tests: event factories, delivery, a fake event store."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from micro.query.models import Comment, Post
from micro.query.tasks import handle_event
from shared import events
from shared.events import Event
from shared.testing.events import dev_signed

_ids = itertools.count(1)
_clock = itertools.count(1)


@pytest.fixture
def new_id():
    """A post or comment id no other test uses."""
    return lambda: next(_ids)


def _moment() -> str:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return (start + dt.timedelta(minutes=next(_clock))).isoformat()


def _message(event_type: str, source: str, entity: dict) -> dict:
    data = {name: entity[name] for name in events.DATA_FIELDS[event_type]}
    return dev_signed(Event(type=event_type, source=source, data=data)).as_message()


@pytest.fixture
def post_event():
    """A post event message; created_at defaults to a moment later than any before it."""

    def make(event_type, *, post_id, revision, title="A post", created_at=None) -> dict:
        entity = {
            "post_id": post_id,
            "title": title,
            "created_at": created_at or _moment(),
            "revision": revision,
        }
        return _message(event_type, "posts", entity)

    return make


@pytest.fixture
def comment_event():
    """A comment event message; created_at defaults to a moment later than any before it."""

    def make(
        event_type,
        *,
        comment_id,
        post_id,
        revision,
        content="A comment",
        status="pending",
        created_at=None,
    ) -> dict:
        entity = {
            "comment_id": comment_id,
            "post_id": post_id,
            "content": content,
            "status": status,
            "created_at": created_at or _moment(),
            "revision": revision,
        }
        return _message(event_type, "comments", entity)

    return make


@pytest.fixture
def deliver():
    """Run query.handle_event on a message, as the worker would; returns whether it applied."""
    return lambda message: handle_event.apply(args=(message,)).get()


TOMBSTONE_FIELDS = {"post_id", "comment_id", "revision", "deleted"}


def _rows(queryset) -> list[dict]:
    """Rows as dicts; of a tombstone only what matters (what it held before does not)."""
    return [
        {name: value for name, value in row.items() if name in TOMBSTONE_FIELDS}
        if row["deleted"]
        else row
        for row in queryset.values()
    ]


@pytest.fixture
def read_model():
    """Everything the read model holds, to compare two ways of building it."""

    def snapshot() -> dict:
        return {
            "posts": _rows(Post.objects.order_by("post_id")),
            "comments": _rows(Comment.objects.order_by("comment_id")),
        }

    return snapshot


class FakeEventStore:
    """The event bus's GET /internal/events/ on a real loopback HTTP server (HttpStandIn)."""

    def __init__(self, start_server):
        self.events: list[dict] = []
        self.failing_after_pages: int | None = None
        self.server = start_server(self.answer)
        self.url = self.server.url

    @property
    def requests(self):
        return self.server.requests

    def store(self, messages: list[dict]) -> None:
        for message in messages:
            self.events.append({**message, "seq": len(self.events) + 1})

    def page(self, *, after: int, limit: int) -> dict:
        later = [event for event in self.events if event["seq"] > after]
        page = later[:limit]
        return {"events": page, "next_after": page[-1]["seq"] if len(later) > limit else None}

    def answer(self, path: str, params: dict) -> tuple[int, object]:
        failing = self.failing_after_pages
        if path != "/internal/events/" or (failing is not None and len(self.requests) > failing):
            return 500, {"code": "server_error"}
        after, limit = int(params.get("after", 0)), int(params.get("limit", 500))
        return 200, self.page(after=after, limit=limit)


@pytest.fixture
def event_store(settings, http_stand_in) -> FakeEventStore:
    """A fake event bus the query service's EVENTBUS_URL points at."""
    store = FakeEventStore(http_stand_in)
    settings.EVENTBUS_URL = store.url
    return store


@pytest.fixture
def history(post_event, comment_event, new_id) -> list[dict]:
    """Two posts' lives, one of them deleted, with comments edited and deleted."""
    kept, dropped = new_id(), new_id()
    first, second, third = new_id(), new_id(), new_id()
    return [
        post_event(events.POST_CREATED, post_id=kept, revision=1, title="Kept"),
        post_event(events.POST_CREATED, post_id=dropped, revision=1, title="Dropped"),
        comment_event(events.COMMENT_CREATED, comment_id=first, post_id=kept, revision=1),
        comment_event(events.COMMENT_CREATED, comment_id=second, post_id=kept, revision=1),
        comment_event(events.COMMENT_CREATED, comment_id=third, post_id=dropped, revision=1),
        post_event(events.POST_UPDATED, post_id=kept, revision=2, title="Kept, edited"),
        comment_event(
            events.COMMENT_UPDATED, comment_id=first, post_id=kept, revision=2, status="approved"
        ),
        comment_event(events.COMMENT_DELETED, comment_id=second, post_id=kept, revision=2),
        post_event(events.POST_DELETED, post_id=dropped, revision=2),
    ]
