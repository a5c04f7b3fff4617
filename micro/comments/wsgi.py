"""WSGI entry point of the comments service."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "micro.comments.settings")
application = get_wsgi_application()
