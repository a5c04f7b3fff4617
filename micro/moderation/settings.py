"""Settings of the moderation service: no database, no admin, just the API and a worker."""

from typing import Any

from shared.settings.base import *  # noqa: F403
from shared.settings.base import API_ONLY_APPS, API_ONLY_MIDDLEWARE, SPECTACULAR_SETTINGS
from shared.settings.environment import event_signing_key, event_verify_keys

SERVICE_NAME = "moderation"
# The private key that signs this service's events (shared.signing).
EVENT_SIGNING_KEY = event_signing_key(SERVICE_NAME)
# The public keys that check each producer's event signatures (shared.signing).
EVENT_VERIFY_KEYS = event_verify_keys()
INSTALLED_APPS = [
    *API_ONLY_APPS,
    # No models: listed because Celery's Django autodiscovery imports tasks.py only from
    # installed apps.
    "micro.moderation.apps.ModerationConfig",
]
MIDDLEWARE = API_ONLY_MIDDLEWARE
ROOT_URLCONF = "micro.moderation.urls"
WSGI_APPLICATION = "micro.moderation.wsgi.application"
DATABASES: dict[str, dict[str, Any]] = {}
CELERY_TASK_DEFAULT_QUEUE = SERVICE_NAME
# What the worker does besides consuming its queue: function -> every so many ms.
WORKER_LOOPS: dict[str, int] = {}
SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,
    "TITLE": "Blog micro: moderation",
    "DESCRIPTION": "No database. Consumes CommentCreated, publishes CommentModerated; "
    "previews a decision over HTTP.",
}
