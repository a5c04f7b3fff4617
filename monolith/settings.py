"""Settings of the monolith: the whole blog in one deployable."""

from shared.settings.base import *  # noqa: F403
from shared.settings.base import DJANGO_APPS, PRODUCTION, SHARED_APPS, THIRD_PARTY_APPS
from shared.settings.environment import database

SERVICE_NAME = "monolith"
# The workbench (`stacks`: launch, compare, demo, the lab) is `manage.py`'s in development;
# production runs the blog alone (the image has none of the workbench's dependencies).
WORKBENCH_APPS = [] if PRODUCTION else ["stacks"]
INSTALLED_APPS = [*DJANGO_APPS, *THIRD_PARTY_APPS, *SHARED_APPS, "monolith.blog", *WORKBENCH_APPS]
ROOT_URLCONF = "monolith.urls"
WSGI_APPLICATION = "monolith.wsgi.application"
DATABASES = {"default": database(default_name="monolith")}
SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,  # noqa: F405
    "TITLE": "Blog: monolith",
    "DESCRIPTION": "The whole blog in one service; moderation runs in the request.",
}
