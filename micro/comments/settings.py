"""Settings of the comments service."""

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
SERVICE_NAME = "comments"
# The private key that signs this service's events (shared.signing).
EVENT_SIGNING_KEY = event_signing_key(SERVICE_NAME)
# The public keys that check each producer's event signatures (shared.signing).
EVENT_VERIFY_KEYS = event_verify_keys()
INSTALLED_APPS = [
    *DJANGO_APPS,
    *THIRD_PARTY_APPS,
    *SHARED_APPS,
    "shared.messaging",
    "micro.comments.apps.CommentsConfig",
]
ROOT_URLCONF = "micro.comments.urls"
WSGI_APPLICATION = "micro.comments.wsgi.application"
DATABASES = {"default": database(default_name="comments")}
CELERY_TASK_DEFAULT_QUEUE = SERVICE_NAME
# What the worker does besides consuming its queue: function -> every so many ms.
WORKER_LOOPS = {
    "shared.messaging.publish.relay_outbox_loop": env_int("OUTBOX_RELAY_INTERVAL_MS", 500),
    "shared.messaging.publish.outbox_confirm": 2000,
    "micro.comments.services.event_store_catch_up": env_int("CATCH_UP_INTERVAL_MS", 2000),
    "micro.comments.services.comment_pending_resend": 5000,
}
# Asked once about a post this service has not heard of yet (see known_post_ensure).
POSTS_URL = env_str("POSTS_URL", "http://127.0.0.1:8001")
SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,
    "TITLE": "Blog micro: comments",
    "DESCRIPTION": "Owns comments. Publishes CommentCreated, CommentUpdated and CommentDeleted; "
    "consumes PostCreated, PostUpdated, PostDeleted and CommentModerated.",
}
