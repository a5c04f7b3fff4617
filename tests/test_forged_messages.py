"""Forged messages change nothing: anyone who can push onto a queue, without a producer's
key, lands in dead letters (real Redis, real Celery workers, real databases).

The four forgeries of issue 12, each as a real Celery task message on the queue it targets:
approve a rejected comment (CommentModerated on `comments`), rewrite the read model with a
high revision (CommentUpdated on `query`), make `comments` forget a post (PostDeleted on
`comments`), and store a made-up event under posts' name (eventbus.publish).
"""

from __future__ import annotations

import dataclasses
import uuid

import pytest
import requests
from celery import Celery

from shared import events, rules
from shared.events import Event
from shared.signing import new_signing_key, signature_of
from stacks.reliability import dead_letters
from stacks.tracing import read_records
from tests.conftest import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.any_database]


def _final(micro_client, post_id: int, count: int):
    """The post as query serves it once its `count` comments are all decided."""
    return eventually(
        lambda: micro_client.get_post(post_id),
        until=lambda reply: (
            reply.status == 200
            and len(reply.body["comments"]) == count
            and all(comment["status"] != rules.PENDING for comment in reply.body["comments"])
        ),
    ).body


def _event(event_type: str, **data) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "source": events.PRODUCERS[event_type],
        "occurred_at": "2026-12-01T00:00:00+00:00",
        "version": events.SCHEMA_VERSION,
        "data": data,
    }


def _signed_with_a_key_of_its_own(message: dict) -> dict:
    """What a forger who made up a key of their own would send."""
    event = Event.from_message(message)
    signature = signature_of(event, signing_key=new_signing_key())
    return dataclasses.replace(event, signature=signature).as_message()


def _forgeries(post: dict, rejected: dict) -> list[tuple[str, dict]]:
    """(task name, message) of each forgery, aimed at the post and its rejected comment."""
    comment = {"comment_id": rejected["id"], "post_id": post["id"]}
    return [
        ("comments.handle_event", _event(events.COMMENT_MODERATED, **comment, status="approved")),
        (
            "query.handle_event",
            _event(
                events.COMMENT_UPDATED,
                **comment,
                content="rewritten by a forger",
                status=rules.APPROVED,
                created_at=rejected["created_at"],
                revision=1_000_000,
            ),
        ),
        ("comments.handle_event", _event(events.POST_DELETED, post_id=post["id"], revision=10**6)),
        (
            "eventbus.publish",
            _event(
                events.POST_CREATED,
                post_id=post["id"] + 10**9,
                title="made up",
                created_at=post["created_at"],
                revision=1,
            ),
        ),
    ]


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed-with-a-made-up-key"])
def test_forged_messages_land_in_dead_letters_and_change_nothing(
    micro_stack, micro_client, unique, signed
):
    post = micro_client.create_post(f"Forgery target {unique}").body
    rejected = micro_client.add_comment(post["id"], f"an orange comment {unique}").body
    micro_client.add_comment(post["id"], f"a lovely comment {unique}")
    before = _final(micro_client, post["id"], count=2)
    assert [c["status"] for c in before["comments"] if c["id"] == rejected["id"]] == [
        rules.REJECTED
    ]
    services = ("comments", "query", "eventbus")
    known = {svc: {letter["id"] for letter in dead_letters(micro_stack, svc)} for svc in services}

    forgeries = _forgeries(post, rejected)
    if signed:
        forgeries = [(task, _signed_with_a_key_of_its_own(msg)) for task, msg in forgeries]
    app = Celery("forger", broker=micro_stack.redis_url, set_as_current=False)
    try:
        for task_name, message in forgeries:
            app.send_task(task_name, args=[message], queue=task_name.split(".")[0])
    finally:
        app.close()

    def new_letters() -> list[dict]:
        return [
            letter
            for svc in services
            for letter in dead_letters(micro_stack, svc)
            if letter["id"] not in known[svc]
        ]

    letters = eventually(new_letters, until=lambda found: len(found) >= len(forgeries))
    assert sorted(letter["message"]["id"] for letter in letters) == sorted(
        message["id"] for _, message in forgeries
    )
    assert all(letter["error"].startswith("forged event: ") for letter in letters), [
        letter["error"] for letter in letters
    ]
    # Nothing changed: the read model, the comments service, the event store.
    a_later_comment = micro_client.add_comment(post["id"], f"after the forgeries {unique}")
    assert a_later_comment.status == 201, a_later_comment.body  # comments still knows the post
    after = _final(micro_client, post["id"], count=3)
    assert [c for c in after["comments"] if c["id"] != a_later_comment.body["id"]] == before[
        "comments"
    ]
    own = micro_client.get("comment_create", f"/api/posts/{post['id']}/comments/")
    assert {c["id"]: c["status"] for c in own.body}[rejected["id"]] == rules.REJECTED
    stored = requests.get(
        f"{micro_stack.url('eventbus')}/internal/events/",
        params={"after": 0, "limit": 500, "types": events.POST_CREATED},
        headers=micro_stack.internal_headers(),
        timeout=10,
    ).json()["events"]
    assert forgeries[-1][1]["id"] not in {event["id"] for event in stored}


def test_a_forged_message_in_a_backlog_is_dead_lettered_and_the_rest_applied(
    micro_stack, micro_client, unique
):
    """query's task takes the events waiting behind its own and applies them in one
    transaction (shared.messaging.retry: batch); a forgery among them rolls that back, and
    then each is done alone: the forgery is dead-lettered, none of the others is lost or
    costs a retry."""
    known = {letter["id"] for letter in dead_letters(micro_stack, "query")}
    post = micro_client.create_post(f"Backlog target {unique}").body
    eventually(lambda: micro_client.get_post(post["id"]), until=lambda reply: reply.status == 200)
    forged = _event(
        events.POST_UPDATED,
        post_id=post["id"],
        title="rewritten by a forger",
        created_at=post["created_at"],
        revision=1_000_000,
    )
    micro_stack.stop_process("query-worker")
    try:
        before = [micro_client.create_post(f"before {unique} {n}") for n in range(5)]
        app = Celery("forger", broker=micro_stack.redis_url, set_as_current=False)
        try:
            app.send_task("query.handle_event", args=[forged], queue="query")
        finally:
            app.close()
        after = [micro_client.create_post(f"after {unique} {n}") for n in range(5)]
    finally:
        micro_stack.start_process("query-worker")

    for reply in before + after:
        eventually(
            lambda post_id=reply.body["id"]: micro_client.get_post(post_id),
            until=lambda found: found.status == 200,
        )
    letters = eventually(
        lambda: [
            letter for letter in dead_letters(micro_stack, "query") if letter["id"] not in known
        ],
        until=lambda found: len(found) >= 1,
    )
    assert [letter["message"]["id"] for letter in letters] == [forged["id"]]
    assert letters[0]["error"].startswith("forged event: ")
    assert micro_client.get_post(post["id"]).body["title"] == f"Backlog target {unique}"
    applied = [
        record
        for reply in before + after
        for record in read_records(micro_stack.trace_dir, reply.request_id)
        if record.get("name") == "query.handle_event"
    ]
    assert len(applied) == 10 and {record["status"] for record in applied} == {"SUCCESS"}
    assert any(record.get("grabbed") for record in applied)  # they were taken together
