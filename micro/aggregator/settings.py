"""Settings of the aggregator: no database, no worker; just the API and two HTTP clients."""

from typing import Any

from shared.settings.base import *  # noqa: F403
from shared.settings.base import API_ONLY_APPS, API_ONLY_MIDDLEWARE, SPECTACULAR_SETTINGS
from shared.settings.environment import env_str

SERVICE_NAME = "aggregator"
INSTALLED_APPS = API_ONLY_APPS
MIDDLEWARE = API_ONLY_MIDDLEWARE
ROOT_URLCONF = "micro.aggregator.urls"
WSGI_APPLICATION = "micro.aggregator.wsgi.application"
DATABASES: dict[str, dict[str, Any]] = {}
POSTS_URL = env_str("POSTS_URL", "http://127.0.0.1:8001")
COMMENTS_URL = env_str("COMMENTS_URL", "http://127.0.0.1:8002")
SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,
    "TITLE": "Blog micro: aggregator",
    "DESCRIPTION": "The synchronous option: composes the post list with comments per request "
    "by calling posts once and comments once per post, over HTTP. 503 naming the service when "
    "either cannot answer.",
}
