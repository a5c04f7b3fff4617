"""Settings of the query service."""

from shared.settings.base import *  # noqa: F403
from shared.settings.base import DJANGO_APPS, SHARED_APPS, SPECTACULAR_SETTINGS, THIRD_PARTY_APPS
from shared.settings.environment import database, env_int, env_str, event_verify_keys

SERVICE_NAME = "query"
# The public keys that check each producer's event signatures (shared.signing).
EVENT_VERIFY_KEYS = event_verify_keys()
INSTALLED_APPS = [
    *DJANGO_APPS,
    *THIRD_PARTY_APPS,
    *SHARED_APPS,
    "shared.messaging",
    "micro.query.apps.QueryConfig",
]
ROOT_URLCONF = "micro.query.urls"
WSGI_APPLICATION = "micro.query.wsgi.application"
DATABASES = {"default": database(default_name="query")}
CELERY_TASK_DEFAULT_QUEUE = SERVICE_NAME
# What the worker does besides consuming its queue: function -> every so many ms.
WORKER_LOOPS = {
    "micro.query.services.read_model_catch_up": env_int("CATCH_UP_INTERVAL_MS", 2000),
}
# Where the event store serves its events for a rebuild.
EVENTBUS_URL = env_str("EVENTBUS_URL", "http://127.0.0.1:8005")
SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,
    "TITLE": "Blog micro: query",
    "DESCRIPTION": "The read model: posts with their comments, built from PostCreated / "
    "PostUpdated / PostDeleted and CommentCreated / CommentUpdated / CommentDeleted; the post "
    "list in one request. Rebuilds itself from the event store.",
}
