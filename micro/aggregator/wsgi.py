"""WSGI entry point of the aggregator."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "micro.aggregator.settings")
application = get_wsgi_application()
