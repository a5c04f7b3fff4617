"""Settings of the moderation service: no database, no admin, just the API and a worker
(what every micro service sets alike: shared.settings.micro)."""

from shared.settings.base import *  # noqa: F403
from shared.settings.micro import service_settings

globals().update(
    service_settings(
        "moderation",
        # No models: listed because Celery's Django autodiscovery imports tasks.py only from
        # installed apps.
        apps=("micro.moderation.apps.ModerationConfig",),
        description="No database. Consumes CommentCreated, publishes CommentModerated; "
        "previews a decision over HTTP.",
    )
)
# What the worker does besides consuming its queue: function -> every so many ms.
WORKER_LOOPS: dict[str, int] = {}
