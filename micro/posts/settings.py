"""Settings of the posts service."""

from shared.settings.base import *  # noqa: F403
from shared.settings.base import DJANGO_APPS, SHARED_APPS, SPECTACULAR_SETTINGS, THIRD_PARTY_APPS
from shared.settings.environment import (
    database,
    env_int,
    env_str,
    event_signing_key,
    event_verify_keys,
)

EVENTBUS_URL = env_str("EVENTBUS_URL", "http://127.0.0.1:8005")
SERVICE_NAME = "posts"
# The private key that signs this service's events (shared.signing).
EVENT_SIGNING_KEY = event_signing_key(SERVICE_NAME)
# The public keys that check each producer's event signatures (shared.signing).
EVENT_VERIFY_KEYS = event_verify_keys()
INSTALLED_APPS = [
    *DJANGO_APPS,
    *THIRD_PARTY_APPS,
    *SHARED_APPS,
    "shared.messaging",
    "micro.posts.apps.PostsConfig",
]
ROOT_URLCONF = "micro.posts.urls"
WSGI_APPLICATION = "micro.posts.wsgi.application"
DATABASES = {"default": database(default_name="posts")}
CELERY_TASK_DEFAULT_QUEUE = SERVICE_NAME
# What the worker does besides consuming its queue: function -> every so many ms.
WORKER_LOOPS = {
    "shared.messaging.publish.relay_outbox_loop": env_int("OUTBOX_RELAY_INTERVAL_MS", 500),
    "shared.messaging.publish.outbox_confirm": 2000,
}
SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,
    "TITLE": "Blog micro: posts",
    "DESCRIPTION": "Owns posts. Publishes PostCreated, PostUpdated and PostDeleted.",
}
