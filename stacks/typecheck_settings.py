"""Settings for the type checker only (mypy's django-stubs plugin; pyproject.toml).

Every deployable's apps in one registry, so that the plugin knows every model of both
stacks (their app labels differ), and every deployable's own settings, so that each
`settings.NAME` the code reads is known. No process runs with these.
"""

from micro.aggregator.settings import COMMENTS_URL  # noqa: F401
from micro.comments.settings import EVENTBUS_URL, POSTS_URL, WORKER_LOOPS  # noqa: F401
from monolith.settings import *  # noqa: F403
from monolith.settings import INSTALLED_APPS
from shared.settings.micro import service_settings

# What shared.settings.micro gives a micro service with a worker that signs events (comments
# does), typed by its ServiceSettings.
_comments = service_settings("comments", description="")
CELERY_TASK_DEFAULT_QUEUE = _comments["CELERY_TASK_DEFAULT_QUEUE"]
EVENT_SIGNING_KEY = _comments["EVENT_SIGNING_KEY"]
EVENT_VERIFY_KEYS = _comments["EVENT_VERIFY_KEYS"]

INSTALLED_APPS = [
    *INSTALLED_APPS,
    "shared.messaging",
    "micro.posts.apps.PostsConfig",
    "micro.comments.apps.CommentsConfig",
    "micro.moderation.apps.ModerationConfig",
    "micro.query.apps.QueryConfig",
    "micro.eventbus.apps.EventbusConfig",
]
