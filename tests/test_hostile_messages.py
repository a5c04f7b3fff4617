"""A worker survives any bytes on its queue: each entry becomes a dead letter, the next
real event is still applied (real Redis, real Celery workers, real databases)."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
import redis

from tests.conftest import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.any_database]


def _envelope(*, body: str, task: str = "query.handle_event", **changes) -> dict:
    """A kombu envelope of a Celery task message, as publishers put on the queue."""
    message_id = str(uuid.uuid4())
    envelope = {
        "body": body,
        "content-encoding": "utf-8",
        "content-type": "application/json",
        "headers": {"lang": "py", "task": task, "id": message_id, "retries": 0},
        "properties": {
            "correlation_id": message_id,
            "delivery_mode": 2,
            "delivery_info": {"exchange": "", "routing_key": "query"},
            "priority": 0,
            "body_encoding": "base64",
            "delivery_tag": str(uuid.uuid4()),
        },
    }
    envelope.update(changes)
    return envelope


def _b64(value: object) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


EMBED = {"callbacks": None, "errbacks": None, "chain": None, "chord": None}
HOSTILE_ENTRIES = {
    "not-json": b"this is not json",
    "json-array": b"[1, 2, 3]",
    "json-string": b'"hello"',
    "not-utf8": b"\xff\xfe\x00garbage",
    "no-properties": json.dumps({"body": "", "headers": {"task": "query.handle_event"}}).encode(),
    "body-not-base64": json.dumps(_envelope(body="!!! not base64 !!!")).encode(),
    "body-not-json": json.dumps(_envelope(body=base64.b64encode(b"not json").decode())).encode(),
    "body-wrong-shape": json.dumps(_envelope(body=_b64({"args": []}))).encode(),
    "body-wrong-type": json.dumps(_envelope(body=_b64([[12345], {}, EMBED]))).encode(),
    "unknown-task": json.dumps(
        _envelope(body=_b64([[], {}, EMBED]), task="query.no_such_task")
    ).encode(),
    "nested-deep": b"[" * 100_000 + b"]" * 100_000,
    "huge": b'{"body": "' + b"x" * 3_000_000 + b'"}',
}


def _dead_letters(stack) -> list[dict]:
    return json.loads(stack.manage("query", "dead_letters", "--json").strip().splitlines()[-1])


def test_a_worker_survives_any_bytes_on_its_queue(micro_stack, micro_client, unique):
    before = {letter["id"] for letter in _dead_letters(micro_stack)}
    broker = redis.Redis.from_url(micro_stack.redis_url)
    for raw in HOSTILE_ENTRIES.values():
        broker.lpush("query", raw)

    post = micro_client.create_post(f"After the garbage {unique}").body
    eventually(
        lambda: micro_client.get_post(post["id"]),
        until=lambda reply: reply.status == 200 and reply.body["title"] == post["title"],
    )

    # The post may reach query before the last entries are dealt with: its PostCreated
    # comes straight from posts (and query's catch-up reads the store too), so wait for
    # the queue to empty.
    eventually(lambda: broker.llen("query"), until=lambda waiting: waiting == 0)
    assert micro_stack.processes["query-worker"].running
    new = [letter for letter in _dead_letters(micro_stack) if letter["id"] not in before]
    # Every entry is kept, the unknown task too (Celery itself would log it and drop it).
    assert len(new) == len(HOSTILE_ENTRIES), [letter["error"] for letter in new]
    unreadable = [letter for letter in new if letter["task_name"] == "query.unreadable"]
    kept = {base64.b64decode(letter["message"]["raw_base64"]) for letter in unreadable}
    assert HOSTILE_ENTRIES["not-json"] in kept
    assert all(letter["error"].startswith("unreadable message: ") for letter in unreadable)
    huge = [letter for letter in unreadable if letter["message"]["length"] > 1_000_000]
    assert len(huge) == 1
    assert any("no task 'query.no_such_task' here" in letter["error"] for letter in unreadable)
