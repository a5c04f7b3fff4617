"""WSGI entry point of the event bus."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "micro.eventbus.settings")
application = get_wsgi_application()
