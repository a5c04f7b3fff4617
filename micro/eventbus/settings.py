"""Settings of the event bus."""

from shared.settings.base import *  # noqa: F403
from shared.settings.base import DJANGO_APPS, SHARED_APPS, SPECTACULAR_SETTINGS, THIRD_PARTY_APPS
from shared.settings.environment import database, event_verify_keys

SERVICE_NAME = "eventbus"
# The public keys that check each producer's event signatures (shared.signing).
EVENT_VERIFY_KEYS = event_verify_keys()
INSTALLED_APPS = [
    *DJANGO_APPS,
    *THIRD_PARTY_APPS,
    *SHARED_APPS,
    "shared.messaging",
    "micro.eventbus.apps.EventbusConfig",
]
ROOT_URLCONF = "micro.eventbus.urls"
WSGI_APPLICATION = "micro.eventbus.wsgi.application"
DATABASES = {"default": database(default_name="eventbus")}
CELERY_TASK_DEFAULT_QUEUE = SERVICE_NAME
# What the worker does besides consuming its queue: function -> every so many ms.
WORKER_LOOPS: dict[str, int] = {}
SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,
    "TITLE": "Blog micro: eventbus",
    "DESCRIPTION": "The event store: stores every event once, in order, fans it out to the "
    "subscribed services' queues, and serves the stored events for replay.",
}
