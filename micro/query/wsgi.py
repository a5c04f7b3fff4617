"""WSGI entry point of the query service."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "micro.query.settings")
application = get_wsgi_application()
