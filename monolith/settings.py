"""Settings of the monolith: the whole blog in one deployable."""

from shared.settings.base import *  # noqa: F403
from shared.settings.base import DJANGO_APPS, SHARED_APPS, THIRD_PARTY_APPS
from shared.settings.environment import database

SERVICE_NAME = "monolith"
INSTALLED_APPS = [*DJANGO_APPS, *THIRD_PARTY_APPS, *SHARED_APPS, "monolith.blog", "stacks"]
ROOT_URLCONF = "monolith.urls"
WSGI_APPLICATION = "monolith.wsgi.application"
DATABASES = {"default": database(default_name="monolith")}
SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,  # noqa: F405
    "TITLE": "Blog: monolith",
    "DESCRIPTION": "The whole blog in one service; moderation runs in the request.",
}
