"""The one table of deployables: each one's name, settings, WSGI application, database, worker.

The rest follows from a row and from shared/events.py (SUBSCRIPTIONS, PRODUCERS), and is read
from here by everything that used to restate it: the settings (CELERY_TASK_ROUTES, each micro
service's common settings: shared.settings.micro), the task names (the consumers' tasks.py, the
publishers' sends), the Redis ACL table, the metrics, and the workbench (stacks/routes.py's
specs, hence the launcher, compose's and the manifests' consistency tests, KEDA, NetworkPolicy).

- A deployable with a worker consumes one durable queue, named after it; every task named
  `<service>.<action>` is routed there (task_routes).
- A published event reaches each service subscribed to its type as that service's
  `<service>.handle_event` task, and the event bus, which stores it, as `eventbus.publish`
  (event_task, event_destinations): the publisher sends all of them.

The order is the workbench's too: a deployable's web port is the launcher's base port plus
its place here (monolith 8000, posts 8001, ... aggregator 8006: the settings' default URLs).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.events import PRODUCERS, SUBSCRIPTIONS

# The task each subscriber receives its events as, and the one the event bus stores them by.
HANDLE_EVENT = "handle_event"
PUBLISH = "publish"
EVENTBUS = "eventbus"


@dataclass(frozen=True)
class Deployable:
    """One deployable: its settings, whether it owns a database and runs a worker."""

    name: str
    settings: str
    wsgi: str
    has_database: bool
    has_worker: bool

    @property
    def package(self) -> str:
        """The package of its settings, urls, wsgi (and celery) modules."""
        return self.settings.removesuffix(".settings")

    @property
    def celery_app(self) -> str:
        """Where its Celery app is found (`celery -A`): its package (micro/<name>/celery.py)."""
        return self.package

    @property
    def queue(self) -> str | None:
        """The queue its worker consumes: named after it; None without a worker."""
        return self.name if self.has_worker else None

    @property
    def subscriptions(self) -> tuple[str, ...]:
        """The event types it consumes (shared.events.SUBSCRIPTIONS)."""
        return tuple(kind for kind, services in SUBSCRIPTIONS.items() if self.name in services)

    @property
    def produces(self) -> tuple[str, ...]:
        """The event types it produces and signs (shared.events.PRODUCERS)."""
        return tuple(kind for kind, producer in PRODUCERS.items() if producer == self.name)

    @property
    def event_task(self) -> str | None:
        """The task its events arrive as: `<name>.handle_event` for a subscriber,
        `eventbus.publish` for the event bus; None for a deployable that takes no events."""
        if self.name == EVENTBUS:
            return f"{self.name}.{PUBLISH}"
        return f"{self.name}.{HANDLE_EVENT}" if self.subscriptions else None


def _micro(name: str, *, has_database: bool, has_worker: bool) -> Deployable:
    package = f"micro.{name}"
    return Deployable(
        name, f"{package}.settings", f"{package}.wsgi:application", has_database, has_worker
    )


MONOLITH = Deployable("monolith", "monolith.settings", "monolith.wsgi:application", True, False)
MICRO_SERVICES: tuple[Deployable, ...] = (
    _micro("posts", has_database=True, has_worker=True),
    _micro("comments", has_database=True, has_worker=True),
    _micro("moderation", has_database=False, has_worker=True),
    _micro("query", has_database=True, has_worker=True),
    _micro(EVENTBUS, has_database=True, has_worker=True),
    _micro("aggregator", has_database=False, has_worker=False),
)
DEPLOYABLES: dict[str, Deployable] = {row.name: row for row in (MONOLITH, *MICRO_SERVICES)}


def deployable(name: str) -> Deployable:
    """The row of one deployable; KeyError naming it when there is none."""
    return DEPLOYABLES[name]


def queue_services() -> tuple[str, ...]:
    """The micro services with a queue (a worker), in table order."""
    return tuple(row.name for row in MICRO_SERVICES if row.queue)


def queue(service: str) -> str:
    """The queue a service's worker consumes; LookupError for one without a worker."""
    name = deployable(service).queue
    if name is None:
        raise LookupError(f"{service} has no queue")
    return name


def event_task(service: str) -> str:
    """The task a service's events are sent as (Deployable.event_task); LookupError for one
    that takes no events."""
    name = deployable(service).event_task
    if name is None:
        raise LookupError(f"{service} takes no events")
    return name


def task_routes() -> dict[str, dict[str, str]]:
    """CELERY_TASK_ROUTES: each task `<service>.*` to that service's queue."""
    return {f"{name}.*": {"queue": queue(name)} for name in queue_services()}


def producers() -> tuple[str, ...]:
    """The services that publish events (shared.events.PRODUCERS), in table order."""
    return tuple(row.name for row in MICRO_SERVICES if row.produces)


def event_destinations(event_type: str) -> tuple[str, ...]:
    """Where a published event goes (shared.messaging.eventbus.publish_event): each service
    subscribed to its type, then the event bus, which stores it. An unknown type goes to the
    store alone, which refuses it into its dead letters."""
    return (*SUBSCRIPTIONS.get(event_type, ()), EVENTBUS)


def subscribers() -> tuple[str, ...]:
    """The services events are sent to (shared.events.SUBSCRIPTIONS), in table order."""
    return tuple(row.name for row in MICRO_SERVICES if row.subscriptions)
