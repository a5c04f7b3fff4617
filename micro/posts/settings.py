"""Settings of the posts service (what every micro service sets alike: shared.settings.micro)."""

from shared.settings.base import *  # noqa: F403
from shared.settings.environment import env_int, env_str
from shared.settings.micro import service_settings

globals().update(
    service_settings(
        "posts",
        apps=("micro.posts.apps.PostsConfig",),
        description="Owns posts. Publishes PostCreated, PostUpdated and PostDeleted.",
    )
)
EVENTBUS_URL = env_str("EVENTBUS_URL", "http://127.0.0.1:8005")
# What the worker does besides consuming its queue: function -> every so many ms.
WORKER_LOOPS = {
    "shared.messaging.pruning.bookkeeping_prune": 60_000,
    "shared.messaging.publish.relay_outbox_loop": env_int("OUTBOX_RELAY_INTERVAL_MS", 500),
    "shared.messaging.publish.outbox_confirm": 2000,
}
