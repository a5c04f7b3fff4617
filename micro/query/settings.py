"""Settings of the query service (what every micro service sets alike: shared.settings.micro)."""

from shared.settings.base import *  # noqa: F403
from shared.settings.environment import env_int, env_str
from shared.settings.micro import CATCH_UP_AT_REST_MS, service_settings

globals().update(
    service_settings(
        "query",
        apps=("micro.query.apps.QueryConfig",),
        description="The read model: posts with their comments, built from PostCreated / "
        "PostUpdated / PostDeleted and CommentCreated / CommentUpdated / CommentDeleted; the "
        "post list in one request. Rebuilds itself from the event store.",
    )
)
# What the worker does besides consuming its queue: function -> every so many ms.
WORKER_LOOPS = {
    "shared.messaging.pruning.bookkeeping_prune": 60_000,
    "micro.query.handlers.read_model_catch_up": env_int("CATCH_UP_INTERVAL_MS", 2000),
}
# Catch-up backs off further at rest (shared.settings.micro.CATCH_UP_AT_REST_MS).
WORKER_LOOPS_AT_REST_MS = {"micro.query.handlers.read_model_catch_up": CATCH_UP_AT_REST_MS}
# Where the event store serves its events for a rebuild.
EVENTBUS_URL = env_str("EVENTBUS_URL", "http://127.0.0.1:8005")
