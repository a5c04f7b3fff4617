"""Settings of the comments service (what every micro service sets alike: shared.settings.micro)."""

from shared.settings.base import *  # noqa: F403
from shared.settings.environment import env_int, env_str
from shared.settings.micro import CATCH_UP_AT_REST_MS, service_settings

globals().update(
    service_settings(
        "comments",
        apps=("micro.comments.apps.CommentsConfig",),
        description="Owns comments. Publishes CommentCreated, CommentUpdated and "
        "CommentDeleted; consumes PostCreated, PostUpdated, PostDeleted and CommentModerated.",
    )
)
EVENTBUS_URL = env_str("EVENTBUS_URL", "http://127.0.0.1:8005")
# What the worker does besides consuming its queue: function -> every so many ms.
WORKER_LOOPS = {
    "shared.messaging.pruning.bookkeeping_prune": 60_000,
    "shared.messaging.publish.relay_outbox_loop": env_int("OUTBOX_RELAY_INTERVAL_MS", 500),
    "shared.messaging.publish.outbox_confirm": 2000,
    "micro.comments.handlers.event_store_catch_up": env_int("CATCH_UP_INTERVAL_MS", 2000),
    "micro.comments.services.comment_pending_resend": 5000,
}
# Catch-up backs off further at rest (shared.settings.micro.CATCH_UP_AT_REST_MS).
WORKER_LOOPS_AT_REST_MS = {"micro.comments.handlers.event_store_catch_up": CATCH_UP_AT_REST_MS}
# Asked once about a post this service has not heard of yet (see known_post_ensure).
POSTS_URL = env_str("POSTS_URL", "http://127.0.0.1:8001")
