"""Property: any delivery order, with any duplicates, gives the read model of in-order delivery.

Hypothesis draws event histories as the owners emit them (a few posts, each created, maybe
updated, maybe deleted; comments created, moderated, overridden by an admin, maybe deleted;
every event carrying the whole entity and a revision that grows per entity), then a
delivery: every event at least once, some more than once, in any order. Both deliveries go
through the real consumer (`apply_event` with the service's HANDLERS) into the test database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer

from micro.query.handlers import HANDLERS
from micro.query.models import Comment, Post
from shared import events, rules
from shared.api.serializers import PostWithCommentsOutputSerializer
from shared.events import Event
from shared.messaging.consume import apply_event
from shared.messaging.models import ProcessedEvent
from shared.testing.events import dev_signed
from shared.testing.fixtures import delivery_order_examples

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
STATUSES = (rules.PENDING, rules.APPROVED, rules.REJECTED)
FIRST_COMMENT_ID = 101

# One event as the owner emitted it: its type and its data, but for created_at (derived from
# the entity's id, so that the drawn examples stay short to read).
Step = tuple[str, dict]


@dataclasses.dataclass(frozen=True)
class Delivery:
    """A history in the order it happened, and the order (with repeats) it is delivered in."""

    history: list[Step]
    order: list[int]


def _created_at(entity_id: int) -> dt.datetime:
    return START + dt.timedelta(minutes=entity_id)


@st.composite
def _post_history(draw, post_id: int) -> tuple[list[Step], list[Step]]:
    """A post's PostCreated and PostUpdated events, and its PostDeleted if it is deleted."""
    revisions = range(1, draw(st.integers(min_value=1, max_value=3)) + 1)
    saved = [
        (
            events.POST_CREATED if revision == 1 else events.POST_UPDATED,
            {"post_id": post_id, "title": f"post {post_id} r{revision}", "revision": revision},
        )
        for revision in revisions
    ]
    deleted = [(events.POST_DELETED, {"post_id": post_id, "revision": len(saved) + 1})]
    return saved, deleted if draw(st.booleans()) else []


@st.composite
def _comment_history(draw, comment_id: int, post_ids: list[int]) -> list[Step]:
    """CommentCreated, then the CommentUpdated of moderation's decision and of each admin
    override that changed something, then maybe CommentDeleted."""
    comment = {
        "comment_id": comment_id,
        "post_id": draw(st.sampled_from(post_ids)),
        "content": f"comment {comment_id}",
        "status": rules.PENDING,
        "revision": 1,
    }
    steps: list[Step] = [(events.COMMENT_CREATED, dict(comment))]
    moderation = draw(st.sampled_from([None, rules.APPROVED, rules.REJECTED]))
    changes = [{"status": moderation}] if moderation else []
    overrides = st.tuples(st.booleans(), st.sampled_from(STATUSES))
    for edits_content, status in draw(st.lists(overrides, max_size=2)):
        content = f"comment {comment_id} edit {len(changes)}" if edits_content else None
        changes.append({"status": status, "content": content or comment["content"]})
    for change in changes:
        if all(comment[name] == value for name, value in change.items()):
            continue  # The comments service records no event for a change that changes nothing.
        comment.update(change, revision=comment["revision"] + 1)
        steps.append((events.COMMENT_UPDATED, dict(comment)))
    if draw(st.booleans()):
        ids = {"comment_id": comment_id, "post_id": comment["post_id"]}
        steps.append((events.COMMENT_DELETED, {**ids, "revision": comment["revision"] + 1}))
    return steps


@st.composite
def deliveries(draw) -> Delivery:
    """Posts created and edited, then their comments' lives, then the posts deleted; and a
    delivery of those events in any order, some of them several times."""
    post_ids = list(range(1, draw(st.integers(min_value=1, max_value=3)) + 1))
    saved, deleted = [], []
    for post_id in post_ids:
        post_saved, post_deleted = draw(_post_history(post_id))
        saved += post_saved
        deleted += post_deleted
    comments: list[Step] = []
    for offset in range(draw(st.integers(min_value=0, max_value=4))):
        comments += draw(_comment_history(FIRST_COMMENT_ID + offset, post_ids))
    history = saved + comments + deleted
    indexes = st.integers(min_value=0, max_value=len(history) - 1)
    repeats = draw(st.lists(indexes, max_size=len(history)))
    order = draw(st.permutations(list(range(len(history))) + repeats))
    return Delivery(history=history, order=order)


def _message(index: int, step: Step) -> dict:
    """The step as the event bus delivers it; a repeat of a step is the same message (same id)."""
    event_type, data = step
    if "title" in data:
        data = {**data, "created_at": _created_at(data["post_id"]).isoformat()}
    elif "content" in data:
        data = {**data, "created_at": _created_at(data["comment_id"]).isoformat()}
    event = Event(type=event_type, source="test", data=data, id=str(uuid.UUID(int=index + 1)))
    return dev_signed(event).as_message()


def _deliver(history: list[Step], order: list[int]) -> None:
    """Empty the read model and its inbox, then apply the events in `order` as a worker would."""
    for model in (Comment, Post, ProcessedEvent):
        model.objects.all().delete()
    messages = [_message(index, step) for index, step in enumerate(history)]
    applied = Counter(
        index
        for index in order
        if apply_event(event=Event.from_message(messages[index]), handlers=HANDLERS)
    )
    assert applied == Counter(set(order)), "each event must be applied exactly once"


def _final_state(history: list[Step]) -> dict:
    """What the read model must hold: each entity as its last event (its highest revision)
    says; of a tombstone only its ids, revision and deleted flag."""
    last: dict[tuple[str, int], Step] = {}
    for event_type, data in history:
        key = ("comment", data["comment_id"]) if "comment_id" in data else ("post", data["post_id"])
        last[key] = (event_type, data)
    posts: list[dict[str, Any]] = []
    comments: list[dict[str, Any]] = []
    for (kind, entity_id), (event_type, data) in sorted(last.items()):
        row = {**data, "deleted": event_type in (events.POST_DELETED, events.COMMENT_DELETED)}
        if not row["deleted"]:
            row["created_at"] = _created_at(entity_id)
        (posts if kind == "post" else comments).append(row)
    for post in posts:
        if not post["deleted"]:
            post["document"] = _document(post, comments)
    return {"posts": posts, "comments": comments}


def _document(post: dict, comments: list[dict]) -> str:
    """The post's JSON as the contract's serializers render it, with its live comments."""
    live = sorted(
        (c for c in comments if c["post_id"] == post["post_id"] and not c["deleted"]),
        key=lambda c: (c["created_at"], c["comment_id"]),
    )
    body = {
        "id": post["post_id"],
        **post,
        "comments": [{"id": c["comment_id"], **c} for c in live],
    }
    return JSONRenderer().render(PostWithCommentsOutputSerializer(body).data).decode()


@settings(
    max_examples=delivery_order_examples(),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(delivery=deliveries())
def test_any_delivery_order_with_duplicates_gives_the_in_order_read_model(db, read_model, delivery):
    history = delivery.history

    _deliver(history, list(range(len(history))))
    in_order = read_model()
    _deliver(history, delivery.order)

    assert in_order == _final_state(history)
    assert read_model() == in_order
