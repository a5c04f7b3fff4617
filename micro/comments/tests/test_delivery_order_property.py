"""Property: the comments service ends in the same state however its events are delivered.

The comments service consumes PostCreated / PostUpdated / PostDeleted (its KnownPost rows)
and CommentModerated (the status of its own comments). Meanwhile readers create comments
(through the service, which asks the posts service about a post it has not heard of yet)
and the admin approves, rejects, edits and deletes them. Hypothesis draws such a history,
then a schedule: every event delivered at least once, some several times, in any order; each
comment created at any moment before its moderation and its admin actions; the admin's
actions in their own order anywhere. Events go through the real consumer (`apply_event`
with the service's HANDLERS), the rest through the services the API and the admin call, and
the posts service is a real HTTP stand-in.

The correct final state, whatever the order:
- every post is a KnownPost at its last revision, with its last title, or a tombstone (of
  which only the id, revision and deleted flag matter: a PostDeleted carries no title);
- a comment exists unless the admin deleted it or its post was deleted (then it may also
  have been refused at creation); its content is the admin's last edit (else the original);
  its status is the admin's last decision if the admin made one (an override wins over
  moderation, before or after it), else moderation's.
A comment's `revision` is left out of the comparison: it counts the changes this service
made, and moderation's decision is a change only if it arrives before the admin's override
(after it, it is ignored), so the count depends on the order while the comment does not.
The admin here only sets approved or rejected: putting a comment back to pending asks for
moderation's decision again, which exists only if it has not been applied yet, so that
action means different things at different moments (by design, not by delivery).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from micro.comments import services
from micro.comments.handlers import HANDLERS
from micro.comments.models import Comment, KnownPost
from shared import events, rules
from shared.api.errors import PostNotFound
from shared.events import Event
from shared.messaging.consume import apply_event
from shared.messaging.models import OutboxEvent, ProcessedEvent
from shared.testing.events import EXAMPLE_CREATED_AT, dev_signed
from shared.testing.fixtures import delivery_order_examples

DECISIONS = (rules.APPROVED, rules.REJECTED)
ADMIN_DECISIONS = {"approve": rules.APPROVED, "reject": rules.REJECTED}

# A step of a schedule: ("event", index into _events()), ("create", comment position) or
# ("admin", index into _admin_actions()).
Step = tuple[str, int]


@dataclasses.dataclass(frozen=True)
class Post:
    post_id: int
    last_revision: int  # of its PostCreated / PostUpdated events
    deleted: bool
    # The revision the posts service answers with if this service asks for the post.
    asked_at: int


@dataclasses.dataclass(frozen=True)
class CommentLife:
    post_id: int
    decision: str | None  # moderation's CommentModerated, if it was sent
    admin: tuple[tuple[str, ...], ...]  # ("approve",) / ("reject",) / ("edit", content, status)
    deleted_by_admin: bool


@dataclasses.dataclass(frozen=True)
class Delivery:
    posts: tuple[Post, ...]
    comments: tuple[CommentLife, ...]
    schedule: tuple[Step, ...]


def _title(post_id: int, revision: int) -> str:
    return f"post {post_id} r{revision}"


def _events(delivery: Delivery) -> list[tuple[str, dict]]:
    """The events the comments service consumes, in the order they were emitted: posts
    saved, comments moderated, posts deleted. A comment is named by its position."""
    saved, moderated, deleted = [], [], []
    for post in delivery.posts:
        for revision in range(1, post.last_revision + 1):
            event_type = events.POST_CREATED if revision == 1 else events.POST_UPDATED
            data = {"post_id": post.post_id, "title": _title(post.post_id, revision)}
            data["created_at"] = EXAMPLE_CREATED_AT.isoformat()
            saved.append((event_type, {**data, "revision": revision}))
        if post.deleted:
            data = {"post_id": post.post_id, "revision": post.last_revision + 1}
            deleted.append((events.POST_DELETED, data))
    for position, comment in enumerate(delivery.comments):
        if comment.decision:
            data = {"comment": position, "post_id": comment.post_id, "status": comment.decision}
            moderated.append((events.COMMENT_MODERATED, data))
    return saved + moderated + deleted


def _admin_actions(delivery: Delivery) -> list[tuple[int, tuple[str, ...]]]:
    """What the admin does, in the order the admin does it: (comment position, action)."""
    comments = list(enumerate(delivery.comments))
    actions = [(position, action) for position, comment in comments for action in comment.admin]
    deletes = [
        (position, ("delete",)) for position, comment in comments if comment.deleted_by_admin
    ]
    return actions + deletes


def _comment_of(delivery: Delivery, step: Step) -> int | None:
    """The position of the comment a step is about, if it is about one."""
    kind, index = step
    if kind == "event":
        return _events(delivery)[index][1].get("comment")
    return index if kind == "create" else _admin_actions(delivery)[index][0]


@st.composite
def _posts(draw) -> tuple[Post, ...]:
    posts = []
    for post_id in range(1, draw(st.integers(min_value=1, max_value=3)) + 1):
        last_revision = draw(st.integers(min_value=1, max_value=3))
        asked_at = draw(st.integers(min_value=1, max_value=last_revision))
        posts.append(Post(post_id, last_revision, draw(st.booleans()), asked_at))
    return tuple(posts)


@st.composite
def _comment(draw, post_ids: list[int]) -> CommentLife:
    edit = st.tuples(
        st.just("edit"), st.sampled_from(["original", "edited"]), st.sampled_from(DECISIONS)
    )
    action = st.sampled_from([("approve",), ("reject",)]) | edit
    return CommentLife(
        post_id=draw(st.sampled_from(post_ids)),
        decision=draw(st.sampled_from([None, *DECISIONS])),
        admin=tuple(draw(st.lists(action, max_size=2))),
        deleted_by_admin=draw(st.booleans()),
    )


@st.composite
def deliveries(draw) -> Delivery:
    """A history, and a schedule: every event at least once, some several times, in any
    order; each comment created before anything about it; the admin's actions in their own
    order anywhere."""
    posts = draw(_posts())
    post_ids = [post.post_id for post in posts]
    count = draw(st.integers(min_value=0, max_value=4))
    delivery = Delivery(posts, tuple(draw(_comment(post_ids)) for _ in range(count)), ())
    events_count = len(_events(delivery))
    repeats = draw(st.lists(st.integers(min_value=0, max_value=events_count - 1), max_size=6))
    schedule = [
        ("event", index) for index in draw(st.permutations([*range(events_count), *repeats]))
    ]
    actions_count = len(_admin_actions(delivery))
    slots = st.integers(min_value=0, max_value=len(schedule))
    places = sorted(draw(st.lists(slots, min_size=actions_count, max_size=actions_count)))
    for action, slot in reversed(list(enumerate(places))):
        schedule.insert(slot, ("admin", action))
    for position in range(count):
        about = [at for at, step in enumerate(schedule) if _comment_of(delivery, step) == position]
        slot = draw(st.integers(min_value=0, max_value=min(about, default=len(schedule))))
        schedule.insert(slot, ("create", position))
    return dataclasses.replace(delivery, schedule=tuple(schedule))


def in_order(delivery: Delivery) -> list[Step]:
    """The schedule as things happened: posts saved, comments created and moderated, the
    admin's actions, posts deleted."""
    emitted = _events(delivery)

    def delivered(*types: str) -> list[Step]:
        return [("event", index) for index, (kind, _) in enumerate(emitted) if kind in types]

    return [
        *delivered(events.POST_CREATED, events.POST_UPDATED),
        *(("create", position) for position in range(len(delivery.comments))),
        *delivered(events.COMMENT_MODERATED),
        *(("admin", index) for index in range(len(_admin_actions(delivery)))),
        *delivered(events.POST_DELETED),
    ]


def _act(comment_id: int, action: tuple[str, ...]) -> None:
    """One admin action on a comment the admin still sees (gone: nothing to act on)."""
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None:
        return
    if action[0] in ADMIN_DECISIONS:
        services.comment_set_status(comment=comment, status=ADMIN_DECISIONS[action[0]])
    elif action[0] == "edit":
        content = comment.content if action[1] == "original" else f"{comment.content} edited"
        services.comment_update(comment=comment, content=content, status=action[2])
    else:
        services.comment_delete(comment=comment)


def _create(delivery: Delivery, position: int) -> int | None:
    """A reader comments; refused (None) only when this service knows the post is deleted."""
    post_id = delivery.comments[position].post_id
    try:
        return services.comment_create(post_id=post_id, content=f"comment {position}").pk
    except PostNotFound:
        assert KnownPost.objects.get(pk=post_id).deleted, "a comment on a live post was refused"
        return None


def _run(delivery: Delivery, schedule: list[Step], posts_service) -> dict:
    """Empty the service, play the schedule through the real code, dump the state."""
    for model in (Comment, KnownPost, ProcessedEvent, OutboxEvent):
        model.objects.all().delete()
    posts_service.posts = {
        post.post_id: {"id": post.post_id, "title": _title(post.post_id, post.asked_at)}
        for post in delivery.posts
    }
    emitted, actions = _events(delivery), _admin_actions(delivery)
    comment_ids: dict[int, int | None] = {}
    applied: Counter[int] = Counter()
    sent: set[int] = set()
    for kind, index in schedule:
        if kind == "create":
            comment_ids[index] = _create(delivery, index)
        elif kind == "admin" and (comment_id := comment_ids[actions[index][0]]) is not None:
            _act(comment_id, actions[index][1])
        elif kind == "event":
            event_type, data = emitted[index]
            if event_type == events.COMMENT_MODERATED:
                comment_id = comment_ids[data["comment"]]
                if comment_id is None:
                    continue  # A comment refused at creation is never moderated.
                data = {
                    "comment_id": comment_id,
                    "post_id": data["post_id"],
                    "status": data["status"],
                }
            event = dev_signed(
                Event(type=event_type, source="test", data=data, id=str(uuid.UUID(int=index + 1)))
            )
            applied[index] += apply_event(event=event, handlers=HANDLERS)
            sent.add(index)
    assert applied == Counter(sent), "each event must be applied exactly once"
    return _state(comment_ids)


def _state(comment_ids: dict[int, int | None]) -> dict:
    """KnownPost rows (tombstones without their title) and comments by position."""
    positions = {comment_id: position for position, comment_id in comment_ids.items()}
    known_posts = [
        (post.post_id, post.revision, post.deleted, None if post.deleted else post.title)
        for post in KnownPost.objects.order_by("post_id")
    ]
    comments = {
        positions[comment.pk]: (comment.post_id, comment.content, comment.status)
        for comment in Comment.objects.all()
    }
    return {"known_posts": known_posts, "comments": comments}


def _expected(delivery: Delivery) -> dict:
    """The correct final state (see the module docstring)."""
    known_posts = []
    for post in delivery.posts:
        title = None if post.deleted else _title(post.post_id, post.last_revision)
        known_posts.append((post.post_id, post.last_revision + post.deleted, post.deleted, title))
    deleted_posts = {post.post_id for post in delivery.posts if post.deleted}
    comments = {}
    for position, comment in enumerate(delivery.comments):
        if comment.deleted_by_admin or comment.post_id in deleted_posts:
            continue
        content, status = f"comment {position}", comment.decision or rules.PENDING
        for action in comment.admin:
            status = ADMIN_DECISIONS.get(action[0], action[-1])
            if action[0] == "edit" and action[1] == "edited":
                content += " edited"
        comments[position] = (comment.post_id, content, status)
    return {"known_posts": known_posts, "comments": comments}


@settings(
    max_examples=delivery_order_examples(),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(delivery=deliveries())
def test_any_delivery_order_with_duplicates_ends_in_the_in_order_state(db, posts_service, delivery):
    expected = _run(delivery, in_order(delivery), posts_service)

    assert expected == _expected(delivery)
    assert _run(delivery, list(delivery.schedule), posts_service) == expected
