"""Settings of the comments service."""

from shared.settings.base import *  # noqa: F403
from shared.settings.base import DJANGO_APPS, SHARED_APPS, SPECTACULAR_SETTINGS, THIRD_PARTY_APPS
from shared.settings.environment import database, env_int, env_str

SERVICE_NAME = "comments"
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
OUTBOX_RELAY_INTERVAL_MS = env_int("OUTBOX_RELAY_INTERVAL_MS", 500)
# Asked once about a post this service has not heard of yet (see known_post_ensure).
POSTS_URL = env_str("POSTS_URL", "http://127.0.0.1:8001")
SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,
    "TITLE": "Blog micro: comments",
    "DESCRIPTION": "Owns comments. Publishes CommentCreated, CommentUpdated and CommentDeleted; "
    "consumes PostCreated, PostUpdated, PostDeleted and CommentModerated.",
}
