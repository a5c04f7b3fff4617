"""Each micro service connects to the launched stack's Redis as its own ACL user, allowed only
what it needs (shared.messaging.redis_acl), and the stack still works end to end."""

from __future__ import annotations

import stat
from urllib.parse import urlsplit

import pytest
import redis

from shared.testing.redis_rights import refused
from tests.conftest import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.any_database]


def _redis_url(stack, service: str) -> str | None:
    return stack.service_env(stack.spec(service)).get("REDIS_URL")


def _as(stack, service: str) -> redis.Redis:
    return redis.Redis.from_url(_redis_url(stack, service), socket_timeout=3)


def _denials(admin: redis.Redis) -> list[dict]:
    """ACL LOG, less redis-py's CLIENT SETINFO on a Redis older than 7.2 (refused, ignored)."""
    return [
        entry
        for entry in admin.execute_command("ACL", "LOG", "128")
        if entry[b"object"] != b"client"
    ]


def test_every_service_with_a_queue_connects_as_its_own_user(micro_stack):
    assert micro_stack.redis is not None
    for spec in micro_stack.services:
        url = _redis_url(micro_stack, spec.name)
        if not spec.has_worker:
            assert url is None, f"{spec.name} uses no Redis and gets no credentials"
            continue
        parts = urlsplit(url)
        assert parts.username == spec.name and parts.password, spec.name
        assert parts.password == micro_stack.redis.passwords[spec.name]
    passwords = list(micro_stack.redis.passwords.values())
    assert len(set(passwords)) == len(passwords)
    for private in (micro_stack.redis.acl_file, micro_stack.redis_admin_url_file):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600, private
    acl_text = micro_stack.redis.acl_file.read_text()
    assert not any(password in acl_text for password in passwords), "hashes only"
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(host=micro_stack.redis.host, port=micro_stack.redis.port).llen("posts")


def test_query_cannot_read_another_queue_push_elsewhere_or_administer(micro_stack):
    query = _as(micro_stack, "query")
    assert query.llen("query") >= 0  # its own queue
    for command in (
        ("LRANGE", "comments", 0, -1),
        ("BRPOP", "comments", 1),
        ("RPOP", "comments"),
        ("LLEN", "comments"),
        ("LPUSH", "posts", "not a message"),
        ("HVALS", "unacked.comments"),
        ("FLUSHALL",),
        ("CONFIG", "GET", "*"),
        ("CONFIG", "SET", "appendonly", "no"),
        ("KEYS", "*"),
        ("ACL", "LIST"),
    ):
        assert refused(query, *command), command


def test_posts_can_push_onto_its_subscribers_queues_but_not_read_them(micro_stack):
    if micro_stack.redis.version < (7, 0):
        pytest.skip("Redis 6.2 has no write-only key permission (see shared.messaging.redis_acl)")
    admin = redis.Redis.from_url(micro_stack.redis_url)
    posts = _as(micro_stack, "posts")
    # Allowed, checked without running it (a pushed entry would reach a worker): the event
    # bus's queue (to store) and those of its events' subscribers (shared.deployables.
    # event_destinations).
    for queue in ("eventbus", "query", "comments"):
        assert admin.execute_command("ACL", "DRYRUN", "posts", "LPUSH", queue, "{}") == b"OK"
    assert posts.llen("eventbus") >= 0  # what the outbox's in-flight check reads
    assert isinstance(posts.hvals("unacked.eventbus"), list)
    for command in (
        ("LRANGE", "eventbus", 0, -1),
        ("RPOP", "eventbus"),
        ("BRPOP", "eventbus", 1),
        ("HSET", "unacked.eventbus", "tag", "x"),
        ("RPOP", "query"),
        ("LPUSH", "moderation", "not a message"),
    ):
        assert refused(posts, *command), command


def test_a_comment_reaches_the_read_model_with_no_rightrefused(micro_stack, micro_client, unique):
    admin = redis.Redis.from_url(micro_stack.redis_url)
    admin.execute_command("ACL", "LOG", "RESET")
    post = micro_client.create_post(f"Least privilege {unique}").body
    comment = micro_client.add_comment(post["id"], f"as its own user {unique}").body

    eventually(
        lambda: micro_client.get_post(post["id"]),
        until=lambda reply: (
            reply.status == 200
            and [c["id"] for c in reply.body["comments"]] == [comment["id"]]
            and reply.body["comments"][0]["status"] != "pending"
        ),
    )

    assert _denials(admin) == [], "a service was refused something it needs"
    assert micro_stack.unhealthy() == []
    # The refusals are logged, by user: what an operator sees when one is tried.
    assert refused(_as(micro_stack, "query"), "LLEN", "comments")
    assert [entry[b"username"] for entry in _denials(admin)] == [b"query"]
