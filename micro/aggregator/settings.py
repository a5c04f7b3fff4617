"""Settings of the aggregator: no database, no worker; just the API and two HTTP clients
(what every micro service sets alike: shared.settings.micro)."""

from shared.settings.base import *  # noqa: F403
from shared.settings.environment import env_str
from shared.settings.micro import service_settings

globals().update(
    service_settings(
        "aggregator",
        description="The synchronous option: composes the post list with comments per "
        "request by calling posts once and comments once per post, over HTTP. 503 naming the "
        "service when either cannot answer.",
    )
)
POSTS_URL = env_str("POSTS_URL", "http://127.0.0.1:8001")
COMMENTS_URL = env_str("COMMENTS_URL", "http://127.0.0.1:8002")
