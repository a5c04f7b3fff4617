"""Settings of the event bus (what every micro service sets alike: shared.settings.micro)."""

from shared.settings.base import *  # noqa: F403
from shared.settings.micro import service_settings

globals().update(
    service_settings(
        "eventbus",
        apps=("micro.eventbus.apps.EventbusConfig",),
        description="The event store: stores every event once, in order, fans it out to the "
        "subscribed services' queues, and serves the stored events for replay.",
    )
)
# What the worker does besides consuming its queue: function -> every so many ms.
WORKER_LOOPS: dict[str, int] = {}
