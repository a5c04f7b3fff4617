"""The settings every micro service sets the same way, from its row of the deployables table.

Each micro/<service>/settings.py starts from shared.settings.base, adds these with
`globals().update(service_settings(...))`, then sets what is its own (the URLs of the
services it calls, its worker's loops, ...):

- SERVICE_NAME; ROOT_URLCONF and WSGI_APPLICATION from its package;
- a service with a database: the admin, sessions and auth, shared.messaging's models (outbox,
  inbox, dead letters), its own app, and its database (a SQLite file named after it unless
  DATABASE_URL says otherwise); one without: just the API (API_ONLY_APPS, API_ONLY_MIDDLEWARE)
  and no database;
- a service with a worker: the queue it consumes (CELERY_TASK_DEFAULT_QUEUE) and the public
  keys that check each producer's event signatures (EVENT_VERIFY_KEYS, shared.signing);
- a producer of events (shared.events.PRODUCERS): the private key that signs them
  (EVENT_SIGNING_KEY);
- its API docs' title and description (SPECTACULAR_SETTINGS).
"""

from __future__ import annotations

from typing import Any, TypedDict

from shared.deployables import deployable
from shared.settings.base import (
    API_ONLY_APPS,
    API_ONLY_MIDDLEWARE,
    DJANGO_APPS,
    SHARED_APPS,
    SPECTACULAR_SETTINGS,
    THIRD_PARTY_APPS,
)
from shared.settings.environment import database, event_signing_key, event_verify_keys

# At rest (a round found nothing and no task ran since), a consumer's catch-up backs off to
# every 30 s instead of the 10 s every other loop backs off to
# (shared.messaging.celery_app.IDLE_INTERVAL_MAX_SECONDS): each round is an HTTP request
# the event bus serves. This bounds how late catch-up applies an event whose live delivery
# was lost while nothing else happens; any task brings it back to CATCH_UP_INTERVAL_MS
# (2 s). Used in WORKER_LOOPS_AT_REST_MS by comments and query (docs/cost.md).
CATCH_UP_AT_REST_MS = 30_000


class ServiceSettings(TypedDict, total=False):
    """What service_settings gives (the last five: only where the docstring above says)."""

    SERVICE_NAME: str
    ROOT_URLCONF: str
    WSGI_APPLICATION: str
    SPECTACULAR_SETTINGS: dict[str, Any]
    INSTALLED_APPS: list[str]
    DATABASES: dict[str, Any]
    MIDDLEWARE: list[str]
    CELERY_TASK_DEFAULT_QUEUE: str
    EVENT_VERIFY_KEYS: dict[str, str]
    EVENT_SIGNING_KEY: str


def service_settings(name: str, *, apps: tuple[str, ...] = (), description: str) -> ServiceSettings:
    """The common settings of micro service `name`; `apps`: its own Django apps."""
    row = deployable(name)
    values: ServiceSettings = {
        "SERVICE_NAME": row.name,
        "ROOT_URLCONF": f"{row.package}.urls",
        "WSGI_APPLICATION": row.wsgi.replace(":", "."),
        "SPECTACULAR_SETTINGS": {
            **SPECTACULAR_SETTINGS,
            "TITLE": f"Blog micro: {row.name}",
            "DESCRIPTION": description,
        },
    }
    if row.has_database:
        values["INSTALLED_APPS"] = [
            *DJANGO_APPS, *THIRD_PARTY_APPS, *SHARED_APPS, "shared.messaging", *apps
        ]  # fmt: skip
        values["DATABASES"] = {"default": database(default_name=row.name)}
    else:
        values["INSTALLED_APPS"] = [*API_ONLY_APPS, *apps]
        values["MIDDLEWARE"] = API_ONLY_MIDDLEWARE
        values["DATABASES"] = {}
    if row.queue:
        values["CELERY_TASK_DEFAULT_QUEUE"] = row.queue
        values["EVENT_VERIFY_KEYS"] = event_verify_keys()
    if row.produces:
        values["EVENT_SIGNING_KEY"] = event_signing_key(row.name)
    return values
