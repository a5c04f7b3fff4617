"""WSGI entry point of the posts service."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "micro.posts.settings")
application = get_wsgi_application()
